"""The search test corpus (data/search_corpus.json) as published, indexed projects.

Shared by tests/projects/test_search_corpus.py and bench/bench_search.py. Projects are published
one day apart in file order, so among equal scores the later one in the file ranks first.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.utils import timezone

from smartregion.projects.search import project_index
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory

CORPUS = Path(__file__).resolve().parent / "data" / "search_corpus.json"
FIRST_PUBLISHED = dt.datetime(2025, 1, 1, 10, 0)


def corpus_load() -> dict:
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def corpus_create(corpus: dict, *, owner: Municipality) -> dict[str, int]:
    """Create and index the corpus's projects; returns their ids by key."""
    communes = {m.refnis: m for m in Municipality.objects.all()}
    ids = {}
    for day, spec in enumerate(corpus["projects"]):
        published = timezone.make_aware(FIRST_PUBLISHED + dt.timedelta(days=day))
        fields = {key: value for key, value in spec.items() if key not in ("key", "communes")}
        project = ProjectFactory(
            slug=spec["key"],
            owner_municipality=owner,
            located=[communes[refnis] for refnis in spec["communes"]],
            published_at=published,
            first_published_at=published,
            **fields,
        )
        project_index(project.pk)
        ids[spec["key"]] = project.pk
    return ids
