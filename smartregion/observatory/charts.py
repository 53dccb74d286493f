"""Charts and the methodology note of an edition.

Each chart is a Vega-Lite specification built from the edition's frozen figures; the same spec is
rendered to SVG on the server (vl-convert) for the page and the PDF, so pages need no JavaScript
and the figures in the picture are exactly those in the data table beside it.
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
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


PROPORTION_TYPES = ("single_choice", "yes_no", "multiple_choice")
CAUTION_MARK = "‡"
CAUTION_FILL = "#a7cdc8"  # with a dashed brand-colour outline: 3:1 against white (WCAG 1.4.11)
PALETTE = ["#0a5c55", "#b3541e", "#3b4cc0", "#7a3e9d", "#5c6b00", "#a1134a", "#1f6fb2", "#6b4f2a"]
LABEL_WIDTH = 24  # characters per line of a wrapped label: the chart fits a 390 px phone
PLOT_WIDTH = 170


def wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """A label broken into lines (never truncated); the axis splits it on newlines."""
    return "\n".join(textwrap.wrap(text, width)) or text


def is_proportion(question: dict[str, Any]) -> bool:
    return question["type"] in PROPORTION_TYPES


def mark_text(row: dict[str, Any], percent: bool) -> str:
    """The figure written beside its bar: the estimate with its flag, or "—" when withheld."""
    if _withheld(row):
        return "—"
    value = f"{row['estimate'] * 100:.0f} %" if percent else f"{row['estimate']:.1f}"
    return f"{value} {CAUTION_MARK}" if row.get("flag") == "caution" else value


def _withheld(row: dict[str, Any]) -> bool:
    return bool(row["suppressed"]) or row["estimate"] is None or row.get("flag") == "unpublished"


def _label(question: dict[str, Any], row: dict[str, Any], language: str) -> str:
    if question["type"] == "matrix":
        row_code = row["question"].split(".", 1)[1]
        return next(
            (_text(r["text"], language) for r in question["rows"] if r["code"] == row_code),
            row_code,
        )
    if row["kind"] == "mean" or row["category"] == "mean":
        return _text(question["text"], language)
    return category_label(question, row["category"], language)


def _charted(question: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if question["type"] in ("scale", "number", "matrix"):
        return [r for r in rows if r["kind"] == "mean"]  # a mean and a share never share an axis
    return rows


def _value(row: dict[str, Any], label: str, percent: bool) -> dict[str, Any]:
    withheld = _withheld(row)
    return {
        "label": label,
        "wrapped": wrap(label),
        "estimate": None if withheld else row["estimate"],
        "low": None if withheld else row["ci_low"],
        "high": None if withheld else row["ci_high"],
        "flag": "unpublished" if withheld else (row.get("flag") or "reliable"),
        "note": mark_text(row, percent),
        "at": 0
        if withheld
        else (row["ci_high"] if row["ci_high"] is not None else row["estimate"]),
    }


def _values(data: dict[str, Any], question: dict[str, Any], language: str) -> list[dict]:
    """The overall figures of a question; withheld ones stay as a "—" without a bar."""
    percent = is_proportion(question)
    rows = _charted(question, rows_for(data, question["code"]))
    values = [_value(row, _label(question, row, language), percent) for row in rows]
    return [v for v in values if v["estimate"] is not None] and values


def domain(data: dict[str, Any], question: dict[str, Any]) -> list[float]:
    """The x scale every chart of the question shares (overall and each breakdown)."""
    if is_proportion(question):
        return [0, 1]
    scale = question.get("scale")
    if scale and scale.get("max") is not None:
        return [min(0, scale.get("min") or 0), scale["max"]]
    prefix = f"{question['code']}."
    highs = [
        r["ci_high"] or r["estimate"] or 0
        for r in data["results"]
        if (r["question"] == question["code"] or r["question"].startswith(prefix))
        and r["kind"] == "mean"
        and r["estimate"] is not None
    ]
    return [0, max(highs, default=1) * 1.1 or 1]


def _x_title(proportion: bool, language: str) -> list[str]:
    with translation.override(language):
        if proportion:
            title = _("Share of communes (confidence interval at 95 %)")
        else:
            title = _("Mean (confidence interval at 95 %)")
    head, _sep, tail = title.partition(" (")
    return [head, f"({tail}"] if tail else [head]  # two lines: the axis is narrow


def _layers(x: dict[str, Any]) -> list[dict[str, Any]]:
    caution = {"test": "datum.flag === 'caution'"}
    return [
        {
            "mark": {"type": "bar", "height": {"band": 0.7}},
            "encoding": {
                "x": x,
                "color": {"condition": {**caution, "value": CAUTION_FILL}, "value": BRAND},
                "stroke": {"condition": {**caution, "value": BRAND}, "value": None},
                "strokeDash": {"condition": {**caution, "value": [3, 2]}, "value": [1, 0]},
            },
        },
        {
            "mark": {"type": "rule", "color": "#1b2631", "strokeWidth": 1.5},
            "encoding": {
                "x": {"field": "low", "type": "quantitative"},
                "x2": {"field": "high"},
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1b2631", "fontSize": 11},
            "encoding": {"x": {"field": "at", "type": "quantitative"}, "text": {"field": "note"}},
        },
    ]


def bars(
    values: list[dict[str, Any]], *, proportion: bool, scale: list[float], language: str
) -> dict[str, Any]:
    """Horizontal bars with their 95 % intervals, the figure and its flag written beside each."""
    axis = {"format": ".0%"} if proportion else {}
    x = {
        "field": "estimate",
        "type": "quantitative",
        "title": _x_title(proportion, language),
        "axis": {**axis, "titleFontSize": 11, "titleLimit": 0},
        "scale": {"domain": scale, "nice": False},
    }
    y = {
        "field": "wrapped",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelLimit": 0, "labelExpr": "split(datum.value, '\\n')", "labelFontSize": 11},
    }
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": PLOT_WIDTH,
        "height": {"step": 22 + 14 * max((v["wrapped"].count("\n") for v in values), default=0)},
        "data": {"values": values},
        "encoding": {"y": y},
        "layer": _layers(x),
        "config": CONFIG,
    }


CONFIG = {"font": "DejaVu Sans", "view": {"stroke": None}, "axis": {"labelColor": "#1b2631"}}


def spec(data: dict[str, Any], code: str, language: str) -> dict[str, Any] | None:
    """A horizontal bar chart of the estimates with their 95 % confidence intervals."""
    question = question_of(data, code)
    if question is None:
        return None
    return bars(
        _values(data, question, language),
        proportion=is_proportion(question),
        scale=domain(data, question),
        language=language,
    )


def breakdown_spec(
    data: dict[str, Any], code: str, kind: str, labels: dict[str, str], language: str
) -> dict[str, Any] | None:
    """One panel per answer (or item), a bar per group (`labels`: key -> name, in order), on
    the same x scale as the question's overall chart."""
    question = question_of(data, code)
    if question is None:
        return None
    percent = is_proportion(question)
    values = []
    for key, group in labels.items():
        for row in _charted(question, rows_for(data, code, f"{kind}={key}")):
            if row["category"] in ("dont_know", "not_applicable"):
                continue
            value = _value(row, group, percent)
            values.append({**value, "item": wrap(_label(question, row, language), 60)})
    if not any(v["estimate"] is not None for v in values):
        return None
    chart = bars(values, proportion=percent, scale=domain(data, question), language=language)
    layered = {key: chart.pop(key) for key in ("width", "height", "encoding", "layer")}
    items = list(dict.fromkeys(v["item"] for v in values))
    chart["facet"] = {
        "row": {
            "field": "item",
            "type": "nominal",
            "sort": items,
            "title": None,
            "header": {
                "labelAngle": 0,
                "labelOrient": "top",
                "labelAnchor": "start",
                "labelAlign": "left",
                "labelFontWeight": "bold",
                "labelFontSize": 11,
                "labelExpr": "split(datum.value, '\\n')",
                "labelLimit": 0,
            },
        }
    }
    lines = max((v["wrapped"].count("\n") for v in values), default=0)
    layered["height"] = {"step": 20 + 14 * lines}
    chart["spec"] = layered
    chart["spacing"] = 10
    return chart


def trend_spec(
    points: list[dict[str, Any]], *, proportion: bool, scale: list[float], language: str
) -> dict[str, Any] | None:
    """The estimates of each answer over the editions that asked the question, with their 95 %
    intervals; `points`: year, label, estimate, low, high, flag (withheld points left out)."""
    shown = [p for p in points if p["estimate"] is not None]
    if len({p["year"] for p in shown}) < 2:
        return None
    axis = {"format": ".0%"} if proportion else {}
    with translation.override(language):
        year_title = _("Edition")
    y = {
        "field": "estimate",
        "type": "quantitative",
        "title": _x_title(proportion, language),
        "axis": {**axis, "titleFontSize": 11},
        "scale": {"domain": scale, "nice": False},
    }
    x = {"field": "year", "type": "ordinal", "title": year_title, "axis": {"labelAngle": 0}}
    color = {
        "field": "label",
        "type": "nominal",
        "sort": None,
        "title": None,
        "scale": {"range": PALETTE},
        "legend": {"orient": "bottom", "columns": 1, "labelLimit": 0},
    }
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": 260,
        "height": 180,
        "data": {"values": shown},
        "encoding": {"x": x, "color": color},
        "layer": [
            {"mark": {"type": "line", "point": {"filled": True, "size": 40}}, "encoding": {"y": y}},
            {
                "mark": {"type": "rule", "strokeWidth": 1.2},
                "encoding": {
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "text", "dx": 7, "align": "left", "fontSize": 12},
                "encoding": {"y": y, "text": {"field": "mark"}},
            },
        ],
        "config": CONFIG,
    }


def svg(edition_pk: int, checksum: str, data: dict[str, Any], code: str, language: str) -> str:
    """The chart as SVG, rendered once per edition, language and spec (editions never change)."""
    chart = spec(data, code, language)
    if not chart or not chart["data"]["values"]:
        return ""
    return rendered(f"{edition_pk}:{checksum[:16]}:{language}:{code}", chart)


def rendered(key: str, chart: dict[str, Any] | None) -> str:
    """Any chart of an edition as SVG, cached under `key` (which names the edition's revision
    and checksum) and the spec's own hash, so a changed spec is never served stale."""
    if chart is None:
        return ""
    canonical = json.dumps(chart, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    full = f"edition-chart:{key}:{digest}"
    found = cache.get(full)
    if found is None:
        found = _render(chart)
        cache.set(full, found, timeout=None)
    return found


DISPLAY_SCALE = 1.35  # drawn larger than the spec's pixels; CSS shrinks it to fit a phone


def _render(chart: dict[str, Any]) -> str:
    import vl_convert

    return _scaled(vl_convert.vegalite_to_svg(chart), DISPLAY_SCALE)


def _scaled(content: str, factor: float) -> str:
    """The SVG's displayed size times `factor` (its viewBox, the drawing, is unchanged)."""
    head, sep, rest = content.partition(">")
    match = re.search(r' width="([\d.]+)" height="([\d.]+)"', head)
    if match is None or "viewBox" not in head:
        return content
    width, height = (round(float(v) * factor) for v in match.groups())
    head = head.replace(match.group(0), f' width="{width}" height="{height}"', 1)
    return head + sep + rest


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
