"""我的待办: each user's to-do list, computed from the state machines' ``waits``.

Every app with a state machine registers one ``TodoProvider`` from its ``AppConfig.ready``
(the kernel imports no app). A provider reads its own table's ``waits`` (who owes the next
step in each state, under which heading: 待签收, 待审核, 待审批 …) and its own scoped
selectors, and answers for one user:

- ``todo``: the items waiting for the user — or for the user's unit: a unit's list covers its
  administrators and staff alike — at most ``limit``, each with its deadline and light;
- ``counts``: how many items per heading (the menu badge and the page's headings);
- ``raised``: what the user raised or dispatched (我发起的), most recently changed first;
- ``done``: what the user recently acted on (已办), newest first.

Each of these is a fixed number of queries whatever the data size; ``todo_for`` merges the
providers' answers, oldest due first (no deadline last, then the longest waiting).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from zhaoyin.accounts.models import User

#: The light of an item: its deadline passed, near, or not yet (none: no deadline runs).
RED, YELLOW, GREEN = "red", "yellow", "green"
#: How many items the page, the home panel and the API show at most (the counts are exact).
LIMIT = 100
#: How many entries of 我发起的 and 已办.
RECENT = 20


@dataclass(frozen=True)
class TodoItem:
    """One piece of work waiting for the user."""

    kind: str  # the heading's code, e.g. "to_sign" (a ``Wait.todo``)
    heading: str  # e.g. 待签收
    machine: str  # the table's name, e.g. "matter"
    code: str  # the object's number or short name
    label: str  # the object's title
    link: str  # its page (scoped again there)
    deadline: dt.date | None = None
    light: str = ""  # RED, YELLOW, GREEN or "" (no deadline runs)
    since: dt.datetime | None = None  # since when it has been waiting
    unit: str = ""  # who holds it (the lead unit, the enterprise's unit …)

    def sort_key(self) -> tuple[Any, ...]:
        """Oldest due first; without a deadline after those with one, the longest waiting first."""
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        return (self.deadline is None, self.deadline or dt.date.max, self.since or far, self.machine, self.code)


@dataclass(frozen=True)
class TrackedItem:
    """One entry of 我发起的 or 已办: an object, where it stands, and when."""

    machine: str
    code: str
    label: str
    link: str
    state: str  # the state's label now
    at: dt.datetime  # last changed (我发起的) or when the user acted (已办)
    what: str = ""  # 已办: the action's label


class TodoProvider(Protocol):
    """One app's part of the to-do list (see the module docstring)."""

    name: str

    def counts(self, user: User) -> dict[str, int]:
        """Items per heading code (only headings with items)."""
        ...

    def headings(self) -> dict[str, Any]:
        """Heading code → label, for every heading the provider can list."""
        ...

    def todo(self, user: User, *, limit: int) -> list[TodoItem]:
        ...

    def raised(self, user: User, *, limit: int) -> list[TrackedItem]:
        ...

    def done(self, user: User, *, limit: int) -> list[TrackedItem]:
        ...


_PROVIDERS: dict[str, TodoProvider] = {}


def register(provider: TodoProvider) -> None:
    """Add an app's provider (from its ``AppConfig.ready``); registering a name again replaces it."""
    _PROVIDERS[provider.name] = provider


def providers() -> list[TodoProvider]:
    """The registered providers, in registration order."""
    return list(_PROVIDERS.values())


@dataclass
class Heading:
    """A heading of the list with its count (待签收 3)."""

    kind: str
    label: str
    count: int


@dataclass
class TodoList:
    """A user's whole list: the items, the counts per heading, 我发起的 and 已办."""

    items: list[TodoItem] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    raised: list[TrackedItem] = field(default_factory=list)
    done: list[TrackedItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(h.count for h in self.headings)


def _business(user: User) -> bool:
    return bool(user.is_authenticated and not user.admin_role)


def todo_count(user: User) -> int:
    """How many items wait for ``user`` (the menu badge): one count query per provider."""
    if not _business(user):
        return 0
    return sum(sum(p.counts(user).values()) for p in _PROVIDERS.values())


def todo_for(user: User, *, limit: int = LIMIT, recent: int = RECENT, tracked: bool = True) -> TodoList:
    """The user's list, oldest due first (``tracked=False``: without 我发起的 and 已办)."""
    out = TodoList()
    if not _business(user):
        return out
    items: list[TodoItem] = []
    for p in _PROVIDERS.values():
        counts = p.counts(user)
        labels = p.headings()
        out.headings += [Heading(kind, str(labels.get(kind, kind)), n) for kind, n in counts.items() if n]
        if counts:
            items += p.todo(user, limit=limit)
        if tracked:
            out.raised += p.raised(user, limit=recent)
            out.done += p.done(user, limit=recent)
    out.items = sorted(items, key=TodoItem.sort_key)[:limit]
    out.raised = sorted(out.raised, key=lambda t: t.at, reverse=True)[:recent]
    out.done = sorted(out.done, key=lambda t: t.at, reverse=True)[:recent]
    return out


def sorted_items(items: Sequence[TodoItem]) -> list[TodoItem]:
    """``items`` oldest due first (the order of every to-do list)."""
    return sorted(items, key=TodoItem.sort_key)
