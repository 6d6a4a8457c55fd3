"""Fixtures of the recognition tests: talents in two counties (one linked to a portal account),
an active rule set for 2026, and the accounts of every actor. Tests ask for ``rec_world``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.recognition import services
from zhaoyin.recognition.inputs import ApplyInput, RuleSetActivateInput, RuleSetCreateInput, StepInput
from zhaoyin.recognition.models import Recognition, TierRuleSet
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

__all__ = ["RULES", "RecWorld", "rec_world_fixture", "step"]

#: A small standard: A senior title and doctorate; B doctorate; C master; D bachelor with a contract.
RULES: list[dict[str, Any]] = [
    {"tier": "A", "label": "领军人才", "tree": {"all": [
        {"field": "title", "op": "eq", "value": "senior"},
        {"field": "education", "op": "eq", "value": "doctorate"},
    ]}},
    {"tier": "B", "label": "拔尖人才", "tree": {"field": "education", "op": "eq", "value": "doctorate"}},
    {"tier": "C", "label": "骨干人才", "tree": {"field": "education", "op": "in", "value": ["master"]}},
    {"tier": "D", "label": "青年人才", "tree": {"all": [
        {"field": "education", "op": "eq", "value": "bachelor"},
        {"field": "social_insurance_months", "op": "gte", "value": 6},
    ]}},
]


@dataclass
class RecWorld:
    """What the recognition tests work with."""

    units: dict[str, OrgUnit]
    rule_set: TierRuleSet
    talent_a: Talent  # county A, a doctor (tier B by the rules)
    talent_b: Talent  # county B
    talent_own: Talent  # county A, linked to ``portal``
    office: User  # 人才办
    city_admin: User
    admin_a: User  # unit admin, county A (初审 of county A's talents)
    staff_a: User
    admin_b: User  # unit admin, county B
    leader: User
    portal: User  # the talent's portal account
    other_portal: User  # another talent's account
    make_user: Callable[..., User]

    def apply(self, talent: Talent | None = None, *, by: User | None = None, tier: str = "B") -> Recognition:
        return services.recognition_apply(
            acting_user=by or self.office, talent=talent or self.talent_a, data=ApplyInput.of(claimed_tier=tier)
        )


def step(r: Recognition, action: str, user: User, **values: Any) -> Recognition:
    """Take ``action`` with the current version (and ``values``: note, tier)."""
    r.refresh_from_db()
    data = StepInput.of(version=r.version, **values)
    return services.recognition_step(acting_user=user, recognition=r, action=action, data=data)


@pytest.fixture
def rec_world(
    org_tree: dict[str, OrgUnit], make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> RecWorld:
    # Decisions are judged on a fixed day of 2026 (the tests move it where they need).
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 3, 2))
    office = make_user(Role.TALENT_OFFICE, "city")
    portal = make_user(Role.TALENT, "station")
    other_portal = make_user(Role.TALENT, "station")
    rule_set = services.rule_set_create(acting_user=office, data=RuleSetCreateInput.of(year=2026, rules=RULES))
    rule_set = services.rule_set_activate(acting_user=office, rule_set=rule_set,
                                          data=RuleSetActivateInput.of(version=rule_set.version))
    talent_a = make_talent(org_unit=org_tree["county_a"], name="张博士", education="doctorate", title="associate",
                           arrival_date=dt.date(2024, 7, 1))
    talent_b = make_talent(org_unit=org_tree["county_b"], name="李硕士", education="master")
    talent_own = make_talent(org_unit=org_tree["park_a"], name="王本科", education="bachelor",
                             social_insurance_months=12, account=portal)
    make_talent(org_unit=org_tree["county_b"], name="赵其他", account=other_portal)
    return RecWorld(
        units=org_tree, rule_set=rule_set, talent_a=talent_a, talent_b=talent_b, talent_own=talent_own,
        office=office, city_admin=make_user(Role.CITY_ADMIN, "city"), admin_a=make_user(Role.UNIT_ADMIN, "county_a"),
        staff_a=make_user(Role.STAFF, "county_a"), admin_b=make_user(Role.UNIT_ADMIN, "county_b"),
        leader=make_user(Role.LEADER, "city"), portal=portal, other_portal=other_portal, make_user=make_user,
    )


rec_world_fixture = rec_world
