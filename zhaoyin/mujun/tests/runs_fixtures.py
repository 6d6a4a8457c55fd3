"""Fixtures of the run tests: eight firms of 2025 (six in county A — two of them in park A —,
two in county B) with their tax, revenue and land, a scheme of one list (亩均税收 60 + 亩均营收
40 against the list's averages, percentile grades), two evaluators (four-eyes), and the portal
accounts of one firm in county A and one in county B. Tests ask for ``mu_world``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from tests.world import make_enterprise
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.mujun import services
from zhaoyin.mujun.inputs import RunCreateInput, StepInput
from zhaoyin.mujun.models import MuInput, MuRun, MuScheme, Parcel, ParcelHolding

__all__ = ["DEFINITION", "YEAR", "MuWorld", "mu_world_fixture", "put_inputs", "step"]

YEAR = 2025
#: One list for every firm: 亩均税收 (60) and 亩均营收 (40) against the list's averages.
DEFINITION: dict[str, Any] = {
    "lists": [{
        "code": "all", "name": "全部企业", "scope": {},
        "indicators": [
            {"code": "tax_per_mu", "name": "亩均税收", "formula": "tax / land_mu", "weight": "60",
             "benchmark": "average", "cap": "90"},
            {"code": "revenue_per_mu", "name": "亩均营收", "formula": "revenue / land_mu", "weight": "40",
             "benchmark": "average"},
        ],
        "missing": "average", "weight_total": "100",
        "grading": {"method": "percentile", "bands": [["A", "25"], ["B", "70"], ["C", "95"], ["D", "100"]]},
    }],
    "exempt_industries": [],
    "consequences": {"surcharge_per_kwh": {"C": "0.05", "D": "0.10"}},
}
#: (tax, revenue, land) of each firm, 万元 and 亩: firm 0 is the best, firm 7 the weakest.
FIGURES = [
    ("400", "4000", "20"), ("300", "3600", "20"), ("240", "2500", "20"), ("200", "2400", "25"),
    ("150", "2000", "25"), ("120.5", "1500", "35"), ("90", "1000", "40"), ("20", "300", "50"),
]


@dataclass
class MuWorld:
    """What the run tests work with."""

    units: dict[str, OrgUnit]
    firms: list[Enterprise]  # 0–5 county A (4 and 5 in park A), 6–7 county B
    scheme: MuScheme
    office: User  # 亩均办, proposes
    office2: User  # a second evaluator, decides
    city_admin: User
    admin_a: User  # unit admin, county A
    leader: User
    portal: User  # firm 0's portal account (county A)
    portal_b: User  # firm 7's portal account (county B)
    make_user: Callable[..., User]

    def run(self) -> MuRun:
        return services.run_create(acting_user=self.office, data=RunCreateInput.of(scheme=self.scheme.pk))


def step(run: MuRun, action: str, user: User, **values: Any) -> MuRun:
    """Take ``action`` with the run's current version (and ``values``: note)."""
    run.refresh_from_db()
    return services.run_step(acting_user=user, run=run, action=action, data=StepInput.of(version=run.version, **values))


def put_inputs(firm: Enterprise, tax: str, revenue: str, land: str, *, year: int = YEAR) -> None:
    """A firm's figures of ``year`` as the bureaus' imports leave them (test data)."""
    for figure, value, source in (("tax", tax, "tax"), ("revenue", revenue, "stats")):
        MuInput.objects.update_or_create(enterprise=firm, year=year, figure=figure,
                                         defaults={"value": Decimal(value), "source": source})
    parcel, _c = Parcel.objects.get_or_create(code=f"P-{firm.uscc[-6:]}", defaults={"area_mu": Decimal(land)})
    ParcelHolding.objects.update_or_create(parcel=parcel, year=year, enterprise=firm,
                                           defaults={"area_mu": Decimal(land)})


@pytest.fixture
def mu_world(
    org_tree: dict[str, OrgUnit], make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> MuWorld:
    # The process is judged on a fixed working day (the tests move it where they need).
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 3, 2))
    industry, _c = Industry.objects.get_or_create(code="mu-test", defaults={"name": "亩均测试行业"})
    units = org_tree
    homes = ["county_a"] * 4 + ["park_a"] * 2 + ["county_b"] * 2
    firms = []
    for n, (home, figures) in enumerate(zip(homes, FIGURES, strict=True), start=1):
        firm = make_enterprise(units[home], None, industry, 900 + n, name=f"亩均测试企业{n}", size_class="above",
                               founded_on=dt.date(2015, 1, 1))
        put_inputs(firm, *figures)
        firms.append(firm)
    office = make_user(Role.MU_OFFICE, "city")
    scheme = MuScheme.objects.create(year=YEAR, number=1, name="2025年亩均效益评价办法", definition=DEFINITION,
                                     publicity_days=5, created_by=office)
    return MuWorld(
        units=units, firms=firms, scheme=scheme, office=office, office2=make_user(Role.MU_OFFICE, "city"),
        city_admin=make_user(Role.CITY_ADMIN, "city"), admin_a=make_user(Role.UNIT_ADMIN, "county_a"),
        leader=make_user(Role.LEADER, "city"),
        portal=make_user(Role.ENTERPRISE, "county_a", enterprise_id=firms[0].pk),
        portal_b=make_user(Role.ENTERPRISE, "county_b", enterprise_id=firms[7].pk),
        make_user=make_user,
    )


mu_world_fixture = mu_world
