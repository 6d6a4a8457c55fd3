"""The 亩均 API: schemes (评价办法) and projects' 亩均 conditions (履约), mounted by config.api.

Schemes (read by every internal reader, written by the evaluators — the 亩均 office and the
city administrator):

- ``GET /mu-schemes?year=`` · ``GET /mu-schemes/{id}``;
- ``POST /mu-schemes`` (a draft, numbered the year's next version; a definition the engine
  refuses → 422 naming ``definition.lists[i].indicators[j].<field>``, nothing saved);
- ``PATCH /mu-schemes/{id}`` (only the fields given; a frozen scheme or a stale version → 409);
- ``DELETE /mu-schemes/{id}?version=`` (a draft no run uses; else 409);
- ``POST /mu-schemes/{id}/copy`` (the year's next version, a draft: how a frozen one changes).

Conditions (read by whoever reads the project, written by its editors):

- ``GET /projects/{id}/mu-conditions`` (each with its standing: met / breached with value vs
  threshold / missing / no result yet) · ``POST /projects/{id}/mu-conditions``;
- ``DELETE /mu-conditions/{id}`` · ``POST /mu-conditions/{id}/matter`` (a breach becomes a
  matter, once: 409 after that, or when the condition is not breached).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.fields import MAX_ID
from zhaoyin.core.outputs import DecimalText, IsoDateTime, OutSchema, Username
from zhaoyin.core.roles import Role
from zhaoyin.lib import mujun
from zhaoyin.mujun import scheme_services, selectors
from zhaoyin.mujun.models import MuCondition, MuScheme
from zhaoyin.mujun.scheme_conditions import condition_get_for_user, condition_statuses, conditions_of
from zhaoyin.mujun.scheme_inputs import (
    ConditionInput,
    SchemeChangeInput,
    SchemeCopyInput,
    SchemeCreateInput,
    normalize_definition,
)
from zhaoyin.projects.selectors import READER_ROLES as PROJECT_READERS
from zhaoyin.projects.selectors import project_get_for_user

router = Router(tags=["mujun"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Id.")]
PROJECT_EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
Grade = Literal["A", "B", "C", "D"]


# ---- output -------------------------------------------------------------------------------------------


class ScopeOut(Schema):
    size_classes: list[Literal["above", "below"]] = Field(description="Empty: any size class")
    land_min_mu: str | None = Field(description="Land at least this (亩)")
    land_max_mu: str | None = Field(description="Land below this (亩)")
    min_years: int | None = Field(description="Years in production, at least")


class IndicatorOut(Schema):
    code: str
    name: str = Field(description="亩均税收 …")
    formula: str = Field(description="numerator / denominator over the figures")
    weight: str = Field(description="A decimal")
    benchmark: str = Field(description="A decimal, or \"average\" (the list's aggregate ratio of the year)")
    cap: str | None = Field(description="The most points; null: no cap")


class GradingOut(Schema):
    method: Literal["percentile", "cutoff"]
    bands: list[tuple[Grade, str]] = Field(description="[grade, limit] best first")


class ResultListOut(Schema):
    code: str
    name: str
    scope: ScopeOut
    indicators: list[IndicatorOut]
    missing: Literal["average", "zero", "ungraded"]
    weight_total: str | None = Field(description="What the weights sum to; null: any")
    grading: GradingOut


class ConsequencesOut(Schema):
    surcharge_per_kwh: dict[Grade, str] | None = Field(None, description="差别化电价: 元 per kWh by grade")
    land_tax_relief: dict[Grade, str] | None = Field(None, description="城镇土地使用税 relief: per cent by grade")


class DefinitionOut(Schema):
    lists: list[ResultListOut]
    exempt_industries: list[str]
    consequences: ConsequencesOut


class MuSchemeOut(OutSchema):
    id: int
    year: int
    number: int = Field(description="The version of the year's scheme (1, 2 …)")
    name: str
    status: Literal["draft", "frozen"]
    publicity_days: int = Field(description="Working days of the 公示")
    note: str
    definition: DefinitionOut
    runs: int = Field(description="How many runs use it")
    created_by: Username
    created_at: IsoDateTime
    updated_at: IsoDateTime
    frozen_at: IsoDateTime | None
    version: int = Field(description="Send it back with a change to detect a concurrent one (409)")

    @staticmethod
    def resolve_definition(obj: MuScheme) -> dict[str, Any]:
        try:
            return normalize_definition(obj.definition)
        except mujun.SchemeError:  # stored before the reader's rules: shown as it is
            return dict(obj.definition)

    @staticmethod
    def resolve_runs(obj: MuScheme) -> int:
        count = getattr(obj, "run_count", None)
        return int(count) if count is not None else obj.runs.count()


class MuSchemePageOut(OutSchema):
    count: int
    items: list[MuSchemeOut]


class MatterRefOut(OutSchema):
    id: int
    code: str


class MuConditionOut(OutSchema):
    id: int
    project: int = Field(validation_alias="project_id")
    name: str = Field(description="The indicator's name")
    formula: str = Field(description="numerator / denominator over the figures")
    threshold: DecimalText = Field(description="The least value")
    from_year: int
    note: str = Field(description="The agreement's clause")
    status: Literal["met", "breached", "missing", "no_result"] = Field(
        description="Against the enterprise's latest published result of from_year or later")
    value: DecimalText | None = Field(description="The value computed from that run's figures")
    year: int | None = Field(description="The evaluation year it was read from")
    run: int | None = Field(description="The run it was read from")
    matter: MatterRefOut | None = Field(description="The matter the breach became")


class SchemeQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Only this year's schemes")


class DeleteQuery(Schema):
    version: int | None = Field(None, ge=1, le=2_000_000_000, description="The version read (409 if it moved on)")


def _scheme(request: HttpRequest, pk: int) -> MuScheme:
    user = request_user(request)
    return selectors.scheme_list_visible_to(user).annotate(run_count=Count("runs")).get(
        pk=selectors.scheme_get_for_user(user=user, pk=pk).pk)


# ---- schemes --------------------------------------------------------------------------------------------


@router.get("/mu-schemes", response=MuSchemePageOut)
@api_allow(selectors.READER_ROLES)
def scheme_list(request: HttpRequest, filters: Query[SchemeQuery]) -> dict[str, Any]:
    """Every scheme (the city's rules are not scoped), latest year and version first."""
    qs = selectors.scheme_list_visible_to(request_user(request)).annotate(run_count=Count("runs"))
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    items = list(qs.select_related("created_by"))
    return {"count": len(items), "items": items}


@router.get("/mu-schemes/{id}", response=MuSchemeOut)
@api_allow(selectors.READER_ROLES)
def scheme_detail(request: HttpRequest, id: Id) -> MuScheme:
    return _scheme(request, id)


@router.post("/mu-schemes", response={201: MuSchemeOut, 409: ErrorOut})
@api_allow(selectors.EVALUATOR_ROLES)
def scheme_create(request: HttpRequest, payload: SchemeCreateInput) -> Status[MuScheme]:
    """A new draft scheme. A definition the engine refuses → 422 naming each field's path
    (``definition.lists[0].indicators[2].benchmark``), nothing saved."""
    created = scheme_services.scheme_create(acting_user=request_user(request), data=payload)
    return Status(201, _scheme(request, created.pk))


@router.patch("/mu-schemes/{id}", response={200: MuSchemeOut, 409: ErrorOut})
@api_allow(selectors.EVALUATOR_ROLES)
def scheme_change(request: HttpRequest, id: Id, payload: SchemeChangeInput) -> MuScheme:
    """Change a draft (only the fields given). A frozen scheme (a published run uses it) or a
    stale version → 409."""
    user = request_user(request)
    scheme = selectors.scheme_get_for_user(user=user, pk=id)
    scheme_services.scheme_change(acting_user=user, scheme=scheme, data=payload)
    return _scheme(request, id)


@router.delete("/mu-schemes/{id}", response={204: None, 409: ErrorOut})
@api_allow(selectors.EVALUATOR_ROLES)
def scheme_delete(request: HttpRequest, id: Id, filters: Query[DeleteQuery]) -> HttpResponse:
    """Delete a draft no run uses; a frozen scheme, one a run uses, or a stale version → 409."""
    user = request_user(request)
    scheme = selectors.scheme_get_for_user(user=user, pk=id)
    scheme_services.scheme_delete(acting_user=user, scheme=scheme, version=filters.version)
    return HttpResponse(status=204)  # no body at all: the document declares none


@router.post("/mu-schemes/{id}/copy", response={201: MuSchemeOut, 409: ErrorOut})
@api_allow(selectors.EVALUATOR_ROLES)
def scheme_copy(request: HttpRequest, id: Id, payload: SchemeCopyInput) -> Status[MuScheme]:
    """A draft copy as the year's next version (how a frozen scheme is changed)."""
    user = request_user(request)
    scheme = selectors.scheme_get_for_user(user=user, pk=id)
    copy = scheme_services.scheme_copy(acting_user=user, scheme=scheme, data=payload)
    return Status(201, _scheme(request, copy.pk))


# ---- 履约 conditions ------------------------------------------------------------------------------------


def _condition_rows(conditions: list[MuCondition]) -> list[dict[str, Any]]:
    standing = condition_statuses(conditions)
    out = []
    for c in conditions:
        s = standing[c.pk]
        out.append({
            "id": c.pk, "project_id": c.project_id, "name": c.name, "formula": c.formula, "threshold": c.threshold,
            "from_year": c.from_year, "note": c.note, "status": s.state.value, "value": s.value, "year": s.year,
            "run": s.run_id, "matter": c.matter,
        })
    return out


@router.get("/projects/{id}/mu-conditions", response=list[MuConditionOut])
@api_allow(PROJECT_READERS)
def project_conditions(request: HttpRequest, id: Id) -> list[dict[str, Any]]:
    """A project's 亩均 conditions with their standing; 404 for a project outside the scope."""
    project = project_get_for_user(user=request_user(request), pk=id)
    return _condition_rows(conditions_of(project))


@router.post("/projects/{id}/mu-conditions", response={201: MuConditionOut})
@api_allow(*PROJECT_EDITORS)
def condition_create(request: HttpRequest, id: Id, payload: ConditionInput) -> Status[dict[str, Any]]:
    """Add a condition of the project's investment agreement (the project's editors)."""
    user = request_user(request)
    project = project_get_for_user(user=user, pk=id)
    created = scheme_services.condition_create(acting_user=user, project=project, data=payload)
    return Status(201, _condition_rows([condition_get_for_user(user=user, pk=created.pk)])[0])


@router.delete("/mu-conditions/{id}", response={204: None, 409: ErrorOut})
@api_allow(*PROJECT_EDITORS)
def condition_delete(request: HttpRequest, id: Id) -> HttpResponse:
    """Remove a condition; one whose breach became a matter stays (409)."""
    user = request_user(request)
    scheme_services.condition_delete(acting_user=user, condition=condition_get_for_user(user=user, pk=id))
    return HttpResponse(status=204)  # no body at all: the document declares none


@router.post("/mu-conditions/{id}/matter", response={201: MuConditionOut, 409: ErrorOut})
@api_allow(*PROJECT_EDITORS)
def condition_matter(request: HttpRequest, id: Id) -> Status[dict[str, Any]]:
    """A breached condition becomes a matter (项目推进问题, lead unit the project's unit), once:
    a condition already raised, or not breached → 409."""
    user = request_user(request)
    scheme_services.condition_raise_matter(acting_user=user, condition=condition_get_for_user(user=user, pk=id))
    return Status(201, _condition_rows([condition_get_for_user(user=user, pk=id)])[0])
