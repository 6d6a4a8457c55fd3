"""Matrix rows (tests/authz_matrix.py) for the talent apartments (人才公寓).

Buildings, units, the waitlist and the occupancy report are read by the city-wide roles, the
talent office and the unit roles (within their subtree's buildings); applications and
tenancies also by the talent (their own, through the API and the portal). Reviewing is for
the talent office and city admins; allocating, contracting, renewing and checking out also
for unit admins and staff on the buildings of their subtree. County A's unit personas get 404
for county B's building, unit, application and tenancy; the talent persona gets 404 for
everyone else's. The portal pages are the talent's only.

The talent persona's own record: helper "talents" links ``w.extra["talent_own"]`` to the
persona's account in its builder. We import that builder first when it exists (so it runs
before ours) and reuse its record; without it we create one (``apt_own``), so the rows hold
either way and the OneToOne account link is never made twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import importlib.util
from decimal import Decimal
from typing import Any

from tests.authz_matrix import MATRIX, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.apartments.models import (
    ApartmentUnit,
    Application,
    ApplicationFile,
    ApplicationState,
    Building,
    Layout,
    Tenancy,
    UnitState,
)
from zhaoyin.apartments.services import FILE_AREA
from zhaoyin.core.files import file_dir
from zhaoyin.core.roles import Role
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

if importlib.util.find_spec("zhaoyin.talents.tests.authz_rows") is not None:
    importlib.import_module("zhaoyin.talents.tests.authz_rows")  # its builder first: talent_own

#: Who reads buildings, units, the waitlist and the report (selectors.HOUSING_READERS).
HOUSING_READERS = frozenset({Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.TALENT_OFFICE,
                             Role.UNIT_ADMIN, Role.STAFF})
#: Who allocates, contracts, renews, checks out (flow.HOUSING).
HOUSING = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF})
#: Who reviews and rejects (flow.REVIEWERS).
REVIEWERS = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE})
#: Who reads applications and tenancies through the API (the talent their own).
RECORD_READERS = frozenset(HOUSING_READERS | {Role.TALENT})
#: County B's objects do not exist for county A's unit personas.
NOT_IN_A: dict[Role, Any] = dict.fromkeys(UNIT_SCOPED, 404)
_PDF = b"%PDF-1.4\n% apartments matrix\n"


def _unit(building: Building, number: str, state: str = UnitState.AVAILABLE) -> ApartmentUnit:
    return ApartmentUnit.objects.create(building=building, number=number, layout=Layout.TWO_BED,
                                        area_m2=Decimal("60.00"), monthly_rent=Decimal("1000.00"), state=state)


def _region(w: World, region: str, unit: OrgUnit, n: int) -> None:
    building = Building.objects.create(name=f"矩阵人才公寓{region.upper()}", address=f"淮南市矩阵路{n}号",
                                       org_unit=unit, operator="矩阵运营")
    w.extra[f"apt_building_{region}"] = building
    w.extra[f"apt_unit_{region}"] = _unit(building, "101")
    applicant = make_talent(org_unit=unit, name=f"矩阵申请人{region.upper()}", tier="B")
    w.extra[f"apt_free_{region}"] = make_talent(org_unit=unit, name=f"矩阵待申请{region.upper()}", tier="C")
    app = Application.objects.create(talent=applicant, reason="矩阵", state=ApplicationState.SUBMITTED,
                                     review_note="矩阵内部备注")
    w.extra[f"apt_app_{region}"] = app
    # A fixed stored name: the file is rewritten identically on each run, never accumulates.
    stored_name = hashlib.sha256(f"apartments-matrix-{region}".encode()).hexdigest()[:32]
    directory = file_dir(FILE_AREA)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored_name).write_bytes(_PDF)
    w.extra[f"apt_file_{region}"] = ApplicationFile.objects.create(
        application=app, original_name="学历证明.pdf", stored_name=stored_name, content_type="application/pdf",
        size=len(_PDF), sha256=hashlib.sha256(_PDF).hexdigest(),
    )
    waiting = make_talent(org_unit=unit, name=f"矩阵候补{region.upper()}", tier="D")
    w.extra[f"apt_waiting_{region}"] = Application.objects.create(talent=waiting, state=ApplicationState.WAITLISTED)
    holder = make_talent(org_unit=unit, name=f"矩阵待签约{region.upper()}", tier="C")
    reserved = _unit(building, "103", UnitState.RESERVED)
    w.extra[f"apt_allocated_{region}"] = Application.objects.create(talent=holder, state=ApplicationState.ALLOCATED,
                                                                    unit=reserved)
    tenant = make_talent(org_unit=unit, name=f"矩阵租户{region.upper()}", tier="A")
    occupied = _unit(building, "102", UnitState.OCCUPIED)
    contracted = Application.objects.create(talent=tenant, state=ApplicationState.CONTRACTED, unit=occupied)
    w.extra[f"apt_contracted_{region}"] = contracted
    w.extra[f"apt_tenancy_{region}"] = Tenancy.objects.create(
        unit=occupied, talent=tenant, application=contracted, start=dt.date(2026, 1, 1), end=dt.date(2027, 12, 31),
        monthly_rent=Decimal("1000.00"), reduction_percent=Decimal("100.00"), rent_payable=Decimal("0.00"),
        deposit=Decimal("1000.00"), tier_at_signing="A",
    )


@world_builder
def apartments(w: World) -> None:
    _region(w, "a", w.units["county_a"], 1)
    _region(w, "b", w.units["county_b"], 2)
    persona = w.user(Role.TALENT)
    own = Talent.objects.filter(account=persona).first()
    w.extra["apt_own"] = own or make_talent(org_unit=w.units["county_a"], name="矩阵公寓本人", account=persona)


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _action(key: str, action: str, name: str = "pk") -> Any:
    return lambda w: {name: w.extra[key].pk, "action": action}


def _version(key: str, **more: Any) -> Any:
    return lambda w: {"version": w.extra[key].version, **more}


def _file(region: str) -> Any:
    return lambda w: {"pk": w.extra[f"apt_app_{region}"].pk, "file_pk": w.extra[f"apt_file_{region}"].pk}


#: A review by a unit role is refused by the service (403, audited); the talent sees nobody
#: else's application (404).
_REVIEW_A: dict[Role, Any] = {Role.UNIT_ADMIN: 403, Role.STAFF: 403, Role.TALENT: 404}

MATRIX += [
    # ---- pages -------------------------------------------------------------------------------
    web("apartments:buildings", allowed=HOUSING_READERS),
    web("apartments:building_detail", allowed=HOUSING_READERS, kwargs=_pk("apt_building_a"), label="own region"),
    web("apartments:building_detail", allowed=HOUSING_READERS, kwargs=_pk("apt_building_b"), scope=NOT_IN_A,
        label="other region"),
    web("apartments:units", allowed=HOUSING_READERS),
    web("apartments:unit_maintenance", "POST", allowed=HOUSING, ok=302, kwargs=_pk("apt_unit_a"),
        data=_version("apt_unit_a", on="yes"), label="own region"),
    web("apartments:unit_maintenance", "POST", allowed=HOUSING, ok=302, kwargs=_pk("apt_unit_b"),
        data=_version("apt_unit_b", on="yes"), scope=NOT_IN_A, label="other region"),
    web("apartments:unit_allocate_next", "POST", allowed=HOUSING, ok=302, kwargs=_pk("apt_unit_a")),
    web("apartments:applications", allowed=HOUSING_READERS),
    web("apartments:application_create", allowed=HOUSING),
    web("apartments:application_create", "POST", allowed=HOUSING, ok=302,
        data=lambda w: {"talent": w.extra["apt_free_a"].pk, "reason": "矩阵"}),
    web("apartments:allocate_waitlist", "POST", allowed=HOUSING, ok=302),
    web("apartments:waitlist", allowed=HOUSING_READERS),
    web("apartments:application_detail", allowed=HOUSING_READERS, kwargs=_pk("apt_app_a"), label="own region"),
    web("apartments:application_detail", allowed=HOUSING_READERS, kwargs=_pk("apt_app_b"), scope=NOT_IN_A,
        label="other region"),
    web("apartments:application_file", allowed=RECORD_READERS, kwargs=_file("a"), scope={Role.TALENT: 404},
        label="own region"),
    web("apartments:application_file", allowed=RECORD_READERS, kwargs=_file("b"),
        scope={**NOT_IN_A, Role.TALENT: 404}, label="other region"),
    web("apartments:application_action", "POST", allowed=REVIEWERS, ok=302, kwargs=_action("apt_app_a", "review"),
        data=_version("apt_app_a"), scope=_REVIEW_A, label="review, own region"),
    web("apartments:application_action", "POST", allowed=REVIEWERS, ok=302, kwargs=_action("apt_app_b", "review"),
        data=_version("apt_app_b"), scope={**NOT_IN_A, Role.TALENT: 404}, label="review, other region"),
    web("apartments:application_action", "POST", allowed=REVIEWERS, ok=302, kwargs=_action("apt_app_a", "reject"),
        data=_version("apt_app_a", reason="不符合申请条件"), scope=_REVIEW_A, label="reject"),
    web("apartments:application_action", "POST", allowed=REVIEWERS, ok=302,
        kwargs=_action("apt_app_a", "withdraw"), data=_version("apt_app_a"), scope=_REVIEW_A,
        label="withdraw (not the talent's own)"),
    web("apartments:application_action", "POST", allowed=HOUSING, ok=302, kwargs=_action("apt_waiting_a", "allocate"),
        data=lambda w: {"version": w.extra["apt_waiting_a"].version, "unit": w.extra["apt_unit_a"].pk},
        scope={Role.TALENT: 404}, label="allocate"),
    web("apartments:application_action", "POST", allowed=HOUSING, ok=302,
        kwargs=_action("apt_allocated_a", "release"), data=_version("apt_allocated_a", reason="本人放弃"),
        scope={Role.TALENT: 404}, label="release"),
    web("apartments:application_action", "POST", allowed=HOUSING, ok=302,
        kwargs=_action("apt_allocated_a", "contract"),
        data=_version("apt_allocated_a", start="2026-03-01", end="2029-02-28", deposit="2000"),
        scope={Role.TALENT: 404}, label="contract"),
    web("apartments:tenancies", allowed=HOUSING_READERS),
    # Issue 16 item 2: the lists' exports, their pages' roles (the selectors scope the rows).
    web("apartments:unit_export", allowed=HOUSING_READERS),
    web("apartments:application_export", allowed=HOUSING_READERS),
    web("apartments:tenancy_export", allowed=HOUSING_READERS),
    web("apartments:tenancy_detail", allowed=HOUSING_READERS, kwargs=_pk("apt_tenancy_a"), label="own region"),
    web("apartments:tenancy_detail", allowed=HOUSING_READERS, kwargs=_pk("apt_tenancy_b"), scope=NOT_IN_A,
        label="other region"),
    web("apartments:tenancy_action", "POST", allowed=HOUSING, ok=302, kwargs=_action("apt_tenancy_a", "renew"),
        data=_version("apt_tenancy_a", end="2028-12-31"), label="renew, own region"),
    web("apartments:tenancy_action", "POST", allowed=HOUSING, ok=302, kwargs=_action("apt_tenancy_b", "renew"),
        data=_version("apt_tenancy_b", end="2028-12-31"), scope=NOT_IN_A, label="renew, other region"),
    web("apartments:tenancy_action", "POST", allowed=HOUSING, ok=302, kwargs=_action("apt_tenancy_a", "checkout"),
        data=_version("apt_tenancy_a", end_reason="home_purchase", ended_on="2026-05-01", inspection_note="完好"),
        label="checkout, own region"),
    web("apartments:occupancy", allowed=HOUSING_READERS),
    web("apartments:portal", allowed={Role.TALENT}),
    web("apartments:portal_apply", allowed={Role.TALENT}),
    web("apartments:portal_apply", "POST", allowed={Role.TALENT}, ok=302, data=lambda w: {"reason": "矩阵本人申请"}),
    # ---- API ---------------------------------------------------------------------------------
    api("GET", "/api/v1/apartments", allowed=HOUSING_READERS),
    api("GET", "/api/v1/apartments/{id}", allowed=HOUSING_READERS, kwargs=_id("apt_unit_a"), label="own region"),
    api("GET", "/api/v1/apartments/{id}", allowed=HOUSING_READERS, kwargs=_id("apt_unit_b"), scope=NOT_IN_A,
        label="other region"),
    api("GET", "/api/v1/apartment-buildings", allowed=HOUSING_READERS),
    api("GET", "/api/v1/apartment-buildings/{id}", allowed=HOUSING_READERS, kwargs=_id("apt_building_a"),
        label="own region"),
    api("GET", "/api/v1/apartment-buildings/{id}", allowed=HOUSING_READERS, kwargs=_id("apt_building_b"),
        scope=NOT_IN_A, label="other region"),
    api("POST", "/api/v1/apartment-buildings", allowed=HOUSING, ok=201,
        data=lambda w: {"name": "矩阵新楼", "address": "淮南市矩阵路9号", "org_unit": w.units["county_a"].code}),
    api("GET", "/api/v1/apartment-applications", allowed=RECORD_READERS),
    api("POST", "/api/v1/apartment-applications", allowed=HOUSING, ok=201,
        data=lambda w: {"talent": w.extra["apt_free_a"].pk, "reason": "矩阵"}, scope={Role.TALENT: 422},
        label="for a talent"),
    api("POST", "/api/v1/apartment-applications", allowed={Role.TALENT}, ok=201, data=lambda w: {"reason": "本人"},
        scope=dict.fromkeys(HOUSING, 422), label="for themself"),
    api("GET", "/api/v1/apartment-applications/{id}", allowed=RECORD_READERS, kwargs=_id("apt_app_a"),
        scope={Role.TALENT: 404}, label="own region"),
    api("GET", "/api/v1/apartment-applications/{id}", allowed=RECORD_READERS, kwargs=_id("apt_app_b"),
        scope={**NOT_IN_A, Role.TALENT: 404}, label="other region"),
    api("POST", "/api/v1/apartment-applications/{id}/actions/{action}", allowed=REVIEWERS,
        kwargs=_action("apt_app_a", "review", "id"), data=_version("apt_app_a"), scope=_REVIEW_A,
        label="review, own region"),
    api("POST", "/api/v1/apartment-applications/{id}/actions/{action}", allowed=REVIEWERS,
        kwargs=_action("apt_app_b", "review", "id"), data=_version("apt_app_b"),
        scope={**NOT_IN_A, Role.TALENT: 404}, label="review, other region"),
    api("POST", "/api/v1/apartment-applications/{id}/actions/{action}", allowed=HOUSING,
        kwargs=_action("apt_contracted_a", "renew", "id"),
        data=lambda w: {"version": w.extra["apt_tenancy_a"].version, "end": "2028-12-31"},
        scope={Role.TALENT: 404}, label="renew the tenancy, own region"),
    api("POST", "/api/v1/apartment-applications/{id}/actions/{action}", allowed=HOUSING,
        kwargs=_action("apt_waiting_a", "allocate", "id"),
        data=lambda w: {"version": w.extra["apt_waiting_a"].version, "unit": w.extra["apt_unit_a"].pk},
        scope={Role.TALENT: 404}, label="allocate, own region"),
    api("POST", "/api/v1/apartment-applications/{id}/actions/{action}", allowed=HOUSING,
        kwargs=_action("apt_contracted_a", "checkout", "id"),
        data=lambda w: {"version": w.extra["apt_tenancy_a"].version, "end_reason": "departure"},
        scope={Role.TALENT: 404}, label="check out the tenancy, own region"),
    api("GET", "/api/v1/tenancies", allowed=RECORD_READERS),
    api("GET", "/api/v1/tenancies/{id}", allowed=RECORD_READERS, kwargs=_id("apt_tenancy_a"),
        scope={Role.TALENT: 404}, label="own region"),
    api("GET", "/api/v1/tenancies/{id}", allowed=RECORD_READERS, kwargs=_id("apt_tenancy_b"),
        scope={**NOT_IN_A, Role.TALENT: 404}, label="other region"),
]
