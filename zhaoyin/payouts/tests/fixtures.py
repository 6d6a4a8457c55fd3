"""Fixtures of the payout and policy-list tests: two counties' enterprises, an in-force and a
draft policy, and the accounts that register and approve. Imported by test_payouts*.py and
test_policy_list*.py (import ``payout_world_fixture``; tests ask for ``payout_world``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.accounts.services import user_create
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure, Industry, Qualification
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.policies.models import Delivery, Policy, PolicyCategory, PolicyLevel, PolicyStatus

__all__ = ["PayoutWorld", "payout_world_fixture"]


@dataclass
class PayoutWorld:
    """What the payout tests work with."""

    units: dict[str, OrgUnit]
    industry: Industry
    ent_a: Enterprise  # county A
    ent_b: Enterprise  # county B
    policy: Policy  # in force, kept by the city
    draft: Policy  # a draft, kept by the city
    city_admin: User
    admin_a: User  # unit admin, county A
    admin_a2: User  # a second unit admin of county A (the other pair of eyes)
    staff_a: User
    admin_b: User
    leader: User
    member: User  # service member of group 1 (serves ent_a)
    portal_a: User  # enterprise user of ent_a
    make_user: Callable[..., User]
    # Issue 15: the policy's issuing department (科技局) reviews, the finance bureau pays.
    reviewer: User  # unit admin of the policy's keeping unit
    reviewer2: User  # a second one (a flagged entry's second approver)
    finance: User  # unit admin of the finance bureau (财政局, code dept-czj)


def make_policy(unit: OrgUnit, title: str, status: str = PolicyStatus.IN_FORCE, **kw: Any) -> Policy:
    defaults: dict[str, Any] = {
        "issuer": "淮南市人民政府",
        "level": PolicyLevel.CITY,
        "doc_no": "淮府〔2025〕12号",
        "category": PolicyCategory.FUNDS,
        "valid_from": dt.date(2025, 1, 1),
        "valid_to": dt.date(2027, 12, 31),
        "delivery": Delivery.APPLICATION,
        "benefits": "按上年度研发投入的10%给予奖补，最高100万元。",
        "application_guide": "登录惠企政策平台，提交研发费用专项审计报告。",
        "apply_deadline": "每年3月1日至4月30日",
        "contact_office": "市科技局高新科",
        "contact_phone": "0554-6661234",
        "contact_address": "淮南市田家庵区洞山中路1号",
        "eligibility": {
            "all": [
                {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 2000},
                {"qualification": "高新技术企业"},
            ]
        },
    }
    defaults.update(kw)
    policy = Policy(title=title, org_unit=unit, status=status, **defaults)
    policy.refresh_search_text()
    policy.save()
    return policy


def make_enterprise(unit: OrgUnit, industry: Industry, n: int, name: str, group: OrgUnit | None = None) -> Enterprise:
    enterprise = Enterprise(
        name=name,
        uscc=make_uscc(unit.code if unit.code.isdigit() else "340400", f"{n:08d}"),
        org_unit=unit,
        service_group=group,
        industry=industry,
        size_class="above",
    )
    enterprise.refresh_search_text()
    enterprise.save()
    return enterprise


def unit_user(role: Role, unit: OrgUnit, username: str) -> User:
    """A user of a unit outside the shared small tree (the departments above)."""
    from conftest import PASSWORD

    user, _uri = user_create(acting_user=None, username=username, password=PASSWORD, roles=[role.value], org_unit=unit)
    return user


@pytest.fixture(name="payout_world")
def payout_world_fixture(org_tree: dict[str, OrgUnit], make_user: Callable[..., User]) -> PayoutWorld:
    industry = Industry.objects.filter(name="新材料").first() or Industry.objects.create(
        code="new_materials_t", name="新材料", emerging=True
    )
    ent_a = make_enterprise(org_tree["county_a"], industry, 1, "大通新材料科技有限公司", org_tree["group_1"])
    ent_b = make_enterprise(org_tree["county_b"], industry, 2, "田家庵精密制造有限公司", org_tree["group_2"])
    qual, _created = Qualification.objects.get_or_create(name="高新技术企业")
    ent_a.qualifications.add(qual)
    EnterpriseFigure.objects.create(enterprise=ent_a, year=2025, revenue_wan=3000)
    # Both are eligible (issue 15: a payout to an enterprise the matcher judges ineligible is
    # flagged and needs a reason; the tests of that make their own).
    ent_b.qualifications.add(qual)
    EnterpriseFigure.objects.create(enterprise=ent_b, year=2025, revenue_wan=2500)
    city = org_tree["city"]
    science = OrgUnit.objects.create(code="dept-kjj", name="市科技局", kind=OrgUnitKind.DEPARTMENT, parent=city)
    finance = OrgUnit.objects.create(code="dept-czj", name="市财政局", kind=OrgUnitKind.DEPARTMENT, parent=city)
    org_tree = {**org_tree, "science": science, "finance": finance}
    policy = make_policy(science, "淮南市研发投入奖补政策")
    draft = make_policy(science, "草稿政策", status=PolicyStatus.DRAFT)
    member = make_user(Role.SERVICE_MEMBER, "group_1")  # a member of group 1 (user_create)
    return PayoutWorld(
        units=org_tree,
        industry=industry,
        ent_a=ent_a,
        ent_b=ent_b,
        policy=policy,
        draft=draft,
        city_admin=make_user(Role.CITY_ADMIN, "city"),
        admin_a=make_user(Role.UNIT_ADMIN, "county_a"),
        admin_a2=make_user(Role.UNIT_ADMIN, "county_a"),
        staff_a=make_user(Role.STAFF, "county_a"),
        admin_b=make_user(Role.UNIT_ADMIN, "county_b"),
        leader=make_user(Role.LEADER, "city"),
        member=member,
        portal_a=make_user(Role.ENTERPRISE, "county_a", enterprise_id=ent_a.pk),
        make_user=make_user,
        reviewer=unit_user(Role.UNIT_ADMIN, science, "reviewer_kjj"),
        reviewer2=unit_user(Role.UNIT_ADMIN, science, "reviewer_kjj2"),
        finance=unit_user(Role.UNIT_ADMIN, finance, "payer_czj"),
    )
