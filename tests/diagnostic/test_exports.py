"""Downloads of a diagnostic: PDF report, CSV and JSON; permissions and exact content."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from smartregion.diagnostic.exports import CSV_HEADER
from smartregion.diagnostic.models import Diagnostic
from tests.factories import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def low(instrument_version, namur) -> Diagnostic:
    targets = {"gov": 3, "data": 4}
    return submitted(
        namur,
        instrument_version,
        0.0,
        targets=targets,
        horizon_year=timezone.localdate().year + 2,
    )


def _url(diagnostic: Diagnostic, name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(f"diagnostic:{name}", kwargs={"pk": diagnostic.pk, **kwargs})


ROUTES = [("pdf", {}), ("export", {"fmt": "csv"}), ("export", {"fmt": "json"})]


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), ROUTES)
def test_download_anonymous_is_sent_to_login(client, low, name, kwargs):
    response = client.get(_url(low, name, **kwargs))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "kwargs"), ROUTES)
def test_download_member_of_another_commune_is_denied(client, low, other_member, name, kwargs):
    client.force_login(other_member)

    assert client.get(_url(low, name, **kwargs)).status_code == 403


@pytest.mark.parametrize("who", ["member", "manager", "staff_user"])
@pytest.mark.parametrize(("name", "kwargs"), [ROUTES[1], ROUTES[2]])
def test_download_allowed_roles_get_the_file(client, low, who, name, kwargs, request):
    client.force_login(request.getfixturevalue(who))

    response = client.get(_url(low, name, **kwargs))

    assert response.status_code == 200
    extension = kwargs["fmt"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="diagnostic-namur-2026.{extension}"'
    )


def test_download_unknown_format_is_404(client, low, member):
    client.force_login(member)

    assert client.get(_url(low, "export", fmt="xlsx")).status_code == 404


@pytest.mark.parametrize(("name", "kwargs"), ROUTES)
def test_download_of_a_draft_is_404(client, draft, member, name, kwargs):
    client.force_login(member)

    assert client.get(_url(draft, name, **kwargs)).status_code == 404


def test_download_unknown_diagnostic_is_404(client, member):
    client.force_login(member)

    assert (
        client.get(reverse("diagnostic:export", kwargs={"pk": 99999, "fmt": "csv"})).status_code
        == 404
    )


# --- CSV --------------------------------------------------------------------------------------


def test_csv_has_bom_exact_header_and_one_row_per_domain_plus_overall(
    client, low, member, instrument
):
    client.force_login(member)

    response = client.get(_url(low, "export", fmt="csv"))
    body = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith("\ufeff")
    assert (
        tuple(rows[0])
        == CSV_HEADER
        == (
            "code",
            "name",
            "score",
            "level",
            "target",
            "coverage",
            "dont_know",
            "not_applicable",
        )
    )
    assert [row[0] for row in rows[1:]] == [d.code for d in instrument.dimensions] + ["overall"]
    gov = rows[1]
    stored = low.result["dimensions"]["gov"]
    assert gov == [
        "gov",
        "Governance and policy",
        "0.0",
        "1",
        "3",
        f"{stored['coverage']:.3f}",
        str(len(stored["dont_know"])),
        str(len(stored["not_applicable"])),
    ]
    assert rows[-1][:5] == ["overall", "Overall", f"{low.overall_score:.1f}", "1", ""]


def test_csv_names_follow_the_language(client, low, member):
    client.force_login(member)

    body = client.get(_url(low, "export", lang="fr", fmt="csv")).content.decode("utf-8")

    assert "\r\ngov,Gouvernance et politique,0.0,1,3," in body
    assert body.splitlines()[-1].startswith("overall,")


# --- JSON -------------------------------------------------------------------------------------


def test_json_has_exact_keys_and_values(client, low, member):
    client.force_login(member)

    data = json.loads(client.get(_url(low, "export", fmt="json")).content)

    assert set(data) == {
        "commune",
        "year",
        "instrument",
        "status",
        "submitted_at",
        "is_demo",
        "horizon_year",
        "result",
        "targets",
        "recommendations",
        "answers",
    }
    assert data["commune"] == {"refnis": "92094", "name": "Namur"}
    assert data["instrument"] == {"slug": "smartregion-maturity", "version": "2026"}
    assert (data["year"], data["status"], data["is_demo"]) == (2026, "submitted", False)
    assert data["targets"] == {"data": 4, "gov": 3}
    assert data["result"] == low.result
    assert set(data["result"]["dimensions"]["gov"]) == {
        "score",
        "level",
        "coverage",
        "answered",
        "applicable",
        "dont_know",
        "not_applicable",
    }
    assert "gov_write_strategy" in data["recommendations"]
    assert data["answers"]["gov_strategy"] == "none"


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "manager", "staff_user"])
def test_pdf_is_a_real_pdf_naming_the_commune(client, low, who, request, fetch_prepared):
    client.force_login(request.getfixturevalue(who))

    response = fetch_prepared(client, _url(low, "pdf"))

    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="diagnostic-namur-2026.pdf"'
    assert content.startswith(b"%PDF")
    assert len(content) > 5_000


def test_pdf_page_says_the_report_is_being_prepared(client, low, member):
    client.force_login(member)

    response = client.get(_url(low, "pdf"))

    html = response.content.decode()
    assert response.status_code == 202
    assert "<h1>Your file is being prepared</h1>" in html
    assert "“The diagnostic report of Namur, 2026 (PDF)” takes a moment to build." in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Maturity diagnostic 2026: Namur",
                "Governance and policy",
                "Recommendations",
                "Write down a smart territory strategy",
            ],
        ),
        (
            "fr",
            [
                "Namur",
                "Gouvernance et politique",
                "Formaliser une stratégie de territoire intelligent",
            ],
        ),
    ],
)
def test_pdf_text_is_in_the_users_language(
    client, low, member, lang, expected, tmp_path, fetch_prepared
):
    client.force_login(member)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"".join(fetch_prepared(client, _url(low, "pdf", lang=lang)).streaming_content))

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    for fragment in expected:
        assert fragment in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_labels_demo_data(client, instrument_version, namur, member, tmp_path, fetch_prepared):
    diagnostic = submitted(namur, instrument_version, 0.5, is_demo=True)
    client.force_login(member)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"".join(fetch_prepared(client, _url(diagnostic, "pdf")).streaming_content))

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    assert "Demonstration data" in text


def test_pdf_is_rendered_once_until_the_diagnostic_or_its_peers_change(
    client, low, member, fetch_prepared
):
    from unittest import mock

    from smartregion.diagnostic import exports
    from smartregion.diagnostic.services import targets_set

    client.force_login(member)
    with mock.patch.object(exports, "results_pdf", wraps=exports.results_pdf) as render:
        first = b"".join(fetch_prepared(client, _url(low, "pdf")).streaming_content)
        again = client.get(_url(low, "pdf"))
        second = b"".join(again.streaming_content)
        targets_set(diagnostic=low, targets={"gov": 4}, horizon_year=None)
        fetch_prepared(client, _url(low, "pdf"))

    assert (again.status_code, first == second) == (200, True)
    assert render.call_count == 2
