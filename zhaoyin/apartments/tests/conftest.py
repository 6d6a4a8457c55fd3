"""Fixtures of the apartment tests: two buildings (county A, county B), people in each role,
talents of both counties and the talent persona's own record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.apartments.inputs import ApartmentActionInput, ApartmentApplicationInput
from zhaoyin.apartments.models import ApartmentUnit, Application, Building, Layout, Tenancy, UnitState
from zhaoyin.apartments.services import application_submit, application_transition
from zhaoyin.core.roles import Role
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent


@dataclass
class Housing:
    """The people, buildings and talents of a test."""

    office: User  # 人才办
    staff_a: User  # county A staff (the building of county A is theirs)
    staff_b: User
    leader: User
    talent_user: User
    building_a: Building
    building_b: Building
    talent_a: Talent
    talent_b: Talent
    own: Talent  # linked to talent_user
    units: dict[str, OrgUnit]

    def unit(self, number: str, building: Building | None = None, layout: str = Layout.TWO_BED,
             state: str = UnitState.AVAILABLE) -> ApartmentUnit:
        return ApartmentUnit.objects.create(
            building=building or self.building_a, number=number, layout=layout, area_m2=Decimal("68.50"),
            monthly_rent=Decimal("1200.00"), state=state,
        )

    def talent(self, name: str = "候补人才", unit: str = "county_a", **fields: Any) -> Talent:
        return make_talent(org_unit=self.units[unit], name=name, **fields)

    def apply(self, talent: Talent, *, by: User | None = None, layout: str = "") -> Application:
        return application_submit(
            acting_user=by or self.office,
            data=ApartmentApplicationInput.of(talent=talent.pk, preferred_layout=layout, reason="新引进博士"),
        )

    def waitlisted(self, talent: Talent, layout: str = "") -> Application:
        app = self.apply(talent, layout=layout)
        return application_transition(acting_user=self.office, application=app, action="review",
                                      data=ApartmentActionInput.of())

    def allocated(self, talent: Talent, unit: ApartmentUnit) -> Application:
        app = self.waitlisted(talent)
        return application_transition(acting_user=self.office, application=app, action="allocate",
                                      data=ApartmentActionInput.of(unit=unit.pk))

    def contracted(self, talent: Talent, unit: ApartmentUnit, start: dt.date = dt.date(2026, 1, 1),
                   end: dt.date = dt.date(2027, 12, 31)) -> Tenancy:
        app = self.allocated(talent, unit)
        application_transition(acting_user=self.office, application=app, action="contract",
                               data=ApartmentActionInput.of(start=start.isoformat(), end=end.isoformat(),
                                                            deposit="2400"))
        return Tenancy.objects.get(application=app)


@pytest.fixture
def housing(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> Housing:
    talent_user = make_user(Role.TALENT, unit="station", username="apt_talent")
    return Housing(
        office=make_user(Role.TALENT_OFFICE, unit="city", username="apt_office"),
        staff_a=make_user(Role.STAFF, unit="county_a", username="apt_staff_a"),
        staff_b=make_user(Role.STAFF, unit="county_b", username="apt_staff_b"),
        leader=make_user(Role.LEADER, unit="city", username="apt_leader"),
        talent_user=talent_user,
        building_a=Building.objects.create(name="大通人才公寓1号楼", address="淮南市大通区测试路1号",
                                           org_unit=org_tree["county_a"], operator="测试运营公司"),
        building_b=Building.objects.create(name="田家庵人才公寓", address="淮南市田家庵区测试路2号",
                                           org_unit=org_tree["county_b"]),
        talent_a=make_talent(org_unit=org_tree["county_a"], name="甲博士", tier="B"),
        talent_b=make_talent(org_unit=org_tree["county_b"], name="乙硕士", tier="D"),
        own=make_talent(org_unit=org_tree["county_a"], name="丙本人", account=talent_user, tier="C"),
        units=org_tree,
    )
