"""Shared fixtures: a small org tree with two counties, and accounts for every role.

Personas follow the healthchecks habit: an owner in county A, a colleague, and an outsider
in county B who must get 404 for A's records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.accounts.services import user_create
from zhaoyin.core.roles import Role

PASSWORD = "Zy-Test-Pass-2026"  # noqa: S105 - test fixture password


@pytest.fixture
def org_tree(db: Any) -> dict[str, OrgUnit]:
    city = OrgUnit.objects.create(code="340400", name="淮南市", kind=OrgUnitKind.CITY)
    units = {"city": city}
    for key, code, name, kind in [
        ("county_a", "340402", "大通区", OrgUnitKind.COUNTY),
        ("county_b", "340403", "田家庵区", OrgUnitKind.COUNTY),
        ("park_a", "park-a", "A园区", OrgUnitKind.PARK),
        ("dept", "dept-fgw", "发展改革委", OrgUnitKind.DEPARTMENT),
        ("group_1", "sg-01", "第一服务组", OrgUnitKind.SERVICE_GROUP),
        ("group_2", "sg-02", "第二服务组", OrgUnitKind.SERVICE_GROUP),
        ("station", "st-sh", "驻长三角人才工作站", OrgUnitKind.STATION),
    ]:
        units[key] = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=city)
    # A park inside county A, to test that scope follows the tree.
    units["park_a"].parent = units["county_a"]
    units["park_a"].save()
    for u in units.values():
        u.refresh_from_db()
    return units


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(org_tree: dict[str, OrgUnit]) -> MakeUser:
    counter = {"n": 0}

    def make(role: Role | str, unit: str = "city", username: str | None = None, **kwargs: Any) -> User:
        counter["n"] += 1
        name = username or f"{Role(role).value}{counter['n']}"
        user, _uri = user_create(
            acting_user=None, username=name, password=PASSWORD, roles=[Role(role).value],
            org_unit=org_tree[unit], **kwargs,
        )
        return user

    return make
