"""Matrix rows for the project PAGES (tests/authz_matrix.py); the API and evidence rows are in
authz_rows.py beside this module.

Pages are for government staff (the selector scopes them: county A personas get 404 for
county B's project; the service member is refused: the pipeline is not theirs); writes for the editor roles,
the leader and the supervisor get 403 (the selector's ``action="change"`` or the decorator).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.authz_matrix import MATRIX, READERS, UNIT_SCOPED, WRITERS, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.projects.choices import FundSource, Stage
from zhaoyin.projects.models import FundEntry, Project

#: The pipeline's readers: government staff except the service member (DESIGN §1).
PIPELINE_READERS = READERS - {Role.SERVICE_MEMBER}
NOT_IN_SCOPE_OF_B = {r: 404 for r in UNIT_SCOPED}
NOT_IN_SCOPE_OF_B_WRITE = {r: 404 for r in UNIT_SCOPED}


def _project(w: World, unit: str, n: int) -> Project:
    project = Project(
        code=f"XM-MATRIX-{n:03d}",
        name=f"矩阵测试项目{n}",
        investor_name="矩阵投资方",
        source_region="yangtze_delta",
        industry=w.industry,
        org_unit=w.units[unit],
        total_investment_wan=Decimal("10000.00"),
        stage=Stage.LEAD,
        stage_on=dt.date(2026, 1, 5),
    )
    project.refresh_search_text()
    project.save()
    return project


@world_builder
def project_pages(w: World) -> None:
    w.extra["page_project_a"] = _project(w, "county_a", 1)
    w.extra["page_project_b"] = _project(w, "county_b", 2)
    for key in ("page_project_a", "page_project_b"):
        w.extra[f"{key}_entry"] = FundEntry.objects.create(
            project=w.extra[key], month=dt.date(2026, 2, 1), amount_wan=Decimal("5.00"), source=FundSource.OUTSIDE_CITY
        )


def _a(w: World) -> dict[str, Any]:
    return {"pk": w.extra["page_project_a"].pk}


def _b(w: World) -> dict[str, Any]:
    return {"pk": w.extra["page_project_b"].pk}


def _edit_form(w: World, key: str = "page_project_a") -> dict[str, Any]:
    from zhaoyin.projects.forms import initial_from

    data = initial_from(w.extra[key])
    data["lead_official"] = "矩阵"
    return data


def _new_form(w: World) -> dict[str, Any]:
    return {
        "name": "矩阵新项目", "investor_name": "矩阵投资方", "source_region": "overseas",
        "industry": w.industry.code, "org_unit": w.units["county_a"].code, "total_investment_wan": "100",
    }


def _stage(w: World) -> dict[str, Any]:
    return {"stage": "negotiating", "date": "2026-02-01", "note": "矩阵"}


def _fund(w: World) -> dict[str, Any]:
    return {"month": "2026-03", "amount_wan": "5", "source": "outside_city", "kind": "fixed_asset"}


def _correct(key: str) -> Any:
    def build(w: World) -> dict[str, Any]:
        return {"entry": str(w.extra[f"{key}_entry"].pk), "amount_wan": "6", "note": "矩阵"}

    return build


MATRIX += [
    web("projects:list", allowed=PIPELINE_READERS),
    web("projects:export", allowed=PIPELINE_READERS),
    web("projects:detail", allowed=PIPELINE_READERS, kwargs=_a, label="county A"),
    web("projects:detail", allowed=PIPELINE_READERS, kwargs=_b, scope=NOT_IN_SCOPE_OF_B, label="county B"),
    web("projects:create", allowed=WRITERS),
    web("projects:create", "POST", allowed=WRITERS, ok=302, data=_new_form),
    web("projects:edit", allowed=WRITERS, kwargs=_a, label="county A"),
    web("projects:edit", allowed=WRITERS, kwargs=_b, scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("projects:edit", "POST", allowed=WRITERS, ok=302, kwargs=_a, data=_edit_form, label="county A"),
    web("projects:edit", "POST", allowed=WRITERS, ok=302, kwargs=_b, data=lambda w: _edit_form(w, "page_project_b"),
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("projects:stage_change", "POST", allowed=WRITERS, ok=302, kwargs=_a, data=_stage, label="county A"),
    web("projects:stage_change", "POST", allowed=WRITERS, ok=302, kwargs=_b, data=_stage,
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("projects:fund_add", "POST", allowed=WRITERS, ok=302, kwargs=_a, data=_fund, label="county A"),
    web("projects:fund_add", "POST", allowed=WRITERS, ok=302, kwargs=_b, data=_fund,
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("projects:fund_correct", "POST", allowed=WRITERS, ok=302, kwargs=_a, data=_correct("page_project_a"),
        label="county A"),
    web("projects:fund_correct", "POST", allowed=WRITERS, ok=302, kwargs=_b, data=_correct("page_project_b"),
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
]
