"""Project Excel import pages (upload → preview → commit → result, template) and the month
funds import page (upload → result, template). Views only parse, call one use case and render;
the rules are in ``zhaoyin.core.importing``, ``projects.importing`` and ``projects.funds_import``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import (
    PREVIEW_ROWS,
    ImportBlocked,
    ImportFileError,
    import_batch_get_for_user,
    import_commit,
    import_preview,
    previous_commit,
)
from zhaoyin.core.models import ImportStatus
from zhaoyin.core.roles import Role
from zhaoyin.projects.funds_import import FundsMonthImport, funds_import_template, funds_month_import
from zhaoyin.projects.importing import PROJECT_COLUMNS, ProjectImport, project_import_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_ROLES = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
#: Row errors listed on a page.
ERRORS_SHOWN = 200


def _download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _max_mb() -> int:
    return int(settings.MAX_UPLOAD_BYTES) // (1024 * 1024)


def _read_upload(request: HttpRequest) -> tuple[bytes | None, str, str, int]:
    """The uploaded workbook's bytes and name, or an error message and status (FILE-01)."""
    limit = int(settings.MAX_UPLOAD_BYTES)
    too_large = _("The file is larger than %(n)d MB; split it into smaller files.") % {"n": _max_mb()}
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # Refuse an oversized body from its declared length before reading it.
    if declared > limit + 64 * 1024:
        return None, "", too_large, 413
    upload = request.FILES.get("file")
    if upload is None:
        return None, "", _("Choose an .xlsx file to upload."), 400
    if upload.size is not None and upload.size > limit:
        return None, "", too_large, 413
    return upload.read(limit + 1), upload.name or "", "", 200


def _upload_form(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    context = {"error": error, "max_mb": _max_mb(), "columns": PROJECT_COLUMNS}
    return render(request, "projects/import_upload.html", context, status=status)


@allow(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def project_import(request: HttpRequest) -> HttpResponse:
    """Upload a workbook and show the dry run: counts, the first rows with verdicts, errors."""
    if request.method == "GET":
        return _upload_form(request)
    data, filename, error, status = _read_upload(request)
    if data is None:
        return _upload_form(request, error, status=status)
    user = request_user(request)
    try:
        batch, plan = import_preview(acting_user=user, spec=ProjectImport(user), data=data, filename=filename)
    except ImportFileError as exc:
        return _upload_form(request, exc.message, status=413 if exc.code == "TOO_LARGE" else 400)
    context = {
        "batch": batch,
        "columns": PROJECT_COLUMNS,
        "rows": plan.rows[:PREVIEW_ROWS],
        "errors": plan.errors[:ERRORS_SHOWN],
        "error_count": len(plan.errors),
        "previous": previous_commit(batch),
        "preview_rows": PREVIEW_ROWS,
    }
    return render(request, "projects/import_preview.html", context)


@allow(*IMPORT_ROLES)
@require_POST
def project_import_commit(request: HttpRequest) -> HttpResponse:
    """Apply a previewed batch of the current user, all or nothing."""
    try:
        pk = int(request.POST.get("batch", ""))
    except ValueError:
        return _upload_form(request, _("The import to commit is missing; upload the file again."), status=400)
    user = request_user(request)
    batch = import_batch_get_for_user(user=user, pk=pk, kind=ProjectImport.kind)
    try:
        batch, _plan = import_commit(acting_user=user, spec=ProjectImport(user), batch=batch)
    except (ImportBlocked, ImportFileError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Import committed: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged},
        )
    return redirect("projects:import_result", pk=batch.pk)


@allow(*IMPORT_ROLES)
@require_GET
def project_import_result(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's outcome: counts, status and errors."""
    batch = import_batch_get_for_user(user=request_user(request), pk=pk, kind=ProjectImport.kind)
    context = {
        "batch": batch,
        "errors": batch.errors[:ERRORS_SHOWN],
        "error_count": len(batch.errors),
        "committed": batch.status == ImportStatus.COMMITTED,
    }
    return render(request, "projects/import_result.html", context)


@allow(*IMPORT_ROLES)
@require_GET
def project_import_template_download(request: HttpRequest) -> HttpResponse:
    """The import template with a code sheet for the user's units."""
    return _download(project_import_template(request_user(request)), "project-import-template.xlsx")


# --------------------------------------------------------------------------- month funds


def _funds_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    base: dict[str, Any] = {
        "max_mb": _max_mb(),
        "columns": FundsMonthImport.columns,
        "month": timezone.localdate().strftime("%Y-%m"),
        "error": "",
        "result": None,
    }
    base.update(context)
    return render(request, "projects/funds_import.html", base, status=status)


@allow(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def funds_import(request: HttpRequest) -> HttpResponse:
    """Upload a month's funds report and show what it did (all or nothing, in one step)."""
    if request.method == "GET":
        return _funds_page(request, {})
    month = request.POST.get("month", "")
    data, _filename, error, status = _read_upload(request)
    if data is None:
        return _funds_page(request, {"error": error, "month": month}, status=status)
    try:
        result = funds_month_import(acting_user=request_user(request), data=data, month=month)
    except InvalidInput as exc:
        return _funds_page(request, {"error": exc.detail, "month": month}, status=400)
    except ImportFileError as exc:
        status = 413 if exc.code == "TOO_LARGE" else 400
        return _funds_page(request, {"error": exc.message, "month": month}, status=status)
    # The shape the shared counts partial reads (an ImportBatch's fields).
    counts = dict(result.counts, status=ImportStatus.COMMITTED.value if result.committed else "")
    context = {
        "result": result,
        "counts": counts,
        "errors": result.errors[:ERRORS_SHOWN],
        "error_count": len(result.errors),
        "month": f"{result.month:%Y-%m}",
    }
    return _funds_page(request, context, status=200 if result.committed else 400)


@allow(*IMPORT_ROLES)
@require_GET
def funds_import_template_download(request: HttpRequest) -> HttpResponse:
    """The month funds import template (headers only)."""
    return _download(funds_import_template(), "funds-import-template.xlsx")
