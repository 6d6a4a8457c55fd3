"""Enterprise Excel import and export pages: upload → preview → commit → result; template and
error-report downloads; export of the filtered list. Views only parse, call one use case and
render (style.md); the rules are in ``zhaoyin.core.importing`` and the enterprise modules."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import (
    PREVIEW_ROWS,
    ImportBlocked,
    ImportFileError,
    error_report_xlsx,
    import_batch_get_for_user,
    import_commit,
    import_preview,
    previous_commit,
)
from zhaoyin.core.models import ImportStatus
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.exporting import enterprise_export, export_filename, export_tempfile
from zhaoyin.enterprises.importing import ENTERPRISE_COLUMNS, EnterpriseImport, enterprise_import_template
from zhaoyin.enterprises.selectors import READER_ROLES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_ROLES = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
#: Row errors listed on a page; the full list is in the downloadable report.
ERRORS_SHOWN = 200


def _download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _upload_form(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    context = {"error": error, "max_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024), "columns": ENTERPRISE_COLUMNS}
    return render(request, "enterprises/import_upload.html", context, status=status)


@allow(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def enterprise_import(request: HttpRequest) -> HttpResponse:
    """Upload a workbook and show the dry run: counts, the first rows with verdicts, errors."""
    if request.method == "GET":
        return _upload_form(request)
    limit = settings.MAX_UPLOAD_BYTES
    too_large = _("The file is larger than %(n)d MB; split it into smaller files.") % {"n": limit // (1024 * 1024)}
    # FILE-01: refuse an oversized body from its declared length before reading it.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + 64 * 1024:
        return _upload_form(request, too_large, status=413)
    upload = request.FILES.get("file")
    if upload is None:
        return _upload_form(request, _("Choose an .xlsx file to upload."), status=400)
    if upload.size is not None and upload.size > limit:
        return _upload_form(request, too_large, status=413)
    data = upload.read(limit + 1)
    try:
        batch, plan = import_preview(
            acting_user=request_user(request),
            spec=EnterpriseImport(request_user(request)),
            data=data,
            filename=upload.name or "",
        )
    except ImportFileError as exc:
        return _upload_form(request, exc.message, status=413 if exc.code == "TOO_LARGE" else 400)
    context = {
        "batch": batch,
        "columns": ENTERPRISE_COLUMNS,
        "rows": plan.rows[:PREVIEW_ROWS],
        "errors": plan.errors[:ERRORS_SHOWN],
        "error_count": len(plan.errors),
        "previous": previous_commit(batch),
        "preview_rows": PREVIEW_ROWS,
    }
    return render(request, "enterprises/import_preview.html", context)


@allow(*IMPORT_ROLES)
@require_POST
def enterprise_import_commit(request: HttpRequest) -> HttpResponse:
    """Apply a previewed batch of the current user, all or nothing."""
    try:
        pk = int(request.POST.get("batch", ""))
    except ValueError:
        return _upload_form(request, _("The import to commit is missing; upload the file again."), status=400)
    user = request_user(request)
    batch = import_batch_get_for_user(user=user, pk=pk, kind=EnterpriseImport.kind)
    try:
        batch, _plan = import_commit(acting_user=user, spec=EnterpriseImport(user), batch=batch)
    except (ImportBlocked, ImportFileError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Import committed: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged},
        )
    return redirect("enterprises:import_result", pk=batch.pk)


@allow(*IMPORT_ROLES)
@require_GET
def enterprise_import_result(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's outcome: counts, status, errors and the report link."""
    batch = import_batch_get_for_user(user=request_user(request), pk=pk, kind=EnterpriseImport.kind)
    context = {
        "batch": batch,
        "errors": batch.errors[:ERRORS_SHOWN],
        "error_count": len(batch.errors),
        "committed": batch.status == ImportStatus.COMMITTED,
    }
    return render(request, "enterprises/import_result.html", context)


@allow(*IMPORT_ROLES)
@require_GET
def enterprise_import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's row errors as .xlsx (row, column, reason)."""
    batch = import_batch_get_for_user(user=request_user(request), pk=pk, kind=EnterpriseImport.kind)
    return _download(error_report_xlsx(batch), f"import-{batch.pk}-errors.xlsx")


@allow(*IMPORT_ROLES)
@require_GET
def enterprise_import_template_download(request: HttpRequest) -> HttpResponse:
    """The import template with a code sheet for the user's units."""
    return _download(enterprise_import_template(request_user(request)), "enterprise-import-template.xlsx")


@allow(READER_ROLES)
@require_GET
def enterprise_export_view(request: HttpRequest) -> HttpResponseBase:
    """The scoped, filtered list as .xlsx: the list page's roles, selector and filters (XLS-03)."""
    spool = export_tempfile()
    try:
        enterprise_export(acting_user=request_user(request), params=request.GET, out=spool)
    except InvalidInput as exc:
        spool.close()
        messages.error(request, _("The export was refused: %(reason)s") % {"reason": exc.detail})
        return redirect(reverse("enterprises:list"))
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=export_filename(), content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response
