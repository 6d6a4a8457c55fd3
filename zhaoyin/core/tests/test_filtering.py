"""core.filtering: each filter type reads a valid value, refuses a bad one naming its parameter,
and adds nothing when absent; the SQL is the chain of conditions a hand-written filter gives;
the filter bar and the OpenAPI parameters come from the same declaration."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F, Q, QuerySet
from django.http import QueryDict

from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY, InvalidInput
from zhaoyin.core.filtering import (
    Boolean,
    Bounds,
    Choice,
    DateRange,
    DecimalRange,
    FilterSet,
    Integer,
    MultiChoice,
    Ref,
    Search,
    Sort,
    Text,
)
from zhaoyin.core.forms import FilterBarForm
from zhaoyin.enterprises.models import Enterprise, SizeClass


class _Unit:
    """Stands for an org unit: the records of its subtree."""

    def descendants_q(self, field: str = "org_unit") -> Q:
        return Q(**{f"{field}__path__startswith": "/1/"})


UNIT = _Unit()


def _decimal(text: str) -> Decimal:
    """A parse rule keeps the contract: ``ValueError`` with the reason."""
    try:
        return Decimal(text)
    except ArithmeticError:
        raise ValueError("must be a number") from None


class Sample(FilterSet):
    q = Search(fold=str.lower, label="Search")
    size = Choice(SizeClass.choices, column="size_class", label="Size", blank="All sizes")
    sizes = MultiChoice(SizeClass.choices, column="size_class")
    unit = Ref(
        lambda code: UNIT if code == "u1" else None,
        message="Unknown unit.",
        subtree=True,
        column="org_unit",
        label="Unit",
        blank="All units",
        options=lambda user: [("u1", "Unit one")] * user,
        min_options=2,
    )
    group = Ref(lambda code: {"g1": 7}.get(code), message="Unknown group.", column="service_group_id")
    employees = Integer(message="From %(low)d to %(high)d.", maximum=1000, label="Employees", hidden=True)
    staffed = Boolean(where=lambda flag: Q(employees__isnull=not flag), label="Staffed", blank="Any", yes="Y", no="N")
    uscc = Text(max_length=18, clean=str.upper)
    land = DecimalRange("min_land", "max_land", parse=_decimal, column="land_mu", labels=("From", "To"))
    founded = DateRange("founded_from", "founded_to", column="founded_on")
    order = Sort({"name": "name", "land_mu": "land_mu"}, default="name", nullable=frozenset({"land_mu"}))


def sql(qs: QuerySet[Enterprise]) -> str:
    return str(qs.query)


def base() -> QuerySet[Enterprise]:
    return Enterprise.objects.all()


def test_nothing_given_applies_nothing(db: None) -> None:
    flt = Sample.parse({})
    assert not flt.is_filtered
    assert (flt.q, flt.size, flt.sizes, flt.unit, flt.group, flt.employees, flt.staffed, flt.uscc) == (
        (), "", (), None, None, None, None, ""
    )
    assert flt.land == Bounds()
    assert flt.founded == Bounds()
    assert (flt.sort, flt.page, flt.page_size, flt.params) == ("name", 1, 50, {})
    assert sql(flt.apply(base())) == sql(base().order_by("name", "id"))
    assert flt == Sample()


@pytest.mark.parametrize(
    ("params", "attr", "value", "condition"),
    [
        ({"q": "Ab  cd ab"}, "q", ("ab", "cd"), [Q(search_text__contains="ab"), Q(search_text__contains="cd")]),
        ({"size": "above"}, "size", "above", [Q(size_class="above")]),
        ({"sizes": "above,below"}, "sizes", ("above", "below"), [Q(size_class__in=("above", "below"))]),
        (QueryDict("sizes=below&sizes=below"), "sizes", ("below",), [Q(size_class__in=("below",))]),
        ({"unit": "u1"}, "unit", UNIT, [Q(org_unit__path__startswith="/1/")]),
        ({"group": "g1"}, "group", 7, [Q(service_group_id=7)]),
        ({"employees": "1000"}, "employees", 1000, [Q(employees=1000)]),
        ({"staffed": "TRUE"}, "staffed", True, [Q(employees__isnull=False)]),
        ({"staffed": "0"}, "staffed", False, [Q(employees__isnull=True)]),
        ({"uscc": " 91abc "}, "uscc", "91ABC", [Q(uscc="91ABC")]),
        (
            {"min_land": "1.5", "max_land": "2"},
            "land",
            Bounds(Decimal("1.5"), Decimal("2")),
            [Q(land_mu__gte=Decimal("1.5")), Q(land_mu__lte=Decimal("2"))],
        ),
        (
            {"founded_to": "2020-02-29"},
            "founded",
            Bounds(None, dt.date(2020, 2, 29)),
            [Q(founded_on__lte=dt.date(2020, 2, 29))],
        ),
    ],
)
def test_a_valid_value_is_typed_and_narrows(
    db: None, params: dict[str, str], attr: str, value: Any, condition: list[Q]
) -> None:
    flt = Sample.parse(params)
    assert getattr(flt, attr) == value
    assert flt.is_filtered
    expected = base()
    for q in condition:
        expected = expected.filter(q)
    assert sql(flt.apply(base())) == sql(expected.order_by("name", "id"))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "a b c d e f"}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00"}, "q"),
        ({"size": "huge"}, "size"),
        ({"sizes": "above,huge"}, "sizes"),
        ({"unit": "u2"}, "unit"),
        ({"unit": "u\x1f1"}, "unit"),
        ({"group": "g2"}, "group"),
        ({"employees": "1001"}, "employees"),
        ({"employees": "-1"}, "employees"),
        ({"employees": "１"}, "employees"),
        ({"staffed": "maybe"}, "staffed"),
        ({"uscc": "9" * 19}, "uscc"),
        ({"min_land": "abc"}, "min_land"),
        ({"min_land": "3", "max_land": "2"}, "max_land"),
        ({"founded_from": "2020-02-30"}, "founded_from"),
        ({"founded_to": "20200101"}, "founded_to"),
        ({"sort": "uscc"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page_size": "201"}, "page_size"),
    ],
)
def test_a_bad_value_is_refused_naming_its_parameter(db: None, params: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        Sample.parse(params)
    assert [e["field"] for e in exc.value.errors] == [field]
    assert exc.value.errors[0]["message"]
    assert str(exc.value.detail).startswith(f"{field}: ")


def test_every_bad_value_is_named_at_once_and_messages_fill_their_bounds(db: None) -> None:
    with pytest.raises(InvalidInput) as exc:
        Sample.parse({"size": "huge", "employees": "x", "founded_from": "x", "sort": "x"})
    assert [e["field"] for e in exc.value.errors] == ["size", "employees", "founded_from", "sort"]
    assert exc.value.errors[1]["message"] == "From 1 to 1000."


def test_sort_both_directions_and_kept_parameters(db: None) -> None:
    flt = Sample.parse(QueryDict("sort=name&sort=-land_mu&size=above&page=3&other=x"))
    assert flt.sort == "-land_mu"
    assert flt.params == {"size": "above", "sort": "-land_mu"}
    assert flt.page == 3
    assert flt.describe() == "size=above"
    expected = base().filter(size_class="above").order_by(F("land_mu").desc(nulls_last=True), "-id")
    assert sql(flt.apply(base())) == sql(expected)


def test_apply_context_reaches_the_filters(db: None) -> None:
    seen: dict[str, Any] = {}

    class Probe(Choice):
        def narrow(self, qs: Any, value: str, context: Any) -> Any:
            seen.update(context)
            return qs

    class WithContext(FilterSet):
        kind = Probe([("a", "A")])

    flt = WithContext.parse({"kind": "a"})
    flt.apply(base(), today=dt.date(2026, 1, 5))
    assert seen["today"] == dt.date(2026, 1, 5)
    assert seen["filters"] is flt


def test_the_filter_bar_is_built_from_the_declaration(db: None) -> None:
    form = FilterBarForm(QueryDict("size=huge&employees=5"), filters=Sample, user=2)
    assert list(form.fields) == ["q", "size", "unit", "employees", "staffed", "min_land", "max_land"]
    assert [v for v, _label in form.fields["size"].widget.choices] == ["", "above", "below"]
    assert form.fields["size"].widget.choices[0] == ("", "All sizes")
    assert [v for v, _label in form.fields["staffed"].widget.choices] == ["", "1", "0"]
    assert form.fields["employees"].widget.is_hidden
    assert not form.is_valid()
    assert form.filter is None
    assert form.errors["size"]
    assert [label for label, _message in form.problems] == ["Size"]
    # Fewer options than the filter's minimum: the box is left out.
    assert "unit" not in FilterBarForm(None, filters=Sample, user=1).fields
    good = FilterBarForm(QueryDict("size=above"), filters=Sample, user=2)
    assert good.is_valid()
    assert good.filter is not None
    assert good.filter.size == "above"


def test_openapi_lists_every_parameter_once(db: None) -> None:
    parameters = Sample.openapi()["parameters"]
    names = [p["name"] for p in parameters]
    assert names == [
        "q", "size", "sizes", "unit", "group", "employees", "staffed", "uscc", "min_land", "max_land",
        "founded_from", "founded_to", "sort", "page", "page_size",
    ]
    assert all(p["in"] == "query" and p["required"] is False for p in parameters)
    # Each parameter's own form beside a blank value ("not given").
    blank = {"type": "string", "pattern": r"^\s*$"}
    assert all(p["schema"]["anyOf"][1] == blank for p in parameters)
    by_name = {p["name"]: p["schema"]["anyOf"][0] for p in parameters}
    assert by_name["size"]["enum"] == ["above", "below"]
    assert by_name["sort"]["enum"] == ["name", "land_mu", "-name", "-land_mu"]
    page_size = re.compile(by_name["page_size"]["pattern"])
    assert [n for n in range(0, 300) if page_size.match(str(n))] == list(range(1, 201))
    assert by_name["founded_from"]["format"] == "date"
    # A reference names a record within the caller's scope: the document says so (D7).
    assert parameters[3]["schema"][RULE_KEY] == REFERENCE_RULE
