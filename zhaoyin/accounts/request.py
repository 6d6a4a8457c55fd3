"""The signed-in account of a request, typed (web views and API handlers alike)."""

from __future__ import annotations

from django.http import HttpRequest

from zhaoyin.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """The acting account. Authorization has already let only signed-in users through
    (the middleware for pages, ``BearerAuth`` for the API, which sets ``request.user`` too)."""
    user = request.user
    assert isinstance(user, User)
    return user
