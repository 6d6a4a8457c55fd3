"""The demo's policy library (issue 5 item 7): about thirty policies of every level and
category, the ten talent policies among them, every tree valid, loaded through the services
into their statuses, idempotently."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from zhaoyin.demo.policies import policies_ensure
from zhaoyin.demo.policies_data import POLICIES
from zhaoyin.demo.services import LoadResult, dictionaries_ensure, org_tree_ensure
from zhaoyin.policies.models import Policy
from zhaoyin.policies.validation import clean_eligibility

pytestmark = pytest.mark.django_db


def test_demo_policies_load_once_in_their_statuses(django_capture_on_commit_callbacks: Any) -> None:
    org_tree_ensure()
    dictionaries_ensure()
    result = LoadResult()
    with django_capture_on_commit_callbacks():
        loaded = policies_ensure(year=2026, result=result)
    assert result.created["policies"] == len(POLICIES) >= 30
    statuses = Counter(Policy.objects.values_list("status", flat=True))
    assert statuses["in_force"] >= 25
    assert statuses["expired"] == 2
    assert statuses["withdrawn"] == 1
    assert statuses["draft"] == 2
    assert {p.level for p in loaded.values()} == {"national", "provincial", "city", "county"}
    assert {p.category for p in loaded.values()} >= {"funds", "tax", "talent", "land", "finance"}
    talent = [p for p in loaded.values() if p.category == "talent" and p.issuer.startswith("中共淮南市委")]
    assert len(talent) >= 8
    assert "博士研究生生活补贴" in loaded
    for policy in Policy.objects.exclude(eligibility={}):
        assert clean_eligibility(policy.eligibility) == policy.eligibility  # canonical and valid
    # The R&D tiers of 高新技术企业 are an any-of-all tree over last year's figures.
    tiers = loaded["高新技术企业培育库入库奖励"].eligibility["all"][0]["any"]
    assert len(tiers) == 3
    assert tiers[0]["all"][1] == {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte", "value": 0.05}
    again = LoadResult()
    policies_ensure(year=2026, result=again)
    assert again.total == 0
