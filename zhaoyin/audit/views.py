"""The auditor's pages (AUD-07): search the audit log, read one record, export to Excel.

Only the auditor reaches them. There is no page or endpoint that changes or deletes a
record: every view here is GET-only. What they show of a record passes ``redaction.for_reader``
first: business values are withheld and personal names masked, old records included
(issue 12 D4). Each search, record view and export is itself
written to the audit log with the filter used and the number of records matched.
"""

from __future__ import annotations

import json
import tempfile

from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from zhaoyin.audit.exports import MAX_EXPORT_ROWS, write_audit_xlsx
from zhaoyin.audit.forms import AuditSearchForm
from zhaoyin.audit.redaction import for_reader
from zhaoyin.audit.selectors import audit_record_get, audit_records
from zhaoyin.audit.services import audit_log_access
from zhaoyin.core.authz import allow
from zhaoyin.core.export_pages import attachment_disposition, timestamped_filename
from zhaoyin.core.roles import Role

PAGE_SIZES = (20, 50, 100)


def _unit_names(codes: set[str]) -> dict[str, str]:
    """The org units' names by code, for the records' "unit" column (the log stores codes).
    Looked up by model label: the audit app sits below accounts and imports none of it."""
    codes.discard("")
    if not codes:
        return {}
    org_unit = apps.get_model("accounts", "OrgUnit")
    return dict(org_unit.objects.filter(code__in=codes).values_list("code", "name"))


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("page_size", PAGE_SIZES[1]))
    except ValueError:
        return PAGE_SIZES[1]
    return size if size in PAGE_SIZES else PAGE_SIZES[1]


@allow(Role.AUDITOR, description="search the audit log")
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "audit/list.html", {"form": form, "page_obj": None}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    paginator = Paginator(audit_records(filters=filters), _page_size(request))
    page_obj = paginator.get_page(request.GET.get("page"))
    names = _unit_names({r.unit for r in page_obj.object_list})
    audit_log_access(
        acting_user=request.user, action="audit.query",
        filters=form.filters() if form.is_bound else {}, row_count=paginator.count,
    )
    return render(
        request, "audit/list.html",
        {"form": form, "page_obj": page_obj, "records": page_obj.object_list,
         "rows": [(r, for_reader(r), names.get(r.unit, r.unit)) for r in page_obj.object_list],
         "export_url": reverse("audit:export"), "page_sizes": ",".join(map(str, PAGE_SIZES))},
    )


@allow(Role.AUDITOR, description="read one audit record")
@require_GET
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = audit_record_get(pk=pk)
    audit_log_access(acting_user=request.user, action="audit.view", filters={"id": pk}, row_count=1)
    shown = for_reader(record)
    return render(
        request, "audit/detail.html",
        {"record": record, "shown": shown, "unit_name": _unit_names({record.unit}).get(record.unit, record.unit),
         "before_json": _pretty(shown.before), "after_json": _pretty(shown.after)},
    )


def _pretty(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) if value is not None else ""


@allow(Role.AUDITOR, description="export the audit log")
@require_GET
def audit_export(request: HttpRequest) -> HttpResponseBase:
    form = AuditSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "audit/list.html", {"form": form, "page_obj": None}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    records = audit_records(filters=filters)
    count = records.count()
    if count > MAX_EXPORT_ROWS:
        messages.error(
            request,
            _("%(count)d records match; an export holds at most %(max)d. Narrow the time range.")
            % {"count": count, "max": MAX_EXPORT_ROWS},
        )
        return redirect(reverse("audit:list") + ("?" + request.GET.urlencode() if request.GET else ""))
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    written = write_audit_xlsx(spool, records)
    audit_log_access(
        acting_user=request.user, action="audit.export",
        filters=form.filters() if form.is_bound else {}, row_count=written,
    )
    spool.seek(0)
    name = timestamped_filename(pgettext("export file", "Audit log"))
    response = FileResponse(
        spool, as_attachment=True, filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = attachment_disposition(name)
    return response
