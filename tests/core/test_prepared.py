"""Prepared files: requested without waiting, built once by a task, served when ready, retried."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult, get_date_max

from smartregion.core.models import PreparedFile
from smartregion.core.prepared import prepared_file_ensure, prepared_file_servable
from tests.core.prepared_support import BUILT, text_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _built():
    BUILT.clear()


@pytest.fixture
def file_view(settings):
    """A download route that serves a prepared file, as apps' views do."""
    settings.ROOT_URLCONF = "tests.core.prepared_support"


def test_a_request_queues_the_file_and_the_task_builds_it_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = text_request()
        second = text_request()

    prepared = PreparedFile.objects.get()
    content = b"hello a.txt 1"
    assert (first.pk, second.pk, first.status, len(callbacks), BUILT) == (
        prepared.pk,
        prepared.pk,
        PreparedFile.Status.QUEUED,
        1,
        ["a.txt"],
    )
    assert (
        prepared.status,
        prepared.progress,
        prepared.size,
        prepared.sha256,
        prepared.content_type,
        prepared.filename,
        default_storage.open(prepared.file.name).read(),
        len(prepared.task_result_id),
    ) == (
        "ready",
        100,
        len(content),
        hashlib.sha256(content).hexdigest(),
        "text/plain",
        "a.txt",
        content,
        32,
    )


def test_a_newer_state_gets_a_new_file_and_prunes_the_stale_one(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = text_request(state="1")
    old.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        new = text_request(state="2")

    assert list(PreparedFile.objects.values_list("key", "status")) == [
        ("tests.text:a.txt:2", "ready")
    ]
    assert (new.key, default_storage.exists(old.file.name), len(BUILT)) == (
        "tests.text:a.txt:2",
        False,
        2,
    )


def test_a_missing_stored_copy_is_built_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        prepared = text_request()
    prepared.refresh_from_db()
    default_storage.delete(prepared.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        again = text_request()

    again.refresh_from_db()
    assert (again.pk, again.status, default_storage.exists(again.file.name), len(BUILT)) == (
        prepared.pk,
        "ready",
        True,
        2,
    )


def test_the_view_answers_202_with_a_polled_status_then_serves_the_file(
    client, file_view, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        waiting = client.get("/file/a.txt")
    prepared = PreparedFile.objects.get()
    status_url = f"/prepared/{prepared.public_id}/status.json"
    html = waiting.content.decode()

    assert (waiting.status_code, waiting["Cache-Control"]) == (202, "no-store")
    assert f'data-status-url="{status_url}"' in html
    assert 'role="status" aria-live="polite"' in html
    assert '<progress id="prepared-progress" max="100" value="0">0 %</progress>' in html
    # In French: the test's view is outside the language prefixes, so the site's default applies.
    assert '<a class="button" id="prepared-link" href="/file/a.txt">Vérifier à nouveau</a>' in html
    assert '<script src="/static/core/prepared.js" defer></script>' in html
    assert client.get(status_url).json() == {"status": "queued", "progress": 0}

    callbacks[0]()  # the worker's turn
    served = client.get("/file/a.txt")

    assert client.get(status_url).json() == {"status": "ready", "progress": 100}
    assert (served.status_code, served["Content-Type"], served["Content-Disposition"]) == (
        200,
        "text/plain",
        'attachment; filename="a.txt"',
    )
    assert b"".join(served.streaming_content) == b"hello a.txt 1"


def test_an_unknown_status_is_404(client):
    assert (
        client.get("/prepared/00000000-0000-0000-0000-000000000000/status.json").status_code == 404
    )


def test_a_failed_file_shows_its_error_to_staff_only_and_staff_can_retry(
    client, file_view, staff_user, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        text_request("bad.txt", fail=True)
    prepared = PreparedFile.objects.get()
    assert (prepared.status, "RuntimeError: the builder of bad.txt broke" in prepared.error) == (
        "failed",
        True,
    )

    client.force_login(member)
    seen_by_member = client.get("/file/bad.txt?fail=1")
    client.force_login(staff_user)
    seen_by_staff = client.get("/file/bad.txt?fail=1")

    assert (seen_by_member.status_code, b"broke" in seen_by_member.content) == (500, False)
    assert "Le fichier n’a pas pu être préparé".encode() in seen_by_member.content
    assert (
        seen_by_staff.status_code,
        b"RuntimeError: the builder of bad.txt broke" in seen_by_staff.content,
    ) == (500, True)
    assert f'action="/prepared/{prepared.public_id}/retry"'.encode() in seen_by_staff.content

    PreparedFile.objects.filter(pk=prepared.pk).update(
        params={"name": "bad.txt", "state": "1"}
    )  # fixed
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/prepared/{prepared.public_id}/retry", {"next": "/file/bad.txt"})
    prepared.refresh_from_db()

    assert (retried.status_code, retried["Location"], prepared.status, prepared.error) == (
        302,
        "/file/bad.txt",
        "ready",
        "",
    )


def test_retry_is_for_staff_only(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        prepared = text_request("bad.txt", fail=True)
    client.force_login(member)

    response = client.post(f"/prepared/{prepared.public_id}/retry", {"next": "/"})

    prepared.refresh_from_db()
    assert (
        response.status_code,
        response["Location"],
        prepared.status,
    ) == (
        302,
        f"/fr/admin/login/?next=/prepared/{prepared.public_id}/retry",
        "failed",
    )


def test_a_failed_task_is_listed_for_staff_with_its_error_and_retried(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        prepared = text_request("b.txt")
    PreparedFile.objects.filter(pk=prepared.pk).update(status="failed", file="")
    failed = DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [prepared.pk], "kwargs": {}},
        task_path="smartregion.core.tasks.prepared_file_build",
        backend_name="default",
        run_after=get_date_max(),  # none: the sentinel the package stores
        exception_class_path="builtins.RuntimeError",
        traceback="Traceback (most recent call last):\nRuntimeError: the disk was full\n",
    )

    listing = admin_client.get("/fr/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    detail = admin_client.get(f"/fr/admin/django_tasks_database/dbtaskresult/{failed.pk}/change/")
    response = admin_client.post(
        "/fr/admin/django_tasks_database/dbtaskresult/",
        {"action": "retry", "_selected_action": [str(failed.pk)]},
    )

    prepared.refresh_from_db()
    assert (listing.status_code, b"builtins.RuntimeError" in listing.content) == (200, True)
    assert b"RuntimeError: the disk was full" in detail.content
    assert (response.status_code, prepared.status, len(BUILT)) == (302, "ready", 2)


def test_while_a_newer_state_is_built_the_previous_ready_one_is_servable(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        old = text_request(state="1")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = text_request(state="2")

    servable_meanwhile = prepared_file_servable(new)
    states_meanwhile = list(PreparedFile.objects.order_by("pk").values_list("key", "status"))
    callbacks[0]()  # the worker's turn
    new.refresh_from_db()

    assert (servable_meanwhile.pk, servable_meanwhile.status) == (old.pk, "ready")
    assert states_meanwhile == [("tests.text:a.txt:1", "ready"), ("tests.text:a.txt:2", "queued")]
    assert prepared_file_servable(new).pk == new.pk
    assert list(PreparedFile.objects.values_list("key", flat=True)) == ["tests.text:a.txt:2"]


def test_a_failed_newer_state_is_not_hidden_by_the_previous_one(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        text_request("c.txt", state="1")
        failed = text_request("c.txt", state="2", fail=True)
    failed.refresh_from_db()

    assert (prepared_file_servable(failed).pk, failed.status) == (failed.pk, "failed")
    assert list(PreparedFile.objects.order_by("pk").values_list("status", flat=True)) == [
        "ready",
        "failed",
    ]


def test_a_state_with_no_older_ready_one_serves_itself():
    prepared = text_request()

    assert (prepared_file_servable(prepared).pk, prepared.status) == (prepared.pk, "queued")


def test_ensure_builds_the_file_in_the_calling_task_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = prepared_file_ensure(
            key="tests.text:d.txt:1",
            family="tests.text:d.txt",
            builder="tests.core.prepared_support.build_text",
            params={"name": "d.txt"},
        )
        again = prepared_file_ensure(
            key="tests.text:d.txt:1",
            family="tests.text:d.txt",
            builder="tests.core.prepared_support.build_text",
            params={"name": "d.txt"},
        )

    content = b"hello d.txt 1"
    assert (first.status, first.size, first.sha256, again.pk, BUILT, len(callbacks)) == (
        "ready",
        len(content),
        hashlib.sha256(content).hexdigest(),
        first.pk,
        ["d.txt"],
        0,  # nothing queued: built where it was needed
    )
