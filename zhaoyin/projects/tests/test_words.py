"""The Chinese words of the pipeline (issue 15 item 10): 已注册 for a registered project while a
draft matter stays 登记; fund sources 省内市外 / 省外 / 境外 (and a sheet may use them); the
funds indicator has one name, the report's 引进市外资金."""

from __future__ import annotations

import pytest
from django.utils import translation

from zhaoyin.matters.flow import STATE_LABELS, State
from zhaoyin.projects.choices import AttractionMethod, FundSource, Stage
from zhaoyin.projects.inputs import clean_fund_source
from zhaoyin.targets.indicators import REGISTRY


def test_registered_project_is_zhuce_and_a_draft_matter_stays_dengji() -> None:
    with translation.override("zh-hans"):
        assert str(Stage.REGISTERED.label) == "已注册"
        assert str(STATE_LABELS[State.DRAFT]) == "已登记"
    with translation.override("en"):
        assert str(Stage.REGISTERED.label) == "Registered"


def test_fund_sources_are_named_as_reports_name_them() -> None:
    with translation.override("zh-hans"):
        assert [str(label) for _value, label in FundSource.choices] == ["省内市外", "省外", "境外"]
        assert str(AttractionMethod.LOCAL_EXPANSION.label) == "本地企业增资扩产"


@pytest.mark.parametrize(("text", "code"), [("省内市外", "outside_city"), ("市外", "outside_city"),
                                            ("省外", "outside_province"), ("境外", "foreign")])
def test_a_sheet_may_name_the_source_by_its_label_or_the_older_short_name(text: str, code: str) -> None:
    assert clean_fund_source(text) == code


def test_an_unknown_source_names_the_accepted_words() -> None:
    with pytest.raises(ValueError, match="省内市外 / 省外 / 境外"):
        clean_fund_source("火星")


def test_the_funds_indicator_has_the_reports_name() -> None:
    with translation.override("zh-hans"):
        assert str(REGISTRY["external_funds"].label) == "引进市外资金"
