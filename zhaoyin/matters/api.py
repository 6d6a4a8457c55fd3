"""API: /matters (DESIGN 5.1) — list, detail, notices, register, edit a draft, the actions, the
flowchart.

Handlers parse, fetch through the selectors (out of scope → 404; no relation the transition
table grants the action to → 403, audited), call one service and shape the answer; the
services answer 409 for an action the matter's state does not allow and 422 naming the field
for bad input, before anything is written. Input schemas are strict (unknown fields → 422).

The actions are one operation each, ``POST /matters/{id}/actions/<action>``, so each has its
own strict body in the OpenAPI document. Their names are DESIGN 5.1's: the flow's
``request_extension`` is ``extend`` and its ``answer_extension`` is ``extend_approve`` /
``extend_refuse``. An action that does not exist answers **404** naming ``action`` (the
action is part of the resource path; the body is not read and nothing changes).

``GET /matters/flowchart.svg`` is declared before ``GET /matters/{id}``: ``{id}`` would
otherwise capture it (any new fixed path under /matters must come before it too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict, WithJsonSchema

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.fields import MAX_ID
from zhaoyin.core.inputs import Input
from zhaoyin.core.outputs import IsoDate, IsoDateTime, OutSchema, Username
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.core.roles import MATTER_ROLES
from zhaoyin.matters import clocks, flow, inputs, kpis, selectors, services, supervision_docs, swimlanes
from zhaoyin.matters.filters import MatterFilter, matter_alert, matter_stale
from zhaoyin.matters.flow import Action
from zhaoyin.matters.models import ExtensionRequest, Matter, MatterEvent
from zhaoyin.matters.scan import notices_for
from zhaoyin.workcalendar.selectors import current_calendar

router = Router(tags=["matters"])

#: Who reads matters (scope still applies: a unit its subtree, a requester their own).
READ_ROLES = MATTER_ROLES
#: Who registers matters (the services' own list).
CREATE_ROLES = services.CREATOR_ROLES
#: Who may try an action: the relation to the matter decides (flow.TABLE), so the role
#: check only keeps the 三员 out; a leader's only actions are list/unlist.
ACTION_ROLES = MATTER_ROLES

MatterId = Annotated[int, Path(ge=1, le=MAX_ID, description="Matter id.")]

#: The public names of each flow action (DESIGN 5.1 names the extension steps differently).
#: A row only the system takes (``dispute``, after a 不满意 rating) has no public name.
ACTION_NAMES: dict[Action, tuple[str, ...]] = {
    a: (a.value,) for a in Action
    if a not in (Action.REQUEST_EXTENSION, Action.ANSWER_EXTENSION) and flow.TABLE[a].manual
} | {Action.REQUEST_EXTENSION: ("extend",), Action.ANSWER_EXTENSION: ("extend_approve", "extend_refuse")}
#: Public action name → the flow action it takes.
API_ACTIONS: dict[str, Action] = {name: action for action, names in ACTION_NAMES.items() for name in names}


# ---- output ---------------------------------------------------------------------------------


class UnitRef(OutSchema):
    id: int
    code: str
    name: str


class EventFileOut(OutSchema):
    id: int
    name: str = Field(validation_alias="original_name")
    content_type: str
    size: int


class EventOut(OutSchema):
    id: int
    action: str = Field(description="The action taken (create, assign, accept … recompute)")
    from_: str = Field(validation_alias="from_state", serialization_alias="from",
                       description="The state before ('' for the registration)")
    to: str = Field(validation_alias="to_state", description="The state after")
    by: Username = Field(validation_alias="actor", description="Username of the actor (None: the system)")
    at: IsoDateTime
    reason: str
    note: str
    data: dict[str, Any] = Field(description="The step's details (suggested unit, new deadline, rating …)")
    files: list[EventFileOut]

    @staticmethod
    def resolve_data(e: MatterEvent) -> dict[str, Any]:
        return e.data or {}


class ExtensionOut(OutSchema):
    id: int
    requested_by: Username
    requested_at: IsoDateTime
    current_deadline: IsoDate
    requested_deadline: IsoDate
    reason: str


#: Where a request keeps the day and the calendar its matters' alerts are judged by.
_ALERT_CLOCK_ATTR = "zhaoyin_matter_alert_clock"


def judge_alerts_on(request: HttpRequest, today: dt.date) -> None:
    """Judge the alerts of this request's answer on ``today`` (the day its list was filtered by)."""
    setattr(request, _ALERT_CLOCK_ATTR, (today, current_calendar()))


def _alert_clock(context: dict[str, Any]) -> tuple[dt.date, Any]:
    """The day and calendar of the request being answered, read once per request."""
    request = context["request"]
    clock = getattr(request, _ALERT_CLOCK_ATTR, None)
    if clock is None:
        judge_alerts_on(request, clocks.today())
        clock = getattr(request, _ALERT_CLOCK_ATTR)
    return clock  # type: ignore[no-any-return]


class MatterOut(OutSchema):
    id: int
    code: str
    title: str
    kind: str
    source: str
    status: str = Field(validation_alias="state",
                        description="The state: draft, assigned, accepted, reported, closed, rated, returned, "
                                    "cancelled, disputed (a dissatisfied rating the dispatcher verifies)")
    lead_unit: UnitRef | None
    co_units: list[UnitRef]
    dispatcher_unit: UnitRef | None
    enterprise: int | None = Field(validation_alias="enterprise_id",
                                   description="Id of the enterprise the matter concerns")
    project: int | None = Field(validation_alias="project_id", description="Id of the project the matter concerns")
    talent: int | None = Field(validation_alias="talent_id", description="Id of the talent a talent demand serves")
    demand_category: str = Field(
        description="A talent demand's category (housing, schooling, spouse_employment, project_application, "
                    "medical, other; '' for other matters)"
    )
    requester_name: str
    received_on: IsoDate | None = Field(description="收文日期, YYYY-MM-DD; the clocks count from the next day")
    sign_due: IsoDate | None = Field(validation_alias="sign_deadline",
                                     description="Sign-for deadline, YYYY-MM-DD (ends at the close of the day, "
                                                 "Asia/Shanghai)")
    handle_due: IsoDate | None = Field(validation_alias="handle_deadline", description="Handling deadline, YYYY-MM-DD")
    handle_days: int | None
    alert: str = Field(description="normal, approaching or overdue: the open clock judged today")
    provisional: bool = Field(validation_alias="deadlines_provisional",
                              description="A deadline crosses a year without official holiday data")
    listed: bool = Field(description="Listed for supervision by a leader (挂牌督办)")
    listed_leader: Username = Field(description="The supervising leader of a listed matter (username)")
    listed_deadline: IsoDate | None = Field(description="限期 of a listed matter, YYYY-MM-DD")
    stale: bool = Field(
        description="进展滞后 (yellow): in progress without a progress report for the configured working days"
    )
    rating: str = Field(description="The requester's rating (回访): satisfied, basically_satisfied, dissatisfied "
                                    "or ''")
    assessment: str = Field(description="The dispatcher's assessment (考核) of an internal task (reform measure, "
                                        "meeting decision): satisfied, basically_satisfied, dissatisfied or ''; "
                                        "never counted in 满意率")
    instructing_leader: Username = Field(description="Username of the leader whose instruction a "
                                                     "leader_instruction matter is (None: not one)")
    version: int
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_co_units(m: Matter) -> list[OrgUnit]:
        # A list's rows come with their co-units prefetched in order (``_page``).
        return list(m.co_units.all())

    @staticmethod
    def resolve_alert(m: Matter, context: dict[str, Any]) -> str:
        today, calendar = _alert_clock(context)
        return matter_alert(m, today, calendar)

    @staticmethod
    def resolve_stale(m: Matter, context: dict[str, Any]) -> bool:
        today, calendar = _alert_clock(context)
        return matter_stale(m, today, calendar)


class MatterDetailOut(MatterOut):
    """A matter with what the caller may do now, the pending extension and the history."""

    description: str
    talent_name: str | None = Field(
        description="The linked talent's name: in full for a caller who may read the talent's record, masked "
                    "for the others who see the matter (null: no talent linked)"
    )
    allowed_actions: list[str] = Field(description="The actions the caller may take now")
    pending_extension: ExtensionOut | None
    events: list[EventOut] = Field(description="The transition history, oldest first")

    @staticmethod
    def resolve_co_units(m: Matter) -> list[OrgUnit]:
        return selectors.matter_co_units(m)

    @staticmethod
    def resolve_talent_name(m: Matter, context: dict[str, Any]) -> str | None:
        return selectors.matter_talent_name(request_user(context["request"]), m)

    @staticmethod
    def resolve_allowed_actions(m: Matter, context: dict[str, Any]) -> list[str]:
        return public_actions(selectors.allowed_actions(request_user(context["request"]), m))

    @staticmethod
    def resolve_pending_extension(m: Matter) -> ExtensionRequest | None:
        return selectors.pending_extension(m)

    @staticmethod
    def resolve_events(m: Matter) -> list[MatterEvent]:
        return selectors.matter_events(m)


class MatterPageOut(OutSchema):
    count: int = Field(description="The number of matches; with count_capped, a lower bound")
    count_capped: bool = Field(
        False, description="A search found more matches than it counts (10 000): count is 10 001"
    )
    items: list[MatterOut]


class NoticeOut(OutSchema):
    id: int
    kind: str = Field(description="remind (approaching), urge (催办), supervise (督办) or listed (挂牌督办)")
    clock: str = Field(description="sign_for or handling ('' for listed)")
    deadline: IsoDate = Field(description="The deadline the notice is about (listed: the day of listing)")
    due_on: IsoDate = Field(description="The day the notice became due")
    issued_at: IsoDateTime
    lead_unit: UnitRef | None = Field(description="The lead unit when it was issued")
    by: Username = Field(validation_alias="issued_by",
                         description="Who issued a 催办 / 督办 by hand (null: the escalation scan)")
    note: str = Field(description="The note of a notice issued by hand")


class NoticePageOut(OutSchema):
    count: int
    items: list[NoticeOut]


def public_actions(actions: list[Action]) -> list[str]:
    """Flow actions → their API names, in the table's order."""
    return [name for a in actions for name in ACTION_NAMES[a]]


def _detail(user: User, pk: int) -> Matter:
    """The matter as the caller sees it now (MatterDetailOut reads the rest through the selectors)."""
    return selectors.matter_get_for_user(user=user, pk=pk)


def _page(qs: QuerySet[Matter], total: int, page: int, page_size: int) -> list[Matter]:
    """One page of a list of ``total`` rows; the page's ids are read first (cheap on deep
    pages), then the rows with their co-units in one more query."""
    start = (page - 1) * page_size
    if start >= total:
        return []
    ids = list(qs.values_list("pk", flat=True)[start : start + page_size])
    with_co_units = qs.prefetch_related(Prefetch("co_units", queryset=OrgUnit.objects.order_by("path")))
    return rows_by_ids(with_co_units, ids)


# ---- input ----------------------------------------------------------------------------------


# The bodies of registration, draft edits and the actions are the use cases' own input
# models (zhaoyin.matters.inputs): the same verdict per value as the pages give.


# ---- operations -----------------------------------------------------------------------------


@router.get("", response=MatterPageOut, openapi_extra=MatterFilter.openapi())
@api_allow(READ_ROLES)
def matter_list(request: HttpRequest) -> dict[str, Any]:
    """Matters in the caller's scope, filtered, sorted and paged: ``{"count", "items"}``.
    ``alert`` is judged today (Asia/Shanghai) from the open clock's deadline."""
    user = request_user(request)
    flt = MatterFilter.parse(request.GET)
    today = clocks.today()
    counts, qs = selectors.matter_list_query(user, flt, today=today)
    items = _page(qs, counts.total, flt.page, flt.page_size)
    judge_alerts_on(request, today)
    return {"count": counts.total, "count_capped": counts.capped, "items": items}


@router.get(
    "/flowchart.svg",
    response={200: None},
    openapi_extra={"responses": {"200": {"description": "The flowchart", "content": {"image/svg+xml": {}}}}},
)
@api_allow(READ_ROLES)
def matter_flowchart(request: HttpRequest) -> HttpResponse:
    """The service flowchart (服务流程图) drawn from the transition table in swimlanes by actor
    (诉求人, 平台/督查室, 承办单位, 领导) with the working-day limits from the settings, as SVG,
    with the labels in the active language (Chinese by default)."""
    svg = flowchart_svg(translation.get_language() or settings.LANGUAGE_CODE)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def flowchart_svg(language: str) -> str:
    """The flowchart in ``language``: THE table in swimlanes by actor with each step's
    working-day limit (zhaoyin.matters.swimlanes; drawn once per table version, language and
    settings by core.flowchart)."""
    with translation.override(language):
        return swimlanes.swimlane_svg()


class KpiQuery(Schema):
    """The period of the KPIs. The document states the forms ``kpis.parse_period`` reads; the
    model stays lenient so a missing or bad value gets that function's message."""

    model_config = ConfigDict(json_schema_extra={"required": ["year"]})

    year: Annotated[str | None, WithJsonSchema({"type": "string", "pattern": r"^\s*(?:20\d\d|2100)\s*$"})] = Field(
        None, description="The year (2000–2100)"
    )
    month: Annotated[
        str | None, WithJsonSchema({"type": "string", "pattern": r"^\s*(?:0?[1-9]|1[0-2])?\s*$"})
    ] = Field(None, description="1–12; the whole year without it")


class KpiItemOut(OutSchema):
    """One unit's row of the report (``kpis.KpiRow``); rates are fractions 0–1."""

    org_unit: str = Field(validation_alias="unit.code")
    name: str = Field(validation_alias="unit.name")
    assigned: int = Field(validation_alias="kpis.matters")
    signed_on_time: float | None = Field(validation_alias="kpis.sign_for_on_time_rate",
                                         description="签收及时率, a fraction 0–1")
    closed_on_time: float | None = Field(validation_alias="kpis.closed_on_time_rate", description="按期办结率")
    satisfaction: float | None = Field(validation_alias="kpis.satisfaction_rate",
                                       description="满意率 (满意 + 基本满意 ÷ rated)")
    returned: float | None = Field(validation_alias="kpis.return_rate", description="退回率")
    mean_workdays: float | None = Field(validation_alias="kpis.mean_workdays_to_close",
                                        description="Mean working days from receipt to closing")
    score: float | None = Field(description="Composite score 0–100")
    rank: int | None
    group: str | None = Field(None, validation_alias="group.code", description="The ranking group the rank is within")
    group_name: str | None = Field(None, validation_alias="group.name", description="县区, 开发区/园区, 市直部门 …")
    sample_too_small: bool = Field(
        validation_alias="thin_sample", description="Fewer matters than the group's minimum: 样本不足, unranked"
    )


class KpiOut(OutSchema):
    year: int
    month: int | None
    items: list[KpiItemOut]


@router.get("/kpis", response=KpiOut)
@api_allow(kpis.READER_ROLES)
def matter_kpis(request: HttpRequest, params: Query[KpiQuery]) -> dict[str, Any]:
    """Unit KPIs of the matters assigned in a month (or the whole year), ranked city-wide; a
    unit user gets the rows of its own subtree. Declared before ``/{id}``."""
    year, month = kpis.parse_period(params.year, params.month)
    report = kpis.kpi_report(request_user(request), year=year, month=month)
    return {"year": year, "month": month, "items": report.rows}


@router.get("/{id}", response=MatterDetailOut, by_alias=True)
@api_allow(READ_ROLES)
def matter_detail(request: HttpRequest, id: MatterId) -> Matter:
    """One matter with its deadlines, alert, the caller's allowed actions and the full
    transition history; 404 outside the caller's scope."""
    return _detail(request_user(request), id)


@router.get("/{id}/notices", response=NoticePageOut)
@api_allow(READ_ROLES)
def matter_notices(request: HttpRequest, id: MatterId) -> dict[str, Any]:
    """The escalation notices issued on the matter, oldest first: ``{"count", "items"}``;
    404 outside the caller's scope."""
    matter = selectors.matter_get_for_user(user=request_user(request), pk=id)
    items = notices_for(matter)
    return {"count": len(items), "items": items}


@router.post("", response={201: MatterDetailOut}, by_alias=True)
@api_allow(CREATE_ROLES)
def matter_create(request: HttpRequest, payload: inputs.MatterCreateInput) -> Status[Matter]:
    """Register a matter in ``draft`` (201); the code ``JB<year>-<number>`` is generated."""
    user = request_user(request)
    matter = services.matter_create(acting_user=user, data=payload)
    return Status(201, _detail(user, matter.pk))


@router.patch("/{id}", response={200: MatterDetailOut, 409: ErrorOut}, by_alias=True)
@api_allow(CREATE_ROLES)
def matter_update(request: HttpRequest, id: MatterId, payload: inputs.MatterUpdateInput) -> Matter:
    """Change the fields sent of a draft (by its dispatcher or requester; 409 once assigned).
    With ``version``, a change made meanwhile → 409."""
    user = request_user(request)
    # Who may edit a draft is who may cancel it (the dispatcher, the requester): the selector
    # refuses anyone else with an audited 403.
    matter = selectors.matter_get_for_user(user=user, pk=id, action=Action.CANCEL)
    services.matter_update(acting_user=user, matter=matter, data=payload)
    return _detail(user, id)


Call = Callable[[User, Matter, Any], object]


def _service(action: Action) -> Call:
    """The action's service, called with the body as its input."""
    service = services.ACTION_SERVICES[action]
    return lambda u, m, p: service(acting_user=u, matter=m, data=p)


def _answer(approve: bool) -> Call:
    """延期审批 as two public actions: the body is the note, the decision is the action's."""
    return lambda u, m, p: services.matter_answer_extension(
        acting_user=u, matter=m, data=inputs.AnswerExtensionInput(approve=approve, note=p.note)
    )


#: Each public action: its body (the action's input model), how it calls its service, its summary.
_ACTIONS: dict[str, tuple[type[Input], Call, str]] = {
    "assign": (
        inputs.AssignInput, _service(Action.ASSIGN),
        "交办: give a draft or returned matter to a lead unit and co-units; both clocks start.",
    ),
    "reassign": (
        inputs.ReassignInput, _service(Action.REASSIGN),
        "改派: move an assigned or in-progress matter to another lead unit; the clocks start again.",
    ),
    "accept": (
        inputs.NoteInput, _service(Action.ACCEPT),
        "签收: the lead unit signs for the matter; the handling clock counts.",
    ),
    "return": (
        inputs.ReturnInput, _service(Action.RETURN),
        "退回: the lead unit is not responsible; a reason and the unit believed responsible are required.",
    ),
    "progress": (
        inputs.ProgressInput, _service(Action.PROGRESS), "进展反馈: the lead unit or a co-unit records progress."
    ),
    "extend": (
        inputs.ExtensionRequestInput, _service(Action.REQUEST_EXTENSION),
        "延期申请: the lead unit asks for more working days, before the handling deadline.",
    ),
    "extend_approve": (
        inputs.NoteInput, _answer(True), "The dispatcher approves the pending extension request; the deadline moves."
    ),
    "extend_refuse": (inputs.NoteInput, _answer(False), "The dispatcher refuses the pending extension request."),
    "report": (
        inputs.ReportInput, _service(Action.REPORT),
        "办结反馈: the lead unit (never a co-unit) reports the result for review.",
    ),
    "approve": (
        inputs.NoteInput, _service(Action.APPROVE), "审核办结: the dispatcher accepts the report; the matter is closed."
    ),
    "reject": (
        inputs.NewClockInput, _service(Action.REJECT),
        "退办: the dispatcher sends the report back with a reason and a new handling deadline.",
    ),
    "rate": (
        inputs.RateInput, _service(Action.RATE),
        "回访评价: once the report is approved, the requester (or the dispatcher for it) rates; dissatisfied needs "
        "a reason and goes to the dispatcher for verification. An internal task is assessed by the dispatcher.",
    ),
    "reopen": (
        inputs.NewClockInput, _service(Action.REOPEN),
        "重办: the dispatcher reopens a closed or rated matter with a new handling clock.",
    ),
    "cancel": (
        inputs.ReasonInput, _service(Action.CANCEL),
        "撤销: the dispatcher or the requester cancels an unfinished matter, with a reason.",
    ),
    "list": (
        inputs.ListInput, _service(Action.LIST),
        "挂牌督办: a city leader (or the supervision office naming one) lists an unfinished matter for "
        "supervision with the supervising leader and a 限期; a 督办单 is issued.",
    ),
    "unlist": (inputs.NoteInput, _service(Action.UNLIST), "摘牌: a city leader ends the listed supervision."),
    # 督查室 powers (issue 15 item 4).
    "urge": (
        inputs.UrgeInput, _service(Action.URGE),
        "催办: the supervision office urges the lead unit of a matter whose clock runs, with a note (one notice "
        "per clock level, shared with the escalation ladder).",
    ),
    "supervise": (
        inputs.SuperviseInput, _service(Action.SUPERVISE),
        "督办: the supervision office supervises a matter whose clock runs, with a note; a numbered 督办单 is "
        "issued (one notice per clock level, shared with the escalation ladder).",
    ),
    # Issue 15.
    "instruct": (
        inputs.InstructInput, _service(Action.INSTRUCT),
        "批示: a leader's instruction on any matter not cancelled (the supervision office records one on a "
        "leader's behalf, naming the leader); the state stays, the lead unit is told.",
    ),
    "confirm_dispute": (
        inputs.NewClockInput, _service(Action.CONFIRM_DISPUTE),
        "核实属实: the dispatcher finds a dissatisfied rating well-founded; the matter is reworked with a new "
        "handling clock.",
    ),
    "dismiss_dispute": (
        inputs.ReasonInput, _service(Action.DISMISS_DISPUTE),
        "核实不属实: the dispatcher dismisses a dissatisfied rating with a reason; the matter stays rated.",
    ),
}
assert set(_ACTIONS) == set(API_ACTIONS), "every flow action needs exactly one API operation"


def _action_operation(name: str, schema: type[Input], call: Call, summary: str) -> None:
    action = API_ACTIONS[name]

    def operation(request: HttpRequest, id: int, payload: Any) -> Matter:
        user = request_user(request)
        matter = selectors.matter_get_for_user(user=user, pk=id, action=action)
        call(user, matter, payload)
        return _detail(user, id)

    operation.__name__ = operation.__qualname__ = f"matter_action_{name}"
    operation.__doc__ = (
        summary + "\n\nAnswers the matter as ``GET /matters/{id}`` does; 409 when the state does not allow the "
        "action, 403 without the relation the transition table grants it to, 422 naming the field for bad input."
    )
    # Real objects, not strings: ninja reads the signature to build the body and the path.
    operation.__annotations__ = {"request": HttpRequest, "id": MatterId, "payload": schema,
                                 "return": Matter}
    router.post(
        f"/{{id}}/actions/{name}", response={200: MatterDetailOut, 409: ErrorOut}, by_alias=True,
        operation_id=f"matter_action_{name}", summary=summary,
    )(api_allow(ACTION_ROLES)(operation))


for _name, (_schema, _call, _summary) in _ACTIONS.items():
    _action_operation(_name, _schema, _call, _summary)


# ---- 督办单 (issue 15 item 4) -----------------------------------------------------------------


class SupervisionOrderOut(OutSchema):
    id: int
    number: str = Field(validation_alias="doc_number", description="文号, e.g. 淮招督〔2026〕3号")
    kind: str = Field(description="supervise (督办) or listed (挂牌督办)")
    issued_at: IsoDateTime
    issued_by: Username
    lead_unit: UnitRef | None
    requirement: str
    deadline: IsoDate | None = Field(description="限期, YYYY-MM-DD")
    leader: Username = Field(description="The supervising leader (listed orders)")


class SupervisionOrderPageOut(OutSchema):
    count: int
    items: list[SupervisionOrderOut]


OrderId = Annotated[int, Path(ge=1, le=MAX_ID, description="Supervision order id.")]


@router.get("/{id}/supervision-orders", response=SupervisionOrderPageOut)
@api_allow(READ_ROLES)
def matter_supervision_orders(request: HttpRequest, id: MatterId) -> dict[str, Any]:
    """The 督办单 issued on the matter, oldest first; 404 outside the caller's scope."""
    matter = selectors.matter_get_for_user(user=request_user(request), pk=id)
    items = supervision_docs.supervision_orders(matter)
    return {"count": len(items), "items": items}


@router.get(
    "/{id}/supervision-orders/{order}.docx",
    response={200: None},
    openapi_extra={"responses": {"200": {"description": "The 督办单 (Word)",
                                         "content": {supervision_docs.CONTENT_TYPE: {}}}}},
)
@api_allow(READ_ROLES)
def matter_supervision_order_docx(request: HttpRequest, id: MatterId, order: OrderId) -> HttpResponse:
    """A 督办单 as Word (公文 layout), rendered now from the stored order; each download audited;
    404 outside the caller's scope or for an order of another matter."""
    user = request_user(request)
    found = supervision_docs.supervision_order_get_for_user(user=user, matter_pk=id, pk=order)
    content, filename = supervision_docs.order_download(acting_user=user, order=found)
    response = HttpResponse(content, content_type=supervision_docs.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.post("/{id}/actions/{action}", response={404: ErrorOut})
@api_allow(ACTION_ROLES)
def matter_action_unknown(request: HttpRequest, id: MatterId, action: str) -> Status[dict[str, Any]]:
    """Any other action name: 404 naming ``action`` (nothing is read or changed)."""
    message = _("Unknown action. Choose one of: %(actions)s.") % {"actions": ", ".join(_ACTIONS)}
    return Status(404, {"detail": message, "errors": [{"field": "action", "message": message}]})
