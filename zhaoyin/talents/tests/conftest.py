"""Fixtures of the talent tests: people in the two-county tree, an employer, clients."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.lib.idcard import make_resident
from zhaoyin.lib.uscc import make_uscc

BORN = dt.date(1990, 5, 1)


def rid(n: int, born: dt.date = BORN) -> str:
    """A valid resident ID (odd sequence: male) unique by ``n``."""
    return make_resident("340402", born, 2 * n + 1)


@pytest.fixture
def people(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> dict[str, User]:
    return {
        "office": make_user(Role.TALENT_OFFICE, unit="city", username="office"),
        "city": make_user(Role.CITY_ADMIN, unit="city", username="cityadm"),
        "leader": make_user(Role.LEADER, unit="city", username="leader"),
        "staff_a": make_user(Role.STAFF, unit="county_a", username="staff_a"),
        "staff_b": make_user(Role.STAFF, unit="county_b", username="staff_b"),
        "station": make_user(Role.STAFF, unit="station", username="station_staff"),
        "talent": make_user(Role.TALENT, unit="station", username="talent1"),
    }


@pytest.fixture
def employer(org_tree: dict[str, OrgUnit], db: Any) -> Enterprise:
    industry = (
        Industry.objects.get(code="it")
        if Industry.objects.filter(code="it").exists()
        else (Industry.objects.create(code="it", name="新一代信息技术", emerging=True))
    )
    e = Enterprise(
        name="淮南星辰科技有限公司",
        uscc=make_uscc("340400", "00000991"),
        org_unit=org_tree["county_a"],
        industry=industry,
    )
    e.refresh_search_text()
    e.save()
    return e


@pytest.fixture
def employer_b(org_tree: dict[str, OrgUnit], employer: Enterprise) -> Enterprise:
    e = Enterprise(
        name="田家庵远航材料有限公司",
        uscc=make_uscc("340400", "00000992"),
        org_unit=org_tree["county_b"],
        industry=employer.industry,
    )
    e.refresh_search_text()
    e.save()
    return e


def web_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})
