"""Revisions through the editor: numbering, the outdated logic, comparisons, translation checks."""

from __future__ import annotations

import pytest

from smartregion.knowledge import services
from smartregion.knowledge.models import Resource

pytestmark = pytest.mark.django_db

BASE = {"kind": "guide", "licence": "CC-BY-4.0", "comment": ""}


def _create(client, **values) -> Resource:
    client.post("/en/knowledge/editor/new/", {**BASE, "significance": "minor", **values})
    return Resource.objects.get(slug=values["slug"])


def _edit(client, resource: Resource, significance: str = "minor", **values) -> Resource:
    resource.refresh_from_db()
    data = {
        **BASE,
        "slug": resource.slug,
        "version": resource.version,
        "significance": significance,
        "owner": resource.owner_id or "",
        **{
            f"{name}_{code}": getattr(resource, f"{name}_{code}") or ""
            for name in ("title", "summary", "body", "checklist")
            for code in ("fr", "en", "de", "nl")
        },
    }
    data.update(values)
    client.post(f"/en/knowledge/editor/{resource.slug}/", data)
    resource.refresh_from_db()
    return resource


def test_revisions_are_numbered_and_listed_newest_first(client, editor):
    client.force_login(editor)
    resource = _create(client, slug="g", title_fr="G", body_fr="un", title_en="G", body_en="one")
    _edit(client, resource, body_fr="deux", comment="Deuxième")
    _edit(client, resource, body_fr="deux")  # nothing changed: no revision
    services.transition(resource, "published", user=editor)

    html = client.get("/en/knowledge/editor/g/history/").content.decode()

    assert list(resource.revisions.values_list("number", flat=True)) == [3, 2, 1]
    assert html.index("Deuxième") < html.index("Created")


def test_major_french_change_outdates_translations_minor_does_not(client, editor):
    client.force_login(editor)
    resource = _create(
        client,
        slug="g",
        title_fr="G",
        body_fr="un",
        title_en="G",
        body_en="one",
        title_de="G",
        body_de="eins",
    )
    statuses = [{code: resource.translation_status(code) for code in ("en", "de", "nl")}]

    resource = _edit(client, resource, body_fr="un !")
    statuses.append({code: resource.translation_status(code) for code in ("en", "de", "nl")})
    resource = _edit(client, resource, "major", body_fr="tout autre chose")
    statuses.append({code: resource.translation_status(code) for code in ("en", "de", "nl")})
    resource = _edit(client, resource, body_en="something else")
    statuses.append({code: resource.translation_status(code) for code in ("en", "de", "nl")})

    assert statuses == [
        {"en": "current", "de": "current", "nl": "missing"},
        {"en": "current", "de": "current", "nl": "missing"},
        {"en": "outdated", "de": "outdated", "nl": "missing"},
        {"en": "current", "de": "outdated", "nl": "missing"},
    ]


def test_translation_dashboard_filters_and_confirm(client, editor):
    client.force_login(editor)
    resource = _create(client, slug="g", title_fr="G", body_fr="un", title_en="G", body_en="one")
    _create(client, slug="h", title_fr="H", body_fr="deux")
    _edit(client, resource, "major", body_fr="changé")

    outdated = client.get("/en/knowledge/editor/translations/?language=en&status=outdated")
    missing = client.get("/en/knowledge/editor/translations/?language=en&status=missing")
    confirmed = client.post("/en/knowledge/editor/g/confirm/", {"language": "en"}, follow=True)

    assert [row.resource.slug for row in outdated.context["rows"]] == ["g"]
    assert [row.resource.slug for row in missing.context["rows"]] == ["h"]
    assert "English of “G” marked up to date." in confirmed.content.decode()
    resource.refresh_from_db()
    assert resource.translation_status("en") == "current"


def test_compare_shows_escaped_unified_diff_of_changed_fields(client, editor):
    client.force_login(editor)
    resource = _create(client, slug="g", title_fr="G", body_fr="ligne 1\nligne 2")
    _edit(client, resource, body_fr="ligne 1\n<b>ligne</b> 3")

    response = client.get("/en/knowledge/editor/g/compare/?older=1&newer=2")

    html = response.content.decode()
    assert [diff.name for diff in response.context["diffs"]] == ["body_fr"]
    assert [kind for kind, _ in response.context["diffs"][0].lines] == [
        "hunk",
        "same",
        "del",
        "add",
    ]
    assert "&lt;b&gt;ligne&lt;/b&gt; 3" in html and "<b>ligne</b>" not in html


def test_compare_of_unknown_revision_is_404(client, editor):
    client.force_login(editor)
    _create(client, slug="g", title_fr="G")

    assert client.get("/en/knowledge/editor/g/compare/?older=1&newer=9").status_code == 404
    assert client.get("/en/knowledge/editor/g/compare/?older=x").status_code == 404
