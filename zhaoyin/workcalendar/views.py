"""The sysadmin's calendar pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhaoyin.core.authz import allow
from zhaoyin.core.roles import Role


@allow(Role.SYSADMIN)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "workcalendar/index.html", {})
