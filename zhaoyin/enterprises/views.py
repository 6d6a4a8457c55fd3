"""Enterprise pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhaoyin.core.authz import allow
from zhaoyin.core.roles import BUSINESS_ROLES


@allow(BUSINESS_ROLES)
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    return render(request, "enterprises/list.html", {})
