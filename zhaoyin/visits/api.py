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
from ninja import Field, Path, Router, Status

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import api_allow
from zhaoyin.core.fields import MAX_ID
from zhaoyin.core.outputs import IsoDate, IsoDateTime, OutSchema, Username
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.matters.models import Matter
from zhaoyin.visits import selectors, services
from zhaoyin.visits.filters import VisitFilter
from zhaoyin.visits.inputs import VisitCreateInput
from zhaoyin.visits.models import Visit

router = Router(tags=["visits"])

VisitId = Annotated[int, Path(ge=1, le=MAX_ID, description="Visit id.")]


class EnterpriseRef(OutSchema):
    id: int
    name: str
    uscc: str


class GroupRef(OutSchema):
    id: int
    code: str
    name: str


class DemandOut(OutSchema):
    """A demand of the visit, as the matter it became (read from the matter)."""

    id: int = Field(description="The matter's id")
    code: str = Field(description="The matter's code (JB<year>-<n>)")
    title: str
    kind: str
    source: str = Field(description="Always visit")
    status: str = Field(validation_alias="state", description="The matter's state now (draft when raised)")
    handle_due: IsoDate | None = Field(validation_alias="handle_deadline",
                                       description="Handling deadline once assigned, YYYY-MM-DD")


class FileOut(OutSchema):
    id: int
    name: str = Field(validation_alias="original_name")
    content_type: str
    size: int


class VisitOut(OutSchema):
    """A visit, with its participants, demands and files prefetched (``_PREFETCH``)."""

    id: int
    enterprise: EnterpriseRef
    group: GroupRef = Field(description="The service group that made the visit")
    date: IsoDate = Field(validation_alias="visited_on", description="Date of the visit, YYYY-MM-DD")
    notes: str
    participants: list[str] = Field(description="Usernames of the members who took part")
    other_participants: str
    enterprise_contact: str
    created_by: Username
    created_at: IsoDateTime
    demands: list[DemandOut] = Field(description="The matters the visit's demands became")
    files: list[FileOut]

    @staticmethod
    def resolve_participants(v: Visit) -> list[str]:
        return sorted(u.username for u in v.participants.all())

    @staticmethod
    def resolve_demands(v: Visit) -> list[Matter]:
        return [d.matter for d in v.demands.all()]


class VisitPageOut(OutSchema):
    count: int
    items: list[VisitOut]


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
    return {"count": total, "items": rows_by_ids(qs, ids)}


@router.get("/{id}", response=VisitOut)
@api_allow(selectors.READER_ROLES)
def visit_detail(request: HttpRequest, id: VisitId) -> Visit:
    """One visit; 404 when it does not exist or its enterprise lies outside the caller's scope."""
    visit = selectors.visit_get_for_user(user=request_user(request), pk=id)
    return Visit.objects.prefetch_related(*_PREFETCH).select_related("enterprise", "group", "created_by").get(
        pk=visit.pk
    )


@router.post("", response={201: VisitOut})
@api_allow(selectors.RECORDER_ROLES)
def visit_create(request: HttpRequest, payload: VisitCreateInput) -> Status[Visit]:
    """Record a visit; each demand becomes a draft matter with source visit (201)."""
    user = request_user(request)
    visit = services.visit_create(acting_user=user, data=payload)
    fresh = Visit.objects.prefetch_related(*_PREFETCH).select_related("enterprise", "group", "created_by").get(
        pk=visit.pk
    )
    return Status(201, fresh)
