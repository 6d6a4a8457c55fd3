"""Fixtures of the matter tests: the people around a matter, a matter in any state, a fresh
calendar cache, attachments in a temporary data directory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import db_fingerprint
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.matters import inputs, services
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, MatterCoUnit
from zhaoyin.workcalendar import selectors as calendar_selectors

MakeMatter = Callable[..., Matter]


@dataclass
class People:
    """Everyone who stands in some relation to the matters of the tests."""

    dispatcher: User  # city admin (招商服务中心)
    supervisor: User  # 督查室, also a dispatcher
    leader: User  # 市领导
    lead: User  # staff of county A, the lead unit
    lead_admin: User  # unit admin of county A
    park: User  # staff of park A (inside county A)
    co: User  # staff of the department, a co-unit
    outsider: User  # staff of county B
    requester: User  # the enterprise's portal user
    other_portal: User  # another enterprise's portal user
    sysadmin: User  # 三员: sees nothing


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    calendar_selectors.clear_cache()
    yield
    calendar_selectors.clear_cache()


@pytest.fixture
def file_root(tmp_path: Any, settings: Any) -> Any:
    """Attachments of a test go to a temporary data directory."""
    settings.DATA_DIR = tmp_path
    return tmp_path / "matter_files"


def _enterprise(org_tree: dict[str, OrgUnit], n: int) -> Enterprise:
    from zhaoyin.enterprises.tests.conftest import uscc_for

    industry = Industry.objects.order_by("sort_order", "code").first()
    assert industry is not None
    return Enterprise.objects.create(
        name=f"测试企业{n}", uscc=uscc_for(n), org_unit=org_tree["county_a"], industry=industry
    )


@pytest.fixture
def people(make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> People:
    ent, ent2 = _enterprise(org_tree, 11), _enterprise(org_tree, 12)
    return People(
        dispatcher=make_user(Role.CITY_ADMIN, "city", username="dispatcher"),
        supervisor=make_user(Role.SUPERVISOR, "city", username="supervisor"),
        leader=make_user(Role.LEADER, "city", username="leader"),
        lead=make_user(Role.STAFF, "county_a", username="lead"),
        lead_admin=make_user(Role.UNIT_ADMIN, "county_a", username="lead_admin"),
        park=make_user(Role.STAFF, "park_a", username="park"),
        co=make_user(Role.STAFF, "dept", username="co"),
        outsider=make_user(Role.STAFF, "county_b", username="outsider"),
        requester=make_user(Role.ENTERPRISE, "city", username="requester", enterprise_id=ent.pk),
        other_portal=make_user(Role.ENTERPRISE, "city", username="other_portal", enterprise_id=ent2.pk),
        sysadmin=make_user(Role.SYSADMIN, "city", username="sysadmin"),
    )


FAR = dt.date(2026, 12, 31)


@pytest.fixture
def make_matter(people: People, org_tree: dict[str, OrgUnit]) -> MakeMatter:
    """A matter raised by the enterprise user, put straight into ``state`` (test data; the
    services that get it there have their own tests). Lead unit county A, co-unit the
    department, dispatched by the city."""

    def make(state: State = State.DRAFT, lead: str = "county_a", co: tuple[str, ...] = ("dept",),
             **fields: Any) -> Matter:
        matter = services.matter_create(acting_user=people.requester,
            data=inputs.MatterCreateInput.of(
                title="用地指标协调",
                source="enterprise_demand",
                kind="coordination",
                description="企业扩产需要新增用地。",
            ))
        Matter.objects.filter(pk=matter.pk).update(lead_unit=org_tree[lead])
        MatterCoUnit.objects.bulk_create([MatterCoUnit(matter=matter, unit=org_tree[c]) for c in co])
        values: dict[str, Any] = {"state": state.value}
        if state != State.DRAFT:
            values |= {
                "received_on": dt.date(2026, 11, 2),
                "handle_from": dt.date(2026, 11, 2),
                "sign_deadline": dt.date(2026, 11, 3),
                "handle_deadline": FAR,
                "handle_days": None,
            }
        values |= fields
        Matter.objects.filter(pk=matter.pk).update(**values)
        matter.refresh_from_db()
        # The stored KPI facts follow the columns set here, as the services would have written them.
        matter.refresh_facts(calendar_selectors.current_calendar(), returned=state == State.RETURNED)
        matter.save(update_fields=["returned", "signed_on_time", "closed_on_time", "workdays_to_close"])
        return matter

    return make


def fingerprint() -> tuple[Any, ...]:
    """Every table but the audit chain, and the audit count: a refused action changes neither."""
    return db_fingerprint(), AuditRecord.objects.count()
