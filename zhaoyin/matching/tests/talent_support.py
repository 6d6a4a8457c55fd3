"""Test data of the talent matching tests: talent policies with talent trees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.policies.models import Beneficiary, Delivery, Policy, PolicyCategory, PolicyLevel, PolicyStatus

#: 博士研究生生活补贴: a doctorate who arrived aged at most 35 with a labour contract in the city.
DOCTOR_TREE: dict[str, Any] = {
    "all": [
        {"field": "education", "op": "eq", "value": "doctorate"},
        {"field": "age_at_arrival", "op": "lte", "value": 35},
        {"field": "contract_in_city", "op": "eq", "value": True},
    ]
}


def make_talent_policy(
    unit: OrgUnit, tree: dict[str, Any], *, title: str = "博士研究生生活补贴", status: str = PolicyStatus.IN_FORCE,
) -> Policy:
    """A talent policy stored directly (test data; the policy services have their own tests)."""
    policy = Policy(
        title=title,
        issuer="中共淮南市委组织部",
        level=PolicyLevel.CITY,
        category=PolicyCategory.TALENT,
        org_unit=unit,
        valid_from=dt.date(2025, 1, 1),
        status=status,
        delivery=Delivery.APPLICATION,
        beneficiary=Beneficiary.TALENT,
        benefits="博士每月生活补贴3000元，连续36个月",
        eligibility=tree,
    )
    policy.refresh_search_text()
    policy.save()
    return policy
