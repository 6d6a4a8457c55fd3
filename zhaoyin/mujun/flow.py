"""THE transition table of a 亩均 evaluation run (issue 14 item 4).

A run is made by computing it (初评: the run's ``initial`` state, the entry row ``RUN``) over a
frozen snapshot of the year's inputs. While ``initial`` the evaluators may re-run it over
refreshed inputs (``recompute``) and change a firm's grade by hand (调档): one evaluator
proposes the change with a reason, a *different* evaluator approves or rejects it (four-eyes,
the row flag ``FOUR_EYES``). ``start_publicity`` opens the 公示 (``publicity``: a number of
working days on the calendar, the list readable by the firms in it); meanwhile a firm objects
through the portal with evidence (``object``: the objection is also a matter with a deadline),
and the evaluators uphold it — re-running the firm with corrected inputs, recorded — or
dismiss it, each with a reason. ``publish`` (发布) is final: only once the 公示 is over and
every objection answered; it freezes the scheme. A run still ``initial`` may be discarded.

Actors are relations of the user to the run (``zhaoyin.mujun.selectors`` says who holds
which):

- ``evaluator`` — the 经信局's 亩均 office (role ``mu_office``) or a city administrator;
- ``firm`` — the portal account of an enterprise in the run (objects for its own firm).

No Django here beyond ``gettext_lazy`` for the labels: the flowchart and the pure tests read it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhaoyin.core.transitions import Transition, TransitionTable, Wait, row


class State(StrEnum):
    """Where a run stands; the value is the public code (API ``status``)."""

    INITIAL = "initial"
    PUBLICITY = "publicity"
    PUBLISHED = "published"
    DISCARDED = "discarded"


STATE_LABELS: dict[State, Any] = {
    State.INITIAL: _("Initial evaluation"),  # 初评
    State.PUBLICITY: _("In publicity"),  # 公示中
    State.PUBLISHED: _("Published"),  # 已发布
    State.DISCARDED: _("Discarded"),  # 已作废
}
STATES: tuple[tuple[str, Any], ...] = tuple((s.value, STATE_LABELS[s]) for s in State)
TERMINAL_STATES: frozenset[State] = frozenset({State.PUBLISHED, State.DISCARDED})
#: States in which the firms of the run read their own results (the list is public).
PUBLIC_STATES: frozenset[State] = frozenset({State.PUBLICITY, State.PUBLISHED})


class Action(StrEnum):
    """What can be done to a run; the value is the public code (``/actions/{action}``)."""

    RECOMPUTE = "recompute"
    PROPOSE_GRADE = "propose_grade"
    APPROVE_GRADE = "approve_grade"
    REJECT_GRADE = "reject_grade"
    START_PUBLICITY = "start_publicity"
    OBJECT = "object"
    UPHOLD = "uphold"
    DISMISS = "dismiss"
    PUBLISH = "publish"
    DISCARD = "discard"


ACTION_LABELS: dict[Action, Any] = {
    Action.RECOMPUTE: _("Re-run over the current inputs"),  # 重新计算
    Action.PROPOSE_GRADE: _("Propose a grade change"),  # 提出调档
    Action.APPROVE_GRADE: _("Approve the grade change"),  # 同意调档
    Action.REJECT_GRADE: _("Reject the grade change"),  # 不同意调档
    Action.START_PUBLICITY: _("Start the publicity"),  # 公示
    Action.OBJECT: _("Object"),  # 提出异议
    Action.UPHOLD: _("Uphold the objection"),  # 异议成立
    Action.DISMISS: _("Dismiss the objection"),  # 异议不成立
    Action.PUBLISH: _("Publish"),  # 发布
    Action.DISCARD: _("Discard"),  # 作废
}


class Actor(StrEnum):
    """How a user stands to a run (see the module docstring)."""

    EVALUATOR = "evaluator"
    FIRM = "firm"


#: Row flags the services read.
FOUR_EYES = "four_eyes"  # the approver is not the proposer
NO_PENDING_CHANGES = "no_pending_changes"  # every proposed grade change decided first
OPENS_PUBLICITY = "opens_publicity"  # sets the 公示's start and end dates
DURING_PUBLICITY = "during_publicity"  # only until the 公示's end date (then 409)
AFTER_PUBLICITY = "after_publicity"  # only once the 公示's end date has passed
OBJECTIONS_ANSWERED = "objections_answered"  # every objection answered first
OBJECTION_ROUTE = "objection_route"  # taken through the objection routes
GRADE_ROUTE = "grade_route"  # taken through the grade-change routes

RunTransition = Transition[State, Action]
S, A, R = State, Action, Actor

#: Who owes the next step (我的待办).
WAITS: dict[State, tuple[Wait, ...]] = {
    S.INITIAL: (
        # 待审调档
        Wait(R.EVALUATOR, "to_decide_grade_change", _("Grade change to decide"), when="grade_change_pending"),
        Wait(R.EVALUATOR, "to_publicize_run", _("Evaluation to publicize")),  # 待公示
    ),
    S.PUBLICITY: (
        Wait(R.EVALUATOR, "to_answer_mu_objection", _("Objection to answer"), when="objection_open"),  # 异议待处理
        Wait(R.EVALUATOR, "to_publish_run", _("Evaluation to publish"), when="publicity_over"),  # 公示期满待发布
    ),
}

RUN_TABLE: TransitionTable[State, Action] = TransitionTable(
    name="mujun_run",
    states=tuple((s, STATE_LABELS[s]) for s in State),
    initial=S.INITIAL,
    terminal=frozenset(TERMINAL_STATES),
    waits=WAITS,
    rows=(
        row(A.RECOMPUTE, {S.INITIAL}, None, {R.EVALUATOR}, ACTION_LABELS[A.RECOMPUTE], style="outline-primary"),
        # 调档: proposed by one evaluator, decided by another (four-eyes); the run stays 初评.
        row(A.PROPOSE_GRADE, {S.INITIAL}, None, {R.EVALUATOR}, ACTION_LABELS[A.PROPOSE_GRADE], needs_reason=True,
            flags={GRADE_ROUTE}),
        row(A.APPROVE_GRADE, {S.INITIAL}, None, {R.EVALUATOR}, ACTION_LABELS[A.APPROVE_GRADE],
            flags={GRADE_ROUTE, FOUR_EYES}),
        row(A.REJECT_GRADE, {S.INITIAL}, None, {R.EVALUATOR}, ACTION_LABELS[A.REJECT_GRADE], needs_reason=True,
            flags={GRADE_ROUTE, FOUR_EYES}),
        # 公示: the list goes to the firms in it; the evaluators' own waits there are conditional.
        row(A.START_PUBLICITY, {S.INITIAL}, S.PUBLICITY, {R.EVALUATOR}, ACTION_LABELS[A.START_PUBLICITY],
            notify={R.FIRM}, style="success", flags={OPENS_PUBLICITY, NO_PENDING_CHANGES}),
        # 异议: a firm objects while the 公示 runs; the evaluators answer (the state stays).
        row(A.OBJECT, {S.PUBLICITY}, None, {R.FIRM}, ACTION_LABELS[A.OBJECT], needs_reason=True,
            notify={R.EVALUATOR}, flags={OBJECTION_ROUTE, DURING_PUBLICITY}),
        row(A.UPHOLD, {S.PUBLICITY}, None, {R.EVALUATOR}, ACTION_LABELS[A.UPHOLD], needs_reason=True,
            notify={R.FIRM}, flags={OBJECTION_ROUTE}),
        row(A.DISMISS, {S.PUBLICITY}, None, {R.EVALUATOR}, ACTION_LABELS[A.DISMISS], needs_reason=True,
            notify={R.FIRM}, flags={OBJECTION_ROUTE}),
        # 发布: final, once the 公示 is over and every objection answered; freezes the scheme.
        row(A.PUBLISH, {S.PUBLICITY}, S.PUBLISHED, {R.EVALUATOR}, ACTION_LABELS[A.PUBLISH], notify={R.FIRM},
            style="success", flags={AFTER_PUBLICITY, OBJECTIONS_ANSWERED}),
        row(A.DISCARD, {S.INITIAL}, S.DISCARDED, {R.EVALUATOR}, ACTION_LABELS[A.DISCARD], needs_reason=True,
            style="outline-danger"),
    ),
)

#: The entry into the machine: a run is computed (not a row: nothing leads from a state to it).
RUN: Transition[str, str] = row("run", (), S.INITIAL.value, {R.EVALUATOR}, _("Run the evaluation"), notify=set())

#: The actions ``/actions/{action}`` takes (objections and grade changes have their own routes).
STEP_ACTIONS: tuple[str, ...] = tuple(
    r.action.value for r in RUN_TABLE.rows if not (r.has(OBJECTION_ROUTE) or r.has(GRADE_ROUTE))
)


def transition_for(action: str, state: str) -> RunTransition | None:
    """The row that takes ``action`` from ``state``, or None when the table forbids it."""
    return RUN_TABLE.transition_for(action, state)
