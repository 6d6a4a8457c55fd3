"""API: /talent-projects (人才项目申报, issue 13 item 6) — list, rounds, detail, apply, and one
operation per action of the table (``POST /talent-projects/{id}/actions/<action>``); the
programmes and their rounds (``/talent-projects/programmes``, ``/talent-projects/rounds/{id}``:
read by the staff who read projects, written by the talent office and the city admin, PATCH
with the version read, 409 when stale or when the programme is inactive); the talent's own
applications (``/me/talent-projects``, ``me_router``: no internal field), which they may
withdraw while applied or recommended (``POST /me/talent-projects/{id}/actions/withdraw``).

Readers: the city-wide roles and the talent office (all), unit roles (their subtree), a
talent (their own, read only). Registering and recommending: unit roles, the talent office,
the city admin; approving and funding: the talent office and the city admin. Amounts are 万元
as decimal strings. An out-of-scope project answers 404 as an unknown one; a talent out of
the caller's talent scope answers 422 naming ``talent`` as an unknown one.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Status

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.errors import Conflict
from zhaoyin.core.fields import exact_amounts
from zhaoyin.core.inputs import Input
from zhaoyin.core.outputs import DecimalText, IsoDate, OutSchema
from zhaoyin.core.roles import Role
from zhaoyin.talentprojects import flow, selectors, services
from zhaoyin.talentprojects.filters import TalentProjectFilter
from zhaoyin.talentprojects.inputs import (
    PortalApplicationInput,
    PortalWithdrawInput,
    ProgrammeInput,
    ProgrammeUpdateInput,
    RoundInput,
    RoundUpdateInput,
    TalentProjectInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectApproveInput as ApproveInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectDecisionInput as DecisionInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectFundInput as FundInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectReasonInput as ReasonInput,
)
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject
from zhaoyin.talents.selectors import own_talent

router = Router(tags=["talent-projects"])
#: The talent's own applications, mounted at /me/talent-projects.
me_router = Router(tags=["talent-projects"])

MAX_ID = 2**63 - 1
ProjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="Talent project id.")]
ProgrammeId = Annotated[int, Path(ge=1, le=MAX_ID, description="Programme id.")]
RoundId = Annotated[int, Path(ge=1, le=MAX_ID, description="Round id.")]
AMOUNTS = ["requested_wan", "approved_wan", "amount_wan", "max_funding_wan"]


class TalentProjectRoundOut(OutSchema):
    id: int
    programme: str = Field(validation_alias="programme.code", description="The programme's code")
    programme_name: str = Field(validation_alias="programme.name")
    level: str = Field(validation_alias="programme.level", description="national, province or city")
    year: int
    name: str
    opens_on: IsoDate
    closes_on: IsoDate


class TalentProjectFundOut(OutSchema):
    paid_on: IsoDate
    amount_wan: DecimalText = Field(description="万元")
    note: str


class TalentProjectOut(OutSchema):
    id: int
    round: int = Field(validation_alias="round_id", description="Round id")
    round_name: str = Field(validation_alias="round.name")
    year: int = Field(validation_alias="round.year")
    programme: str = Field(validation_alias="round.programme.code", description="The programme's code")
    programme_name: str = Field(validation_alias="round.programme.name")
    talent: int = Field(validation_alias="talent_id", description="Talent id")
    talent_name: str = Field(validation_alias="talent.name")
    employer_name: str = Field(description="The employer when applying")
    org_unit: str = Field(validation_alias="org_unit.code", description="Org unit code (the talent's when applying)")
    title: str
    summary: str
    requested_wan: DecimalText = Field(description="万元")
    approved_wan: DecimalText | None = Field(description="万元, set by 立项")
    funded_wan: DecimalText = Field(description="万元, the sum of the disbursements")
    state: str = Field(description="applied, recommended, approved, funded, declined or withdrawn")
    applied_on: IsoDate
    recommended_on: IsoDate | None
    approved_on: IsoDate | None
    decided_on: IsoDate | None = Field(description="When declined or withdrawn")
    reason: str = Field(description="Why declined or withdrawn")
    version: int
    allowed_actions: list[str] = Field(description="The actions the caller may take now")

    @staticmethod
    def resolve_allowed_actions(p: TalentProject, context: dict[str, Any]) -> list[str]:
        return [a.value for a in selectors.allowed_actions(request_user(context["request"]), p)]


class TalentProjectDetailOut(TalentProjectOut):
    funds: list[TalentProjectFundOut] = Field(description="The disbursements, by date")

    @staticmethod
    def resolve_funds(p: TalentProject) -> list[Any]:
        return list(p.funds.order_by("paid_on", "pk"))


class TalentProjectPageOut(OutSchema):
    count: int
    items: list[TalentProjectOut]


class TalentProjectRoundListOut(OutSchema):
    items: list[TalentProjectRoundOut]


class ProgrammeRoundOut(OutSchema):
    """A round as its programme lists it (with its version, for PATCH)."""

    id: int
    programme: int = Field(validation_alias="programme_id", description="Programme id")
    year: int
    name: str
    opens_on: IsoDate
    closes_on: IsoDate
    version: int = Field(description="Send it back with PATCH to detect a concurrent change (409)")


class ProgrammeOut(OutSchema):
    id: int
    code: str
    name: str
    level: str = Field(description="national, province or city")
    sponsor: str = Field(description="The sponsoring department")
    max_funding_wan: DecimalText | None = Field(description="万元 per project; null: no cap")
    is_active: bool = Field(description="Whether its rounds take applications")
    version: int = Field(description="Send it back with PATCH to detect a concurrent change (409)")


class ProgrammeDetailOut(ProgrammeOut):
    rounds: list[ProgrammeRoundOut] = Field(description="Its rounds, newest first")

    @staticmethod
    def resolve_rounds(p: Programme) -> list[Any]:
        return list(selectors.programme_rounds(p))


class ProgrammeListOut(OutSchema):
    items: list[ProgrammeOut]


class PortalTalentProjectFundOut(OutSchema):
    paid_on: IsoDate
    amount_wan: DecimalText = Field(description="万元")


class PortalTalentProjectOut(OutSchema):
    """An application as its talent sees it: no unit, no registering or deciding user, no
    disbursement notes; the reason of a decline or withdrawal is the decision's stated one."""

    id: int
    round: int = Field(validation_alias="round_id", description="Round id")
    round_name: str = Field(validation_alias="round.name")
    year: int = Field(validation_alias="round.year")
    programme: str = Field(validation_alias="round.programme.code", description="The programme's code")
    programme_name: str = Field(validation_alias="round.programme.name")
    employer_name: str = Field(description="The employer when applying")
    title: str
    summary: str
    requested_wan: DecimalText = Field(description="万元")
    approved_wan: DecimalText | None = Field(description="万元, set by 立项")
    funded_wan: DecimalText = Field(description="万元, the sum of the disbursements")
    state: str = Field(description="applied, recommended, approved, funded, declined or withdrawn")
    applied_on: IsoDate
    recommended_on: IsoDate | None
    approved_on: IsoDate | None
    decided_on: IsoDate | None = Field(description="When declined or withdrawn")
    reason: str = Field(description="Why declined or withdrawn")
    funds: list[PortalTalentProjectFundOut] = Field(description="The disbursements, by date")

    @staticmethod
    def resolve_funds(p: TalentProject) -> list[Any]:
        return list(p.funds.order_by("paid_on", "pk"))


def _exact(request: HttpRequest, payload: Input) -> dict[str, Any]:
    """The fields sent, amounts sent as JSON numbers read again from the body's own text."""
    return exact_amounts(request, payload.model_dump(exclude_unset=True), AMOUNTS)


def _detail(user: User, pk: int) -> TalentProject:
    return selectors.project_get_for_user(user=user, pk=pk)


@router.get("", response=TalentProjectPageOut, openapi_extra=TalentProjectFilter.openapi())
@api_allow(selectors.READER_ROLES)
def talent_project_list(request: HttpRequest) -> dict[str, Any]:
    """Talent projects in the caller's scope, filtered and paged: ``{"count", "items"}``."""
    user = request_user(request)
    flt = TalentProjectFilter.parse(request.GET)
    qs = flt.apply(selectors.project_list_visible_to(user)).order_by("-applied_on", "-pk")
    start = (flt.page - 1) * flt.page_size
    return {"count": qs.count(), "items": list(qs[start : start + flt.page_size])}


@router.get("/rounds", response=TalentProjectRoundListOut)
@api_allow(selectors.READER_ROLES)
def talent_project_rounds(request: HttpRequest) -> dict[str, list[ProgrammeRound]]:
    """The rounds of the active programmes (the ``round`` an application names), newest first."""
    return {"items": list(selectors.round_list())}


@router.get("/programmes", response=ProgrammeListOut)
@api_allow(selectors.PROGRAMME_READER_ROLES)
def talent_programme_list(request: HttpRequest) -> dict[str, list[Programme]]:
    """Every talent programme, active first (not scoped: programme information)."""
    return {"items": list(selectors.programme_list())}


@router.post("/programmes", response={201: ProgrammeDetailOut})
@api_allow(selectors.PROGRAMME_EDITOR_ROLES)
def talent_programme_create(request: HttpRequest, payload: ProgrammeInput) -> Status[Programme]:
    """A new programme; a code already used → 422 ``code``."""
    data = ProgrammeInput.parse(_exact(request, payload))
    programme = services.programme_create(acting_user=request_user(request), data=data)
    return Status(201, selectors.programme_get(pk=programme.pk))


@router.get("/programmes/{id}", response=ProgrammeDetailOut)
@api_allow(selectors.PROGRAMME_READER_ROLES)
def talent_programme_detail(request: HttpRequest, id: ProgrammeId) -> Programme:
    """One programme with its rounds."""
    return selectors.programme_get(pk=id)


@router.patch("/programmes/{id}", response={200: ProgrammeDetailOut, 409: ErrorOut})
@api_allow(selectors.PROGRAMME_EDITOR_ROLES)
def talent_programme_update(request: HttpRequest, id: ProgrammeId, payload: ProgrammeUpdateInput) -> Programme:
    """Change the fields sent (not the code); ``max_funding_wan`` null removes the cap. With
    ``version``, a change made meanwhile → 409."""
    programme = selectors.programme_get(pk=id)
    data = ProgrammeUpdateInput.parse(_exact(request, payload))
    services.programme_update(acting_user=request_user(request), programme=programme, data=data)
    return selectors.programme_get(pk=id)


@router.post("/programmes/{id}/rounds", response={201: ProgrammeRoundOut, 409: ErrorOut})
@api_allow(selectors.PROGRAMME_EDITOR_ROLES)
def talent_round_create(request: HttpRequest, id: ProgrammeId, payload: RoundInput) -> Status[ProgrammeRound]:
    """A new round of the programme; 409 when the programme is inactive."""
    programme = selectors.programme_get(pk=id)
    rnd = services.round_create(acting_user=request_user(request), programme=programme, data=payload)
    return Status(201, selectors.round_get(pk=rnd.pk))


@router.patch("/rounds/{id}", response={200: ProgrammeRoundOut, 409: ErrorOut})
@api_allow(selectors.PROGRAMME_EDITOR_ROLES)
def talent_round_update(request: HttpRequest, id: RoundId, payload: RoundUpdateInput) -> ProgrammeRound:
    """Change the fields sent; the window must still hold the round's applications (422 naming
    the date); 409 when the programme is inactive or ``version`` is stale."""
    rnd = selectors.round_get(pk=id)
    services.round_update(acting_user=request_user(request), round=rnd, data=payload)
    return selectors.round_get(pk=id)


@router.get("/{id}", response=TalentProjectDetailOut)
@api_allow(selectors.READER_ROLES)
def talent_project_detail(request: HttpRequest, id: ProjectId) -> TalentProject:
    """One talent project with its disbursements."""
    return _detail(request_user(request), id)


@router.post("", response={201: TalentProjectDetailOut})
@api_allow(selectors.EDITOR_ROLES)
def talent_project_create(request: HttpRequest, payload: TalentProjectInput) -> Status[TalentProject]:
    """申报: a talent's application in a round (``applied``)."""
    user = request_user(request)
    project = services.project_create(acting_user=user, data=TalentProjectInput.parse(_exact(request, payload)))
    return Status(201, _detail(user, project.pk))


def _action_operation(action: flow.Action, schema: type[Input], summary: str) -> None:
    _input, call = services.ACTION_SERVICES[action]

    def operation(request: HttpRequest, id: int, payload: Any) -> TalentProject:
        user = request_user(request)
        project = selectors.project_get_for_user(user=user, pk=id, action=action.value)
        data = schema.parse(_exact(request, payload))
        call(acting_user=user, project=project, data=data)
        return _detail(user, id)

    operation.__name__ = operation.__qualname__ = f"talent_project_{action.value}"
    operation.__doc__ = (
        summary + "\n\nAnswers the project as ``GET /talent-projects/{id}`` does; 409 when its state does not allow "
        "the action or the version is stale, 403 for a role the table does not name, 422 naming the field."
    )
    operation.__annotations__ = {"request": HttpRequest, "id": ProjectId, "payload": schema, "return": TalentProject}
    router.post(
        f"/{{id}}/actions/{action.value}", response={200: TalentProjectDetailOut, 409: ErrorOut},
        operation_id=f"talent_project_{action.value}", summary=summary,
    )(api_allow(selectors.ACTOR_ROLES)(operation))


_SUMMARIES: dict[flow.Action, tuple[type[Input], str]] = {
    flow.Action.RECOMMEND: (DecisionInput, "推荐: the unit recommends the application."),
    flow.Action.NOT_RECOMMEND: (ReasonInput, "未推荐: the unit does not recommend it, with a reason."),
    flow.Action.APPROVE: (ApproveInput, "立项: the talent office approves it with an amount (万元)."),
    flow.Action.REJECT: (ReasonInput, "不予立项: the talent office declines it, with a reason."),
    flow.Action.FUND: (FundInput, "资金拨付: one disbursement (万元) of the approved amount."),
    flow.Action.WITHDRAW: (ReasonInput, "撤回: the application is withdrawn, with a reason."),
}
for _action, (_schema, _summary) in _SUMMARIES.items():
    _action_operation(_action, _schema, _summary)


@router.post("/{id}/actions/{action}", response={404: ErrorOut})
@api_allow(selectors.ACTOR_ROLES)
def talent_project_action_unknown(request: HttpRequest, id: ProjectId, action: str) -> Status[dict[str, Any]]:
    """Any other action name: 404 naming ``action`` (nothing is read or changed)."""
    names = ", ".join(a.value for a in flow.Action)
    message = _("Unknown action. Choose one of: %(actions)s.") % {"actions": names}
    return Status(404, {"detail": message, "errors": [{"field": "action", "message": message}]})


# ---- the talent portal: /me/talent-projects ---------------------------------------------------


@me_router.get("", response=list[PortalTalentProjectOut])
@api_allow(Role.TALENT)
def my_talent_projects(request: HttpRequest) -> list[TalentProject]:
    """The signed-in talent's own applications, latest first."""
    return list(selectors.portal_projects(request_user(request)))


@me_router.get("/rounds", response=TalentProjectRoundListOut)
@api_allow(Role.TALENT)
def my_open_rounds(request: HttpRequest) -> dict[str, list[ProgrammeRound]]:
    """The rounds open for applications today (opens_on ≤ today ≤ closes_on)."""
    return {"items": list(selectors.open_rounds(timezone.localdate()))}


@me_router.post("", response={201: PortalTalentProjectOut, 409: ErrorOut})
@api_allow(Role.TALENT)
def my_talent_project_apply(request: HttpRequest, payload: PortalApplicationInput) -> Status[TalentProject]:
    """申报 for oneself in an open round: the talent and employer are the caller's own record's,
    the date today. 422 naming ``round`` (unknown, not open, already applied in) or
    ``requested_wan`` (above the programme's cap); 409 when the account is not linked to a
    talent record."""
    from zhaoyin.talentprojects.portal import apply_for_self

    user = request_user(request)
    talent = own_talent(user)
    if talent is None:
        raise Conflict(_("Your account is not linked to a talent record yet; ask the talent office."))
    data = PortalApplicationInput.parse(_exact(request, payload))
    project = apply_for_self(user=user, talent=talent, data=data)
    return Status(201, selectors.portal_project_get(user=user, pk=project.pk))


@me_router.get("/{id}", response=PortalTalentProjectOut)
@api_allow(Role.TALENT)
def my_talent_project(request: HttpRequest, id: ProjectId) -> TalentProject:
    """One of the talent's own applications; another's → 404."""
    return selectors.portal_project_get(user=request_user(request), pk=id)


@me_router.post("/{id}/actions/withdraw", response={200: PortalTalentProjectOut, 409: ErrorOut},
                operation_id="my_talent_project_withdraw")
@api_allow(Role.TALENT)
def my_talent_project_withdraw(request: HttpRequest, id: ProjectId, payload: PortalWithdrawInput) -> TalentProject:
    """撤回 one's own application with a reason (dated today) while it is applied or recommended.
    Another talent's → 404; another state or a stale ``version`` → 409; no reason → 422 naming
    ``reason``. Answers the application as ``GET /me/talent-projects/{id}`` does."""
    from zhaoyin.talentprojects.portal import withdraw_own

    user = request_user(request)
    project = selectors.portal_project_get(user=user, pk=id)
    withdraw_own(user=user, project=project, data=PortalWithdrawInput.parse(_exact(request, payload)))
    return selectors.portal_project_get(user=user, pk=id)
