"""Choice labels of the project form follow the page's language, not the language at start-up."""

from __future__ import annotations

from django.utils import translation

from smartregion.projects.forms import ProjectForm


def _goal_labels(language: str) -> list[str]:
    with translation.override(language):
        return [str(label) for _, label in ProjectForm.base_fields["goals"].choices][:2]


def test_goal_labels_in_each_language() -> None:
    assert _goal_labels("en") == ["1. No poverty", "2. Zero hunger"]
    assert _goal_labels("fr") == ["1. Pas de pauvreté", "2. Faim «\u00a0zéro\u00a0»"]
