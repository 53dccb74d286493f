"""An edition's open-data files (CSV, XLSX, Parquet, JSON, Data Package) and its PDF report.

Every file is built from the edition's frozen data only, with fixed timestamps (the publication
date), so the same revision always gives the same bytes. The files are prepared files
(`core.prepared`): publishing an edition queues them (`edition_files_prepare`), a task builds
each one, the download view serves the stored bytes, and the DCAT catalogue announces the size
and SHA-256 of those same stored bytes (`edition_file_ensure`). The PDF is built by a task too,
once per edition revision and language (a prepared file).

The Data Package's texts are in English (the download URLs are language-neutral and field names
are English); the tables' titles and descriptions are stored in French and English in the
descriptor's source texts so the XLSX `_fields` sheet can be either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_noop as N_

from smartregion.core.models import PreparedFile
from smartregion.core.prepared import (
    BuiltFile,
    Progress,
    prepared_file_ensure,
    prepared_file_request,
)
from smartregion.observatory import charts, queries
from smartregion.observatory.models import Edition
from smartregion.opendata import files as opendata
from smartregion.opendata.catalogue import TEXT_LANGUAGES, texts
from smartregion.opendata.types import (
    ContributorInfo,
    FieldInfo,
    FieldType,
    FileFormat,
    PackageInfo,
    SourceInfo,
    TableInfo,
)
from smartregion.territory.models import Municipality

PACKAGE_LANGUAGE = "en"
FieldSpec = tuple[str, FieldType, str, bool]


def _field(name: str, kind: FieldType, description: str, required: bool = False) -> FieldSpec:
    """A column, described by a message translated when the table is built (not at import)."""
    return (name, kind, description, required)


def _infos(specs: tuple[FieldSpec, ...]) -> list[FieldInfo]:
    return [
        FieldInfo(name, kind, {lang: name for lang in TEXT_LANGUAGES}, texts(text), required)
        for name, kind, text, required in specs
    ]


S, INT, F, B = FieldType.STRING, FieldType.INTEGER, FieldType.NUMBER, FieldType.BOOLEAN
COMMON_FIELDS = (
    _field("question", S, N_("Question code; a matrix row is question.row"), True),
    _field("category", S, N_("Answer category, or 'mean' for a numeric question"), True),
    _field(
        "breakdown",
        S,
        N_("Population the figure describes: all, province=REFNIS, population_class=code"),
        True,
    ),
    _field(
        "base",
        S,
        N_("substantive: communes that gave a substantive answer; answered: all that answered"),
    ),
    _field("kind", S, N_("proportion (0 to 1) or mean")),
)
STATISTIC_FIELDS = (
    _field(
        "n_effective",
        F,
        N_("Effective sample size: respondents divided by the design effect (empty if withheld)"),
    ),
    _field(
        "deff",
        F,
        N_(
            "Design effect: variance of the estimate divided by the variance of a simple random "
            "sample of the same number of respondents, with the same finite population correction"
        ),
    ),
    _field("cv", F, N_("Coefficient of variation: se / estimate (empty when the estimate is 0)")),
    _field("ci_width", F, N_("Width of the confidence interval: ci_high - ci_low")),
    _field(
        "variance_fallback",
        B,
        N_(
            "True when the variance within the strata was zero in a sample (not a census) and "
            "the documented fallback gave the interval"
        ),
    ),
    _field(
        "flag",
        S,
        N_("Reliability: reliable, caution (use with caution) or unpublished (see methodology)"),
    ),
    _field(
        "suppression",
        S,
        N_(
            "Why the figures are withheld: empty (published), reliability, respondents (fewer "
            "than the minimum), dominance (confidential question) or complementary (so that "
            "other withheld cells cannot be recomputed)"
        ),
    ),
)
RESULT_FIELDS = (
    *COMMON_FIELDS,
    _field("estimate", F, N_("Weighted estimate over the population of communes")),
    _field("se", F, N_("Standard error of the estimate")),
    _field("ci_low", F, N_("Lower bound of the confidence interval (95 %)")),
    _field("ci_high", F, N_("Upper bound of the confidence interval (95 %)")),
    _field("respondents", INT, N_("Communes whose answers the figure uses")),
    _field("population", INT, N_("Communes in the population the figure describes")),
    _field("unweighted", F, N_("Unweighted share or mean among respondents")),
    _field("unweighted_se", F, N_("Standard error of the unweighted figure")),
    _field("suppressed", B, N_("True when the figures are withheld (see suppression)")),
    _field("strata", INT, N_("Strata used after collapsing")),
    _field("df", INT, N_("Design degrees of freedom: respondents minus strata")),
    _field("method", S, N_("Estimator and interval method")),
    *STATISTIC_FIELDS,
)
TREND_FIELDS = (
    *COMMON_FIELDS,
    _field("comparison", S, N_("independent: all respondents of each wave; panel: both waves")),
    _field("estimate_from", F, N_("Estimate in the previous edition")),
    _field("estimate_to", F, N_("Estimate in this edition")),
    _field("difference", F, N_("Change from the previous edition to this one")),
    _field("se", F, N_("Standard error of the difference")),
    _field("ci_low", F, N_("Lower bound of the confidence interval of the difference (95 %)")),
    _field("ci_high", F, N_("Upper bound of the confidence interval of the difference (95 %)")),
    _field("respondents_from", INT, N_("Respondents in the previous edition")),
    _field("respondents_to", INT, N_("Respondents in this edition")),
    _field("suppressed", B, N_("True when the figures are withheld (see suppression)")),
    _field("df", INT, N_("Design degrees of freedom of the difference")),
    _field("method", S, N_("Estimator and interval method")),
    _field(
        "suppression",
        S,
        N_(
            "Why the figures are withheld: empty (published), respondents, reliability, "
            "dominance or complementary (the reason of the withheld cell of either edition)"
        ),
    ),
)
RATE_FIELDS = (
    _field("breakdown", S, N_("all, province or population_class"), True),
    _field("key", S, N_("REFNIS code of the province or code of the population class")),
    _field("label", S, N_("Name of the group")),
    _field("population", INT, N_("Communes invited")),
    _field("submitted", INT, N_("Communes that submitted their answers")),
    _field("rate", F, N_("Response rate (0 to 1)")),
)
WEIGHTING_FIELDS = (
    _field("cell", S, N_("Weighting cell (strata pooled together), or 'all' for the total"), True),
    _field("provinces", S, N_("REFNIS codes of the provinces in the cell, space-separated")),
    _field("population_classes", S, N_("Codes of the population classes in the cell")),
    _field("population", INT, N_("Communes of the frame in the cell (N)")),
    _field("respondents", INT, N_("Communes of the cell that submitted their answers (n)")),
    _field("weight_min", F, N_("Smallest weight of a respondent in the cell")),
    _field("weight_median", F, N_("Median weight of the respondents (total row only)")),
    _field("weight_max", F, N_("Largest weight of a respondent in the cell")),
    _field("kish", F, N_("Kish weighting effect 1 + CV² of the weights (total row only)")),
    _field(
        "effective_respondents",
        F,
        N_("Respondents divided by the Kish weighting effect (total row only)"),
    ),
    _field("trimmed", INT, N_("Weights cut at the trimming cap (total row only)")),
    _field("raked", B, N_("True when the weights were raked to the margins (total row only)")),
    _field(
        "trim", F, N_("Cap on the weights used for trimming; empty: no trimming (total row only)")
    ),
    _field(
        "min_weighting_cell",
        INT,
        N_("Minimum respondents per weighting cell before pooling (total row only)"),
    ),
)
PUBLIC_ANSWER_FIELDS = (
    _field("refnis", S, N_("REFNIS code of the commune"), True),
    _field("commune", S, N_("Name of the commune (French)")),
    _field("question", S, N_("Question code; a matrix row is question.row"), True),
    _field("value", S, N_("The commune's answer; one row per selected option"), True),
)


def _rows(records: list[dict[str, Any]], fields: tuple[FieldSpec, ...]) -> list[dict[str, Any]]:
    names = [f[0] for f in fields]
    return [{name: record.get(name) for name in names} for record in records]


def _rate_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"breakdown": kind, **rate}
        for kind in ("all", "province", "population_class")
        for rate in data["rates"].get(kind, [])
    ]


def weighting_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The weighting report as a table: the total first, then one row per weighting cell (none
    for a revision published before the report was recorded)."""
    report = data.get("weighting")
    if not report:
        return []
    weights = report.get("weights") or {}
    total = {
        "cell": "all",
        "population": report.get("population"),
        "respondents": report.get("respondents"),
        "weight_min": weights.get("min"),
        "weight_median": weights.get("median"),
        "weight_max": weights.get("max"),
        "kish": report.get("kish"),
        "effective_respondents": report.get("effective_respondents"),
        "trimmed": report.get("trimmed"),
        "raked": report.get("raked"),
        "trim": report.get("trim"),
        "min_weighting_cell": report.get("min_weighting_cell"),
    }
    cells = [
        {
            "cell": cell.get("label"),
            "provinces": " ".join(cell.get("provinces") or []),
            "population_classes": " ".join(cell.get("classes") or []),
            "population": cell.get("population"),
            "respondents": cell.get("respondents"),
            "weight_min": cell.get("weight_min"),
            "weight_max": cell.get("weight_max"),
        }
        for cell in report.get("cells", [])
    ]
    return _rows([total, *cells], WEIGHTING_FIELDS)


def _public_answer_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Long format like the estimate CLI's input: one row per selected option or matrix row."""
    answers = data["public_answers"]
    refnis_codes = {refnis for by_commune in answers.values() for refnis in by_commune}
    names = dict(
        Municipality.objects.filter(refnis__in=refnis_codes).values_list("refnis", "name_fr")
    )
    rows = []
    for question in sorted(answers):
        for refnis, value in sorted(answers[question].items()):
            for code, item in _long(question, value):
                rows.append(
                    {
                        "refnis": refnis,
                        "commune": names.get(refnis, ""),
                        "question": code,
                        "value": item,
                    }
                )
    return rows


def _long(question: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [(f"{question}.{row}", str(cell)) for row, cell in value.items()]
    if isinstance(value, list):
        return [(question, str(item)) for item in value]
    return [(question, str(value))]


def edition_tables(edition: Edition) -> list[TableInfo]:
    data = edition.data
    return [
        TableInfo(
            "results",
            texts(N_("Estimates")),
            texts(N_("Every question × category × breakdown, weighted for non-response")),
            _infos(RESULT_FIELDS),
            _rows(data["results"], RESULT_FIELDS),
            ("question", "category", "breakdown"),
        ),
        TableInfo(
            "trends",
            texts(N_("Trends")),
            texts(N_("Changes since the previous edition on the questions both asked")),
            _infos(TREND_FIELDS),
            _rows(data["trends"], TREND_FIELDS),
            ("question", "category", "breakdown", "comparison"),
        ),
        TableInfo(
            "rates",
            texts(N_("Response rates")),
            texts(N_("Communes invited and communes that submitted, overall and by group")),
            _infos(RATE_FIELDS),
            _rate_rows(data),
            ("breakdown", "key"),
        ),
        TableInfo(
            "weighting",
            texts(N_("Weighting report")),
            texts(N_("Weighting cells, their communes, respondents and weights")),
            _infos(WEIGHTING_FIELDS),
            weighting_rows(data),
        ),
        TableInfo(
            "public-answers",
            texts(N_("Public answers by commune")),
            texts(N_("Answers to the questions whose individual answers may be published")),
            _infos(PUBLIC_ANSWER_FIELDS),
            _public_answer_rows(data),
        ),
    ]


def package_info(edition: Edition, homepage: str | None = None) -> PackageInfo:
    platform = settings.SMARTREGION.get("PLATFORM_NAME", "Smart Region")
    publisher = getattr(settings, "SMARTREGION_PUBLISHER_NAME", platform)
    return PackageInfo(
        name=f"{edition.slug}-r{edition.revision}",
        titles={"fr": edition.title_fr, "en": edition.title_en or edition.title_fr},
        descriptions={
            "fr": edition.methodology_fr.split("\n\n", 1)[0],
            "en": edition.methodology_en.split("\n\n", 1)[0],
        },
        version=f"{edition.year}.{edition.revision}",
        revision=edition.revision,
        created=edition.published_at,
        homepage=homepage,
        keywords={
            "fr": ["baromètre", "communes", "territoire intelligent"],
            "en": ["barometer", "municipalities", "smart region"],
        },
        sources=[SourceInfo({"fr": edition.title_fr, "en": edition.title_en or edition.title_fr})],
        contributors=[ContributorInfo(publisher, "publisher")],
    )


def _descriptor(edition: Edition) -> dict[str, Any]:
    tables = edition_tables(edition)
    descriptor = opendata.build_datapackage(
        package_info(edition), tables, language=PACKAGE_LANGUAGE
    )
    descriptor["checksum"] = f"sha256:{edition.checksum}"
    descriptor["demo"] = edition.is_demo
    return descriptor


def _table(edition: Edition, name: str) -> TableInfo:
    return next(t for t in edition_tables(edition) if t.name == name)


def _csv(name: str) -> Callable[[Edition], bytes]:
    return lambda edition: opendata.table_to_csv(_table(edition, name))


def _xlsx(edition: Edition) -> bytes:
    return opendata.tables_to_xlsx(
        edition_tables(edition), language=PACKAGE_LANGUAGE, created=edition.published_at
    )


def _package_zip(edition: Edition) -> bytes:
    descriptor = _descriptor(edition)
    files = {opendata.DESCRIPTOR_NAME: opendata.descriptor_bytes(descriptor)}
    for table in edition_tables(edition):
        files[opendata.resource_path(table)] = opendata.table_to_csv(table)
    return opendata.build_zip(files)


@dataclass(frozen=True)
class Download:
    name: str
    format: FileFormat
    media_type: str
    build: Callable[[Edition], bytes]
    title: str
    """English title, marked for translation; pages show it translated."""


DOWNLOADS: dict[str, Download] = {
    d.name: d
    for d in (
        Download("results.csv", FileFormat.CSV, "text/csv; charset=utf-8", _csv("results"),
                 N_("Estimates (CSV)")),
        Download(
            "results.xlsx",
            FileFormat.XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            lambda e: _xlsx(e),
            N_("All tables (Excel workbook)"),
        ),
        Download("results.parquet", FileFormat.PARQUET, "application/vnd.apache.parquet",
                 lambda e: opendata.table_to_parquet(_table(e, "results")),
                 N_("Estimates (Parquet)")),
        Download("results.json", FileFormat.JSON, "application/json",
                 lambda e: opendata.table_to_json(_table(e, "results")), N_("Estimates (JSON)")),
        Download("trends.csv", FileFormat.CSV, "text/csv; charset=utf-8", _csv("trends"),
                 N_("Trends (CSV)")),
        Download("rates.csv", FileFormat.CSV, "text/csv; charset=utf-8", _csv("rates"),
                 N_("Response rates (CSV)")),
        Download("weighting.csv", FileFormat.CSV, "text/csv; charset=utf-8", _csv("weighting"),
                 N_("Weighting report (CSV)")),
        Download("public-answers.csv", FileFormat.CSV, "text/csv; charset=utf-8",
                 _csv("public-answers"), N_("Public answers by commune (CSV)")),
        Download("datapackage.json", FileFormat.JSON, "application/json",
                 lambda e: opendata.descriptor_bytes(_descriptor(e)),
                 N_("Data Package descriptor (JSON)")),
        Download("package.zip", FileFormat.ZIP, "application/zip", _package_zip,
                 N_("Data Package: descriptor and CSV tables (ZIP)")),
    )
}  # fmt: skip
ALIASES = {opendata.resource_path(TableInfo(name, {}, {}, (), ())): f"{name}.csv"
           for name in ("results", "trends", "rates", "weighting", "public-answers")}  # fmt: skip
"""`data/results.csv` etc.: the paths `datapackage.json` names, so the descriptor downloaded on
its own resolves its resources next to it."""


def download_for(name: str) -> Download | None:
    return DOWNLOADS.get(ALIASES.get(name, name))


def file_name(edition: Edition, download: Download) -> str:
    return f"{edition.slug}-r{edition.revision}-{download.name}"


FILE_BUILDER = "smartregion.observatory.exports.edition_file_build"


def _prepared(edition: Edition, download: Download) -> dict[str, Any]:
    """One file of one revision: a revision never changes, its checksum is the state."""
    family = f"observatory.file:{edition.pk}:{download.name}"
    return {
        "key": f"{family}:{edition.checksum[:16]}",
        "family": family,
        "builder": FILE_BUILDER,
        "params": {"edition_id": edition.pk, "name": download.name},
    }


def edition_file_request(edition: Edition, download: Download) -> PreparedFile:
    """The file, queued for building if nobody asked for it before (for the download view)."""
    return prepared_file_request(**_prepared(edition, download))


def edition_file_ensure(edition: Edition, download: Download) -> PreparedFile:
    """The file, built now if it is not yet (for tasks: the catalogue measures what is served)."""
    return prepared_file_ensure(**_prepared(edition, download))


def edition_files_prepare(*, edition: Edition) -> None:
    """Queue every file of a new edition revision (built once its publication commits)."""
    for download in DOWNLOADS.values():
        edition_file_request(edition, download)


def edition_file_build(*, progress: Progress, edition_id: int, name: str) -> BuiltFile:
    """The builder of an edition's file (run by `core.tasks.prepared_file_build`)."""
    edition = Edition.objects.get(pk=edition_id)
    download = DOWNLOADS[name]
    content = download.build(edition)
    return BuiltFile(content, download.media_type, file_name(edition, download))


# ---------------------------------------------------------------------------------------------
# PDF report
# ---------------------------------------------------------------------------------------------


REPORT_BUILDER = "smartregion.observatory.exports.report_pdf_file"


def report_pdf_request(edition: Edition, language: str) -> PreparedFile:
    """The edition's PDF in `language`, built once per revision (its checksum) in the background."""
    family = f"observatory.report:{edition.pk}:{language}"
    return prepared_file_request(
        key=f"{family}:{edition.checksum[:16]}",
        family=family,
        builder=REPORT_BUILDER,
        params={"edition_id": edition.pk, "language": language},
    )


def report_pdf_file(*, progress: Progress, edition_id: int, language: str) -> BuiltFile:
    """The prepared file's builder (runs in a task)."""
    edition = Edition.objects.get(pk=edition_id)
    return BuiltFile(
        content=_render_pdf(edition, language, progress),
        content_type="application/pdf",
        filename=f"{edition.slug}-r{edition.revision}-{language}.pdf",
    )


def _render_pdf(edition: Edition, language: str, progress: Progress) -> bytes:
    """The edition's report as the page shows it: key findings, who answered, then each section
    with its questions' charts and tables, the methodology last; a table of contents with page
    numbers (CSS `target-counter`) opens it."""
    import weasyprint  # noqa: PLC0415 - heavy optional dependency, only needed here

    data = edition.data
    with translation.override(language):
        sections = queries.section_figures(data, language)
        total = max(sum(len(section.questions) for section in sections), 1)
        done = 0
        report = []
        for section in sections:
            charted = []
            for question in section.questions:
                chart = charts.svg(edition.pk, edition.checksum, data, question.code, language)
                charted.append((question, chart))
                done += 1
                progress(80 * done // total)
            report.append((section, charted))
        html = render_to_string(
            "observatory/report_pdf.html",
            {
                "edition": edition,
                "language": language,
                "methodology": edition.methodology_en
                if language == "en"
                else edition.methodology_fr,
                "findings": queries.key_findings(data, language),
                "province_rates": queries.rates(data, "province", language),
                "class_rates": queries.rates(data, "population_class", language),
                "overall": queries.rates(data, "all", language)[0],
                "sections": report,
            },
        )
    stylesheet = finders.find("observatory/report.css")
    stylesheets = [weasyprint.CSS(filename=stylesheet)] if stylesheet else []
    progress(85)
    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf(stylesheets=stylesheets)


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report embeds every chart inline; nothing may reach the network."""
    raise ValueError(f"the PDF report does not load external resources ({url})")
