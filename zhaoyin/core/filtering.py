"""One declaration per list: the filters a list understands, read the same way by its page,
its API endpoint and its Excel export.

A list declares a ``FilterSet`` subclass whose attributes are typed filter fields (``Search``,
``Choice``, ``MultiChoice``, ``Ref`` — a dictionary entry such as an org unit, with or without
its subtree —, ``Integer``, ``Boolean``, ``Text``, ``DecimalRange``, ``DateRange``) and an
``order`` (a ``Sort`` the caller chooses, or a fixed ordering). From that one declaration:

- ``parse(params)`` reads a QueryDict or a dict into an instance whose attributes are the
  typed values (``flt.org_unit`` is an ``OrgUnit`` or None), or raises ``InvalidInput`` with
  one error per bad parameter, each naming it (the page answers 400, the API 422 in
  ``core.errors``' format, the export refuses before writing anything);
- ``apply(qs)`` narrows a queryset the caller has already scoped (scope first, then filter:
  a filter can only narrow what the user may see) and orders it;
- ``core.forms.FilterBarForm`` builds the page's filter bar from the fields' boxes;
- ``openapi()`` describes the query parameters for the API document.

Each filter narrows with one ``.filter()`` in declaration order, so a list's SQL is what a
hand-written chain of ``.filter()`` calls would give (the matters list relies on it: its
covering indexes and its tally need that shape).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar, overload

from django import forms
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY
from zhaoyin.core.listparams import (
    CONTROL_CHARS,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    PAGING_PARAMS,
    ParamErrors,
    first_param,
    ordering,
    parse_paging,
    parse_sort,
    parse_terms,
    positive_int,
)

T = TypeVar("T")
M = TypeVar("M")
R = TypeVar("R", bound=Model)
Fail = Callable[[str, str], None]
Options = Callable[[Any], Iterable[tuple[str, Any]]]


class _Subtree(Protocol):
    def descendants_q(self, field: str = ...) -> Q: ...


#: No control character (``CONTROL_CHARS``) anywhere: the pattern of every free-text parameter.
#: Whitespace around the value is stripped before it is judged, so it may hold any.
NO_CONTROL_CHARS = r"^\s*[^\x00-\x1f\x7f]*\s*$"
#: A word of a search and the space between words (whitespace that is no control character).
_WORD = r"[^\s\x00-\x1f\x7f]+"
_GAP = r"[^\S\x00-\x1f\x7f]+"


def _string(description: str, **schema: Any) -> dict[str, Any]:
    return {"type": "string", **schema, **({"description": description} if description else {})}


def whole_number_pattern(low: int, high: int) -> str:
    """A pattern of the digits of a whole number from ``low`` (0 or 1) to ``high``, as a query
    parameter carries it (``positive_int``: at most 9 ASCII digits; no leading zero offered;
    surrounding whitespace stripped)."""
    digits = str(high)
    parts = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, ch in enumerate(digits):
        floor = 1 if i == 0 else 0
        if int(ch) > floor:
            rest = len(digits) - i - 1
            parts.append(digits[:i] + f"[{floor}-{int(ch) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    parts.append(digits)
    if low == 0:
        parts.append("0")
    return r"^\s*(?:" + "|".join(parts) + r")\s*$"


def _any_of(values: Sequence[str]) -> str:
    return "(?:" + "|".join(re.escape(v) for v in values) + ")"


#: A blank value: every list parameter reads it as "not given".
_BLANK = {"type": "string", "pattern": r"^\s*$"}


def _parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An optional query parameter; its description beside the schema, where readers look. A
    blank value is "not given" (``first_param``), so the schema allows it beside its own."""
    schema = dict(schema)
    description = schema.pop("description", "")
    rule = schema.pop(RULE_KEY, None)
    schema = {"anyOf": [schema, _BLANK]} | ({RULE_KEY: rule} if rule else {})
    return {"name": name, "in": "query", "required": False, "schema": schema} | (
        {"description": description} if description else {}
    )


def _raw_param(params: Mapping[str, Any], name: str) -> str:
    """A parameter's last value as sent ('' when absent)."""
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return "" if value is None else str(value)


class Filter(Generic[T]):
    """One filter of a list: the parameter(s) it reads, its typed value (``empty`` when the
    parameter is absent), the condition it adds, its box in the filter bar and its OpenAPI
    description. Subclasses implement ``clean`` (text → value, ``ValueError`` with the message
    for a bad one); ``where`` replaces the default condition ``column = value``.

    The box: none without a ``label``; a hidden input with ``hidden``; a select of
    ``options(user)`` (value, text) after ``blank`` when given — left out when there are fewer
    than ``min_options`` —; else the filter's own box (a text input with ``attrs``)."""

    empty: T
    #: The longest value (as sent, before stripping) of each of the filter's parameters.
    max_length: int | None = None

    def __init__(
        self,
        *,
        column: str = "",
        where: Callable[[T], Q] | None = None,
        label: Any = None,
        blank: Any = None,
        hidden: bool = False,
        options: Options | None = None,
        min_options: int = 1,
        attrs: Mapping[str, Any] | None = None,
        doc: str = "",
        rule: str = "",
    ) -> None:
        self.name = ""
        self.column = column
        self.where = where
        self.label = label
        self.blank = blank
        self.hidden = hidden
        self.options = options
        self.min_options = min_options
        self.attrs = dict(attrs or {})
        self.doc = doc
        self.rule = rule

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.column = self.column or name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(self, obj: FilterSet, owner: type | None = None) -> T: ...

    def __get__(self, obj: FilterSet | None, owner: type | None = None) -> Self | T:
        if obj is None:
            return self
        value: T = obj.values.get(self.name, self.empty)
        return value

    @property
    def params(self) -> tuple[str, ...]:
        """The query parameters this filter reads."""
        return (self.name,)

    def read(self, params: Mapping[str, Any], fail: Fail) -> T:
        """The value of the request's parameters; each refusal goes to ``fail`` naming it."""
        text = first_param(params, self.name)
        if not text:
            return self.empty
        if CONTROL_CHARS.search(text):
            fail(self.name, _("Contains control characters."))
            return self.empty
        try:
            return self.clean(text)
        except ValueError as exc:
            fail(self.name, str(exc))
            return self.empty

    def clean(self, text: str) -> T:
        raise NotImplementedError

    def narrow(self, qs: QuerySet[R], value: T, context: Mapping[str, Any]) -> QuerySet[R]:
        """``qs`` with this filter's condition (``context``: what the caller passed to
        ``FilterSet.apply``, for filters that need more than their value)."""
        return qs.filter(self.where(value) if self.where is not None else Q(**{self.column: value}))

    def boxes(self, user: Any) -> dict[str, forms.Field]:
        """The filter bar's boxes for this filter, by parameter name."""
        if self.label is None:
            return {}
        if self.hidden:
            return {self.name: forms.CharField(label=self.label, required=False, widget=forms.HiddenInput)}
        if self.options is not None:
            options = list(self.options(user))
            return {self.name: select_box(self.label, self.blank, options)} if len(options) >= self.min_options else {}
        return {self.name: self.box()}

    def box(self) -> forms.Field:
        return forms.CharField(label=self.label, required=False, widget=forms.TextInput(attrs=self.attrs))

    def schema(self) -> dict[str, Any]:
        return _string(self.doc, pattern=NO_CONTROL_CHARS)

    def openapi(self) -> list[dict[str, Any]]:
        """The parameter(s) in the API document: the schema says what the parameter reads;
        ``rule`` (``x-zhaoyin-rule``) what the server judges beyond it (a code must name a
        record the caller may see), see ``core.api.RULE_KEY``."""
        schema = self.schema()
        if self.rule:
            schema[RULE_KEY] = self.rule
        return [_parameter(self.name, schema)]


def select_box(label: Any, blank: Any, options: Iterable[tuple[str, Any]]) -> forms.Field:
    """A filter bar's select box: ``blank`` (no filter) first, then ``options`` (value, label)."""
    choices = [("", blank), *((value, str(text)) for value, text in options)]
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=choices))


class Search(Filter[tuple[str, ...]]):
    """Free-text search: the folded words of ``q`` (at most ``MAX_TERMS``, each must occur), or
    one phrase with ``words=False``. ``column`` is the lookup a word is matched with (e.g.
    ``search_text__contains``); ``where`` turns one word into a condition."""

    empty: tuple[str, ...] = ()
    max_length = MAX_QUERY_LENGTH

    def __init__(
        self,
        column: str = "search_text__contains",
        *,
        fold: Callable[[str], str] = str,
        words: bool = True,
        where: Callable[[str], Q] | None = None,
        label: Any = None,
        doc: str = "",
    ) -> None:
        super().__init__(column=column, label=label, doc=doc)
        self.fold = fold
        self.words = words
        self.term_where = where

    def read(self, params: Mapping[str, Any], fail: Fail) -> tuple[str, ...]:
        text = first_param(params, self.name)
        if not self.words:
            if len(text) > MAX_QUERY_LENGTH:
                fail(self.name, _("Search text must be at most %(n)d characters.") % {"n": MAX_QUERY_LENGTH})
            elif CONTROL_CHARS.search(text):
                fail(self.name, _("Contains control characters."))
            else:
                return (text,) if text else ()
            return ()
        errors = ParamErrors()
        terms = parse_terms(text, errors, self.fold)
        for error in errors.errors:
            fail(self.name, error["message"])
        return terms

    def condition(self, term: str) -> Q:
        return self.term_where(term) if self.term_where is not None else Q(**{self.column: term})

    def narrow(self, qs: QuerySet[R], value: tuple[str, ...], context: Mapping[str, Any]) -> QuerySet[R]:
        for term in value:
            qs = qs.filter(self.condition(term))
        return qs

    def box(self) -> forms.Field:
        return forms.CharField(
            label=self.label, required=False, widget=forms.TextInput(attrs={"type": "search", "maxlength": 100})
        )

    def schema(self) -> dict[str, Any]:
        if not self.words:
            return _string(self.doc, maxLength=MAX_QUERY_LENGTH, pattern=NO_CONTROL_CHARS)
        # At most MAX_TERMS words, no control character.
        words = rf"^\s*(?:{_WORD}{_GAP}){{0,{MAX_TERMS - 1}}}(?:{_WORD})?\s*$"
        schema = _string(self.doc, maxLength=MAX_QUERY_LENGTH, pattern=words)
        if self.fold is not str:
            # Folding (compatibility forms: U+00A8 becomes a space and a diaeresis) can split a
            # word the pattern sees as one: the count is judged on the folded text.
            schema[RULE_KEY] = f"at most {MAX_TERMS} words once folded"
        return schema


class Choice(Filter[str]):
    """One of ``choices`` (value, label): ``column = value``."""

    empty = ""

    def __init__(self, choices: Iterable[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = tuple((str(value), label) for value, label in choices)
        self.values = tuple(value for value, _label in self.choices)

    def clean(self, text: str) -> str:
        if text not in self.values:
            raise ValueError(_("Choose one of: %(values)s.") % {"values": ", ".join(self.values)})
        return text

    def box(self) -> forms.Field:
        return select_box(self.label, self.blank, self.choices)

    def schema(self) -> dict[str, Any]:
        return _string(self.doc, enum=list(self.values))


class MultiChoice(Filter[tuple[str, ...]]):
    """Several of ``choices``, comma-separated or the parameter repeated: ``column IN (…)``."""

    empty: tuple[str, ...] = ()

    def __init__(self, choices: Iterable[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.single = Choice(choices)

    def read(self, params: Mapping[str, Any], fail: Fail) -> tuple[str, ...]:
        getlist = getattr(params, "getlist", None)
        raw = getlist(self.name) if getlist is not None else params.get(self.name)
        items = raw if isinstance(raw, list | tuple) else [] if raw is None else [raw]
        picked: list[str] = []
        for part in (p.strip() for item in items for p in str(item).split(",")):
            if not part:
                continue
            try:
                picked.append(self.single.clean(part))
            except ValueError as exc:
                fail(self.name, str(exc))
                return ()
        return tuple(dict.fromkeys(picked))

    def narrow(self, qs: QuerySet[R], value: tuple[str, ...], context: Mapping[str, Any]) -> QuerySet[R]:
        return qs.filter(self.where(value) if self.where is not None else Q(**{f"{self.column}__in": value}))

    def box(self) -> forms.Field:
        choices = [(value, str(text)) for value, text in self.single.choices]
        return forms.MultipleChoiceField(label=self.label, required=False, choices=choices)

    def schema(self) -> dict[str, Any]:
        one = _any_of(self.single.values)
        pattern = rf"^\s*(?:{one}\s*)?(?:,\s*(?:{one}\s*)?)*$"
        return _string(f"{self.doc} (several: comma-separated)".strip(), pattern=pattern)


class Ref(Filter[M | None], Generic[M]):
    """A dictionary entry named by the parameter (a code or an id): ``resolve`` finds it (None:
    unknown → ``message``). ``subtree``: the entry's records and those of the units below it
    (``descendants_q``), else ``column = entry``."""

    empty = None

    def __init__(
        self,
        resolve: Callable[[str], M | None],
        *,
        message: Any,
        subtree: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("rule", REFERENCE_RULE)
        super().__init__(**kwargs)
        self.resolve = resolve
        self.message = message
        self.subtree = subtree

    def clean(self, text: str) -> M | None:
        found = self.resolve(text)
        if found is None:
            raise ValueError(str(self.message))
        return found

    def narrow(self, qs: QuerySet[R], value: M | None, context: Mapping[str, Any]) -> QuerySet[R]:
        if self.subtree and self.where is None:
            unit: _Subtree = value  # type: ignore[assignment]
            return qs.filter(unit.descendants_q(self.column))
        return super().narrow(qs, value, context)


class Integer(Filter[int | None]):
    """A whole number from ``minimum`` to ``maximum`` (ids: the defaults); ``message`` for any
    other text (``%(low)d`` and ``%(high)d`` in it are the bounds)."""

    empty = None

    def __init__(self, *, message: Any, minimum: int = 1, maximum: int = 999_999_999, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message
        self.minimum, self.maximum = minimum, maximum

    def clean(self, text: str) -> int | None:
        number = positive_int(text)
        if number is None or not self.minimum <= number <= self.maximum:
            raise ValueError(str(self.message) % {"low": self.minimum, "high": self.maximum})
        return number

    def schema(self) -> dict[str, Any]:
        if self.minimum in (0, 1):
            return _string(self.doc, pattern=whole_number_pattern(self.minimum, self.maximum))
        # Other bounds (a year): the digits here, the bounds stated as a rule.
        schema = _string(self.doc, pattern=rf"^\s*\d{{1,{len(str(self.maximum))}}}\s*$")
        return schema | {RULE_KEY: f"from {self.minimum} to {self.maximum}"}


class Boolean(Filter[bool | None]):
    """``true``/``1`` or ``false``/``0``; the box offers ``yes`` and ``no``."""

    empty = None
    TRUE = frozenset({"true", "1"})
    FALSE = frozenset({"false", "0"})

    def __init__(self, *, yes: Any = None, no: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.yes, self.no = yes, no

    def clean(self, text: str) -> bool | None:
        flag = text.lower()
        if flag in self.TRUE | self.FALSE:
            return flag in self.TRUE
        raise ValueError(_("Choose one of: %(values)s.") % {"values": "true, false"})

    def box(self) -> forms.Field:
        return select_box(self.label, self.blank, [("1", self.yes), ("0", self.no)])

    def schema(self) -> dict[str, Any]:
        return _string(self.doc, enum=["true", "false", "1", "0"])


class Text(Filter[str]):
    """Text compared exactly (a code), at most ``max_length`` characters; ``clean`` (text →
    the stored form, ``ValueError`` with the reason) checks it further."""

    empty = ""

    def __init__(
        self,
        *,
        max_length: int = 100,
        message: Any = None,
        clean: Callable[[str], str] | None = None,
        pattern: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_length: int = max_length
        self.pattern = pattern
        self.message = message
        self.cleaner = clean
        self.attrs.setdefault("maxlength", max_length)

    def clean(self, text: str) -> str:
        if len(text) > self.max_length:
            raise ValueError(
                str(self.message or _("At most %(n)d characters.") % {"n": self.max_length})
            )
        # The documented pattern is enforced too when no cleaner judges the text (a cleaner
        # gives its own, more precise reason).
        if self.pattern and self.cleaner is None and text and re.match(self.pattern, text) is None:
            raise ValueError(str(self.message or _("This value is not in the expected form.")))
        return self.cleaner(text) if self.cleaner is not None else text

    def schema(self) -> dict[str, Any]:
        """At most ``max_length`` characters, no control character; ``pattern`` (the form
        ``clean`` accepts) when the filter declares one."""
        return _string(self.doc, maxLength=self.max_length, pattern=self.pattern or NO_CONTROL_CHARS)


@dataclass(frozen=True)
class Bounds(Generic[T]):
    """A range's two ends, each optional (inclusive)."""

    low: T | None = None
    high: T | None = None


class Range(Filter[Bounds[T]]):
    """Two parameters, ``low`` and ``high`` (inclusive, either may be absent): ``column`` ≥ low
    and ≤ high. ``parse`` turns a text into a value (``ValueError`` with the reason); a high
    end below the low end is refused on the high parameter."""

    def __init__(
        self,
        low: str,
        high: str,
        *,
        parse: Callable[[str], T],
        labels: tuple[Any, Any] = (None, None),
        end_schema: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.empty = Bounds()
        self.low, self.high = low, high
        self.parse = parse
        self.labels = labels
        self.end_schema = dict(end_schema or {"pattern": NO_CONTROL_CHARS})

    @property
    def params(self) -> tuple[str, ...]:
        return (self.low, self.high)

    def read(self, params: Mapping[str, Any], fail: Fail) -> Bounds[T]:
        ends: dict[str, T | None] = {}
        for name in self.params:
            text = first_param(params, name)
            ends[name] = None
            if not text:
                continue
            if CONTROL_CHARS.search(text):
                fail(name, _("Contains control characters."))
                continue
            try:
                ends[name] = self.parse(text)
            except ValueError as exc:
                fail(name, str(exc))
        low, high = ends[self.low], ends[self.high]
        if low is not None and high is not None and high < low:  # type: ignore[operator]
            fail(self.high, _("The maximum must not be below the minimum."))
        return Bounds(low, high)

    def narrow(self, qs: QuerySet[R], value: Bounds[T], context: Mapping[str, Any]) -> QuerySet[R]:
        if value.low is not None:
            qs = qs.filter(**{f"{self.column}__gte": value.low})
        if value.high is not None:
            qs = qs.filter(**{f"{self.column}__lte": value.high})
        return qs

    def boxes(self, user: Any) -> dict[str, forms.Field]:
        return {
            name: forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=self.attrs))
            for name, label in zip(self.params, self.labels, strict=True)
            if label is not None
        }

    def openapi(self) -> list[dict[str, Any]]:
        """Both ends; the high one carries the rule no schema can state (not below the low)."""
        low = _string(f"{self.doc} (from, inclusive)".strip(), **self.end_schema)
        high = _string(f"{self.doc} (to, inclusive)".strip(), **self.end_schema)
        high[RULE_KEY] = "not below the low end"
        return [_parameter(self.low, low), _parameter(self.high, high)]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(text: str) -> dt.date:
    """A date written ``YYYY-MM-DD``."""
    try:
        if _ISO_DATE.match(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(_("Enter a date as YYYY-MM-DD."))


class DecimalRange(Range[Decimal]):
    """A range of amounts; ``parse`` is the list's amount rule (e.g. ``clean_decimal``)."""

    def __init__(
        self, low: str, high: str, *, parse: Callable[[str], Decimal], places: int = 2, digits: int = 13, **kwargs: Any
    ) -> None:
        # The document's form of an amount: digits, at most ``places`` decimals (what
        # ``clean_decimal`` reads; its maximum is the parse's own).
        end = {"pattern": rf"^\d{{1,{digits}}}(?:\.\d{{1,{places}}})?$"}
        super().__init__(
            low, high, parse=parse, attrs={"inputmode": "decimal", "maxlength": 20}, end_schema=end, **kwargs
        )


class DateRange(Range[dt.date]):
    """A range of days written ``YYYY-MM-DD``."""

    def __init__(self, low: str, high: str, **kwargs: Any) -> None:
        end = {"format": "date", "pattern": _ISO_DATE.pattern}
        super().__init__(low, high, parse=iso_date, attrs={"type": "date"}, end_schema=end, **kwargs)


@dataclass(frozen=True)
class Sort:
    """The sort keys a caller may choose (``-key`` descending), each a column; ``id`` breaks
    ties. ``nullable``: keys whose column may be empty (missing values sort last)."""

    columns: Mapping[str, str]
    default: str
    nullable: frozenset[str] = frozenset()

    def openapi(self) -> dict[str, Any]:
        keys = [*self.columns, *(f"-{key}" for key in self.columns)]
        return _parameter("sort", _string(f"Sort key, - for descending; default {self.default}", enum=keys))


class FilterSet:
    """A list's filters, order and paging, declared once (see the module docstring). An instance
    is one parsed request: each filter attribute holds its typed value, plus ``sort``, ``page``,
    ``page_size`` and ``params`` (the filter parameters as given, for links and audit records)."""

    filters: ClassVar[dict[str, Filter[Any]]] = {}
    #: A ``Sort`` the caller chooses with ``sort``, or a fixed ``order_by``.
    order: ClassVar[Sort | Sequence[str]] = ()
    #: Whether the list reads ``page`` and ``page_size``, and the largest page it serves.
    paged: ClassVar[bool] = True
    max_page_size: ClassVar[int] = MAX_PAGE_SIZE

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = {name: f for name, f in vars(cls).items() if isinstance(f, Filter)}
        cls.filters = {**cls.filters, **own}

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        sort: str = "",
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        params: Mapping[str, str] | None = None,
    ) -> None:
        self.values = {name: f.empty for name, f in self.filters.items()} | dict(values or {})
        self.sort = sort or (self.order.default if isinstance(self.order, Sort) else "")
        self.page, self.page_size = page, page_size
        self.params = dict(params or {})

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash((type(self), self.sort, self.page, self.page_size))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r}, page={self.page}, page_size={self.page_size})"

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        """The request ``params`` mean (a QueryDict gives a parameter's last value; unknown
        parameters are ignored — pages carry others); ``InvalidInput`` naming every bad one."""
        errors = ParamErrors()
        values = {}
        for name, f in cls.filters.items():
            # The length as sent: the document's maxLength, whatever whitespace surrounds it.
            limit = f.max_length
            long = [p for p in f.params if limit is not None and len(_raw_param(params, p)) > limit]
            for param in long:
                errors.fail(param, _("At most %(n)d characters.") % {"n": limit})
            values[name] = f.empty if long else f.read(params, errors.fail)
        sort = ""
        if isinstance(cls.order, Sort):
            sort = parse_sort(first_param(params, "sort"), cls.order.columns, cls.order.default, errors)
        page, page_size = 1, DEFAULT_PAGE_SIZE
        if cls.paged:
            raw = {name: first_param(params, name) for name in PAGING_PARAMS}
            page, page_size = parse_paging(raw, errors, cls.max_page_size)
        errors.raise_if_any()
        names = [p for f in cls.filters.values() for p in f.params] + (["sort"] if sort else [])
        kept = {name: text for name in names if (text := first_param(params, name))}
        return cls(values, sort=sort, page=page, page_size=page_size, params=kept)

    @property
    def is_filtered(self) -> bool:
        """True when any filter (not just an order or a page) narrows the list."""
        return any(self.values[name] != f.empty for name, f in self.filters.items())

    def apply(self, qs: QuerySet[R], **context: Any) -> QuerySet[R]:
        """Narrow an already scoped ``qs`` by every filter given, in declaration order, and
        order it. ``context`` goes to the filters (e.g. the day a light is judged on)."""
        for name, f in self.filters.items():
            value = self.values[name]
            if value != f.empty:
                qs = f.narrow(qs, value, {**context, "filters": self})
        if isinstance(self.order, Sort):
            return qs.order_by(*ordering(self.sort, self.order.columns, self.order.nullable))
        return qs.order_by(*self.order) if self.order else qs

    def describe(self) -> str:
        """The filter as ``key=value`` pairs, for audit records of exports."""
        return " ".join(f"{k}={v}" for k, v in self.params.items() if k != "sort")

    @classmethod
    def openapi(cls) -> dict[str, Any]:
        """The query parameters for the operation's ``openapi_extra``."""
        parameters = [p for f in cls.filters.values() for p in f.openapi()]
        if isinstance(cls.order, Sort):
            parameters.append(cls.order.openapi())
        if cls.paged:
            parameters += [
                _parameter("page", _string("", pattern=whole_number_pattern(1, 999_999_999))),
                _parameter(
                    "page_size",
                    _string(f"Default {DEFAULT_PAGE_SIZE}", pattern=whole_number_pattern(1, cls.max_page_size)),
                ),
            ]
        return {"parameters": parameters}


__all__ = [
    "Boolean",
    "Bounds",
    "Choice",
    "DateRange",
    "DecimalRange",
    "Filter",
    "FilterSet",
    "Integer",
    "MultiChoice",
    "Range",
    "Ref",
    "Search",
    "Sort",
    "Text",
    "iso_date",
]
