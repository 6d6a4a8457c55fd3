"""The web side of an Excel import, shared by every app: upload → dry-run preview → commit →
result, plus the downloads. An app declares one ``ImportPages`` and its views (which carry
their own authorization rules) delegate to it; the rules of the import itself stay in
``zhaoyin.core.importing`` and the app's ``ImportSpec``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.core.authz import allow
from zhaoyin.core.importing import (
    PREVIEW_ROWS,
    ImportBlocked,
    ImportFileError,
    ImportSpec,
    error_report_xlsx,
    import_batch_get_for_user,
    import_commit,
    import_preview,
    previous_commit,
)
from zhaoyin.core.models import ImportStatus
from zhaoyin.core.roles import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Row errors listed on a page; the full list is in the downloadable report.
ERRORS_SHOWN = 200


def xlsx_download(data: bytes, filename: str) -> HttpResponse:
    """A workbook as an attachment that the browser will not sniff into something else (FILE-05)."""
    # Here, not at the top: export_pages imports this module (XLSX).
    from zhaoyin.core.export_pages import attachment_disposition

    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def max_upload_mb() -> int:
    return int(settings.MAX_UPLOAD_BYTES) // (1024 * 1024)


def read_upload(request: HttpRequest) -> tuple[bytes | None, str, str, int]:
    """The uploaded workbook's bytes and name, or (None, "", message, status) (FILE-01).

    An oversized body is refused from its declared length before it is read.
    """
    limit = int(settings.MAX_UPLOAD_BYTES)
    too_large = _("The file is larger than %(n)d MB; split it into smaller files.") % {"n": max_upload_mb()}
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + 64 * 1024:
        return None, "", too_large, 413
    upload = request.FILES.get("file")
    if upload is None:
        return None, "", _("Choose an .xlsx file to upload."), 400
    if upload.size is not None and upload.size > limit:
        return None, "", too_large, 413
    return upload.read(limit + 1), upload.name or "", "", 200


@dataclass(frozen=True)
class ImportPages:
    """One app's import pages: which spec and columns, the URL names of its routes, and the
    words that differ between apps. The templates (templates/imports/) are shared."""

    spec: Callable[[Any], ImportSpec]
    kind: str
    columns: Sequence[Any]
    #: URL names: the list it imports into, the upload page, commit, result, template download
    #: and (optional) the error-report download.
    list_url: str
    import_url: str
    commit_url: str
    result_url: str
    template_url: str
    errors_url: str = ""
    section_label: Any = ""
    heading: Any = ""
    back_label: Any = ""
    #: App-specific lines of "how the import works" (matching rule, text cells, duplicates).
    notes: Sequence[Any] = ()

    def _render(self, request: HttpRequest, page: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(request, f"imports/{page}.html", {"pages": self, **context}, status=status)

    def upload_form(self, request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
        context = {"error": error, "max_mb": max_upload_mb(), "columns": self.columns}
        return self._render(request, "upload", context, status=status)

    def upload(self, request: HttpRequest, user: Any) -> HttpResponse:
        """GET: the form; POST: store the file and show the dry run (counts, rows, errors)."""
        if request.method == "GET":
            return self.upload_form(request)
        data, filename, error, status = read_upload(request)
        if data is None:
            return self.upload_form(request, error, status=status)
        try:
            batch, plan = import_preview(acting_user=user, spec=self.spec(user), data=data, filename=filename)
        except ImportFileError as exc:
            return self.upload_form(request, exc.message, status=413 if exc.code == "TOO_LARGE" else 400)
        context = {
            "batch": batch,
            "columns": self.columns,
            "rows": plan.rows[:PREVIEW_ROWS],
            "errors": plan.errors[:ERRORS_SHOWN],
            "error_count": len(plan.errors),
            "previous": previous_commit(batch),
            "preview_rows": PREVIEW_ROWS,
        }
        return self._render(request, "preview", context)

    def commit(self, request: HttpRequest, user: Any) -> HttpResponse:
        """Apply a previewed batch of this user, all or nothing; then show its result."""
        try:
            pk = int(request.POST.get("batch", ""))
        except ValueError:
            return self.upload_form(request, _("The import to commit is missing; upload the file again."), status=400)
        batch = import_batch_get_for_user(user=user, pk=pk, kind=self.kind)
        try:
            batch, _plan = import_commit(acting_user=user, spec=self.spec(user), batch=batch)
        except (ImportBlocked, ImportFileError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Import committed: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged},
            )
        return redirect(self.result_url, pk=batch.pk)

    def result(self, request: HttpRequest, user: Any, pk: int) -> HttpResponse:
        """A batch's outcome: counts, status and errors (another user's batch is 404)."""
        batch = import_batch_get_for_user(user=user, pk=pk, kind=self.kind)
        context = {
            "batch": batch,
            "errors": batch.errors[:ERRORS_SHOWN],
            "error_count": len(batch.errors),
            "committed": batch.status == ImportStatus.COMMITTED,
        }
        return self._render(request, "result", context)

    def errors_report(self, user: Any, pk: int) -> HttpResponse:
        """The batch's row errors as .xlsx (row, column, reason)."""
        batch = import_batch_get_for_user(user=user, pk=pk, kind=self.kind)
        return xlsx_download(error_report_xlsx(batch), f"import-{batch.pk}-errors.xlsx")

    def views(self, *roles: Role) -> ImportViews:
        """The four routes of this import (upload, commit, result, error report), each
        carrying the authorization rule ``roles`` and its HTTP methods; apps wire them in
        their urls instead of writing the same four delegating views again."""

        @allow(*roles)
        @require_http_methods(["GET", "POST"])
        def upload(request: HttpRequest) -> HttpResponse:
            """Upload a workbook and show the dry run: counts, the first rows with verdicts, errors."""
            return self.upload(request, request.user)

        @allow(*roles)
        @require_POST
        def commit(request: HttpRequest) -> HttpResponse:
            """Apply a previewed batch of the current user, all or nothing."""
            return self.commit(request, request.user)

        @allow(*roles)
        @require_GET
        def result(request: HttpRequest, pk: int) -> HttpResponse:
            """A batch's outcome: counts, status and errors."""
            return self.result(request, request.user, pk)

        @allow(*roles)
        @require_GET
        def errors(request: HttpRequest, pk: int) -> HttpResponse:
            """The batch's row errors as .xlsx (row, column, reason)."""
            return self.errors_report(request.user, pk)

        return ImportViews(upload=upload, commit=commit, result=result, errors=errors)


@dataclass(frozen=True)
class ImportViews:
    """The views ``ImportPages.views`` made for one import."""

    upload: Callable[..., HttpResponse]
    commit: Callable[..., HttpResponse]
    result: Callable[..., HttpResponse]
    errors: Callable[..., HttpResponse]
