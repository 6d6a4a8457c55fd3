"""THE transition table of talent recognition (人才认定, issue 13 item 2).

An application enters ``first_review`` when it is made (the entry row ``APPLY``: 申请) and then
moves through 初审 (``first_review``, by the employer's unit or county), 复审
(``second_review``, by the city talent office), 公示 (``publicity``, a number of working days
on the calendar during which objections are recorded and answered) to 认定 (``recognized``:
a certificate number and a valid-until date, and the talent's tier) or 不予认定 (``refused``,
with a reason). The 初审 may also send the application back to the applicant to complete it
(``returned``), who resubmits it; the applicant may withdraw it while it is open.

Actors are relations of the user to the application (``zhaoyin.recognition.selectors`` says
who holds which):

- ``unit_reviewer`` — a unit administrator or staff member whose unit's subtree holds the
  talent's org unit (the employer's county, park or department), or a city administrator;
- ``office`` — the city talent office (人才办) or a city administrator;
- ``applicant`` — the talent's own portal account, or the person who made the application on
  the talent's behalf.

Recording an objection (``object``) and answering one (``answer``) are rows too: they keep the
state (``publicity``) and are taken through the objections routes, not ``/actions/``. Two rules
of the publicity live in the services and are marked on the rows: ``after_publicity`` (the
publicity may close only once its end date has passed) and ``objections_answered`` (every
objection must be answered before the next step).

No Django here beyond ``gettext_lazy`` for the labels: the flowchart and the pure tests read it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhaoyin.core.transitions import Transition, TransitionTable, Wait, row


class State(StrEnum):
    """Where an application stands; the value is the public code (API ``state``)."""

    FIRST_REVIEW = "first_review"
    RETURNED = "returned"
    SECOND_REVIEW = "second_review"
    PUBLICITY = "publicity"
    RECOGNIZED = "recognized"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


STATE_LABELS: dict[State, Any] = {
    State.FIRST_REVIEW: _("In first review"),  # 初审中
    State.RETURNED: _("Returned to complete"),  # 退回补正
    State.SECOND_REVIEW: _("In second review"),  # 复审中
    State.PUBLICITY: _("In publicity"),  # 公示中
    State.RECOGNIZED: _("Recognized"),  # 已认定
    State.REFUSED: _("Not recognized"),  # 不予认定
    State.WITHDRAWN: _("Withdrawn"),  # 已撤回
}

#: (code, label) of every state in lifecycle order: choices and the flowchart.
STATES: tuple[tuple[str, Any], ...] = tuple((s.value, STATE_LABELS[s]) for s in State)
#: An application still under way: a talent has at most one (a database constraint).
OPEN_STATES: frozenset[State] = frozenset({State.FIRST_REVIEW, State.RETURNED, State.SECOND_REVIEW, State.PUBLICITY})
TERMINAL_STATES: frozenset[State] = frozenset({State.RECOGNIZED, State.REFUSED, State.WITHDRAWN})


class Action(StrEnum):
    """What can be done to an application; the value is the public code."""

    FIRST_PASS = "first_pass"  # noqa: S105 - an action code, not a secret
    FIRST_RETURN = "first_return"
    FIRST_REFUSE = "first_refuse"
    RESUBMIT = "resubmit"
    SECOND_PASS = "second_pass"  # noqa: S105 - an action code, not a secret
    SECOND_RETURN = "second_return"
    SECOND_REFUSE = "second_refuse"
    OBJECT = "object"
    ANSWER = "answer"
    RECOGNIZE = "recognize"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


ACTION_LABELS: dict[Action, Any] = {
    Action.FIRST_PASS: _("Pass the first review"),  # 初审通过
    Action.FIRST_RETURN: _("Return to the applicant"),  # 退回补正
    Action.FIRST_REFUSE: _("Refuse at the first review"),  # 初审不通过
    Action.RESUBMIT: _("Resubmit"),  # 重新提交
    Action.SECOND_PASS: _("Pass the second review and publish"),  # 复审通过, 公示
    Action.SECOND_RETURN: _("Send back to the first review"),  # 退回初审
    Action.SECOND_REFUSE: _("Refuse at the second review"),  # 复审不通过
    Action.OBJECT: _("Record an objection"),  # 登记异议
    Action.ANSWER: _("Answer an objection"),  # 答复异议
    Action.RECOGNIZE: _("Recognize"),  # 认定
    Action.REFUSE: _("Do not recognize"),  # 不予认定
    Action.WITHDRAW: _("Withdraw"),  # 撤回
}


class Actor(StrEnum):
    """How a user stands to an application (see the module docstring)."""

    UNIT_REVIEWER = "unit_reviewer"
    OFFICE = "office"
    APPLICANT = "applicant"


#: Row flags the services read.
AFTER_PUBLICITY = "after_publicity"  # only once the publicity's end date has passed
OBJECTIONS_ANSWERED = "objections_answered"  # every objection answered first
OPENS_PUBLICITY = "opens_publicity"  # sets the publicity's start and end dates
OBJECTION_ROUTE = "objection_route"  # taken through the objections routes, not /actions/

RecognitionTransition = Transition[State, Action]

S, A, R = State, Action, Actor

#: Who owes the next step in each state (我的待办). The publicity's waits are conditional: the
#: office owes an answer while an objection is open, and the closing once the end date passed.
WAITS: dict[State, tuple[Wait, ...]] = {
    S.FIRST_REVIEW: (Wait(R.UNIT_REVIEWER, "to_first_review", _("First review to do")),),  # 待初审
    S.RETURNED: (Wait(R.APPLICANT, "to_complete", _("Application to complete")),),  # 待补正
    S.SECOND_REVIEW: (Wait(R.OFFICE, "to_second_review", _("Second review to do")),),  # 待复审
    S.PUBLICITY: (
        Wait(R.OFFICE, "to_answer_objection", _("Objection to answer"), when="objection_open"),  # 异议待答复
        Wait(R.OFFICE, "to_close_publicity", _("Publicity to close"), when="publicity_over"),  # 公示期满待认定
    ),
}

_OPEN = {S.FIRST_REVIEW, S.RETURNED, S.SECOND_REVIEW, S.PUBLICITY}

RECOGNITION_TABLE: TransitionTable[State, Action] = TransitionTable(
    name="recognition",
    states=tuple((s, STATE_LABELS[s]) for s in State),
    initial=S.FIRST_REVIEW,
    terminal=frozenset(TERMINAL_STATES),
    waits=WAITS,
    rows=(
        row(A.FIRST_PASS, {S.FIRST_REVIEW}, S.SECOND_REVIEW, {R.UNIT_REVIEWER}, ACTION_LABELS[A.FIRST_PASS],
            style="success"),
        # 退回补正: the applicant completes the application and resubmits it.
        row(A.FIRST_RETURN, {S.FIRST_REVIEW}, S.RETURNED, {R.UNIT_REVIEWER}, ACTION_LABELS[A.FIRST_RETURN],
            needs_reason=True, style="outline-warning"),
        row(A.FIRST_REFUSE, {S.FIRST_REVIEW}, S.REFUSED, {R.UNIT_REVIEWER}, ACTION_LABELS[A.FIRST_REFUSE],
            needs_reason=True, notify={R.APPLICANT}, style="outline-danger"),
        row(A.RESUBMIT, {S.RETURNED}, S.FIRST_REVIEW, {R.APPLICANT}, ACTION_LABELS[A.RESUBMIT], style="primary"),
        # 复审通过 opens the publicity (its dates on the working-day calendar); the applicant learns
        # its end date. The office's own waits there are conditional, so it is not told itself.
        row(A.SECOND_PASS, {S.SECOND_REVIEW}, S.PUBLICITY, {R.OFFICE}, ACTION_LABELS[A.SECOND_PASS],
            notify={R.APPLICANT}, style="success", flags={OPENS_PUBLICITY}),
        row(A.SECOND_RETURN, {S.SECOND_REVIEW}, S.FIRST_REVIEW, {R.OFFICE}, ACTION_LABELS[A.SECOND_RETURN],
            needs_reason=True, style="outline-warning"),
        row(A.SECOND_REFUSE, {S.SECOND_REVIEW}, S.REFUSED, {R.OFFICE}, ACTION_LABELS[A.SECOND_REFUSE],
            needs_reason=True, notify={R.APPLICANT}, style="outline-danger"),
        # 异议: recorded and answered by the office while the publicity runs (the state stays).
        row(A.OBJECT, {S.PUBLICITY}, None, {R.OFFICE}, ACTION_LABELS[A.OBJECT], flags={OBJECTION_ROUTE}),
        row(A.ANSWER, {S.PUBLICITY}, None, {R.OFFICE}, ACTION_LABELS[A.ANSWER], flags={OBJECTION_ROUTE}),
        # 认定: only once the publicity is over and every objection answered.
        row(A.RECOGNIZE, {S.PUBLICITY}, S.RECOGNIZED, {R.OFFICE}, ACTION_LABELS[A.RECOGNIZE],
            notify={R.APPLICANT}, style="success", flags={AFTER_PUBLICITY, OBJECTIONS_ANSWERED}),
        # 不予认定 after an objection was upheld: any day of the publicity, objections answered.
        row(A.REFUSE, {S.PUBLICITY}, S.REFUSED, {R.OFFICE}, ACTION_LABELS[A.REFUSE], needs_reason=True,
            notify={R.APPLICANT}, style="outline-danger", flags={OBJECTIONS_ANSWERED}),
        row(A.WITHDRAW, _OPEN, S.WITHDRAWN, {R.APPLICANT}, ACTION_LABELS[A.WITHDRAW], needs_reason=False,
            style="outline-secondary"),
    ),
)

#: The entry into the machine: an application is made and handed to the 初审 (not a row of the
#: table: nothing leads from a state to it; told the same way).
APPLY: Transition[str, str] = row(
    "apply", (), S.FIRST_REVIEW.value, {R.APPLICANT}, _("Apply"), notify={R.UNIT_REVIEWER}
)

#: The actions ``/actions/{action}`` takes (the objection rows have their own routes).
STEP_ACTIONS: tuple[str, ...] = tuple(r.action.value for r in RECOGNITION_TABLE.rows if not r.has(OBJECTION_ROUTE))
#: The actions the applicant takes (the portal's buttons).
APPLICANT_ACTIONS: tuple[str, ...] = tuple(
    r.action.value for r in RECOGNITION_TABLE.rows if R.APPLICANT in r.actors
)


def transition_for(action: str, state: str) -> RecognitionTransition | None:
    """The row that takes ``action`` from ``state``, or None when the table forbids it."""
    return RECOGNITION_TABLE.transition_for(action, state)


def row_label(action: str) -> str:
    """The on-screen name of an action."""
    found = RECOGNITION_TABLE.get(action)
    return str(found.label) if found is not None else action
