"""Charts and the methodology note of an edition.

Each chart is a Vega-Lite specification built from the edition's frozen figures; the same spec is
rendered to SVG on the server (vl-convert) for the page and the PDF, so pages need no JavaScript
and the figures in the picture are exactly those in the data table beside it.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
BRAND = "#0a5c55"
ALL = "all"


def _text(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("fr") or ""


def question_of(data: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((q for q in data["questions"] if q["code"] == code), None)


def category_label(question: dict[str, Any], code: str, language: str) -> str:
    for category in question.get("categories", []):
        if category["code"] == code:
            return _text(category["text"], language)
    with translation.override(language):
        return {"dont_know": _("Don't know"), "not_applicable": _("Not applicable")}.get(code, code)


def rows_for(data: dict[str, Any], code: str, breakdown: str = ALL) -> list[dict[str, Any]]:
    """The results of one question (matrix rows included) in one breakdown, in engine order."""
    prefix = f"{code}."
    return [
        row
        for row in data["results"]
        if (row["question"] == code or row["question"].startswith(prefix))
        and row["breakdown"] == breakdown
    ]


def _values(data: dict[str, Any], question: dict[str, Any], language: str) -> list[dict]:
    values = []
    numeric = question["type"] in ("scale", "number", "matrix")
    for row in rows_for(data, question["code"]):
        if row["suppressed"] or row["estimate"] is None:
            continue
        if numeric and row["kind"] != "mean":
            continue  # a mean and a share of "don't know" never share an axis
        if question["type"] == "matrix":
            row_code = row["question"].split(".", 1)[1]
            label = next(
                (_text(r["text"], language) for r in question["rows"] if r["code"] == row_code),
                row_code,
            )
        elif row["kind"] == "mean" or row["category"] == "mean":
            label = _text(question["text"], language)
        else:
            label = category_label(question, row["category"], language)
        values.append(
            {
                "label": label,
                "estimate": row["estimate"],
                "low": row["ci_low"],
                "high": row["ci_high"],
            }
        )
    return values


def spec(data: dict[str, Any], code: str, language: str) -> dict[str, Any] | None:
    """A horizontal bar chart of the estimates with their 95 % confidence intervals."""
    question = question_of(data, code)
    if question is None:
        return None
    values = _values(data, question, language)
    proportion = question["type"] in ("single_choice", "yes_no", "multiple_choice")
    axis = {"format": ".0%"} if proportion else {}
    with translation.override(language):
        x_title = _("Share of communes (confidence interval at 95 %)") if proportion else _("Mean")
    x = {"field": "estimate", "type": "quantitative", "title": x_title, "axis": axis}
    if proportion:
        x["scale"] = {"domain": [0, 1]}
    y = {
        "field": "label",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelLimit": 260},
    }
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": 420,
        "height": {"step": 26},
        "data": {"values": values},
        "encoding": {"y": y},
        "layer": [
            {"mark": {"type": "bar", "color": BRAND}, "encoding": {"x": x}},
            {
                "mark": {"type": "rule", "color": "#1b2631", "strokeWidth": 1.5},
                "encoding": {
                    "x": {"field": "low", "type": "quantitative"},
                    "x2": {"field": "high"},
                },
            },
        ],
        "config": {"font": "DejaVu Sans", "view": {"stroke": None}},
    }


def svg(edition_pk: int, checksum: str, data: dict[str, Any], code: str, language: str) -> str:
    """The chart as SVG, rendered once per process and edition (editions never change)."""
    key = f"edition-chart:{edition_pk}:{checksum[:16]}:{language}:{code}"
    rendered = cache.get(key)
    if rendered is None:
        chart = spec(data, code, language)
        rendered = _render(chart) if chart and chart["data"]["values"] else ""
        cache.set(key, rendered, timeout=None)
    return rendered


def _render(chart: dict[str, Any]) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart)


def methodology(language: str, data: dict[str, Any]) -> str:
    """A short methodology note, in FR or EN, with this edition's own response figures and
    options; the edition's methodology page gives the formulas, the rules and the references."""
    overall = data["rates"]["all"][0]
    used = data.get("statistics") or {}
    with translation.override(language):
        return "\n\n".join(
            [
                _(
                    "Population: the %(population)s communes of the region on the wave's "
                    "reference date. %(submitted)s submitted their answers (%(rate)s %%)."
                )
                % {
                    "population": overall["population"],
                    "submitted": overall["submitted"],
                    "rate": round(100 * overall["rate"]),
                },
                _(
                    "Who answered is not who exists: small communes and some provinces answer "
                    "less often. Each figure is therefore weighted so that the respondents of "
                    "each weighting cell (province × population class, short cells pooled with "
                    "the most similar one) stand for all its communes, and estimated with the "
                    "stratified estimator and a finite population correction."
                ),
                _methodology_intervals(used),
                _(
                    "Each figure carries its effective sample size, design effect, coefficient "
                    "of variation and a reliability flag; figures from too few communes, or that "
                    "would let a withheld figure be recomputed, are not published. The edition's "
                    "methodology page gives the formulas, the rules and their thresholds, and "
                    "the references; its weighting report gives the cells and the weights."
                ),
            ]
        )


def _methodology_intervals(used: dict[str, Any]) -> str:
    method = used.get("ci_method")
    confidence = round(100 * used.get("confidence", 0.95))
    if method == "korn-graubard":
        return _(
            "Confidence intervals (%(confidence)s %%) of shares are Korn–Graubard intervals "
            "(Clopper–Pearson with the effective sample size and the design degrees of freedom); "
            "those of means use Student's t with the design degrees of freedom."
        ) % {"confidence": confidence}
    if method == "wilson":
        return _(
            "Confidence intervals (%(confidence)s %%) of shares are Wilson intervals with the "
            "effective sample size; those of means use Student's t with the design degrees of "
            "freedom."
        ) % {"confidence": confidence}
    if method == "normal":
        return _("Confidence intervals (%(confidence)s %%) use the normal approximation.") % {
            "confidence": confidence
        }
    if method == "logit":
        return _(
            "Confidence intervals (%(confidence)s %%) of shares use Student's t on the logit "
            "scale, with the design degrees of freedom; those of means use Student's t."
        ) % {"confidence": confidence}
    return _(
        "Confidence intervals (%(confidence)s %%) use Student's t with the design degrees of "
        "freedom (respondents minus strata)."
    ) % {"confidence": confidence}
