"""Hand-off notices: every transition that gives somebody work tells them, from the table row.

A state machine (a ``zhaoyin.core.transitions.TransitionTable``) names, on each row, who is
given work by the step (``row.notify``: actors such as ``lead_unit`` or ``approver``). The
owning app registers one ``HandoffResolver`` per table from its ``AppConfig.ready``; the
service that applies a row calls ``hand_off`` from the one place every row goes through
(matters: ``services._move``; payouts: ``payouts._transition``), so a new row cannot forget
its notice. After the transition commits (``transaction.on_commit``; a rolled-back step tells
nobody), ``deliver``:

1. reloads the object through the resolver (its state after the step);
2. resolves each actor of ``row.notify`` to people (``resolver.recipients``), drops the
   person who acted, inactive accounts and the 三员, and keeps only those who may see the
   object (``resolver.may_see``, the app's own scope rule) — each person once per step;
3. writes one notification each through ``notify_many`` (the inbox at once, the outbox's
   e-mail / SMS rows for delivery), kind ``<table>.<action>`` (``matter.assign``,
   ``payout.reject`` …).

Deduplication with the escalation scan (zhaoyin.matters.scan): the scan's kinds
(``matter.remind`` / ``urge`` / ``supervise`` / ``listed``) are about deadlines, the hand-off
kinds about steps, and no row notifies what the scan already announces (挂牌督办 has no
``notify``: the scan's ``listed`` notice is its notice). A resolver may also record, after
sending, that its notice stands for a scan notice due at the same moment (``issued``): the
matters resolver marks the "deadline approaching" reminder of a clock that starts inside the
reminder window as issued, so the unit is not told twice within minutes.

A failure after commit is logged, never turned into an error of the step that succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import translation

from zhaoyin.accounts.models import User
from zhaoyin.core.transitions import Transition, TransitionTable
from zhaoyin.notifications.services import NewNotification, notify_many

logger = logging.getLogger("zhaoyin.notifications.handoff")


@dataclass(frozen=True)
class Notice:
    """The text of a hand-off notice and what it links to (the same for every recipient)."""

    title: str
    body: str
    link: str
    object_type: str
    object_id: str


class HandoffResolver(Protocol):
    """What a machine's app tells the mechanism about its objects and actors."""

    #: The actors this resolver turns into people (every ``notify`` actor of the table).
    actors: frozenset[str]

    def load(self, pk: int) -> Any | None:
        """The object as committed, with what ``recipients``/``may_see`` read (None: gone)."""
        ...

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        """The people who hold ``actor`` for ``obj`` (the mechanism filters them further)."""
        ...

    def may_see(self, user: User, obj: Any) -> bool:
        """Whether ``user``'s scope includes ``obj`` (a notice goes only to those)."""
        ...

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        """Title, text and link of the notice of ``row`` taken from ``source`` on ``obj``."""
        ...

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        """Called after the notices were written (e.g. to mark a scan notice they stand for)."""
        ...


_RESOLVERS: dict[str, HandoffResolver] = {}


def register(table: TransitionTable[Any, Any], resolver: HandoffResolver) -> None:
    """Register ``resolver`` for ``table`` (from the owning app's ``AppConfig.ready``). Every
    actor a row of the table notifies must be one the resolver knows."""
    missing = {a for r in table.rows for a in (r.notify or ())} - resolver.actors
    if missing:
        raise ValueError(f"{table.name}: the hand-off resolver cannot resolve {sorted(missing)}")
    _RESOLVERS[table.name] = resolver


def resolver_for(name: str) -> HandoffResolver | None:
    """The resolver registered for the table called ``name``."""
    return _RESOLVERS.get(name)


def hand_off(
    *, table: TransitionTable[Any, Any], row: Transition[Any, Any], pk: int, source: str, acting_user: User | None
) -> None:
    """Schedule the notices of ``row`` (taken from ``source`` on the object ``pk``) for when
    the current transaction commits. Call it inside the step's transaction."""
    if not row.notify:
        return
    if table.name not in _RESOLVERS:
        raise LookupError(f"no hand-off resolver registered for the table {table.name!r}")
    actor_id = acting_user.pk if acting_user is not None else None
    transaction.on_commit(partial(deliver, table.name, row, pk, source, actor_id), robust=True)


def recipients_of(
    resolver: HandoffResolver, obj: Any, row: Transition[Any, Any], *, acting_user_id: int | None
) -> list[User]:
    """The people ``row`` tells: its ``notify`` actors resolved, the actor left out, only
    active business accounts that may see ``obj``, each once, in a stable order."""
    people: dict[int, User] = {}
    for actor in sorted(row.notify or ()):
        for user in resolver.recipients(obj, actor):
            if user.pk in people or user.pk == acting_user_id or not user.is_active or user.admin_role:
                continue
            if resolver.may_see(user, obj):
                people[user.pk] = user
    return [people[pk] for pk in sorted(people)]


def deliver(name: str, row: Transition[Any, Any], pk: int, source: str, acting_user_id: int | None) -> list[int]:
    """Write the notices of one committed step (see the module docstring); the new
    notifications' ids."""
    resolver = _RESOLVERS[name]
    obj = resolver.load(pk)
    if obj is None:
        return []
    people = recipients_of(resolver, obj, row, acting_user_id=acting_user_id)
    if not people:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        text = resolver.notice(obj, row, source)
    kind = f"{name}.{row.action}"
    with transaction.atomic():
        ids = notify_many(
            items=[
                NewNotification(
                    recipient=user, kind=kind, title=text.title, body=text.body, link=text.link,
                    object_type=text.object_type, object_id=text.object_id,
                )
                for user in people
            ]
        )
        resolver.issued(obj, row, people)
    return ids
