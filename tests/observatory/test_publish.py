"""Publishing a closed wave from the observatory's staff route, linked from the barometer's wave
page: only centre staff publish; the publication is a build run by a task, whose page follows
its progress and then links to the new edition revision; a failed build shows its error and is
retried."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django_tasks_db.models import DBTaskResult, get_date_max

from smartregion.barometer.models import Wave
from smartregion.core.models import PreparedFile
from smartregion.instruments.models import InstrumentVersion
from smartregion.observatory.models import Edition, EditionBuild
from smartregion.territory.models import Region

pytestmark = pytest.mark.django_db
SLUG = "smartregion-barometer-2025"


@pytest.fixture
def draft_wave(territory, closed_wave) -> Wave:
    return Wave.objects.create(
        title_fr="Baromètre 2027",
        year=2027,
        instrument_version=InstrumentVersion.objects.get(pk=closed_wave.instrument_version_id),
        region=Region.objects.get(refnis="03000"),
        population_date=dt.date(2027, 1, 1),
    )


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("member", 403), ("manager", 403), ("other_member", 403)],
)
def test_only_centre_staff_publish(client, request, closed_wave, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.post(f"/en/observatory/waves/{closed_wave.pk}/publish/")

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith("/en/accounts/login/")
    assert Edition.objects.count() == 0


def test_staff_publishes_a_closed_wave_and_the_build_page_links_to_the_edition(
    client, staff_user, closed_wave, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):  # the task runs once queued
        response = client.post(f"/en/observatory/waves/{closed_wave.pk}/publish/")
    page = client.get(response["Location"])

    build = EditionBuild.objects.get()
    edition = Edition.objects.get()
    assert (edition.wave, edition.slug, edition.revision, edition.published_by) == (
        closed_wave,
        SLUG,
        1,
        staff_user,
    )
    assert response["Location"] == f"/en/observatory/builds/{build.public_id}/"
    assert (build.status, build.progress, build.edition, build.requested_by, build.error) == (
        "ready",
        100,
        edition,
        staff_user,
        "",
    )
    assert page.status_code == 200
    assert (
        '<p class="message message-success">Published: Barometer 2025, revision 1. '
        f'<a href="/en/observatory/{SLUG}/r1/">See the edition</a>.</p>'
    ) in page.content.decode()
    assert _messages(response) == []


def test_the_build_page_follows_the_queued_build_then_its_files_are_queued(
    client, staff_user, closed_wave, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/en/observatory/waves/{closed_wave.pk}/publish/")
        again = client.post(f"/en/observatory/waves/{closed_wave.pk}/publish/")  # a double click
    build = EditionBuild.objects.get()
    status_url = f"/en/observatory/builds/{build.public_id}/status.json"

    waiting = client.get(response["Location"])
    html = waiting.content.decode()
    assert (again["Location"], len(callbacks)) == (response["Location"], 1)
    assert (waiting.status_code, Edition.objects.count()) == (202, 0)
    assert f'data-status-url="{status_url}"' in html
    assert '<progress id="prepared-progress" max="100" value="0">0 %</progress>' in html
    assert '<script src="/static/core/prepared.js" defer></script>' in html
    assert client.get(status_url).json() == {"status": "queued", "progress": 0}

    with django_capture_on_commit_callbacks(execute=True) as queued:
        callbacks[0]()  # the worker's turn: the edition, then its files and the catalogue

    edition = Edition.objects.get()
    assert client.get(status_url).json() == {"status": "ready", "progress": 100}
    assert len(queued) == 12  # ten files, the data version, the catalogue
    assert set(
        PreparedFile.objects.filter(
            family__startswith=f"observatory.file:{edition.pk}:"
        ).values_list("status", flat=True)
    ) == {"ready"}


def test_a_failed_build_shows_its_error_and_staff_retry_it(
    client, staff_user, closed_wave, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/en/observatory/waves/{closed_wave.pk}/publish/")
    Wave.objects.filter(pk=closed_wave.pk).update(status=Wave.Status.OPEN)  # reopened meanwhile
    callbacks[0]()  # the worker's turn: the task fails

    build = EditionBuild.objects.get()
    failed = client.get(response["Location"])
    assert (build.status, build.error, Edition.objects.count()) == (
        "failed",
        "Only a closed wave can be published: close it first.",
        0,
    )
    assert failed.status_code == 200
    assert b"The edition could not be built" in failed.content
    assert b"Only a closed wave can be published: close it first." in failed.content
    assert f'action="/en/observatory/builds/{build.public_id}/retry/"'.encode() in failed.content

    Wave.objects.filter(pk=closed_wave.pk).update(status=Wave.Status.CLOSED)  # fixed
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/en/observatory/builds/{build.public_id}/retry/")

    build.refresh_from_db()
    assert (retried["Location"], build.status, build.error, build.edition) == (
        f"/en/observatory/builds/{build.public_id}/",
        "ready",
        "",
        Edition.objects.get(),
    )


def test_a_failed_build_task_is_retried_from_the_failed_tasks_admin(
    admin_client, staff_user, closed_wave, django_capture_on_commit_callbacks
):
    build = EditionBuild.objects.create(
        wave=closed_wave, requested_by=staff_user, status="failed", error="the disk was full"
    )
    failed = DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [build.pk], "kwargs": {}},
        task_path="smartregion.observatory.tasks.edition_build",
        backend_name="default",
        run_after=get_date_max(),  # none: the sentinel the package stores
        exception_class_path="builtins.OSError",
        traceback="Traceback (most recent call last):\nOSError: the disk was full\n",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/fr/admin/django_tasks_database/dbtaskresult/",
            {"action": "retry", "_selected_action": [str(failed.pk)]},
        )

    build.refresh_from_db()
    assert (response.status_code, build.status, build.edition) == (
        302,
        "ready",
        Edition.objects.get(),
    )


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("member", 403), ("manager", 403)])
def test_only_centre_staff_see_a_build(client, request, staff_user, closed_wave, who, status):
    build = EditionBuild.objects.create(wave=closed_wave, requested_by=staff_user)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    page = client.get(f"/en/observatory/builds/{build.public_id}/")
    state = client.get(f"/en/observatory/builds/{build.public_id}/status.json")
    retry = client.post(f"/en/observatory/builds/{build.public_id}/retry/")

    assert (page.status_code, state.status_code, retry.status_code) == (status, status, status)


def test_publishing_a_wave_that_is_not_closed_says_why(client, staff_user, draft_wave):
    client.force_login(staff_user)

    response = client.post(f"/en/observatory/waves/{draft_wave.pk}/publish/")

    assert response["Location"] == f"/en/barometer/waves/{draft_wave.pk}/"
    assert _messages(response) == ["Only a closed wave can be published: close it first."]
    assert Edition.objects.count() == 0


def test_publish_route_refuses_get_and_unknown_waves(client, staff_user, closed_wave):
    client.force_login(staff_user)

    assert client.get(f"/en/observatory/waves/{closed_wave.pk}/publish/").status_code == 405
    assert client.post("/en/observatory/waves/999999/publish/").status_code == 404


def test_wave_page_of_a_closed_wave_links_the_observatory_publish_route(
    client, staff_user, closed_wave
):
    client.force_login(staff_user)

    page = client.get(f"/en/barometer/waves/{closed_wave.pk}/").content.decode()

    assert f'action="/en/observatory/waves/{closed_wave.pk}/publish/"' in page
