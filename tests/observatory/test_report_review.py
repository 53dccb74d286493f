"""The analyst's review of a draft edition's key findings: only staff see the draft; they keep,
order and reword the findings, then publish; the findings are then frozen under the checksum."""

from __future__ import annotations

import re
from html import unescape

import pytest

from smartregion.observatory import queries
from smartregion.observatory.models import Edition, EditionBuild
from smartregion.observatory.services import edition_publish

pytestmark = pytest.mark.django_db
SLUG = "smartregion-barometer-2025"


def _text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_staff_review_a_draft_then_publish_its_edited_findings(
    client, staff_user, closed_wave, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/observatory/waves/{closed_wave.pk}/publish/", {"review": "1"})
    build = EditionBuild.objects.get()
    draft = Edition.with_drafts.get()
    review = client.get(response["Location"])

    assert (build.review, draft.is_draft, Edition.objects.count()) == (True, True, 0)
    assert client.get(f"/en/observatory/{SLUG}/").status_code == 404  # the public sees nothing
    assert "Review the key findings of Barometer 2025" in _text(review)
    count = len(draft.data["findings"])
    form = {"findings-TOTAL_FORMS": str(count), "findings-INITIAL_FORMS": str(count)}
    for index, item in enumerate(draft.data["findings"]):
        form |= {
            f"findings-{index}-question": item["question"],
            f"findings-{index}-category": item["category"],
            f"findings-{index}-order": str(count - index),  # reversed
            f"findings-{index}-keep": "on" if index != 1 else "",  # the second one removed
        }
    form["findings-0-text_en"] = "An analyst's sentence."

    with django_capture_on_commit_callbacks(execute=False):
        client.post(response["Location"], form)

    edition = Edition.objects.get()
    kept = [draft.data["findings"][i] for i in range(count) if i != 1][::-1]
    assert [(f["question"], f["category"]) for f in edition.data["findings"]] == [
        (f["question"], f["category"]) for f in kept
    ]
    assert edition.data["findings"][-1]["text"] == {"en": "An analyst's sentence."}
    assert (edition.is_draft, edition.published_by) == (False, staff_user)
    page = _text(client.get(f"/en/observatory/{SLUG}/"))
    assert "An analyst's sentence." in page
    french = _text(client.get(f"/fr/observatory/{SLUG}/"))
    assert "An analyst's sentence." not in french  # French keeps the generated sentence
    again = client.post(response["Location"], form)  # frozen now: the build page says published
    assert again.status_code == 302 and Edition.objects.get().checksum == edition.checksum


def test_a_draft_is_never_the_previous_edition_of_a_trend(staff_user, closed_wave):
    draft = edition_publish(wave=closed_wave, user=staff_user, draft=True)

    assert queries.editions_listed() == []
    assert queries.edition_get(draft.slug) is None
    assert Edition.with_drafts.get() == draft


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("member", 403), ("manager", 403)])
def test_only_centre_staff_review_or_publish_a_draft(
    client, request, staff_user, closed_wave, who, status
):
    draft = edition_publish(wave=closed_wave, user=staff_user, draft=True)
    build = EditionBuild.objects.create(
        wave=closed_wave, requested_by=staff_user, review=True, status="ready", edition=draft
    )
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    page = client.get(f"/en/observatory/builds/{build.public_id}/")
    posted = client.post(
        f"/en/observatory/builds/{build.public_id}/", {"findings-TOTAL_FORMS": "0"}
    )

    assert (page.status_code, posted.status_code) == (status, status)
    assert Edition.with_drafts.get().is_draft is True
