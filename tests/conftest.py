"""Fixtures of the cross-cutting tests: one persona per role and a two-region world."""

from __future__ import annotations

import pytest

from conftest import MakeUser
from tests.authz_matrix import discover_rows
from tests.world import PERSONA_UNITS, WORLD_BUILDERS, World, make_enterprise
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry


@pytest.fixture
def personas(make_user: MakeUser) -> dict[str, User]:
    """One account per role, placed as ``PERSONA_UNITS`` says (the enterprise one unlinked)."""
    return {role.value: make_user(role, unit=unit, username=f"p_{role.value}") for role, unit in PERSONA_UNITS.items()}


@pytest.fixture
def world(org_tree: dict[str, OrgUnit], personas: dict[str, User]) -> World:
    industry, _ = Industry.objects.get_or_create(code="it", defaults={"name": "新一代信息技术", "emerging": True})
    units = org_tree
    enterprise_a = make_enterprise(units["county_a"], units["group_1"], industry, 1, name="大通星辰科技有限公司")
    enterprise_b = make_enterprise(units["county_b"], units["group_2"], industry, 2, name="田家庵远航材料有限公司")
    portal = personas[Role.ENTERPRISE.value]
    portal.enterprise = enterprise_a
    portal.save(update_fields=["enterprise"])
    w = World(units=org_tree, users=personas, industry=industry, enterprise_a=enterprise_a, enterprise_b=enterprise_b)
    discover_rows()  # authz_rows modules register their world builders on import
    for build in WORLD_BUILDERS:
        build(w)
    return w
