"""Running a wave as staff: navigation, the wave form, the opening report, late invitations,
respondent links (page and CSV), tracking, the commune's space, and who may do each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation

from smartregion.barometer.models import Response, Wave, WaveLink, WaveMember
from smartregion.barometer.services import member_token, token_hash, wave_open
from smartregion.instruments.services import instrument_version_load
from smartregion.territory.models import Municipality, Region
from tests.factories import WaveFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
BAROMETER_2025 = ROOT / "instruments/smartregion-barometer/2025.yaml"
MATURITY = ROOT / "instruments/smartregion-maturity/2026.yaml"
ROLES = ["anonymous", "other_member", "member", "manager", "staff_user"]


@pytest.fixture
def barometer_version(db):
    return instrument_version_load(path=BAROMETER_2025)


@pytest.fixture
def wave(territory, barometer_version):
    return WaveFactory(
        title_fr="Baromètre 2025",
        title_en="",
        title_de="Barometer 2025 (DE)",
        year=2025,
        instrument_version=barometer_version,
        closes_on=dt.date(2025, 6, 30),
    )


@pytest.fixture
def opened(wave, django_capture_on_commit_callbacks):
    Municipality.objects.filter(refnis="92094").update(
        smartcity_contact_email="smartcity@namur.example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        wave_open(wave=wave, link_for=lambda token: f"http://testserver/fr/barometer/r/{token}/")
    wave.refresh_from_db()
    mail.outbox.clear()
    return wave


def _as(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- navigation ------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "shown"), [(r, r == "staff_user") for r in ROLES])
def test_the_barometer_is_in_the_main_navigation_for_staff_only(client, request, who, shown):
    _as(client, request, who)

    page = client.get("/en/").content.decode()

    assert ('href="/en/barometer/waves/"' in page) is shown


def test_staff_space_and_admin_lead_to_the_waves(client, staff_user, opened):
    staff_user.is_superuser = True
    staff_user.save(update_fields=["is_superuser"])
    client.force_login(staff_user)

    space = client.get("/en/space/").content.decode()
    admin = client.get("/en/admin/barometer/wave/").content.decode()
    change = client.get(f"/en/admin/barometer/wave/{opened.pk}/change/").content.decode()

    assert 'href="/en/barometer/waves/"' in space
    assert "Baromètre 2025" in admin
    assert f'href="/en/barometer/waves/{opened.pk}/"' in change


# --- the wave form ---------------------------------------------------------------------------


def test_the_wave_form_offers_only_barometer_questionnaires_with_translated_labels(
    client, staff_user, barometer_version
):
    maturity = instrument_version_load(path=MATURITY)
    client.force_login(staff_user)

    form = client.get("/fr/barometer/waves/new/").context["form"]
    page = client.get("/fr/barometer/waves/new/").content.decode()

    assert list(form.fields["instrument_version"].queryset) == [barometer_version]
    assert maturity not in form.fields["instrument_version"].queryset
    assert (
        f'<option value="{barometer_version.pk}">'
        "Baromètre Smart Region des communes 2025 (2025)</option>" in page
    )
    assert ">Questionnaire</label>" in page
    assert ">Région</label>" in page
    assert "Instrument version" not in page
    assert ">Region</label>" not in page


def test_a_maturity_questionnaire_posted_anyway_is_refused(client, staff_user, territory):
    maturity = instrument_version_load(path=MATURITY)
    client.force_login(staff_user)

    response = client.post(
        "/en/barometer/waves/new/",
        {
            "title_fr": "Essai",
            "year": 2027,
            "instrument_version": maturity.pk,
            "region": Region.objects.get(refnis="03000").pk,
            "population_date": "2027-01-01",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["instrument_version"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Wave.objects.exists()


def test_staff_pages_show_the_title_in_the_page_language(client, staff_user, wave):
    client.force_login(staff_user)

    german = client.get("/de/barometer/waves/").content.decode()
    dutch = client.get("/nl/barometer/waves/").content.decode()

    assert f'href="/de/barometer/waves/{wave.pk}/" lang="de">Barometer 2025 (DE)</a>' in german
    assert f'href="/nl/barometer/waves/{wave.pk}/" lang="fr">Baromètre 2025</a>' in dutch


# --- opening and late invitations ------------------------------------------------------------


def test_opening_says_exactly_who_was_invited_and_who_has_no_address(
    client, staff_user, wave, django_capture_on_commit_callbacks
):
    Municipality.objects.filter(refnis="92094").update(contact_email="info@namur.example.org")
    Municipality.objects.filter(refnis="62063").update(
        smartcity_contact_email="smart@liege.example.org", contact_email="info@liege.example.org"
    )
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/barometer/waves/{wave.pk}/open/", follow=True)

    assert _messages(response) == [
        "2 communes invited: Liège, Namur.",
        "259 communes could not be invited because they have no contact address: "
        "Aiseau-Presles, Amay, Amblève, Andenne, Anderlues, Anhée, Ans, Anthisnes, Antoing, Arlon "
        "and 249 more. Add their addresses, then invite them from this page.",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "info@namur.example.org",
        "smart@liege.example.org",
    ]
    members = WaveMember.objects.filter(wave=wave)
    assert members.filter(invited_at__isnull=False).count() == 2
    assert members.filter(invited_at__isnull=True, email="").count() == 259


def test_staff_adds_an_address_and_invites_the_missing_communes_later(
    client, staff_user, opened, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)

    client.post(
        "/en/barometer/contacts/62063/",
        {
            "contact_email": "",
            "smartcity_contact_name": "A. Test",
            "smartcity_contact_email": "smart@liege.example.org",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/barometer/waves/{opened.pk}/invite/", follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/en/barometer/waves/{opened.pk}/invite/", follow=True)

    liege = WaveMember.objects.get(wave=opened, municipality__refnis="62063")
    assert _messages(response)[:2] == [
        "Contact addresses of Liège saved.",
        "1 commune invited: Liège.",
    ]
    assert _messages(response)[2].startswith("259 communes could not be invited")
    assert _messages(again)[0] == "No commune was invited."
    assert [m.to for m in mail.outbox] == [["smart@liege.example.org"]]
    assert f"http://testserver/en/barometer/r/{member_token(liege)}/" in mail.outbox[0].body
    assert liege.email == "smart@liege.example.org"
    assert liege.invited_at is not None


def test_reminders_skip_communes_never_invited(client, staff_user, opened):
    client.force_login(staff_user)

    response = client.post(f"/en/barometer/waves/{opened.pk}/remind/", follow=True)

    assert _messages(response) == ["1 reminders sent."]


# --- respondent links ------------------------------------------------------------------------


def test_links_csv_lists_every_communes_working_link_and_neutralises_formulas(
    client, staff_user, opened
):
    WaveMember.objects.filter(wave=opened, municipality__refnis="92094").update(
        email="=HYPERLINK@example.org"
    )
    namur = WaveMember.objects.get(wave=opened, municipality__refnis="92094")
    client.force_login(staff_user)

    response = client.get(f"/en/barometer/waves/{opened.pk}/links.csv")

    lines = response.content.split(b"\r\n")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="links-wave-{opened.pk}.csv"'
    assert lines[0] == b"\xef\xbb\xbfrefnis,commune,email,progress,link"
    aiseau = WaveMember.objects.get(wave=opened, municipality__refnis="52074")
    assert (
        lines[1]
        == (
            f"52074,Aiseau-Presles,,no_address,http://testserver/en/barometer/r/{member_token(aiseau)}/"
        ).encode()
    )
    assert (
        f"92094,Namur,'=HYPERLINK@example.org,not_started,"
        f"http://testserver/en/barometer/r/{member_token(namur)}/"
    ).encode() in lines
    assert len(lines) == 263  # header, 261 communes, the empty string after the last CRLF
    assert WaveLink.objects.filter(token_hash=token_hash(member_token(namur))).count() == 1


def test_a_link_from_the_export_opens_the_communes_questionnaire(client, staff_user, opened):
    client.force_login(staff_user)
    lines = client.get(f"/en/barometer/waves/{opened.pk}/links.csv").content.decode().splitlines()
    link = next(line for line in lines if line.startswith("92094,")).split(",")[-1]
    client.logout()

    page = client.get(link.removeprefix("http://testserver"))

    assert page.status_code == 200
    assert page.context["municipality"].refnis == "92094"


def test_links_page_shows_each_link_in_a_field_to_copy(client, staff_user, opened):
    namur = WaveMember.objects.get(wave=opened, municipality__refnis="92094")
    client.force_login(staff_user)

    page = client.get(f"/en/barometer/waves/{opened.pk}/links/").content.decode()

    assert page.count('<input type="text" readonly id="link-') == 261
    assert (
        f'id="link-92094" value="http://testserver/en/barometer/r/{member_token(namur)}/">' in page
    )


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
def test_links_and_tracking_are_for_staff_only(client, request, opened, who, status):
    _as(client, request, who)

    for url in ("links/", "links.csv", "", "non-respondents.csv"):
        assert client.get(f"/en/barometer/waves/{opened.pk}/{url}").status_code == status
    assert client.post(f"/en/barometer/waves/{opened.pk}/invite/").status_code == (
        302 if who in ("anonymous", "staff_user") else 403
    )


def test_links_of_a_wave_being_prepared_do_not_exist(client, staff_user, wave):
    client.force_login(staff_user)

    assert client.get(f"/en/barometer/waves/{wave.pk}/links/").status_code == 404
    assert client.get(f"/en/barometer/waves/{wave.pk}/links.csv").status_code == 404


# --- tracking --------------------------------------------------------------------------------


def test_tracking_groups_the_communes_by_progress(client, staff_user, opened):
    Municipality.objects.filter(refnis="62063").update(contact_email="info@liege.example.org")
    members = {
        m.municipality.refnis: m
        for m in WaveMember.objects.filter(wave=opened).select_related("municipality")
    }
    Response.objects.create(wave=opened, member=members["92094"])
    Response.objects.create(
        wave=opened, member=members["62063"], status="submitted", submitted_at=opened.opened_at
    )
    client.force_login(staff_user)

    everyone = client.get(f"/en/barometer/waves/{opened.pk}/")
    no_address = client.get(f"/en/barometer/waves/{opened.pk}/?progress=no_address")
    started = client.get(f"/en/barometer/waves/{opened.pk}/?progress=in_progress")

    assert everyone.context["tracking"].counts == {
        "submitted": 1,
        "in_progress": 1,
        "not_started": 0,
        "to_invite": 0,
        "no_address": 259,
    }
    assert len(everyone.context["rows"]) == 261
    assert len(no_address.context["rows"]) == 259
    assert [(m.municipality.refnis, p.value) for m, p in started.context["rows"]] == [
        ("92094", "in_progress")
    ]
    page = no_address.content.decode()
    assert page.count(">Add an address<") == 259


def test_a_commune_given_an_address_after_opening_is_to_invite(client, staff_user, opened):
    Municipality.objects.filter(refnis="62063").update(contact_email="info@liege.example.org")
    client.force_login(staff_user)

    response = client.get(f"/en/barometer/waves/{opened.pk}/?progress=to_invite")

    assert response.context["tracking"].counts["to_invite"] == 1
    assert [m.municipality.refnis for m, _p in response.context["rows"]] == ["62063"]
    page = response.content.decode()
    assert "Invite the communes not invited yet" in page
    assert '<td class="break-anywhere">info@liege.example.org</td>' in page


def test_tracking_runs_a_constant_number_of_queries(
    client, staff_user, opened, django_assert_max_num_queries
):
    client.force_login(staff_user)

    with django_assert_max_num_queries(14):
        client.get(f"/en/barometer/waves/{opened.pk}/")
    with django_assert_max_num_queries(12):
        client.get(f"/en/barometer/waves/{opened.pk}/links/")


# --- the commune's space ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_member", 403),
        ("member", 302),
        ("manager", 302),
        ("staff_user", 403),
    ],
)
def test_the_communes_members_open_its_questionnaire_from_their_space(
    client, request, opened, who, status
):
    _as(client, request, who)
    namur = WaveMember.objects.get(wave=opened, municipality__refnis="92094")

    response = client.get(f"/en/barometer/waves/{opened.pk}/answer/92094/")

    assert response.status_code == status
    if who in ("member", "manager"):
        assert response["Location"] == f"/en/barometer/r/{member_token(namur)}/"


def test_the_space_shows_the_open_wave_with_its_link(client, member, opened):
    client.force_login(member)

    page = client.get("/en/space/92094/").content.decode()

    assert f'href="/en/barometer/waves/{opened.pk}/answer/92094/"' in page
    assert ">Baromètre 2025</h3>" in page
    assert "Change the contact addresses" not in page


def test_the_space_of_a_commune_not_surveyed_shows_no_wave(client, member, wave):
    client.force_login(member)

    page = client.get("/en/space/92094/").content.decode()

    assert "/answer/92094/" not in page
    assert 'id="barometer-heading"' not in page


def test_a_closed_wave_is_no_longer_offered(client, member, opened):
    Wave.objects.filter(pk=opened.pk).update(status="closed")
    client.force_login(member)

    page = client.get("/en/space/92094/").content.decode()

    assert "/answer/92094/" not in page
    assert client.get(f"/en/barometer/waves/{opened.pk}/answer/92094/").status_code == 404


def test_the_managers_space_links_to_the_contacts(client, manager, opened):
    client.force_login(manager)

    page = client.get("/en/space/92094/").content.decode()

    assert (
        'href="/en/barometer/contacts/92094/?next=/en/space/92094/">'
        "Change the contact addresses</a>" in page
    )
    assert "smartcity@namur.example.org" in page


def test_wave_links_are_translated_when_shown_in_german(opened):
    with translation.override("de"):
        assert opened.title == "Barometer 2025 (DE)"
        assert opened.title_lang == "de"
    with translation.override("nl"):
        assert (opened.title, opened.title_lang) == ("Baromètre 2025", "fr")


# --- the questionnaire in the page's language ------------------------------------------------


def _namur_link(wave: Wave, lang: str, rest: str = "") -> str:
    member = WaveMember.objects.get(wave=wave, municipality__refnis="92094")
    return f"/{lang}/barometer/r/{member_token(member)}/{rest}"


def test_on_de_the_questionnaire_is_german(client, opened):
    welcome = client.get(_namur_link(opened, "de")).content.decode()
    section = client.get(_namur_link(opened, "de", "respondent/")).content.decode()

    assert '<h1 lang="fr">Baromètre 2025</h1>' not in welcome  # the wave has a German title
    assert "<h1>Barometer 2025 (DE)</h1>" in welcome
    assert "Jede Welle des Barometers befragt alle Gemeinden" in welcome
    assert "<span>Die antwortende Person</span></h2>" in section
    assert "<span>Welche Funktion haben Sie in der Gemeinde?</span>" in section
    assert ">Schöffe oder Schöffin</label>" in section
    assert 'lang="fr"' not in section.split("<main", 1)[1]


def test_on_nl_the_questionnaire_is_dutch_and_the_french_title_is_marked(client, opened):
    section = client.get(_namur_link(opened, "nl", "respondent/")).content.decode()

    assert '<span lang="fr">Baromètre 2025</span> — Namen</h1>' in section
    assert "<span>Wat is uw functie binnen de gemeente?</span>" in section


def test_a_questionnaire_without_german_is_marked_french_on_de(
    client, territory, django_capture_on_commit_callbacks
):
    version = instrument_version_load(path=ROOT / "instruments/smartregion-barometer/2023.yaml")
    wave = Wave.objects.create(
        title_fr="Baromètre 2023",
        year=2023,
        instrument_version=version,
        region=Region.objects.get(refnis="03000"),
        population_date=dt.date(2025, 1, 1),
    )
    wave_open(wave=wave, link_for=lambda token: token)
    first = version.instrument.sections[0]

    section = client.get(_namur_link(wave, "de", f"{first.code}/")).content.decode()

    assert f'<span lang="fr">{first.text["fr"]}</span></h2>' in section
    assert f'<span lang="fr">{first.questions[0].text["fr"]}</span>' in section


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_leaves_an_open_wave_to_track_remind_and_copy_links_of(
    client, staff_user, territory, django_capture_on_commit_callbacks
):
    from smartregion.barometer.demo import contacts_demo_create, open_wave_demo_create

    contacts = contacts_demo_create()
    wave = open_wave_demo_create()
    assert wave is not None
    again = (contacts_demo_create(), open_wave_demo_create())
    client.force_login(staff_user)
    tracking = client.get(f"/en/barometer/waves/{wave.pk}/").context["tracking"]
    with django_capture_on_commit_callbacks(execute=True):
        reminded = client.post(f"/en/barometer/waves/{wave.pk}/remind/", follow=True)
    links = client.get(f"/en/barometer/waves/{wave.pk}/links.csv").content.decode("utf-8-sig")

    addresses = Municipality.objects.exclude(contact_email="")
    assert again == (0, None)
    assert contacts + 2 == addresses.count() == 261 - tracking.counts["no_address"]
    assert tracking.counts["to_invite"] == 2
    assert all(m.contact_email.endswith(".example.org") for m in addresses)
    assert (wave.status, wave.is_demo, wave.instrument_version.version) == ("open", True, "2025")
    assert sum(tracking.counts.values()) == 261
    assert all(count > 0 for count in tracking.counts.values()), tracking.counts
    not_submitted = tracking.counts["in_progress"] + tracking.counts["not_started"]
    assert _messages(reminded) == [f"{not_submitted} reminders sent."]
    assert len(mail.outbox) == not_submitted
    assert all(m.to[0].endswith(".example.org") for m in mail.outbox)
    assert len(links.splitlines()) == 262
