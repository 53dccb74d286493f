"""The footer pages every public-sector site has: accessibility statement, legal notice, privacy
notice, contact. Their facts about the operator come from settings (environment variables)."""

from __future__ import annotations

import re

import pytest
from django.core.checks import run_checks
from django.test import Client, override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db

OPERATOR = {
    "SMARTREGION_OPERATOR_NAME": "Centre de référence Smart Region",
    "SMARTREGION_OPERATOR_ADDRESS": "Rue de Bruxelles 61\n5000 Namur",
    "SMARTREGION_OPERATOR_EMAIL": "info@centre.example.be",
    "SMARTREGION_OPERATOR_PHONE": "+32 81 00 00 00",
    "SMARTREGION_OPERATOR_COMPANY_NUMBER": "0245.123.456",
    "SMARTREGION_HOST_NAME": "Hébergeur SA",
    "SMARTREGION_HOST_ADDRESS": "Avenue des Serveurs 1, 1000 Bruxelles",
    "SMARTREGION_PRIVACY_EMAIL": "dpo@centre.example.be",
    "SMARTREGION_ACCESSIBILITY_EMAIL": "accessibilite@centre.example.be",
    "SMARTREGION_ACCESSIBILITY_STATEMENT_DATE": "2026-12-01",
    "SMARTREGION_ACCESSIBILITY_REVIEW_DATE": "2027-01-15",
    "SMARTREGION_LOG_RETENTION_DAYS": 90,
}
PAGES = {
    "accessibility": ("/en/accessibility/", "Accessibility statement"),
    "legal": ("/en/legal-notice/", "Legal notice"),
    "privacy": ("/en/privacy/", "Privacy notice"),
    "contact": ("/en/contact/", "Contact"),
}


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _footer_links(html: str) -> list[tuple[str, str]]:
    footer = html[html.index('<footer class="site-footer">') :]
    nav = footer[: footer.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)


def test_every_page_links_the_four_footer_pages(client):
    response = client.get("/en/")

    assert _footer_links(response.content.decode()) == [
        ("/en/accessibility/", "Accessibility"),
        ("/en/legal-notice/", "Legal notice"),
        ("/en/privacy/", "Privacy"),
        ("/en/contact/", "Contact"),
    ]


def test_the_footer_marks_the_page_being_read(client):
    html = client.get("/en/privacy/").content.decode()

    footer = html[html.index('<footer class="site-footer">') :]
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', footer) == ["/en/privacy/"]


@pytest.mark.parametrize("page", PAGES)
def test_a_footer_page_has_its_title_and_the_operator_from_settings(client, page):
    url, title = PAGES[page]
    with override_settings(**OPERATOR):
        response = client.get(url)
    html = response.content.decode()

    assert response.status_code == 200
    assert re.findall(r"<h1[^>]*>([^<]+)</h1>", html) == [title]
    assert "Centre de référence Smart Region" in _text(html)


def test_the_accessibility_statement_gives_status_dates_contact_delay_and_enforcement(client):
    with override_settings(**OPERATOR):
        text = _text(client.get("/en/accessibility/").content.decode())

    assert "This site is partially compliant with the Web Content Accessibility Guidelines" in text
    assert "WCAG) 2.1, level AA" in text
    assert "prepared on Dec. 1, 2026 and last reviewed on Jan. 15, 2027" in text
    assert "Email: accessibilite@centre.example.be" in text
    assert "within 5 working days and answer it within 30 days" in text
    assert "Le Médiateur de la Wallonie et de la Fédération Wallonie-Bruxelles" in text
    assert "Rue Lucien Namèche 54, 5000 Namur" in text


def test_the_accessibility_statement_lists_its_known_limitations(client):
    html = client.get("/en/accessibility/").content.decode()

    section = html[html.index('id="limitations-heading"') : html.index('id="method-heading"')]
    assert section.count("<li>") == 6


def test_the_legal_notice_names_publisher_host_and_licences(client):
    with override_settings(**OPERATOR):
        html = client.get("/en/legal-notice/").content.decode()
    text = _text(html)

    assert "Rue de Bruxelles 61 5000 Namur" in text
    assert "Company number: 0245.123.456" in text
    assert "Hébergeur SA Avenue des Serveurs 1, 1000 Bruxelles" in text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert "published under the EUPL-1.2 licence" in text  # pyproject.toml's licence


def test_the_legal_notice_without_a_host_says_it_is_given_on_request(client):
    text = _text(client.get("/en/legal-notice/").content.decode())

    assert "The publisher gives the name and address of the host on request." in text


def test_the_privacy_notice_states_retention_from_settings_rights_and_the_authority(client):
    with override_settings(**OPERATOR, SESSION_COOKIE_AGE=7 * 86_400):
        text = _text(client.get("/en/privacy/").content.decode())

    assert "Until you sign out, at most 7 days" in text
    assert "90 days" in text
    assert "failed sign-in attempts 5 minutes" in text  # SMARTREGION_LOGIN_FAILURES_WINDOW: 300 s
    assert "Article 6(1)(e)" in text
    for right in ("(access)", "(rectification)", "(erasure)", "(portability)"):
        assert right in text
    assert "write to dpo@centre.example.be" in text
    assert "Data Protection Authority" in text and "Rue de la Presse 35, 1000 Bruxelles" in text


def test_the_privacy_notice_links_account_settings_only_when_they_exist(client):
    from django.urls import NoReverseMatch, reverse

    try:
        with translation.override("en"):
            settings_url = reverse("accounts:settings")
    except NoReverseMatch:
        settings_url = None
    html = client.get("/en/privacy/").content.decode()

    links = re.findall(r'<a href="([^"]+)">account settings</a>', html)
    assert links == ([settings_url] if settings_url else [])


def test_the_contact_page_gives_address_email_and_phone(client):
    with override_settings(**OPERATOR):
        html = client.get("/en/contact/").content.decode()

    assert 'href="mailto:info@centre.example.be"' in html
    assert 'href="tel:+3281000000"' in html
    assert 'href="mailto:accessibilite@centre.example.be"' in html
    assert 'href="mailto:dpo@centre.example.be"' in html


def test_footer_pages_are_translated_pages_under_each_language(client):
    response = client.get("/fr/accessibility/")

    assert (response.status_code, response.headers["Content-Language"]) == (200, "fr")


def test_a_production_deployment_with_placeholder_operator_settings_is_warned():
    with override_settings(DEBUG=False, TESTING=False):
        warnings = [message.id for message in run_checks() if message.id.startswith("smartregion")]
        with override_settings(**OPERATOR):
            configured = [m.id for m in run_checks() if m.id.startswith("smartregion")]

    assert warnings == ["smartregion.site.W001"] * 3
    assert configured == []


# --- the contact form ---------------------------------------------------------------------------

MESSAGE = {
    "name": "Anne Dupont",
    "email": "anne.dupont@commune.example.be",
    "subject": "Diagnostic de maturité",
    "message": "Bonjour, comment inviter notre directeur général ?",
}


def test_a_contact_message_is_mailed_to_the_operator_with_the_visitor_as_reply_to(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with override_settings(**OPERATOR), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/contact/", MESSAGE)

    assert (response.status_code, response["Location"]) == (302, "/en/contact/")
    assert [(m.to, m.reply_to, m.subject) for m in mailoutbox] == [
        (["info@centre.example.be"], [MESSAGE["email"]], "[Smart Region] Diagnostic de maturité")
    ]
    assert mailoutbox[0].body == (
        "Anne Dupont <anne.dupont@commune.example.be>\n\n"
        "Bonjour, comment inviter notre directeur général ?"
    )
    page = client.get("/en/contact/").content.decode()
    assert "Thank you: your message was sent." in page


def test_a_contact_message_with_a_wrong_email_is_a_form_error_and_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/contact/", {**MESSAGE, "email": "anne.dupont"})

    html = response.content.decode()
    assert (response.status_code, mailoutbox) == (200, [])
    assert re.findall(r'<input type="email" name="email"[^>]*aria-invalid="true"', html) != []
    assert "Enter a valid email address." in html


@override_settings(SMARTREGION_CONTACT_LIMIT=2)
def test_contact_messages_past_the_limit_are_refused_with_429(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post("/en/contact/", MESSAGE).status_code for _ in range(3)]
    refused = client.post("/en/contact/", MESSAGE).content.decode()

    assert (statuses, len(mailoutbox)) == ([302, 302, 429], 2)
    assert "Too many messages from your connection: please try again later." in refused


def test_the_contact_page_is_not_cached_so_each_visitor_gets_a_fresh_form_token(client):
    first = client.get("/en/contact/")
    second = Client().get("/en/contact/")

    tokens = [
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode())
        for r in (first, second)
    ]
    assert tokens[0] != tokens[1]
