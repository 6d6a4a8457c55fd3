"""Policy eligibility (DESIGN 3.7, 5.1): parse, explain and bulk-evaluate condition trees.

Pure: no Django. The caller passes what the database knows (:class:`Vocabulary`) and one
enterprise as plain values (:class:`Facts`); the engine never queries anything.

A tree is ``{"all": [...]}`` / ``{"any": [...]}`` over four kinds of leaf::

    {"field": "industry", "op": "in", "value": ["new_materials", "life_health"]}
    {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 2000}
    {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte", "value": 0.03}
    {"qualification": "高新技术企业"}

Results are three-valued and ordered ``UNMET < UNKNOWN < MET`` so that ``all`` is the minimum
of its children and ``any`` the maximum (DESIGN 5.1): missing data makes a condition
unknown, never unmet, and the root's result is the verdict (eligible / possible /
ineligible).

Two evaluators share these semantics: :func:`explain` walks every leaf and says why (for a
page, the API and the PDF), :func:`compile_tree` builds closures once per tree and returns
only the verdict, short-circuiting, for bulk matching (免申即享 lists, 100 000 enterprises
× 200 policies). A property test keeps the two in agreement.

User-facing text comes in Chinese (``lang="zh"``, the default) and English; the engine
cannot use gettext, so it carries both and the caller passes the request's language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import attrgetter
from typing import Final

MET: Final = 2
UNKNOWN: Final = 1
UNMET: Final = 0
RESULT_NAMES: Final[dict[int, str]] = {MET: "met", UNKNOWN: "unknown", UNMET: "unmet"}
VERDICT_NAMES: Final[dict[int, str]] = {MET: "eligible", UNKNOWN: "possible", UNMET: "ineligible"}

MAX_DEPTH: Final = 6  # the root is level 1
MAX_NODES: Final = 100  # groups and leaves together
MAX_IN_VALUES: Final = 500  # codes in one "in" list
YEAR_MIN: Final = 2000
YEAR_MAX: Final = 2100
MAX_PLACES: Final = 6  # decimal places of a threshold
MAX_DIGITS: Final = 15  # significant digits: every threshold survives a trip through a JSON float
MAX_MAGNITUDE: Final = Decimal(10) ** 15

GROUP_KINDS: Final = ("all", "any")
LEAF_KINDS: Final = ("field", "figure", "ratio", "qualification")
NODE_KINDS: Final = GROUP_KINDS + LEAF_KINDS
_NODE_KEYS: Final[dict[str, frozenset[str]]] = {
    "all": frozenset({"all"}),
    "any": frozenset({"any"}),
    "field": frozenset({"field", "op", "value"}),
    "figure": frozenset({"figure", "year", "op", "value"}),
    "ratio": frozenset({"ratio", "year", "op", "value"}),
    "qualification": frozenset({"qualification"}),
}
# Order in which missing keys are reported (sets have none).
_KEY_ORDER: Final = ("field", "figure", "ratio", "year", "op", "value")

OPS: Final = ("eq", "in", "gte", "lte")
SET_FIELDS: Final = ("industry", "size_class", "org_unit")
NUMBER_FIELDS: Final = ("land_mu", "employees", "age_years")
FIELD_OPS: Final[dict[str, tuple[str, ...]]] = {
    "industry": ("eq", "in"),
    "size_class": ("eq", "in"),
    "org_unit": ("eq", "in"),
    "emerging": ("eq",),
    "land_mu": ("eq", "gte", "lte"),
    "employees": ("eq", "gte", "lte"),
    "age_years": ("eq", "gte", "lte"),
}
FIGURES: Final = (
    "revenue_wan",
    "tax_wan",
    "output_wan",
    "value_added_wan",
    "energy_tce",
    "emissions_t",
    "rd_wan",
    "employees",
    "electricity_kwh",
)
FIGURE_OPS: Final = ("gte", "lte")
SIZE_CLASSES: Final = ("above", "below")
# Counts of people and whole years: a threshold of 2.5 would only hide a rounding rule.
_WHOLE_NUMBERS: Final = frozenset({"field:employees", "field:age_years", "figure:employees"})

# Labels, keyed by language first: FIELD_LABELS["zh"]["industry"] == "行业".
FIELD_LABELS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "industry": "行业",
        "size_class": "企业规模",
        "org_unit": "所在区域",
        "emerging": "新兴产业",
        "land_mu": "用地面积",
        "employees": "从业人数",
        "age_years": "成立年限",
    },
    "en": {
        "industry": "Industry",
        "size_class": "Size class",
        "org_unit": "Location",
        "emerging": "Emerging industry",
        "land_mu": "Land area",
        "employees": "Employees",
        "age_years": "Years since founding",
    },
}
FIELD_UNITS: Final[dict[str, dict[str, str]]] = {
    "zh": {"land_mu": "亩", "employees": "人", "age_years": "年"},
    "en": {"land_mu": "mu", "employees": "persons", "age_years": "years"},
}
FIGURE_LABELS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "revenue_wan": "营业收入",
        "tax_wan": "税收",
        "output_wan": "产值",
        "value_added_wan": "增加值",
        "energy_tce": "综合能耗",
        "emissions_t": "排放量",
        "rd_wan": "研发费用",
        "employees": "从业人员",
        "electricity_kwh": "用电量",
    },
    "en": {
        "revenue_wan": "revenue",
        "tax_wan": "tax paid",
        "output_wan": "output",
        "value_added_wan": "value added",
        "energy_tce": "energy use",
        "emissions_t": "emissions",
        "rd_wan": "R&D spend",
        "employees": "employees",
        "electricity_kwh": "electricity use",
    },
}
FIGURE_UNITS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "revenue_wan": "万元",
        "tax_wan": "万元",
        "output_wan": "万元",
        "value_added_wan": "万元",
        "energy_tce": "吨标准煤",
        "emissions_t": "吨",
        "rd_wan": "万元",
        "employees": "人",
        "electricity_kwh": "千瓦时",
    },
    "en": {
        "revenue_wan": "× 10k yuan",
        "tax_wan": "× 10k yuan",
        "output_wan": "× 10k yuan",
        "value_added_wan": "× 10k yuan",
        "energy_tce": "tce",
        "emissions_t": "t",
        "rd_wan": "× 10k yuan",
        "employees": "persons",
        "electricity_kwh": "kWh",
    },
}
SIZE_CLASS_LABELS: Final[dict[str, dict[str, str]]] = {
    "zh": {"above": "规模以上", "below": "规模以下"},
    "en": {"above": "above designated size", "below": "below designated size"},
}
GROUP_LABELS: Final[dict[str, dict[str, str]]] = {
    "zh": {"all": "满足以下全部条件", "any": "满足以下任一条件"},
    "en": {"all": "All of the following", "any": "Any of the following"},
}

# Every sentence the engine writes, (Chinese, English); str.format placeholders.
_TEXT: Final[dict[str, tuple[str, str]]] = {
    # parse_tree
    "not_object": ("必须是一个对象", "must be an object"),
    "no_kind": ("缺少条件类型，应为 {kinds} 之一", "the condition kind is missing, one of {kinds}"),
    "two_kinds": ("只能是一种条件，却同时有 {found}", "only one kind of condition is allowed, found {found}"),
    "unknown_key": ('未知的键 "{key}"', 'unknown key "{key}"'),
    "missing": ("缺少此项", "is missing"),
    "group_list": ("必须是一个列表", "must be a list"),
    "group_empty": ("条件组不能为空", "a group cannot be empty"),
    "too_deep": ("条件嵌套不能超过 {max} 层", "conditions cannot be nested deeper than {max} levels"),
    "too_many": ("条件树最多 {max} 个节点", "a tree has at most {max} nodes"),
    "unknown_field": ('未知的字段 "{name}"', 'unknown field "{name}"'),
    "unknown_figure": ('未知的指标 "{name}"', 'unknown figure "{name}"'),
    "unknown_op": ('未知的运算符 "{op}"', 'unknown operator "{op}"'),
    "op_not_allowed": ('此处不能用运算符 "{op}"，可用 {allowed}', 'operator "{op}" is not allowed here; use {allowed}'),
    "not_text": ("必须是文本", "must be text"),
    "scalar_needed": ("运算符 {op} 需要单个值", "operator {op} takes a single value"),
    "too_many_values": ("最多 {max} 个值", "at most {max} values"),
    "list_needed": ("运算符 in 需要一个非空列表", "operator in takes a non-empty list"),
    "duplicate": ('重复的值 "{value}"', 'duplicate value "{value}"'),
    "unknown_industry": ('未知的行业代码 "{value}"', 'unknown industry code "{value}"'),
    "unknown_size": (
        '未知的企业规模 "{value}"，应为 above 或 below',
        'unknown size class "{value}", use above or below',
    ),
    "unknown_unit": ('未知的区域代码 "{value}"', 'unknown org unit code "{value}"'),
    "unknown_qualification": ('未知的资质 "{value}"', 'unknown qualification "{value}"'),
    "not_bool": ("必须是 true 或 false", "must be true or false"),
    "not_number": ("必须是数字", "must be a number"),
    "not_finite": ("必须是有限的数字", "must be a finite number"),
    "negative": ("不能为负数", "cannot be negative"),
    "not_whole": ("必须是整数", "must be a whole number"),
    "too_precise": (
        "最多 {places} 位小数、{digits} 位有效数字",
        "at most {places} decimal places and {digits} significant digits",
    ),
    "too_large": ("数值过大", "is too large"),
    "year_type": ("年份必须是整数", "the year must be a whole number"),
    "year_range": ("年份必须在 {lo} 到 {hi} 之间", "the year must be between {lo} and {hi}"),
    "ratio_pair": ("必须是 [分子指标, 分母指标] 两项", "must be [numerator figure, denominator figure]"),
    "ratio_same": ("分子和分母不能是同一指标", "the numerator and denominator must differ"),
    "tree_error": ("条件树有误", "the eligibility tree is invalid"),
    # labels and reasons
    "figure_subject": ("{year}年{figure}", "{year} {figure}"),
    "ratio_subject": ("{year}年{num}占{den}", "{year} {num} / {den}"),
    "compare": ("{subject} {symbol} {value}", "{subject} {symbol} {value}"),
    "compare_reason": ("{subject} {actual} {symbol} {value}", "{subject} {actual} {symbol} {value}"),
    "missing_data": ("缺少{subject}数据", "No data for {subject}"),
    "set_eq": ("{subject}为 {values}", "{subject} is {values}"),
    "set_in": ("{subject}属于 {values}", "{subject} is one of {values}"),
    "set_eq_met": ("{subject}为 {actual}", "{subject} is {actual}"),
    "set_eq_unmet": ("{subject}为 {actual}，不是 {values}", "{subject} is {actual}, not {values}"),
    "set_in_met": ("{subject}为 {actual}，属于 {values}", "{subject} is {actual}, one of {values}"),
    "set_in_unmet": ("{subject}为 {actual}，不属于 {values}", "{subject} is {actual}, not one of {values}"),
    "emerging_true": ("属于新兴产业", "In an emerging industry"),
    "emerging_false": ("不属于新兴产业", "Not in an emerging industry"),
    "emerging_is": ("所属行业是新兴产业", "The industry is an emerging one"),
    "emerging_is_not": ("所属行业不是新兴产业", "The industry is not an emerging one"),
    "qualification": ("已获 {name} 认定", "Holds {name}"),
    "qualification_not": ("未获 {name} 认定", "Does not hold {name}"),
    "qualifications_unknown": ("资质信息未登记", "Qualifications not recorded"),
    "ratio_zero": ("{subject}为 0，无法计算比例", "{subject} is 0, the ratio cannot be computed"),
    "ratio_negative": (
        "{subject}为 {value}，不是正数，无法计算比例",
        "{subject} is {value}, not positive, the ratio cannot be computed",
    ),
}
_LIST_SEPARATOR: Final[dict[str, str]] = {"zh": "、", "en": ", "}
_SYMBOLS: Final[dict[str, tuple[str, str]]] = {"gte": ("≥", "<"), "lte": ("≤", ">"), "eq": ("=", "≠")}
_PERCENT_PLACES: Final = 2
_MAX_SHOWN_CHARS: Final = 40  # of a bad value quoted back in an error


def _lang(lang: str) -> str:
    """'zh', 'zh-hans', 'zh-Hans' → 'zh'; anything else → 'en'."""
    return "zh" if lang.lower().startswith("zh") else "en"


def _t(text_id: str, lang: str, /, **kwargs: object) -> str:
    zh, en = _TEXT[text_id]
    return (zh if lang == "zh" else en).format(**kwargs)


# ---------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the database knows, passed in so that the engine stays pure.

    ``industries`` and ``units`` map codes to names; ``qualifications`` are names. Size
    classes are fixed: ``above`` (规上) and ``below`` (规下).
    """

    industries: Mapping[str, str]
    units: Mapping[str, str]
    qualifications: frozenset[str]


@dataclass(frozen=True, slots=True)
class Facts:
    """One enterprise as the engine sees it; ``None`` means unknown (missing data).

    ``units`` holds the codes of the enterprise's org unit and all its ancestors, city
    first, so that a park inside county X is in X. ``qualifications`` ``None`` is unknown,
    ``frozenset()`` known to hold none. ``figures`` maps year → figure name → value.
    """

    industry: str | None
    emerging: bool | None
    size_class: str | None
    units: tuple[str, ...]
    land_mu: Decimal | None
    employees: int | None
    age_years: int | None
    qualifications: frozenset[str] | None
    figures: Mapping[int, Mapping[str, Decimal | int | None]]


# ---------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True, slots=True)
class Group:
    """``all`` (every child) or ``any`` (one child) over a non-empty tuple of nodes."""

    kind: str
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class FieldCondition:
    """An enterprise field: a code / size class (eq, in), a bool (eq) or a number (eq, gte, lte).

    ``value`` is a ``str`` for eq on a set field, a ``tuple[str, ...]`` for in, a ``bool`` for
    emerging and a ``Decimal`` for the numeric fields.
    """

    field: str
    op: str
    value: str | bool | Decimal | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FigureCondition:
    """A yearly figure against a threshold: ``figure`` of ``year`` gte/lte ``value``."""

    figure: str
    year: int
    op: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class RatioCondition:
    """``numerator`` ÷ ``denominator`` of ``year`` gte/lte ``value`` (a fraction: 0.03 is 3 %)."""

    numerator: str
    denominator: str
    year: int
    op: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class QualificationCondition:
    """The enterprise holds the qualification ``name`` (高新技术企业, 专精特新 …)."""

    name: str


Leaf = FieldCondition | FigureCondition | RatioCondition | QualificationCondition
Node = Group | Leaf


class TreeError(ValueError):
    """A malformed eligibility tree; ``errors`` lists every problem as (path, message)."""

    def __init__(self, errors: list[tuple[str, str]], *, lang: str = "zh") -> None:
        self.errors = errors
        summary = "; ".join(f"{path}: {message}" for path, message in errors)
        super().__init__(f"{_t('tree_error', _lang(lang))}: {summary}")


def _join(path: str, part: str) -> str:
    if not path:
        return part
    return f"{path}{part}" if part.startswith("[") else f"{path}.{part}"


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_SHOWN_CHARS else text[: _MAX_SHOWN_CHARS - 1] + "…"


class _Parser:
    """One pass over a raw tree collecting every problem instead of stopping at the first."""

    def __init__(self, vocab: Vocabulary, lang: str) -> None:
        self.vocab = vocab
        self.lang = lang
        self.errors: list[tuple[str, str]] = []
        self.nodes = 0
        self.overflow = False

    def error(self, path: str, message: str, /, **kwargs: object) -> None:
        self.errors.append((path, _t(message, self.lang, **kwargs)))

    def node(self, raw: object, path: str, level: int) -> Node | None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            # Stop walking: a huge tree must not cost more than a small one to refuse.
            self.overflow = True
            return None
        if not isinstance(raw, dict):
            self.error(path, "not_object")
            return None
        kinds = [k for k in NODE_KINDS if k in raw]
        if not kinds:
            self.error(path, "no_kind", kinds="、".join(NODE_KINDS) if self.lang == "zh" else ", ".join(NODE_KINDS))
            return None
        if len(kinds) > 1:
            self.error(path, "two_kinds", found=_LIST_SEPARATOR[self.lang].join(kinds))
            return None
        kind = kinds[0]
        allowed = _NODE_KEYS[kind]
        strangers = [key for key in raw if key not in allowed]
        for key in strangers:
            self.error(_join(path, key if isinstance(key, str) else repr(key)), "unknown_key", key=_shown(key))
        missing = [key for key in _KEY_ORDER if key in allowed and key not in raw]
        for key in missing:
            self.error(_join(path, key), "missing")
        if missing:
            return None
        # With a stray key the node is refused, but its known parts are still checked so
        # that one answer names every problem.
        node: Node | None
        if kind in GROUP_KINDS:
            node = self.group(kind, raw[kind], path, level)
        elif kind == "field":
            node = self.field(raw, path)
        elif kind == "figure":
            node = self.figure(raw, path)
        elif kind == "ratio":
            node = self.ratio(raw, path)
        else:
            node = self.qualification(raw, path)
        return None if strangers else node

    def group(self, kind: str, items: object, path: str, level: int) -> Group | None:
        here = _join(path, kind)
        if not isinstance(items, list | tuple):
            self.error(here, "group_list")
            return None
        if not items:
            self.error(here, "group_empty")
            return None
        if level >= MAX_DEPTH:
            # Its children would sit below the limit.
            self.error(path, "too_deep", max=MAX_DEPTH)
            return None
        children: list[Node] = []
        for i, item in enumerate(items):
            child = self.node(item, f"{here}[{i}]", level + 1)
            if self.overflow:
                return None
            if child is not None:
                children.append(child)
        if len(children) != len(items):
            return None
        return Group(kind, tuple(children))

    def op(self, raw: object, path: str, allowed: tuple[str, ...]) -> str | None:
        here = _join(path, "op")
        if not isinstance(raw, str) or raw not in OPS:
            self.error(here, "unknown_op", op=_shown(raw))
            return None
        if raw not in allowed:
            self.error(here, "op_not_allowed", op=raw, allowed=_LIST_SEPARATOR[self.lang].join(allowed))
            return None
        return raw

    def number(self, raw: object, path: str, *, whole: bool) -> Decimal | None:
        """A finite, non-negative threshold, canonical: an integral value has exponent 0."""
        value: Decimal
        if isinstance(raw, bool):  # True is an int to Python, never a number here
            self.error(path, "not_number")
            return None
        if isinstance(raw, int):
            value = Decimal(raw)
        elif isinstance(raw, float):
            if not math.isfinite(raw):
                self.error(path, "not_finite")
                return None
            value = Decimal(repr(raw))  # the shortest text of the float, 0.1 stays 0.1
        elif isinstance(raw, Decimal):
            value = raw
        elif isinstance(raw, str) and raw.strip() and len(raw) <= _MAX_SHOWN_CHARS:
            try:
                value = Decimal(raw.strip())
            except InvalidOperation:
                self.error(path, "not_number")
                return None
        else:
            self.error(path, "not_number")
            return None
        if not value.is_finite():
            self.error(path, "not_finite")
            return None
        if value < 0:
            self.error(path, "negative")
            return None
        if value >= MAX_MAGNITUDE:
            self.error(path, "too_large")
            return None
        if value == value.to_integral_value():
            return Decimal(int(value))
        if whole:
            self.error(path, "not_whole")
            return None
        value = value.normalize()
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # finite
        if -exponent > MAX_PLACES or len(value.as_tuple().digits) > MAX_DIGITS:
            self.error(path, "too_precise", places=MAX_PLACES, digits=MAX_DIGITS)
            return None
        return value

    def code(self, raw: object, path: str, field: str) -> str | None:
        if not isinstance(raw, str):
            self.error(path, "not_text")
            return None
        if field == "industry" and raw not in self.vocab.industries:
            self.error(path, "unknown_industry", value=_shown(raw))
            return None
        if field == "size_class" and raw not in SIZE_CLASSES:
            self.error(path, "unknown_size", value=_shown(raw))
            return None
        if field == "org_unit" and raw not in self.vocab.units:
            self.error(path, "unknown_unit", value=_shown(raw))
            return None
        return raw

    def field(self, raw: dict[object, object], path: str) -> FieldCondition | None:
        name = raw["field"]
        if not isinstance(name, str) or name not in FIELD_OPS:
            self.error(_join(path, "field"), "unknown_field", name=_shown(name))
            self.op_known(raw["op"], path)
            return None
        op = self.op(raw["op"], path, FIELD_OPS[name])
        if op is None:
            return None
        value_path = _join(path, "value")
        raw_value = raw["value"]
        if op == "in":
            if not isinstance(raw_value, list | tuple) or not raw_value:
                self.error(value_path, "list_needed")
                return None
            if len(raw_value) > MAX_IN_VALUES:
                self.error(value_path, "too_many_values", max=MAX_IN_VALUES)
                return None
            codes: list[str] = []
            seen: set[str] = set()
            bad = False
            for i, item in enumerate(raw_value):
                code = self.code(item, f"{value_path}[{i}]", name)
                if code is None:
                    bad = True
                elif code in seen:
                    self.error(f"{value_path}[{i}]", "duplicate", value=_shown(code))
                    bad = True
                else:
                    codes.append(code)
                    seen.add(code)
            return None if bad else FieldCondition(name, op, tuple(codes))
        if isinstance(raw_value, list | tuple | dict):
            self.error(value_path, "scalar_needed", op=op)
            return None
        if name == "emerging":
            if not isinstance(raw_value, bool):
                self.error(value_path, "not_bool")
                return None
            return FieldCondition(name, op, raw_value)
        if name in SET_FIELDS:
            code = self.code(raw_value, value_path, name)
            return None if code is None else FieldCondition(name, op, code)
        number = self.number(raw_value, value_path, whole=f"field:{name}" in _WHOLE_NUMBERS)
        return None if number is None else FieldCondition(name, op, number)

    def op_known(self, raw: object, path: str) -> None:
        """Report an unknown operator even when the field is unknown too (all problems at once)."""
        if not isinstance(raw, str) or raw not in OPS:
            self.error(_join(path, "op"), "unknown_op", op=_shown(raw))

    def year(self, raw: object, path: str) -> int | None:
        here = _join(path, "year")
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.error(here, "year_type")
            return None
        if not YEAR_MIN <= raw <= YEAR_MAX:
            self.error(here, "year_range", lo=YEAR_MIN, hi=YEAR_MAX)
            return None
        return raw

    def figure_name(self, raw: object, path: str) -> str | None:
        if not isinstance(raw, str) or raw not in FIGURES:
            self.error(path, "unknown_figure", name=_shown(raw))
            return None
        return raw

    def figure(self, raw: dict[object, object], path: str) -> FigureCondition | None:
        name = self.figure_name(raw["figure"], _join(path, "figure"))
        year = self.year(raw["year"], path)
        op = self.op(raw["op"], path, FIGURE_OPS)
        whole = name is not None and f"figure:{name}" in _WHOLE_NUMBERS
        value = self.number(raw["value"], _join(path, "value"), whole=whole)
        if name is None or year is None or op is None or value is None:
            return None
        return FigureCondition(name, year, op, value)

    def ratio(self, raw: dict[object, object], path: str) -> RatioCondition | None:
        here = _join(path, "ratio")
        pair = raw["ratio"]
        names: list[str | None] = []
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            self.error(here, "ratio_pair")
        else:
            names = [self.figure_name(item, f"{here}[{i}]") for i, item in enumerate(pair)]
            if names[0] is not None and names[0] == names[1]:
                self.error(here, "ratio_same")
                names = []
        year = self.year(raw["year"], path)
        op = self.op(raw["op"], path, FIGURE_OPS)
        value = self.number(raw["value"], _join(path, "value"), whole=False)
        if len(names) != 2 or year is None or op is None or value is None:
            return None
        numerator, denominator = names
        if numerator is None or denominator is None:
            return None
        return RatioCondition(numerator, denominator, year, op, value)

    def qualification(self, raw: dict[object, object], path: str) -> QualificationCondition | None:
        here = _join(path, "qualification")
        name = raw["qualification"]
        if not isinstance(name, str):
            self.error(here, "not_text")
            return None
        if name not in self.vocab.qualifications:
            self.error(here, "unknown_qualification", value=_shown(name))
            return None
        return QualificationCondition(name)


def parse_tree(raw: object, vocab: Vocabulary, *, root: str = "eligibility", lang: str = "zh") -> Node:
    """Validate a JSON-like tree and return it as immutable nodes.

    Raises :class:`TreeError` naming every bad node or key by its path from ``root``
    (``"eligibility.all[1].op"``). An empty tree is refused: whether a policy without
    conditions is open to everyone is the caller's decision. Limits: nesting
    ≤ ``MAX_DEPTH`` levels, ≤ ``MAX_NODES`` nodes.
    """
    lang = _lang(lang)
    parser = _Parser(vocab, lang)
    node = parser.node(raw, root, 1)
    if parser.overflow:
        parser.errors.append((root, _t("too_many", lang, max=MAX_NODES)))
    if parser.errors or node is None:
        raise TreeError(parser.errors or [(root, _t("not_object", lang))], lang=lang)
    return node


def _json_number(value: Decimal) -> int | float:
    # parse_tree keeps at most 15 significant digits, so the float's shortest text is the
    # value itself and parse_tree(tree_to_json(n)) == n.
    return int(value) if value == value.to_integral_value() else float(value)


def tree_to_json(node: Node) -> dict[str, object]:
    """The canonical JSON of a tree: plain dicts, lists, str, bool, int and float.

    Integral thresholds come out as ints, others as floats (0.03); lists keep their order.
    """
    if isinstance(node, Group):
        return {node.kind: [tree_to_json(child) for child in node.children]}
    if isinstance(node, FieldCondition):
        value: object = node.value
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Decimal):
            value = _json_number(value)
        return {"field": node.field, "op": node.op, "value": value}
    if isinstance(node, FigureCondition):
        return {"figure": node.figure, "year": node.year, "op": node.op, "value": _json_number(node.value)}
    if isinstance(node, RatioCondition):
        return {
            "ratio": [node.numerator, node.denominator],
            "year": node.year,
            "op": node.op,
            "value": _json_number(node.value),
        }
    return {"qualification": node.name}


def leaf_count(node: Node) -> int:
    """How many conditions (leaves) the tree has."""
    if isinstance(node, Group):
        return sum(leaf_count(child) for child in node.children)
    return 1


def depth(node: Node) -> int:
    """Nesting levels: a leaf is 1, ``{"all": [leaf]}`` is 2."""
    if isinstance(node, Group):
        return 1 + max(depth(child) for child in node.children)
    return 1


# ---------------------------------------------------------------------------------------
# Shared semantics of the two evaluators


def _compare(actual: Decimal | int, op: str, threshold: Decimal) -> bool:
    if op == "gte":
        return actual >= threshold
    if op == "lte":
        return actual <= threshold
    return actual == threshold


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal:
    """The quotient in the current decimal context (both evaluators call this one function)."""
    return Decimal(numerator) / Decimal(denominator)


# ---------------------------------------------------------------------------------------
# Text


def format_number(value: Decimal | int) -> str:
    """No exponent, no trailing zeros, no grouping: 3000, 2.5, 0.03."""
    if isinstance(value, int):
        return str(value)
    if value == 0:
        return "0"  # also turns -0 and 0E-7 into 0
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _percent_places(value: Decimal) -> int:
    exponent = (value * 100).normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(_PERCENT_PLACES, -exponent)


def format_percent(fraction: Decimal, places: int = _PERCENT_PLACES) -> str:
    """0.035 → "3.50%" (half-up to ``places``)."""
    quantum = Decimal(1).scaleb(-places)
    shown = (fraction * 100).quantize(quantum, rounding=ROUND_HALF_UP)
    if shown == 0:
        shown = abs(shown)
    return f"{shown:f}%"


def _with_unit(value: str, unit: str) -> str:
    return f"{value} {unit}" if unit else value


def _joined(values: tuple[str, ...], names: Mapping[str, str], lang: str) -> str:
    return _LIST_SEPARATOR[lang].join(names.get(v, v) for v in values)


def _set_names(field: str, vocab: Vocabulary, lang: str) -> Mapping[str, str]:
    if field == "industry":
        return vocab.industries
    if field == "org_unit":
        return vocab.units
    return SIZE_CLASS_LABELS[lang]


def _figure_subject(figure: str, year: int, lang: str) -> str:
    return _t("figure_subject", lang, year=year, figure=FIGURE_LABELS[lang][figure])


def _ratio_subject(node: RatioCondition, lang: str) -> str:
    labels = FIGURE_LABELS[lang]
    return _t("ratio_subject", lang, year=node.year, num=labels[node.numerator], den=labels[node.denominator])


def label(node: Leaf, vocab: Vocabulary, *, lang: str = "zh") -> str:
    """The condition in words: "2025年营业收入 ≥ 2000 万元", "行业属于 新材料、生命健康"."""
    lang = _lang(lang)
    if isinstance(node, FieldCondition):
        subject = FIELD_LABELS[lang][node.field]
        if node.field == "emerging":
            return _t("emerging_true" if node.value else "emerging_false", lang)
        if node.field in SET_FIELDS:
            names = _set_names(node.field, vocab, lang)
            if isinstance(node.value, tuple):
                return _t("set_in", lang, subject=subject, values=_joined(node.value, names, lang))
            assert isinstance(node.value, str)
            return _t("set_eq", lang, subject=subject, values=names.get(node.value, node.value))
        assert isinstance(node.value, Decimal)
        unit = FIELD_UNITS[lang][node.field]
        value = _with_unit(format_number(node.value), unit)
        return _t("compare", lang, subject=subject, symbol=_SYMBOLS[node.op][0], value=value)
    if isinstance(node, FigureCondition):
        subject = _figure_subject(node.figure, node.year, lang)
        value = _with_unit(format_number(node.value), FIGURE_UNITS[lang][node.figure])
        return _t("compare", lang, subject=subject, symbol=_SYMBOLS[node.op][0], value=value)
    if isinstance(node, RatioCondition):
        places = _percent_places(node.value)
        value = format_percent(node.value, places)
        return _t("compare", lang, subject=_ratio_subject(node, lang), symbol=_SYMBOLS[node.op][0], value=value)
    return _t("qualification", lang, name=node.name)


def describe(node: Node, vocab: Vocabulary, *, lang: str = "zh") -> list[tuple[int, str]]:
    """The tree as indented lines ``(depth, text)`` for policy pages and the PDF; the root is 0."""
    lang = _lang(lang)
    lines: list[tuple[int, str]] = []

    def walk(n: Node, level: int) -> None:
        if isinstance(n, Group):
            lines.append((level, GROUP_LABELS[lang][n.kind]))
            for child in n.children:
                walk(child, level + 1)
        else:
            lines.append((level, label(n, vocab, lang=lang)))

    walk(node, 0)
    return lines


# ---------------------------------------------------------------------------------------
# explain: every leaf, with reasons


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One leaf's outcome: ``path`` relative to the root ("all[2].any[1]"), ``condition`` as
    canonical JSON, ``label`` the condition in words, ``result`` MET/UNKNOWN/UNMET and
    ``reason`` why ("2025年营业收入 3000 万元 ≥ 2000 万元", "缺少2025年营业收入数据")."""

    path: str
    condition: dict[str, object]
    label: str
    result: int
    reason: str


@dataclass(frozen=True, slots=True)
class GroupResult:
    """One all/any node's outcome; ``path`` is "" for the root."""

    path: str
    kind: str
    result: int


@dataclass(frozen=True, slots=True)
class Explanation:
    """The verdict (the root's result) with every leaf and every group, in tree order."""

    verdict: int
    conditions: list[ConditionResult]
    groups: list[GroupResult]


def _compare_reason(subject: str, actual: str, op: str, met: bool, threshold: str, lang: str) -> str:
    symbol = _SYMBOLS[op][0 if met else 1]
    return _t("compare_reason", lang, subject=subject, actual=actual, symbol=symbol, value=threshold)


def _evaluate_field(node: FieldCondition, facts: Facts, vocab: Vocabulary, lang: str) -> tuple[int, str]:
    subject = FIELD_LABELS[lang][node.field]
    missing = (UNKNOWN, _t("missing_data", lang, subject=subject))
    if node.field == "emerging":
        if facts.emerging is None:
            return missing
        reason = _t("emerging_is" if facts.emerging else "emerging_is_not", lang)
        return (MET if facts.emerging == node.value else UNMET), reason
    if node.field in SET_FIELDS:
        names = _set_names(node.field, vocab, lang)
        wanted = node.value if isinstance(node.value, tuple) else (str(node.value),)
        if node.field == "org_unit":
            if not facts.units:
                return missing
            own = facts.units[-1]
            met = any(code in wanted for code in facts.units)
        else:
            actual = facts.industry if node.field == "industry" else facts.size_class
            if actual is None:
                return missing
            own = actual
            met = own in wanted
        shown = names.get(own, own)
        values = _joined(wanted, names, lang)
        if node.op == "in":
            if met:
                return MET, _t("set_in_met", lang, subject=subject, actual=shown, values=values)
            return UNMET, _t("set_in_unmet", lang, subject=subject, actual=shown, values=values)
        if met:
            return MET, _t("set_eq_met", lang, subject=subject, actual=shown)
        return UNMET, _t("set_eq_unmet", lang, subject=subject, actual=shown, values=values)
    number: Decimal | int | None = getattr(facts, node.field)
    if number is None:
        return missing
    assert isinstance(node.value, Decimal)
    met = _compare(number, node.op, node.value)
    unit = FIELD_UNITS[lang][node.field]
    reason = _compare_reason(
        subject,
        _with_unit(format_number(number), unit),
        node.op,
        met,
        _with_unit(format_number(node.value), unit),
        lang,
    )
    return (MET if met else UNMET), reason


def _evaluate_figure(node: FigureCondition, facts: Facts, lang: str) -> tuple[int, str]:
    subject = _figure_subject(node.figure, node.year, lang)
    row = facts.figures.get(node.year)
    actual = None if row is None else row.get(node.figure)
    if actual is None:
        return UNKNOWN, _t("missing_data", lang, subject=subject)
    met = _compare(actual, node.op, node.value)
    unit = FIGURE_UNITS[lang][node.figure]
    shown = _with_unit(format_number(actual), unit)
    reason = _compare_reason(subject, shown, node.op, met, _with_unit(format_number(node.value), unit), lang)
    return (MET if met else UNMET), reason


def _evaluate_ratio(node: RatioCondition, facts: Facts, lang: str) -> tuple[int, str]:
    row = facts.figures.get(node.year)
    numerator = None if row is None else row.get(node.numerator)
    denominator = None if row is None else row.get(node.denominator)
    absent = [name for name, v in ((node.numerator, numerator), (node.denominator, denominator)) if v is None]
    if absent:
        figures = _LIST_SEPARATOR[lang].join(FIGURE_LABELS[lang][name] for name in absent)
        subject = _t("figure_subject", lang, year=node.year, figure=figures)
        return UNKNOWN, _t("missing_data", lang, subject=subject)
    assert numerator is not None
    assert denominator is not None
    if denominator <= 0:
        subject = _figure_subject(node.denominator, node.year, lang)
        if denominator == 0:
            return UNKNOWN, _t("ratio_zero", lang, subject=subject)
        return UNKNOWN, _t("ratio_negative", lang, subject=subject, value=format_number(denominator))
    ratio = _ratio(numerator, denominator)
    met = _compare(ratio, node.op, node.value)
    places = _percent_places(node.value)
    threshold = format_percent(node.value, places)
    shown = format_percent(ratio, places)
    # "3.00% < 3.00%" would read as a bug: show more places until the two differ.
    while shown == threshold and ratio != node.value and places < 12:
        places += 1
        threshold, shown = format_percent(node.value, places), format_percent(ratio, places)
    return (MET if met else UNMET), _compare_reason(_ratio_subject(node, lang), shown, node.op, met, threshold, lang)


def _evaluate_leaf(node: Leaf, facts: Facts, vocab: Vocabulary, lang: str) -> tuple[int, str]:
    if isinstance(node, FieldCondition):
        return _evaluate_field(node, facts, vocab, lang)
    if isinstance(node, FigureCondition):
        return _evaluate_figure(node, facts, lang)
    if isinstance(node, RatioCondition):
        return _evaluate_ratio(node, facts, lang)
    if facts.qualifications is None:
        return UNKNOWN, _t("qualifications_unknown", lang)
    if node.name in facts.qualifications:
        return MET, _t("qualification", lang, name=node.name)
    # A known empty list is unmet, not unknown (DESIGN 5.1).
    return UNMET, _t("qualification_not", lang, name=node.name)


def explain(node: Node, facts: Facts, vocab: Vocabulary, *, lang: str = "zh") -> Explanation:
    """Evaluate every condition (no short-circuit) and say why, for pages, the API and the PDF."""
    lang = _lang(lang)
    conditions: list[ConditionResult] = []
    groups: list[GroupResult | None] = []

    def walk(n: Node, path: str) -> int:
        if isinstance(n, Group):
            slot = len(groups)
            groups.append(None)  # tree order: a group comes before its children
            results = [walk(child, _join(path, f"{n.kind}[{i}]")) for i, child in enumerate(n.children)]
            result = min(results) if n.kind == "all" else max(results)
            groups[slot] = GroupResult(path, n.kind, result)
            return result
        result, reason = _evaluate_leaf(n, facts, vocab, lang)
        conditions.append(ConditionResult(path, tree_to_json(n), label(n, vocab, lang=lang), result, reason))
        return result

    verdict = walk(node, "")
    return Explanation(verdict, conditions, [g for g in groups if g is not None])


# ---------------------------------------------------------------------------------------
# compile_tree: verdict only, fast

Evaluator = Callable[[Facts], int]


def _threshold(value: Decimal) -> Decimal | int:
    # Comparing with an int is exact and cheaper than with a Decimal when the fact is an int.
    return int(value) if value == value.to_integral_value() else value


def _compile_compare(get: Callable[[Facts], Decimal | int | None], op: str, threshold: Decimal | int) -> Evaluator:
    if op == "gte":

        def gte(facts: Facts) -> int:
            v = get(facts)
            if v is None:
                return UNKNOWN
            return MET if v >= threshold else UNMET

        return gte
    if op == "lte":

        def lte(facts: Facts) -> int:
            v = get(facts)
            if v is None:
                return UNKNOWN
            return MET if v <= threshold else UNMET

        return lte

    def eq(facts: Facts) -> int:
        v = get(facts)
        if v is None:
            return UNKNOWN
        return MET if v == threshold else UNMET

    return eq


def _compile_field(node: FieldCondition) -> Evaluator:
    if node.field == "org_unit":
        codes = frozenset(node.value) if isinstance(node.value, tuple) else frozenset((node.value,))

        def org_unit(facts: Facts) -> int:
            units = facts.units
            if not units:
                return UNKNOWN
            return UNMET if codes.isdisjoint(units) else MET

        return org_unit
    if node.field in ("industry", "size_class"):
        get_code: Callable[[Facts], str | None] = attrgetter(node.field)
        if isinstance(node.value, tuple):
            wanted = frozenset(node.value)

            def member(facts: Facts) -> int:
                v = get_code(facts)
                if v is None:
                    return UNKNOWN
                return MET if v in wanted else UNMET

            return member
        one = node.value

        def equal(facts: Facts) -> int:
            v = get_code(facts)
            if v is None:
                return UNKNOWN
            return MET if v == one else UNMET

        return equal
    if node.field == "emerging":
        flag = node.value

        def emerging(facts: Facts) -> int:
            v = facts.emerging
            if v is None:
                return UNKNOWN
            return MET if v == flag else UNMET

        return emerging
    assert isinstance(node.value, Decimal)
    get_number: Callable[[Facts], Decimal | int | None] = attrgetter(node.field)
    return _compile_compare(get_number, node.op, _threshold(node.value))


def _compile_figure(node: FigureCondition) -> Evaluator:
    year, name, threshold = node.year, node.figure, _threshold(node.value)
    if node.op == "gte":

        def gte(facts: Facts) -> int:
            row = facts.figures.get(year)
            if row is None:
                return UNKNOWN
            v = row.get(name)
            if v is None:
                return UNKNOWN
            return MET if v >= threshold else UNMET

        return gte

    def lte(facts: Facts) -> int:
        row = facts.figures.get(year)
        if row is None:
            return UNKNOWN
        v = row.get(name)
        if v is None:
            return UNKNOWN
        return MET if v <= threshold else UNMET

    return lte


def _compile_ratio(node: RatioCondition) -> Evaluator:
    year, numerator, denominator, threshold = node.year, node.numerator, node.denominator, node.value
    gte = node.op == "gte"

    def ratio(facts: Facts) -> int:
        row = facts.figures.get(year)
        if row is None:
            return UNKNOWN
        n = row.get(numerator)
        d = row.get(denominator)
        if n is None or d is None or d <= 0:
            return UNKNOWN
        r = _ratio(n, d)
        if gte:
            return MET if r >= threshold else UNMET
        return MET if r <= threshold else UNMET

    return ratio


def _compile_qualification(node: QualificationCondition) -> Evaluator:
    name = node.name

    def qualification(facts: Facts) -> int:
        held = facts.qualifications
        if held is None:
            return UNKNOWN
        return MET if name in held else UNMET

    return qualification


def _compile_group(node: Group) -> Evaluator:
    parts = tuple(_compile(child) for child in node.children)
    if len(parts) == 1:
        return parts[0]
    if node.kind == "all":
        if len(parts) == 2:
            first, second = parts

            def all_two(facts: Facts) -> int:
                a = first(facts)
                if a == UNMET:
                    return UNMET
                b = second(facts)
                if b == UNMET:
                    return UNMET
                return a if a < b else b

            return all_two

        def all_(facts: Facts) -> int:
            result = MET
            for part in parts:
                r = part(facts)
                if r == UNMET:
                    return UNMET  # short-circuit: nothing can lift an all above unmet
                if r == UNKNOWN:
                    result = UNKNOWN
            return result

        return all_
    if len(parts) == 2:
        first, second = parts

        def any_two(facts: Facts) -> int:
            a = first(facts)
            if a == MET:
                return MET
            b = second(facts)
            if b == MET:
                return MET
            return a if a > b else b

        return any_two

    def any_(facts: Facts) -> int:
        result = UNMET
        for part in parts:
            r = part(facts)
            if r == MET:
                return MET  # short-circuit: nothing can lower an any below met
            if r == UNKNOWN:
                result = UNKNOWN
        return result

    return any_


def _compile(node: Node) -> Evaluator:
    if isinstance(node, Group):
        return _compile_group(node)
    if isinstance(node, FieldCondition):
        return _compile_field(node)
    if isinstance(node, FigureCondition):
        return _compile_figure(node)
    if isinstance(node, RatioCondition):
        return _compile_ratio(node)
    return _compile_qualification(node)


def compile_tree(node: Node) -> Evaluator:
    """A function ``facts → MET/UNKNOWN/UNMET`` equal to ``explain(node, facts, vocab).verdict``.

    Closures are built once per tree with year, figure names, thresholds and code sets
    resolved; ``all`` stops at the first unmet child and ``any`` at the first met one. For
    bulk matching; use :func:`explain` when the reasons are wanted.
    """
    return _compile(node)
