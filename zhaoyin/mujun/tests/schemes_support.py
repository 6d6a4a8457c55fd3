"""Fixtures of the scheme and 履约 tests: the evaluators, a project with its enterprise, and
published runs written directly (the runs' services are another part's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from tests.world import make_enterprise
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.mujun import scheme_services
from zhaoyin.mujun.models import MuResult, MuRun, MuScheme
from zhaoyin.mujun.scheme_data_templates import anhui_template
from zhaoyin.mujun.scheme_inputs import SchemeCreateInput
from zhaoyin.projects.models import Project
from zhaoyin.projects.tests.helpers import make_project

__all__ = ["SchemeWorld", "make_project", "project_of", "publish_run", "scheme_world"]


@dataclass
class SchemeWorld:
    """What the scheme tests work with."""

    units: dict[str, OrgUnit]
    office: User  # 亩均办 (市经信局)
    city_admin: User
    admin_a: User  # unit admin, county A
    staff_b: User  # staff, county B
    leader: User
    enterprise_user: User
    firm: Enterprise  # county A
    scheme: MuScheme  # 2025 v1, the Anhui-style template, a draft
    make_user: Callable[..., User]

    def create(self, year: int = 2025, **values: Any) -> MuScheme:
        data = SchemeCreateInput.of(**({"year": year, "name": "评价办法", "definition": anhui_template(year)} | values))
        return scheme_services.scheme_create(acting_user=self.office, data=data)


@pytest.fixture
def scheme_world(org_tree: dict[str, OrgUnit], make_user: Callable[..., User]) -> SchemeWorld:
    office = make_user(Role.MU_OFFICE, "city")
    industry = Industry.objects.order_by("sort_order", "code").first()
    assert industry is not None
    firm = make_enterprise(org_tree["county_a"], None, industry, 7101)
    world = SchemeWorld(
        units=org_tree, office=office, city_admin=make_user(Role.CITY_ADMIN, "city"),
        admin_a=make_user(Role.UNIT_ADMIN, "county_a"), staff_b=make_user(Role.STAFF, "county_b"),
        leader=make_user(Role.LEADER, "city"),
        enterprise_user=make_user(Role.ENTERPRISE, "county_a", enterprise_id=firm.pk),
        firm=firm, scheme=None,  # type: ignore[arg-type]
        make_user=make_user,
    )
    world.scheme = world.create()
    return world


def publish_run(scheme: MuScheme, year: int, firm: Enterprise, figures: dict[str, str], *, by: User,
                state: str = "published") -> MuRun:
    """A run of ``year`` holding ``firm`` with ``figures``, stored directly (state published)."""
    run = MuRun.objects.create(
        scheme=scheme, year=year, state=state, created_by=by, firms=1,
        snapshot=[{"key": firm.uscc, "enterprise": firm.pk, "org_unit": firm.org_unit_id, "size_class": "above",
                   "years": 5, "exempt": False, "figures": figures, "adjustments": []}],
        inputs_digest="0" * 64, scheme_digest="0" * 64, engine_version="mujun-1", digest="0" * 64,
    )
    MuResult.objects.create(run=run, enterprise=firm, org_unit=firm.org_unit, list_code="above",
                            score=Decimal("80"), rank=1, initial_grade="A", grade="A")
    return run


def project_of(make: Callable[..., Project], firm: Enterprise | None, unit: str = "county_a") -> Project:
    return make(unit=unit, investor=firm)
