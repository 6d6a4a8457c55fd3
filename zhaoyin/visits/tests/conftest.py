"""Fixtures of the visit tests: two service groups with members and enterprises, a county
staff member, the city administration, and a temporary data directory for visit files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.visits import services
from zhaoyin.visits.inputs import MemberInput

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Service:
    """The people and enterprises around the two service groups of the tests."""

    group_1: OrgUnit
    group_2: OrgUnit
    member_1: User  # group 1's leader
    colleague_1: User  # another member of group 1
    member_2: User  # group 2
    staff_a: User  # county A staff: sees county A's enterprises, is no member
    admin: User  # city administration: manages the groups
    ent_1: Enterprise  # county A, group 1
    ent_1b: Enterprise  # county B, group 1
    ent_2: Enterprise  # county A, group 2
    ent_none: Enterprise  # county B, no group


def make_enterprise(unit: OrgUnit, group: OrgUnit | None, n: int) -> Enterprise:
    industry = Industry.objects.order_by("sort_order", "code").first()
    assert industry is not None
    e = Enterprise(
        name=f"走访测试企业{n:02d}", uscc=make_uscc("340400", f"{n:08d}"), org_unit=unit, service_group=group,
        industry=industry, legal_representative="张三",
    )
    e.refresh_search_text()
    e.save()
    return e


@pytest.fixture
def svc(make_user: MakeUser, org_tree: dict[str, OrgUnit], tmp_path: Any, settings: Any) -> Service:
    settings.DATA_DIR = tmp_path
    admin = make_user(Role.CITY_ADMIN, "city", username="city_admin")
    s = Service(
        group_1=org_tree["group_1"],
        group_2=org_tree["group_2"],
        member_1=make_user(Role.SERVICE_MEMBER, "group_1", username="member_1", full_name="王组长"),
        colleague_1=make_user(Role.SERVICE_MEMBER, "group_1", username="colleague_1", full_name="李组员"),
        member_2=make_user(Role.SERVICE_MEMBER, "group_2", username="member_2"),
        staff_a=make_user(Role.STAFF, "county_a", username="staff_a"),
        admin=admin,
        ent_1=make_enterprise(org_tree["county_a"], org_tree["group_1"], 1),
        ent_1b=make_enterprise(org_tree["county_b"], org_tree["group_1"], 2),
        ent_2=make_enterprise(org_tree["county_a"], org_tree["group_2"], 3),
        ent_none=make_enterprise(org_tree["county_b"], None, 4),
    )
    services.membership_set_leader(acting_user=None, group=s.group_1, data=MemberInput.of(user=s.member_1.username))
    return s


def fresh(user: User) -> User:
    """The account read again (role and group caches live on the instance)."""
    return User.objects.get(pk=user.pk)
