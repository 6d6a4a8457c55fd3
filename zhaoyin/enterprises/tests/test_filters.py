"""The shared list parameters: validation naming the field, each filter, sorting, paging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.listparams import DEFAULT_PAGE_SIZE
from zhaoyin.core.testing import bad_values
from zhaoyin.enterprises.filters import (
    EnterpriseFilter,
    enterprise_page,
)
from zhaoyin.enterprises.models import Enterprise, Industry, Qualification
from zhaoyin.enterprises.tests.conftest import MakeEnterprise


def names(params: dict[str, str]) -> list[str]:
    flt = EnterpriseFilter.parse(params)
    return [e.name for e in flt.apply(Enterprise.objects.all())]


def test_defaults(db: None) -> None:
    flt = EnterpriseFilter.parse({})
    assert (flt.q, flt.sort, flt.page, flt.page_size) == ((), "name", 1, DEFAULT_PAGE_SIZE)
    assert not flt.is_filtered


@pytest.mark.parametrize(
    ("params", "field"),
    bad_values({
        "org_unit": ["nowhere"],
        "industry": ["no-such-industry", "999999"],
        "size_class": ["huge"],
        "qualification": ["abc", "999999"],
        "service_group": ["340402"],  # a county is not a service group
        "sort": ["password", "-search_text"],
        "page": ["0", "-1", "x", "１"],  # the last a full-width digit
        "page_size": ["0", "201", "1e2"],
        "q": ["a\x00b", "电" * 101, "a b c d e f"],
    }),
)
def test_VAL_01_bad_parameter_is_named(org_tree: dict[str, OrgUnit], params: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        EnterpriseFilter.parse(params)
    assert [e["field"] for e in exc.value.errors] == [field]
    assert exc.value.errors[0]["message"]


def test_every_bad_parameter_is_reported_at_once(org_tree: dict[str, OrgUnit]) -> None:
    with pytest.raises(InvalidInput) as exc:
        EnterpriseFilter.parse({"industry": "nope", "page": "0", "sort": "x"})
    assert {e["field"] for e in exc.value.errors} == {"industry", "page", "sort"}


def test_org_unit_filter_includes_descendants(make_enterprise: MakeEnterprise) -> None:
    make_enterprise("甲", unit="county_a")
    make_enterprise("乙", unit="park_a")
    make_enterprise("丙", unit="county_b")
    assert sorted(names({"org_unit": "340402"})) == sorted(["甲", "乙"])
    assert names({"org_unit": "park-a"}) == ["乙"]


def test_industry_by_code_or_id(make_enterprise: MakeEnterprise, industries: dict[str, Industry]) -> None:
    make_enterprise("信息", industry="it")
    make_enterprise("煤矿", industry="coal")
    assert names({"industry": "coal"}) == ["煤矿"]
    assert names({"industry": str(industries["it"].pk)}) == ["信息"]


def test_size_class_service_group_and_qualification(
    make_enterprise: MakeEnterprise, qualifications: dict[str, Qualification]
) -> None:
    make_enterprise("规上一", size_class="above", group="group_1", quals=("高新技术企业", "专精特新"))
    make_enterprise("规下一", size_class="below", group="group_2", quals=("专精特新",))
    assert names({"size_class": "above"}) == ["规上一"]
    assert names({"service_group": "sg-02"}) == ["规下一"]
    # Two qualifications on one enterprise must not list it twice.
    assert sorted(names({"qualification": str(qualifications["专精特新"].pk)})) == sorted(["规上一", "规下一"])
    assert names({"qualification": str(qualifications["高新技术企业"].pk)}) == ["规上一"]


def test_sort_whitelist_both_directions_and_missing_values_last(make_enterprise: MakeEnterprise) -> None:
    make_enterprise("B", employees=10, land_mu=Decimal("5.5"), founded_on=dt.date(2010, 1, 1))
    make_enterprise("A", employees=None, land_mu=None, founded_on=None)
    make_enterprise("C", employees=300, land_mu=Decimal("1"), founded_on=dt.date(2020, 1, 1))
    assert names({"sort": "name"}) == ["A", "B", "C"]
    assert names({"sort": "-name"}) == ["C", "B", "A"]
    assert names({"sort": "employees"}) == ["B", "C", "A"]
    assert names({"sort": "-employees"}) == ["C", "B", "A"]
    assert names({"sort": "land_mu"}) == ["C", "B", "A"]
    assert names({"sort": "-founded_on"}) == ["C", "B", "A"]
    assert names({"sort": "updated_at"}) == ["B", "A", "C"]


def test_paging_counts_and_past_the_end_is_empty(make_enterprise: MakeEnterprise) -> None:
    for i in range(7):
        make_enterprise(f"企业{i}")
    flt = EnterpriseFilter.parse({"page": "2", "page_size": "5"})
    total, items = enterprise_page(flt.apply(Enterprise.objects.all()), flt)
    assert total == 7
    assert [e.name for e in items] == ["企业5", "企业6"]
    flt = EnterpriseFilter.parse({"page": "99", "page_size": "5"})
    assert enterprise_page(flt.apply(Enterprise.objects.all()), flt) == (7, [])


def test_query_dict_last_value_and_unknown_parameters_ignored(db: None) -> None:
    from django.http import QueryDict

    flt = EnterpriseFilter.parse(QueryDict("sort=name&sort=-name&utm_source=x"))
    assert flt.sort == "-name"
    assert flt.params == {"sort": "-name"}
