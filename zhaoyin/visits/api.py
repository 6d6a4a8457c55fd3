"""API: /visits (DESIGN 5.1) — record a visit with the demands it raised, list, detail.

``POST /visits`` is for service members only (DESIGN: "by a member of a service group the
enterprise is assigned to"): any other role gets 403 before the body is read; a member
naming an enterprise outside their groups (or one that does not exist) gets 422 on
``enterprise`` with one message, so the answer reveals nothing. Each demand becomes a
matter in ``draft`` with source ``visit``; one transaction, so a bad demand writes no visit.
Demands are validated field by field and named ``demands[i].<field>``.

Reads: a visit is visible exactly when its enterprise is (out of scope → 404).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status
from pydantic import StrictInt, StrictStr

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import StrictSchema, api_allow
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.enterprises.api import MAX_ID
from zhaoyin.visits import selectors, services
from zhaoyin.visits.filters import VisitFilter
from zhaoyin.visits.models import Visit

router = Router(tags=["visits"])

VisitId = Annotated[int, Path(ge=1, le=MAX_ID, description="Visit id.")]


class EnterpriseRef(Schema):
    id: int
    name: str
    uscc: str


class GroupRef(Schema):
    id: int
    code: str
    name: str


class DemandOut(Schema):
    id: int = Field(description="The matter's id")
    code: str = Field(description="The matter's code (JB<year>-<n>)")
    title: str
    kind: str
    source: str = Field(description="Always visit")
    status: str = Field(description="The matter's state now (draft when raised)")
    handle_due: str | None = Field(description="Handling deadline once assigned, YYYY-MM-DD")


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class VisitOut(Schema):
    id: int
    enterprise: EnterpriseRef
    group: GroupRef = Field(description="The service group that made the visit")
    date: str = Field(description="Date of the visit, YYYY-MM-DD")
    notes: str
    participants: list[str] = Field(description="Usernames of the members who took part")
    other_participants: str
    enterprise_contact: str
    created_by: str | None
    created_at: str
    demands: list[DemandOut] = Field(description="The matters the visit's demands became")
    files: list[FileOut]


class VisitPageOut(Schema):
    count: int
    items: list[VisitOut]


class VisitIn(StrictSchema):
    enterprise: StrictInt = Field(description="Id of an enterprise assigned to one of the caller's service groups")
    date: StrictStr = Field(description="Date of the visit, YYYY-MM-DD, not in the future")
    notes: StrictStr = Field(description="What was found")
    participants: list[StrictStr] | None = Field(
        None, description="Usernames of other members of the enterprise's group who took part"
    )
    other_participants: StrictStr | None = Field(None, description="Others who took part (free text)")
    enterprise_contact: StrictStr | None = Field(None, description="Who received the group at the enterprise")
    demands: list[dict[str, Any]] | None = Field(
        None,
        description='Demands raised: [{"title", "description", "kind"}], kind one of consultation, coordination, '
        "talent_demand, urgent_instruction, instruction, reform; each becomes a draft matter with source visit",
    )


def visit_out(v: Visit) -> dict[str, Any]:
    """The public shape of a visit (with its participants, demands and files prefetched)."""
    return {
        "id": v.pk,
        "enterprise": {"id": v.enterprise.pk, "name": v.enterprise.name, "uscc": v.enterprise.uscc},
        "group": {"id": v.group.pk, "code": v.group.code, "name": v.group.name},
        "date": v.visited_on.isoformat(),
        "notes": v.notes,
        "participants": sorted(u.username for u in v.participants.all()),
        "other_participants": v.other_participants,
        "enterprise_contact": v.enterprise_contact,
        "created_by": v.created_by.username if v.created_by else None,
        "created_at": v.created_at.isoformat(),
        "demands": [
            {
                "id": d.matter.pk,
                "code": d.matter.code,
                "title": d.matter.title,
                "kind": d.matter.kind,
                "source": d.matter.source,
                "status": d.matter.state,
                "handle_due": d.matter.handle_deadline.isoformat() if d.matter.handle_deadline else None,
            }
            for d in v.demands.all()
        ],
        "files": [
            {"id": f.pk, "name": f.original_name, "content_type": f.content_type, "size": f.size}
            for f in v.files.all()
        ],
    }


_PREFETCH = ("participants", "demands__matter", "files")


@router.get("", response=VisitPageOut, openapi_extra=VisitFilter.openapi())
@api_allow(selectors.READER_ROLES)
def visit_list(request: HttpRequest) -> dict[str, Any]:
    """Visits of the enterprises in the caller's scope, newest first: ``{"count", "items"}``."""
    user = request_user(request)
    flt = VisitFilter.parse(request.GET)
    qs = flt.apply(selectors.visit_list_visible_to(user)).prefetch_related(*_PREFETCH)
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size])
    return {"count": total, "items": [visit_out(v) for v in rows_by_ids(qs, ids)]}


@router.get("/{id}", response=VisitOut)
@api_allow(selectors.READER_ROLES)
def visit_detail(request: HttpRequest, id: VisitId) -> dict[str, Any]:
    """One visit; 404 when it does not exist or its enterprise lies outside the caller's scope."""
    visit = selectors.visit_get_for_user(user=request_user(request), pk=id)
    return visit_out(Visit.objects.prefetch_related(*_PREFETCH).select_related("enterprise", "group", "created_by")
                     .get(pk=visit.pk))


@router.post("", response={201: VisitOut})
@api_allow(selectors.RECORDER_ROLES)
def visit_create(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    """Record a visit; each demand becomes a draft matter with source visit (201)."""
    user = request_user(request)
    visit = services.visit_create(
        acting_user=user,
        enterprise=payload.enterprise,
        date=payload.date,
        notes=payload.notes,
        participants=payload.participants,
        other_participants=payload.other_participants or "",
        enterprise_contact=payload.enterprise_contact or "",
        demands=payload.demands,
    )
    fresh = Visit.objects.prefetch_related(*_PREFETCH).select_related("enterprise", "group", "created_by").get(
        pk=visit.pk
    )
    return Status(201, visit_out(fresh))
