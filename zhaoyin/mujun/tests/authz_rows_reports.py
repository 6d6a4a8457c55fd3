"""Matrix rows (tests/authz_matrix.py) of the 亩均 reports and consequences.

Readers of the reports: the city-wide roles, the 亩均 office and the unit roles (their
subtree's firms only: county A's staff get 404 for county B's firm page); a portal enterprise
reads only its own firm page (404 for another's) and nothing else here; the service member, the
talent roles and the 三员 nothing. The 整改 bulk action is the evaluators' (亩均办, city admin).
"""

from __future__ import annotations

from typing import Any

from tests.authz_matrix import MATRIX, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.mujun.selectors import EVALUATOR_ROLES, READER_ROLES
from zhaoyin.mujun.testing import Firm, make_published_run

#: A year no other part's matrix data uses: a year has one published run, and the runs part's
#: rows publish a run of 2025 (its "publish" row would meet this run and answer 409).
YEAR = 2024
OTHER_COUNTY: dict[Any, Any] = dict.fromkeys(UNIT_SCOPED, 404)


@world_builder
def mujun_reports(w: World) -> None:
    w.extra["mu_report_run"] = make_published_run(
        YEAR,
        [Firm(w.enterprise_a, "A", "90.00", figures={"tax": "300", "land_mu": "10", "electricity": "50"}),
         Firm(w.enterprise_b, "D", "20.00", figures={"tax": "20", "land_mu": "10", "electricity": "80"})],
        user=w.user(Role.MU_OFFICE),
    )


def _run(w: World) -> dict[str, Any]:
    return {"pk": w.extra["mu_report_run"].pk}


def _api_run(w: World) -> dict[str, Any]:
    return {"id": w.extra["mu_report_run"].pk}


MATRIX += [
    web("mujun:overview", allowed=READER_ROLES),
    web("mujun:distribution", allowed=READER_ROLES),
    web("mujun:report_results", allowed=READER_ROLES, kwargs=_run),
    web("mujun:firm", allowed=READER_ROLES | {Role.ENTERPRISE}, kwargs=lambda w: {"enterprise_id": w.enterprise_a.pk},
        label="own firm"),
    web("mujun:firm", allowed=READER_ROLES, kwargs=lambda w: {"enterprise_id": w.enterprise_b.pk},
        scope={**OTHER_COUNTY, Role.ENTERPRISE: 404}, label="another county's firm"),
    web("mujun:low_efficiency", allowed=READER_ROLES, query=f"?year={YEAR}"),
    web("mujun:low_efficiency_export", allowed=READER_ROLES, query=f"?year={YEAR}"),
    web("mujun:run_export", allowed=READER_ROLES, kwargs=lambda w: {**_run(w), "kind": "surcharge"}),
    web("mujun:rectify", "POST", allowed=EVALUATOR_ROLES, ok=302, kwargs=_run),
    api("GET", "/api/v1/mu-runs/{id}/exports/{kind}", allowed=READER_ROLES,
        kwargs=lambda w: {**_api_run(w), "kind": "land-tax"}),
    api("POST", "/api/v1/mu-runs/{id}/rectifications", allowed=EVALUATOR_ROLES, ok=201, kwargs=_api_run),
    api("GET", "/api/v1/mu-reports/distribution", allowed=READER_ROLES),
    api("GET", "/api/v1/mu-reports/low-efficiency", allowed=READER_ROLES, query=f"?year={YEAR}"),
]
