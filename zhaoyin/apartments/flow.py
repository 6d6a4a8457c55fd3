"""THE two transition tables of the talent apartments (``core.transitions.TransitionTable``).

An application (住房申请): submitted → reviewed onto the waitlist (候补) or rejected → allocated a
unit (配房; the unit becomes ``reserved``) → contracted (签约: the tenancy starts, the unit is
``occupied``) → ended when the tenancy is checked out. An allocation may be released (the talent
declines; back onto the waitlist, the unit free again); an open application may be withdrawn.

A tenancy (租赁合同): active → renewed (stays active with a new end, kept in the renewal
history) → ended by a check-out (退租: reason, day, inspection note; the unit is free again).

Actors are role codes; the services add the scope (``apartments.services.may_take``): the
talent office and city admins anywhere, unit admins and staff on units of the buildings of
their subtree, the talent on their own application.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from zhaoyin.apartments.models import ApplicationState, TenancyState
from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import SYSTEM, Transition, TransitionTable, Wait, row


class ApplicationAction(StrEnum):
    """What can happen to an application; the value is the API's action name."""

    REVIEW = "review"
    REJECT = "reject"
    ALLOCATE = "allocate"
    RELEASE = "release"
    CONTRACT = "contract"
    WITHDRAW = "withdraw"
    CLOSE = "close"


class TenancyAction(StrEnum):
    """What can happen to a tenancy; the value is the API's action name."""

    RENEW = "renew"
    CHECKOUT = "checkout"


#: Who reviews applications: the talent office (人才办) and city admins.
REVIEWERS: frozenset[str] = frozenset({Role.TALENT_OFFICE.value, Role.CITY_ADMIN.value})
#: Who allocates, contracts, renews and checks out: the reviewers anywhere, unit admins and
#: staff on the buildings of their subtree (住建局, a park, a county).
HOUSING: frozenset[str] = frozenset(REVIEWERS | {Role.UNIT_ADMIN.value, Role.STAFF.value})
#: Who applies: the talent for themself, staff for a talent of their scope.
APPLICANTS: frozenset[str] = frozenset(HOUSING | {Role.TALENT.value})
#: The talent of the application (notices); a role code too: the portal user.
TALENT = Role.TALENT.value

#: Row flags the services read.
NEEDS_UNIT = "needs_unit"  # allocate: a unit (or the next free one)
NEEDS_TERM = "needs_term"  # contract: start, end, deposit
NEEDS_END = "needs_end"  # renew: the new end
NEEDS_CHECKOUT = "needs_checkout"  # checkout: reason, day, inspection

_A = ApplicationState
APPLICATION_TABLE: TransitionTable[str, ApplicationAction] = TransitionTable(
    name="apartment_application",
    states=tuple((s.value, s.label) for s in ApplicationState),
    initial=_A.SUBMITTED.value,
    terminal=frozenset({_A.REJECTED.value, _A.WITHDRAWN.value, _A.ENDED.value}),
    waits={
        _A.SUBMITTED.value: (Wait(Role.TALENT_OFFICE.value, "apt_to_review", _("Apartment applications to review")),),
        _A.ALLOCATED.value: (Wait(Role.TALENT_OFFICE.value, "apt_to_contract", _("Allocations to contract")),),
    },
    rows=(
        row(ApplicationAction.REVIEW, {_A.SUBMITTED.value}, _A.WAITLISTED.value, REVIEWERS,
            _("Approve to the waitlist"), style="success", notify={TALENT}),
        row(ApplicationAction.REJECT, {_A.SUBMITTED.value, _A.WAITLISTED.value}, _A.REJECTED.value, REVIEWERS,
            _("Reject"), needs_reason=True, style="outline-danger", notify={TALENT}),
        row(ApplicationAction.ALLOCATE, {_A.WAITLISTED.value}, _A.ALLOCATED.value, HOUSING, _("Allocate a unit"),
            style="primary", flags={NEEDS_UNIT}, notify={TALENT}),
        row(ApplicationAction.RELEASE, {_A.ALLOCATED.value}, _A.WAITLISTED.value, HOUSING,
            _("Release the unit"), needs_reason=True, notify={TALENT}),
        row(ApplicationAction.CONTRACT, {_A.ALLOCATED.value}, _A.CONTRACTED.value, HOUSING, _("Sign the contract"),
            style="success", flags={NEEDS_TERM}, notify={TALENT}),
        row(ApplicationAction.WITHDRAW, {_A.SUBMITTED.value, _A.WAITLISTED.value, _A.ALLOCATED.value},
            _A.WITHDRAWN.value, {TALENT, *REVIEWERS}, _("Withdraw"), style="outline-danger", notify=()),
        # Taken by the check-out of the application's tenancy, never by a button.
        row(ApplicationAction.CLOSE, {_A.CONTRACTED.value}, _A.ENDED.value, {SYSTEM}, _("Close"), notify=()),
    ),
)
#: The entry into the machine: a submission hands the application to the reviewers.
SUBMIT: Transition[str, str] = row(
    "submit", (), _A.SUBMITTED.value, APPLICANTS, _("Apply"), notify={Role.TALENT_OFFICE.value}
)

_T = TenancyState
TENANCY_TABLE: TransitionTable[str, TenancyAction] = TransitionTable(
    name="apartment_tenancy",
    states=tuple((s.value, s.label) for s in TenancyState),
    initial=_T.ACTIVE.value,
    terminal=frozenset({_T.ENDED.value}),
    rows=(
        row(TenancyAction.RENEW, {_T.ACTIVE.value}, None, HOUSING, _("Renew"), style="primary",
            flags={NEEDS_END}, notify={TALENT}),
        row(TenancyAction.CHECKOUT, {_T.ACTIVE.value}, _T.ENDED.value, HOUSING, _("Check out"),
            style="outline-danger", flags={NEEDS_CHECKOUT}, notify={TALENT}),
    ),
)

#: The action names the API's action route takes (the tenancy's act on the application's tenancy).
APPLICATION_ACTIONS: tuple[str, ...] = tuple(r.action.value for r in APPLICATION_TABLE.rows if r.manual)
TENANCY_ACTIONS: tuple[str, ...] = tuple(r.action.value for r in TENANCY_TABLE.rows)
API_ACTIONS: tuple[str, ...] = (*APPLICATION_ACTIONS, *TENANCY_ACTIONS)


def label_of(action: str) -> str:
    """The on-screen name of an action of either table."""
    found = APPLICATION_TABLE.get(action) or TENANCY_TABLE.get(action)
    return str(found.label) if found is not None else action
