"""Fixtures of the consequences and reports tests: four firms in two counties (one in park A),
the accounts that read them, and a published run grading them A, C (county A) and B, D
(county B), built directly with ``mujun.testing``."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.mujun.models import MuRun
from zhaoyin.mujun.testing import Firm, make_published_run

_serial = itertools.count(1)
YEAR = 2025


def make_firm(unit: OrgUnit, name: str, size_class: str = "above") -> Enterprise:
    n = next(_serial)
    firm = Enterprise(name=name, uscc=make_uscc("340400", f"{n + 5100:08d}"), org_unit=unit,
                      industry=Industry.objects.get(code="it"), size_class=size_class)
    firm.refresh_search_text()
    firm.save()
    return firm


@dataclass
class MuWorld:
    units: dict[str, OrgUnit]
    office: User  # 亩均办 (evaluator)
    admin: User  # city admin (evaluator)
    leader: User
    staff_a: User  # county A staff: county A's firms only
    portal: User  # firm a1's portal account
    a1: Enterprise  # county A, grade A
    a2: Enterprise  # park A (in county A), grade C
    b1: Enterprise  # county B, grade B
    b2: Enterprise  # county B, grade D
    run: MuRun


FIGURES: dict[str, dict[str, Any]] = {
    # tax, revenue (万元), electricity (万千瓦时), land (亩), energy (吨标煤)
    "a1": {"tax": "900", "revenue": "12000", "electricity": "500", "land_mu": "30", "energy": "800"},
    "a2": {"tax": "120", "revenue": "3000", "electricity": "250.5", "land_mu": "20", "energy": "300"},
    "b1": {"tax": "600", "revenue": "9000", "electricity": "400", "land_mu": "25", "energy": "500"},
    "b2": {"tax": "40", "revenue": "1500", "electricity": "1200.25", "land_mu": "40", "energy": "900"},
}
GRADES = {"a1": ("A", "92.50"), "a2": ("C", "41.00"), "b1": ("B", "77.10"), "b2": ("D", "18.20")}


def build_world(units: dict[str, OrgUnit], make_user: MakeUser, *, state: str = "published") -> MuWorld:
    a1 = make_firm(units["county_a"], "亩均甲科技有限公司")
    a2 = make_firm(units["park_a"], "亩均乙材料有限公司")
    b1 = make_firm(units["county_b"], "亩均丙装备有限公司")
    b2 = make_firm(units["county_b"], "亩均丁化工有限公司")
    office = make_user(Role.MU_OFFICE)
    firms = {"a1": a1, "a2": a2, "b1": b1, "b2": b2}
    run = make_published_run(
        YEAR, [Firm(firms[k], GRADES[k][0], GRADES[k][1], figures=FIGURES[k]) for k in firms], user=office,
        state=state,
    )
    return MuWorld(
        units=units, office=office, admin=make_user(Role.CITY_ADMIN), leader=make_user(Role.LEADER),
        staff_a=make_user(Role.STAFF, unit="county_a"),
        portal=make_user(Role.ENTERPRISE, unit="county_a", enterprise_id=a1.pk),
        a1=a1, a2=a2, b1=b1, b2=b2, run=run,
    )
