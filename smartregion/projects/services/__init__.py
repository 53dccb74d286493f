"""Writing projects and actors: create, edit, the review workflow, files, revisions.

Forms, the API, commands and the demo data all feed a `ProjectInput` of plain values to the same
services, which validate everything and raise `ValidationError` keyed by field paths
(`title_en`, `indicators[2].target`). Callers check permissions first with `permissions.py`;
services enforce the rules that hold for everyone (state transitions, versions, completeness).

Every change records a `ProjectRevision` with a full snapshot. `version` counts content edits: an
edit carries the version it started from and is refused with `ProjectConflict` when a colleague
saved in between. Workflow steps (submit, publish…) do not move the version, so reviewing a
project never makes its team's open form stale.

When a change can alter what visitors see (the project is or was published), the public page
cache's data version is bumped; after commit the search index is refreshed.

One module per concept: `inputs` (what callers give, the errors), `validation`, `revisions`
(snapshots, comparison, merging after a conflict), `editing` (create, update), `workflow`
(review steps), `media` (pictures, documents), `actors`. Callers import from the package.
"""

from __future__ import annotations

from .actors import (
    actor_create,
    actor_for_municipality,
)
from .editing import (
    project_create,
    project_update,
)
from .inputs import (
    RESERVED_SLUGS,
    RICH_TEXT_FIELDS,
    TEXT_FIELDS,
    Action,
    FundingInput,
    IndicatorInput,
    LocationInput,
    ProjectConflict,
    ProjectError,
    ProjectInput,
    State,
)
from .media import (
    project_document_add,
    project_file_remove,
    project_image_add,
)
from .revisions import (
    FieldChange,
    MergeResult,
    field_label,
    project_merge,
    project_snapshot,
    project_snapshot_at,
    revision_compare,
)
from .workflow import (
    project_changes_since_publication,
    project_mark_reviewed,
    project_publish,
    project_reject,
    project_request_changes,
    project_review_steps,
    project_submit,
    project_unpublish,
)

__all__ = [
    "Action",
    "FieldChange",
    "FundingInput",
    "IndicatorInput",
    "LocationInput",
    "MergeResult",
    "ProjectConflict",
    "ProjectError",
    "ProjectInput",
    "RESERVED_SLUGS",
    "RICH_TEXT_FIELDS",
    "State",
    "TEXT_FIELDS",
    "actor_create",
    "actor_for_municipality",
    "field_label",
    "project_changes_since_publication",
    "project_create",
    "project_document_add",
    "project_file_remove",
    "project_image_add",
    "project_mark_reviewed",
    "project_merge",
    "project_publish",
    "project_reject",
    "project_request_changes",
    "project_review_steps",
    "project_snapshot",
    "project_snapshot_at",
    "project_submit",
    "project_unpublish",
    "project_update",
    "revision_compare",
]
