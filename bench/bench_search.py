"""Quality of project search: precision at 10 over two sets of queries.

1. The test corpus (tests/projects/data/search_corpus.json): a fixed set of projects and of
   queries with the projects a visitor expects on top (`expected`, in order). Precision at 10 of a
   query = expected projects in the first 10 results / min(10, number expected).
2. The demo catalogue (the `smartregion demo` territory and projects, dates pinned): queries
   judged by rules instead of by hand, so they hold whatever the demo draws:
   - theme names in every site language, with and without accents, singular and plural: the
     relevant projects are those having the theme;
   - commune names and exonyms: the projects located in the commune;
   - topics: the projects made from one demo template (recognised by their French title).
   Precision at 10 = relevant projects in the first 10 / min(10, number relevant).

Builds a throw-away SQLite database (or uses the PostgreSQL database given with
--database-url, whose data are replaced), then prints each query's figure and the means.

Usage: .venv/bin/python bench/bench_search.py [--database-url postgres://…] [--quiet]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "projects" / "data" / "search_corpus.json"
TODAY = dt.date(2026, 6, 1)

# (query, theme code)
THEME_QUERIES = [
    ("mobilité", "mobility"),
    ("mobilite", "mobility"),
    ("Mobilités", "mobility"),
    ("mobility", "mobility"),
    ("Mobilität", "mobility"),
    ("mobiliteit", "mobility"),
    ("environnement", "environment"),
    ("Umwelt", "environment"),
    ("milieu", "environment"),
    ("gouvernance", "governance"),
    ("bestuur", "governance"),
    ("données", "data"),
    ("donnees", "data"),
    ("Daten", "data"),
    ("participation citoyenne", "participation"),
    ("Bürgerbeteiligung", "participation"),
    ("burgerparticipatie", "participation"),
    ("inclusion numérique", "digital_inclusion"),
    ("digital inclusion", "digital_inclusion"),
    ("digitale inclusie", "digital_inclusion"),
    ("économie", "economy"),
    ("Wirtschaft", "economy"),
    ("cadre de vie", "living"),
    ("Lebensqualität", "living"),
    ("innovation", "innovation"),
    ("coopération intercommunale", "cooperation"),
    ("interkommunale Zusammenarbeit", "cooperation"),
]
# (query, REFNIS)
COMMUNE_QUERIES = [
    ("Liège", "62063"),
    ("Liege", "62063"),
    ("Luik", "62063"),
    ("Lüttich", "62063"),
    ("Namur", "92094"),
    ("Namen", "92094"),
    ("Mons", "53053"),
    ("Bergen", "53053"),
    ("Tournai", "57081"),
    ("Doornik", "57081"),
    ("Charleroi", "52011"),
    ("Arlon", "81001"),
    ("Aarlen", "81001"),
    ("Wavre", "25112"),
    ("Waver", "25112"),
]
# (query, French title of the template)
TOPIC_QUERIES = [
    ("éclairage LED", "Éclairage public intelligent LED"),
    ("street lighting", "Éclairage public intelligent LED"),
    ("vélos électriques", "Vélos électriques partagés"),
    ("velo electrique", "Vélos électriques partagés"),
    ("e-bikes", "Vélos électriques partagés"),
    ("qualité de l'air", "Capteurs de qualité de l'air dans les écoles"),
    ("stationnement", "Gestion dynamique du stationnement"),
    ("parking", "Gestion dynamique du stationnement"),
    ("covoiturage", "Covoiturage domicile-travail"),
    ("budget participatif", "Budget participatif"),
    ("données ouvertes", "Portail de données ouvertes"),
    ("open data", "Portail de données ouvertes"),
    ("cybersécurité", "Plan de cybersécurité communal"),
    ("jumeau numérique", "Jumeau numérique du territoire"),
    ("navette", "Navette rurale à la demande"),
    ("coworking", "Espace de coworking rural"),
    ("communauté d'énergie", "Communauté d'énergie renouvelable"),
    ("réseau de chaleur", "Réseau de chaleur biomasse piloté"),
    ("compteurs d'eau", "Télérelève des compteurs d'eau"),
    ("télé-assistance", "Télé-assistance et maintien à domicile des aînés"),
]


def _setup(database_url: str) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SMARTREGION_VAR_DIR": tempfile.mkdtemp(prefix="smartregion-bench-search-"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _precision(found: list[int], relevant: set[int]) -> float | None:
    if not relevant:
        return None  # nothing to find (a commune without demo projects): not counted
    return len(set(found[:10]) & relevant) / min(10, len(relevant))


Row = tuple[str, "float | None", int, int]


def _report(title: str, rows: list[Row], quiet: bool) -> float:
    print(f"\n{title}")
    if not quiet:
        print(f"  {'query':36} {'P@10':>5} {'found':>6} {'relevant':>8}")
        for query, precision, found, relevant in rows:
            shown = "  n/a" if precision is None else f"{precision:5.2f}"
            print(f"  {query:36} {shown} {found:6d} {relevant:8d}")
    counted = [row[1] for row in rows if row[1] is not None]
    mean = sum(counted) / len(counted)
    print(f"  mean precision at 10 over {len(counted)} queries: {mean:.3f}")
    return mean


def _corpus_rows() -> list[Row]:
    from django.db import transaction

    from smartregion.projects.models import Project
    from smartregion.projects.search import project_search
    from smartregion.territory.models import Municipality
    from tests.projects.search_corpus import corpus_create

    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    rows = []
    with transaction.atomic():
        Project.objects.all().delete()
        owner = Municipality.objects.get(refnis="92094")
        ids = corpus_create(corpus, owner=owner)
        for case in corpus["queries"]:
            found = project_search(case["q"])
            relevant = {ids[key] for key in case["expected"]}
            rows.append((case["q"], _precision(found, relevant), len(found), len(relevant)))
        transaction.set_rollback(True)
    return rows


def _demo_rows() -> list[Row]:
    from smartregion.projects.demo import projects_demo_create
    from smartregion.projects.models import Project
    from smartregion.projects.search import project_reindex_all, project_search
    from smartregion.territory import demo as territory_demo

    territory_demo.load(out=lambda _: None, err=lambda _: None)
    Project.objects.all().delete()
    projects_demo_create(today=TODAY)
    project_reindex_all()
    published = list(
        Project.objects.filter(state=Project.State.PUBLISHED).prefetch_related("municipalities")
    )
    print(f"\ndemo catalogue: {len(published)} published projects")
    cases: list[tuple[str, set[int]]] = []
    for query, theme in THEME_QUERIES:
        cases.append((query, {p.pk for p in published if theme in p.themes}))
    for query, refnis in COMMUNE_QUERIES:
        located = {p.pk for p in published if refnis in {m.refnis for m in p.municipalities.all()}}
        cases.append((query, located))
    for query, title in TOPIC_QUERIES:
        cases.append((query, {p.pk for p in published if p.title_fr.startswith(title)}))
    rows = []
    for query, relevant in cases:
        found = project_search(query)
        rows.append((query, _precision(found, relevant), len(found), len(relevant)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--quiet", action="store_true", help="only the means")
    args = parser.parse_args()
    _setup(args.database_url)
    from django.db import connection

    print(f"database: {connection.vendor}")
    demo = _report("demo catalogue (rule-judged queries)", _demo_rows(), args.quiet)
    if CORPUS.exists():
        fixture = _report("test corpus (hand-judged queries)", _corpus_rows(), args.quiet)
        print(f"\nmean precision at 10: demo {demo:.3f}, test corpus {fixture:.3f}")


if __name__ == "__main__":
    main()
