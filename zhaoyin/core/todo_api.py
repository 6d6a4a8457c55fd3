"""API: ``GET /api/v1/me/todo`` — the caller's to-do list (我的待办), as the page /todo/ shows it."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from zhaoyin.core.api import api_allow
from zhaoyin.core.roles import BUSINESS_ROLES
from zhaoyin.core.todo import TodoList, todo_for

router = Router(tags=["todo"])


class TodoItemOut(Schema):
    """One piece of work waiting for the caller (or the caller's unit)."""

    kind: str  # the heading's code: to_sign, to_handle, to_review, to_rate, to_approve …
    heading: str
    machine: str  # matter, payout …
    code: str
    label: str
    link: str
    deadline: dt.date | None
    light: str  # red, yellow, green, or "" when no deadline runs
    since: dt.datetime | None
    unit: str


class TodoHeadingOut(Schema):
    kind: str
    label: str
    count: int


class TrackedOut(Schema):
    machine: str
    code: str
    label: str
    link: str
    state: str
    at: dt.datetime
    what: str


class TodoOut(Schema):
    """The items oldest due first (at most 100; ``total`` and ``headings`` count them all),
    what the caller raised (``raised``, 我发起的) and recently did (``done``, 已办)."""

    total: int
    headings: list[TodoHeadingOut]
    items: list[TodoItemOut]
    raised: list[TrackedOut]
    done: list[TrackedOut]


@router.get("/me/todo", response=TodoOut)
@api_allow(BUSINESS_ROLES)
def me_todo(request: HttpRequest) -> TodoList:
    """The caller's to-do list, computed from the state machines' tables (the schema reads the
    list as it is: no mapping)."""
    return todo_for(request.auth)  # type: ignore[attr-defined]
