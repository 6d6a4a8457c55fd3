"""Project Excel import pages (upload → preview → commit → result, template) and the month
funds import page (upload → result, template). Views only parse, call one use case and render;
the rules are in ``zhaoyin.core.importing``, ``projects.importing`` and ``projects.funds_import``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.import_pages import ERRORS_SHOWN, ImportPages, max_upload_mb, read_upload, xlsx_download
from zhaoyin.core.importing import ImportFileError
from zhaoyin.core.models import ImportStatus
from zhaoyin.core.roles import Role
from zhaoyin.projects.funds_import import FundsMonthImport, funds_import_template, funds_month_import
from zhaoyin.projects.importing import PROJECT_COLUMNS, ProjectImport, project_import_template

IMPORT_ROLES = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
PAGES = ImportPages(
    spec=ProjectImport,
    kind=ProjectImport.kind,
    columns=PROJECT_COLUMNS,
    list_url="projects:list",
    import_url="projects:import",
    commit_url="projects:import_commit",
    result_url="projects:import_result",
    template_url="projects:import_template",
    section_label=gettext_lazy("Investment projects"),
    heading=gettext_lazy("Import projects from Excel"),
    back_label=gettext_lazy("Back to the project list"),
    notes=(
        gettext_lazy(
            "A row with a project code updates that project; a row without one registers a new project with a "
            "generated code (or matches a project with the same name, investor and unit)."
        ),
        gettext_lazy("Project codes and unit codes must be text cells, not numbers."),
        gettext_lazy("The same project code twice in one file is an error on both rows."),
    ),
)
#: The import's routes (upload, commit, result, error report) with their rule.
IMPORT = PAGES.views(*IMPORT_ROLES)





@allow(*IMPORT_ROLES)
@require_GET
def project_import_template_download(request: HttpRequest) -> HttpResponse:
    """The import template with a code sheet for the user's units."""
    return xlsx_download(project_import_template(request_user(request)), "project-import-template.xlsx")


# --------------------------------------------------------------------------- month funds


#: What the shared upload page (templates/imports/upload.html) reads of ``pages``.
FUNDS_PAGES = {
    "heading": gettext_lazy("Import a month's funds in place"),
    "section_label": PAGES.section_label,
    "list_url": PAGES.list_url,
    "template_url": "projects:funds_import_template",
}


def _funds_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    base: dict[str, Any] = {
        "pages": FUNDS_PAGES,
        "max_mb": max_upload_mb(),
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
    data, _filename, error, status = read_upload(request)
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
    return xlsx_download(funds_import_template(), "funds-import-template.xlsx")
