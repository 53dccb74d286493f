"""Factories of the suite's rows (factory-boy) and the builders of answer sets that tests share.

One factory per model a test needs to arrange; they do nothing surprising: a factory writes the row
and the links it names, never revisions, index entries or emails (tests of workflows call services).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import factory
from django.conf import settings
from django.utils import timezone
from factory.django import DjangoModelFactory

from smartregion.accounts.models import Membership, Organisation, User
from smartregion.barometer.answers import random_answers
from smartregion.barometer.models import Response, ResponseAnswer, Wave, WaveMember
from smartregion.barometer.services import wave_close, wave_open
from smartregion.diagnostic.models import Diagnostic, DiagnosticAnswer
from smartregion.diagnostic.services import diagnostic_submit, targets_set
from smartregion.instruments.definition import Instrument, Question
from smartregion.instruments.scoring import hidden_questions
from smartregion.instruments.services import instrument_version_load
from smartregion.projects.models import Project
from smartregion.territory.importers.population import population_import
from smartregion.territory.models import Municipality, Region
from smartregion.territory.reference import POPULATION_FILE, POPULATION_SOURCE, POPULATION_YEAR

ROOT = Path(settings.BASE_DIR)
PASSWORD = "pw-for-tests-123"
PUBLISHED_AT = dt.datetime(2026, 3, 1, 10, 0)


# --- accounts ------------------------------------------------------------------------------------


class UserFactory(DjangoModelFactory):
    """A person who signs in with `email` and the suite's password (`PASSWORD`)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    is_staff = False
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.INTERMUNICIPAL


class MembershipFactory(DjangoModelFactory):
    """A user acting for a commune (`municipality=`) or an organisation (`organisation=`)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


# --- projects ------------------------------------------------------------------------------------


class ProjectFactory(DjangoModelFactory):
    """A project row as a test needs it, owned by and located in `owner_municipality`.

    Published projects get a publication date (1 March 2026, 10:00); no revision or index entry is
    written: tests of the workflow and of search call the services.
    """

    class Meta:
        model = Project
        skip_postgeneration_save = True

    slug = "wifi-public"
    title_fr = "Wi-Fi public dans les bibliothèques"
    summary_fr = "Un accès gratuit à Internet dans les bibliothèques communales."
    status = Project.Status.IN_PROGRESS
    themes = factory.LazyFunction(lambda: ["people", "digital_inclusion"])
    goals = factory.LazyFunction(lambda: [4, 10])
    state = Project.State.PUBLISHED
    published_at = factory.Maybe(
        factory.LazyAttribute(lambda project: project.state == Project.State.PUBLISHED),
        yes_declaration=factory.LazyFunction(lambda: timezone.make_aware(PUBLISHED_AT)),
        no_declaration=None,
    )
    first_published_at = factory.SelfAttribute("published_at")

    @factory.post_generation
    def located(project: Project, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        """The communes where it happens: `located=[...]`, else the owning commune."""
        places = extracted if extracted is not None else [project.owner_municipality]
        if create:
            project.municipalities.add(*[place for place in places if place is not None])


# --- maturity diagnostic -------------------------------------------------------------------------

MATURITY_INSTRUMENT = ROOT / "instruments" / "smartregion-maturity" / "2026.yaml"


def best_answer(question: Question) -> Any:
    """The highest-scoring valid answer to one question (the first option for unscored ones)."""
    if question.type in ("single_choice", "multiple_choice"):
        scored = [o for o in question.options if o.score is not None]
        best = max(scored, key=lambda o: o.score) if scored else question.options[0]
        return [best.code] if question.type == "multiple_choice" else best.code
    if question.type == "yes_no":
        return "yes"
    if question.type == "scale":
        return question.scale.max
    if question.type == "matrix":
        return {row.code: question.scale.max for row in question.rows}
    if question.type == "number":
        spec = question.number
        return spec.max if spec.max is not None else (spec.min or 0) + 1
    return "Réponse de test"


def complete_answers(instrument: Instrument) -> dict[str, Any]:
    """Best answers to every question that is visible once earlier answers are given."""
    answers: dict[str, Any] = {}
    for question in instrument.questions:
        if question.code not in hidden_questions(instrument, answers):
            answers[question.code] = best_answer(question)
    return answers


def _pick(items: list[Any], fraction: float) -> Any:
    return items[round(fraction * (len(items) - 1))]


def scaled_answer(question: Question, fraction: float) -> Any:
    """A valid answer about `fraction` of the way from the worst (0) to the best (1)."""
    if question.type in ("single_choice", "yes_no", "multiple_choice"):
        ordered = sorted(question.options, key=lambda o: (o.score or 0.0, o.code))
        code = _pick(ordered, fraction).code
        return [code] if question.type == "multiple_choice" else code
    if question.type == "scale":
        return question.scale.min + round(fraction * (question.scale.max - question.scale.min))
    if question.type == "matrix":
        low, high = question.scale.min, question.scale.max
        return {row.code: low + round(fraction * (high - low)) for row in question.rows}
    if question.type == "number":
        spec = question.number
        if spec.bands:
            return _pick([band.start for band in spec.bands], fraction)
        low = spec.min or 0
        high = spec.max if spec.max is not None else low + 20
        return round(low + fraction * (high - low))
    return "Réponse de test"


def scaled_answers(instrument: Instrument, fraction: float) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in instrument.questions:
        if question.code not in hidden_questions(instrument, answers):
            answers[question.code] = scaled_answer(question, fraction)
    return answers


def answers_store(diagnostic: Diagnostic, answers: dict[str, Any], user: User | None) -> None:
    """Write answers directly (revision 1), bypassing the service, to arrange a test quickly."""
    DiagnosticAnswer.objects.bulk_create(
        DiagnosticAnswer(diagnostic=diagnostic, question_code=code, value=value, updated_by=user)
        for code, value in answers.items()
    )


class DiagnosticFactory(DjangoModelFactory):
    """A draft diagnostic of `municipality` on `instrument_version`, without answers."""

    class Meta:
        model = Diagnostic

    year = 2026
    is_demo = False


def submitted(
    municipality: Municipality,
    instrument_version,
    fraction: float,
    *,
    year: int = 2026,
    targets: dict[str, int] | None = None,
    horizon_year: int | None = None,
    is_demo: bool = False,
    answers: dict[str, Any] | None = None,
) -> Diagnostic:
    """A diagnostic answered at `fraction`, submitted through the service on 1 March of `year`."""
    diagnostic = DiagnosticFactory(
        municipality=municipality, instrument_version=instrument_version, year=year, is_demo=is_demo
    )
    instrument = instrument_version.instrument
    answers_store(diagnostic, answers or scaled_answers(instrument, fraction), None)
    if targets is not None:
        targets_set(diagnostic=diagnostic, targets=targets, horizon_year=horizon_year)
    when = timezone.make_aware(dt.datetime(year, 3, 1, 10, 0))
    return diagnostic_submit(diagnostic=diagnostic, user=None, when=when)


def province_peers(municipality: Municipality, count: int) -> list[Municipality]:
    """The first `count` other communes of the same province, by code."""
    return list(
        Municipality.objects.filter(province_id=municipality.province_id)
        .exclude(pk=municipality.pk)
        .order_by("refnis")[:count]
    )


# --- barometer -----------------------------------------------------------------------------------


class WaveFactory(DjangoModelFactory):
    """A survey wave in draft of the Walloon Region on the barometer questionnaire `version`."""

    class Meta:
        model = Wave
        exclude = ("version",)

    version = "2023"
    year = 2023
    title_fr = factory.LazyAttribute(lambda wave: f"Baromètre {wave.year}")
    title_en = factory.LazyAttribute(lambda wave: f"Barometer {wave.year}")
    instrument_version = factory.LazyAttribute(
        lambda wave: instrument_version_load(
            path=ROOT / f"instruments/smartregion-barometer/{wave.version}.yaml"
        )
    )
    region = factory.LazyFunction(lambda: Region.objects.get(refnis="03000"))
    population_date = dt.date(2025, 1, 1)


def closed_wave(year: int, version: str, share: float, seed: int) -> Wave:
    """A closed wave in which about `share` of the communes submitted plausible answers."""
    wave = WaveFactory(year=year, version=version)
    wave_open(wave=wave, link_for=lambda token: token)
    rng = random.Random(seed)
    instrument = wave.instrument_version.instrument
    for member in WaveMember.objects.filter(wave=wave).order_by("pk"):
        if rng.random() > share:
            continue
        response = Response.objects.create(
            wave=wave, member=member, status="submitted", submitted_at=timezone.now()
        )
        ResponseAnswer.objects.bulk_create(
            ResponseAnswer(response=response, question_code=code, value=value)
            for code, value in random_answers(instrument, rng, rng.random()).items()
        )
    return wave_close(wave=wave)


def load_reference_population() -> None:
    """The shipped Statbel population on 1 January 2020, through the real importer (~0.2 s)."""
    population_import(
        str(POPULATION_FILE),
        year=POPULATION_YEAR,
        source=POPULATION_SOURCE,
        show_progress=False,
    )


# --- knowledge -----------------------------------------------------------------------------------


class ResourceFactory(DjangoModelFactory):
    """A published French guide (1 March 2026, 10:00) at version 1; no revision is written: tests
    of the workflow call the services (`create_resource`, `save_resource`, `transition`)."""

    class Meta:
        model = "knowledge.Resource"

    kind = "guide"
    slug = factory.Sequence(lambda n: f"guide-{n}")
    title_fr = factory.Sequence(lambda n: f"Guide numéro {n}")
    summary_fr = "Un guide pour les communes."
    body_fr = "## Pourquoi\n\nUn texte *court*."
    state = "published"
    published_at = factory.Maybe(
        factory.LazyAttribute(lambda resource: resource.state in ("published", "needs_review")),
        yes_declaration=factory.LazyFunction(lambda: timezone.make_aware(PUBLISHED_AT)),
        no_declaration=None,
    )
    first_published_at = factory.SelfAttribute("published_at")
