"""The security administrator's pages: users, roles, unlock, reset."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhaoyin.accounts import selectors
from zhaoyin.core.authz import allow
from zhaoyin.core.roles import Role


@allow(Role.SECURITY_ADMIN)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/user_list.html", {"users": selectors.user_list_for_security_admin()})
