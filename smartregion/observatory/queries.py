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

from smartregion.observatory import charts
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


@dataclass(frozen=True)
class Figure:
    """One estimate as shown: percentages already ×100 when `percent`."""

    label: str
    estimate: float | None
    low: float | None
    high: float | None
    respondents: int
    unweighted: float | None
    suppressed: bool
    percent: bool
    special: bool = False


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


def _figure(question: dict[str, Any], row: dict[str, Any], language: str) -> Figure:
    percent = row.get("kind") == "proportion"
    return Figure(
        label=item_label(question, row, language),
        estimate=_scaled(row["estimate"], percent),
        low=_scaled(row["ci_low"], percent),
        high=_scaled(row["ci_high"], percent),
        respondents=row["respondents"],
        unweighted=_scaled(row["unweighted"], percent),
        suppressed=bool(row["suppressed"]) or row["estimate"] is None,
        percent=percent,
        special=row["category"] in SPECIAL_CATEGORIES,
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
    """Labels of a breakdown's groups (`province` or `population_class`) by key."""
    labels = {}
    with translation.override(language):
        unknown = _("Unknown") if kind == "population_class" else _("No province")
    group_rates = data["rates"].get(kind, [])
    names = _group_names(kind, {rate["key"] for rate in group_rates if rate["key"]}, language)
    for rate in group_rates:
        key = rate["key"] or ("unknown" if kind == "population_class" else "none")
        labels[key] = names.get(rate["key"]) or rate["label"] or unknown
    labels.setdefault("unknown" if kind == "population_class" else "none", unknown)
    return labels


def _group_names(kind: str, keys: set[str], language: str) -> dict[str, str]:
    """Group names in the page's language: an edition freezes them in French when published."""
    if not keys:
        return {}
    if kind == "province":
        return {
            p.refnis: pick_name(p.names, language) for p in Province.objects.filter(refnis__in=keys)
        }
    classes = PopulationClass.objects.filter(code__in=keys)
    return {c.code: getattr(c, f"label_{language}", "") or c.label_fr for c in classes}


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
                figures.append(Figure("", None, None, None, 0, None, True, False))
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
            )
        )
    return found


def question_figures(data: dict[str, Any], code: str, language: str) -> QuestionFigures | None:
    """Everything the question page and the report show about one question."""
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
            group_labels(data, "province", language),
            language,
        ),
        classes=_breakdown(
            question,
            grouped,
            columns,
            "population_class",
            group_labels(data, "population_class", language),
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


@dataclass(frozen=True)
class Rate:
    label: str
    population: int
    submitted: int
    rate: float


def rates(data: dict[str, Any], kind: str, language: str) -> list[Rate]:
    labels = group_labels(data, kind, language)
    fallback = "unknown" if kind == "population_class" else "none"
    return [
        Rate(
            labels.get(r["key"] or fallback, r["label"]),
            r["population"],
            r["submitted"],
            r["rate"] * 100,
        )
        for r in data["rates"].get(kind, [])
    ]


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
