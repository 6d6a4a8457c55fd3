"""Pages of the bureaus' figures (/mujun/inputs/): the reconciliation (per firm and figure:
present, missing, disputed) with its Excel export; a firm's inputs with its holdings and its
bonuses and deductions; each source's import (upload with the year → dry run → commit →
result, the error report, the template); the list of import batches.

Thin views: parse, fetch through a selector (404 out of scope), call one service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.export_pages import timestamped_filename, xlsx_export_response
from zhaoyin.core.forms import FilterBarForm
from zhaoyin.core.import_pages import ERRORS_SHOWN, max_upload_mb, read_upload, xlsx_download
from zhaoyin.core.importing import (
    PREVIEW_ROWS,
    ImportBlocked,
    ImportFileError,
    error_report_xlsx,
    import_batch_get_for_user,
    previous_commit,
)
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.mujun import input_exporting
from zhaoyin.mujun import input_selectors as selectors
from zhaoyin.mujun import input_services as services
from zhaoyin.mujun.input_filters import InputFilter
from zhaoyin.mujun.input_importing import FIGURE_HEADERS, columns_of, import_template, parse_kind, year_max
from zhaoyin.mujun.input_inputs import AdjustmentInput, ImportInput
from zhaoyin.mujun.selectors import CITY_READER_ROLES, READER_ROLES
from zhaoyin.mujun.sources import SOURCES, Source

PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"
READERS = selectors.INPUT_READER_ROLES
EDITORS = selectors.INPUT_EDITOR_ROLES
#: The column headers of the figures on the pages (the workbook's, land last).
HEADERS = [*FIGURE_HEADERS.values(), input_exporting.LAND_HEADER]


def _source(code: str) -> Source:
    try:
        return Source(code)
    except ValueError:
        raise Http404 from None


def _sources() -> list[dict[str, Any]]:
    return [{"code": s.value, "label": SOURCES[s].label, "bureau": SOURCES[s].bureau} for s in Source]


# --------------------------------------------------------------------------- reconciliation


@allow(READERS)
@require_GET
def reconcile(request: HttpRequest) -> HttpResponse:
    """Per firm of the year (scoped, filtered, paged): each figure present (value, source,
    batch date), missing or disputed. Bad filters → 400 naming them."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=InputFilter, user=user)
    context: dict[str, Any] = {
        "form": form, "page_obj": None, "page_sizes": PAGE_SIZES, "headers": HEADERS,
        "can_edit": user.has_role(*EDITORS) and not user.admin_role, "sources": _sources(),
        "can_list_batches": user.has_role(*CITY_READER_ROLES), "year": services.default_year(),
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "mujun/inputs/reconcile.html", context, status=400)
    flt = form.filter
    year = flt.year or services.default_year()
    qs = flt.apply(selectors.year_firms(user, year), year=year)
    page = IdFirstPaginator(qs, flt.page_size).get_page(flt.page)
    context.update(page_obj=page, filter=flt, year=year, firms=selectors.firm_inputs(page.object_list, year))
    return render(request, "mujun/inputs/reconcile.html", context)


@allow(READERS)
@require_GET
def reconcile_export(request: HttpRequest) -> HttpResponseBase:
    """The reconciliation with the page's filters (every page) as .xlsx."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        # The filter is parsed inside ``write``: a bad one is the export response's 400.
        write=lambda out: input_exporting.inputs_export(acting_user=user, flt=InputFilter.parse(request.GET), out=out),
        filename=timestamped_filename(pgettext("export file", "Per-mu figures")),
        back_url=reverse("mujun:inputs"),
    )


def _year_param(request: HttpRequest) -> tuple[int, str]:
    """The ``year`` asked for (default: last year), or the message of a bad one."""
    text = request.GET.get("year", "").strip()
    if not text:
        return services.default_year(), ""
    if text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text), ""
    return services.default_year(), _("Must be a year from %(low)d to %(high)d.") % {"low": 2000, "high": 2100}


@allow(READERS)
@require_GET
def firm(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """A firm's inputs of a year: each value with its source and batch, its parcels, its
    bonuses and deductions (evaluators add and remove them here). Another firm than one's
    own (a portal user), or one outside the unit's scope: 404."""
    user = request_user(request)
    enterprise = selectors.firm_get_for_user(user=user, pk=enterprise_id)
    year, error = _year_param(request)
    data = selectors.firm_inputs([enterprise], year, details=True)[0]
    return render(request, "mujun/inputs/firm.html", {
        "enterprise": enterprise, "year": year, "data": data, "headers": dict(zip(
            [*FIGURE_HEADERS, "land_mu"], HEADERS, strict=True)),
        "year_error": error, "can_edit": user.has_role(*EDITORS) and not user.admin_role,
        "is_portal": user.enterprise_id is not None and not user.has_role(*READER_ROLES),
        "form_errors": {}, "form_values": {},
    }, status=400 if error else 200)


@allow(EDITORS)
@require_POST
def adjustment_add(request: HttpRequest, enterprise_id: int) -> HttpResponseBase:
    """Add a bonus or deduction; refused values → the firm's page again (400) naming them."""
    user = request_user(request)
    enterprise = selectors.firm_get_for_user(user=user, pk=enterprise_id)
    try:
        data = AdjustmentInput.parse(
            {k: request.POST.get(k, "") for k in ("year", "points", "reason")}, context={"channel": "form"}
        )
        services.adjustment_add(acting_user=user, enterprise=enterprise, data=data)
    except InvalidInput as exc:
        year = request.POST.get("year", "")
        year_number = int(year) if year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100 else (
            services.default_year())
        return render(request, "mujun/inputs/firm.html", {
            "enterprise": enterprise, "year": year_number,
            "data": selectors.firm_inputs([enterprise], year_number, details=True)[0],
            "headers": dict(zip([*FIGURE_HEADERS, "land_mu"], HEADERS, strict=True)), "year_error": "",
            "can_edit": True, "is_portal": False,
            "form_errors": {e["field"]: e["message"] for e in exc.errors},
            "form_values": {k: request.POST.get(k, "") for k in ("points", "reason")},
        }, status=400)
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(reverse("mujun:inputs_firm", args=[enterprise.pk]) + f"?year={data.year}")


@allow(EDITORS)
@require_POST
def adjustment_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Remove a bonus or deduction."""
    user = request_user(request)
    adjustment = selectors.adjustment_get_for_user(user=user, pk=pk)
    services.adjustment_remove(acting_user=user, adjustment=adjustment)
    messages.success(request, _("Removed."))
    url = reverse("mujun:inputs_firm", args=[adjustment.enterprise_id])
    return HttpResponseRedirect(f"{url}?year={adjustment.year}")


# --------------------------------------------------------------------------- imports


def _upload_page(request: HttpRequest, source: Source, *, error: str = "", year: Any = "",
                 status: int = 200) -> HttpResponse:
    return render(request, "mujun/inputs/upload.html", {
        "source": source, "spec": SOURCES[source], "columns": columns_of(source), "error": error,
        "max_mb": max_upload_mb(), "year": year or services.default_year(), "year_max": year_max(),
        "sources": _sources(),
    }, status=status)


@allow(EDITORS)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, source: str) -> HttpResponse:
    """GET: the upload form (the year and the workbook); POST: store the file and show the dry
    run — the counts and every problem by row (nothing is written yet)."""
    src = _source(source)
    if request.method == "GET":
        return _upload_page(request, src)
    user = request_user(request)
    year = request.POST.get("year", "")
    try:
        params = ImportInput.parse({"source": src.value, "year": year}, context={"channel": "form"})
    except InvalidInput as exc:
        return _upload_page(request, src, error="; ".join(e["message"] for e in exc.errors), year=year, status=400)
    content, filename, error, status = read_upload(request)
    if content is None:
        return _upload_page(request, src, error=error, year=year, status=status)
    try:
        batch, plan = services.mu_import_preview(acting_user=user, data=params, content=content, filename=filename)
    except ImportFileError as exc:
        return _upload_page(request, src, error=exc.message, year=year,
                            status=413 if exc.code == "TOO_LARGE" else 400)
    return render(request, "mujun/inputs/preview.html", {
        "source": src, "spec": SOURCES[src], "year": params.year, "batch": batch, "columns": columns_of(src),
        "rows": plan.rows[:PREVIEW_ROWS], "errors": plan.errors[:ERRORS_SHOWN], "error_count": len(plan.errors),
        "previous": previous_commit(batch), "preview_rows": PREVIEW_ROWS,
    })


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = ImportBatch.objects.filter(pk=pk, uploaded_by=request_user(request)).first()
    if batch is None or parse_kind(batch.kind) is None:
        raise Http404
    return import_batch_get_for_user(user=request_user(request), pk=pk, kind=batch.kind)


@allow(EDITORS)
@require_POST
def import_commit(request: HttpRequest) -> HttpResponseBase:
    """Apply a previewed batch of the current user, all or nothing; then its result."""
    text = request.POST.get("batch", "")
    if not (text.isascii() and text.isdigit()):
        messages.error(request, _("The import to commit is missing; upload the file again."))
        return render(request, "mujun/inputs/batches.html", {
            "batches": [], "sources": _sources(), "can_edit": True}, status=400)
    batch = _own_batch(request, int(text))
    try:
        batch, _plan = services.mu_import_commit(acting_user=request_user(request), batch=batch)
    except (ImportBlocked, ImportFileError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _(
            "Import committed: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
        ) % {"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged})
    return redirect("mujun:import_result", pk=batch.pk)


@allow(EDITORS)
@require_GET
def import_result(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's outcome: counts, status and errors (another user's batch is 404)."""
    batch = _own_batch(request, pk)
    parsed = parse_kind(batch.kind)
    assert parsed is not None
    return render(request, "mujun/inputs/result.html", {
        "batch": batch, "source": parsed[0], "spec": SOURCES[parsed[0]], "year": parsed[1],
        "errors": batch.errors[:ERRORS_SHOWN], "error_count": len(batch.errors),
        "committed": batch.status == ImportStatus.COMMITTED,
    })


@allow(EDITORS)
@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's row errors as .xlsx (row, column, reason)."""
    batch = _own_batch(request, pk)
    return xlsx_download(error_report_xlsx(batch), f"mu-import-{batch.pk}-errors.xlsx")


@allow(EDITORS)
@require_GET
def import_template_download(request: HttpRequest, source: str) -> HttpResponse:
    """The source's workbook template (the contract's headers)."""
    src = _source(source)
    return xlsx_download(import_template(src), f"mu-{src.value}-template.xlsx")


@allow(CITY_READER_ROLES)
@require_GET
def batches(request: HttpRequest) -> HttpResponse:
    """The 亩均 import batches, latest first (the last 200): source, year, file, counts, status."""
    user = request_user(request)
    rows = []
    for batch in selectors.batch_list_visible_to(user)[:200]:
        parsed = parse_kind(batch.kind)
        if parsed is not None:
            rows.append({"batch": batch, "source": SOURCES[parsed[0]], "year": parsed[1],
                         "own": batch.uploaded_by_id == user.pk})
    return render(request, "mujun/inputs/batches.html", {
        "batches": rows, "sources": _sources(), "can_edit": user.has_role(*EDITORS),
    })
