"""Reads of the audit log. Only the auditor reaches them (the views' rules), and the auditor
sees the whole log: there is no org-unit scope on audit records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from zhaoyin.audit.models import AuditRecord


def audit_records(*, filters: dict[str, Any]) -> QuerySet[AuditRecord]:
    """Records matching the search form's cleaned filters, newest first."""
    qs = AuditRecord.objects.all()
    since = filters.get("since")
    until = filters.get("until")
    if isinstance(since, str):
        since = dt.datetime.fromisoformat(since)
    if isinstance(until, str):
        until = dt.datetime.fromisoformat(until)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lte=until)
    if filters.get("actor"):
        qs = qs.filter(actor__iexact=filters["actor"])
    action = filters.get("action")
    if action:
        qs = qs.filter(action__startswith=action) if action.endswith(".") else qs.filter(action=action)
    if filters.get("outcome"):
        qs = qs.filter(outcome=filters["outcome"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        qs = qs.filter(object_id=filters["object_id"])
    if filters.get("request_id"):
        qs = qs.filter(request_id=filters["request_id"])
    return qs.order_by("-id")


def audit_record_get(*, pk: int) -> AuditRecord:
    """One record, or 404."""
    record = AuditRecord.objects.filter(pk=pk).first()
    if record is None:
        raise Http404
    return record
