"""Policy eligibility (DESIGN 3.7, 5.1): parse, explain and bulk-evaluate condition trees.

Pure: no Django. The caller passes what the database knows (:class:`Vocabulary`) and one
enterprise as plain values (:class:`Facts`); the engine never queries anything.

Two subjects: an enterprise (the default) and a talent (a person: DESIGN 3.8, issue 13). A
vocabulary names its subject; the parser accepts only that subject's fields, and a talent tree
has ``field`` leaves only (figures, ratios and qualifications are an enterprise's)::

    {"field": "education", "op": "in", "value": ["doctorate"]}
    {"field": "age_at_arrival", "op": "lte", "value": 35}
    {"field": "contract_in_city", "op": "eq", "value": true}

An enterprise tree is ``{"all": [...]}`` / ``{"any": [...]}`` over four kinds of leaf::

    {"field": "industry", "op": "in", "value": ["new_materials", "life_health"]}
    {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 2000}
    {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte", "value": 0.03}
    {"qualification": "高新技术企业"}

An enterprise's published 亩均 grade (issue 14) is a field like the others: ``mu_grade`` is the
latest year's grade (A–D) and ``mu_grade_year`` that year; "A 类企业" is
``{"field": "mu_grade", "op": "eq", "value": "A"}``, "D 类企业不享受"
``{"field": "mu_grade", "op": "ne", "value": "D"}`` (``ne`` is offered for this field only). A
firm never graded has no grade: the condition is unknown, as for any missing data.

Results are three-valued and ordered ``UNMET < UNKNOWN < MET`` so that ``all`` is the minimum
of its children and ``any`` the maximum (DESIGN 5.1): missing data makes a condition
unknown, never unmet, and the root's result is the verdict (eligible / possible /
ineligible).

Two evaluators share these semantics: :func:`explain` walks every leaf and says why (for a
page, the API and the PDF), :func:`compile_tree` builds closures once per tree and returns
only the verdict, short-circuiting, for bulk matching (免申即享 lists, 100 000 enterprises
× 200 policies). A property test keeps the two in agreement.

The engine writes no words: every label, reason and error is a :class:`Text` — a message key
with its parameters (plain values or further Texts) — that the Django layer puts into words
through gettext (``zhaoyin.policies.eligibility_text``), in whatever language the request has.
The keys: the sentences below (``missing_data``, ``set_in_unmet`` …) and the labels
``field.<name>``, ``field_unit.<name>``, ``figure.<name>``, ``figure_unit.<name>``,
``size.<code>``, ``group.<kind>``. A tuple parameter is a list, joined with the language's
list separator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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

OPS: Final = ("eq", "ne", "in", "gte", "lte")
ENTERPRISE: Final = "enterprise"
TALENT: Final = "talent"
SUBJECTS: Final = (ENTERPRISE, TALENT)
SET_FIELDS: Final = ("industry", "size_class", "org_unit", "mu_grade")
NUMBER_FIELDS: Final = ("land_mu", "employees", "age_years")
#: A talent's coded fields with their fixed codes (mirrors of the talents app's choices; a test
#: keeps them equal), industry and org_unit come from the vocabulary as for enterprises.
EDUCATIONS: Final = ("doctorate", "master", "bachelor", "college", "other")
TITLES: Final = ("senior", "associate", "intermediate", "junior", "none")
TIERS: Final = ("A", "B", "C", "D", "E")
CHANNELS: Final = ("station", "enclave", "campus", "referral", "employer", "other")
#: The grades of the 亩均 evaluation (mirror of enterprises.models.GRADES; a test keeps them equal).
MU_GRADES: Final = ("A", "B", "C", "D")
_FIXED_CODES: Final[dict[str, tuple[str, ...]]] = {
    "size_class": ("above", "below"),
    "education": EDUCATIONS,
    "title": TITLES,
    "tier": TIERS,
    "channel": CHANNELS,
    "mu_grade": MU_GRADES,
}
TALENT_SET_FIELDS: Final = ("industry", "org_unit", "education", "title", "tier", "channel")
#: Whole years and months: ages, years since arrival, a labour contract's length in years,
#: months of social insurance paid in the city.
TALENT_NUMBER_FIELDS: Final = (
    "age_years", "age_at_arrival", "years_since_arrival", "contract_years", "social_insurance_months",
)
BOOL_FIELDS: Final = ("emerging", "contract_in_city")
FIELD_OPS: Final[dict[str, tuple[str, ...]]] = {
    "industry": ("eq", "in"),
    "size_class": ("eq", "in"),
    "org_unit": ("eq", "in"),
    "emerging": ("eq",),
    "land_mu": ("eq", "gte", "lte"),
    "employees": ("eq", "gte", "lte"),
    "age_years": ("eq", "gte", "lte"),
    "mu_grade": ("eq", "ne", "in"),
    "mu_grade_year": ("eq", "gte", "lte"),
}
TALENT_FIELD_OPS: Final[dict[str, tuple[str, ...]]] = {
    **{name: ("eq", "in") for name in TALENT_SET_FIELDS},
    **{name: ("eq", "gte", "lte") for name in TALENT_NUMBER_FIELDS},
    "emerging": ("eq",),
    "contract_in_city": ("eq",),
}
_SUBJECT_FIELD_OPS: Final[dict[str, dict[str, tuple[str, ...]]]] = {ENTERPRISE: FIELD_OPS, TALENT: TALENT_FIELD_OPS}
_SUBJECT_LEAF_KINDS: Final[dict[str, tuple[str, ...]]] = {ENTERPRISE: LEAF_KINDS, TALENT: ("field",)}
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
_WHOLE_NUMBERS: Final = frozenset(
    {
        "field:employees", "field:age_years", "field:mu_grade_year", "figure:employees",
        *(f"field:{n}" for n in TALENT_NUMBER_FIELDS),
    }
)


@dataclass(frozen=True, slots=True)
class Text:
    """Words for the user, not yet in any language: ``key`` names the message, ``params`` fill
    its placeholders (str, int, a nested Text, or a tuple of those for a list)."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


def _x(key: str, /, **params: object) -> Text:
    return Text(key, params)


def field_label(name: str, subject: str = ENTERPRISE) -> Text:
    """The label of an enterprise field (``Industry``, 行业) or of a talent's (``talent.``…):
    ``age_years`` is years since founding for an enterprise and a person's age for a talent."""
    return Text(f"field.{name}" if subject == ENTERPRISE else f"field.talent.{name}")


def field_unit(name: str) -> Text | None:
    """The unit of a numeric field, None for the others."""
    return Text(f"field_unit.{name}") if name in NUMBER_FIELDS or name in TALENT_NUMBER_FIELDS else None


def figure_label(name: str) -> Text:
    """The label of a yearly figure (``revenue``, 营业收入)."""
    return Text(f"figure.{name}")


def figure_unit(name: str) -> Text:
    """The unit of a yearly figure (万元, kWh …)."""
    return Text(f"figure_unit.{name}")


def size_class_label(code: str) -> Text:
    """The words of a size class code (``above``: 规模以上)."""
    return Text(f"size.{code}")


def group_label(kind: str) -> Text:
    """The heading of an ``all`` / ``any`` group."""
    return Text(f"group.{kind}")


_SYMBOLS: Final[dict[str, tuple[str, str]]] = {
    "gte": ("≥", "<"), "lte": ("≤", ">"), "eq": ("=", "≠"), "ne": ("≠", "="),
}
_PERCENT_PLACES: Final = 2
_MAX_SHOWN_CHARS: Final = 40  # of a bad value quoted back in an error


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
    subject: str = ENTERPRISE


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
    #: The latest published 亩均 grade and its year (None: never graded).
    mu_grade: str | None = None
    mu_grade_year: int | None = None


@dataclass(frozen=True, slots=True)
class TalentFacts:
    """One talent as the engine sees it; ``None`` means unknown (missing data).

    ``units`` as for an enterprise (the talent's org unit and its ancestors). Ages and years
    are whole years counted to the matching date; ``age_at_arrival`` to the arrival date;
    ``contract_years`` the labour contract's length in whole years; ``contract_in_city``
    whether a labour contract with an employer in the city runs on the matching date.
    """

    industry: str | None
    emerging: bool | None
    units: tuple[str, ...]
    education: str | None
    title: str | None
    tier: str | None
    channel: str | None
    age_years: int | None
    age_at_arrival: int | None
    years_since_arrival: int | None
    contract_years: int | None
    contract_in_city: bool | None
    social_insurance_months: int | None
    # A person has no yearly figures and no qualifications: the parser gives a talent tree no
    # such leaf; these keep the evaluators' one shape for both subjects.
    qualifications: frozenset[str] | None = None
    figures: Mapping[int, Mapping[str, Decimal | int | None]] = field(default_factory=dict)


AnyFacts = Facts | TalentFacts


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
    """A malformed eligibility tree; ``errors`` lists every problem as (path, message). The
    exception's own text names the message keys (for logs); users read the messages in words."""

    def __init__(self, errors: list[tuple[str, Text]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message.key}" for path, message in errors))


def _join(path: str, part: str) -> str:
    if not path:
        return part
    return f"{path}{part}" if part.startswith("[") else f"{path}.{part}"


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_SHOWN_CHARS else text[: _MAX_SHOWN_CHARS - 1] + "…"


class _Parser:
    """One pass over a raw tree collecting every problem instead of stopping at the first."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.errors: list[tuple[str, Text]] = []
        self.nodes = 0
        self.overflow = False

    def error(self, path: str, message: str, /, **kwargs: object) -> None:
        self.errors.append((path, Text(message, kwargs)))

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
            self.error(path, "no_kind", kinds=NODE_KINDS)
            return None
        if len(kinds) > 1:
            self.error(path, "two_kinds", found=tuple(kinds))
            return None
        kind = kinds[0]
        if kind in LEAF_KINDS and kind not in _SUBJECT_LEAF_KINDS[self.vocab.subject]:
            self.error(_join(path, kind), "kind_not_for_subject", kind=kind)
            return None
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
            self.error(here, "op_not_allowed", op=raw, allowed=allowed)
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
        if field in _FIXED_CODES and raw not in _FIXED_CODES[field]:
            self.error(path, "unknown_code", value=_shown(raw), allowed=_FIXED_CODES[field])
            return None
        if field == "org_unit" and raw not in self.vocab.units:
            self.error(path, "unknown_unit", value=_shown(raw))
            return None
        return raw

    def field(self, raw: dict[object, object], path: str) -> FieldCondition | None:
        name = raw["field"]
        field_ops = _SUBJECT_FIELD_OPS[self.vocab.subject]
        if not isinstance(name, str) or name not in field_ops:
            self.error(_join(path, "field"), "unknown_field", name=_shown(name))
            self.op_known(raw["op"], path)
            return None
        op = self.op(raw["op"], path, field_ops[name])
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
        if name in BOOL_FIELDS:
            if not isinstance(raw_value, bool):
                self.error(value_path, "not_bool")
                return None
            return FieldCondition(name, op, raw_value)
        if name in SET_FIELDS or name in TALENT_SET_FIELDS:
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


def parse_tree(raw: object, vocab: Vocabulary, *, root: str = "eligibility") -> Node:
    """Validate a JSON-like tree and return it as immutable nodes.

    Raises :class:`TreeError` naming every bad node or key by its path from ``root``
    (``"eligibility.all[1].op"``). An empty tree is refused: whether a policy without
    conditions is open to everyone is the caller's decision. Limits: nesting
    ≤ ``MAX_DEPTH`` levels, ≤ ``MAX_NODES`` nodes.
    """
    parser = _Parser(vocab)
    node = parser.node(raw, root, 1)
    if parser.overflow:
        parser.errors.append((root, _x("too_many", max=MAX_NODES)))
    if parser.errors or node is None:
        raise TreeError(parser.errors or [(root, _x("not_object"))])
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


def _with_unit(value: str, unit: Text | None) -> Text | str:
    return _x("with_unit", value=value, unit=unit) if unit is not None else value


def _joined(values: tuple[str, ...], names: Mapping[str, str | Text]) -> tuple[str | Text, ...]:
    return tuple(names.get(v, v) for v in values)


def _set_names(name: str, vocab: Vocabulary) -> Mapping[str, str | Text]:
    if name == "industry":
        return dict(vocab.industries)
    if name == "org_unit":
        return dict(vocab.units)
    if name == "size_class":
        return {code: size_class_label(code) for code in SIZE_CLASSES}
    # A talent's coded field: education.doctorate, title.senior, tier.A, channel.station …
    return {code: Text(f"{name}.{code}") for code in _FIXED_CODES[name]}


def _is_set_field(name: str) -> bool:
    return name in SET_FIELDS or name in TALENT_SET_FIELDS


def _figure_subject(figure: str, year: int) -> Text:
    return _x("figure_subject", year=year, figure=figure_label(figure))


def _ratio_subject(node: RatioCondition) -> Text:
    return _x("ratio_subject", year=node.year, num=figure_label(node.numerator), den=figure_label(node.denominator))


def label(node: Leaf, vocab: Vocabulary) -> Text:
    """The condition in words: "2025年营业收入 ≥ 2000 万元", "行业属于 新材料、生命健康"."""
    if isinstance(node, FieldCondition):
        subject = field_label(node.field, vocab.subject)
        if node.field in BOOL_FIELDS:
            return _x(f"{node.field}_true" if node.value else f"{node.field}_false")
        if _is_set_field(node.field):
            names = _set_names(node.field, vocab)
            if isinstance(node.value, tuple):
                return _x("set_in", subject=subject, values=_joined(node.value, names))
            assert isinstance(node.value, str)
            if node.op == "ne":
                return _x("set_ne", subject=subject, values=names.get(node.value, node.value))
            return _x("set_eq", subject=subject, values=names.get(node.value, node.value))
        assert isinstance(node.value, Decimal)
        value = _with_unit(format_number(node.value), field_unit(node.field))
        return _x("compare", subject=subject, symbol=_SYMBOLS[node.op][0], value=value)
    if isinstance(node, FigureCondition):
        subject = _figure_subject(node.figure, node.year)
        value = _with_unit(format_number(node.value), figure_unit(node.figure))
        return _x("compare", subject=subject, symbol=_SYMBOLS[node.op][0], value=value)
    if isinstance(node, RatioCondition):
        value = format_percent(node.value, _percent_places(node.value))
        return _x("compare", subject=_ratio_subject(node), symbol=_SYMBOLS[node.op][0], value=value)
    return _x("qualification", name=node.name)


def describe(node: Node, vocab: Vocabulary) -> list[tuple[int, Text]]:
    """The tree as indented lines ``(depth, text)`` for policy pages and the PDF; the root is 0."""
    lines: list[tuple[int, Text]] = []

    def walk(n: Node, level: int) -> None:
        if isinstance(n, Group):
            lines.append((level, group_label(n.kind)))
            for child in n.children:
                walk(child, level + 1)
        else:
            lines.append((level, label(n, vocab)))

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
    label: Text
    result: int
    reason: Text


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


def _compare_reason(subject: Text, actual: Text | str, op: str, met: bool, threshold: Text | str) -> Text:
    symbol = _SYMBOLS[op][0 if met else 1]
    return _x("compare_reason", subject=subject, actual=actual, symbol=symbol, value=threshold)


def _evaluate_field(node: FieldCondition, facts: AnyFacts, vocab: Vocabulary) -> tuple[int, Text]:
    subject = field_label(node.field, vocab.subject)
    missing = (UNKNOWN, _x("missing_data", subject=subject))
    if node.field in BOOL_FIELDS:
        flag: bool | None = getattr(facts, node.field)
        if flag is None:
            return missing
        reason = _x(f"{node.field}_is" if flag else f"{node.field}_is_not")
        return (MET if flag == node.value else UNMET), reason
    if _is_set_field(node.field):
        names = _set_names(node.field, vocab)
        wanted = node.value if isinstance(node.value, tuple) else (str(node.value),)
        if node.field == "org_unit":
            if not facts.units:
                return missing
            own = facts.units[-1]
            met = any(code in wanted for code in facts.units)
        else:
            actual: str | None = getattr(facts, node.field)
            if actual is None:
                return missing
            own = actual
            met = own in wanted
        shown = names.get(own, own)
        values = _joined(wanted, names)
        if node.op == "in":
            if met:
                return MET, _x("set_in_met", subject=subject, actual=shown, values=values)
            return UNMET, _x("set_in_unmet", subject=subject, actual=shown, values=values)
        if node.op == "ne":
            # "is not D": met when the value differs — the same sentences as eq, the other way round.
            if met:
                return UNMET, _x("set_eq_met", subject=subject, actual=shown)
            return MET, _x("set_eq_unmet", subject=subject, actual=shown, values=values)
        if met:
            return MET, _x("set_eq_met", subject=subject, actual=shown)
        return UNMET, _x("set_eq_unmet", subject=subject, actual=shown, values=values)
    number: Decimal | int | None = getattr(facts, node.field)
    if number is None:
        return missing
    assert isinstance(node.value, Decimal)
    met = _compare(number, node.op, node.value)
    unit = field_unit(node.field)
    reason = _compare_reason(
        subject,
        _with_unit(format_number(number), unit),
        node.op,
        met,
        _with_unit(format_number(node.value), unit),
    )
    return (MET if met else UNMET), reason


def _evaluate_figure(node: FigureCondition, facts: AnyFacts) -> tuple[int, Text]:
    subject = _figure_subject(node.figure, node.year)
    row = facts.figures.get(node.year)
    actual = None if row is None else row.get(node.figure)
    if actual is None:
        return UNKNOWN, _x("missing_data", subject=subject)
    met = _compare(actual, node.op, node.value)
    unit = figure_unit(node.figure)
    shown = _with_unit(format_number(actual), unit)
    reason = _compare_reason(subject, shown, node.op, met, _with_unit(format_number(node.value), unit))
    return (MET if met else UNMET), reason


def _evaluate_ratio(node: RatioCondition, facts: AnyFacts) -> tuple[int, Text]:
    row = facts.figures.get(node.year)
    numerator = None if row is None else row.get(node.numerator)
    denominator = None if row is None else row.get(node.denominator)
    absent = [name for name, v in ((node.numerator, numerator), (node.denominator, denominator)) if v is None]
    if absent:
        subject = _x("figure_subject", year=node.year, figure=tuple(figure_label(name) for name in absent))
        return UNKNOWN, _x("missing_data", subject=subject)
    assert numerator is not None
    assert denominator is not None
    if denominator <= 0:
        subject = _figure_subject(node.denominator, node.year)
        if denominator == 0:
            return UNKNOWN, _x("ratio_zero", subject=subject)
        return UNKNOWN, _x("ratio_negative", subject=subject, value=format_number(denominator))
    ratio = _ratio(numerator, denominator)
    met = _compare(ratio, node.op, node.value)
    places = _percent_places(node.value)
    threshold = format_percent(node.value, places)
    shown = format_percent(ratio, places)
    # "3.00% < 3.00%" would read as a bug: show more places until the two differ.
    while shown == threshold and ratio != node.value and places < 12:
        places += 1
        threshold, shown = format_percent(node.value, places), format_percent(ratio, places)
    return (MET if met else UNMET), _compare_reason(_ratio_subject(node), shown, node.op, met, threshold)


def _evaluate_leaf(node: Leaf, facts: AnyFacts, vocab: Vocabulary) -> tuple[int, Text]:
    if isinstance(node, FieldCondition):
        return _evaluate_field(node, facts, vocab)
    if isinstance(node, FigureCondition):
        return _evaluate_figure(node, facts)
    if isinstance(node, RatioCondition):
        return _evaluate_ratio(node, facts)
    if facts.qualifications is None:
        return UNKNOWN, _x("qualifications_unknown")
    if node.name in facts.qualifications:
        return MET, _x("qualification", name=node.name)
    # A known empty list is unmet, not unknown (DESIGN 5.1).
    return UNMET, _x("qualification_not", name=node.name)


def explain(node: Node, facts: AnyFacts, vocab: Vocabulary) -> Explanation:
    """Evaluate every condition (no short-circuit) and say why, for pages, the API and the PDF."""
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
        result, reason = _evaluate_leaf(n, facts, vocab)
        conditions.append(ConditionResult(path, tree_to_json(n), label(n, vocab), result, reason))
        return result

    verdict = walk(node, "")
    return Explanation(verdict, conditions, [g for g in groups if g is not None])


# ---------------------------------------------------------------------------------------
# compile_tree: verdict only, fast

Evaluator = Callable[[AnyFacts], int]


def _threshold(value: Decimal) -> Decimal | int:
    # Comparing with an int is exact and cheaper than with a Decimal when the fact is an int.
    return int(value) if value == value.to_integral_value() else value


def _compile_compare(get: Callable[[AnyFacts], Decimal | int | None], op: str, threshold: Decimal | int) -> Evaluator:
    if op == "gte":

        def gte(facts: AnyFacts) -> int:
            v = get(facts)
            if v is None:
                return UNKNOWN
            return MET if v >= threshold else UNMET

        return gte
    if op == "lte":

        def lte(facts: AnyFacts) -> int:
            v = get(facts)
            if v is None:
                return UNKNOWN
            return MET if v <= threshold else UNMET

        return lte

    def eq(facts: AnyFacts) -> int:
        v = get(facts)
        if v is None:
            return UNKNOWN
        return MET if v == threshold else UNMET

    return eq


def _compile_field(node: FieldCondition) -> Evaluator:
    if node.field == "org_unit":
        codes = frozenset(node.value) if isinstance(node.value, tuple) else frozenset((node.value,))

        def org_unit(facts: AnyFacts) -> int:
            units = facts.units
            if not units:
                return UNKNOWN
            return UNMET if codes.isdisjoint(units) else MET

        return org_unit
    if _is_set_field(node.field):
        get_code: Callable[[AnyFacts], str | None] = attrgetter(node.field)
        if isinstance(node.value, tuple):
            wanted = frozenset(node.value)

            def member(facts: AnyFacts) -> int:
                v = get_code(facts)
                if v is None:
                    return UNKNOWN
                return MET if v in wanted else UNMET

            return member
        one = node.value
        if node.op == "ne":

            def differ(facts: AnyFacts) -> int:
                v = get_code(facts)
                if v is None:
                    return UNKNOWN
                return UNMET if v == one else MET

            return differ

        def equal(facts: AnyFacts) -> int:
            v = get_code(facts)
            if v is None:
                return UNKNOWN
            return MET if v == one else UNMET

        return equal
    if node.field in BOOL_FIELDS:
        flag = node.value
        get_flag: Callable[[AnyFacts], bool | None] = attrgetter(node.field)

        def boolean(facts: AnyFacts) -> int:
            v = get_flag(facts)
            if v is None:
                return UNKNOWN
            return MET if v == flag else UNMET

        return boolean
    assert isinstance(node.value, Decimal)
    get_number: Callable[[AnyFacts], Decimal | int | None] = attrgetter(node.field)
    return _compile_compare(get_number, node.op, _threshold(node.value))


def _compile_figure(node: FigureCondition) -> Evaluator:
    year, name, threshold = node.year, node.figure, _threshold(node.value)
    if node.op == "gte":

        def gte(facts: AnyFacts) -> int:
            row = facts.figures.get(year)
            if row is None:
                return UNKNOWN
            v = row.get(name)
            if v is None:
                return UNKNOWN
            return MET if v >= threshold else UNMET

        return gte

    def lte(facts: AnyFacts) -> int:
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

    def ratio(facts: AnyFacts) -> int:
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

    def qualification(facts: AnyFacts) -> int:
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

            def all_two(facts: AnyFacts) -> int:
                a = first(facts)
                if a == UNMET:
                    return UNMET
                b = second(facts)
                if b == UNMET:
                    return UNMET
                return a if a < b else b

            return all_two

        def all_(facts: AnyFacts) -> int:
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

        def any_two(facts: AnyFacts) -> int:
            a = first(facts)
            if a == MET:
                return MET
            b = second(facts)
            if b == MET:
                return MET
            return a if a > b else b

        return any_two

    def any_(facts: AnyFacts) -> int:
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
