"""API of the subsidy applications (人才补贴申请, issue 13 item 9), mounted at ``/api/v1`` with
full paths (``config.api.ROUTERS``):

- the talent: ``GET /me/subsidy-applications`` (their own, latest first), ``POST
  /me/subsidy-applications {"policy","statement"}`` → 201, ``POST
  /me/subsidy-applications/{id}/actions/{withdraw|resubmit}`` — no internal note, no reviewer;
- staff: ``GET /subsidy-applications?state=&policy=&unit=&q=&order=&page=&page_size=`` →
  ``{"count","items"}`` (the talents of their scope), ``GET /subsidy-applications/{id}``,
  ``POST /subsidy-applications {"policy","talent","statement"}`` → 201 (on a talent's behalf),
  ``POST /subsidy-applications/{id}/actions/{accept|return|reject|resubmit|withdraw}``
  (``accept`` starts the schedule: ``first_period``, default the current month or year).

Errors as everywhere: 422 names the field (``policy``: ineligible with the unmet conditions;
``talent``: not eligible now, on accept; ``reason``), 409 an open application or a policy in
the ledger (naming ``policy``), a stale version or a step the state does not allow, 403 a role
or scope that may not act, 404 out of scope. Documents are uploaded on the pages (multipart).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Router, Status

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.fields import MAX_ID, OrgUnitRef
from zhaoyin.core.outputs import IsoDateTime, OutSchema, Username
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.core.roles import Role
from zhaoyin.payouts import application_selectors as selectors
from zhaoyin.payouts import applications
from zhaoyin.payouts.filters import SubsidyApplicationFilter
from zhaoyin.payouts.inputs import SubsidyApplicationActionInput, SubsidyApplyInput
from zhaoyin.payouts.models import SubsidyApplication

router = Router(tags=["subsidy applications"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Application id.")]
State = Literal["submitted", "returned", "accepted", "rejected", "withdrawn"]
ActionName = Literal["accept", "return", "reject", "resubmit", "withdraw"]
PortalActionName = Literal["resubmit", "withdraw"]
assert set(ActionName.__args__) == set(applications.ACTIONS)  # type: ignore[attr-defined]
assert set(PortalActionName.__args__) == set(applications.PORTAL_ACTIONS)  # type: ignore[attr-defined]
_REVIEWERS = [Role(r) for r in applications.REVIEWER_ROLES]


class SubsidyPolicyRef(OutSchema):
    id: int
    title: str


class SubsidyTalentRef(OutSchema):
    id: int
    name: str
    org_unit: OrgUnitRef


class SubsidyApplicationFileOut(OutSchema):
    id: int
    original_name: str
    content_type: str
    size: int


class PortalSubsidyApplicationOut(OutSchema):
    """An application as its talent sees it: no internal note, no reviewer."""

    id: int
    policy: SubsidyPolicyRef
    state: State
    statement: str
    applied_at: IsoDateTime
    reason: str = Field(description="What to complete (returned) or why not (rejected)")
    first_period: str = Field(description="The schedule's first period, once accepted; '' before")
    decided_at: IsoDateTime | None
    updated_at: IsoDateTime
    files: list[SubsidyApplicationFileOut]
    version: int = Field(description="Send it back with an action to detect a concurrent change (409)")

    @staticmethod
    def resolve_files(obj: SubsidyApplication) -> list[Any]:
        return list(obj.files.all())


class SubsidyApplicationOut(PortalSubsidyApplicationOut):
    """An application as the reviewers see it (the internal note included)."""

    talent: SubsidyTalentRef
    verdict: Literal["eligible", "possible", ""] = Field(description="The policy's verdict when applying")
    staff_note: str = Field(description="Internal, never shown to the talent")
    applied_by: Username
    decided_by: Username


class SubsidyApplicationPageOut(OutSchema):
    count: int = Field(description="The number of applications that match")
    items: list[SubsidyApplicationOut]


def _staff_view(user: Any, pk: int) -> SubsidyApplication:
    return selectors.application_get_for_user(user=user, pk=pk)


# ---- the talent -----------------------------------------------------------------------------------


@router.get("/me/subsidy-applications", response=list[PortalSubsidyApplicationOut])
@api_allow(Role.TALENT)
def my_applications(request: HttpRequest) -> list[SubsidyApplication]:
    """The signed-in talent's own subsidy applications, latest first."""
    return list(selectors.portal_applications(request_user(request)))


@router.post("/me/subsidy-applications", response={201: PortalSubsidyApplicationOut, 409: ErrorOut})
@api_allow(Role.TALENT)
def my_apply(request: HttpRequest, payload: SubsidyApplyInput) -> Status[SubsidyApplication]:
    """Apply for a talent policy's subsidy for oneself (``talent``: none, or one's own id).
    422 naming ``policy`` when it takes no application or the talent does not meet it (a
    *possible* verdict is accepted), ``talent`` when the account has no record; 409 naming
    ``policy`` when an application for it is open or it is in the ledger already."""
    user = request_user(request)
    created = applications.subsidy_apply(acting_user=user, data=payload)
    return Status(201, selectors.portal_application_get(user=user, pk=created.pk))


@router.post(
    "/me/subsidy-applications/{id}/actions/{action}", response={200: PortalSubsidyApplicationOut, 409: ErrorOut}
)
@api_allow(Role.TALENT)
def my_action(
    request: HttpRequest, id: Id, action: Annotated[PortalActionName, Path(description="resubmit or withdraw")],
    payload: SubsidyApplicationActionInput,
) -> SubsidyApplication:
    """Resubmit a returned application or withdraw an open one (409 from another state);
    another talent's application is 404."""
    user = request_user(request)
    application = selectors.portal_application_get(user=user, pk=id)
    applications.subsidy_application_transition(acting_user=user, application=application, action=action,
                                                 data=payload)
    return selectors.portal_application_get(user=user, pk=id)


# ---- staff ----------------------------------------------------------------------------------------


@router.get("/subsidy-applications", response=SubsidyApplicationPageOut,
            openapi_extra=SubsidyApplicationFilter.openapi())
@api_allow(selectors.APPLICATION_READERS)
def application_list(request: HttpRequest) -> dict[str, Any]:
    """Applications of the talents in the caller's scope, newest first by default."""
    flt = SubsidyApplicationFilter.parse(request.GET)
    qs = flt.apply(selectors.application_list_visible_to(request_user(request)))
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size]) if start < total else []
    return {"count": total, "items": rows_by_ids(qs.select_related("applied_by", "decided_by")
                                                 .prefetch_related("files"), ids)}


@router.post("/subsidy-applications", response={201: SubsidyApplicationOut, 409: ErrorOut})
@api_allow(*_REVIEWERS)
def application_create(request: HttpRequest, payload: SubsidyApplyInput) -> Status[SubsidyApplication]:
    """Apply on behalf of a talent of the caller's scope (``talent`` required; unknown or out of
    scope → 422 naming it); otherwise as ``POST /me/subsidy-applications``."""
    user = request_user(request)
    created = applications.subsidy_apply(acting_user=user, data=payload)
    return Status(201, _staff_view(user, created.pk))


@router.get("/subsidy-applications/{id}", response=SubsidyApplicationOut)
@api_allow(selectors.APPLICATION_READERS)
def application_detail(request: HttpRequest, id: Id) -> SubsidyApplication:
    """One application; 404 outside the caller's scope."""
    return _staff_view(request_user(request), id)


@router.post("/subsidy-applications/{id}/actions/{action}", response={200: SubsidyApplicationOut, 409: ErrorOut})
@api_allow(*_REVIEWERS)
def application_action(
    request: HttpRequest, id: Id,
    action: Annotated[ActionName, Path(description="accept, return, reject, resubmit or withdraw")],
    payload: SubsidyApplicationActionInput,
) -> SubsidyApplication:
    """Take an action of the table. ``accept`` starts the policy's schedule for the talent in the
    same transaction (a talent not eligible now → 422 naming ``talent`` with the unmet
    conditions; periods already in the ledger → 409; nothing changes on either); ``return`` and
    ``reject`` need ``reason``; 403 for a role or scope that may not take the step."""
    user = request_user(request)
    application = _staff_view(user, id)
    applications.subsidy_application_transition(acting_user=user, application=application, action=action,
                                                 data=payload)
    return _staff_view(user, id)
