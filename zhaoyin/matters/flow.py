"""THE transition table of assigned matters (交办事项, DESIGN 3.5).

Every action a matter can undergo is one row of ``TABLE``: the states it may be taken from,
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
Two consequences live in the services, not in the table: a 不满意 rating is recorded as
``rate`` and immediately followed by ``reopen`` (重办) with a new handling clock; and
reviewing a report back (``reject``, 退办) returns the matter to ``accepted`` with a new
handling deadline.

No Django here beyond ``gettext_lazy`` for the labels: the flowchart generator and the pure
tests read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


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


STATE_LABELS: dict[State, Any] = {
    State.DRAFT: _("Registered"),  # 登记
    State.ASSIGNED: _("Assigned"),  # 已交办 (the sign-for clock runs)
    State.ACCEPTED: _("In progress"),  # 办理中 (the handling clock runs)
    State.REPORTED: _("Reported"),  # 已反馈
    State.CLOSED: _("Closed"),  # 已办结
    State.RATED: _("Rated"),  # 已评价
    State.RETURNED: _("Returned"),  # 退回
    State.CANCELLED: _("Cancelled"),  # 撤销
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
}


class Relation(StrEnum):
    """How a user stands to a matter (see the module docstring)."""

    DISPATCHER = "dispatcher"
    LEAD_UNIT = "lead_unit"
    CO_UNIT = "co_unit"
    REQUESTER = "requester"
    LEADER = "leader"


@dataclass(frozen=True)
class Transition:
    """One row of the table."""

    action: Action
    sources: frozenset[State]
    target: State | None  # None: the state stays
    relations: frozenset[Relation]

    @property
    def label(self) -> Any:
        return ACTION_LABELS[self.action]

    def leads_to(self, source: State) -> State:
        return self.target if self.target is not None else source


def _row(action: Action, sources: set[State], target: State | None, relations: set[Relation]) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(relations))


S, R = State, Relation
_OPEN_UNIT_STATES = {S.ASSIGNED, S.ACCEPTED, S.RETURNED, S.REPORTED}

#: THE table. One row per action.
TABLE: dict[Action, Transition] = {
    t.action: t
    for t in (
        # 交办: the first time, or again after the unit returned it.
        _row(Action.ASSIGN, {S.DRAFT, S.RETURNED}, S.ASSIGNED, {R.DISPATCHER}),
        # 改派: the dispatcher moves a matter a unit still holds to another unit (new clocks).
        _row(Action.REASSIGN, {S.ASSIGNED, S.ACCEPTED}, S.ASSIGNED, {R.DISPATCHER}),
        _row(Action.ACCEPT, {S.ASSIGNED}, S.ACCEPTED, {R.LEAD_UNIT}),
        # 退回: "not ours" — with a reason and the unit believed responsible.
        _row(Action.RETURN, {S.ASSIGNED, S.ACCEPTED}, S.RETURNED, {R.LEAD_UNIT}),
        _row(Action.PROGRESS, {S.ACCEPTED}, None, {R.LEAD_UNIT, R.CO_UNIT}),
        _row(Action.REQUEST_EXTENSION, {S.ACCEPTED}, None, {R.LEAD_UNIT}),
        _row(Action.ANSWER_EXTENSION, {S.ACCEPTED}, None, {R.DISPATCHER}),
        # Only the lead unit reports (主办单位负责反馈); a co-unit may not report for it.
        _row(Action.REPORT, {S.ACCEPTED}, S.REPORTED, {R.LEAD_UNIT}),
        _row(Action.APPROVE, {S.REPORTED}, S.CLOSED, {R.DISPATCHER}),
        # 退办: the review sends the report back with a reason and a new handling deadline.
        _row(Action.REJECT, {S.REPORTED}, S.ACCEPTED, {R.DISPATCHER}),
        # 回访评价 by the requester, or by the dispatcher on its behalf; 不满意 → reopen.
        _row(Action.RATE, {S.REPORTED, S.CLOSED}, S.RATED, {R.REQUESTER, R.DISPATCHER}),
        _row(Action.REOPEN, {S.CLOSED, S.RATED}, S.ACCEPTED, {R.DISPATCHER}),
        _row(Action.CANCEL, {S.DRAFT, *_OPEN_UNIT_STATES}, S.CANCELLED, {R.DISPATCHER, R.REQUESTER}),
        # 挂牌督办 only by a leader; a flag on the matter, not a state.
        _row(Action.LIST, set(_OPEN_UNIT_STATES), None, {R.LEADER}),
        _row(Action.UNLIST, {*_OPEN_UNIT_STATES, S.CLOSED, S.RATED, S.CANCELLED}, None, {R.LEADER}),
    )
}

#: Actions that must carry a reason.
REASON_REQUIRED: frozenset[Action] = frozenset(
    {Action.RETURN, Action.REJECT, Action.REOPEN, Action.CANCEL, Action.REQUEST_EXTENSION}
)


def transition_for(action: Action, state: State) -> Transition | None:
    """The table's row for ``action`` if it may be taken from ``state``, else None."""
    row = TABLE.get(action)
    if row is None or state not in row.sources:
        return None
    return row


def actions_from(state: State) -> list[Action]:
    """The actions the table allows from ``state``, in the table's order."""
    return [a for a, row in TABLE.items() if state in row.sources]


def _edges() -> tuple[tuple[tuple[str, str, Any], ...], tuple[tuple[str, Any], ...]]:
    edges: list[tuple[str, str, Any]] = []
    loops: list[tuple[str, Any]] = []
    for row in TABLE.values():
        for source in sorted(row.sources, key=list(State).index):
            target = row.leads_to(source)
            if target == source:
                loops.append((source.value, row.label))
            else:
                edges.append((source.value, target.value, row.label))
    return tuple(edges), tuple(loops)


#: (from, to, action label) of every state-changing transition — the flowchart's arrows.
#: Actions that keep the state (extension, progress, listing, reassigning an assigned
#: matter) are in ``LOOPS`` as (state, action label).
EDGES, LOOPS = _edges()
#: Every arrow including the self-loops as (state, state, label), for a drawing that shows them.
EDGES_WITH_LOOPS: tuple[tuple[str, str, Any], ...] = EDGES + tuple((s, s, label) for s, label in LOOPS)
INITIAL_STATE: State = State.DRAFT
