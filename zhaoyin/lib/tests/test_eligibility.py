"""Policy eligibility engine (DESIGN 3.7, 5.1): the tree, three-valued matching and reasons.

The engine's labels, reasons and errors are message keys with parameters (``el.Text``); these
tests assert those. The same cases in Chinese and English words, through gettext, are
asserted in zhaoyin/policies/tests/test_eligibility_words.py (which imports the tables here).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoyin.lib import eligibility as el
from zhaoyin.lib.eligibility import MET, UNKNOWN, UNMET, Facts, Text, TreeError, Vocabulary

VOCAB = Vocabulary(
    industries={"new_materials": "新材料", "life_health": "生命健康", "green_food": "绿色食品", "coal": "煤炭"},
    units={"340400": "淮南市", "340403": "田家庵区", "340404": "谢家集区", "340471": "高新区园区"},
    qualifications=frozenset({"高新技术企业", "专精特新", "科技型中小企业"}),
)
# A park inside 田家庵区: its facts carry the whole chain, city first.
Raw = dict[str, object]
PARK_UNITS = ("340400", "340403", "340471")


def facts(**changes: Any) -> Facts:
    """A fully known enterprise; keyword arguments replace single facts."""
    base = Facts(
        industry="new_materials",
        emerging=True,
        size_class="above",
        units=PARK_UNITS,
        land_mu=Decimal("12.50"),
        employees=80,
        age_years=5,
        qualifications=frozenset({"专精特新"}),
        figures={
            2025: {"revenue_wan": Decimal("3000.00"), "rd_wan": Decimal("105.00"), "tax_wan": None, "employees": 80},
            2024: {"revenue_wan": Decimal("0.00"), "rd_wan": Decimal("20.00")},
        },
    )
    return dataclasses.replace(base, **changes)


def wrap(leaf: Mapping[str, object]) -> dict[str, object]:
    return {"all": [dict(leaf)]}


def one(leaf: Mapping[str, object], f: Facts) -> el.ConditionResult:
    """Explain a single leaf and check that the compiled evaluator agrees."""
    node = el.parse_tree(dict(leaf), VOCAB)
    explanation = el.explain(node, f, VOCAB)
    assert el.compile_tree(node)(f) == explanation.verdict
    assert len(explanation.conditions) == 1
    return explanation.conditions[0]


def errors_of(raw: object) -> list[tuple[str, Text]]:
    with pytest.raises(TreeError) as caught:
        el.parse_tree(raw, VOCAB)
    return caught.value.errors


def keys_of(raw: object) -> list[tuple[str, str]]:
    """The (path, message key) of every problem of a refused tree."""
    return [(path, message.key) for path, message in errors_of(raw)]


def T(key: str, /, **params: object) -> Text:
    return Text(key, params)


# ---------------------------------------------------------------------------------------
# Every kind × op: met, unmet, unknown, with the reason

IND_IN: Raw = {"field": "industry", "op": "in", "value": ["new_materials", "life_health"]}
IND_EQ: Raw = {"field": "industry", "op": "eq", "value": "new_materials"}
SIZE_EQ: Raw = {"field": "size_class", "op": "eq", "value": "above"}
SIZE_IN: Raw = {"field": "size_class", "op": "in", "value": ["above", "below"]}
UNIT_EQ: Raw = {"field": "org_unit", "op": "eq", "value": "340403"}
UNIT_IN: Raw = {"field": "org_unit", "op": "in", "value": ["340404", "340471"]}
EMERGING: Raw = {"field": "emerging", "op": "eq", "value": True}
NOT_EMERGING: Raw = {"field": "emerging", "op": "eq", "value": False}
LAND_GTE: Raw = {"field": "land_mu", "op": "gte", "value": 10}
LAND_LTE: Raw = {"field": "land_mu", "op": "lte", "value": "12.5"}
LAND_EQ: Raw = {"field": "land_mu", "op": "eq", "value": 12.5}
MU_A: Raw = {"field": "mu_grade", "op": "eq", "value": "A"}
MU_NOT_D: Raw = {"field": "mu_grade", "op": "ne", "value": "D"}
MU_AB: Raw = {"field": "mu_grade", "op": "in", "value": ["A", "B"]}
MU_YEAR_GTE: Raw = {"field": "mu_grade_year", "op": "gte", "value": 2025}
MU_YEAR_LTE: Raw = {"field": "mu_grade_year", "op": "lte", "value": 2025}
MU_YEAR_EQ: Raw = {"field": "mu_grade_year", "op": "eq", "value": 2025}
GRADED = {"mu_grade": "A", "mu_grade_year": 2025}
STAFF_GTE: Raw = {"field": "employees", "op": "gte", "value": 50}
STAFF_LTE: Raw = {"field": "employees", "op": "lte", "value": 100}
STAFF_EQ: Raw = {"field": "employees", "op": "eq", "value": 80}
AGE_GTE: Raw = {"field": "age_years", "op": "gte", "value": 3}
AGE_LTE: Raw = {"field": "age_years", "op": "lte", "value": 5}
AGE_EQ: Raw = {"field": "age_years", "op": "eq", "value": 5}
REV_GTE: Raw = {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 2000}
REV_LTE: Raw = {"figure": "revenue_wan", "year": 2025, "op": "lte", "value": 2000}
RD_RATIO: Raw = {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte", "value": 0.03}
RD_RATIO_LTE: Raw = {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "lte", "value": "0.05"}
HIGH_TECH: Raw = {"qualification": "高新技术企业"}
SPECIALISED: Raw = {"qualification": "专精特新"}

CASES: list[tuple[str, dict[str, object], dict[str, Any], int, str]] = [
    # industry
    ("industry-in-met", IND_IN, {}, MET, "行业为 新材料，属于 新材料、生命健康"),
    ("industry-in-unmet", IND_IN, {"industry": "green_food"}, UNMET, "行业为 绿色食品，不属于 新材料、生命健康"),
    ("industry-in-unknown", IND_IN, {"industry": None}, UNKNOWN, "缺少行业数据"),
    ("industry-eq-met", IND_EQ, {}, MET, "行业为 新材料"),
    ("industry-eq-unmet", IND_EQ, {"industry": "coal"}, UNMET, "行业为 煤炭，不是 新材料"),
    ("industry-eq-unknown", IND_EQ, {"industry": None}, UNKNOWN, "缺少行业数据"),
    # size class
    ("size-eq-met", SIZE_EQ, {}, MET, "企业规模为 规模以上"),
    ("size-eq-unmet", SIZE_EQ, {"size_class": "below"}, UNMET, "企业规模为 规模以下，不是 规模以上"),
    ("size-eq-unknown", SIZE_EQ, {"size_class": None}, UNKNOWN, "缺少企业规模数据"),
    ("size-in-met", SIZE_IN, {"size_class": "below"}, MET, "企业规模为 规模以下，属于 规模以上、规模以下"),
    (
        "size-in-unmet",
        {**SIZE_IN, "value": ["above"]},
        {"size_class": "below"},
        UNMET,
        "企业规模为 规模以下，不属于 规模以上",
    ),
    ("size-in-unknown", SIZE_IN, {"size_class": None}, UNKNOWN, "缺少企业规模数据"),
    # org unit: an ancestor counts
    ("unit-eq-ancestor-met", UNIT_EQ, {}, MET, "所在区域为 高新区园区"),
    ("unit-eq-unmet", UNIT_EQ, {"units": ("340400", "340404")}, UNMET, "所在区域为 谢家集区，不是 田家庵区"),
    ("unit-eq-unknown", UNIT_EQ, {"units": ()}, UNKNOWN, "缺少所在区域数据"),
    ("unit-in-met", UNIT_IN, {}, MET, "所在区域为 高新区园区，属于 谢家集区、高新区园区"),
    (
        "unit-in-unmet",
        UNIT_IN,
        {"units": ("340400", "340403")},
        UNMET,
        "所在区域为 田家庵区，不属于 谢家集区、高新区园区",
    ),
    ("unit-in-unknown", UNIT_IN, {"units": ()}, UNKNOWN, "缺少所在区域数据"),
    # emerging
    ("emerging-met", EMERGING, {}, MET, "所属行业是新兴产业"),
    ("emerging-unmet", EMERGING, {"emerging": False}, UNMET, "所属行业不是新兴产业"),
    ("emerging-unknown", EMERGING, {"emerging": None}, UNKNOWN, "缺少新兴产业数据"),
    ("not-emerging-met", NOT_EMERGING, {"emerging": False}, MET, "所属行业不是新兴产业"),
    ("not-emerging-unmet", NOT_EMERGING, {}, UNMET, "所属行业是新兴产业"),
    # land
    ("land-gte-met", LAND_GTE, {}, MET, "用地面积 12.5 亩 ≥ 10 亩"),
    ("land-gte-unmet", LAND_GTE, {"land_mu": Decimal("9.99")}, UNMET, "用地面积 9.99 亩 < 10 亩"),
    ("land-gte-unknown", LAND_GTE, {"land_mu": None}, UNKNOWN, "缺少用地面积数据"),
    ("land-lte-met-equal", LAND_LTE, {}, MET, "用地面积 12.5 亩 ≤ 12.5 亩"),
    ("land-lte-unmet", LAND_LTE, {"land_mu": Decimal("13")}, UNMET, "用地面积 13 亩 > 12.5 亩"),
    ("land-lte-unknown", LAND_LTE, {"land_mu": None}, UNKNOWN, "缺少用地面积数据"),
    ("land-eq-met", LAND_EQ, {}, MET, "用地面积 12.5 亩 = 12.5 亩"),
    ("land-eq-unmet", LAND_EQ, {"land_mu": Decimal("12.51")}, UNMET, "用地面积 12.51 亩 ≠ 12.5 亩"),
    ("land-eq-unknown", LAND_EQ, {"land_mu": None}, UNKNOWN, "缺少用地面积数据"),
    # the 亩均 grade (issue 14): "A 类企业", "D 类企业不享受", a year
    ("mu-eq-met", MU_A, GRADED, MET, "亩均效益等级为 A类"),
    ("mu-eq-unmet", MU_A, {"mu_grade": "C"}, UNMET, "亩均效益等级为 C类，不是 A类"),
    ("mu-eq-unknown", MU_A, {}, UNKNOWN, "缺少亩均效益等级数据"),
    ("mu-ne-met", MU_NOT_D, GRADED, MET, "亩均效益等级为 A类，不是 D类"),
    ("mu-ne-unmet", MU_NOT_D, {"mu_grade": "D"}, UNMET, "亩均效益等级为 D类"),
    ("mu-ne-unknown", MU_NOT_D, {}, UNKNOWN, "缺少亩均效益等级数据"),
    ("mu-in-met", MU_AB, {"mu_grade": "B"}, MET, "亩均效益等级为 B类，属于 A类、B类"),
    ("mu-in-unmet", MU_AB, {"mu_grade": "D"}, UNMET, "亩均效益等级为 D类，不属于 A类、B类"),
    ("mu-in-unknown", MU_AB, {}, UNKNOWN, "缺少亩均效益等级数据"),
    ("mu-year-gte-met", MU_YEAR_GTE, GRADED, MET, "亩均效益评价年度 2025 ≥ 2025"),
    ("mu-year-gte-unmet", MU_YEAR_GTE, {"mu_grade_year": 2024}, UNMET, "亩均效益评价年度 2024 < 2025"),
    ("mu-year-gte-unknown", MU_YEAR_GTE, {}, UNKNOWN, "缺少亩均效益评价年度数据"),
    ("mu-year-lte-met", MU_YEAR_LTE, {"mu_grade_year": 2024}, MET, "亩均效益评价年度 2024 ≤ 2025"),
    ("mu-year-lte-unmet", MU_YEAR_LTE, {"mu_grade_year": 2026}, UNMET, "亩均效益评价年度 2026 > 2025"),
    ("mu-year-lte-unknown", MU_YEAR_LTE, {}, UNKNOWN, "缺少亩均效益评价年度数据"),
    ("mu-year-eq-met", MU_YEAR_EQ, GRADED, MET, "亩均效益评价年度 2025 = 2025"),
    ("mu-year-eq-unmet", MU_YEAR_EQ, {"mu_grade_year": 2024}, UNMET, "亩均效益评价年度 2024 ≠ 2025"),
    ("mu-year-eq-unknown", MU_YEAR_EQ, {}, UNKNOWN, "缺少亩均效益评价年度数据"),
    # employees
    ("staff-gte-met", STAFF_GTE, {}, MET, "从业人数 80 人 ≥ 50 人"),
    ("staff-gte-unmet", STAFF_GTE, {"employees": 49}, UNMET, "从业人数 49 人 < 50 人"),
    ("staff-gte-unknown", STAFF_GTE, {"employees": None}, UNKNOWN, "缺少从业人数数据"),
    ("staff-lte-met", STAFF_LTE, {}, MET, "从业人数 80 人 ≤ 100 人"),
    ("staff-lte-unmet", STAFF_LTE, {"employees": 101}, UNMET, "从业人数 101 人 > 100 人"),
    ("staff-lte-unknown", STAFF_LTE, {"employees": None}, UNKNOWN, "缺少从业人数数据"),
    ("staff-eq-met", STAFF_EQ, {}, MET, "从业人数 80 人 = 80 人"),
    ("staff-eq-unmet", STAFF_EQ, {"employees": 0}, UNMET, "从业人数 0 人 ≠ 80 人"),
    ("staff-eq-unknown", STAFF_EQ, {"employees": None}, UNKNOWN, "缺少从业人数数据"),
    # age
    ("age-gte-met", AGE_GTE, {}, MET, "成立年限 5 年 ≥ 3 年"),
    ("age-gte-unmet", AGE_GTE, {"age_years": 2}, UNMET, "成立年限 2 年 < 3 年"),
    ("age-gte-unknown", AGE_GTE, {"age_years": None}, UNKNOWN, "缺少成立年限数据"),
    ("age-lte-met", AGE_LTE, {}, MET, "成立年限 5 年 ≤ 5 年"),
    ("age-lte-unmet", AGE_LTE, {"age_years": 6}, UNMET, "成立年限 6 年 > 5 年"),
    ("age-lte-unknown", AGE_LTE, {"age_years": None}, UNKNOWN, "缺少成立年限数据"),
    ("age-eq-met", AGE_EQ, {}, MET, "成立年限 5 年 = 5 年"),
    ("age-eq-unmet", AGE_EQ, {"age_years": 0}, UNMET, "成立年限 0 年 ≠ 5 年"),
    ("age-eq-unknown", AGE_EQ, {"age_years": None}, UNKNOWN, "缺少成立年限数据"),
    # figures
    ("figure-gte-met", REV_GTE, {}, MET, "2025年营业收入 3000 万元 ≥ 2000 万元"),
    (
        "figure-gte-unmet",
        REV_GTE,
        {"figures": {2025: {"revenue_wan": Decimal("1500.00")}}},
        UNMET,
        "2025年营业收入 1500 万元 < 2000 万元",
    ),
    ("figure-gte-unknown-year", REV_GTE, {"figures": {}}, UNKNOWN, "缺少2025年营业收入数据"),
    (
        "figure-gte-unknown-value",
        REV_GTE,
        {"figures": {2025: {"revenue_wan": None}}},
        UNKNOWN,
        "缺少2025年营业收入数据",
    ),
    ("figure-gte-unknown-key", REV_GTE, {"figures": {2025: {}}}, UNKNOWN, "缺少2025年营业收入数据"),
    (
        "figure-lte-met",
        REV_LTE,
        {"figures": {2025: {"revenue_wan": Decimal("2000.00")}}},
        MET,
        "2025年营业收入 2000 万元 ≤ 2000 万元",
    ),
    ("figure-lte-unmet", REV_LTE, {}, UNMET, "2025年营业收入 3000 万元 > 2000 万元"),
    ("figure-lte-unknown", REV_LTE, {"figures": {2024: {"revenue_wan": 1}}}, UNKNOWN, "缺少2025年营业收入数据"),
    (
        "figure-int-value",
        {"figure": "employees", "year": 2025, "op": "gte", "value": 50},
        {},
        MET,
        "2025年从业人员 80 人 ≥ 50 人",
    ),
    (
        "figure-energy",
        {"figure": "energy_tce", "year": 2025, "op": "lte", "value": "5000"},
        {"figures": {2025: {"energy_tce": Decimal("5000.01")}}},
        UNMET,
        "2025年综合能耗 5000.01 吨标准煤 > 5000 吨标准煤",
    ),
    # ratios
    ("ratio-gte-met", RD_RATIO, {}, MET, "2025年研发费用占营业收入 3.50% ≥ 3.00%"),
    (
        "ratio-gte-unmet",
        RD_RATIO,
        {"figures": {2025: {"rd_wan": Decimal("63"), "revenue_wan": Decimal("3000")}}},
        UNMET,
        "2025年研发费用占营业收入 2.10% < 3.00%",
    ),
    ("ratio-lte-met", RD_RATIO_LTE, {}, MET, "2025年研发费用占营业收入 3.50% ≤ 5.00%"),
    (
        "ratio-lte-unmet",
        RD_RATIO_LTE,
        {"figures": {2025: {"rd_wan": 160, "revenue_wan": 3000}}},
        UNMET,
        "2025年研发费用占营业收入 5.33% > 5.00%",
    ),
    (
        "ratio-lte-unknown",
        RD_RATIO_LTE,
        {"figures": {2025: {"rd_wan": None}}},
        UNKNOWN,
        "缺少2025年研发费用、营业收入数据",
    ),
    (
        "ratio-zero-denominator",
        RD_RATIO,
        {"figures": {2025: {"rd_wan": Decimal("10"), "revenue_wan": Decimal("0.00")}}},
        UNKNOWN,
        "2025年营业收入为 0，无法计算比例",
    ),
    (
        "ratio-negative-denominator",
        RD_RATIO,
        {"figures": {2025: {"rd_wan": Decimal("10"), "revenue_wan": Decimal("-5.50")}}},
        UNKNOWN,
        "2025年营业收入为 -5.5，不是正数，无法计算比例",
    ),
    (
        "ratio-missing-numerator",
        RD_RATIO,
        {"figures": {2025: {"rd_wan": None, "revenue_wan": Decimal("100")}}},
        UNKNOWN,
        "缺少2025年研发费用数据",
    ),
    (
        "ratio-missing-denominator",
        RD_RATIO,
        {"figures": {2025: {"rd_wan": Decimal("1")}}},
        UNKNOWN,
        "缺少2025年营业收入数据",
    ),
    ("ratio-missing-both", RD_RATIO, {"figures": {2025: {}}}, UNKNOWN, "缺少2025年研发费用、营业收入数据"),
    ("ratio-missing-year", RD_RATIO, {"figures": {}}, UNKNOWN, "缺少2025年研发费用、营业收入数据"),
    (
        "ratio-zero-numerator",
        RD_RATIO,
        {"figures": {2025: {"rd_wan": Decimal("0"), "revenue_wan": Decimal("10")}}},
        UNMET,
        "2025年研发费用占营业收入 0.00% < 3.00%",
    ),
    # qualifications: a known empty set is unmet, not unknown (DESIGN 5.1)
    ("qualification-met", SPECIALISED, {}, MET, "已获 专精特新 认定"),
    ("qualification-unmet", HIGH_TECH, {}, UNMET, "未获 高新技术企业 认定"),
    ("qualification-known-empty-unmet", HIGH_TECH, {"qualifications": frozenset()}, UNMET, "未获 高新技术企业 认定"),
    ("qualification-unknown", HIGH_TECH, {"qualifications": None}, UNKNOWN, "资质信息未登记"),
]


@pytest.mark.parametrize(
    ("leaf", "changes", "result", "reason"),
    [pytest.param(leaf, changes, result, reason, id=case) for case, leaf, changes, result, reason in CASES],
)
def test_each_condition_kind_and_operator(
    leaf: dict[str, object], changes: dict[str, Any], result: int, reason: str
) -> None:
    condition = one(leaf, facts(**changes))
    # The reason in words is asserted in both languages by policies' test_eligibility_words.
    assert condition.result == result
    assert isinstance(condition.reason, Text)
    assert condition.path == ""
    assert condition.condition == el.tree_to_json(el.parse_tree(leaf, VOCAB))


def test_every_field_op_and_leaf_kind_is_covered_by_the_table() -> None:
    covered = set()
    for _case, leaf, _changes, result, _reason in CASES:
        if "field" in leaf:
            covered.add((f"field:{leaf['field']}", leaf["op"], result))
        elif "figure" in leaf:
            covered.add(("figure", leaf["op"], result))
        elif "ratio" in leaf:
            covered.add(("ratio", leaf["op"], result))
    wanted = {(f"field:{f}", op, r) for f, ops in el.FIELD_OPS.items() for op in ops for r in (MET, UNKNOWN, UNMET)}
    wanted |= {(kind, op, r) for kind in ("figure", "ratio") for op in el.FIGURE_OPS for r in (MET, UNKNOWN, UNMET)}
    assert wanted - covered == set()


def leaf_label(raw: dict[str, object]) -> Text:
    node = el.parse_tree(raw, VOCAB)
    assert not isinstance(node, el.Group)
    return el.label(node, VOCAB)


def test_labels_are_message_keys_with_their_parameters() -> None:
    revenue_2025 = T("figure_subject", year=2025, figure=T("figure.revenue_wan"))
    threshold = T("with_unit", value="2000", unit=T("figure_unit.revenue_wan"))
    assert leaf_label(REV_GTE) == T("compare", subject=revenue_2025, symbol="≥", value=threshold)
    rd_share = T("ratio_subject", year=2025, num=T("figure.rd_wan"), den=T("figure.revenue_wan"))
    assert leaf_label(RD_RATIO) == T("compare", subject=rd_share, symbol="≥", value="3.00%")
    assert leaf_label({**RD_RATIO, "value": "0.03125"}).params["value"] == "3.125%"
    assert leaf_label(IND_IN) == T("set_in", subject=T("field.industry"), values=("新材料", "生命健康"))
    assert leaf_label(IND_EQ) == T("set_eq", subject=T("field.industry"), values="新材料")
    assert leaf_label(UNIT_EQ) == T("set_eq", subject=T("field.org_unit"), values="田家庵区")
    assert leaf_label(SIZE_EQ).params["values"] == T("size.above")
    assert leaf_label(EMERGING) == T("emerging_true")
    assert leaf_label(NOT_EMERGING) == T("emerging_false")
    assert leaf_label(LAND_GTE).params["value"] == T("with_unit", value="10", unit=T("field_unit.land_mu"))
    assert leaf_label(HIGH_TECH) == T("qualification", name="高新技术企业")


def test_reasons_are_message_keys_with_their_parameters() -> None:
    revenue_2025 = T("figure_subject", year=2025, figure=T("figure.revenue_wan"))
    assert one(REV_GTE, facts()).reason == T(
        "compare_reason",
        subject=revenue_2025,
        actual=T("with_unit", value="3000", unit=T("figure_unit.revenue_wan")),
        symbol="≥",
        value=T("with_unit", value="2000", unit=T("figure_unit.revenue_wan")),
    )
    assert one(REV_GTE, facts(figures={})).reason == T("missing_data", subject=revenue_2025)
    zero = facts(figures={2025: {"rd_wan": 1, "revenue_wan": 0}})
    assert one(RD_RATIO, zero).reason == T("ratio_zero", subject=revenue_2025)
    assert one(HIGH_TECH, facts(qualifications=None)).reason == T("qualifications_unknown")
    assert one(HIGH_TECH, facts()).reason == T("qualification_not", name="高新技术企业")
    assert one(IND_IN, facts(industry="coal")).reason == T(
        "set_in_unmet", subject=T("field.industry"), actual="煤炭", values=("新材料", "生命健康")
    )
    both_missing = T("figure_subject", year=2025, figure=(T("figure.rd_wan"), T("figure.revenue_wan")))
    assert one(RD_RATIO, facts(figures={})).reason == T("missing_data", subject=both_missing)


def test_ratio_shows_more_places_rather_than_equal_percentages_that_disagree() -> None:
    just_below = facts(figures={2025: {"rd_wan": Decimal("29.999"), "revenue_wan": Decimal("1000")}})
    reason = one(RD_RATIO, just_below).reason
    assert (reason.params["actual"], reason.params["symbol"], reason.params["value"]) == ("2.9999%", "<", "3.0000%")
    exact = one(RD_RATIO, facts(figures={2025: {"rd_wan": Decimal("30"), "revenue_wan": Decimal("1000")}})).reason
    assert (exact.params["actual"], exact.params["symbol"], exact.params["value"]) == ("3.00%", "≥", "3.00%")


def test_vocabulary_names_that_disappeared_fall_back_to_codes() -> None:
    node = el.parse_tree(IND_IN, VOCAB)
    smaller = Vocabulary(industries={}, units={}, qualifications=frozenset())
    explanation = el.explain(node, facts(industry="mystery"), smaller)
    assert explanation.conditions[0].reason == T(
        "set_in_unmet", subject=T("field.industry"), actual="mystery", values=("new_materials", "life_health")
    )


def test_numbers_are_written_without_exponent_trailing_zeros_or_grouping() -> None:
    assert el.format_number(Decimal("3000.00")) == "3000"
    assert el.format_number(Decimal("2E+3")) == "2000"
    assert el.format_number(Decimal("2.50")) == "2.5"
    assert el.format_number(Decimal("0.030")) == "0.03"
    assert el.format_number(Decimal("1234567.5")) == "1234567.5"
    assert el.format_number(Decimal("-0.00")) == "0"
    assert el.format_number(12345) == "12345"
    assert el.format_percent(Decimal("0.035")) == "3.50%"
    assert el.format_percent(Decimal("0.00004")) == "0.00%"
    assert el.format_percent(Decimal("1.5")) == "150.00%"


# ---------------------------------------------------------------------------------------
# Three-valued all / any (DESIGN 5.1)

# Leaves whose result is known in advance under LOGIC_FACTS.
LOGIC_LEAF: dict[int, dict[str, object]] = {
    MET: {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 1},
    UNMET: {"figure": "revenue_wan", "year": 2025, "op": "lte", "value": 1},
    UNKNOWN: {"figure": "tax_wan", "year": 2025, "op": "gte", "value": 1},
}
LOGIC_FACTS = facts(figures={2025: {"revenue_wan": Decimal(100), "tax_wan": None}})
NAMES = {"met": MET, "unknown": UNKNOWN, "unmet": UNMET}

# DESIGN 5.1: all is unmet if any child is unmet, else unknown if any child is unknown,
# else met; any is met if any child is met, else unknown if any is unknown, else unmet.
LOGIC_TABLE = [
    ("all", ["met", "met"], "met"),
    ("all", ["met", "unknown"], "unknown"),
    ("all", ["unknown", "unknown"], "unknown"),
    ("all", ["met", "unmet"], "unmet"),
    ("all", ["unknown", "unmet"], "unmet"),
    ("all", ["unmet", "unknown"], "unmet"),
    ("all", ["unmet", "unmet"], "unmet"),
    ("all", ["met", "met", "unknown"], "unknown"),
    ("all", ["unknown", "met", "met", "unmet"], "unmet"),
    ("all", ["met"], "met"),
    ("all", ["unknown"], "unknown"),
    ("any", ["met", "met"], "met"),
    ("any", ["met", "unknown"], "met"),
    ("any", ["unknown", "met"], "met"),
    ("any", ["met", "unmet"], "met"),
    ("any", ["unknown", "unknown"], "unknown"),
    ("any", ["unknown", "unmet"], "unknown"),
    ("any", ["unmet", "unknown"], "unknown"),
    ("any", ["unmet", "unmet"], "unmet"),
    ("any", ["unmet", "unmet", "unknown"], "unknown"),
    ("any", ["unmet", "unknown", "unmet", "met"], "met"),
    ("any", ["unmet"], "unmet"),
]


@pytest.mark.parametrize(("kind", "children", "expected"), LOGIC_TABLE)
def test_three_valued_all_and_any(kind: str, children: list[str], expected: str) -> None:
    node = el.parse_tree({kind: [LOGIC_LEAF[NAMES[c]] for c in children]}, VOCAB)
    explanation = el.explain(node, LOGIC_FACTS, VOCAB)
    assert [el.RESULT_NAMES[c.result] for c in explanation.conditions] == children
    assert el.RESULT_NAMES[explanation.verdict] == expected
    assert el.compile_tree(node)(LOGIC_FACTS) == NAMES[expected]


@pytest.mark.parametrize(("result", "verdict"), [(MET, "eligible"), (UNKNOWN, "possible"), (UNMET, "ineligible")])
def test_the_root_result_gives_the_verdict(result: int, verdict: str) -> None:
    node = el.parse_tree({"all": [LOGIC_LEAF[MET], LOGIC_LEAF[result]]}, VOCAB)
    assert el.VERDICT_NAMES[el.explain(node, LOGIC_FACTS, VOCAB).verdict] == verdict


def test_nested_groups_and_tree_order() -> None:
    raw = {
        "all": [
            IND_IN,
            {"any": [HIGH_TECH, RD_RATIO, {"all": [STAFF_GTE, SPECIALISED]}]},
            UNIT_EQ,
        ]
    }
    node = el.parse_tree(raw, VOCAB)
    explanation = el.explain(node, facts(), VOCAB)
    assert [c.path for c in explanation.conditions] == [
        "all[0]",
        "all[1].any[0]",
        "all[1].any[1]",
        "all[1].any[2].all[0]",
        "all[1].any[2].all[1]",
        "all[2]",
    ]
    assert [c.result for c in explanation.conditions] == [MET, UNMET, MET, MET, MET, MET]
    assert [(g.path, g.kind, g.result) for g in explanation.groups] == [
        ("", "all", MET),
        ("all[1]", "any", MET),
        ("all[1].any[2]", "all", MET),
    ]
    assert explanation.conditions[1].condition == {"qualification": "高新技术企业"}
    assert explanation.conditions[1].label == T("qualification", name="高新技术企业")
    assert explanation.verdict == MET
    # explain evaluates every leaf even when the verdict is settled early
    unmet_first = el.parse_tree({"all": [HIGH_TECH, REV_GTE]}, VOCAB)
    assert [c.result for c in el.explain(unmet_first, facts(), VOCAB).conditions] == [UNMET, MET]
    assert el.leaf_count(node) == 6
    assert el.depth(node) == 4
    assert el.depth(el.parse_tree(HIGH_TECH, VOCAB)) == 1


def test_describe_gives_indented_lines() -> None:
    node = el.parse_tree({"all": [IND_IN, {"any": [HIGH_TECH, RD_RATIO]}]}, VOCAB)
    lines = el.describe(node, VOCAB)
    assert [depth for depth, _text in lines] == [0, 1, 1, 2, 2]
    assert [text.key for _depth, text in lines] == ["group.all", "set_in", "group.any", "qualification", "compare"]


# ---------------------------------------------------------------------------------------
# Malformed trees: a TreeError naming the path of every bad node or key

GOOD_FIELD: Raw = {"field": "industry", "op": "eq", "value": "coal"}

MALFORMED: list[tuple[str, object, str, str]] = [
    ("none", None, "eligibility", "必须是一个对象"),
    ("empty-object", {}, "eligibility", "缺少条件类型"),
    ("list-root", [GOOD_FIELD], "eligibility", "必须是一个对象"),
    ("empty-group", {"all": []}, "eligibility.all", "条件组不能为空"),
    ("group-not-list", {"any": {"qualification": "专精特新"}}, "eligibility.any", "必须是一个列表"),
    ("child-not-object", {"all": [GOOD_FIELD, "x"]}, "eligibility.all[1]", "必须是一个对象"),
    ("two-kinds", {"all": [{"field": "industry", "figure": "tax_wan"}]}, "eligibility.all[0]", "同时有 field、figure"),
    ("group-and-leaf", {"all": [GOOD_FIELD], "qualification": "专精特新"}, "eligibility", "同时有 all、qualification"),
    ("unknown-key", {"all": [{**GOOD_FIELD, "note": "x"}]}, "eligibility.all[0].note", '未知的键 "note"'),
    ("unknown-key-on-group", {"all": [GOOD_FIELD], "label": "x"}, "eligibility.label", '未知的键 "label"'),
    ("missing-op", {"all": [{"field": "industry", "value": "coal"}]}, "eligibility.all[0].op", "缺少此项"),
    ("missing-year", {"all": [{"figure": "tax_wan", "op": "gte", "value": 1}]}, "eligibility.all[0].year", "缺少此项"),
    ("unknown-field", {"all": [{**GOOD_FIELD, "field": "profit"}]}, "eligibility.all[0].field", '未知的字段 "profit"'),
    ("unknown-op", {"all": [GOOD_FIELD, {**GOOD_FIELD, "op": "gt"}]}, "eligibility.all[1].op", '未知的运算符 "gt"'),
    ("op-not-text", {"all": [{**GOOD_FIELD, "op": 1}]}, "eligibility.all[0].op", "未知的运算符"),
    ("gte-on-industry", {"all": [{**GOOD_FIELD, "op": "gte"}]}, "eligibility.all[0].op", "可用 eq、in"),
    (
        "in-on-land",
        {"all": [{"field": "land_mu", "op": "in", "value": [1]}]},
        "eligibility.all[0].op",
        "可用 eq、gte、lte",
    ),
    ("gte-on-emerging", {"all": [{"field": "emerging", "op": "gte", "value": 1}]}, "eligibility.all[0].op", "可用 eq"),
    ("eq-on-figure", {"all": [{**REV_GTE, "op": "eq"}]}, "eligibility.all[0].op", "可用 gte、lte"),
    ("unknown-industry", {"all": [{**GOOD_FIELD, "value": "steel"}]}, "eligibility.all[0].value", "未知的行业代码"),
    ("unknown-code-in-list", {"all": [{**IND_IN, "value": ["coal", "steel"]}]}, "eligibility.all[0].value[1]", "steel"),
    ("duplicate-code", {"all": [{**IND_IN, "value": ["coal", "coal"]}]}, "eligibility.all[0].value[1]", "重复的值"),
    ("huge-in", {"all": [{**IND_IN, "value": ["coal"] * 501}]}, "eligibility.all[0].value", "最多 500 个值"),
    ("empty-in", {"all": [{**IND_IN, "value": []}]}, "eligibility.all[0].value", "非空列表"),
    ("in-with-scalar", {"all": [{**IND_IN, "value": "coal"}]}, "eligibility.all[0].value", "非空列表"),
    ("eq-with-list", {"all": [{**GOOD_FIELD, "value": ["coal"]}]}, "eligibility.all[0].value", "需要单个值"),
    ("code-not-text", {"all": [{**GOOD_FIELD, "value": 3}]}, "eligibility.all[0].value", "必须是文本"),
    ("unknown-size", {"all": [{**SIZE_EQ, "value": "large"}]}, "eligibility.all[0].value", "未知的企业规模"),
    ("unknown-unit", {"all": [{**UNIT_EQ, "value": "999999"}]}, "eligibility.all[0].value", "未知的区域代码"),
    ("emerging-not-bool", {"all": [{**EMERGING, "value": "yes"}]}, "eligibility.all[0].value", "true 或 false"),
    ("bool-is-not-a-number", {"all": [{**LAND_GTE, "value": True}]}, "eligibility.all[0].value", "必须是数字"),
    ("text-not-a-number", {"all": [{**LAND_GTE, "value": "ten"}]}, "eligibility.all[0].value", "必须是数字"),
    ("null-not-a-number", {"all": [{**REV_GTE, "value": None}]}, "eligibility.all[0].value", "必须是数字"),
    ("nan", {"all": [{**REV_GTE, "value": float("nan")}]}, "eligibility.all[0].value", "有限的数字"),
    ("infinity", {"all": [{**REV_GTE, "value": float("inf")}]}, "eligibility.all[0].value", "有限的数字"),
    ("infinity-text", {"all": [{**REV_GTE, "value": "Infinity"}]}, "eligibility.all[0].value", "有限的数字"),
    ("nan-text", {"all": [{**RD_RATIO, "value": "NaN"}]}, "eligibility.all[0].value", "有限的数字"),
    ("negative", {"all": [{**REV_GTE, "value": -1}]}, "eligibility.all[0].value", "不能为负数"),
    ("negative-field", {"all": [{**AGE_GTE, "value": -3}]}, "eligibility.all[0].value", "不能为负数"),
    ("fractional-employees", {"all": [{**STAFF_GTE, "value": 10.5}]}, "eligibility.all[0].value", "必须是整数"),
    ("fractional-age", {"all": [{**AGE_GTE, "value": "2.5"}]}, "eligibility.all[0].value", "必须是整数"),
    ("too-precise", {"all": [{**RD_RATIO, "value": "0.0000001"}]}, "eligibility.all[0].value", "最多 6 位小数"),
    ("too-large", {"all": [{**REV_GTE, "value": 10**15}]}, "eligibility.all[0].value", "数值过大"),
    ("year-low", {"all": [{**REV_GTE, "year": 1999}]}, "eligibility.all[0].year", "2000 到 2100"),
    ("year-high", {"all": [{**REV_GTE, "year": 2101}]}, "eligibility.all[0].year", "2000 到 2100"),
    ("year-text", {"all": [{**REV_GTE, "year": "2025"}]}, "eligibility.all[0].year", "年份必须是整数"),
    ("year-bool", {"all": [{**REV_GTE, "year": True}]}, "eligibility.all[0].year", "年份必须是整数"),
    (
        "unknown-figure",
        {"all": [{**REV_GTE, "figure": "profit_wan"}]},
        "eligibility.all[0].figure",
        '未知的指标 "profit_wan"',
    ),
    (
        "ratio-not-pair",
        {"all": [{**RD_RATIO, "ratio": ["rd_wan"]}]},
        "eligibility.all[0].ratio",
        "[分子指标, 分母指标]",
    ),
    ("ratio-not-list", {"all": [{**RD_RATIO, "ratio": "rd_wan/revenue_wan"}]}, "eligibility.all[0].ratio", "两项"),
    (
        "ratio-unknown",
        {"all": [{**RD_RATIO, "ratio": ["rd_wan", "sales"]}]},
        "eligibility.all[0].ratio[1]",
        "未知的指标",
    ),
    ("ratio-same", {"all": [{**RD_RATIO, "ratio": ["rd_wan", "rd_wan"]}]}, "eligibility.all[0].ratio", "同一指标"),
    ("unknown-qualification", {"any": [{"qualification": "独角兽"}]}, "eligibility.any[0].qualification", "未知的资质"),
    ("qualification-not-text", {"any": [{"qualification": ["专精特新"]}]}, "eligibility.any[0].qualification", "文本"),
    (
        "deep-path",
        {"all": [GOOD_FIELD, {"any": [HIGH_TECH, {"all": [{**REV_GTE, "op": "gt"}]}]}]},
        "eligibility.all[1].any[1].all[0].op",
        "未知的运算符",
    ),
]


@pytest.mark.parametrize(
    ("raw", "path", "message"),
    [pytest.param(raw, path, message, id=case) for case, raw, path, message in MALFORMED],
)
def test_malformed_tree_names_the_bad_node(raw: object, path: str, message: str) -> None:
    # The message in words is asserted by policies' test_eligibility_words.
    errors = errors_of(raw)
    assert any(p == path and isinstance(m, Text) for p, m in errors), errors


def test_every_problem_is_reported_at_once() -> None:
    raw = {
        "all": [
            {"field": "industry", "op": "gt", "value": "coal"},
            {"figure": "revenue_wan", "year": 1999, "op": "gte", "value": True, "foo": 1},
            {"field": "profit", "op": "between", "value": 1},
            HIGH_TECH,
        ]
    }
    assert errors_of(raw) == [
        ("eligibility.all[0].op", T("unknown_op", op="gt")),
        ("eligibility.all[1].foo", T("unknown_key", key="foo")),
        ("eligibility.all[1].year", T("year_range", lo=2000, hi=2100)),
        ("eligibility.all[1].value", T("not_number")),
        ("eligibility.all[2].field", T("unknown_field", name="profit")),
        ("eligibility.all[2].op", T("unknown_op", op="between")),
    ]


def test_errors_under_another_root() -> None:
    with pytest.raises(TreeError) as caught:
        el.parse_tree({"all": [{**GOOD_FIELD, "op": "gt"}]}, VOCAB, root="policy.eligibility")
    assert caught.value.errors == [("policy.eligibility.all[0].op", T("unknown_op", op="gt"))]
    assert str(caught.value) == "policy.eligibility.all[0].op: unknown_op"
    assert isinstance(caught.value, ValueError)


def test_lists_in_messages_are_tuples_the_caller_joins() -> None:
    assert keys_of({"all": [{"field": "industry", "figure": "tax_wan"}]}) == [("eligibility.all[0]", "two_kinds")]
    [(_path, message)] = errors_of({"all": [{"field": "industry", "figure": "tax_wan"}]})
    assert message.params["found"] == ("field", "figure")
    [(_path, message)] = errors_of({"all": [{**GOOD_FIELD, "op": "gte"}]})
    assert message == T("op_not_allowed", op="gte", allowed=("eq", "in"))
    [(_path, message)] = errors_of({"all": [{"op": "eq"}]})
    assert message == T("no_kind", kinds=el.NODE_KINDS)


def test_long_bad_values_are_shortened_in_messages() -> None:
    [(_path, message)] = errors_of({"all": [{**GOOD_FIELD, "value": "x" * 1000}]})
    assert message.key == "unknown_industry"
    assert str(message.params["value"]) == "x" * 39 + "…"


def chain(levels: int) -> dict[str, object]:
    """A tree with ``levels`` nesting levels: groups wrapping one leaf."""
    node: dict[str, object] = dict(HIGH_TECH)
    for _ in range(levels - 1):
        node = {"all": [node]}
    return node


def test_depth_is_limited_to_six_levels() -> None:
    assert el.depth(el.parse_tree(chain(6), VOCAB)) == 6
    errors = errors_of(chain(7))
    assert errors == [("eligibility" + ".all[0]" * 5, T("too_deep", max=6))]
    # a hostile, very deep tree is refused just as quickly
    assert errors_of(chain(5000))[0][1] == T("too_deep", max=6)


def test_size_is_limited_to_one_hundred_nodes() -> None:
    leaves = [dict(HIGH_TECH) for _ in range(99)]
    assert el.leaf_count(el.parse_tree({"any": leaves}, VOCAB)) == 99  # 99 leaves + the group
    errors = errors_of({"any": [*leaves, HIGH_TECH]})
    assert errors == [("eligibility", T("too_many", max=100))]
    # a huge tree is refused without walking it all
    assert errors_of({"any": [HIGH_TECH] * 100_000}) == [("eligibility", T("too_many", max=100))]


def test_a_single_leaf_is_a_tree() -> None:
    node = el.parse_tree(HIGH_TECH, VOCAB)
    assert node == el.QualificationCondition("高新技术企业")
    explanation = el.explain(node, facts(), VOCAB)
    assert explanation.verdict == UNMET
    assert explanation.groups == []


# ---------------------------------------------------------------------------------------
# Canonical JSON


def test_canonical_json_round_trip_and_numbers() -> None:
    raw = {
        "any": [
            {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": "2000.50"},
            {"figure": "tax_wan", "year": 2025, "op": "gte", "value": "300"},
            {"ratio": ["rd_wan", "revenue_wan"], "year": 2024, "op": "lte", "value": Decimal("0.030")},
            {"field": "land_mu", "op": "gte", "value": 12.0},
            {"field": "org_unit", "op": "in", "value": ["340471", "340403"]},
            {"field": "emerging", "op": "eq", "value": False},
            {"qualification": "专精特新"},
        ]
    }
    node = el.parse_tree(raw, VOCAB)
    canonical = el.tree_to_json(node)
    assert canonical == {
        "any": [
            {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 2000.5},
            {"figure": "tax_wan", "year": 2025, "op": "gte", "value": 300},
            {"ratio": ["rd_wan", "revenue_wan"], "year": 2024, "op": "lte", "value": 0.03},
            {"field": "land_mu", "op": "gte", "value": 12},
            {"field": "org_unit", "op": "in", "value": ["340471", "340403"]},
            {"field": "emerging", "op": "eq", "value": False},
            {"qualification": "专精特新"},
        ]
    }
    assert isinstance(canonical["any"][1]["value"], int)  # type: ignore[index]
    text = json.dumps(canonical, ensure_ascii=False)
    assert el.parse_tree(json.loads(text), VOCAB) == node
    assert el.tree_to_json(el.parse_tree(canonical, VOCAB)) == canonical
    assert hash(node) == hash(el.parse_tree(canonical, VOCAB))


# ---------------------------------------------------------------------------------------
# Properties: compile_tree agrees with explain; JSON round trip

CODES = {
    "industry": sorted(VOCAB.industries),
    "size_class": list(el.SIZE_CLASSES),
    "org_unit": sorted(VOCAB.units),
}
THRESHOLDS = [0, 1, 2, 5, 50, 80, 100, "2.5", "12.5", "0.03", "0.5"]
WHOLE_THRESHOLDS = [0, 1, 2, 5, 50, 80, 100]
YEARS = [2024, 2025]


def _set_leaf(field: str) -> st.SearchStrategy[dict[str, object]]:
    codes = CODES[field]
    eq = st.builds(lambda v: {"field": field, "op": "eq", "value": v}, st.sampled_from(codes))
    members = st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True)
    in_ = st.builds(lambda vs: {"field": field, "op": "in", "value": vs}, members)
    return eq | in_


def _number_leaf(field: str) -> st.SearchStrategy[dict[str, object]]:
    values = WHOLE_THRESHOLDS if field != "land_mu" else THRESHOLDS
    return st.builds(
        lambda op, v: {"field": field, "op": op, "value": v},
        st.sampled_from(["eq", "gte", "lte"]),
        st.sampled_from(values),
    )


def _figure_leaf() -> st.SearchStrategy[dict[str, object]]:
    return st.builds(
        lambda g, y, op, v: {"figure": g, "year": y, "op": op, "value": v},
        st.sampled_from(el.FIGURES),
        st.sampled_from(YEARS),
        st.sampled_from(el.FIGURE_OPS),
        st.sampled_from(WHOLE_THRESHOLDS),
    )


def _ratio_leaf() -> st.SearchStrategy[dict[str, object]]:
    pair = st.lists(
        st.sampled_from(["rd_wan", "revenue_wan", "tax_wan", "employees"]), min_size=2, max_size=2, unique=True
    )
    return st.builds(
        lambda p, y, op, v: {"ratio": p, "year": y, "op": op, "value": v},
        pair,
        st.sampled_from(YEARS),
        st.sampled_from(el.FIGURE_OPS),
        st.sampled_from([0, "0.03", "0.035", "0.5", 1, 2]),
    )


LEAVES = st.one_of(
    _set_leaf("industry"),
    _set_leaf("size_class"),
    _set_leaf("org_unit"),
    st.builds(lambda v: {"field": "emerging", "op": "eq", "value": v}, st.booleans()),
    _number_leaf("land_mu"),
    _number_leaf("employees"),
    _number_leaf("age_years"),
    _figure_leaf(),
    _ratio_leaf(),
    st.builds(lambda q: {"qualification": q}, st.sampled_from(sorted(VOCAB.qualifications))),
)


def _trees(level: int = 1) -> st.SearchStrategy[dict[str, object]]:
    if level >= 4:
        return LEAVES
    groups = st.builds(
        lambda kind, children: {kind: children},
        st.sampled_from(el.GROUP_KINDS),
        st.lists(_trees(level + 1), min_size=1, max_size=4),
    )
    return LEAVES | groups


TREES = _trees()
FIGURE_VALUES = st.sampled_from(
    [None, 0, 1, 2, 80, 100, Decimal("0"), Decimal("0.00"), Decimal("2.5"), Decimal("3000.00"), Decimal("105"), -3]
)
FIGURE_ROWS = st.dictionaries(st.sampled_from(el.FIGURES), FIGURE_VALUES, min_size=3, max_size=len(el.FIGURES))
FACTS = st.builds(
    Facts,
    industry=st.none() | st.sampled_from([*CODES["industry"], "unlisted"]),
    emerging=st.none() | st.booleans(),
    size_class=st.none() | st.sampled_from(el.SIZE_CLASSES),
    units=st.sampled_from([(), ("340400",), ("340400", "340403"), PARK_UNITS, ("340400", "340404")]),
    land_mu=st.none() | st.sampled_from([Decimal("0"), Decimal("2.50"), Decimal("12.5"), Decimal("100.00")]),
    employees=st.none() | st.sampled_from([0, 1, 50, 80, 100, 101]),
    age_years=st.none() | st.sampled_from([0, 1, 2, 5, 6]),
    qualifications=st.none() | st.frozensets(st.sampled_from(sorted(VOCAB.qualifications))),
    figures=st.dictionaries(st.sampled_from(YEARS), FIGURE_ROWS, min_size=1, max_size=2) | st.just({}),
)


def subtrees(node: el.Node) -> tuple[list[el.Group], list[el.Leaf]]:
    """Groups and leaves in tree order, as explain lists them."""
    groups: list[el.Group] = []
    leaves: list[el.Leaf] = []

    def walk(n: el.Node) -> None:
        if isinstance(n, el.Group):
            groups.append(n)
            for child in n.children:
                walk(child)
        else:
            leaves.append(n)

    walk(node)
    return groups, leaves


@settings(max_examples=1000, deadline=None)
@given(raw=TREES, f=FACTS)
def test_compiled_evaluation_agrees_with_explain(raw: dict[str, object], f: Facts) -> None:
    node = el.parse_tree(raw, VOCAB)
    explanation = el.explain(node, f, VOCAB)
    assert el.compile_tree(node)(f) == explanation.verdict
    # Node by node, so that a disagreement hidden by a group above is caught too.
    groups, leaves = subtrees(node)
    assert [el.compile_tree(g)(f) for g in groups] == [g.result for g in explanation.groups]
    assert [el.compile_tree(leaf)(f) for leaf in leaves] == [c.result for c in explanation.conditions]
    assert all(c.reason for c in explanation.conditions)
    # explain's groups follow the three-valued rules of DESIGN 5.1
    results = {c.path: c.result for c in explanation.conditions} | {g.path: g.result for g in explanation.groups}
    for group in explanation.groups:
        prefix = f"{group.path}.{group.kind}[" if group.path else f"{group.kind}["
        children = [r for p, r in results.items() if p.startswith(prefix) and "." not in p[len(prefix) :]]
        assert group.result == (min(children) if group.kind == "all" else max(children))


@settings(max_examples=300, deadline=None)
@given(raw=TREES)
def test_canonical_json_round_trips(raw: dict[str, object]) -> None:
    node = el.parse_tree(raw, VOCAB)
    canonical = el.tree_to_json(node)
    again = el.parse_tree(json.loads(json.dumps(canonical)), VOCAB)
    assert again == node
    assert el.tree_to_json(again) == canonical


@settings(max_examples=300, deadline=None)
@given(
    value=st.decimals(min_value=0, max_value=Decimal("999999999.999999"), places=6, allow_nan=False),
)
def test_any_accepted_threshold_survives_json(value: Decimal) -> None:
    raw = {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": str(value)}
    node = el.parse_tree(raw, VOCAB)
    assert el.parse_tree(json.loads(json.dumps(el.tree_to_json(node))), VOCAB) == node


def test_a_group_with_a_stray_key_still_reports_its_children() -> None:
    raw = {"all": [{**GOOD_FIELD, "op": "gt"}], "note": "x", 7: "y"}
    assert errors_of(raw) == [
        ("eligibility.note", T("unknown_key", key="note")),
        ("eligibility.7", T("unknown_key", key="7")),
        ("eligibility.all[0].op", T("unknown_op", op="gt")),
    ]


JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
KEYS = st.sampled_from([*el.NODE_KINDS, "op", "value", "year", "x"]) | st.text(max_size=4)
JSON_VALUES = st.recursive(
    JSON_SCALARS | st.sampled_from(["gte", "in", "coal", "rd_wan", "高新技术企业", 2025]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(raw=JSON_VALUES)
def test_any_json_either_parses_or_raises_tree_error(raw: object) -> None:
    errors: list[tuple[str, Text]] = []
    node: el.Node | None = None
    try:
        node = el.parse_tree(raw, VOCAB)
    except TreeError as error:
        errors = error.errors
    if node is None:
        assert errors
        assert all(path.startswith("eligibility") and isinstance(message, Text) for path, message in errors)
    else:
        assert el.parse_tree(el.tree_to_json(node), VOCAB) == node


def test_ne_is_offered_for_the_grade_only_and_takes_one_known_grade() -> None:
    """"Not D" reads the 亩均 grade; other fields refuse ne, an unknown grade is named."""
    with pytest.raises(el.TreeError) as caught:
        el.parse_tree({"all": [{"field": "size_class", "op": "ne", "value": "above"},
                               {"field": "mu_grade", "op": "ne", "value": "E"},
                               {"field": "mu_grade", "op": "ne", "value": ["D"]}]}, VOCAB)
    assert [(path, t.key) for path, t in caught.value.errors] == [
        ("eligibility.all[0].op", "op_not_allowed"),
        ("eligibility.all[1].value", "unknown_code"),
        ("eligibility.all[2].value", "scalar_needed"),
    ]
    assert el.MU_GRADES == ("A", "B", "C", "D")
