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
- ``withdraw``: applied or recommended → withdrawn (撤回), by whoever may recommend, with a
  reason.

Actors are role codes; which projects a unit role reaches is the selectors' scope rule. The
services look every change up with ``TABLE.transition_for`` (a move the table does not list
answers 409, an actor it does not name 403); the detail page draws its buttons from
``TABLE.manual_rows_from``. No Django here beyond ``gettext_lazy`` for the labels.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import TransitionTable, row


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
    rows=(
        row(Action.RECOMMEND, {State.APPLIED}, State.RECOMMENDED, RECOMMENDERS, _("Recommend"), style="primary"),
        row(Action.NOT_RECOMMEND, {State.APPLIED}, State.DECLINED, RECOMMENDERS, _("Do not recommend"),
            needs_reason=True, style="outline-danger"),
        row(Action.APPROVE, {State.RECOMMENDED}, State.APPROVED, DECIDERS, _("Approve"), style="primary",
            flags={"needs_amount"}),
        row(Action.REJECT, {State.RECOMMENDED}, State.DECLINED, DECIDERS, _("Reject"), needs_reason=True,
            style="outline-danger"),
        row(Action.FUND, {State.APPROVED, State.FUNDED}, State.FUNDED, DECIDERS, _("Record a disbursement"),
            style="primary", flags={"needs_amount"}),
        row(Action.WITHDRAW, {State.APPLIED, State.RECOMMENDED}, State.WITHDRAWN, RECOMMENDERS, _("Withdraw"),
            needs_reason=True, style="outline-secondary"),
    ),
)
