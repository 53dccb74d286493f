"""Reads of published editions: which edition a URL names, and the figures its pages show.

A page reads one frozen edition (one query, its JSON included) and shapes the figures from that
JSON in Python, so the number of queries never depends on the number of questions, rows or
communes. The helpers that shape figures take the edition's `data` and return small dataclasses
the templates print as they are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smartregion.observatory import charts, findings
from smartregion.observatory.models import Edition
from smartregion.territory import svgmap
from smartregion.territory.maps import region_choropleth
from smartregion.territory.models import Municipality, PopulationClass, Province
from smartregion.territory.names import pick_name

PROPORTION_TYPES = ("single_choice", "yes_no", "multiple_choice")
SINGLE_TYPES = ("single_choice", "yes_no")
SPECIAL_CATEGORIES = ("dont_know", "not_applicable")
LISTED_FIELDS = (
    "id",
    "slug",
    "revision",
    "year",
    "title_fr",
    "title_en",
    "published_at",
    "is_demo",
    "checksum",
)
# The barometer's headline figures: (question, category). A figure the edition lacks is skipped,
# so another instrument simply shows fewer headlines.
HEADLINES = (
    ("strategy_formal", "yes"),
    ("engaged", "structured"),
    ("team", "team"),
    ("open_data", "regularly"),
)


# ---------------------------------------------------------------------------------------------
# Editions
# ---------------------------------------------------------------------------------------------


def editions_listed() -> list[Edition]:
    """Every published revision, newest edition first, without the heavy JSON."""
    return list(Edition.objects.only(*LISTED_FIELDS).order_by("-year", "slug", "-revision"))


def edition_get(slug: str, revision: int | None = None) -> Edition | None:
    """One revision (the latest when `revision` is None) with `latest_revision` annotated."""
    editions = (
        Edition.objects.filter(slug=slug)
        .select_related("wave__region")
        .annotate(latest_revision=Subquery(_latest_of_slug()))
    )
    if revision is not None:
        editions = editions.filter(revision=revision)
    return editions.order_by("-revision").first()


def edition_latest() -> Edition | None:
    return (
        Edition.objects.select_related("wave__region")
        .annotate(latest_revision=Subquery(_latest_of_slug()))
        .order_by("-year", "-published_at", "-revision")
        .first()
    )


def _latest_of_slug():
    return (
        Edition.objects.filter(slug=OuterRef("slug")).order_by("-revision").values("revision")[:1]
    )


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def _text(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("fr") or ""


def is_proportion(question: dict[str, Any]) -> bool:
    return question["type"] in PROPORTION_TYPES


def _scaled(value: float | None, percent: bool) -> float | None:
    if value is None:
        return None
    return value * 100 if percent else value


# Why a figure is withheld (CONTRACT `suppression`), as the reader is told.
SUPPRESSION_REASONS = ("respondents", "complementary", "reliability", "dominance")


def suppression_text(reason: str | None, min_cell: int = 5) -> str:
    """The reader's words for a withheld figure's reason (translated in the active language)."""
    if reason == "complementary":
        return _("hidden to protect another cell")
    if reason == "reliability":
        return _("too imprecise to publish")
    if reason == "dominance":
        return _("one answer dominates")
    return _("fewer than %(count)s communes") % {"count": min_cell}


@dataclass(frozen=True)
class Figure:
    """One estimate as shown: percentages already ×100 when `percent`; `flag` and `suppression`
    are the edition's reliability flag and withholding reason (CONTRACT), `cv` a percentage."""

    label: str
    estimate: float | None
    low: float | None
    high: float | None
    respondents: int
    unweighted: float | None
    suppressed: bool
    percent: bool
    special: bool = False
    flag: str = "reliable"
    suppression: str | None = None
    n_effective: float | None = None
    deff: float | None = None
    cv: float | None = None

    @property
    def caution(self) -> bool:
        return not self.suppressed and self.flag == "caution"

    @property
    def reason(self) -> str:
        """Why the figure is withheld, in words ("" when published)."""
        return suppression_text(self.suppression) if self.suppressed else ""


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    figures: list[Figure]


@dataclass(frozen=True)
class BreakdownTable:
    columns: list[str]
    rows: list[BreakdownRow]

    @property
    def has_suppressed(self) -> bool:
        return any(f.suppressed for row in self.rows for f in row.figures)

    @property
    def has_caution(self) -> bool:
        return any(f.caution for row in self.rows for f in row.figures)

    @property
    def reasons(self) -> list[str]:
        return _reasons(f for row in self.rows for f in row.figures)


def _reasons(figures) -> list[str]:
    """The distinct withholding reasons of some figures, in words, in a fixed order."""
    found = {f.suppression or "respondents" for f in figures if f.suppressed}
    return [suppression_text(r) for r in SUPPRESSION_REASONS if r in found]


@dataclass(frozen=True)
class TrendFigure:
    label: str
    comparison: str
    estimate_from: float | None
    estimate_to: float | None
    difference: float | None
    low: float | None
    high: float | None
    respondents_from: int
    respondents_to: int
    suppressed: bool
    percent: bool
    suppression: str | None = None

    @property
    def reason(self) -> str:
        return suppression_text(self.suppression) if self.suppressed else ""

    @property
    def significant(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > 0 or self.high < 0


@dataclass
class QuestionFigures:
    code: str
    text: str
    section: str
    type: str
    public: bool
    percent: bool
    figures: list[Figure]
    provinces: BreakdownTable
    classes: BreakdownTable
    trends: list[TrendFigure] = field(default_factory=list)
    trend_status: str = "none"
    """`first` (no previous edition), `new` (not asked before: not comparable) or `compared`."""

    @property
    def has_suppressed(self) -> bool:
        return (
            any(f.suppressed for f in self.figures)
            or self.provinces.has_suppressed
            or self.classes.has_suppressed
            or any(t.suppressed for t in self.trends)
        )

    @property
    def overall_caution(self) -> bool:
        return any(f.caution for f in self.figures)

    @property
    def overall_reasons(self) -> list[str]:
        return _reasons(self.figures)

    @property
    def has_caution(self) -> bool:
        return (
            any(f.caution for f in self.figures)
            or self.provinces.has_caution
            or self.classes.has_caution
        )

    @property
    def reasons(self) -> list[str]:
        """Every withholding reason on the page, in words (the tables' legend)."""
        rows = [f for row in self.provinces.rows + self.classes.rows for f in row.figures]
        return _reasons([*self.figures, *rows, *self.trends])


def item_label(question: dict[str, Any], row: dict[str, Any], language: str) -> str:
    """What one result row is about: a category, a matrix row, or the question's mean."""
    if question["type"] == "matrix":
        row_code = row["question"].split(".", 1)[1]
        return next(
            (_text(r["text"], language) for r in question["rows"] if r["code"] == row_code),
            row_code,
        )
    if row["category"] == "mean" or row.get("kind") == "mean":
        with translation.override(language):
            return _("Mean")
    return charts.category_label(question, row["category"], language)


def _percent_of(value: float | None) -> float | None:
    return None if value is None else value * 100


def _figure(question: dict[str, Any], row: dict[str, Any], language: str) -> Figure:
    percent = row.get("kind") == "proportion"
    flag = row.get("flag") or "reliable"
    suppressed = bool(row["suppressed"]) or row["estimate"] is None or flag == "unpublished"
    return Figure(
        label=item_label(question, row, language),
        estimate=_scaled(row["estimate"], percent),
        low=_scaled(row["ci_low"], percent),
        high=_scaled(row["ci_high"], percent),
        respondents=row["respondents"],
        unweighted=_scaled(row["unweighted"], percent),
        suppressed=suppressed,
        percent=percent,
        special=row["category"] in SPECIAL_CATEGORIES,
        flag=flag,
        suppression=(row.get("suppression") or "respondents") if suppressed else None,
        n_effective=row.get("n_effective"),
        deff=row.get("deff"),
        cv=_percent_of(row.get("cv")),
    )


def _item_key(row: dict[str, Any]) -> tuple[str, str]:
    return row["question"], row["category"]


def _results_by_breakdown(data: dict[str, Any], code: str) -> dict[str, list[dict]]:
    prefix = f"{code}."
    grouped: dict[str, list[dict]] = {}
    for row in data["results"]:
        if row["question"] == code or row["question"].startswith(prefix):
            grouped.setdefault(row["breakdown"], []).append(row)
    return grouped


def group_labels(data: dict[str, Any], kind: str, language: str) -> dict[str, str]:
    """Labels of a breakdown's groups (`province` or `population_class`) by key, in display
    order: provinces as the edition lists them, population classes by size (their minimum
    population, not their text: "Moins de 5 000" before "5 000 à 9 999"), unknown last."""
    labels = {}
    fallback = "unknown" if kind == "population_class" else "none"
    with translation.override(language):
        unknown = _("Unknown") if kind == "population_class" else _("No province")
    group_rates = data["rates"].get(kind, [])
    names, order = _group_names(
        kind, {rate["key"] for rate in group_rates if rate["key"]}, language
    )
    for rate in group_rates:
        key = rate["key"] or fallback
        labels[key] = names.get(rate["key"]) or rate["label"] or unknown
    labels.setdefault(fallback, unknown)
    if kind == "population_class":
        last = float("inf")
        ranked = sorted(enumerate(labels), key=lambda item: (order.get(item[1], last), item[0]))
        labels = {key: labels[key] for _index, key in ranked}
    return labels


def _group_names(
    kind: str, keys: set[str], language: str
) -> tuple[dict[str, str], dict[str, float]]:
    """Group names in the page's language (an edition freezes them in French when published),
    and for population classes their rank (minimum population)."""
    if not keys:
        return {}, {}
    if kind == "province":
        provinces = Province.objects.filter(refnis__in=keys)
        return {p.refnis: pick_name(p.names, language) for p in provinces}, {}
    classes = PopulationClass.objects.filter(code__in=keys).order_by("-min_population")
    names = {c.code: getattr(c, f"label_{language}", "") or c.label_fr for c in classes}
    return names, {c.code: float(c.min_population) for c in classes}


def _breakdown(
    question: dict[str, Any],
    grouped: dict[str, list[dict]],
    columns: list[tuple[str, str]],
    kind: str,
    labels: dict[str, str],
    language: str,
) -> BreakdownTable:
    rows = []
    for key, label in labels.items():
        found = {_item_key(r): r for r in grouped.get(f"{kind}={key}", [])}
        if not found:
            continue
        figures = []
        for item in columns:
            row = found.get(item)
            if row is None:
                figures.append(Figure("", None, None, None, 0, None, True, False))  # not asked
            else:
                figures.append(_figure(question, row, language))
        rows.append(BreakdownRow(label, figures))
    return BreakdownTable(
        columns=[_column_label(question, item, grouped, language) for item in columns], rows=rows
    )


def _column_label(
    question: dict[str, Any], item: tuple[str, str], grouped: dict[str, list[dict]], language: str
) -> str:
    row = {"question": item[0], "category": item[1], "kind": "mean" if item[1] == "mean" else ""}
    return item_label(question, row, language)


def trend_figures(
    data: dict[str, Any], question: dict[str, Any], language: str
) -> list[TrendFigure]:
    prefix = f"{question['code']}."
    found = []
    for row in data["trends"]:
        if row["breakdown"] != "all":
            continue
        if not (row["question"] == question["code"] or row["question"].startswith(prefix)):
            continue
        percent = row["kind"] == "proportion"
        found.append(
            TrendFigure(
                label=item_label(question, row, language),
                comparison=row["comparison"],
                estimate_from=_scaled(row["estimate_from"], percent),
                estimate_to=_scaled(row["estimate_to"], percent),
                difference=_scaled(row["difference"], percent),
                low=_scaled(row["ci_low"], percent),
                high=_scaled(row["ci_high"], percent),
                respondents_from=row["respondents_from"] or 0,
                respondents_to=row["respondents_to"] or 0,
                suppressed=bool(row["suppressed"]) or row["difference"] is None,
                percent=percent,
                suppression=row.get("suppression") or "respondents",
            )
        )
    return found


def question_figures(
    data: dict[str, Any],
    code: str,
    language: str,
    labels: dict[str, dict[str, str]] | None = None,
) -> QuestionFigures | None:
    """Everything the question page and the report show about one question; `labels`: the
    groups' labels by breakdown kind when the caller already has them (`group_labels`)."""
    question = charts.question_of(data, code)
    if question is None:
        return None
    grouped = _results_by_breakdown(data, code)
    overall = grouped.get("all", [])
    columns = [_item_key(r) for r in overall]
    trends = trend_figures(data, question, language)
    status = "first" if data.get("previous") is None else ("compared" if trends else "new")
    return QuestionFigures(
        code=code,
        text=_text(question["text"], language),
        section=_text(question["section"], language),
        type=question["type"],
        public=bool(question["public"]),
        percent=is_proportion(question),
        figures=[_figure(question, r, language) for r in overall],
        provinces=_breakdown(
            question,
            grouped,
            columns,
            "province",
            labels["province"] if labels else group_labels(data, "province", language),
            language,
        ),
        classes=_breakdown(
            question,
            grouped,
            columns,
            "population_class",
            labels["population_class"]
            if labels
            else group_labels(data, "population_class", language),
            language,
        ),
        trends=trends,
        trend_status=status,
    )


@dataclass(frozen=True)
class QuestionLink:
    code: str
    text: str
    public: bool


@dataclass(frozen=True)
class Section:
    title: str
    questions: list[QuestionLink]


def sections(data: dict[str, Any], language: str) -> list[Section]:
    """The edition's questions grouped by section, in questionnaire order."""
    grouped: dict[str, list[QuestionLink]] = {}
    for q in data["questions"]:
        link = QuestionLink(q["code"], _text(q["text"], language), bool(q["public"]))
        grouped.setdefault(_text(q["section"], language), []).append(link)
    return [Section(title, links) for title, links in grouped.items()]


@dataclass(frozen=True)
class QuestionSummary:
    """A question as the edition page shows it: its overall figures, under its chart."""

    code: str
    text: str
    public: bool
    type: str
    percent: bool
    figures: list[Figure]
    has_chart: bool

    @property
    def has_caution(self) -> bool:
        return any(f.caution for f in self.figures)

    @property
    def has_suppressed(self) -> bool:
        return any(f.suppressed for f in self.figures)

    @property
    def reasons(self) -> list[str]:
        return _reasons(self.figures)


@dataclass(frozen=True)
class SectionFigures:
    title: str
    questions: list[QuestionSummary]


def section_figures(data: dict[str, Any], language: str) -> list[SectionFigures]:
    """The edition's questions by section, each with its overall figures (one pass over the
    results, whatever their number)."""
    overall: dict[str, list[dict]] = {}
    for row in data["results"]:
        if row["breakdown"] == "all":
            overall.setdefault(row["question"].split(".", 1)[0], []).append(row)
    grouped: dict[str, list[QuestionSummary]] = {}
    for q in data["questions"]:
        rows = overall.get(q["code"], [])
        summary = QuestionSummary(
            code=q["code"],
            text=_text(q["text"], language),
            public=bool(q["public"]),
            type=q["type"],
            percent=is_proportion(q),
            figures=[_figure(q, r, language) for r in rows],
            has_chart=any(not _figure(q, r, language).suppressed for r in rows),
        )
        grouped.setdefault(_text(q["section"], language), []).append(summary)
    return [SectionFigures(title, questions) for title, questions in grouped.items()]


# ---------------------------------------------------------------------------------------------
# The trend over every edition of a survey
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    label: str
    figures: list[Figure | None]  # one per year of `History.years`; None: not asked that year


@dataclass(frozen=True)
class History:
    years: list[int]
    rows: list[HistoryRow]
    points: list[dict[str, Any]]  # for the chart

    @property
    def has_caution(self) -> bool:
        return any(f is not None and f.caution for row in self.rows for f in row.figures)

    @property
    def reasons(self) -> list[str]:
        return _reasons(f for row in self.rows for f in row.figures if f is not None)


def edition_series(edition: Edition) -> list[Edition]:
    """Every edition of the same survey up to this one, oldest first: the latest revision of
    each earlier year published by then, and this very revision (one query). Real editions are
    never mixed with demonstration ones."""
    family = edition.slug.removesuffix(f"-{edition.year}")
    earlier = (
        Edition.objects.filter(
            slug__startswith=f"{family}-",
            is_demo=edition.is_demo,
            year__lt=edition.year,
            published_at__lte=edition.published_at,
        )
        .only("id", "slug", "revision", "year", "data")
        .order_by("year", "-revision")
    )
    latest: dict[int, Edition] = {}
    for item in earlier:
        if item.slug == f"{family}-{item.year}":
            latest.setdefault(item.year, item)
    return [*latest.values(), edition]


def question_history(series: list[Edition], code: str, language: str) -> History | None:
    """A question's overall figures in every edition of `series` that asked it."""
    cells: dict[str, dict[int, Figure]] = {}
    years = []
    points = []
    for item in series:
        question = charts.question_of(item.data, code)
        if question is None:
            continue
        years.append(item.year)
        for row in charts.rows_for(item.data, code):
            if question["type"] in ("scale", "number", "matrix") and row["kind"] != "mean":
                continue
            if row["category"] in SPECIAL_CATEGORIES:
                continue
            figure = _figure(question, row, language)
            cells.setdefault(figure.label, {})[item.year] = figure
            points.append(_point(item.year, figure, row))
    if len(years) < 2:
        return None
    rows = [HistoryRow(label, [by_year.get(y) for y in years]) for label, by_year in cells.items()]
    return History(years=years, rows=rows, points=points)


def _point(year: int, figure: Figure, row: dict[str, Any]) -> dict[str, Any]:
    shown = not figure.suppressed
    return {
        "year": str(year),
        "label": figure.label,
        "estimate": row["estimate"] if shown else None,
        "low": row["ci_low"] if shown else None,
        "high": row["ci_high"] if shown else None,
        "flag": figure.flag,
        "mark": charts.CAUTION_MARK if figure.caution else "",
    }


@dataclass(frozen=True)
class Headline:
    code: str
    label: str
    question: str
    estimate: float
    low: float
    high: float
    respondents: int
    difference: float | None
    diff_low: float | None
    diff_high: float | None
    previous_year: int | None


def headlines(data: dict[str, Any], language: str) -> list[Headline]:
    """A handful of key shares with their interval and the change since the previous edition."""
    results = {
        (r["question"], r["category"]): r for r in data["results"] if r["breakdown"] == "all"
    }
    trends = {
        (r["question"], r["category"]): r
        for r in data["trends"]
        if r["breakdown"] == "all" and r["comparison"] == "independent"
    }
    previous = data.get("previous") or {}
    found = []
    for code, category in HEADLINES:
        row = results.get((code, category))
        question = charts.question_of(data, code)
        if row is None or question is None or row["suppressed"] or row["estimate"] is None:
            continue
        trend = trends.get((code, category))
        if trend is not None and (trend["suppressed"] or trend["difference"] is None):
            trend = None  # no change to show
        found.append(
            Headline(
                code=code,
                label=charts.category_label(question, category, language),
                question=_text(question["text"], language),
                estimate=row["estimate"] * 100,
                low=row["ci_low"] * 100,
                high=row["ci_high"] * 100,
                respondents=row["respondents"],
                difference=trend["difference"] * 100 if trend is not None else None,
                diff_low=trend["ci_low"] * 100 if trend is not None else None,
                diff_high=trend["ci_high"] * 100 if trend is not None else None,
                previous_year=previous.get("year"),
            )
        )
    return found


# ---------------------------------------------------------------------------------------------
# Key findings
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFinding:
    code: str
    sentence: str
    reason: str
    edited: bool


def _change_clause(item: dict[str, Any]) -> str:
    year = item.get("previous_year")
    if item.get("difference") is None or year is None:
        return "."
    if not item.get("significant"):
        return _(", no significant change since %(year)s.") % {"year": year}
    change = findings.points(item["difference"])
    if change > 0:
        return ngettext(
            ", up %(change)s point since %(year)s.",
            ", up %(change)s points since %(year)s.",
            change,
        ) % {"change": change, "year": year}
    return ngettext(
        ", down %(change)s point since %(year)s.",
        ", down %(change)s points since %(year)s.",
        -change,
    ) % {"change": -change, "year": year}


def finding_sentence(data: dict[str, Any], item: dict[str, Any], language: str) -> str:
    """The generated sentence of a finding in `language`, from its stored figures."""
    question = charts.question_of(data, item["question"]) or {"text": {}, "categories": []}
    with translation.override(language):
        main = _(
            "%(estimate)s %% of communes answered “%(answer)s” to “%(question)s” "
            "(95 %% CI %(low)s–%(high)s %%)"
        ) % {
            "estimate": findings.points(item["estimate"]),
            "answer": charts.category_label(question, item["category"], language),
            "question": _text(question["text"], language) or item["question"],
            "low": findings.points(item["ci_low"]),
            "high": findings.points(item["ci_high"]),
        }
        return main + _change_clause(item)


def edition_findings(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored findings; for an edition published before findings existed, the rule's."""
    stored = data.get("findings")
    return stored if stored is not None else findings.select(data, HEADLINES)


def key_findings(data: dict[str, Any], language: str) -> list[KeyFinding]:
    """The edition's key findings as sentences in `language` (the analyst's text if edited)."""
    found = []
    for item in edition_findings(data):
        edited = (item.get("text") or {}).get(language, "").strip()
        found.append(
            KeyFinding(
                code=item["question"].split(".", 1)[0],
                sentence=edited or finding_sentence(data, item, language),
                reason=item.get("reason", ""),
                edited=bool(edited),
            )
        )
    return found


@dataclass(frozen=True)
class Rate:
    label: str
    population: int
    submitted: int
    rate: float


def rates(data: dict[str, Any], kind: str, language: str) -> list[Rate]:
    labels = group_labels(data, kind, language)
    fallback = "unknown" if kind == "population_class" else "none"
    found = [
        Rate(
            labels.get(r["key"] or fallback, r["label"]),
            r["population"],
            r["submitted"],
            r["rate"] * 100,
        )
        for r in data["rates"].get(kind, [])
    ]
    if kind == "population_class":  # the groups' display order (by size)
        rank = {label: index for index, label in enumerate(labels.values())}
        found.sort(key=lambda rate: rank.get(rate.label, len(rank)))
    return found


# ---------------------------------------------------------------------------------------------
# Public answers by commune: map, table by commune, table by province
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendItem:
    css_class: str
    label: str
    count: int


@dataclass(frozen=True)
class CommuneAnswer:
    refnis: str
    name: str
    province: str
    answer: str
    css_class: str


@dataclass(frozen=True)
class MapShape:
    refnis: str
    name: str
    path: str
    answer: str
    css_class: str


@dataclass
class AnswerMap:
    """The public answers of one question: a choropleth when outlines exist, and tables."""

    view_box: str
    shapes: list[MapShape]
    legend: list[LegendItem]
    communes: list[CommuneAnswer]
    province_columns: list[str]
    province_rows: list[tuple[str, list[int]]]
    mapped: bool

    @property
    def has_shapes(self) -> bool:
        return bool(self.shapes)


def _answer_text(question: dict[str, Any], value: Any, language: str) -> str:
    if isinstance(value, list):
        return ", ".join(charts.category_label(question, str(v), language) for v in value)
    if isinstance(value, dict):
        labels = {r["code"]: _text(r["text"], language) for r in question.get("rows", [])}
        return "; ".join(f"{labels.get(k, k)}: {v}" for k, v in value.items())
    if question["type"] in SINGLE_TYPES:
        return charts.category_label(question, str(value), language)
    return str(value)


def _answer_classes(
    question: dict[str, Any], answers: dict[str, Any], language: str
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A CSS class per commune and the legend's (class, label), or nothing if not mappable."""
    if question["type"] in SINGLE_TYPES:
        codes = [c["code"] for c in question["categories"]]
        codes += sorted({str(v) for v in answers.values()} - set(codes))
        css = {code: f"answer-{index}" for index, code in enumerate(codes)}
        classes = {refnis: css[str(value)] for refnis, value in answers.items()}
        legend = [(css[code], charts.category_label(question, code, language)) for code in codes]
        return classes, legend
    if question["type"] in ("number", "scale"):
        numbers = {r: float(v) for r, v in answers.items() if isinstance(v, int | float)}
        breaks = svgmap.class_breaks(list(numbers.values()), 5)
        classes = {r: f"fill-{svgmap.class_of(v, breaks)}" for r, v in numbers.items()}
        bounds = [min(numbers.values()), *breaks, max(numbers.values())] if numbers else []
        legend = [
            (f"fill-{i}", f"{bounds[i]:g} – {bounds[i + 1]:g}") for i in range(len(bounds) - 1)
        ]
        return classes, legend
    return {}, []


def answer_map(edition: Edition, code: str, language: str) -> AnswerMap | None:
    """The public answers of a public question, by commune; None for a confidential question."""
    data = edition.data
    question = charts.question_of(data, code)
    if question is None or not question["public"]:
        return None
    answers = data["public_answers"].get(code, {})
    classes, legend_entries = _answer_classes(question, answers, language)
    with translation.override(language):
        no_answer = _("No published answer")
        communes = {
            m.refnis: m
            for m in Municipality.objects.filter(refnis__in=list(answers)).select_related(
                "province"
            )
        }
        choropleth = region_choropleth(edition.wave.region, "population")
        shapes = [
            MapShape(
                item.municipality.refnis,
                item.municipality.name,
                item.path,
                _answer_text(question, answers[item.municipality.refnis], language)
                if item.municipality.refnis in answers
                else no_answer,
                classes.get(item.municipality.refnis, "no-data"),
            )
            for item in choropleth.items
        ]
        rows = [
            CommuneAnswer(
                refnis,
                communes[refnis].name if refnis in communes else refnis,
                _province_name(communes.get(refnis)),
                _answer_text(question, value, language),
                classes.get(refnis, ""),
            )
            for refnis, value in answers.items()
        ]
        rows.sort(key=lambda row: (row.name.casefold(), row.refnis))
    counts = Counter(classes.values())
    legend = [LegendItem(css, label, counts.get(css, 0)) for css, label in legend_entries]
    if shapes and classes:
        legend.append(
            LegendItem("no-data", no_answer, sum(1 for s in shapes if s.css_class == "no-data"))
        )
    province_columns, province_rows = _by_province(question, answers, communes, language)
    return AnswerMap(
        view_box=choropleth.view_box,
        shapes=shapes if classes else [],
        legend=legend,
        communes=rows,
        province_columns=province_columns,
        province_rows=province_rows,
        mapped=bool(classes),
    )


def _province_name(municipality: Municipality | None) -> str:
    if municipality is None or municipality.province is None:
        return "—"
    return municipality.province.name


def _by_province(
    question: dict[str, Any],
    answers: dict[str, Any],
    communes: dict[str, Municipality],
    language: str,
) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """How many communes gave each answer, by province (single-choice questions only)."""
    if question["type"] not in SINGLE_TYPES:
        return [], []
    codes = [c["code"] for c in question["categories"]]
    codes += sorted({str(v) for v in answers.values()} - set(codes))
    counts: dict[tuple[str, str], Counter] = {}
    for refnis, value in answers.items():
        municipality = communes.get(refnis)
        province = municipality.province if municipality else None
        key = (province.refnis if province else "", _province_name(municipality))
        counts.setdefault(key, Counter())[str(value)] += 1
    columns = [charts.category_label(question, code, language) for code in codes]
    rows = [(key[1], [counts[key].get(code, 0) for code in codes]) for key in sorted(counts)]
    return columns, rows
