"""Validation of a raw instrument definition: every problem, each with its path into the file.

`validate(raw)` walks a raw mapping (as loaded from YAML) and returns *every* problem with a path
into the file, because an author fixing a 60-question file wants the whole list at once. Problems
carry a message code and parameters so a translated rendering can be added later; `.reason` is
the English rendering.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from ..validation import ValidationError, describe_type
from .conditions import ConditionChecks
from .model import (
    CODE_RE,
    KNOWN_LANGUAGES,
    LEVEL_COUNT,
    QUESTION_TYPES,
    REQUIRED_LANGUAGES,
    SLUG_RE,
    SPECIAL_ANSWERS,
    TEXT_TYPES,
)

# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

TOP_KEYS = {
    "slug": True,
    "version": True,
    "title": True,
    "description": False,
    "languages": False,
    "defaults": False,
    "axes": False,
    "dimensions": False,  # a survey without scoring (the barometer) declares none
    "scoring": False,
    "sections": True,
    "recommendations": False,
}
QUESTION_KEYS = {
    "code": True,
    "type": True,
    "text": True,
    "help": False,
    "required": False,
    "allow_dont_know": False,
    "allow_not_applicable": False,
    "dimension": False,
    "criterion": False,
    "weight": False,
    "axes": False,
    "public": False,
    "show_if": False,
    "options": False,
    "scores": False,
    "scale": False,
    "number": False,
    "rows": False,
}
TYPE_KEYS = {
    "single_choice": {"options"},
    "multiple_choice": {"options"},
    "yes_no": {"scores"},
    "scale": {"scale"},
    "number": {"number"},
    "matrix": {"rows", "scale"},
    "short_text": set(),
    "long_text": set(),
}
DEFAULT_KEYS = {"required": False, "allow_dont_know": False, "allow_not_applicable": False}


def validate(raw: Any) -> list[ValidationError]:
    """Every problem in a raw instrument definition, in file order; empty when valid."""
    return _Validator(raw).run()


class _Validator(ConditionChecks):
    """Two passes: structure and local rules first, then cross-references (codes, order)."""

    def __init__(self, raw: Any) -> None:
        super().__init__()
        self.raw = raw
        self.dimensions: dict[str, dict[str, Any]] = {}
        self.axes: set[str] = set()
        self.questions: dict[str, tuple[int, dict[str, Any]]] = {}
        self.max_score = 1.0
        self.languages: tuple[str, ...] = REQUIRED_LANGUAGES
        self.defaults: dict[str, Any] = {}
        self.criteria: dict[str, set[str]] = {}

    def run(self) -> list[ValidationError]:
        if not self.mapping(self.raw, "", TOP_KEYS):
            return self.errors
        raw = self.raw
        self._header(raw)
        self._axes(raw.get("axes"))
        self._dimensions(raw.get("dimensions"))
        self._scoring(raw.get("scoring"))
        self._defaults(raw.get("defaults"))
        self._sections(raw.get("sections"))
        self._recommendations(raw.get("recommendations"))
        return self.errors

    # header ------------------------------------------------------------------------------------

    def _header(self, raw: dict[str, Any]) -> None:
        slug = raw.get("slug")
        if self.typed(slug, "slug", str) and not SLUG_RE.match(slug):
            self.add("slug", "invalid_slug", value=slug)
        version = raw.get("version")
        if version is not None and (not isinstance(version, str | int) or version is True):
            self.add("version", "wrong_type", expected="a string", actual=describe_type(version))
        self._languages(raw.get("languages"))  # first: the texts must have every language listed
        self.texts(raw.get("title"), "title")
        self.texts(raw.get("description"), "description")

    def _languages(self, languages: Any) -> None:
        if languages is None or not self.typed(languages, "languages", list):
            return
        for i, lang in enumerate(languages):
            if lang not in KNOWN_LANGUAGES:
                self.add(f"languages[{i}]", "unknown_language", value=lang)
        for lang in REQUIRED_LANGUAGES:
            if lang not in languages:
                self.add("languages", "language_required", lang=lang)
        self.languages = tuple(lang for lang in languages if lang in KNOWN_LANGUAGES)

    def _axes(self, axes: Any) -> None:
        for path, axis in self.items(axes, "axes", required=False):
            if self.mapping(axis, path, {"code": True, "text": True}):
                if self.code(axis.get("code"), f"{path}.code", "axis", path):
                    self.axes.add(axis["code"])
                self.texts(axis.get("text"), f"{path}.text")

    def _dimensions(self, dimensions: Any) -> None:
        keys = {
            "code": True,
            "text": True,
            "description": False,
            "weight": False,
            "levels": True,
            "criteria": False,
        }
        if dimensions is None:
            return
        for path, dim in self.items(dimensions, "dimensions", required=False):
            if not self.mapping(dim, path, keys):
                continue
            if self.code(dim.get("code"), f"{path}.code", "dimension", path):
                self.dimensions[dim["code"]] = dim
            self.texts(dim.get("text"), f"{path}.text")
            self.texts(dim.get("description"), f"{path}.description")
            self.weight(dim, path)
            self._levels(dim.get("levels"), f"{path}.levels")
            self._criteria(dim, path)

    def _levels(self, levels: Any, path: str) -> None:
        if not self.typed(levels, path, list):
            return
        if len(levels) != LEVEL_COUNT:
            self.add(path, "wrong_level_count", expected=LEVEL_COUNT, count=len(levels))
        for i, level in enumerate(levels):
            self.texts(level, f"{path}[{i}]")

    def _criteria(self, dim: dict[str, Any], path: str) -> None:
        codes: set[str] = set()
        for cpath, criterion in self.items(dim.get("criteria"), f"{path}.criteria", required=False):
            if self.mapping(criterion, cpath, {"code": True, "text": True}):
                scope = f"criterion:{dim.get('code')}"
                if self.code(criterion.get("code"), f"{cpath}.code", scope, cpath):
                    codes.add(criterion["code"])
                self.texts(criterion.get("text"), f"{cpath}.text")
        if isinstance(dim.get("code"), str):
            self.criteria[dim["code"]] = codes

    def _scoring(self, scoring: Any) -> None:
        keys = {"level_thresholds": False, "max_option_score": False, "overall": False}
        if scoring is None or not self.mapping(scoring, "scoring", keys):
            return
        thresholds = scoring.get("level_thresholds")
        if thresholds is not None and not _valid_thresholds(thresholds):
            self.add("scoring.level_thresholds", "invalid_thresholds", count=LEVEL_COUNT - 1)
        maximum = scoring.get("max_option_score", 1)
        if self.number(maximum, "scoring.max_option_score"):
            if maximum <= 0:
                self.add("scoring.max_option_score", "not_positive", value=maximum)
            else:
                self.max_score = float(maximum)
        overall = scoring.get("overall")
        if overall is not None and overall not in ("weighted_mean", "mean"):
            allowed = "weighted_mean, mean"
            self.add("scoring.overall", "unknown_value", value=overall, allowed=allowed)

    def _defaults(self, defaults: Any) -> None:
        if defaults is None or not self.mapping(defaults, "defaults", DEFAULT_KEYS):
            return
        self.defaults = defaults
        for key, value in defaults.items():
            self.typed(value, f"defaults.{key}", bool)

    # sections and questions -------------------------------------------------------------------

    def _sections(self, sections: Any) -> None:
        keys = {"code": True, "text": True, "intro": False, "questions": True}
        for path, section in self.items(sections, "sections", required=True):
            if not self.mapping(section, path, keys):
                continue
            self.code(section.get("code"), f"{path}.code", "section", path)
            self.texts(section.get("text"), f"{path}.text")
            self.texts(section.get("intro"), f"{path}.intro")
            for qpath, question in self.items(section.get("questions"), f"{path}.questions", True):
                self._question(question, qpath)

    def _question(self, q: Any, path: str) -> None:
        if not self.mapping(q, path, QUESTION_KEYS):
            return
        code_ok = self.code(q.get("code"), f"{path}.code", "question", path)
        self.texts(q.get("text"), f"{path}.text")
        self.texts(q.get("help"), f"{path}.help")
        for flag in ("required", "allow_dont_know", "allow_not_applicable", "public"):
            if flag in q:
                self.typed(q[flag], f"{path}.{flag}", bool)
        qtype = q.get("type")
        if self._question_type(qtype, path):
            self._type_keys(q, qtype, path)
            self._type_body(q, qtype, path)
        self._scoring_refs(q, qtype, path)
        if "show_if" in q:
            self.show_if(q["show_if"], f"{path}.show_if", q.get("code"))
        if code_ok:
            self.questions[q["code"]] = (len(self.questions), q)

    def _question_type(self, qtype: Any, path: str) -> bool:
        if not self.typed(qtype, f"{path}.type", str):
            return False
        if qtype not in QUESTION_TYPES:
            self.add(f"{path}.type", "unknown_question_type", value=qtype, allowed=QUESTION_TYPES)
            return False
        return True

    def _type_keys(self, q: dict[str, Any], qtype: str, path: str) -> None:
        allowed = TYPE_KEYS[qtype]
        for key in sorted(set().union(*TYPE_KEYS.values()) - allowed):
            if key in q:
                self.add(f"{path}.{key}", "key_not_for_type", key=key, type=qtype)
        for key in sorted(allowed - {"scores"}):
            if key not in q:
                self.add(f"{path}.{key}", "missing_key")

    def _type_body(self, q: dict[str, Any], qtype: str, path: str) -> None:
        scored = "dimension" in q and qtype not in TEXT_TYPES
        if qtype in ("single_choice", "multiple_choice") and "options" in q:
            self._options(q, f"{path}.options", scored)
        elif qtype == "yes_no":
            self._yes_no_scores(q.get("scores"), f"{path}.scores")
        elif qtype == "number" and "number" in q:
            self._number(q["number"], f"{path}.number", scored)
        elif qtype in ("scale", "matrix") and "scale" in q:
            self._scale(q["scale"], f"{path}.scale")
        if qtype == "matrix" and "rows" in q:
            self._rows(q["rows"], f"{path}.rows", path)

    def _options(self, q: dict[str, Any], path: str, scored: bool) -> None:
        keys = {"code": True, "text": True, "score": False, "exclusive": False}
        scores: list[tuple[float, bool]] = []
        for opath, option in self.items(q["options"], path, required=True):
            if not self.mapping(option, opath, keys):
                continue
            self.code(option.get("code"), f"{opath}.code", f"option:{path}", opath)
            self.texts(option.get("text"), f"{opath}.text")
            exclusive = option.get("exclusive", False)
            if "exclusive" in option:
                self.typed(exclusive, f"{opath}.exclusive", bool)
            score = self._option_score(option, opath, scored)
            if score is not None:
                scores.append((score, exclusive is True))
        if isinstance(q["options"], list) and len(q["options"]) == 1:
            self.add(path, "too_few_options", count=1)
        if scored and scores:
            self._options_span(q, path, scores)

    def _option_score(self, option: dict[str, Any], path: str, scored: bool) -> float | None:
        if "score" not in option:
            if scored:
                self.add(f"{path}.score", "score_required")
            return None
        score = option["score"]
        if not self.number(score, f"{path}.score"):
            return None
        if not 0 <= score <= self.max_score:
            self.add(f"{path}.score", "score_out_of_range", value=score, max=_num(self.max_score))
            return None
        return float(score)

    def _options_span(self, q: dict[str, Any], path: str, scores: list[tuple[float, bool]]) -> None:
        """Graded options must run from 0 to the maximum so worst and best answers mean 0 and 100.

        For multiple choice the best answer is every combinable option (sum capped at the
        maximum) or the best exclusive one.
        """
        low = min(score for score, _ in scores)
        best = max(score for score, _ in scores)
        if q["type"] == "multiple_choice":
            combined = min(sum(s for s, exclusive in scores if not exclusive), self.max_score)
            best = max([combined] + [s for s, exclusive in scores if exclusive])
        if low != 0 or best != self.max_score:
            limits = {"max": _num(self.max_score), "low": _num(low), "high": _num(best)}
            self.add(path, "scores_not_spanning", **limits)

    def _yes_no_scores(self, scores: Any, path: str) -> None:
        if scores is None or not self.mapping(scores, path, {"yes": True, "no": True}):
            return
        for key in ("yes", "no"):
            value = scores.get(key)
            if self.number(value, f"{path}.{key}") and not 0 <= value <= self.max_score:
                self.add(
                    f"{path}.{key}", "score_out_of_range", value=value, max=_num(self.max_score)
                )
        if {scores.get("yes"), scores.get("no")} != {0, self.max_score}:
            self.add(path, "yes_no_not_spanning", max=_num(self.max_score))

    def _scale(self, scale: Any, path: str) -> None:
        if not self.mapping(scale, path, {"min": True, "max": True, "labels": False}):
            return
        low_ok = self.typed(scale.get("min"), f"{path}.min", int)
        high_ok = self.typed(scale.get("max"), f"{path}.max", int)
        if low_ok and high_ok and scale["min"] >= scale["max"]:
            self.add(path, "scale_min_not_below_max", min=scale["min"], max=scale["max"])
        for lpath, label in self.items(scale.get("labels"), f"{path}.labels", required=False):
            if self.mapping(label, lpath, {"value": True, "text": True}):
                self.typed(label.get("value"), f"{lpath}.value", int)
                self.texts(label.get("text"), f"{lpath}.text")

    def _number(self, spec: Any, path: str, scored: bool) -> None:
        keys = {"unit": False, "min": False, "max": False, "integer": False, "bands": False}
        if not self.mapping(spec, path, keys):
            return
        self.texts(spec.get("unit"), f"{path}.unit")
        bounds = [spec.get(k) for k in ("min", "max")]
        valid = [k in spec and self.number(spec[k], f"{path}.{k}") for k in ("min", "max")]
        if all(valid) and bounds[0] > bounds[1]:
            self.add(path, "number_min_above_max", min=bounds[0], max=bounds[1])
        if "integer" in spec:
            self.typed(spec["integer"], f"{path}.integer", bool)
        if "bands" in spec:
            self._bands(spec["bands"], f"{path}.bands")
        elif scored and not all(valid):
            self.add(path, "number_unscorable")

    def _bands(self, bands: Any, path: str) -> None:
        starts: list[float] = []
        for bpath, band in self.items(bands, path, required=True):
            if not self.mapping(band, bpath, {"from": True, "score": True}):
                continue
            if self.number(band.get("from"), f"{bpath}.from"):
                starts.append(band["from"])
            self._option_score(band, bpath, scored=True)
        if starts != sorted(set(starts)):
            self.add(path, "bands_not_increasing")

    def _rows(self, rows: Any, path: str, qpath: str) -> None:
        if isinstance(rows, list) and not rows:
            self.add(path, "matrix_without_rows")
            return
        for rpath, row in self.items(rows, path, required=True):
            if self.mapping(row, rpath, {"code": True, "text": True}):
                self.code(row.get("code"), f"{rpath}.code", f"row:{qpath}", rpath)
                self.texts(row.get("text"), f"{rpath}.text")

    def _scoring_refs(self, q: dict[str, Any], qtype: Any, path: str) -> None:
        if "dimension" in q:
            if qtype in TEXT_TYPES:
                self.add(f"{path}.dimension", "text_question_scored")
            else:
                self.dimension_ref(q["dimension"], f"{path}.dimension")
        if "criterion" in q:
            self._criterion_ref(q, f"{path}.criterion")
        if "weight" in q:
            self.weight(q, path)
        self.axes_ref(q.get("axes"), f"{path}.axes")

    def _criterion_ref(self, q: dict[str, Any], path: str) -> None:
        criteria = self.criteria.get(q.get("dimension"))  # type: ignore[arg-type]
        if "dimension" not in q:
            self.add(path, "criterion_without_dimension")
        elif criteria is not None and q["criterion"] not in criteria:
            known = ", ".join(sorted(criteria)) or "none"
            self.add(path, "unknown_criterion", value=q["criterion"], known=known)

    # recommendations --------------------------------------------------------------------------

    def _recommendations(self, recommendations: Any) -> None:
        keys = {
            "code": True,
            "dimension": True,
            "priority": True,
            "title": True,
            "text": True,
            "when": True,
            "links": False,
            "axes": False,
        }
        for path, rec in self.items(recommendations, "recommendations", required=False):
            if not self.mapping(rec, path, keys):
                continue
            self.code(rec.get("code"), f"{path}.code", "recommendation", path)
            if "dimension" in rec:
                self.dimension_ref(rec["dimension"], f"{path}.dimension")
            priority = rec.get("priority")
            if self.typed(priority, f"{path}.priority", int) and priority < 1:
                self.add(f"{path}.priority", "priority_not_positive", value=priority)
            self.texts(rec.get("title"), f"{path}.title")
            self.texts(rec.get("text"), f"{path}.text")
            if "when" in rec:
                self.when(rec["when"], f"{path}.when")
            self._links(rec.get("links"), f"{path}.links")
            self.axes_ref(rec.get("axes"), f"{path}.axes")

    def _links(self, links: Any, path: str) -> None:
        for lpath, link in self.items(links, path, required=False):
            if not self.mapping(link, lpath, {"route": False, "url": False, "text": False}):
                continue
            if ("route" in link) == ("url" in link):
                self.add(lpath, "link_target")
            url = link.get("url")
            url_ok = self.typed(url, f"{lpath}.url", str, optional=True) and url is not None
            if url_ok and not url.startswith(("https://", "http://")):
                self.add(f"{lpath}.url", "invalid_url", value=url)
            self.typed(link.get("route"), f"{lpath}.route", str, optional=True)
            self.texts(link.get("text"), f"{lpath}.text")

    # shared references ------------------------------------------------------------------------

    def dimension_ref(self, code: Any, path: str) -> None:
        if self.typed(code, path, str) and code not in self.dimensions:
            known = ", ".join(self.dimensions) or "none"
            self.add(path, "unknown_dimension", value=code, known=known)

    def axes_ref(self, axes: Any, path: str) -> None:
        if axes is None or not self.typed(axes, path, list):
            return
        for i, axis in enumerate(axes):
            if self.typed(axis, f"{path}[{i}]", str) and axis not in self.axes:
                known = ", ".join(sorted(self.axes)) or "none"
                self.add(f"{path}[{i}]", "unknown_axis", value=axis, known=known)

    def weight(self, obj: dict[str, Any], path: str) -> None:
        weight = obj.get("weight")
        if self.number(weight, f"{path}.weight") and weight <= 0:
            self.add(f"{path}.weight", "weight_not_positive", value=obj["weight"])

    def texts(self, texts: Any, path: str) -> None:
        """FR and EN required wherever a text is, and every language the instrument lists (so a
        page in a listed language never falls back to French); other known languages optional.

        An absent text is reported by `mapping` when the key is required, so None passes here.
        """
        if not self.typed(texts, path, dict):
            return
        for lang, value in texts.items():
            if lang not in KNOWN_LANGUAGES:
                self.add(f"{path}.{lang}", "unknown_language", value=lang)
            elif not isinstance(value, str):
                self.add(
                    f"{path}.{lang}", "wrong_type", expected="a string", actual=describe_type(value)
                )
        for lang in dict.fromkeys((*REQUIRED_LANGUAGES, *self.languages)):
            value = texts.get(lang)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.add(f"{path}.{lang}", "missing_text", lang=lang)

    def code(self, code: Any, path: str, kind: str, owner: str) -> bool:
        """A well-formed code, unique within its kind (`kind` may be scoped, e.g. per question)."""
        if not self.typed(code, path, str):
            return False
        if not CODE_RE.match(code):
            self.add(path, "invalid_code", value=code)
            return False
        if code in SPECIAL_ANSWERS and kind.startswith(("option", "row")):
            self.add(path, "reserved_code", value=code)
            return False
        return self.unique(kind, code, path, owner)


def _valid_thresholds(thresholds: Any) -> bool:
    if not isinstance(thresholds, list) or len(thresholds) != LEVEL_COUNT - 1:
        return False
    if not all(isinstance(t, int | float) and not isinstance(t, bool) for t in thresholds):
        return False
    return all(0 < a < b < 100 for a, b in pairwise(thresholds))


def _num(value: float) -> int | float:
    """Render 1.0 as 1 in messages."""
    return int(value) if float(value).is_integer() else value
