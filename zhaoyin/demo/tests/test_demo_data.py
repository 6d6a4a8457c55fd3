"""The demo's fixed data reads as 淮南's own (issue 15 item 9): policy citations real only on the
real documents, every policy and reform area kept by a unit of the tree."""

from __future__ import annotations

from zhaoyin.demo import data
from zhaoyin.demo.matters_data import REFORM_AREAS
from zhaoyin.demo.policies_data import POLICIES

#: The real documents the demo cites, with the content they carry.
REAL_DOCUMENTS = {
    "《中华人民共和国企业所得税法》第二十八条": "高新技术企业减按15%税率征收企业所得税",
    "财政部 税务总局公告2023年第7号": "企业研发费用税前加计扣除",
    "财政部 税务总局 科技部公告2022年第16号": "科技型中小企业研发费用加计扣除",
    "财政部 税务总局公告2023年第12号": "小微企业\u201c六税两费\u201d减半征收",
    "财建〔2021〕2号": "专精特新\u201c小巨人\u201d企业中央财政奖补",
}


def test_policy_numbers_are_real_only_on_the_real_documents() -> None:
    for spec in POLICIES:
        if spec.doc_no in REAL_DOCUMENTS:
            assert REAL_DOCUMENTS[spec.doc_no] == spec.title
        else:
            # Plainly fictional (示例 before the serial), or none yet for a draft.
            assert "示例" in spec.doc_no or (spec.doc_no == "" and spec.status == "draft"), spec.title
    assert {s.doc_no for s in POLICIES} >= set(REAL_DOCUMENTS)


def test_policies_and_reform_areas_are_kept_by_units_of_the_tree() -> None:
    codes = {u.code for u in data.ORG_TREE}
    assert all(spec.org_unit in codes for spec in POLICIES)
    assert all(owner in codes for _area, owner, _measures in REFORM_AREAS)
    by_title = {s.title: s.org_unit for s in POLICIES}
    assert by_title["企业研发费用税前加计扣除"] == "dept-swj"
    assert by_title["专精特新企业梯度培育奖励"] == "dept-jxj"
    assert by_title["\u201c税融通\u201d小微企业信用贷款"] == "dept-jrjg"
    assert by_title["新桥国际产业园招商引资优惠"] == "340422"
