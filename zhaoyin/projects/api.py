"""API: /projects (DESIGN 5.1) — list, detail, register, change, stage changes, funds in place.

Handlers parse, fetch through the selectors (out of scope → 404; read-only → 403), call one
service and shape the answer. Input schemas are strict (unknown fields → 422). Amounts are
Decimal end to end: accepted as a JSON string or number, a number re-read from the body's own
text (the enterprises API's ``Amount`` and ``_exact_amounts``), answered as decimal strings.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import api_allow
from zhaoyin.core.inputs import Input
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.api import MAX_ID, IndustryRef, OrgUnitRef, _exact_amounts
from zhaoyin.projects import selectors, services
from zhaoyin.projects.filters import project_filter_apply, project_filter_parse
from zhaoyin.projects.inputs import FundEntryInput, ProjectInput, ProjectUpdateInput, StageChangeInput
from zhaoyin.projects.models import FundEntry, Project, StageEvent

router = Router(tags=["projects"])

EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)




ProjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="Project id.")]


# ---- output ---------------------------------------------------------------------------------


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str = Field(description="Download through the web session (scoped)")


class StageEventOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    kind: str = Field(description="advance, skip, correction, hold, resume, terminate or reopen")
    date: str = Field(description="The date of the stage, YYYY-MM-DD")
    note: str
    reason: str
    recorded_by: str | None
    recorded_at: str
    files: list[EvidenceOut]


class FundEntryOut(Schema):
    id: int
    month: str = Field(description="YYYY-MM")
    amount_wan: str = Field(description="万元, a decimal string")
    source: str = Field(description="outside_city, outside_province or foreign")
    kind: str = Field(description="fixed_asset or other")
    note: str
    replaces: int | None = Field(description="The entry this one corrects")
    superseded: bool
    entered_at: str


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    investor: int | None = Field(description="Id of the registered investor enterprise")
    investor_name: str
    source_region: str
    industry: IndustryRef
    org_unit: OrgUnitRef
    total_investment_wan: str = Field(description="万元, a decimal string")
    construction_content: str
    land_mu: str | None
    attraction_method: str
    lead_official: str
    staff: str | None = Field(description="Username of the staff member in charge")
    first_contact_on: str | None
    planned_sign_on: str | None
    planned_start_on: str | None
    planned_production_on: str | None
    stage: str
    stage_on: str | None
    version: int = Field(description="Send it back with PATCH to detect a concurrent change (409)")
    updated_at: str


class ProjectDetailOut(ProjectOut):
    funds_total_wan: str = Field(description="Funds in place so far (active entries), 万元")
    funds: list[FundEntryOut]
    events: list[StageEventOut]


class ProjectPageOut(Schema):
    count: int
    items: list[ProjectOut]


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def project_out(p: Project) -> dict[str, Any]:
    """The public shape of a project."""
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "investor": p.investor_id,
        "investor_name": p.investor_name,
        "source_region": p.source_region,
        "industry": {"code": p.industry.code, "name": p.industry.name},
        "org_unit": {"id": p.org_unit.pk, "code": p.org_unit.code, "name": p.org_unit.name},
        "total_investment_wan": str(p.total_investment_wan),
        "construction_content": p.construction_content,
        "land_mu": None if p.land_mu is None else str(p.land_mu),
        "attraction_method": p.attraction_method,
        "lead_official": p.lead_official,
        "staff": p.staff.username if p.staff else None,
        "first_contact_on": _day(p.first_contact_on),
        "planned_sign_on": _day(p.planned_sign_on),
        "planned_start_on": _day(p.planned_start_on),
        "planned_production_on": _day(p.planned_production_on),
        "stage": p.stage,
        "stage_on": _day(p.stage_on),
        "version": p.version,
        "updated_at": p.updated_at.isoformat(),
    }


def event_out(e: StageEvent) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": e.pk,
        "from_stage": e.from_stage,
        "to_stage": e.to_stage,
        "kind": e.kind,
        "date": e.stage_on.isoformat(),
        "note": e.note,
        "reason": e.reason,
        "recorded_by": e.created_by.username if e.created_by else None,
        "recorded_at": e.created_at.isoformat(),
        "files": [
            {
                "id": f.pk,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "url": reverse("projects:evidence", args=[f.pk]),
            }
            for f in e.files.all()
        ],
    }


def fund_out(f: FundEntry) -> dict[str, Any]:
    return {
        "id": f.pk,
        "month": f"{f.month:%Y-%m}",
        "amount_wan": str(f.amount_wan),
        "source": f.source,
        "kind": f.kind,
        "note": f.note,
        "replaces": f.replaces_id,
        "superseded": f.superseded_at is not None,
        "entered_at": f.entered_at.isoformat(),
    }


# ---- input ----------------------------------------------------------------------------------


class ProjectListQuery(Schema):
    q: str | None = Field(None, description="Substrings of code, name or investor; all words must occur")
    org_unit: str | None = Field(None, description="Org unit code; includes the units below it")
    industry: str | None = Field(None, description="Industry code or id")
    stage: str | None = Field(None, description="Stage code")
    source_region: str | None = None
    attraction_method: str | None = None
    min_investment: str | None = Field(None, description="万元, inclusive")
    max_investment: str | None = Field(None, description="万元, inclusive")
    sort: str | None = Field(
        None, description="code, name, total_investment_wan, stage_on or updated_at; - for descending"
    )
    page: int | None = Field(None, ge=1, le=999_999_999)
    page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)


# The bodies are the use cases' input models (zhaoyin.projects.inputs): the same verdict per
# value as the pages and the imports.
AMOUNTS = ["total_investment_wan", "land_mu"]


def _exact(request: HttpRequest, payload: Input, names: list[str]) -> dict[str, Any]:
    """The fields sent, with amounts that arrived as JSON numbers read again from the body's
    own text (a float once parsed), to be built into the input once more."""
    return _exact_amounts(request, payload.model_dump(exclude_unset=True), names)


def _page(qs: Any, page: int, page_size: int) -> tuple[int, list[Project]]:
    """Total and one page; the page's ids are read first (cheap on deep pages)."""
    total = qs.count()
    start = (page - 1) * page_size
    if start >= total:
        return total, []
    ids = list(qs.values_list("pk", flat=True)[start : start + page_size])
    rows = {p.pk: p for p in qs.filter(pk__in=ids)}
    return total, [rows[pk] for pk in ids if pk in rows]


def _detail(user: Any, project: Project) -> dict[str, Any]:
    project = selectors.project_get_for_user(user=user, pk=project.pk)
    out = project_out(project)
    funds = selectors.fund_entries(project)
    out["funds_total_wan"] = str(selectors.project_fund_total(project))
    out["funds"] = [fund_out(f) for f in funds]
    out["events"] = [event_out(e) for e in selectors.stage_events(project)]
    return out


# ---- operations -----------------------------------------------------------------------------


@router.get("", response=ProjectPageOut)
@api_allow(selectors.READER_ROLES)
def project_list(request: HttpRequest, filters: Query[ProjectListQuery]) -> dict[str, Any]:
    """Projects in the caller's scope, filtered, sorted and paged: ``{"count", "items"}``."""
    user = request_user(request)
    flt = project_filter_parse(filters.dict(exclude_none=True))
    qs = project_filter_apply(selectors.project_list_visible_to(user), flt)
    total, items = _page(qs, flt.page, flt.page_size)
    return {"count": total, "items": [project_out(p) for p in items]}


@router.get("/{id}", response=ProjectDetailOut)
@api_allow(selectors.READER_ROLES)
def project_detail(request: HttpRequest, id: ProjectId) -> dict[str, Any]:
    """One project with its stage history and funds; 404 outside the caller's scope."""
    user = request_user(request)
    return _detail(user, selectors.project_get_for_user(user=user, pk=id))


@router.post("", response={201: ProjectDetailOut})
@api_allow(*EDITORS)
def project_create(request: HttpRequest, payload: ProjectInput) -> Status[dict[str, Any]]:
    """Register a project at stage ``lead``; the code is generated."""
    user = request_user(request)
    data = ProjectInput.parse(_exact(request, payload, AMOUNTS))
    project = services.project_create(acting_user=user, data=data)
    return Status(201, _detail(user, project))


@router.patch("/{id}", response=ProjectDetailOut)
@api_allow(*EDITORS)
def project_update(request: HttpRequest, id: ProjectId, payload: ProjectUpdateInput) -> dict[str, Any]:
    """Change the fields sent (not the stage). With ``version``, a change made meanwhile → 409."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=id, action="change")
    data = ProjectUpdateInput.parse(_exact(request, payload, AMOUNTS))
    services.project_update(acting_user=user, project=project, data=data)
    return _detail(user, project)


@router.post("/{id}/stages", response={201: StageEventOut})
@api_allow(*EDITORS)
def project_stage_change(
    request: HttpRequest, id: ProjectId, payload: StageChangeInput
) -> Status[dict[str, Any]]:
    """Change the stage: 201 with the recorded event; 409 when the transition table forbids
    the change; 422 for an unknown stage, a bad date or a missing reason."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=id, action="change")
    event = services.project_change_stage(acting_user=user, project=project, data=payload)
    return Status(201, event_out(event))


@router.post("/{id}/funds", response={201: FundEntryOut})
@api_allow(*EDITORS)
def project_fund_add(request: HttpRequest, id: ProjectId, payload: FundEntryInput) -> Status[dict[str, Any]]:
    """Record a month's funds in place for the project (201); 422 for a bad amount or month,
    or when an active entry for that month, source and kind exists (correct it instead)."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=id, action="change")
    # A JSON number is a float once parsed: the amount is read again from the body's own text.
    data = FundEntryInput.parse(_exact(request, payload, ["amount_wan"]))
    entry = services.fund_entry_add(acting_user=user, project=project, data=data)
    return Status(201, fund_out(entry))
