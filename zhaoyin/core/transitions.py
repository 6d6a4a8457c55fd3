"""THE transition-table type: every state machine of the platform is one ``TransitionTable``.

A table is a list of rows, one per action: the states the action may be taken from, the state
it leads to (``None``: the state stays, e.g. an extension request), who may take it, whether it
needs a reason, and who must act next and is told (``notify``). Alongside the rows, ``waits``
says, for each state, who owes the next step and under which to-do heading (待签收, 待审核 …).

Everything that knows a machine reads its table and nothing else:

- the services look every change up with ``transition_for`` (a change the table does not list is
  refused, whoever asks);
- the detail pages draw their buttons from ``actions_from`` / ``manual_rows_from``;
- the flowchart (服务流程图) is drawn from ``states`` and ``edges`` and cached per ``version``;
- the hand-off notices are sent to ``row.notify`` (so a row that hands work to somebody cannot
  forget to tell them: ``notify`` defaults to whoever ``waits`` on the row's target state);
- each user's to-do list (我的待办) is computed from ``waits``;
- the authorization matrix test walks the rows.

Actors are plain strings chosen by each machine: a *relation* of the user to the object for
matters (``lead_unit``, ``dispatcher`` …), a role code for machines decided by role alone
(payouts, policies). The table does not decide whether a given user holds an actor; the
owning app's selectors do.

No Django here beyond lazy translation objects passed in as labels: the flowchart generator
and the pure tests import it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

S = TypeVar("S", bound=str)  # a state code (usually a StrEnum)
A = TypeVar("A", bound=str)  # an action code

#: Every table by its ``name``, filled as each is built (at import of its app's flow module):
#: what reads a machine's words without importing its app reads them here (the audit log's
#: action labels, issue 16).
TABLES: dict[str, TransitionTable[Any, Any]] = {}

#: The system's own actor: a row only the daily job or the scan takes (e.g. a policy expiring).
SYSTEM = "system"


@dataclass(frozen=True)
class Wait:
    """Who owes the next step while an object is in a state, and the to-do heading it is listed
    under (e.g. the lead unit under 待签收 while a matter is ``assigned``)."""

    actor: str
    todo: str  # the to-do kind's code, e.g. "to_sign"
    label: Any  # its heading, e.g. gettext_lazy("To sign for")
    #: A condition the owning app's to-do provider checks besides the state ("" = none), e.g.
    #: "extension_pending": the dispatcher owes an answer only while a request waits.
    when: str = ""


@dataclass(frozen=True)
class Transition(Generic[S, A]):
    """One row of a table."""

    action: A
    sources: frozenset[S]
    target: S | None  # None: the state stays
    actors: frozenset[str]
    label: Any
    needs_reason: bool = False
    #: Who is given work by this step and told so (inbox + outbox). ``None`` in the constructor
    #: means "whoever waits on the target state"; the table fills it in (see ``TransitionTable``).
    notify: frozenset[str] | None = None
    #: Bootstrap button style on the detail page.
    style: str = "outline-secondary"
    #: Machine-specific marks its services read (e.g. payouts' "four_eyes", "needs_amount").
    flags: frozenset[str] = frozenset()

    def has(self, flag: str) -> bool:
        """Whether the row carries ``flag``."""
        return flag in self.flags

    @property
    def manual(self) -> bool:
        """Taken by a person (a button, an API action); False: only by the system."""
        return self.actors != frozenset({SYSTEM})

    def leads_to(self, source: S) -> S:
        """The state after taking this row from ``source``."""
        return self.target if self.target is not None else source

    def may(self, actors: Iterable[str]) -> bool:
        """Whether a user holding ``actors`` may take this row."""
        return not self.actors.isdisjoint(actors)


def row(
    action: A,
    sources: Iterable[S],
    target: S | None,
    actors: Iterable[str],
    label: Any,
    *,
    needs_reason: bool = False,
    notify: Iterable[str] | None = None,
    style: str = "outline-secondary",
    flags: Iterable[str] = (),
) -> Transition[S, A]:
    """Build a row from any iterables (sets read best in a table)."""
    return Transition(
        action=action,
        sources=frozenset(sources),
        target=target,
        actors=frozenset(actors),
        label=label,
        needs_reason=needs_reason,
        notify=None if notify is None else frozenset(notify),
        style=style,
        flags=frozenset(flags),
    )


@dataclass(frozen=True)
class TransitionTable(Generic[S, A]):
    """A whole state machine: its states in lifecycle order, its rows, and who waits where."""

    name: str  # the machine's code, e.g. "matter"; the notices' ``kind`` prefix
    states: tuple[tuple[S, Any], ...]  # (state, label) in lifecycle order
    initial: S
    rows: tuple[Transition[S, A], ...]
    terminal: frozenset[S] = frozenset()
    waits: Mapping[S, tuple[Wait, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = {s for s, _label in self.states}
        seen: set[str] = set()
        filled: list[Transition[S, A]] = []
        for r in self.rows:
            if r.action in seen:
                raise ValueError(f"{self.name}: action {r.action!r} has two rows")
            seen.add(r.action)
            unknown = (set(r.sources) | ({r.target} if r.target is not None else set())) - known
            if unknown:
                raise ValueError(f"{self.name}.{r.action}: unknown states {sorted(unknown)}")
            if r.notify is None:
                target_waits = self.waits.get(r.target, ()) if r.target is not None else ()
                # A conditional wait (``when``) is not owed on arrival: it is not notified by default.
                r = dataclasses.replace(r, notify=frozenset(w.actor for w in target_waits if not w.when))
            filled.append(r)
        if set(self.waits) - known:
            raise ValueError(f"{self.name}: waits on unknown states {sorted(set(self.waits) - known)}")
        object.__setattr__(self, "rows", tuple(filled))
        TABLES[self.name] = self

    # -- looking rows up ------------------------------------------------------------------

    @property
    def by_action(self) -> dict[A, Transition[S, A]]:
        """The rows by action, in the table's order."""
        return {r.action: r for r in self.rows}

    @property
    def actions(self) -> tuple[A, ...]:
        return tuple(r.action for r in self.rows)

    def get(self, action: str) -> Transition[S, A] | None:
        """The row of ``action``, or None when the machine has no such action."""
        for r in self.rows:
            if r.action == action:
                return r
        return None

    def transition_for(self, action: str, state: str) -> Transition[S, A] | None:
        """The row that takes ``action`` from ``state``, or None when the table forbids it."""
        r = self.get(action)
        if r is None or state not in r.sources:
            return None
        return r

    def rows_from(self, state: str) -> list[Transition[S, A]]:
        """Every row that may be taken from ``state``, in the table's order."""
        return [r for r in self.rows if state in r.sources]

    def actions_from(self, state: str) -> list[A]:
        return [r.action for r in self.rows_from(state)]

    def manual_rows_from(self, state: str, actors: Iterable[str] | None = None) -> list[Transition[S, A]]:
        """The rows a person (holding ``actors``, when given) may take from ``state``: the
        detail page's buttons."""
        held = None if actors is None else frozenset(actors)
        return [r for r in self.rows_from(state) if r.manual and (held is None or r.may(held))]

    def needs_reason(self, action: str) -> bool:
        r = self.get(action)
        return bool(r and r.needs_reason)

    @property
    def reason_required(self) -> frozenset[A]:
        return frozenset(r.action for r in self.rows if r.needs_reason)

    def label_of(self, state: str) -> Any:
        for s, label in self.states:
            if s == state:
                return label
        return state

    # -- who waits ------------------------------------------------------------------------

    def waits_in(self, state: str) -> tuple[Wait, ...]:
        """Who owes the next step while an object is in ``state``."""
        for s, waits in self.waits.items():
            if s == state:
                return waits
        return ()

    def waiting_states(self, actor: str) -> dict[str, list[S]]:
        """For one actor: to-do code → the states in which that actor owes the next step."""
        out: dict[str, list[S]] = {}
        for s, waits in self.waits.items():
            for w in waits:
                if w.actor == actor:
                    out.setdefault(w.todo, []).append(s)
        return out

    @property
    def todo_labels(self) -> dict[str, Any]:
        """To-do code → heading, over the whole table."""
        return {w.todo: w.label for waits in self.waits.values() for w in waits}

    # -- drawing --------------------------------------------------------------------------

    def edges(self, *, with_loops: bool = True) -> list[tuple[S, S, Any]]:
        """(from, to, action label) of every row from every source, self-loops included when
        asked: the flowchart's arrows, in the table's order."""
        order = [s for s, _label in self.states]
        out: list[tuple[S, S, Any]] = []
        for r in self.rows:
            for source in sorted(r.sources, key=order.index):
                target = r.leads_to(source)
                if target != source or with_loops:
                    out.append((source, target, r.label))
        return out

    @property
    def version(self) -> str:
        """A digest of everything the flowchart draws: a cache key that changes with the table."""
        parts = [self.name, str(self.initial), ",".join(sorted(self.terminal))]
        parts += [f"{s}" for s, _label in self.states]
        for r in self.rows:
            parts.append(f"{r.action}:{','.join(sorted(r.sources))}>{r.target}:{','.join(sorted(r.actors))}")
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
