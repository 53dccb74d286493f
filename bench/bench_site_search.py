"""Speed of the site search: 1,000 resources, 10,000 projects and the communes, 200 queries.

Builds a throw-away SQLite database (or uses the PostgreSQL database given with --database-url
or DATABASE_URL, whose data are replaced), fills it with generated but realistic content (French
titles, summaries and bodies from a topic vocabulary, themes, domains, English for a third of the
resources), indexes it, then times each query twice — the search call (`site_search` and
`results_show` for the shown results) and the whole page view (/fr/search/?q=…, through Django's
test client) — after one warm-up round, and prints p50, p95 and max in ms, and the SQL queries
per page. The target is p95 under 50 ms.

Usage: .venv/bin/python bench/bench_site_search.py [--database-url postgres://…] [--resources N]
[--projects N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOPICS = [
    ("éclairage public LED", "street lighting", "Réduire la consommation de l'éclairage public"),
    ("vélos électriques partagés", "shared e-bikes", "Des vélos en libre-service à la gare"),
    ("qualité de l'air", "air quality", "Des capteurs mesurent les particules fines"),
    ("stationnement intelligent", "smart parking", "Guider les automobilistes vers une place"),
    ("covoiturage", "car sharing", "Relier les villages aux zonings par le covoiturage"),
    ("budget participatif", "participatory budget", "Les habitants choisissent des projets"),
    ("données ouvertes", "open data", "Publier les jeux de données de la commune"),
    ("cybersécurité", "cybersecurity", "Protéger les systèmes informatiques communaux"),
    ("jumeau numérique", "digital twin", "Une maquette 3D du territoire pour planifier"),
    ("navette à la demande", "on-demand shuttle", "Une navette rurale réservée par téléphone"),
    ("espace de coworking", "coworking space", "Un tiers-lieu pour les télétravailleurs"),
    ("communauté d'énergie", "energy community", "Partager l'électricité solaire entre voisins"),
    ("réseau de chaleur", "heat network", "Chauffer les bâtiments publics à la biomasse"),
    ("compteurs d'eau", "water meters", "La télérelève détecte les fuites"),
    ("inclusion numérique", "digital inclusion", "Des ateliers pour les aînés"),
    ("marchés publics", "public procurement", "Rédiger un cahier des charges innovant"),
    ("stratégie smart city", "smart city strategy", "Définir une vision et des priorités"),
    ("gestion des déchets", "waste management", "Des conteneurs à puce pour trier"),
    ("guichet électronique", "e-counter", "Les démarches administratives en ligne"),
    ("interopérabilité", "interoperability", "Des standards ouverts entre logiciels"),
]
FILLER = [
    "La commune a mis en place un comité de pilotage avec les services techniques",
    "Le service informatique et les partenaires suivent le calendrier",
    "Le projet est évalué chaque année avec des indicateurs de suivi",
    "Les habitants ont été consultés lors de réunions publiques et d'une enquête en ligne",
    "Le financement combine fonds propres, subsides régionaux et fonds européens",
]
THEMES = ["economy", "people", "governance", "mobility", "environment", "living", "data",
          "participation", "digital_inclusion", "innovation", "cooperation"]  # fmt: skip
DOMAINS = ["gov", "org", "plan", "eval", "data", "innov", "sust"]
KINDS = ["guide", "method_step", "case_study", "tool", "faq"]
EXTRA_QUERIES = [
    "mobilité", "mobilite", "Mobilités", "environnement", "Umwelt", "données", "Daten",
    "participation citoyenne", "gouvernance", "innovation", "Namur", "Liège", "Luik", "Mons",
    "Bergen", "Arlon", "Charleroi", "Tournai", "Bastogne", "92094", "62063", "Hainaut",
    "Luxembourg", "stratégie", "evaluation", "indicateurs", "subsides", "fonds européens",
    "comité de pilotage", "enquête", "habitants", "ateliers", "aînés", "télétravail",
    "biomasse", "fuites", "tri", "puce", "cahier des charges", "vision", "priorités", "3D",
    "particules fines", "gare", "villages", "zonings", "solaire", "voisins", "démarches",
    "standards ouverts", "smart", "city", "commune", "projet", "le", "de la", "velo", "vel",
    "bibli", "zzzz introuvable", "xylophone", "quantique", "blockchain", "drone", "5G",
    "Wavre", "Waver", "Ottignies", "Eupen", "Malmedy", "Huy", "Dinant", "Ciney", "Gembloux",
    "Nivelles", "Mouscron", "Verviers", "Seraing", "Herstal", "La Louvière", "Ath", "Soignies",
    "guide", "outil", "modèle", "étude de cas", "questions fréquentes",
]  # fmt: skip


def _setup(database_url: str) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SMARTREGION_VAR_DIR": tempfile.mkdtemp(prefix="smartregion-bench-site-search-"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "LOG_LEVEL": "WARNING",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.conf import settings
    from django.test.utils import override_settings

    # Pages link to static files: without collectstatic, plain file names (not the manifest's).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()


def _text(rng: random.Random, topic: tuple[str, str, str], sentences: int) -> str:
    return ". ".join([topic[2], *rng.sample(FILLER, min(sentences, len(FILLER)))]) + "."


def _fill(resources: int, projects: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from smartregion.core.search import documents_reindex
    from smartregion.knowledge.models import Resource
    from smartregion.projects.models import Project
    from smartregion.projects.search import project_reindex_all
    from smartregion.territory.models import Municipality
    from smartregion.territory.services import territory_load_reference

    rng = random.Random(2026)
    territory_load_reference()
    communes = list(Municipality.objects.filter(region__refnis="03000").order_by("refnis"))
    communes = communes or list(Municipality.objects.order_by("refnis"))
    start = timezone.make_aware(dt.datetime(2024, 1, 1, 9, 0))
    with transaction.atomic():
        Resource.objects.all().delete()
        Project.objects.all().delete()
        Resource.objects.bulk_create(_resource(rng, number, start) for number in range(resources))
        Project.objects.bulk_create(
            _project(rng, number, start, rng.choice(communes)) for number in range(projects)
        )
        through = Project.municipalities.through
        through.objects.bulk_create(
            through(project_id=project.pk, municipality_id=project.owner_municipality_id)
            for project in Project.objects.only("pk", "owner_municipality_id")
        )
    began = time.perf_counter()
    project_reindex_all()
    documents_reindex()
    print(f"indexing: {time.perf_counter() - began:.1f} s")


def _resource(rng: random.Random, number: int, start: dt.datetime):  # noqa: ANN202
    from smartregion.knowledge.models import Resource

    topic = rng.choice(TOPICS)
    english = number % 3 == 0
    when = start + dt.timedelta(hours=number * 7)
    return Resource(
        slug=f"resource-{number}",
        kind=rng.choice(KINDS),
        title_fr=f"{topic[0].capitalize()} : guide {number}",
        title_en=f"{topic[1].capitalize()}: guide {number}" if english else "",
        summary_fr=topic[2],
        summary_en=topic[2] if english else "",
        body_fr="\n\n".join(_text(rng, topic, 4) for _ in range(6)),
        state=rng.choice(["published"] * 8 + ["needs_review", "archived"]),
        themes=rng.sample(THEMES, 2),
        domains=rng.sample(DOMAINS, rng.randint(1, 2)),
        first_published_at=when,
        published_at=when,
    )


def _project(rng: random.Random, number: int, start: dt.datetime, commune):  # noqa: ANN001, ANN202
    from smartregion.projects.models import Project

    topic = rng.choice(TOPICS)
    when = start + dt.timedelta(minutes=number * 50)
    return Project(
        slug=f"project-{number}",
        title_fr=f"{topic[0].capitalize()} à {commune.name_fr}",
        title_en=f"{topic[1].capitalize()} in {commune.name_fr}" if number % 4 == 0 else "",
        summary_fr=topic[2],
        description_fr="".join(f"<p>{_text(rng, topic, 3)}</p>" for _ in range(3)),
        owner_municipality=commune,
        status=Project.Status.IN_PROGRESS,
        themes=rng.sample(THEMES, 2),
        state=Project.State.PUBLISHED,
        published_at=when,
        first_published_at=when,
    )


def _queries() -> list[str]:
    queries = [topic[0] for topic in TOPICS] + [topic[1] for topic in TOPICS]
    queries += [topic[0].split()[0] for topic in TOPICS]  # one word
    queries += [topic[0][: max(3, len(topic[0]) // 2)] for topic in TOPICS]  # typing a prefix
    queries += [
        f"{topic[0]} {city}" for topic, city in zip(TOPICS, ["Namur", "Liège"] * 10, strict=True)
    ]
    queries += EXTRA_QUERIES
    queries += [
        f"{a[0].split()[0]} {b[0].split()[-1]}" for a, b in zip(TOPICS, TOPICS[3:], strict=False)
    ]
    return queries[:200]


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):6.1f}  p95 {p95:6.1f}  max {ordered[-1]:6.1f} ms"


def _time_call(query: str) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of the search call."""
    from smartregion.core.search import results_show, site_search
    from smartregion.site.search_page import GROUP_SIZE

    began, cpu = time.perf_counter(), time.process_time()
    results = site_search(query)
    shown = [hit for hits in results.groups.values() for hit in hits[:GROUP_SIZE]]
    results_show(shown, results.parsed, language="fr")
    return (time.perf_counter() - began) * 1000, (time.process_time() - cpu) * 1000


def _time_page(client, query: str) -> tuple[float, float, int]:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        began, cpu = time.perf_counter(), time.process_time()
        response = client.get("/fr/search/", {"q": query}, secure=True)
        elapsed = (time.perf_counter() - began) * 1000
        cpu_elapsed = (time.process_time() - cpu) * 1000
    assert response.status_code == 200, (query, response.status_code)
    return elapsed, cpu_elapsed, len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--resources", type=int, default=1_000)
    parser.add_argument("--projects", type=int, default=10_000)
    args = parser.parse_args()
    _setup(args.database_url)
    from django.db import connection
    from django.test import Client

    from smartregion.core.models import SearchDocument
    from smartregion.core.search import site_search

    print(f"database: {connection.vendor}")
    _fill(args.resources, args.projects)
    print(f"indexed documents: {SearchDocument.objects.count()}")
    queries = _queries()
    client = Client()
    for query in queries:  # warm-up: caches, database pages
        _time_call(query)
    calls = [_time_call(query) for query in queries]
    pages = [_time_page(client, query) for query in queries]
    found = [site_search(query).total for query in queries]
    print(f"{len(queries)} queries, results per query: median {statistics.median(found):.0f}, "
          f"max {max(found)}, none for {sum(1 for n in found if n == 0)}")  # fmt: skip
    # Wall-clock time counts waiting for a CPU on a busy machine; CPU time of this process (the
    # database runs in it for SQLite) does not: on a shared machine, read the CPU figures.
    print(f"search call, wall: {_percentiles([wall for wall, _cpu in calls])}")
    print(f"search call, CPU : {_percentiles([cpu for _wall, cpu in calls])}")
    print(f"page view, wall  : {_percentiles([page[0] for page in pages])}")
    print(f"page view, CPU   : {_percentiles([page[1] for page in pages])}")
    print(f"SQL queries per page: {sorted({page[2] for page in pages})} (1 when nothing matches)")
    slowest = sorted(zip([cpu for _w, cpu in calls], queries, found, strict=True), reverse=True)[:5]
    print("slowest calls (CPU): " + ", ".join(f"{q!r} {ms:.1f} ms ({n})" for ms, q, n in slowest))


if __name__ == "__main__":
    main()
