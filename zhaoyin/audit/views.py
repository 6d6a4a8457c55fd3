"""The auditor's pages: search the audit log (AUD-07)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.authz import allow
from zhaoyin.core.roles import Role


@allow(Role.AUDITOR)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    records = AuditRecord.objects.all()[:100]
    return render(request, "audit/list.html", {"records": records})
