"""The input of each scheme use case (``core.inputs``) — create, change, copy a 评价办法 — and
of a project's 亩均 condition (履约); and the definition's one reading: ``normalize_definition``.

A definition is judged once, whatever the channel (the API's JSON body, the editor's posted
rows): its shape first (objects where objects belong, no unknown key — the API document's
schema, ``DEFINITION_SCHEMA``), then ``scheme_data.to_engine`` (the engine's own validation:
weights summing to the list's total, benchmarks above 0, formulas over known figures …). Every
refusal is named by its path inside the body, ``definition.lists[0].indicators[2].weight``;
nothing is stored. What is stored is the canonical form: every key present, decimals as
strings written in full (``"0.10"``, not ``1E-1``), formulas as ``figure / figure`` — so the
same scheme is the same JSON from every channel (and its digest the same).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Self

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field, model_validator

from zhaoyin.core.errors import RULE_KEY
from zhaoyin.core.inputs import (
    Input,
    amount_schema,
    described,
    from_cleaner,
    must,
    refuse,
    refuse_all,
    text,
    whole_number,
)
from zhaoyin.core.validation import clean_decimal
from zhaoyin.lib import mujun
from zhaoyin.mujun.scheme_data import CONSEQUENCES, STANDARD_INDICATORS, to_engine

YEAR_MIN, YEAR_MAX = 2000, 2100
PUBLICITY_DAYS_MAX = 30
NAME_MAX = 200
NOTE_MAX = 500
CLAUSE_MAX = 300
#: The most result lists, indicators per list and exempt industries a scheme holds.
MAX_LISTS, MAX_INDICATORS, MAX_EXEMPT = 10, 20, 50
#: A 履约 threshold: at most this, 4 decimal places (``MuCondition.threshold``).
THRESHOLD_MAX = Decimal("999999999999")
#: Where a definition's refusals are named in an input (the body's field).
PREFIX = "definition"

_FORMULA = re.compile(r"^\s*([a-z_]+)\s*/\s*([a-z_]+)\s*$")

# ---- the definition's documented shape ----------------------------------------------------------

_NUMBER = {"anyOf": [{"type": "number"}, {"type": "string", "maxLength": 40}],
           "description": "A decimal, as a string (\"24.097\") or a number"}
_OPTIONAL_NUMBER = {"anyOf": [{"type": "number"}, {"type": "string", "maxLength": 40}, {"type": "null"}],
                    "description": "A decimal, or null (none)"}
_PER_GRADE = {
    "type": "object",
    "properties": {g: _NUMBER for g in mujun.GRADES},
    "additionalProperties": False,
}
_INDICATOR = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Unique within the list, at most 32 characters"},
        "name": {"type": "string", "description": "亩均税收 …, at most 60 characters"},
        "formula": {"type": "string", "description": "numerator / denominator over the figures: "
                                                      + ", ".join(mujun.FIGURES)},
        "weight": {**_NUMBER, "description": "Above 0; a list's weights sum to its weight_total"},
        "benchmark": {"anyOf": [{"type": "number"}, {"type": "string", "maxLength": 40}],
                      "description": "A number above 0, or \"average\" (the list's aggregate ratio of the year)"},
        "cap": {**_OPTIONAL_NUMBER, "description": "The most points the indicator gives (null: no cap)"},
    },
    "required": ["code", "name", "formula", "weight", "benchmark"],
    "additionalProperties": False,
}
_LIST = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Unique in the scheme, at most 32 characters"},
        "name": {"type": "string", "description": "规上企业 …, at most 60 characters"},
        "scope": {
            "anyOf": [{
                "type": "object",
                "properties": {
                    "size_classes": {"type": "array", "items": {"type": "string", "enum": ["above", "below"]},
                                     "description": "Empty: any size class"},
                    "land_min_mu": {**_OPTIONAL_NUMBER, "description": "Land at least this (亩); null: no minimum"},
                    "land_max_mu": {**_OPTIONAL_NUMBER, "description": "Land below this (亩); null: no maximum"},
                    "min_years": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}],
                                  "description": "Years since production started, at least"},
                },
                "additionalProperties": False,
            }, {"type": "null"}],
            "description": "Who the list evaluates; a firm belongs to the first list that admits it",
        },
        "indicators": {"type": "array", "items": _INDICATOR, "maxItems": MAX_INDICATORS},
        "missing": {"type": "string", "enum": list(mujun.MISSING_RULES),
                    "description": "A firm without an indicator's data: the list's mean points, zero, or ungraded"},
        "weight_total": {**_OPTIONAL_NUMBER, "description": "What the weights sum to (default 100; null: any)"},
        "grading": {
            "type": "object",
            "properties": {
                "method": {"type": "string", "enum": ["percentile", "cutoff"]},
                "bands": {
                    "type": "array",
                    "items": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "number"}]},
                              "minItems": 2, "maxItems": 2},
                    "maxItems": len(mujun.GRADES),
                    "description": "[grade, limit] best first: percentile limits rising to 100, or the lowest "
                                   "score of each grade",
                },
            },
            "required": ["method", "bands"],
            "additionalProperties": False,
        },
    },
    "required": ["code", "name", "indicators", "grading"],
    "additionalProperties": False,
}
#: The definition in the API document (the engine judges it beyond: ``DEFINITION_RULE``).
DEFINITION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "lists": {"type": "array", "items": _LIST, "maxItems": MAX_LISTS,
                  "description": "The result lists in the order they are tried (规上; 规下 ≥ 3 亩 …)"},
        "exempt_industries": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_EXEMPT,
                              "description": "Industry codes evaluated and not graded (utilities …)"},
        "consequences": {
            "type": "object",
            "properties": {
                "surcharge_per_kwh": {**_PER_GRADE, "description": "差别化电价: 元 per kWh by grade"},
                "land_tax_relief": {**_PER_GRADE, "description": "城镇土地使用税 relief: per cent by grade"},
            },
            "additionalProperties": False,
        },
    },
    "required": ["lists"],
    "additionalProperties": False,
}
DEFINITION_RULE = (
    "judged by the evaluation engine: weights sum to the list's weight_total, benchmarks and caps above 0, "
    "formulas over known figures, grading bands in order; errors named definition.lists[i].indicators[j].<field>"
)

_KEYS = {
    "": {"lists", "exempt_industries", "consequences"},
    "list": {"code", "name", "scope", "indicators", "missing", "weight_total", "grading"},
    "scope": {"size_classes", "land_min_mu", "land_max_mu", "min_years"},
    "indicator": {"code", "name", "formula", "weight", "benchmark", "cap"},
    "grading": {"method", "bands"},
}


class _Shape:
    """The structural check the document promises: objects, arrays and no unknown keys (the
    values themselves are the engine reader's)."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def obj(self, value: Any, path: str, kind: str, *, nullable: bool = False) -> dict[str, Any] | None:
        if value is None and nullable:
            return None
        if not isinstance(value, dict):
            self.add(path, _("Give an object with named fields."))
            return None
        for key in value:
            if key not in _KEYS[kind]:
                self.add(f"{path}.{key}" if path else str(key), _("Unknown field."))
        return value

    def array(self, value: Any, path: str, limit: int) -> list[Any]:
        if not isinstance(value, list):
            self.add(path, _("Give a list."))
            return []
        if len(value) > limit:
            self.add(path, _("At most %(max)s items.") % {"max": limit})
        return value


def _check_shape(raw: Any) -> dict[str, list[str]]:
    s = _Shape()
    top = s.obj(raw, "", "")
    if top is None:
        return s.errors
    if "lists" not in top:
        s.add("lists", _("This field is required."))
    for i, lst in enumerate(s.array(top.get("lists", []), "lists", MAX_LISTS)):
        at = f"lists[{i}]"
        got = s.obj(lst, at, "list")
        if got is None:
            continue
        if "scope" in got:
            s.obj(got["scope"], f"{at}.scope", "scope", nullable=True)
        if "indicators" in got:
            for j, ind in enumerate(s.array(got["indicators"], f"{at}.indicators", MAX_INDICATORS)):
                s.obj(ind, f"{at}.indicators[{j}]", "indicator")
        if "grading" in got:
            s.obj(got["grading"], f"{at}.grading", "grading")
    if "exempt_industries" in top:
        codes = s.array(top["exempt_industries"], "exempt_industries", MAX_EXEMPT)
        if any(not isinstance(c, str) or not c.strip() or len(c.strip()) > 32 for c in codes):
            s.add("exempt_industries", _("Industry codes: text of 1 to 32 characters."))
    consequences = top.get("consequences")
    if "consequences" in top and not isinstance(consequences, dict):
        s.add("consequences", _("Give an object with named fields."))
    return s.errors


def _number(value: Any) -> str | None:
    """A decimal as canonical text, written in full (``1E+3`` → ``1000``); None stays None."""
    if value is None or value == "":
        return None
    return format(Decimal(str(value).strip()), "f")


def _canonical(raw: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a definition already judged sound (every key, decimals as text)."""
    lists = []
    for lst in raw["lists"]:
        scope = lst.get("scope") or {}
        grading = lst["grading"]
        indicators = []
        for ind in lst["indicators"]:
            bench = ind["benchmark"]
            terms = _FORMULA.match(ind["formula"])
            assert terms is not None  # judged by the engine
            indicators.append({
                "code": ind["code"].strip(),
                "name": ind["name"].strip(),
                "formula": f"{terms.group(1)} / {terms.group(2)}",
                "weight": _number(ind["weight"]),
                "benchmark": "average" if isinstance(bench, str) and bench.strip() == "average" else _number(bench),
                "cap": _number(ind.get("cap")),
            })
        lists.append({
            "code": lst["code"].strip(),
            "name": lst["name"].strip(),
            "scope": {
                "size_classes": sorted(set(scope.get("size_classes") or [])),
                "land_min_mu": _number(scope.get("land_min_mu")),
                "land_max_mu": _number(scope.get("land_max_mu")),
                "min_years": scope.get("min_years"),
            },
            "indicators": indicators,
            "missing": lst.get("missing", "average"),
            "weight_total": _number(lst.get("weight_total", "100")),
            "grading": {"method": grading["method"], "bands": [[g, _number(limit)] for g, limit in grading["bands"]]},
        })
    consequences = raw.get("consequences") or {}
    return {
        "lists": lists,
        "exempt_industries": sorted({c.strip() for c in raw.get("exempt_industries") or []}),
        "consequences": {
            name: {g: _number(v) for g, v in sorted(consequences[name].items())}
            for name in CONSEQUENCES if name in consequences
        },
    }


def definition_errors(raw: Any) -> dict[str, list[str]]:
    """Every refusal of ``raw`` by its path inside the definition (empty: sound)."""
    errors = _check_shape(raw)
    if errors:
        return errors
    try:
        to_engine(raw, year=YEAR_MIN, number=1)
    except mujun.SchemeError as exc:
        return exc.errors
    return {}


def normalize_definition(raw: Any) -> dict[str, Any]:
    """``raw`` judged and in its canonical stored form; ``mujun.SchemeError`` (path → messages)
    when anything is wrong."""
    errors = definition_errors(raw)
    if errors:
        raise mujun.SchemeError(errors)
    return _canonical(raw)


def _definition(value: Any) -> dict[str, Any]:
    try:
        return normalize_definition(value)
    except mujun.SchemeError as exc:
        raise refuse_all([
            {"field": f"{PREFIX}.{path}" if path else PREFIX, "message": message}
            for path, messages in exc.errors.items() for message in messages
        ]) from None


def _optional_definition(value: Any) -> dict[str, Any] | None:
    return None if value is None else _definition(value)


Definition = Annotated[dict[str, Any], BeforeValidator(described(_definition, DEFINITION_SCHEMA, rule=DEFINITION_RULE))]
OptionalDefinition = Annotated[
    dict[str, Any] | None,
    BeforeValidator(described(_optional_definition, DEFINITION_SCHEMA, nullable=True, rule=DEFINITION_RULE)),
]


# ---- the plain fields ---------------------------------------------------------------------------


def _bounded(low: int, high: int, *, required: bool) -> Any:
    def clean(value: Any) -> int | None:
        number = whole_number(value)
        if number is None:
            if required:
                raise ValueError(_("This field is required."))
            return None
        if not low <= number <= high:
            raise ValueError(_("Must be from %(low)d to %(high)d.") % {"low": low, "high": high})
        return number

    return described(clean, {"type": "integer", "minimum": low, "maximum": high}, nullable=not required)


Year = Annotated[int, BeforeValidator(from_cleaner(_bounded(YEAR_MIN, YEAR_MAX, required=True)))]
PublicityDays = Annotated[int | None, BeforeValidator(from_cleaner(_bounded(1, PUBLICITY_DAYS_MAX, required=False)))]
Version = Annotated[int | None, BeforeValidator(whole_number)]
Name = Annotated[str, BeforeValidator(text(NAME_MAX, required=True))]
OptionalName = Annotated[str | None, BeforeValidator(described(
    lambda v: None if v is None else text(NAME_MAX, required=True)(v),
    {"type": "string", "maxLength": NAME_MAX, "minLength": 1}, nullable=True,
))]
Note = Annotated[str, BeforeValidator(text(NOTE_MAX))]


class SchemeCreateInput(Input):
    """A new draft scheme: its year, name, the 公示's length and the definition (its number is
    the year's next, given by the service)."""

    year: Year = Field(description="The evaluation year")
    name: Name = Field(description="e.g. 2025 年度亩均效益评价办法")
    publicity_days: PublicityDays = Field(None, description="Working days of the 公示 (default 5)")
    definition: Definition = Field(description="The result lists, exempt industries and consequences")
    note: Note = ""


class SchemeChangeInput(Input):
    """A change of a draft (PATCH: only the fields given), with the version read."""

    name: OptionalName = None
    publicity_days: PublicityDays = None
    definition: OptionalDefinition = Field(None, description="Replaces the whole definition")
    note: Note | None = None
    version: Version = Field(None, description="The version read; a different current version → 409")


class SchemeCopyInput(Input):
    """A copy as the year's next version (a frozen scheme is changed this way)."""

    name: OptionalName = Field(None, description="The copy's name (default: the original's)")


# ---- 履约 conditions ----------------------------------------------------------------------------


def _threshold(value: Any) -> Decimal:
    return clean_decimal(value, places=4, maximum=THRESHOLD_MAX)


def _indicator_code(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip() in STANDARD_INDICATORS:
        return value.strip()
    raise refuse(_("Choose one of: %(choices)s.") % {"choices": ", ".join(STANDARD_INDICATORS)})


def _formula(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    match = _FORMULA.match(value) if isinstance(value, str) else None
    if match is None:
        raise refuse(_("Write it as 'figure / figure', e.g. 'tax / land_mu'."))
    for term in match.groups():
        if term not in mujun.FIGURES:
            raise refuse(_("Unknown figure '%(name)s'; known: %(known)s.")
                         % {"name": term, "known": ", ".join(mujun.FIGURES)})
    return f"{match.group(1)} / {match.group(2)}"


Threshold = Annotated[
    Decimal, BeforeValidator(must(described(from_cleaner(_threshold), amount_schema(THRESHOLD_MAX, 4))))
]
IndicatorCode = Annotated[str | None, BeforeValidator(described(
    _indicator_code, {"type": "string", "enum": list(STANDARD_INDICATORS)}, nullable=True))]
Formula = Annotated[str | None, BeforeValidator(described(
    _formula, {"type": "string", "maxLength": 60}, nullable=True,
    rule="numerator / denominator over the known figures"))]
#: The API document's word on the condition's indicator fields, judged together.
_ONE_OF: dict[str, Any] = {RULE_KEY: "exactly one of indicator and formula; a formula needs a name"}
FromYear = Annotated[int, BeforeValidator(from_cleaner(_bounded(YEAR_MIN, YEAR_MAX, required=True)))]


class ConditionInput(Input):
    """履约: a 亩均 condition of a project's investment agreement — a standard indicator (or a
    named formula over the figures), the least value it must reach, from which year, and the
    agreement's clause."""

    indicator: IndicatorCode = Field(None, description="A standard indicator (tax_per_mu …); or name + formula",
                                     json_schema_extra=_ONE_OF)
    name: Annotated[str, BeforeValidator(text(60))] = Field("", description="The indicator's name (with formula)",
                                                            json_schema_extra=_ONE_OF)
    formula: Formula = Field(None, description="numerator / denominator, e.g. tax / land_mu (with name)",
                             json_schema_extra=_ONE_OF)
    threshold: Threshold = Field(description="The least value (the formula's unit, e.g. 万元/亩)")
    from_year: FromYear = Field(description="The first evaluation year it applies to")
    note: Annotated[str, BeforeValidator(text(CLAUSE_MAX))] = Field("", description="The agreement's clause")

    @model_validator(mode="after")
    def _one_indicator(self) -> Self:
        if self.indicator is None and self.formula is None:
            raise refuse(_("Choose a standard indicator or give a formula."), field="indicator")
        if self.indicator is not None and self.formula is not None:
            raise refuse(_("Choose a standard indicator or give a formula, not both."), field="formula")
        if self.formula is not None and not self.name:
            raise refuse(_("Name the indicator the formula computes."), field="name")
        return self

    def resolved(self) -> tuple[str, str]:
        """(name, formula) of the condition."""
        if self.indicator is not None:
            return STANDARD_INDICATORS[self.indicator]
        assert self.formula is not None
        return self.name, self.formula

