"""The talent subject of the eligibility engine (issue 13): a person's fields, their codes,
the leaves a talent tree may not have, and the two evaluators agreeing."""

from __future__ import annotations

import itertools

import pytest

from zhaoyin.lib import eligibility as el

VOCAB = el.Vocabulary(
    industries={"new_materials": "新材料", "coal": "煤炭"},
    units={"340400": "淮南市", "340403": "田家庵区", "park-hi": "高新区"},
    qualifications=frozenset({"高新技术企业"}),
    subject=el.TALENT,
)


def facts(**over: object) -> el.TalentFacts:
    base: dict[str, object] = {
        "industry": "new_materials", "emerging": True, "units": ("340400", "340403"), "education": "doctorate",
        "title": "associate", "tier": "B", "channel": "station", "age_years": 33, "age_at_arrival": 32,
        "years_since_arrival": 1, "contract_years": 5, "contract_in_city": True, "social_insurance_months": 12,
    }
    base.update(over)
    return el.TalentFacts(**base)  # type: ignore[arg-type]


DOCTOR_SUBSIDY = {"all": [
    {"field": "education", "op": "eq", "value": "doctorate"},
    {"field": "age_at_arrival", "op": "lte", "value": 35},
    {"field": "contract_in_city", "op": "eq", "value": True},
    {"field": "contract_years", "op": "gte", "value": 3},
]}


def test_a_doctor_under_35_with_a_contract_is_eligible_with_reasons() -> None:
    tree = el.parse_tree(DOCTOR_SUBSIDY, VOCAB)
    result = el.explain(tree, facts(), VOCAB)
    assert result.verdict == el.MET
    assert [c.result for c in result.conditions] == [el.MET] * 4
    first = result.conditions[0].reason
    assert first.key == "set_eq_met"
    assert first.params["subject"] == el.Text("field.talent.education")
    assert first.params["actual"] == el.Text("education.doctorate")
    assert result.conditions[2].reason.key == "contract_in_city_is"


def test_missing_data_is_unknown_and_an_older_arrival_is_unmet() -> None:
    tree = el.parse_tree(DOCTOR_SUBSIDY, VOCAB)
    assert el.explain(tree, facts(contract_years=None), VOCAB).verdict == el.UNKNOWN
    unmet = el.explain(tree, facts(age_at_arrival=41), VOCAB)
    assert unmet.verdict == el.UNMET
    assert unmet.conditions[1].reason.key == "compare_reason"


def test_talent_codes_and_ops_are_checked_with_the_path() -> None:
    bad = {"all": [
        {"field": "education", "op": "eq", "value": "phd"},
        {"field": "tier", "op": "gte", "value": "A"},
        {"field": "land_mu", "op": "gte", "value": 3},
        {"field": "contract_in_city", "op": "eq", "value": "yes"},
        {"field": "age_at_arrival", "op": "lte", "value": 35.5},
    ]}
    with pytest.raises(el.TreeError) as caught:
        el.parse_tree(bad, VOCAB)
    found = {(path, text.key) for path, text in caught.value.errors}
    assert found == {
        ("eligibility.all[0].value", "unknown_code"),
        ("eligibility.all[1].op", "op_not_allowed"),
        ("eligibility.all[2].field", "unknown_field"),
        ("eligibility.all[3].value", "not_bool"),
        ("eligibility.all[4].value", "not_whole"),
    }


@pytest.mark.parametrize("leaf", [
    {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 1},
    {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte", "value": 0.03},
    {"qualification": "高新技术企业"},
])
def test_enterprise_leaves_are_refused_in_a_talent_tree(leaf: dict[str, object]) -> None:
    """The finding of issue 13: a talent's subsidy was judged on the employer's 高企 status."""
    with pytest.raises(el.TreeError) as caught:
        el.parse_tree({"all": [leaf]}, VOCAB)
    assert [text.key for _p, text in caught.value.errors] == ["kind_not_for_subject"]


def test_talent_fields_are_refused_in_an_enterprise_tree() -> None:
    enterprise = el.Vocabulary(industries=VOCAB.industries, units=VOCAB.units, qualifications=VOCAB.qualifications)
    with pytest.raises(el.TreeError) as caught:
        el.parse_tree({"field": "education", "op": "eq", "value": "doctorate"}, enterprise)
    assert [text.key for _p, text in caught.value.errors] == ["unknown_field"]


TREES = [
    DOCTOR_SUBSIDY,
    {"any": [{"field": "tier", "op": "in", "value": ["A", "B"]}, {"field": "title", "op": "eq", "value": "senior"}]},
    {"all": [{"field": "org_unit", "op": "in", "value": ["340403"]}, {"field": "emerging", "op": "eq", "value": True},
             {"field": "social_insurance_months", "op": "gte", "value": 6}]},
    {"any": [{"field": "channel", "op": "in", "value": ["station", "enclave"]},
             {"field": "years_since_arrival", "op": "lte", "value": 2},
             {"field": "industry", "op": "eq", "value": "coal"}]},
]
VARIANTS = [
    {}, {"tier": None}, {"tier": "D"}, {"education": "master"}, {"contract_in_city": None},
    {"contract_in_city": False}, {"units": ()}, {"units": ("340400", "park-hi")}, {"emerging": None},
    {"social_insurance_months": 3}, {"channel": "campus", "years_since_arrival": 5}, {"industry": None},
    {"age_at_arrival": None, "title": "senior"},
]


@pytest.mark.parametrize(("tree", "over"), list(itertools.product(TREES, VARIANTS)))
def test_compiled_verdict_equals_the_explained_one(tree: dict[str, object], over: dict[str, object]) -> None:
    node = el.parse_tree(tree, VOCAB)
    f = facts(**over)
    assert el.compile_tree(node)(f) == el.explain(node, f, VOCAB).verdict


def test_a_talent_tree_round_trips_through_json() -> None:
    for tree in TREES:
        node = el.parse_tree(tree, VOCAB)
        assert el.parse_tree(el.tree_to_json(node), VOCAB) == node
