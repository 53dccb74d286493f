"""Full-text search of published projects, one interface over two engines.

(Interface fixed; the implementation lands with the search work.)
"""

from __future__ import annotations


def project_index(project_id: int) -> None:
    """(Re)index one project: published projects are searchable, others are removed."""


def project_unindex(project_id: int) -> None:
    """Remove one project from the index."""


def project_reindex_all() -> int:
    """Rebuild the whole index; returns how many projects are searchable."""
    return 0


def project_search(query: str) -> list[int]:
    """Ids of published projects matching `query`, best match first."""
    return []
