"""The shared project list filter: parsing (every bad parameter named) and applying."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.testing import bad_values
from zhaoyin.projects.alerts import alerts_refresh
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.filters import ProjectFilter
from zhaoyin.projects.models import Project
from zhaoyin.projects.tests.helpers import MakeProject

pytestmark = pytest.mark.django_db


def names(params: dict[str, str]) -> list[str]:
    flt = ProjectFilter.parse(params)
    return list(flt.apply(Project.objects.all()).values_list("name", flat=True))


def test_search_matches_code_name_and_investor_all_terms(make_project: MakeProject) -> None:
    make_project(name="新能源电池", investor_name="宁德某公司", code="XM-2026-00001")
    make_project(name="煤化工升级", investor_name="淮南某集团")
    assert names({"q": "电池"}) == ["新能源电池"]
    assert names({"q": "宁德 电池"}) == ["新能源电池"]
    assert names({"q": "xm-2026"}) == ["新能源电池"]
    assert names({"q": "电池 淮南"}) == []


def test_org_unit_includes_descendants(make_project: MakeProject, org_tree: Any) -> None:
    make_project(name="县A", unit="county_a")
    make_project(name="园区", unit="park_a")
    make_project(name="县B", unit="county_b")
    assert sorted(names({"org_unit": org_tree["county_a"].code})) == sorted(["园区", "县A"])


def test_stage_region_method_and_investment_bounds(make_project: MakeProject) -> None:
    make_project(name="a", stage=Stage.SIGNED, source_region="overseas", total_investment_wan=Decimal("100"))
    make_project(name="b", stage=Stage.SIGNED, source_region="in_province", total_investment_wan=Decimal("200"))
    make_project(name="c", stage=Stage.LEAD, attraction_method="fund", total_investment_wan=Decimal("300"))
    assert names({"stage": "signed", "sort": "name"}) == ["a", "b"]
    assert names({"source_region": "overseas"}) == ["a"]
    assert names({"attraction_method": "fund"}) == ["c"]
    assert names({"min_investment": "150", "max_investment": "300", "sort": "-total_investment_wan"}) == ["c", "b"]


def test_alert_filters_by_the_stored_light(make_project: MakeProject) -> None:
    make_project(name="late", stage=Stage.SIGNED, planned_start_on=dt.date(2020, 1, 1))
    make_project(name="calm", stage=Stage.SIGNED)
    alerts_refresh()
    assert names({"alert": "red"}) == ["late"]
    assert names({"alert": "green"}) == ["calm"]
    assert names({"alert": "yellow"}) == []


def test_sort_whitelist_and_stable_order(make_project: MakeProject) -> None:
    make_project(name="乙")
    make_project(name="甲")
    assert names({"sort": "name"}) == sorted(["乙", "甲"])
    assert names({"sort": "-name"}) == sorted(["乙", "甲"], reverse=True)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        *bad_values({
            "sort": ["password"], "stage": ["flying"], "source_region": ["mars"], "attraction_method": ["bribe"],
            "alert": ["purple"], "org_unit": ["nowhere"], "industry": ["nothing"], "min_investment": ["abc"],
            "max_investment": ["-1"], "page": ["0"], "page_size": ["1000"], "q": ["x" * 101, "a\x00b"],
        }),
        ({"min_investment": "10", "max_investment": "5"}, "max_investment"),
    ],
)
def test_bad_parameters_are_named(params: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        ProjectFilter.parse(params)
    assert [e["field"] for e in info.value.errors] == [field]


def test_params_keep_only_filters() -> None:
    flt = ProjectFilter.parse({"stage": "lead", "page": "2", "other": "x"})
    assert flt.params == {"stage": "lead"}
    assert flt.page == 2
    assert flt.is_filtered
    assert not ProjectFilter.parse({"sort": "name"}).is_filtered
