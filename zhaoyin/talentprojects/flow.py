"""THE transition table of a talent project (人才项目申报), one ``core.transitions.TransitionTable``.

推荐 → 立项 → 资金 as rows:

- ``recommend``: applied → recommended (推荐), by the unit (county, park, department staff of
  the talent's subtree), the talent office or the city admin.
- ``not_recommend``: applied → declined, by the same, with a reason.
- ``approve``: recommended → approved (立项) with the approved amount (万元), by the talent
  office or the city admin.
- ``reject``: recommended → declined (不予立项), by the same, with a reason.
- ``fund``: approved or funded → funded (资金拨付), by the same: records one disbursement
  (date, amount); a project is paid in one or more instalments, never beyond its approved
  amount.
- ``withdraw``: applied or recommended → withdrawn (撤回), by whoever may recommend or by the
  talent themself in the portal (their own application only), with a reason.

Actors are role codes; which projects a unit role reaches is the selectors' scope rule (the
``talent`` role on ``withdraw`` reaches the talent's own applications only). Who waits and is
told (``WAITS``, the rows' ``notify``) are the machine's own words, resolved to people by
``todo.TalentProjectResolver``: ``recommender`` (the roles of ``RECOMMENDERS`` whose scope holds
the project), ``decider`` (``DECIDERS``) and ``applicant`` (the talent's portal account and whoever
registered the application). The
services look every change up with ``TABLE.transition_for`` (a move the table does not list
answers 409, an actor it does not name 403); the detail page draws its buttons from
``TABLE.manual_rows_from``. No Django here beyond ``gettext_lazy`` for the labels.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import Transition, TransitionTable, Wait, row


class State(StrEnum):
    """The states of a talent project (``models.ProjectState``'s values)."""

    APPLIED = "applied"
    RECOMMENDED = "recommended"
    APPROVED = "approved"
    FUNDED = "funded"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    """What can happen to a talent project; each is one service, API operation and button."""

    RECOMMEND = "recommend"
    NOT_RECOMMEND = "not_recommend"
    APPROVE = "approve"
    REJECT = "reject"
    FUND = "fund"
    WITHDRAW = "withdraw"


#: Who registers and recommends (推荐单位): the unit roles within their scope, the talent
#: office and the city admin everywhere.
RECOMMENDERS: frozenset[str] = frozenset(
    {Role.UNIT_ADMIN.value, Role.STAFF.value, Role.TALENT_OFFICE.value, Role.CITY_ADMIN.value}
)
#: Who approves and funds (立项, 资金): the talent office and the city admin.
DECIDERS: frozenset[str] = frozenset({Role.TALENT_OFFICE.value, Role.CITY_ADMIN.value})

#: The actors who wait and are told (the resolver turns them into people).
RECOMMENDER = "recommender"
DECIDER = "decider"
APPLICANT = "applicant"
#: The condition of the wait on a funded project: part of the approved amount is still unpaid.
FUNDS_LEFT = "funds_left"

#: Who owes the next step in each state (我的待办); the declined and withdrawn ones owe nothing.
WAITS: dict[State, tuple[Wait, ...]] = {
    State.APPLIED: (Wait(RECOMMENDER, "tp_to_recommend", _("Talent projects to recommend")),),  # 待推荐
    State.RECOMMENDED: (Wait(DECIDER, "tp_to_approve", _("Talent projects to approve")),),  # 待立项
    State.APPROVED: (Wait(DECIDER, "tp_to_fund", _("Talent projects to fund")),),  # 待拨付
    State.FUNDED: (Wait(DECIDER, "tp_to_fund", _("Talent projects to fund"), when=FUNDS_LEFT),),
}

TABLE: TransitionTable[State, Action] = TransitionTable(
    name="talent_project",
    states=(
        (State.APPLIED, pgettext_lazy("talent project state", "Applied")),
        (State.RECOMMENDED, pgettext_lazy("talent project state", "Recommended")),
        (State.APPROVED, pgettext_lazy("talent project state", "Approved")),
        (State.FUNDED, pgettext_lazy("talent project state", "Funded")),
        (State.DECLINED, pgettext_lazy("talent project state", "Declined")),
        (State.WITHDRAWN, pgettext_lazy("talent project state", "Withdrawn")),
    ),
    initial=State.APPLIED,
    terminal=frozenset({State.DECLINED, State.WITHDRAWN}),
    waits=WAITS,
    # The talent is told of every decision on their application (the portal shows each step);
    # the next actor of the step is told by the waits. The actor is never told: a talent's own
    # withdrawal tells only the staff member who registered it for them, if anyone (the staff's
    # waits simply end); staff withdrawing tells the talent.
    rows=(
        row(Action.RECOMMEND, {State.APPLIED}, State.RECOMMENDED, RECOMMENDERS, _("Recommend"), style="primary",
            notify={DECIDER, APPLICANT}),
        row(Action.NOT_RECOMMEND, {State.APPLIED}, State.DECLINED, RECOMMENDERS, _("Do not recommend"),
            needs_reason=True, style="outline-danger", notify={APPLICANT}),
        row(Action.APPROVE, {State.RECOMMENDED}, State.APPROVED, DECIDERS, _("Approve"), style="primary",
            flags={"needs_amount"}, notify={DECIDER, APPLICANT}),
        row(Action.REJECT, {State.RECOMMENDED}, State.DECLINED, DECIDERS, _("Reject"), needs_reason=True,
            style="outline-danger", notify={APPLICANT}),
        row(Action.FUND, {State.APPROVED, State.FUNDED}, State.FUNDED, DECIDERS, _("Record a disbursement"),
            style="primary", flags={"needs_amount"}, notify={APPLICANT}),
        row(Action.WITHDRAW, {State.APPLIED, State.RECOMMENDED}, State.WITHDRAWN,
            RECOMMENDERS | {Role.TALENT.value}, _("Withdraw"), needs_reason=True, style="outline-secondary",
            notify={APPLICANT}),
    ),
)
#: The entry into the machine: an application (申报) hands the work to the recommenders.
APPLY: Transition[State, str] = row("apply", (), State.APPLIED, {Role.TALENT.value, *RECOMMENDERS},
                                    _("Apply"), notify={RECOMMENDER})
#: The actions the talent's own routes take (the portal page, ``/me/talent-projects``).
PORTAL_ACTIONS: tuple[Action, ...] = (Action.WITHDRAW,)
