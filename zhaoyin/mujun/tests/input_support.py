"""What the tests of the bureaus' figures share: a workbook writer, firms in two counties and a
park, and the accounts of each reader. Tests ask for ``mu_world``."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import Workbook

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.importing import ImportPlan
from zhaoyin.core.models import ImportBatch
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.mujun import input_services
from zhaoyin.mujun.input_importing import columns_of
from zhaoyin.mujun.input_inputs import ImportInput
from zhaoyin.mujun.sources import Source

__all__ = ["MuWorld", "commit", "mu_world_fixture", "preview", "workbook"]

YEAR = 2025
#: A well-formed code no enterprise holds.
UNKNOWN_USCC = make_uscc("340400", "99999999")


def workbook(source: Source | Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A workbook with the source's headers (or the given ones) and ``rows``."""
    headers = [c.label for c in columns_of(source)] if isinstance(source, Source) else list(source)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class MuWorld:
    """What the input tests work with."""

    units: dict[str, OrgUnit]
    firm_a: Enterprise  # county A, above designated size
    firm_park: Enterprise  # park A (inside county A)
    firm_b: Enterprise  # county B
    office: User  # 亩均办
    admin: User  # city administrator
    unit_a: User  # unit admin, county A
    staff_b: User  # staff, county B
    leader: User
    portal_a: User  # firm A's portal account
    portal_b: User  # firm B's portal account
    make_user: Callable[..., User]

    @property
    def firms(self) -> list[Enterprise]:
        return [self.firm_a, self.firm_park, self.firm_b]


def preview(user: User, source: Source, content: bytes, year: int = YEAR) -> tuple[ImportBatch, ImportPlan]:
    return input_services.mu_import_preview(
        acting_user=user, data=ImportInput.of(source=source.value, year=year), content=content, filename="f.xlsx"
    )


def commit(user: User, source: Source, content: bytes, year: int = YEAR) -> tuple[ImportBatch, ImportPlan]:
    batch, _plan = preview(user, source, content, year)
    return input_services.mu_import_commit(acting_user=user, batch=batch)


def _firm(unit: OrgUnit, industry: Industry, n: int, name: str, size_class: str) -> Enterprise:
    enterprise = Enterprise(name=name, uscc=make_uscc("340400", f"{n:08d}"), org_unit=unit, industry=industry,
                            size_class=size_class)
    enterprise.refresh_search_text()
    enterprise.save()
    return enterprise


@pytest.fixture
def mu_world(org_tree: dict[str, OrgUnit], make_user: Callable[..., User]) -> MuWorld:
    industry, _created = Industry.objects.get_or_create(code="mu-test", defaults={"name": "测试制造业"})
    firm_a = _firm(org_tree["county_a"], industry, 41001, "甲亩均科技有限公司", "above")
    firm_park = _firm(org_tree["park_a"], industry, 41002, "园区亩均制造有限公司", "below")
    firm_b = _firm(org_tree["county_b"], industry, 41003, "乙亩均材料有限公司", "above")
    return MuWorld(
        units=org_tree, firm_a=firm_a, firm_park=firm_park, firm_b=firm_b,
        office=make_user(Role.MU_OFFICE, "city"), admin=make_user(Role.CITY_ADMIN, "city"),
        unit_a=make_user(Role.UNIT_ADMIN, "county_a"), staff_b=make_user(Role.STAFF, "county_b"),
        leader=make_user(Role.LEADER, "city"),
        portal_a=make_user(Role.ENTERPRISE, "county_a", enterprise_id=firm_a.pk),
        portal_b=make_user(Role.ENTERPRISE, "county_b", enterprise_id=firm_b.pk),
        make_user=make_user,
    )


mu_world_fixture = mu_world
