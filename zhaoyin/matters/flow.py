"""THE transition table of assigned matters (交办事项, DESIGN 3.5).

Every action a matter can undergo is one row of ``MATTER_TABLE`` (a
``zhaoyin.core.transitions.TransitionTable``; ``TABLE`` is its rows by action): the states it may be taken from,
the state it leads to (``None``: the state stays, e.g. an extension request), and who may
take it, as a *relation* of the user to the matter (not a role):

- ``dispatcher`` — a city administrator or the supervision office, or a unit administrator /
  staff member whose subtree contains the matter's dispatching unit (交办单位);
- ``lead_unit`` — a unit administrator / staff member whose subtree contains the lead unit (主办);
- ``co_unit`` — the same for one of the co-units (协办);
- ``requester`` — the account that raised the matter (an enterprise or talent portal user,
  a service member, or staff);
- ``leader`` — a city leader (市领导).

Services (zhaoyin.matters.services) take each action through this table; the flowchart
(服务流程图) is drawn from ``STATES`` and ``EDGES``, so the picture cannot drift from the code.
``WAITS`` says who owes the next step in each state: each user's to-do list (我的待办,
zhaoyin.matters.todo) is computed from it, and each row's ``notify`` (by default whoever waits
in the state the row leads to) is told of the hand-off (zhaoyin.matters.notices).
Two consequences live in the services, not in the table: a 不满意 rating is recorded as
``rate`` and immediately followed by ``dispute`` (待核实: the dispatcher confirms it, 重办 with a
new handling clock, or dismisses it with a reason); and
reviewing a report back (``reject``, 退办) returns the matter to ``accepted`` with a new
handling deadline.

No Django here beyond ``gettext_lazy`` for the labels: the flowchart generator and the pure
tests read it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhaoyin.core import transitions
from zhaoyin.core.transitions import TransitionTable, Wait, row


class State(StrEnum):
    """The states of a matter; the value is the public code (API ``status``)."""

    DRAFT = "draft"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    REPORTED = "reported"
    CLOSED = "closed"
    RATED = "rated"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    # Issue 15: a 不满意 rating waits for the dispatcher's 核实 before any rework.
    DISPUTED = "disputed"


STATE_LABELS: dict[State, Any] = {
    State.DRAFT: _("Registered"),  # 登记
    State.ASSIGNED: _("Assigned"),  # 已交办 (the sign-for clock runs)
    State.ACCEPTED: _("In progress"),  # 办理中 (the handling clock runs)
    State.REPORTED: _("Reported"),  # 已反馈
    State.CLOSED: _("Closed"),  # 已办结
    State.RATED: _("Rated"),  # 已评价
    State.RETURNED: _("Returned"),  # 退回
    State.CANCELLED: _("Cancelled"),  # 撤销
    State.DISPUTED: _("Dissatisfaction to verify"),  # 不满意待核实
}

#: (code, label) of every state, in the order of the lifecycle — for choices and the flowchart.
STATES: tuple[tuple[str, Any], ...] = tuple((s.value, STATE_LABELS[s]) for s in State)

#: States in which a unit still owes work (the escalation scan and "open" lists).
OPEN_STATES: frozenset[State] = frozenset({State.ASSIGNED, State.ACCEPTED, State.RETURNED, State.REPORTED})
#: States in which a clock runs: sign-for in ``assigned``, handling in ``accepted``.
CLOCK_STATES: frozenset[State] = frozenset({State.ASSIGNED, State.ACCEPTED})
TERMINAL_STATES: frozenset[State] = frozenset({State.CANCELLED})


class Action(StrEnum):
    """What can be done to a matter; the value is the public code (API ``/actions/{action}``)."""

    ASSIGN = "assign"
    REASSIGN = "reassign"
    ACCEPT = "accept"
    RETURN = "return"
    PROGRESS = "progress"
    REQUEST_EXTENSION = "request_extension"
    ANSWER_EXTENSION = "answer_extension"
    REPORT = "report"
    APPROVE = "approve"
    REJECT = "reject"
    RATE = "rate"
    REOPEN = "reopen"
    CANCEL = "cancel"
    LIST = "list"
    UNLIST = "unlist"
    # 督查室 powers (issue 15 item 4).
    URGE = "urge"
    SUPERVISE = "supervise"
    # Issue 15 (sources, 批示, ratings).
    INSTRUCT = "instruct"
    DISPUTE = "dispute"
    CONFIRM_DISPUTE = "confirm_dispute"
    DISMISS_DISPUTE = "dismiss_dispute"


ACTION_LABELS: dict[Action, Any] = {
    Action.ASSIGN: _("Assign"),  # 交办
    Action.REASSIGN: _("Reassign"),  # 改派
    Action.ACCEPT: _("Sign for"),  # 签收
    Action.RETURN: _("Return"),  # 退回
    Action.PROGRESS: _("Progress note"),  # 进展反馈
    Action.REQUEST_EXTENSION: _("Request an extension"),  # 延期申请
    Action.ANSWER_EXTENSION: _("Answer the extension request"),  # 延期审批
    Action.REPORT: _("Report completion"),  # 办结反馈
    Action.APPROVE: _("Approve and close"),  # 审核办结
    Action.REJECT: _("Send back for rework"),  # 退办
    Action.RATE: _("Rate"),  # 评价
    Action.REOPEN: _("Reopen for rework"),  # 重办
    Action.CANCEL: _("Cancel the matter"),  # 撤销
    Action.LIST: _("List for supervision"),  # 挂牌督办
    Action.UNLIST: _("End listed supervision"),  # 摘牌
    # 督查室 powers (issue 15 item 4).
    Action.URGE: _("Urge"),  # 催办 (by hand)
    Action.SUPERVISE: _("Supervise"),  # 督办 (by hand, with a 督办单)
    Action.INSTRUCT: _("Leader's instruction"),  # 领导批示
    Action.DISPUTE: _("Dissatisfaction sent for verification"),  # 不满意转核实
    Action.CONFIRM_DISPUTE: _("Dissatisfaction confirmed: rework"),  # 核实属实，重办
    Action.DISMISS_DISPUTE: _("Dissatisfaction dismissed"),  # 核实不属实
}


class Relation(StrEnum):
    """How a user stands to a matter (see the module docstring)."""

    DISPATCHER = "dispatcher"
    LEAD_UNIT = "lead_unit"
    CO_UNIT = "co_unit"
    REQUESTER = "requester"
    LEADER = "leader"
    #: The supervision office (督查室, Role.SUPERVISOR) as such: its own powers (催办, 督办, 挂牌
    #: on a leader's behalf). It is also a dispatcher of every matter.
    SUPERVISOR = "supervisor"


#: One row of the table: the platform's transition type (zhaoyin.core.transitions), whose
#: ``actors`` are the relations above.
Transition = transitions.Transition[State, Action]

S, R = State, Relation
_OPEN_UNIT_STATES = {S.ASSIGNED, S.ACCEPTED, S.RETURNED, S.REPORTED}

#: Who owes the next step in each state, and the to-do heading it is listed under (我的待办).
#: A row that leads to a state notifies whoever waits there unless it says otherwise.
WAITS: dict[State, tuple[Wait, ...]] = {
    S.ASSIGNED: (Wait(R.LEAD_UNIT, "to_sign", _("To sign for")),),  # 待签收
    S.ACCEPTED: (
        Wait(R.LEAD_UNIT, "to_handle", _("To handle")),  # 待办理
        # 延期待批: only while an extension request waits for its answer.
        Wait(R.DISPATCHER, "to_answer_extension", _("Extension to answer"), when="extension_pending"),
    ),
    S.RETURNED: (Wait(R.DISPATCHER, "to_reassign", _("To assign again")),),  # 待重新交办
    S.REPORTED: (Wait(R.DISPATCHER, "to_review", _("To review")),),  # 待审核
    S.CLOSED: (Wait(R.REQUESTER, "to_rate", _("To rate")),),  # 待评价
    S.DISPUTED: (Wait(R.DISPATCHER, "to_verify_dissatisfaction", _("Dissatisfaction to verify")),),  # 不满意待核实
}

#: THE table (``notify``: who is given work by the step and told so; by default whoever waits
#: in the state it leads to).
MATTER_TABLE: TransitionTable[State, Action] = TransitionTable(
    name="matter",
    states=tuple((s, STATE_LABELS[s]) for s in State),
    initial=S.DRAFT,
    terminal=frozenset({S.CANCELLED}),
    waits=WAITS,
    rows=(
        # 交办: the first time, or again after the unit returned it; the co-units learn of it too.
        row(Action.ASSIGN, {S.DRAFT, S.RETURNED}, S.ASSIGNED, {R.DISPATCHER}, ACTION_LABELS[Action.ASSIGN],
            notify={R.LEAD_UNIT, R.CO_UNIT}),
        # 改派: the dispatcher moves a matter a unit still holds to another unit (new clocks).
        row(Action.REASSIGN, {S.ASSIGNED, S.ACCEPTED}, S.ASSIGNED, {R.DISPATCHER}, ACTION_LABELS[Action.REASSIGN],
            notify={R.LEAD_UNIT, R.CO_UNIT}),
        # 签收: the unit keeps the work it already had; nobody new is given any.
        row(Action.ACCEPT, {S.ASSIGNED}, S.ACCEPTED, {R.LEAD_UNIT}, ACTION_LABELS[Action.ACCEPT], notify=()),
        # 退回: "not ours" — with a reason and the unit believed responsible.
        row(Action.RETURN, {S.ASSIGNED, S.ACCEPTED}, S.RETURNED, {R.LEAD_UNIT}, ACTION_LABELS[Action.RETURN],
            needs_reason=True),
        row(Action.PROGRESS, {S.ACCEPTED}, None, {R.LEAD_UNIT, R.CO_UNIT}, ACTION_LABELS[Action.PROGRESS]),
        # 延期申请: the dispatcher owes an answer (延期待批).
        row(Action.REQUEST_EXTENSION, {S.ACCEPTED}, None, {R.LEAD_UNIT}, ACTION_LABELS[Action.REQUEST_EXTENSION],
            notify={R.DISPATCHER}, needs_reason=True),
        # 延期审批: the lead unit learns the answer (and its deadline).
        row(Action.ANSWER_EXTENSION, {S.ACCEPTED}, None, {R.DISPATCHER}, ACTION_LABELS[Action.ANSWER_EXTENSION],
            notify={R.LEAD_UNIT}),
        # Only the lead unit reports (主办单位负责反馈); a co-unit may not report for it.
        row(Action.REPORT, {S.ACCEPTED}, S.REPORTED, {R.LEAD_UNIT}, ACTION_LABELS[Action.REPORT]),
        row(Action.APPROVE, {S.REPORTED}, S.CLOSED, {R.DISPATCHER}, ACTION_LABELS[Action.APPROVE]),
        # 退办: the review sends the report back with a reason and a new handling deadline.
        row(Action.REJECT, {S.REPORTED}, S.ACCEPTED, {R.DISPATCHER}, ACTION_LABELS[Action.REJECT], needs_reason=True),
        # 回访评价 by the requester, or by the dispatcher on its behalf, once the dispatcher has
        # approved the report (issue 15): a rating never closes an unreviewed matter. 不满意 →
        # ``dispute`` (the dispatcher verifies before any rework).
        row(Action.RATE, {S.CLOSED}, S.RATED, {R.REQUESTER, R.DISPATCHER}, ACTION_LABELS[Action.RATE]),
        row(Action.REOPEN, {S.CLOSED, S.RATED}, S.ACCEPTED, {R.DISPATCHER}, ACTION_LABELS[Action.REOPEN],
            needs_reason=True),
        row(Action.CANCEL, {S.DRAFT, *_OPEN_UNIT_STATES}, S.CANCELLED, {R.DISPATCHER, R.REQUESTER},
            ACTION_LABELS[Action.CANCEL], needs_reason=True),
        # 挂牌督办 by a leader, or by the supervision office naming the supervising leader; a
        # flag on the matter (with the leader and a 限期), not a state. The escalation scan's
        # ``listed`` notice is its notice (zhaoyin.matters.scan): the row sends none of its own.
        row(Action.LIST, set(_OPEN_UNIT_STATES), None, {R.LEADER, R.SUPERVISOR}, ACTION_LABELS[Action.LIST],
            notify=()),
        row(Action.UNLIST, {*_OPEN_UNIT_STATES, S.CLOSED, S.RATED, S.CANCELLED}, None, {R.LEADER, R.SUPERVISOR},
            ACTION_LABELS[Action.UNLIST], notify=()),
        # 督查室 powers (issue 15 item 4): 催办 / 督办 by hand, with a note, while a clock runs.
        # Each sends its notice as the escalation ladder's own (MatterNotice, one per clock
        # level), not a hand-off: the services do, deduplicated with the scan.
        row(Action.URGE, set(CLOCK_STATES), None, {R.SUPERVISOR}, ACTION_LABELS[Action.URGE], notify=()),
        row(Action.SUPERVISE, set(CLOCK_STATES), None, {R.SUPERVISOR}, ACTION_LABELS[Action.SUPERVISE],
            notify=()),
        # ---- issue 15: the leader's 批示 and the verification of a 不满意 rating ----
        # 批示: a leader (or the supervision office on a leader's behalf, the leader named — the
        # service holds a dispatcher to the office) writes an instruction on any matter not
        # cancelled; the state stays, the lead unit is told.
        row(Action.INSTRUCT, {s for s in State if s != S.CANCELLED}, None, {R.LEADER, R.DISPATCHER},
            ACTION_LABELS[Action.INSTRUCT], notify={R.LEAD_UNIT}),
        # A 不满意 rating is followed at once by this step (the rating service takes it): the
        # dispatcher owes a verification (待核实).
        row(Action.DISPUTE, {S.RATED}, S.DISPUTED, {transitions.SYSTEM}, ACTION_LABELS[Action.DISPUTE]),
        # 核实属实: the unit reworks the matter with a new handling clock (重办).
        row(Action.CONFIRM_DISPUTE, {S.DISPUTED}, S.ACCEPTED, {R.DISPATCHER}, ACTION_LABELS[Action.CONFIRM_DISPUTE],
            needs_reason=True),
        # 核实不属实: the matter stays rated (the 不满意 stays on record); the requester learns why.
        row(Action.DISMISS_DISPUTE, {S.DISPUTED}, S.RATED, {R.DISPATCHER}, ACTION_LABELS[Action.DISMISS_DISPUTE],
            needs_reason=True, notify={R.REQUESTER}),
    ),
)

#: The rows by action (the services' and pages' lookup).
TABLE: dict[Action, Transition] = MATTER_TABLE.by_action

#: Actions that must carry a reason.
REASON_REQUIRED: frozenset[Action] = MATTER_TABLE.reason_required


def transition_for(action: Action, state: State) -> Transition | None:
    """The table's row for ``action`` if it may be taken from ``state``, else None."""
    return MATTER_TABLE.transition_for(action, state)


def actions_from(state: State) -> list[Action]:
    """The actions the table allows from ``state``, in the table's order."""
    return MATTER_TABLE.actions_from(state)


#: (from, to, action label) of every state-changing transition — the flowchart's arrows.
#: Actions that keep the state (extension, progress, listing, reassigning an assigned
#: matter) are in ``LOOPS`` as (state, action label).
EDGES_WITH_LOOPS: tuple[tuple[str, str, Any], ...] = tuple(
    (a.value, b.value, label) for a, b, label in MATTER_TABLE.edges(with_loops=True)
)
EDGES: tuple[tuple[str, str, Any], ...] = tuple(e for e in EDGES_WITH_LOOPS if e[0] != e[1])
LOOPS: tuple[tuple[str, Any], ...] = tuple((a, label) for a, b, label in EDGES_WITH_LOOPS if a == b)
INITIAL_STATE: State = MATTER_TABLE.initial
