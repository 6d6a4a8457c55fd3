"""Matrix rows (tests/authz_matrix.py) for the 亩均 schemes (评价办法) and projects' 亩均
conditions (履约).

Schemes are the city's rules: every internal reader of the evaluation reads them (the city-wide
roles, the 亩均 office, the unit roles); only the evaluators — the 亩均 office and the city
administrator — write them. Conditions belong to a project: whoever reads the project reads
them (the 亩均 office does not read projects), its editors (the city administrator, the
project's unit roles) add and remove them and raise a breach as a matter; county A's unit
personas get 404 for county B's project.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.authz_matrix import MATRIX, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry
from zhaoyin.mujun.models import MuCondition, MuResult, MuRun, MuScheme
from zhaoyin.mujun.scheme_data_templates import anhui_template
from zhaoyin.projects.models import Project

READERS = frozenset({Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.MU_OFFICE, Role.UNIT_ADMIN, Role.STAFF})
EVALUATORS = frozenset({Role.CITY_ADMIN, Role.MU_OFFICE})
PROJECT_READERS = frozenset({Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.UNIT_ADMIN, Role.STAFF})
PROJECT_EDITORS = frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF})
OTHER_COUNTY: dict[Role, Any] = dict.fromkeys(UNIT_SCOPED, 404)
#: A year no other part's matrix data publishes (one published run per year).
YEAR = 2031


def _project(w: World, region: str, n: int) -> Project:
    industry = Industry.objects.order_by("sort_order", "code").first()
    assert industry is not None
    project = Project(
        code=f"XM-2031-{n:05d}", name=f"亩均矩阵项目{region}", investor_name="矩阵投资方",
        investor=w.enterprise_a if region == "a" else None, source_region="yangtze_delta", industry=industry,
        org_unit=w.units[f"county_{region}"], total_investment_wan=Decimal("1000.00"), stage="lead",
        stage_on=dt.date(2026, 1, 5),
    )
    project.refresh_search_text()
    project.save()
    return project


@world_builder
def mujun_schemes(w: World) -> None:
    office = w.user(Role.MU_OFFICE)

    def scheme(number: int, status: str = "draft") -> MuScheme:
        return MuScheme.objects.create(year=YEAR, number=number, name=f"矩阵办法{number}",
                                       definition=anhui_template(YEAR), status=status, created_by=office)

    w.extra["mus_draft"], w.extra["mus_spare"] = scheme(1), scheme(2)
    w.extra["mus_frozen"] = scheme(3, "frozen")
    firm = w.enterprise_a
    run = MuRun.objects.create(
        scheme=w.extra["mus_frozen"], year=YEAR, state="published", created_by=office, firms=1,
        snapshot=[{"key": firm.uscc, "enterprise": firm.pk, "org_unit": firm.org_unit_id, "size_class": "above",
                   "years": 5, "exempt": False, "figures": {"tax": "100", "land_mu": "10"}, "adjustments": []}],
        inputs_digest="0" * 64, scheme_digest="0" * 64, engine_version="mujun-1", digest="0" * 64,
    )
    MuResult.objects.create(run=run, enterprise=firm, org_unit=firm.org_unit, list_code="above", score=Decimal(60),
                            rank=1, initial_grade="C", grade="C")
    project_a, project_b = _project(w, "a", 0xA31), _project(w, "b", 0xB31)
    w.extra["mus_project_a"], w.extra["mus_project_b"] = project_a, project_b
    # 亩均税收 10 against 30: breached.
    w.extra["mus_condition_a"] = MuCondition.objects.create(
        project=project_a, name="亩均税收", formula="tax / land_mu", threshold=Decimal(30), from_year=YEAR,
        created_by=w.user(Role.CITY_ADMIN))
    w.extra["mus_condition_b"] = MuCondition.objects.create(
        project=project_b, name="亩均税收", formula="tax / land_mu", threshold=Decimal(30), from_year=YEAR,
        created_by=w.user(Role.CITY_ADMIN))


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _editor_form(w: World) -> dict[str, Any]:
    """A one-list scheme as the editor posts it."""
    at = "lists[0]"
    ind = f"{at}.indicators[0]"
    return {
        "year": str(YEAR + 1), "name": "矩阵新办法", "publicity_days": "5",
        f"{at}.code": "all", f"{at}.name": "全部企业", f"{at}.missing": "average", f"{at}.weight_total": "100",
        f"{at}.grading.method": "percentile", f"{at}.grading.A": "25", f"{at}.grading.B": "70",
        f"{at}.grading.C": "95", f"{at}.grading.D": "100",
        f"{ind}.kind": "tax_per_mu", f"{ind}.weight": "100", f"{ind}.bench_mode": "average",
    }


def _condition_form(w: World) -> dict[str, Any]:
    return {"indicator": "tax_per_mu", "threshold": "30", "from_year": str(YEAR), "note": "第八条"}


MATRIX += [
    # ---- pages: schemes
    web("mujun:scheme_list", allowed=READERS),
    web("mujun:scheme_detail", allowed=READERS, kwargs=_pk("mus_draft")),
    web("mujun:scheme_create", allowed=EVALUATORS),
    web("mujun:scheme_create", "POST", allowed=EVALUATORS, ok=302, data=_editor_form),
    web("mujun:scheme_edit", allowed=EVALUATORS, kwargs=_pk("mus_draft")),
    web("mujun:scheme_edit", "POST", allowed=EVALUATORS, ok=302, kwargs=_pk("mus_draft"),
        data=lambda w: _editor_form(w) | {"version": str(w.extra["mus_draft"].version)}, label="draft"),
    web("mujun:scheme_edit", "POST", allowed=EVALUATORS, ok=409, kwargs=_pk("mus_frozen"),
        data=lambda w: _editor_form(w) | {"version": str(w.extra["mus_frozen"].version)}, label="frozen"),
    web("mujun:scheme_copy", "POST", allowed=EVALUATORS, ok=302, kwargs=_pk("mus_frozen")),
    web("mujun:scheme_delete", "POST", allowed=EVALUATORS, ok=302, kwargs=_pk("mus_spare")),
    # ---- pages: a project's conditions
    web("mujun:condition_add", "POST", allowed=PROJECT_EDITORS, ok=302, kwargs=_pk("mus_project_a"),
        data=_condition_form, label="county A"),
    web("mujun:condition_add", "POST", allowed={Role.CITY_ADMIN}, ok=302, kwargs=_pk("mus_project_b"),
        data=_condition_form, scope=OTHER_COUNTY, label="county B"),
    web("mujun:condition_delete", "POST", allowed=PROJECT_EDITORS, ok=302, kwargs=_pk("mus_condition_a"),
        label="county A"),
    web("mujun:condition_delete", "POST", allowed={Role.CITY_ADMIN}, ok=302, kwargs=_pk("mus_condition_b"),
        scope=OTHER_COUNTY, label="county B"),
    web("mujun:condition_matter", "POST", allowed=PROJECT_EDITORS, ok=302, kwargs=_pk("mus_condition_a")),
    # ---- API: schemes
    api("GET", "/api/v1/mu-schemes", allowed=READERS),
    api("GET", "/api/v1/mu-schemes/{id}", allowed=READERS, kwargs=_id("mus_draft")),
    api("POST", "/api/v1/mu-schemes", allowed=EVALUATORS, ok=201,
        data=lambda w: {"year": YEAR + 1, "name": "矩阵新办法", "definition": anhui_template(YEAR + 1)}),
    api("PATCH", "/api/v1/mu-schemes/{id}", allowed=EVALUATORS, kwargs=_id("mus_draft"),
        data=lambda w: {"publicity_days": 7, "version": w.extra["mus_draft"].version}, label="draft"),
    api("PATCH", "/api/v1/mu-schemes/{id}", allowed=EVALUATORS, ok=409, kwargs=_id("mus_frozen"),
        data=lambda w: {"publicity_days": 7}, label="frozen"),
    api("DELETE", "/api/v1/mu-schemes/{id}", allowed=EVALUATORS, ok=204, kwargs=_id("mus_spare")),
    api("POST", "/api/v1/mu-schemes/{id}/copy", allowed=EVALUATORS, ok=201, kwargs=_id("mus_frozen"),
        data=lambda w: {}),
    # ---- API: a project's conditions
    api("GET", "/api/v1/projects/{id}/mu-conditions", allowed=PROJECT_READERS, kwargs=_id("mus_project_a"),
        label="county A"),
    api("GET", "/api/v1/projects/{id}/mu-conditions", allowed=PROJECT_READERS, kwargs=_id("mus_project_b"),
        scope=OTHER_COUNTY, label="county B"),
    api("POST", "/api/v1/projects/{id}/mu-conditions", allowed=PROJECT_EDITORS, ok=201,
        kwargs=_id("mus_project_a"), data=lambda w: {"indicator": "tax_per_mu", "threshold": "30", "from_year": YEAR}),
    api("DELETE", "/api/v1/mu-conditions/{id}", allowed=PROJECT_EDITORS, ok=204, kwargs=_id("mus_condition_a"),
        label="county A"),
    api("DELETE", "/api/v1/mu-conditions/{id}", allowed={Role.CITY_ADMIN}, ok=204, kwargs=_id("mus_condition_b"),
        scope=OTHER_COUNTY, label="county B"),
    api("POST", "/api/v1/mu-conditions/{id}/matter", allowed=PROJECT_EDITORS, ok=201,
        kwargs=_id("mus_condition_a")),
]
