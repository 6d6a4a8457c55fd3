"""THE transition table of a funds-in-place entry (资金到位), one ``core.transitions.TransitionTable``.

An entry is never edited. It is 填报 (``reported``) by the county, then 核查 by the city: 核实
(``verified``, with its 到账凭证) or 退回 (``rejected``, with the reason). Only verified active
entries count in targets, rankings and the cockpit (docs/targets.md, "Funds verification").
A correction *supersedes* an entry (the correction is a new, reported entry pointing back with
``replaces``), so the history of the figure stays. The rows:

- ``correct``: reported | verified → superseded, by a project editor (role codes; which
  projects, the selectors' scope rule ``can_edit_project``), with a reason (the correction's
  note). The correction starts again as reported: a changed figure is checked again.
- ``verify``: reported → verified, by the city's verifier (``VERIFIERS``), with evidence.
- ``reject``: reported → rejected, by the verifier, with a reason. A rejected entry leaves the
  active set (``superseded_at`` is set when it is returned) so the county can enter the month
  again; it stays in the history with the reason.

Who verifies (a decision, docs/targets.md): the city's 招商服务中心, whose accounts hold the
city-wide ``city_admin`` role — a unit-scoped account of that centre could not even see the
counties' projects. Never the person who entered the entry (four eyes): the services refuse
that with 403, so a county can never verify its own figure.

The state is derived from two columns (``state_of``): ``verification`` and ``superseded_at``.
``services`` look every change up with ``TABLE.transition_for``; the project page offers the
actions the table allows (``correctable``, ``checkable``). The verifier waits on a reported
entry (待核查到位资金, the to-do list).

No Django here beyond ``gettext_lazy`` for the labels.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Protocol

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import TransitionTable, Wait, row
from zhaoyin.projects.flow import EDITORS

#: Who 核查 funds entries: the city's 招商服务中心 (city_admin accounts; see the docstring).
VERIFIERS: frozenset[str] = frozenset({Role.CITY_ADMIN.value})


class State(StrEnum):
    """The states of an entry."""

    REPORTED = "reported"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class Action(StrEnum):
    CORRECT = "correct"
    VERIFY = "verify"
    REJECT = "reject"


TABLE: TransitionTable[State, Action] = TransitionTable(
    name="fund_entry",
    states=(
        (State.REPORTED, pgettext_lazy("funds", "Reported")),
        (State.VERIFIED, _("Verified")),
        (State.REJECTED, _("Returned")),
        (State.SUPERSEDED, _("Superseded")),
    ),
    initial=State.REPORTED,
    terminal=frozenset({State.SUPERSEDED, State.REJECTED}),
    rows=(
        row(Action.CORRECT, {State.REPORTED, State.VERIFIED}, State.SUPERSEDED, EDITORS, _("Correct"),
            needs_reason=True, notify=()),
        row(Action.VERIFY, {State.REPORTED}, State.VERIFIED, VERIFIERS, _("Verify"), style="outline-success",
            notify=()),
        row(Action.REJECT, {State.REPORTED}, State.REJECTED, VERIFIERS, _("Return"), needs_reason=True,
            style="outline-danger", notify=()),
    ),
    waits={State.REPORTED: (Wait(Role.CITY_ADMIN.value, "funds_to_verify", _("Funds in place to verify")),)},
)


class _Entry(Protocol):
    @property
    def superseded_at(self) -> dt.datetime | None: ...

    @property
    def verification(self) -> str: ...

    @property
    def entered_by_id(self) -> int | None: ...


def state_of(entry: _Entry) -> State:
    """An entry's state: rejected, superseded (``superseded_at`` set otherwise), else its
    verification (reported or verified)."""
    if entry.verification == State.REJECTED:
        return State.REJECTED
    if entry.superseded_at is not None:
        return State.SUPERSEDED
    return State(entry.verification)


def correctable(entry: _Entry) -> bool:
    """Whether the table lets ``entry`` be corrected (the project page's choices)."""
    return TABLE.transition_for(Action.CORRECT, state_of(entry)) is not None


def checkable(entry: _Entry) -> bool:
    """Whether the table lets ``entry`` be verified or returned (the verifier's buttons)."""
    return TABLE.transition_for(Action.VERIFY, state_of(entry)) is not None


def entered_by(entry: _Entry, user_pk: int | None) -> bool:
    """Four eyes: whether the account ``user_pk`` entered ``entry`` — it may then never verify
    or return it, whatever its role (the service refuses, the page and the to-do list do not
    offer it, the queue does not list it)."""
    return user_pk is not None and entry.entered_by_id == user_pk


def may_check(entry: _Entry, *, user_pk: int | None, role_codes: frozenset[str]) -> bool:
    """Whether an account (its id and role codes) may verify or return ``entry`` now: the
    table allows it from the entry's state, the account holds the row's role, and did not
    enter the entry."""
    return (
        checkable(entry) and TABLE.by_action[Action.VERIFY].may(role_codes) and not entered_by(entry, user_pk)
    )
