"""Cost of the project catalogue with 10,000 published projects: the selector, then the page.

Builds a throw-away database (SQLite under a temporary directory, or the PostgreSQL database given
with --database-url, whose projects are replaced) with the reference territory and N synthetic
published projects (French titles and text, 1–3 communes, themes, goals, fundings), indexes them
for full-text search, then measures:

(a) `catalogue_page` alone, in this process: p50/p95 over varied search and filtered queries;
(a2) the whole page rendered in this process, one request at a time, each address unique (no
    whole-page cache): with the result-card cache emptied before every request (each card
    fetched and drawn) and with the cards already cached, with the SQL queries each needed;
(b) the real `/fr/projects/` page under gunicorn (2 sync workers): a search mix and a
    filtered-list mix, each
    (1) 20 closed-loop clients (a new request as soon as the last answer arrives) over 50
        addresses, so mostly served from the whole-page cache;
    (2) 20 closed-loop clients with a unique address per request, so every request renders
        the page: a saturation test (the offered load is whatever the server can take);
    (3) 1 client, unique addresses: the cost of one render with nothing else running;
    (4) 20 users with think time: each waits 0.5–1.5 s (uniformly at random) after an answer
        before its next request, unique addresses: how visitors load a site.
    Rendered pages reuse the result cards cached by earlier requests in the same worker: the
    first unique-address row starts with few cards drawn, the row after it repeats the same
    queries (at new addresses) once most are drawn, as in a worker that has served a while;
    (a2) shows the price of cold cards. Every row has addresses of its own, never served from
    the whole-page cache filled by another row.
    The clients run in this process on the same two cores as the server: closed-loop rows
    measure the client's CPU too. Each row prints the load average at its start.

Usage: .venv/bin/python bench/bench_projects.py [--projects 10000] [--clients 20] [--seconds 10]
       [--workers 2] [--users 20] [--think-seconds 20] [--database-url postgres://…]
       [--skip-http]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import _free_port, _wait_for, timed_get  # noqa: E402

ACTIONS = [
    "Déploiement de",
    "Mise en place de",
    "Création de",
    "Rénovation de",
    "Extension de",
    "Plateforme de",
    "Réseau de",
    "Programme de",
    "Expérimentation de",
    "Étude de faisabilité pour",
]
OBJECTS = [
    ("bornes de recharge pour véhicules électriques", ["mobility", "environment"], [7, 11]),
    ("capteurs de qualité de l'air", ["environment", "data"], [3, 11]),
    ("vélos partagés", ["mobility"], [11, 13]),
    ("éclairage public intelligent", ["environment", "living"], [7, 11]),
    ("budget participatif", ["participation", "governance"], [16]),
    ("données ouvertes communales", ["data", "governance"], [9, 16]),
    ("guichet numérique citoyen", ["governance", "digital_inclusion"], [10, 16]),
    ("compostage collectif", ["environment"], [12]),
    ("covoiturage rural", ["mobility", "cooperation"], [11]),
    ("télémédecine pour les aînés", ["people", "living"], [3]),
    ("écoles numériques", ["people", "digital_inclusion"], [4]),
    ("parking intelligent", ["mobility", "data"], [11]),
    ("gestion des déchets", ["environment"], [12]),
    ("communauté d'énergie renouvelable", ["environment", "economy"], [7, 13]),
    ("tiers-lieu d'innovation", ["economy", "innovation"], [8, 9]),
    ("circuits courts alimentaires", ["economy", "environment"], [2, 12]),
    ("inclusion numérique des seniors", ["digital_inclusion", "people"], [4, 10]),
    ("gestion de l'eau et des inondations", ["environment", "data"], [6, 13]),
    ("jumeau numérique du territoire", ["data", "innovation"], [9, 11]),
    ("consultation citoyenne en ligne", ["participation"], [16, 17]),
]
PLACES = [
    "en centre-ville",
    "dans les villages",
    "pour les aînés",
    "avec les écoles",
    "dans les zones d'activité",
    "au service des citoyens",
    "à l'échelle intercommunale",
    "dans les quartiers",
]
SENTENCES = [
    "Le projet associe les services communaux, les citoyens et des partenaires privés.",
    "Une phase pilote a permis de tester la solution avant son extension.",
    "Les données collectées sont publiées en open data sous licence ouverte.",
    "Un comité de suivi se réunit chaque trimestre pour évaluer les résultats.",
    "La commune a répondu à l'appel à projets Territoire intelligent de la Wallonie.",
    "Les habitants ont été consultés lors de réunions publiques et d'ateliers.",
    "Le budget comprend l'achat du matériel, la formation et la maintenance.",
    "Des indicateurs mesurent la fréquentation, les économies et la satisfaction.",
    "La cybersécurité et la protection de la vie privée ont été étudiées dès le départ.",
    "Le projet est reproductible dans d'autres communes rurales ou urbaines.",
]
SEARCHES = [
    "vélo",
    "velos partages",
    "bornes recharge",
    "qualité air",
    "données ouvertes",
    "budget participatif",
    "compost",
    "parking",
    "écoles",
    "seniors numérique",
    "énergie",
    "eau inondations",
    "jumeau",
    "citoyens",
    "télémédecine",
    "covoiturage",
    "éclairage",
    "tiers-lieu",
    "circuits courts",
    "consultation",
    "numéri",
    "bibli",
    "mobilité douce",
    "namur",
    "liège vélo",
]
THEMES = [
    "economy",
    "people",
    "governance",
    "mobility",
    "environment",
    "living",
    "data",
    "participation",
    "digital_inclusion",
    "innovation",
    "cooperation",
]
STATUSES = ["idea", "planned", "in_progress", "completed", "stopped"]
FUNDINGS = ["regional_call", "regional", "federal", "eu", "province", "own", "private", "other"]
PROVINCES = ["20002", "50000", "60000", "80000", "90000"]
SIZES = ["lt5k", "5k-10k", "10k-20k", "20k-50k", "ge50k"]
SORTS = ["newest", "title", "start", ""]


def _setup_django(args: argparse.Namespace) -> dict[str, str]:
    var_dir = tempfile.mkdtemp(prefix="smartregion-bench-projects-")
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "SMARTREGION_VAR_DIR": var_dir,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    os.environ.update(env)
    import django

    django.setup()
    return {**os.environ, **env}


def _create_projects(count: int, seed: int = 5) -> float:
    """Bulk-create `count` published synthetic projects and index them; returns seconds."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from smartregion.accounts.models import Organisation
    from smartregion.core.pagecache import data_version_bump
    from smartregion.projects.models import Indicator, Project, ProjectFunding
    from smartregion.projects.search import project_reindex_all
    from smartregion.territory.models import Municipality

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference", verbosity=0)  # real populations and outlines
    rng = random.Random(seed)
    communes = list(
        Municipality.objects.current().in_region(settings.SMARTREGION["DEFAULT_REGION"])
    )
    started = time.perf_counter()
    with transaction.atomic():
        Project.objects.filter(slug__startswith="bench-").delete()
        Organisation.objects.filter(slug__startswith="bench-").delete()
        leads = Organisation.objects.bulk_create(
            Organisation(name=f"Bench {kind} {number}", slug=f"bench-{kind}-{number}", kind=kind)
            for number in range(20)
            for kind in ("intermunicipal", "company", "research", "association")
        )
        now = timezone.now()
        projects = []
        for number in range(count):
            subject, themes, goals = rng.choice(OBJECTS)
            commune = rng.choice(communes)
            published = now - dt.timedelta(minutes=number * 37)
            start = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(3650))
            title = f"{rng.choice(ACTIONS)} {subject} {rng.choice(PLACES)} à {commune.name_fr}"
            projects.append(
                Project(
                    slug=f"bench-{number}",
                    title_fr=title[:200],
                    summary_fr=" ".join(rng.sample(SENTENCES, 2)),
                    description_fr="".join(f"<p>{s}</p>" for s in rng.sample(SENTENCES, 5)),
                    lessons_fr=rng.choice(SENTENCES),
                    themes=sorted({*themes, *rng.sample(THEMES, rng.randrange(2))}),
                    goals=sorted({*goals, *rng.sample(range(1, 18), rng.randrange(2))}),
                    status=rng.choice(STATUSES),
                    start_date=start if rng.random() < 0.8 else None,
                    budget_eur=Decimal(rng.randrange(5, 2000) * 1000),
                    owner_municipality=commune,
                    lead=rng.choice(leads),
                    state=Project.State.PUBLISHED,
                    published_at=published,
                    first_published_at=published,
                    is_demo=True,
                )
            )
        projects = Project.objects.bulk_create(projects, batch_size=500)
        through = Project.municipalities.through
        links, fundings, indicators = [], [], []
        for project in projects:
            involved = {project.owner_municipality_id}
            involved.update(c.pk for c in rng.sample(communes, rng.choice([0, 0, 0, 1, 2])))
            links.extend(through(project_id=project.pk, municipality_id=m) for m in involved)
            for source in rng.sample(FUNDINGS, rng.choice([1, 1, 2, 3])):
                fundings.append(ProjectFunding(project=project, source=source))
            indicators.append(Indicator(project=project, name_fr="Nombre d'utilisateurs"))
        through.objects.bulk_create(links, batch_size=1000)
        ProjectFunding.objects.bulk_create(fundings, batch_size=1000)
        Indicator.objects.bulk_create(indicators, batch_size=1000)
        project_reindex_all()
        data_version_bump()
    return time.perf_counter() - started


def _random_filters(rng: random.Random) -> list[tuple[str, str]]:
    choices = [
        ("theme", THEMES),
        ("goal", [str(g) for g in range(1, 18)]),
        ("status", STATUSES),
        ("province", PROVINCES),
        ("size", SIZES),
        ("funding", FUNDINGS),
    ]
    params = []
    for name, values in rng.sample(choices, rng.randrange(1, 4)):
        params.extend((name, value) for value in rng.sample(values, rng.choice([1, 1, 2])))
    params.append(("sort", rng.choice(SORTS)))
    params.append(("page", str(rng.choice([1, 1, 2, 3]))))
    return [(name, value) for name, value in params if value]


def _random_search(rng: random.Random) -> list[tuple[str, str]]:
    params = [("q", rng.choice(SEARCHES))]
    if rng.random() < 0.3:
        params.extend(_random_filters(rng)[:1])
    return params


def _quantiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100)
    return cuts[49] * 1000, cuts[94] * 1000


def bench_selector(samples: int) -> None:
    from django.db import connection, reset_queries
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation
    from django.utils.http import urlencode

    from smartregion.projects import catalogue

    rng = random.Random(11)
    with translation.override("fr"):
        started = time.perf_counter()
        catalogue.catalogue_index_reset()
        catalogue._index()  # noqa: SLF001 - the build is what we time here
        build = time.perf_counter() - started
        print(f"(a) selector, in process: facet index built in {build * 1000:.0f} ms")
        print(f"    {'mix':<16}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'SQL/page':>10}")
        for label, make in (("search", _random_search), ("filtered list", _random_filters)):
            timings, sql_counts = [], set()
            for _ in range(samples):
                params = QueryDict(urlencode(make(rng)))
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    page = catalogue.catalogue_page(
                        catalogue.CatalogueQuery.from_params(params), language="fr"
                    )
                    [m.province for p in page.projects for m in p.municipalities.all()]
                    timings.append(time.perf_counter() - start)
                sql_counts.add(len(queries))
                reset_queries()
            p50, p95 = _quantiles(timings)
            counts = "/".join(str(c) for c in sorted(sql_counts))
            print(f"    {label:<16}{samples:>8}{p50:>9.1f}{p95:>9.1f}{counts:>10}")


def bench_render(samples: int) -> None:
    """The page through Django's test client: no HTTP, no server, one request at a time."""
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils.http import urlencode

    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(17)
    print("(a2) /fr/projects/ rendered in process, unique addresses, one request at a time")
    print(
        f"    {'mix':<16}{'result cards':<28}{'requests':>9}{'p50 ms':>8}{'p95 ms':>8}{'SQL':>10}"
    )
    for label, make in (("search", _random_search), ("filtered list", _random_filters)):
        paths = [f"/fr/projects/?{urlencode(make(rng))}" for _ in range(samples)]
        for cards, clear in (("not cached (all drawn)", True), ("cached", False)):
            if not clear:
                for number, path in enumerate(paths):  # draws and caches the cards
                    client.get(f"{path}&warm={number}")
            timings, sql_counts = [], set()
            for number, path in enumerate(paths):
                if clear:
                    caches["fragments"].clear()
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(f"{path}&pass={int(clear)}&n={number}")
                    timings.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code}")
                sql_counts.add(len(queries))
            p50, p95 = _quantiles(timings)
            counts = "/".join(str(c) for c in sorted(sql_counts))
            print(f"    {label:<16}{cards:<28}{samples:>9}{p50:>8.1f}{p95:>8.1f}{counts:>10}")


def _load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def _client(
    port: int,
    paths: itertools.cycle,
    lock: threading.Lock,
    deadline: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.perf_counter() < deadline:
        with lock:
            path = next(paths)
        connection = timed_get(connection, path, latencies, errors)
    connection.close()


def _measure(port: int, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    cycle, lock = itertools.cycle(paths), threading.Lock()
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_client, args=(port, cycle, lock, deadline, latencies, errors))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    p50, p95 = _quantiles(latencies)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50": p50,
        "p95": p95,
        "rps": len(latencies) / elapsed,
    }


def _user(
    port: int,
    paths: itertools.cycle,
    lock: threading.Lock,
    deadline: float,
    think: tuple[float, float],
    seed: int,
    latencies: list[float],
    errors: list[str],
) -> None:
    """A visitor: a request, reading time, the next request (time spent reading is not load)."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    time.sleep(rng.uniform(0, think[1]))  # users do not all arrive at the same instant
    while time.perf_counter() < deadline:
        with lock:
            path = next(paths)
        connection = timed_get(connection, path, latencies, errors)
        time.sleep(rng.uniform(*think))
    connection.close()


def _measure_users(
    port: int, paths: list[str], users: int, seconds: float, think: tuple[float, float]
) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    cycle, lock = itertools.cycle(paths), threading.Lock()
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(
            target=_user, args=(port, cycle, lock, deadline, think, n, latencies, errors)
        )
        for n in range(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    p50, p95 = _quantiles(latencies)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50": p50,
        "p95": p95,
        "rps": len(latencies) / elapsed,
    }


def bench_pages(args: argparse.Namespace, env: dict[str, str]) -> None:
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation
    from django.utils.http import urlencode

    try:
        with translation.override("fr"):
            base = reverse("projects:catalogue")
    except NoReverseMatch:
        print("(b) skipped: the page projects:catalogue does not exist yet")
        return
    subprocess.run(
        [str(BIN / "smartregion"), "collectstatic", "--noinput"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "bench.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    rng = random.Random(23)
    mixes = {
        "search": [f"{base}?{urlencode(_random_search(rng))}" for _ in range(1000)],
        "filtered list": [f"{base}?{urlencode(_random_filters(rng))}" for _ in range(1000)],
    }
    try:
        _wait_for(port)
        print(
            f"(b) {base} under gunicorn: {args.clients} clients, {args.workers} workers, "
            f"{args.seconds:.0f} s per row"
        )
        print(
            f"    {'mix':<16}{'addresses and clients':<44}{'requests':>9}{'errors':>7}"
            f"{'p50 ms':>8}{'p95 ms':>8}{'req/s':>7}  load at start"
        )
        think = (0.5, 1.5)
        for label, paths in mixes.items():
            cached = paths[:50]  # anonymous visitors asking the same few things

            # Each row its own addresses: one row's pages are never served from the whole-page
            # cache filled by another.
            def unique(row: str, paths: list[str] = paths) -> list[str]:
                return [f"{path}&bench={row}{n}" for n, path in enumerate(paths * 50)]

            # Warm-up: the facet index and the 50 cached pages in each worker.
            _measure(port, cached, args.clients, 5.0)
            rows = (
                (f"closed loop, 50 addresses, {args.clients} cl.", cached, args.clients),
                (f"closed loop, unique addr., {args.clients} cl.", unique("a"), args.clients),
                ("  again: cards drawn by the row above", unique("b"), args.clients),
                ("closed loop, unique addresses, 1 client", unique("c"), 1),
                (f"{args.users} users, think 0.5–1.5 s, unique addr.", unique("d"), None),
            )
            for how, chosen, clients in rows:
                load = _load()
                if clients is None:
                    figures = _measure_users(port, chosen, args.users, args.think_seconds, think)
                else:
                    figures = _measure(port, chosen, clients, args.seconds)
                print(
                    f"    {label:<16}{how:<44}{figures['requests']:>9.0f}"
                    f"{figures['errors']:>7.0f}{figures['p50']:>8.1f}{figures['p95']:>8.1f}"
                    f"{figures['rps']:>7.0f}  {load}"
                )
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=20, help="users with think time")
    parser.add_argument("--think-seconds", type=float, default=20, help="duration of that row")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()

    env = _setup_django(args)
    seconds = _create_projects(args.projects)
    print(
        f"{args.projects} published projects created and indexed in {seconds:.1f} s "
        f"(database: {args.database_url or 'SQLite'})"
    )
    bench_selector(args.samples)
    bench_render(args.samples)
    if not args.skip_http:
        bench_pages(args, env)


if __name__ == "__main__":
    main()
