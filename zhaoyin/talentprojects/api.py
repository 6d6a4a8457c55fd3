"""API: /talent-projects (人才项目申报, issue 13 item 6) — list, rounds, detail, apply, and one
operation per action of the table (``POST /talent-projects/{id}/actions/<action>``).

Readers: the city-wide roles and the talent office (all), unit roles (their subtree), a
talent (their own, read only). Registering and recommending: unit roles, the talent office,
the city admin; approving and funding: the talent office and the city admin. Amounts are 万元
as decimal strings. An out-of-scope project answers 404 as an unknown one; a talent out of
the caller's talent scope answers 422 naming ``talent`` as an unknown one.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Status

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.fields import exact_amounts
from zhaoyin.core.inputs import Input
from zhaoyin.core.outputs import DecimalText, IsoDate, OutSchema
from zhaoyin.talentprojects import flow, selectors, services
from zhaoyin.talentprojects.filters import TalentProjectFilter
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
    TalentProjectInput,
)
from zhaoyin.talentprojects.inputs import (
    TalentProjectReasonInput as ReasonInput,
)
from zhaoyin.talentprojects.models import ProgrammeRound, TalentProject

router = Router(tags=["talent-projects"])

MAX_ID = 2**63 - 1
ProjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="Talent project id.")]
AMOUNTS = ["requested_wan", "approved_wan", "amount_wan"]


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
