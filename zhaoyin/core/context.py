"""Who is acting, from where: the context every audit record is stamped with.

Set once per request by ``RequestContextMiddleware`` (web), by the API's token check, and
by the ``zhaoyin`` command for the CLI channel. A ``ContextVar`` keeps it per thread/task.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ActorContext:
    """The channel, request id and client address of the current unit of work."""

    channel: str = "system"  # web | api | cli | worker | system
    request_id: str = ""
    client_ip: str | None = None


_current: ContextVar[ActorContext | None] = ContextVar("zhaoyin_actor_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current() -> ActorContext:
    ctx = _current.get()
    if ctx is None:
        return ActorContext(request_id=new_request_id())
    return ctx


@contextmanager
def acting(*, channel: str, client_ip: str | None = None, request_id: str | None = None) -> Iterator[ActorContext]:
    """Run a block under a given channel (used by the CLI, the worker and the middleware)."""
    ctx = ActorContext(channel=channel, request_id=request_id or new_request_id(), client_ip=client_ip)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_channel(channel: str) -> None:
    """Mark the current request as coming through another channel (the API)."""
    ctx = current()
    _current.set(replace(ctx, channel=channel))
