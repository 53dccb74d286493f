"""Every page of the site fits the screen at 390, 768 and 1,366 px, signed out and signed in.

The pages come from the URL configuration itself: every named route is either visited here or
listed in NOT_PAGES with the reason (files, feeds, JSON, POST-only actions, Django's admin). A
route without parameters that neither list names is visited anyway (as a visitor and as staff),
so a new simple page is measured as soon as it exists; a new route with parameters makes
`test_every_route_is_visited_or_said_not_to_be_a_page` fail until it is listed.

One browser, one page per role (visitor, commune member, commune manager, centre staff): each
URL is loaded once per role and measured at the three widths by resizing the window. At 390 px
the header's menu is opened too, and measured open. The data is demo-like: the demo's
generator for a catalogue of projects, factories and services for the rest, plus one project
written to stress a layout (a long address, a long word, many indicators).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from playwright.sync_api import Browser, Page

from smartregion.accounts.models import Membership, User
from smartregion.accounts.services import (
    DEMO_MEMBER_EMAIL,
    demo_accounts_create,
    invitation_create,
)
from smartregion.barometer.services import wave_open
from smartregion.diagnostic.services import diagnostic_start
from smartregion.instruments.services import instrument_version_load
from smartregion.knowledge.journey import KEY_DOMAINS
from smartregion.knowledge.models import GlossaryTerm, Kind, MethodPhase, Resource, StepProgress
from smartregion.knowledge.services import create_resource, save_resource, transition
from smartregion.observatory.services import edition_publish
from smartregion.projects.demo import projects_demo_create
from smartregion.projects.models import Project
from smartregion.projects.services import (
    ProjectInput,
    project_create,
    project_publish,
    project_submit,
    project_update,
)
from smartregion.territory.models import Municipality
from tests.factories import MATURITY_INSTRUMENT, WaveFactory, closed_wave, submitted

from .browser import NAMUR, SCREENS, axe_violations

pytestmark = pytest.mark.e2e

WIDTHS = (390, 768, 1366)
PHONE_WIDTH = WIDTHS[0]
HEIGHT = 900
ANON, MEMBER, MANAGER, STAFF = "visitor", "member", "manager", "staff"
ROLES = (ANON, MEMBER, MANAGER, STAFF)
EMAILS = {
    MEMBER: DEMO_MEMBER_EMAIL,
    MANAGER: "manager.namur@demo.smartregion.example",
    STAFF: "admin@demo.smartregion.example",  # the demo's centre admin: staff, every permission
}
MATRIX_SECTION = "data_technologies"  # the maturity section with a matrix question
BAROMETER_MATRIX_SECTION = "themes"
LONG_ADDRESS = (
    "https://www.namur.example/services/smart-city/projets/capteurs-de-qualite-de-l-air"
    "/documentation-technique-complete-et-donnees-ouvertes?edition=2026&format=complet"
)
LONG_WORD = "Interopérabilitéplateformegéographiquesupracommunaledesdonnéesouvertes"
QUIET_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

# Named routes that are not pages a person reads, by name or by namespace ("admin:"), and why.
NOT_PAGES = {
    "admin:": "Django's admin, with its own responsive style",
    "api-v1:": "JSON answers of the API (its documentation page is visited)",
    "healthz": "the health check, plain text",
    "set_language": "POST only: the language switcher",
    "prepared:": "the status (JSON) and retry (POST) of a file being prepared",
    "opendata:": "the DCAT catalogue files",
    "projects_data:": "open-data files",
    "knowledge_data:": "open-data files (SKOS glossary, resources)",
    "observatory_data:": "an edition's files",
    "observatory:chart": "SVG files",
    "observatory:chart-revision": "SVG files",
    "observatory:spec": "Vega-Lite specifications (JSON)",
    "observatory:spec-revision": "Vega-Lite specifications (JSON)",
    "observatory:report": "a PDF",
    "observatory:report-revision": "a PDF",
    "observatory:wave-publish": "POST only",
    "observatory:edition-build": "the waiting page of a build (core/prepared.html: test_prepared)",
    "observatory:edition-build-status": "JSON",
    "observatory:edition-build-retry": "POST only",
    "barometer:non-respondents": "a CSV file",
    "barometer:wave-links-csv": "a CSV file",
    "barometer:answer": "a redirect to the commune's questionnaire (barometer:respond)",
    "barometer:wave-action": "POST only",
    "barometer:respond-answer": "the questionnaire's autosave (POST, JSON)",
    "diagnostic:answer": "the questionnaire's autosave (POST, JSON)",
    "diagnostic:start": "POST only",
    "diagnostic:invite": "POST only",
    "diagnostic:publish": "POST only",
    "diagnostic:pdf": "a PDF",
    "diagnostic:export": "CSV and XLSX files",
    "projects:feed": "an Atom feed",
    "projects:showcase_feed": "an Atom feed",
    "projects:showcase_pdf": "a PDF",
    "projects:file": "an uploaded file",
    "projects:submit": "POST only",
    "projects:image_add": "POST only",
    "projects:document_add": "POST only",
    "projects:file_remove": "POST only",
    "tokens:revoke": "POST only",
    "knowledge:feed": "an Atom feed",
    "knowledge:resource-file": "an uploaded file",
    "knowledge:resource-pdf": "a PDF",
    "knowledge:resource-transition": "POST only",
    "knowledge:resource-upload": "POST only",
    "knowledge:translation-confirm": "POST only",
    "account_confirm_email": "needs a key that only an email carries",
    "account_reset_password_from_key": "needs a key that only an email carries",
    "knowledge:journey-evidence": "an uploaded file",
    "knowledge:case-study-replicate": "POST only",
    **{f"knowledge:{key}": "a redirect to a recommendation's resource" for key in KEY_DOMAINS},
    None: "an unnamed route (static and media files in DEBUG)",
}


@dataclass
class Site:
    """What the pages need: the objects their URLs name."""

    project: Project
    actor_slug: str
    showcase_slug: str
    draft_pk: int
    submitted_pk: int
    wave_pk: int
    respondent_token: str
    edition_slug: str
    invitation_token: str
    resource_slug: str = "guide-e2e"
    term_slug: str = ""
    case_study_slug: str = ""


@dataclass(frozen=True)
class PageSpec:
    roles: tuple[str, ...]
    kwargs: Callable[[Site], dict[str, Any]] = lambda site: {}
    query: str = ""


def _slug(site: Site) -> dict[str, Any]:
    return {"slug": site.project.slug}


def _resource(site: Site) -> dict[str, Any]:
    return {"slug": site.resource_slug}


# Every page with its URL's parameters and the roles that see it (a page shows what that role
# may see: a visitor is sent to the sign-in page where a page is private).
PAGES: dict[str, PageSpec] = {
    "site:home": PageSpec(ROLES),
    "site:accessibility": PageSpec((ANON,)),
    "site:legal": PageSpec((ANON,)),
    "site:privacy": PageSpec((ANON,)),
    "site:contact": PageSpec((ANON,)),
    # A query that finds a project, communes and (on the demo) resources: the results layout.
    "site:search": PageSpec((ANON, STAFF), query="?q=Namur"),
    "territory:list": PageSpec((ANON,)),
    "territory:map": PageSpec((ANON,)),
    "territory:detail": PageSpec((ANON, MEMBER), lambda site: {"refnis": NAMUR}),
    "projects:catalogue": PageSpec((ANON,)),
    "projects:map": PageSpec((ANON,)),
    "projects:actors": PageSpec((ANON,)),
    "projects:actor": PageSpec((ANON,), lambda site: {"slug": site.actor_slug}),
    "projects:actor_create": PageSpec((MEMBER,)),
    "projects:showcase": PageSpec((ANON,)),
    "projects:showcase_detail": PageSpec((ANON,), lambda site: {"slug": site.showcase_slug}),
    "projects:detail": PageSpec((ANON, MEMBER), _slug),
    "projects:create": PageSpec((MEMBER,)),
    "projects:mine": PageSpec((MEMBER, STAFF)),
    "projects:queue": PageSpec((STAFF,)),
    "projects:edit": PageSpec((MEMBER,), _slug),
    "projects:review": PageSpec((STAFF,), _slug),
    "projects:history": PageSpec((MEMBER,), _slug),
    "projects:compare": PageSpec((MEMBER,), _slug, "?older=1&newer=2"),
    "diagnostic:space": PageSpec((MEMBER, MANAGER, STAFF)),
    "diagnostic:commune": PageSpec((MANAGER, STAFF), lambda site: {"refnis": NAMUR}),
    "diagnostic:overview": PageSpec((STAFF,)),
    "diagnostic:fill": PageSpec((MANAGER,), lambda site: {"pk": site.draft_pk}),
    "diagnostic:section": PageSpec(
        (MANAGER,), lambda site: {"pk": site.draft_pk, "section": MATRIX_SECTION}
    ),
    "diagnostic:targets": PageSpec((MANAGER,), lambda site: {"pk": site.draft_pk}),
    "diagnostic:submit": PageSpec((MANAGER,), lambda site: {"pk": site.draft_pk}),
    "diagnostic:results": PageSpec((MANAGER, STAFF), lambda site: {"pk": site.submitted_pk}),
    "barometer:waves": PageSpec((STAFF,)),
    "barometer:wave-create": PageSpec((STAFF,)),
    "barometer:wave": PageSpec((STAFF,), lambda site: {"pk": site.wave_pk}),
    "barometer:wave-links": PageSpec((STAFF,), lambda site: {"pk": site.wave_pk}),
    "barometer:contacts-edit": PageSpec((MANAGER, STAFF), lambda site: {"refnis": NAMUR}),
    "barometer:respond": PageSpec((ANON,), lambda site: {"token": site.respondent_token}),
    "barometer:respond-section": PageSpec(
        (ANON,), lambda site: {"token": site.respondent_token, "section": BAROMETER_MATRIX_SECTION}
    ),
    "barometer:respond-submit": PageSpec((ANON,), lambda site: {"token": site.respondent_token}),
    "observatory:index": PageSpec((ANON,)),
    "observatory:edition": PageSpec((ANON,), lambda site: {"slug": site.edition_slug}),
    "observatory:edition-revision": PageSpec(
        (ANON,), lambda site: {"slug": site.edition_slug, "revision": 1}
    ),
    "observatory:question": PageSpec(
        (ANON,), lambda site: {"slug": site.edition_slug, "code": "projects_stage"}
    ),
    "observatory:question-revision": PageSpec(
        (ANON,), lambda site: {"slug": site.edition_slug, "revision": 1, "code": "strategy_formal"}
    ),
    "observatory:methodology": PageSpec((ANON,), lambda site: {"slug": site.edition_slug}),
    "observatory:methodology-revision": PageSpec(
        (ANON,), lambda site: {"slug": site.edition_slug, "revision": 1}
    ),
    "observatory:weighting": PageSpec((ANON,), lambda site: {"slug": site.edition_slug}),
    "observatory:weighting-revision": PageSpec(
        (ANON,), lambda site: {"slug": site.edition_slug, "revision": 1}
    ),
    "accounts:invitation": PageSpec((ANON,), lambda site: {"token": site.invitation_token}),
    "tokens:list": PageSpec((MEMBER,)),
    "api-v1:openapi-view": PageSpec((ANON,)),
    "knowledge:resources": PageSpec((ANON,)),
    "knowledge:resource": PageSpec((ANON, STAFF), _resource),
    "knowledge:resource-create": PageSpec((STAFF,)),
    "knowledge:translations": PageSpec((STAFF,)),
    "knowledge:review": PageSpec((STAFF,)),
    "knowledge:resource-edit": PageSpec((STAFF,), _resource),
    "knowledge:resource-history": PageSpec((STAFF,), _resource),
    "knowledge:resource-compare": PageSpec((STAFF,), _resource, "?older=1&newer=2"),
    "knowledge:method": PageSpec((ANON, MEMBER)),
    "knowledge:journey": PageSpec((MEMBER, MANAGER, STAFF), lambda site: {"refnis": NAMUR}),
    "knowledge:case-study": PageSpec((ANON, MEMBER), lambda site: {"slug": site.case_study_slug}),
    "knowledge:case-study-create": PageSpec((STAFF,), lambda site: {"project": site.project.slug}),
    "account_login": PageSpec((ANON,)),
    "account_signup": PageSpec((ANON,)),
    "account_reset_password": PageSpec((ANON,)),
    "account_reset_password_done": PageSpec((ANON,)),
    "account_email": PageSpec((MEMBER,)),
    "account_change_password": PageSpec((MEMBER,)),
    "account_logout": PageSpec((MEMBER,)),
    "knowledge:term": PageSpec((ANON,), lambda site: {"slug": site.term_slug}),
}
# Pages whose axe-core check stands for the others (one of each kind of layout), at 390 px;
# their screenshots land in /tmp/screens/ for a human look.
AXE_PAGES = (
    ("site:home", STAFF),
    ("site:privacy", ANON),
    ("site:accessibility", ANON),
    ("site:contact", ANON),
    ("site:search", ANON),
    ("territory:detail", ANON),
    ("projects:detail", ANON),
    ("projects:mine", MEMBER),
    ("diagnostic:section", MANAGER),
    ("diagnostic:results", MANAGER),
    ("barometer:wave", STAFF),
    ("barometer:respond-section", ANON),
    ("observatory:question", ANON),
    ("observatory:methodology", ANON),
    ("observatory:weighting", ANON),
    ("knowledge:resources", ANON),
    ("knowledge:resource", ANON),
    ("knowledge:resource-edit", STAFF),
    ("knowledge:glossary", ANON),
    ("knowledge:term", ANON),
    ("knowledge:method", ANON),
    ("knowledge:journey", MANAGER),
    ("knowledge:case-study", MEMBER),
)


# ---------------------------------------------------------------------------------------------
# The routes
# ---------------------------------------------------------------------------------------------


def _routes(patterns: list, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    """(name with its namespace, route) of every route; unnamed ones under the name ""."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = ":".join(part for part in (namespace, inner) if part)
            yield from _routes(pattern.url_patterns, full, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name or "", prefix + str(pattern.pattern)


def _route_table() -> dict[str, bool]:
    """{name: whether its route takes parameters} for every named route of the URL conf."""
    table: dict[str, bool] = {}
    for name, route in _routes(get_resolver().url_patterns):
        table[name] = table.get(name, False) or "<" in route or "(?P" in route
    return table


def _not_a_page(name: str) -> bool:
    if not name:
        return True
    return name in NOT_PAGES or any(
        key and key.endswith(":") and name.startswith(key) for key in NOT_PAGES
    )


def _pages_to_visit() -> dict[str, PageSpec]:
    """The listed pages, and every other route without parameters (as a visitor and as staff)."""
    pages = dict(PAGES)
    for name, has_parameters in _route_table().items():
        if name not in pages and not _not_a_page(name) and not has_parameters:
            pages[name] = PageSpec((ANON, STAFF))
    return pages


def test_every_route_is_visited_or_said_not_to_be_a_page():
    table = _route_table()

    unlisted = sorted(
        name
        for name, has_parameters in table.items()
        if has_parameters and name not in PAGES and not _not_a_page(name)
    )
    stale = sorted(name for name in PAGES if name not in table)

    assert (unlisted, stale) == ([], []), (
        "add each new route to PAGES (with its parameters) or to NOT_PAGES (with why) in "
        "tests/e2e/test_layout.py; remove the routes that no longer exist"
    )


# ---------------------------------------------------------------------------------------------
# Arrange: demo-like data
# ---------------------------------------------------------------------------------------------


def _stress_project(namur: Municipality, member: User, staff: User) -> Project:
    """A Namur project with what breaks layouts: a long address, a long word, wide tables."""
    data = ProjectInput(
        title_fr=f"Capteurs de qualité de l'air et {LONG_WORD}",
        summary_fr=f"Un réseau de capteurs publie ses mesures en données ouvertes : {LONG_ADDRESS}",
        description_fr=(
            f"<p>La documentation complète est en ligne : {LONG_ADDRESS}</p>"
            f"<p>{LONG_WORD} — et encore {LONG_WORD}.</p>"
        ),
        status=Project.Status.IN_PROGRESS,
        themes=["environment", "people", "governance", "mobility"],
        goals=[3, 9, 11, 13, 17],
        municipality_ids=[namur.pk],
        website=LONG_ADDRESS,
        contact_name="Service Smart City",
        contact_email="smartcity.qualite-de-l-air.documentation@namur.example",
        budget_eur=Decimal("1250000"),
        start_date=dt.date(2025, 3, 1),
        fundings=[
            {
                "source": "regional_call",
                "label": "Appel Territoire intelligent",
                "amount_eur": Decimal("750000"),
            },
            {"source": "eu", "label": f"FEDER {LONG_WORD}", "amount_eur": Decimal("500000")},
        ],
        indicators=[
            {
                "name_fr": f"Nombre de capteurs installés et publiés ({LONG_WORD})",
                "unit": "capteurs par kilomètre de voirie",
                "baseline": Decimal("0"),
                "target": Decimal("125.5"),
                "achieved": Decimal("48.25"),
                "measured_on": dt.date(2026, 10, 1),
            },
        ],
        locations=[
            {"latitude": Decimal("50.4669"), "longitude": Decimal("4.8675"), "label": "Gare"}
        ],
        showcase=True,
        title_en="Air-quality sensors",
        summary_en="A network of sensors publishes its measurements as open data.",
        description_en=f"<p>The full documentation is online: {LONG_ADDRESS}</p>",
    )
    project = project_create(user=member, owner_municipality=namur, data=data)
    data.summary_fr += " Mise à jour."
    project = project_update(project=project, user=member, data=data, expected_version=1)
    project_submit(project=project, user=member, notify=False)
    return project_publish(project=Project.objects.get(pk=project.pk), user=staff, notify=False)


def _knowledge(namur: Municipality, project: Project, manager: User) -> str:
    """Method steps with checklists, the commune's progress on one, a case study of `project`."""
    steps = [
        Resource.objects.create(
            kind=Kind.METHOD_STEP,
            slug=f"step-{phase}-{order}",
            title_fr=f"Étape {order} de la phase {phase}",
            title_en=f"Step {order} of phase {phase}",
            checklist_fr="Une décision du collège\nUn budget\nUne équipe",
            checklist_en="A decision of the executive\nA budget\nA team",
            method_phase=phase,
            method_order=order,
            state=Resource.State.PUBLISHED,
        )
        for phase in MethodPhase.values
        for order in (1, 2)
    ]
    StepProgress.objects.create(
        municipality=namur,
        step=steps[0],
        status=StepProgress.Status.DONE,
        date=dt.date(2026, 10, 1),
        note=LONG_WORD,
        checked=[0, 2],
        updated_by=manager,
    )
    case = Resource.objects.create(
        kind=Kind.CASE_STUDY,
        slug="case-stress",
        title_fr=project.title_fr,
        body_fr="## Analyse\n\nCe que le projet enseigne.",
        project=project,
        state=Resource.State.PUBLISHED,
    )
    return case.slug


def _barometer(namur: Municipality) -> tuple[int, str, str]:
    """An open wave (Namur's respondent link) and a published edition of a closed one."""
    wave = WaveFactory(
        year=2026,
        version="2025",
        title_fr="Baromètre des communes 2026",
        title_en="Barometer of the communes 2026",
    )
    tokens = wave_open(wave=wave, link_for=lambda token: token)
    edition = edition_publish(wave=closed_wave(2025, "2025", 0.4, seed=3), user=None)
    return wave.pk, tokens.tokens[namur.pk], edition.slug


def _knowledge_resource(staff: User, project: Project) -> None:
    """A published guide at revision 3 whose text stresses a layout (long word, table, code)."""
    body = (
        f"## {LONG_WORD}\n\nVoir {LONG_ADDRESS} et [le projet]({LONG_ADDRESS}).\n\n"
        "| Étape | Qui | Quand |\n|---|---|---|\n| Diagnostic | Équipe | 2026 |\n\n"
        f"```\n{LONG_WORD}{LONG_WORD}\n```\n"
    )
    resource = create_resource(
        Resource(
            kind="guide", slug="guide-e2e", title_fr=f"Guide {LONG_WORD}", body_fr=body,
            summary_fr="Un guide de test.", themes=["data"], domains=["data"], owner=staff,
        ),
        user=staff,
    )  # fmt: skip
    resource.body_fr += "\nEncore une ligne."
    save_resource(resource, user=staff, comment="Ajout")
    transition(resource, Resource.State.PUBLISHED, user=staff)
    resource.related_projects.add(project)


def _glossary() -> str:
    """A few terms, one with a long word, related, with sources and a EuroVoc match."""
    terms = [
        GlossaryTerm.objects.create(
            slug="donnees-ouvertes",
            label_fr="Données ouvertes",
            label_en="Open data",
            label_de="Offene Daten",
            definition_fr="Des données que chacun peut réutiliser, sous une licence ouverte.",
            synonyms_fr="open data",
            sources="https://opendefinition.org/",
            eurovoc="http://eurovoc.europa.eu/6030",
        ),
        GlossaryTerm.objects.create(
            slug="interoperabilite",
            label_fr=LONG_WORD,
            definition_fr="La capacité de systèmes à échanger des données ouvertes.",
        ),
        GlossaryTerm.objects.create(
            slug="ecologie", label_fr="Écologie", definition_fr="Science des milieux."
        ),
    ]
    terms[0].related.add(terms[1])
    return terms[0].slug


@pytest.fixture
def site(territory, settings) -> Site:
    settings.TASKS = QUIET_TASKS  # no email or file build runs while arranging
    demo_accounts_create()
    projects_demo_create(count=15, today=dt.date(2026, 11, 26))
    namur = Municipality.objects.get(refnis=NAMUR)
    member, manager, staff = (
        User.objects.get(email=EMAILS[role]) for role in (MEMBER, MANAGER, STAFF)
    )
    project = _stress_project(namur, member, staff)
    maturity = instrument_version_load(path=MATURITY_INSTRUMENT)
    done = submitted(namur, maturity, 0.6, year=2025)
    draft = diagnostic_start(municipality=namur, user=manager, year=2026)
    wave_pk, token, edition_slug = _barometer(namur)
    _, invitation = invitation_create(
        municipality=namur,
        email="new.colleague@namur.example",
        role=Membership.Role.MEMBER,
        invited_by=manager,
        accept_url="TOKEN",
    )
    _knowledge_resource(staff, project)
    published = Project.objects.filter(state=Project.State.PUBLISHED).order_by("slug")
    showcase = published.filter(showcase=True).exclude(pk=project.pk).first()
    led = published.filter(lead__isnull=False).select_related("lead").first()
    return Site(
        project=project,
        actor_slug=led.lead.slug,
        showcase_slug=showcase.slug,
        draft_pk=draft.pk,
        submitted_pk=done.pk,
        wave_pk=wave_pk,
        respondent_token=token,
        edition_slug=edition_slug,
        invitation_token=invitation,
        term_slug=_glossary(),
        case_study_slug=_knowledge(namur, project, manager),
    )


@pytest.fixture
def pages(browser: Browser, live_server, site: Site) -> Iterator[dict[str, Page]]:
    """One page per role, in French; signed in by the session cookie of a test client."""
    opened = {}
    for role in ROLES:
        context = browser.new_context(viewport={"width": WIDTHS[-1], "height": HEIGHT})
        context.set_default_timeout(15_000)
        if role != ANON:
            client = Client()
            client.force_login(User.objects.get(email=EMAILS[role]))
            cookie = client.cookies["sessionid"]
            context.add_cookies(
                [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
            )
        opened[role] = context.new_page()
    yield opened
    for page in opened.values():
        page.context.close()


def _url(name: str, spec: PageSpec, site: Site) -> str:
    with translation.override("fr"):
        return reverse(name, kwargs=spec.kwargs(site)) + spec.query


# ---------------------------------------------------------------------------------------------
# Measure
# ---------------------------------------------------------------------------------------------

# What sticks out: the outermost elements past the right edge that no scrolling region clips.
_OFFENDERS = """() => {
  const width = window.innerWidth;
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const past = (element) => element.getBoundingClientRect().right > width + 0.5;
  return [...document.body.querySelectorAll("*")]
    .filter((element) => past(element) && !clipped(element) && !past(element.parentElement))
    .slice(0, 3)
    .map((element) => element.tagName.toLowerCase()
      + (element.id ? "#" + element.id : "")
      + (element.className && typeof element.className === "string"
         ? "." + element.className.trim().split(/\\s+/).join(".") : "")
      + " (right edge " + Math.round(element.getBoundingClientRect().right) + " px)");
}"""
_WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"


def _too_wide(page: Page, label: str) -> list[str]:
    scroll_width, inner_width = page.evaluate(_WIDTH)
    if scroll_width <= inner_width:
        return []
    return [
        f"{label}: {scroll_width} px wide on a {inner_width} px screen; {page.evaluate(_OFFENDERS)}"
    ]


def _measure(page: Page, label: str) -> list[str]:
    """The page at each width, and at phone width with the header's menu open."""
    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        failures += _too_wide(page, f"{label} at {width} px")
        toggle = page.locator(".menu-toggle")
        if width == PHONE_WIDTH and toggle.is_visible():
            toggle.click()
            failures += _too_wide(page, f"{label} at {width} px, menu open")
            toggle.click()
    return failures


def _axe(page: Page, name: str, role: str) -> list[str]:
    """axe-core's violations at phone width, and a screenshot for a human look."""
    page.set_viewport_size({"width": PHONE_WIDTH, "height": HEIGHT})
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENS / f"layout-{name.replace(':', '-')}-{role}-390.png")
    return axe_violations(page)


def test_every_page_fits_every_width_and_representative_ones_pass_axe(
    pages: dict[str, Page], live_server, site: Site
):
    """One test for both: arranging the data takes longer than all the measuring."""
    too_wide, violations, visited = [], [], 0
    for name, spec in _pages_to_visit().items():
        url = _url(name, spec, site)
        for role in spec.roles:
            page = pages[role]
            response = page.goto(live_server.url + url, wait_until="domcontentloaded")
            label = f"{url} ({name}) as {role}"
            if name in PAGES and (response is None or response.status >= 400):
                too_wide.append(f"{label}: HTTP {response.status if response else '?'}")
                continue
            too_wide += _measure(page, label)
            visited += 1
            if (name, role) in AXE_PAGES:
                violations += _axe(page, name, role)
    page = pages[MEMBER]
    page.set_viewport_size({"width": PHONE_WIDTH, "height": HEIGHT})
    page.goto(live_server.url + "/fr/")
    page.locator(".menu-toggle").click()
    violations += axe_violations(page)  # the header's menu, open

    assert too_wide == [], f"{len(too_wide)} too wide ({visited} pages visited):\n" + "\n".join(
        too_wide
    )
    assert violations == [], "axe-core violations:\n" + "\n".join(violations)
    assert visited >= len(PAGES)


@pytest.fixture
def member_page(browser: Browser, live_server, territory) -> Iterator[Page]:
    """Namur's member, signed in, on a phone."""
    demo_accounts_create()
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": HEIGHT})
    client = Client()
    client.force_login(User.objects.get(email=EMAILS[MEMBER]))
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    context.add_cookies([{**cookie, "url": live_server.url}])
    yield context.new_page()
    context.close()


def test_the_menu_button_opens_and_closes_the_menu_and_escape_closes_it(
    member_page: Page, live_server
):
    page = member_page
    page.goto(live_server.url + "/en/")
    toggle = page.get_by_role("button", name="Menu")
    navigation = page.get_by_role("navigation", name="Main navigation")
    states = [(toggle.get_attribute("aria-expanded"), navigation.is_visible())]

    toggle.click()
    states.append((toggle.get_attribute("aria-expanded"), navigation.is_visible()))
    navigation.get_by_role("link", name="Projects").focus()
    page.keyboard.press("Escape")
    states.append((toggle.get_attribute("aria-expanded"), navigation.is_visible()))
    focused = page.evaluate("document.activeElement.className")
    page.set_viewport_size({"width": WIDTHS[-1], "height": HEIGHT})
    on_desktop = (toggle.is_visible(), navigation.is_visible())

    assert states == [("false", False), ("true", True), ("false", False)]
    assert (focused, on_desktop) == ("menu-toggle", (False, True))


def test_without_javascript_the_menu_is_open_and_the_button_hidden(
    browser: Browser, live_server, territory
):
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": HEIGHT}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + "/en/")

    seen = (
        page.get_by_role("navigation", name="Main navigation").is_visible(),
        page.locator(".menu-toggle").is_visible(),
        _too_wide(page, "home without JS"),
    )
    context.close()

    assert seen == (True, False, [])
