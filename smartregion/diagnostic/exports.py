"""Downloads of a submitted diagnostic: CSV and JSON for reuse, PDF for the commune's file.

CSV choices: comma separator, dot decimals, UTF-8 with a byte-order mark. The comma is the
RFC 4180 separator that every data tool (pandas, R, LibreOffice, open-data portals) reads without
options; our numbers use a decimal point, so a comma never clashes with them. The BOM makes Excel
open the file as UTF-8 (accented domain names stay intact); Excel in a French or Belgian locale
then splits the columns through Data › From Text, which is the trade-off we accept rather than
shipping a locale-dependent `;` file that other tools misread.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib.staticfiles import finders
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from smartregion.core.models import PreparedFile
from smartregion.core.prepared import BuiltFile, Progress, prepared_file_request, state_key
from smartregion.core.spreadsheet import csv_writer

from .models import Diagnostic
from .results import ResultsView, build_results, diagnostic_for_results

CSV_HEADER = (
    "code",
    "name",
    "score",
    "level",
    "target",
    "coverage",
    "dont_know",
    "not_applicable",
)
BOM = "\ufeff"


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{round(value, digits):.{digits}f}"


def results_csv(view: ResultsView) -> str:
    """One row per domain, then an `overall` row; empty cells where there is no value."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for domain in view.domains:
        writer.writerow(
            (
                domain.code,
                domain.name,
                _number(domain.score, 1),
                domain.level or "",
                domain.target or "",
                _number(domain.coverage, 3),
                domain.dont_know,
                domain.not_applicable,
            )
        )
    writer.writerow(
        (
            "overall",
            _overall_name(view),
            _number(view.overall, 1),
            view.overall_level or "",
            "",
            _number(view.coverage, 3),
            sum(d.dont_know for d in view.domains),
            sum(d.not_applicable for d in view.domains),
        )
    )
    return BOM + buffer.getvalue()


def _overall_name(view: ResultsView) -> str:
    return _("Overall")


def results_json(view: ResultsView) -> dict[str, Any]:
    """The full result: frozen scores, targets, triggered recommendations and the answers."""
    diagnostic = view.diagnostic
    municipality = diagnostic.municipality
    return {
        "commune": {"refnis": municipality.refnis, "name": municipality.name},
        "year": diagnostic.year,
        "instrument": {
            "slug": diagnostic.instrument_version.slug,
            "version": diagnostic.instrument_version.version,
        },
        "status": diagnostic.status,
        "submitted_at": diagnostic.submitted_at.isoformat() if diagnostic.submitted_at else None,
        "is_demo": diagnostic.is_demo,
        "horizon_year": diagnostic.horizon_year,
        "result": diagnostic.result,
        "targets": dict(sorted(view.targets.items())),
        "recommendations": [r.code for r in view.recommendations],
        "answers": dict(sorted(view.answers.items())),
    }


def download_name(view: ResultsView, extension: str) -> str:
    """`diagnostic-namur-2026.pdf`: the commune's French name, folded to ASCII."""
    diagnostic = view.diagnostic
    name = slugify(diagnostic.municipality.name_fr) or diagnostic.municipality.refnis
    return f"diagnostic-{name}-{diagnostic.year}.{extension}"


def results_pdf(view: ResultsView) -> bytes:
    """The report as PDF: the HTML template through WeasyPrint (imported here: optional)."""
    import weasyprint  # noqa: PLC0415 - optional dependency, only needed for this download

    html = render_to_string(
        "diagnostic/report_pdf.html", {"view": view, "generated_at": timezone.now()}
    )
    stylesheet = finders.find("diagnostic/report.css")
    stylesheets = [weasyprint.CSS(filename=stylesheet)] if stylesheet else []
    document = weasyprint.HTML(string=html, url_fetcher=_no_fetch)
    return document.write_pdf(stylesheets=stylesheets)


PDF_BUILDER = "smartregion.diagnostic.exports.results_pdf_file"


def results_pdf_request(diagnostic: Diagnostic, language: str) -> PreparedFile:
    """The report, built in the background once per diagnostic state and language.

    The key changes when the diagnostic changes (targets, publication) and when any commune
    submits a diagnostic (the peer comparison), so a prepared report is never stale.
    """
    peers = Diagnostic.objects.filter(status=Diagnostic.Status.SUBMITTED).aggregate(
        latest=Max("submitted_at")
    )["latest"]
    state = f"{diagnostic.updated_at.isoformat()}|{peers.isoformat() if peers else ''}"
    family = f"diagnostic.report:{diagnostic.pk}:{language}"
    return prepared_file_request(
        key=state_key(family, state),
        family=family,
        builder=PDF_BUILDER,
        params={"diagnostic_id": diagnostic.pk, "language": language},
    )


def results_pdf_file(*, progress: Progress, diagnostic_id: int, language: str) -> BuiltFile:
    """The prepared report's builder (runs in a task, in the language of whoever asked)."""
    diagnostic = diagnostic_for_results(diagnostic_id)
    if diagnostic is None:
        raise ValueError(f"diagnostic {diagnostic_id} no longer exists")
    with translation.override(language):
        view = build_results(diagnostic, language)
        progress(30)
        content = results_pdf(view)
    return BuiltFile(
        content=content, content_type="application/pdf", filename=download_name(view, "pdf")
    )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report embeds everything it shows; never let a link in content reach the network."""
    raise ValueError(f"the PDF report does not load external resources ({url})")
