"""THE transition table of a funds-in-place entry (资金到位), one ``core.transitions.TransitionTable``.

An entry is never edited: it is *active* until a correction *supersedes* it (the correction is a
new active entry pointing back with ``replaces``, so the history of the figure stays). That is
the whole machine, one row:

- ``correct``: active → superseded, by a project editor (role codes; which projects, the
  selectors' scope rule ``can_edit_project``), with a reason (the correction's note).

The state is not a column: an entry is superseded when ``superseded_at`` is set
(``state_of``). ``services.fund_entry_correct`` looks the change up here with
``TABLE.transition_for``, and the project page offers the correction for the entries the table
lets be corrected (``correctable``). Recording a new entry (``fund_entry_add``) creates an
active entry; it is not a change of state. Nobody waits on an entry, so there are no ``waits``.

No Django here beyond ``gettext_lazy`` for the labels.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from zhaoyin.core.transitions import TransitionTable, row
from zhaoyin.projects.flow import EDITORS


class State(StrEnum):
    """The states of an entry."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"


class Action(StrEnum):
    CORRECT = "correct"


TABLE: TransitionTable[State, Action] = TransitionTable(
    name="fund_entry",
    states=((State.ACTIVE, _("Active")), (State.SUPERSEDED, _("Superseded"))),
    initial=State.ACTIVE,
    terminal=frozenset({State.SUPERSEDED}),
    rows=(row(Action.CORRECT, {State.ACTIVE}, State.SUPERSEDED, EDITORS, _("Correct"), needs_reason=True),),
)


class _Entry(Protocol):
    @property
    def superseded_at(self) -> dt.datetime | None: ...


def state_of(entry: _Entry) -> State:
    """An entry's state: superseded once ``superseded_at`` is set."""
    return State.ACTIVE if entry.superseded_at is None else State.SUPERSEDED


def correctable(entry: _Entry) -> bool:
    """Whether the table lets ``entry`` be corrected (the project page's choices)."""
    return TABLE.transition_for(Action.CORRECT, state_of(entry)) is not None
