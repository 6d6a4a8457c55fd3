"""The eligibility engine's messages in words (policies.eligibility_text): the Chinese and the
English of every label, reason and tree error, through gettext.

The cases are the pure engine's (zhaoyin/lib/tests/test_eligibility.py asserts their message
keys and parameters); here each is put into words in both languages, so a page, the API, the
export and the 政策服务清单 read exactly as they did when the engine kept its own text tables.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from zhaoyin.lib import eligibility as el
from zhaoyin.lib.tests.test_eligibility import (
    CASES,
    EMERGING,
    GOOD_FIELD,
    HIGH_TECH,
    IND_EQ,
    IND_IN,
    LAND_GTE,
    MALFORMED,
    NOT_EMERGING,
    RD_RATIO,
    REV_GTE,
    UNIT_EQ,
    VOCAB,
    chain,
    errors_of,
    facts,
    leaf_label,
    one,
)
from zhaoyin.policies.eligibility_text import described, tree_error_summary, tree_errors, words


def zh(text: el.Text) -> str:
    with translation.override("zh-hans"):
        return words(text)


def en(text: el.Text) -> str:
    with translation.override("en"):
        return words(text)


def zh_errors(raw: object) -> list[tuple[str, str]]:
    with translation.override("zh-hans"), pytest.raises(el.TreeError) as caught:
        el.parse_tree(raw, VOCAB)
    with translation.override("zh-hans"):
        return tree_errors(caught.value)


@pytest.mark.parametrize(
    ("leaf", "changes", "reason"),
    [pytest.param(leaf, changes, reason, id=case) for case, leaf, changes, _result, reason in CASES],
)
def test_each_reason_in_chinese(leaf: dict[str, object], changes: dict[str, Any], reason: str) -> None:
    assert zh(one(leaf, facts(**changes)).reason) == reason


def test_labels_read_as_the_condition() -> None:
    assert zh(leaf_label(REV_GTE)) == "2025年营业收入 ≥ 2000 万元"
    assert zh(leaf_label(RD_RATIO)) == "2025年研发费用占营业收入 ≥ 3.00%"
    assert zh(leaf_label({**RD_RATIO, "value": "0.0325"})) == "2025年研发费用占营业收入 ≥ 3.25%"
    assert zh(leaf_label({**RD_RATIO, "value": "0.03125"})) == "2025年研发费用占营业收入 ≥ 3.125%"
    assert zh(leaf_label(IND_IN)) == "行业属于 新材料、生命健康"
    assert zh(leaf_label(IND_EQ)) == "行业为 新材料"
    assert zh(leaf_label(UNIT_EQ)) == "所在区域为 田家庵区"
    assert zh(leaf_label(EMERGING)) == "属于新兴产业"
    assert zh(leaf_label(NOT_EMERGING)) == "不属于新兴产业"
    assert zh(leaf_label(LAND_GTE)) == "用地面积 ≥ 10 亩"
    assert zh(leaf_label(HIGH_TECH)) == "已获 高新技术企业 认定"
    assert zh(leaf_label({"field": "size_class", "op": "in", "value": ["above", "below"]})) == (
        "企业规模属于 规模以上、规模以下"
    )
    assert en(leaf_label(REV_GTE)) == "2025 revenue ≥ 2000 × 10k yuan"
    assert en(leaf_label(IND_IN)) == "Industry is one of 新材料, 生命健康"
    assert en(leaf_label(HIGH_TECH)) == "Holds 高新技术企业"
    assert en(leaf_label({"field": "size_class", "op": "eq", "value": "above"})) == (
        "Size class is above designated size"
    )


def test_reasons_in_english() -> None:
    assert en(one(REV_GTE, facts()).reason) == "2025 revenue 3000 × 10k yuan ≥ 2000 × 10k yuan"
    assert en(one(REV_GTE, facts(figures={})).reason) == "No data for 2025 revenue"
    zero = facts(figures={2025: {"rd_wan": 1, "revenue_wan": 0}})
    assert en(one(RD_RATIO, zero).reason) == "2025 revenue is 0, the ratio cannot be computed"
    assert en(one(HIGH_TECH, facts(qualifications=None)).reason) == "Qualifications not recorded"
    assert en(one(IND_IN, facts(industry="coal")).reason) == "Industry is 煤炭, not one of 新材料, 生命健康"
    assert en(one(RD_RATIO, facts(figures={})).reason) == "No data for 2025 R&D spend, revenue"
    # Django's language codes, as a request activates them
    with translation.override("zh-hans"):
        assert words(one(HIGH_TECH, facts()).reason) == "未获 高新技术企业 认定"
    with translation.override("en-us"):
        assert words(one(HIGH_TECH, facts()).reason) == "Does not hold 高新技术企业"


def test_ratio_shows_more_places_rather_than_equal_percentages_that_disagree() -> None:
    just_below = facts(figures={2025: {"rd_wan": Decimal("29.999"), "revenue_wan": Decimal("1000")}})
    assert zh(one(RD_RATIO, just_below).reason) == "2025年研发费用占营业收入 2.9999% < 3.0000%"
    exact = facts(figures={2025: {"rd_wan": Decimal("30"), "revenue_wan": Decimal("1000")}})
    assert zh(one(RD_RATIO, exact).reason) == "2025年研发费用占营业收入 3.00% ≥ 3.00%"


def test_vocabulary_names_that_disappeared_fall_back_to_codes() -> None:
    node = el.parse_tree(IND_IN, VOCAB)
    smaller = el.Vocabulary(industries={}, units={}, qualifications=frozenset())
    explanation = el.explain(node, facts(industry="mystery"), smaller)
    assert zh(explanation.conditions[0].reason) == "行业为 mystery，不属于 new_materials、life_health"


def test_describe_gives_indented_lines() -> None:
    node = el.parse_tree({"all": [IND_IN, {"any": [HIGH_TECH, RD_RATIO]}]}, VOCAB)
    with translation.override("zh-hans"):
        assert described(el.describe(node, VOCAB)) == [
            (0, "满足以下全部条件"),
            (1, "行业属于 新材料、生命健康"),
            (1, "满足以下任一条件"),
            (2, "已获 高新技术企业 认定"),
            (2, "2025年研发费用占营业收入 ≥ 3.00%"),
        ]
    with translation.override("en"):
        assert described(el.describe(node, VOCAB))[2] == (1, "Any of the following")


@pytest.mark.parametrize(
    ("raw", "path", "message"),
    [pytest.param(raw, path, message, id=case) for case, raw, path, message in MALFORMED],
)
def test_malformed_tree_names_the_bad_node_in_chinese(raw: object, path: str, message: str) -> None:
    errors = zh_errors(raw)
    assert any(p == path and message in m for p, m in errors), errors


def test_every_problem_is_reported_at_once() -> None:
    raw = {
        "all": [
            {"field": "industry", "op": "gt", "value": "coal"},
            {"figure": "revenue_wan", "year": 1999, "op": "gte", "value": True, "foo": 1},
            {"field": "profit", "op": "between", "value": 1},
            HIGH_TECH,
        ]
    }
    assert zh_errors(raw) == [
        ("eligibility.all[0].op", '未知的运算符 "gt"'),
        ("eligibility.all[1].foo", '未知的键 "foo"'),
        ("eligibility.all[1].year", "年份必须在 2000 到 2100 之间"),
        ("eligibility.all[1].value", "必须是数字"),
        ("eligibility.all[2].field", '未知的字段 "profit"'),
        ("eligibility.all[2].op", '未知的运算符 "between"'),
    ]
    assert zh_errors({"all": [{"op": "eq"}]}) == [
        ("eligibility.all[0]", "缺少条件类型，应为 all、any、field、figure、ratio、qualification 之一")
    ]


def test_errors_in_english_and_the_one_line_summary() -> None:
    with pytest.raises(el.TreeError) as caught:
        el.parse_tree({"all": [{**GOOD_FIELD, "op": "gt"}]}, VOCAB, root="policy.eligibility")
    with translation.override("en"):
        assert tree_errors(caught.value) == [("policy.eligibility.all[0].op", 'unknown operator "gt"')]
        assert tree_error_summary(caught.value) == (
            'the eligibility tree is invalid: policy.eligibility.all[0].op: unknown operator "gt"'
        )
    with translation.override("zh-hans"):
        assert tree_error_summary(caught.value) == '条件树有误: policy.eligibility.all[0].op: 未知的运算符 "gt"'
    with translation.override("en"):
        [(_path, message)] = tree_errors(errors_of_raw({"all": [{**GOOD_FIELD, "op": "gte"}]}))
        assert message == 'operator "gte" is not allowed here; use eq, in'


def errors_of_raw(raw: object) -> el.TreeError:
    with pytest.raises(el.TreeError) as caught:
        el.parse_tree(raw, VOCAB)
    return caught.value


def test_long_bad_values_are_shortened_in_messages() -> None:
    [(_path, message)] = zh_errors({"all": [{**GOOD_FIELD, "value": "x" * 1000}]})
    assert len(message) < 80


def test_the_limits_in_words() -> None:
    assert zh_errors(chain(7)) == [("eligibility" + ".all[0]" * 5, "条件嵌套不能超过 6 层")]
    assert zh_errors({"any": [HIGH_TECH] * 101}) == [("eligibility", "条件树最多 100 个节点")]
    assert [m for _p, m in errors_of({"any": [HIGH_TECH] * 101})] == [el.Text("too_many", {"max": 100})]


def test_every_message_key_the_engine_can_emit_has_words_in_both_languages() -> None:
    """A key without words would be a KeyError on a page; its Chinese must not be the English."""
    from zhaoyin.policies.eligibility_text import WORDS

    labels = (
        [el.field_label(f) for f in el.FIELD_OPS]
        + [u for f in el.FIELD_OPS if (u := el.field_unit(f)) is not None]
        + [el.figure_label(f) for f in el.FIGURES]
        + [el.figure_unit(f) for f in el.FIGURES]
        + [el.size_class_label(c) for c in el.SIZE_CLASSES]
        + [el.group_label(g) for g in el.GROUP_KINDS]
        + [el.field_label(f, el.TALENT) for f in el.TALENT_FIELD_OPS]
        + [u for f in el.TALENT_FIELD_OPS if (u := el.field_unit(f)) is not None]
        + [el.Text(f"{name}.{code}") for name, codes in (
            ("education", el.EDUCATIONS), ("title", el.TITLES), ("tier", el.TIERS), ("channel", el.CHANNELS))
           for code in codes]
        + [el.Text(f"{flag}_{end}") for flag in el.BOOL_FIELDS for end in ("true", "false", "is", "is_not")]
    )
    assert {t.key for t in labels} <= set(WORDS)
    with translation.override("zh-hans"):
        chinese = {key: str(text) for key, text in WORDS.items()}
    with translation.override("en"):
        english = {key: str(text) for key, text in WORDS.items()}
    layout_only = {"compare", "compare_reason", "with_unit"}
    assert [k for k in WORDS if k not in layout_only and chinese[k] == english[k]] == []
