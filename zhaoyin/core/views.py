"""Home page, the to-do list (我的待办), health check and language switch."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from zhaoyin.core.authz import allow, public
from zhaoyin.core.home import home_data
from zhaoyin.core.roles import ALL_ROLES, BUSINESS_ROLES
from zhaoyin.core.todo import todo_for


@allow(ALL_ROLES)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The role-aware landing page: scoped figures, or the 三员's own functions."""
    data = home_data(request.user)  # type: ignore[arg-type]
    return render(request, "core/home.html", {"home": data})


@allow(BUSINESS_ROLES)
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    """我的待办: what waits for the user (or the user's unit), oldest due first, then what the
    user raised (我发起的) and recently did (已办)."""
    data = todo_for(request.user)  # type: ignore[arg-type]
    return render(request, "core/todo.html", {"todo": data})


@public
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@public
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    return set_language(request)
