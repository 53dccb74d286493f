"""Importing communes' contact addresses: all or nothing, every problem with its line and column,
through the command and through the staff page (same importer); and who may change them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from smartregion.territory.importers.common import ImportFailed
from smartregion.territory.importers.contacts import contacts_import
from smartregion.territory.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages in English (the msgids): outside a request the site's language would be French."""
    with translation.override("en"):
        yield


GOOD = (
    "refnis;smartcity_contact_name;smartcity_contact_email;contact_email\n"
    "92094;Ada Lovelace;smartcity@namur.example.org;info@namur.example.org\n"
    "62063;;;info@liege.example.org\n"
)
BAD = (
    "refnis,contact_email,smartcity_contact_email\n"
    "92094,info@namur.example.org,\n"
    "99999,info@nowhere.example.org,\n"
    "62063,not-an-address,smart@liege.example.org\n"
    "92094,again@namur.example.org,\n"
    "52011,a@b.example.org\n"
)
BAD_PROBLEMS = [
    "line 3, column refnis: no commune has the code “99999”",
    "line 4, column contact_email: “not-an-address” is not an email address",
    "line 5, column refnis: the commune 92094 is listed twice",
    "line 6: 2 cells where the header has 3",
]


def _contacts(refnis: str) -> tuple[str, str, str]:
    m = Municipality.objects.get(refnis=refnis)
    return (m.contact_email, m.smartcity_contact_name, m.smartcity_contact_email)


def test_a_good_file_sets_the_columns_it_has(territory):
    Municipality.objects.filter(refnis="62063").update(smartcity_contact_name="Old name")
    Municipality.objects.filter(refnis="57081").update(contact_email="kept@tournai.example.org")

    result = contacts_import(GOOD.encode())

    assert (result.count, result.columns) == (
        2,
        ("smartcity_contact_name", "smartcity_contact_email", "contact_email"),
    )
    assert _contacts("92094") == (
        "info@namur.example.org",
        "Ada Lovelace",
        "smartcity@namur.example.org",
    )
    assert _contacts("62063") == ("info@liege.example.org", "", "")  # empty cells clear
    assert _contacts("57081") == ("kept@tournai.example.org", "", "")  # not listed: unchanged


def test_a_column_absent_from_the_file_is_left_as_it_is(territory):
    Municipality.objects.filter(refnis="92094").update(smartcity_contact_name="Kept")

    contacts_import(b"refnis,contact_email\n92094,info@namur.example.org\n")

    assert _contacts("92094") == ("info@namur.example.org", "Kept", "")


def test_a_bad_file_lists_every_problem_and_writes_nothing(territory):
    with pytest.raises(ImportFailed) as failed:
        contacts_import(BAD.encode())

    assert [str(p) for p in failed.value.problems] == BAD_PROBLEMS
    assert _contacts("92094") == ("", "", "")


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (
            b"code,contact_email\n92094,a@b.example.org\n",
            [
                "line 1: the header has no “refnis” column (expected: refnis, contact_email, "
                "smartcity_contact_name, smartcity_contact_email)"
            ],
        ),
        (
            b"refnis,phone,contact_email,contact_email\n",
            [
                "line 1, column 2: unknown column “phone” (expected: refnis, contact_email, "
                "smartcity_contact_name, smartcity_contact_email)",
                "line 1, column 4: column “contact_email” appears twice",
            ],
        ),
        (b"refnis\n92094\n", ["line 1: the header names no contact column besides “refnis”"]),
        (b"refnis,contact_email\n", ["The file lists no commune."]),
        (
            b"refnis,contact_email\n92094,caf\xe9@x.org\n",
            [
                "line 2: byte 0xE9 is not valid UTF-8 (wrong encoding). Re-save the file as UTF-8 "
                "(in Excel: “CSV UTF-8”), or name its encoding, e.g. --encoding cp1252."
            ],
        ),
        (
            b"refnis,contact_email\n92094,a\x00@b.org\n",
            ["line 2: the file contains a NUL character"],
        ),
        (
            b"refnis,smartcity_contact_name\n92094," + b"x" * 121 + b"\n",
            ["line 2, column smartcity_contact_name: the name is longer than 120 characters"],
        ),
        (
            b"refnis,contact_email\n92094," + b"a" * 250 + b"@b.org\n",
            [f"line 2, column contact_email: “{'a' * 250}@b.org” is not an email address"],
        ),
    ],
)
def test_each_kind_of_problem_is_reported_exactly(territory, data, problems):
    with pytest.raises(ImportFailed) as failed:
        contacts_import(data)

    assert [str(p) for p in failed.value.problems] == problems


def test_dry_run_validates_without_writing(territory):
    result = contacts_import(GOOD.encode(), dry_run=True)

    assert (result.count, result.dry_run) == (2, True)
    assert _contacts("92094") == ("", "", "")


def test_the_command_imports_a_file(territory, tmp_path, capsys):
    path = tmp_path / "contacts.csv"
    path.write_bytes(("\ufeff" + GOOD).encode())

    call_command("import_contacts", str(path))

    assert capsys.readouterr().out == (
        "2 commune(s) updated; columns: smartcity_contact_name, smartcity_contact_email, "
        "contact_email.\n"
    )
    assert _contacts("62063") == ("info@liege.example.org", "", "")


def test_the_command_refuses_a_bad_file_with_exit_code_2(territory, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(BAD, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_contacts", str(path))

    assert error.value.returncode == 2
    assert str(error.value) == "\n".join(
        ["Nothing was imported: 4 problem(s) found.", *(f"  {p}" for p in BAD_PROBLEMS)]
    )
    assert _contacts("92094") == ("", "", "")


# --- the staff page --------------------------------------------------------------------------


def _upload(data: str | bytes) -> SimpleUploadedFile:
    raw = data.encode() if isinstance(data, str) else data
    return SimpleUploadedFile("contacts.csv", raw, content_type="text/csv")


def test_staff_import_a_file_from_the_contacts_page(client, staff_user):
    client.force_login(staff_user)

    response = client.post("/en/barometer/contacts/", {"file": _upload(GOOD)}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Contacts of 2 communes updated (columns: smartcity_contact_name, "
        "smartcity_contact_email, contact_email)."
    ]
    assert _contacts("92094")[1] == "Ada Lovelace"


def test_the_contacts_page_lists_every_problem_and_imports_nothing(client, staff_user):
    client.force_login(staff_user)

    response = client.post("/en/barometer/contacts/", {"file": _upload(BAD)})

    assert response.status_code == 422
    assert response.context["problems"] == BAD_PROBLEMS
    page = response.content.decode()
    assert "<li>line 3, column refnis: no commune has the code “99999”</li>" in page
    assert _contacts("92094") == ("", "", "")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_member", 403),
        ("member", 403),
        ("manager", 403),
        ("staff_user", 200),
    ],
)
def test_the_contacts_page_and_import_are_for_staff_only(client, request, territory, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    listing = client.get("/en/barometer/contacts/")
    posted = client.post("/en/barometer/contacts/", {"file": _upload(GOOD)})

    assert listing.status_code == status
    assert posted.status_code == (302 if who == "staff_user" else status)
    assert _contacts("92094")[1] == ("Ada Lovelace" if who == "staff_user" else "")


def test_the_contacts_page_filters_communes_without_an_address(client, staff_user):
    Municipality.objects.exclude(refnis__in=["92094", "62063"]).update(
        contact_email="info@commune.example.org"
    )
    client.force_login(staff_user)

    response = client.get("/en/barometer/contacts/?missing=1")

    assert [m.refnis for m in response.context["page"]] == ["62063", "92094"]


# --- editing one commune ---------------------------------------------------------------------

EDIT = {
    "contact_email": "info@namur.example.org",
    "smartcity_contact_name": "Grace Hopper",
    "smartcity_contact_email": "smartcity@namur.example.org",
}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_member", 403),
        ("member", 403),
        ("manager", 302),
        ("staff_user", 302),
    ],
)
def test_staff_and_the_communes_managers_change_its_addresses(
    client, request, territory, who, status
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    page = client.get("/en/barometer/contacts/92094/")
    saved = client.post("/en/barometer/contacts/92094/", EDIT)

    assert page.status_code == (200 if status == 302 and who != "anonymous" else status)
    assert saved.status_code == status
    changed = who in ("manager", "staff_user")
    assert _contacts("92094") == (
        ("info@namur.example.org", "Grace Hopper", "smartcity@namur.example.org")
        if changed
        else ("", "", "")
    )
    if changed:
        assert saved["Location"] == "/en/barometer/contacts/92094/"


def test_a_wrong_address_is_a_form_error(client, manager):
    client.force_login(manager)

    response = client.post(
        "/en/barometer/contacts/92094/", {**EDIT, "smartcity_contact_email": "nope"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "smartcity_contact_email": ["Enter a valid email address."]
    }
    assert _contacts("92094") == ("", "", "")


def test_after_saving_the_manager_goes_back_to_the_space_but_never_elsewhere(client, manager):
    client.force_login(manager)

    back = client.post("/en/barometer/contacts/92094/", {**EDIT, "next": "/en/space/92094/"})
    away = client.post("/en/barometer/contacts/92094/", {**EDIT, "next": "https://evil.example/"})

    assert back["Location"] == "/en/space/92094/"
    assert away["Location"] == "/en/barometer/contacts/92094/"
