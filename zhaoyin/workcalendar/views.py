"""The system administrator's calendar pages (DESIGN 4): a year at a glance, the exceptions,
adding and removing one, importing a notice, marking a year official, the import template.

Only ``Role.SYSADMIN`` reaches them. Views parse, call one service and render.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.forms import add_service_errors
from zhaoyin.core.roles import Role
from zhaoyin.workcalendar import selectors
from zhaoyin.workcalendar.forms import ExceptionAddForm, NoticeImportForm, OfficialYearForm, YearForm
from zhaoyin.workcalendar.notice import RowError, notice_template
from zhaoyin.workcalendar.services import (
    NoticeImportError,
    exception_add,
    exception_remove,
    notice_import,
    official_year_mark,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"






def _year_of(request: HttpRequest) -> int:
    form = YearForm(request.GET or None)
    cal = selectors.current_calendar()
    if form.is_valid() and cal.first_year <= form.cleaned_data["year"] <= cal.last_year:
        year: int = form.cleaned_data["year"]
        return year
    return timezone.localdate().year


def _weekday_names() -> list[str]:
    """One-character weekday headings, Monday first (一 二 三 … in Chinese)."""
    return [
        pgettext("weekday, narrow", "Mo"), pgettext("weekday, narrow", "Tu"),
        pgettext("weekday, narrow", "We"), pgettext("weekday, narrow", "Th"),
        pgettext("weekday, narrow", "Fr"), pgettext("weekday, narrow", "Sa"),
        pgettext("weekday, narrow", "Su"),
    ]


def _index_url(year: int) -> str:
    return f"{reverse('workcalendar:index')}?year={year}"


def _page(
    request: HttpRequest,
    year: int,
    *,
    add_form: ExceptionAddForm | None = None,
    import_form: NoticeImportForm | None = None,
    official_form: OfficialYearForm | None = None,
    import_errors: list[RowError] | None = None,
    status: int = 200,
) -> HttpResponse:
    this_year = timezone.localdate().year
    shown = range(min(year, this_year) - 1, max(year, this_year) + 3)
    context: dict[str, Any] = {
        "year": year,
        "prev_year": year - 1,
        "next_year": year + 1,
        "months": selectors.year_overview(year=year),
        "exceptions": selectors.exception_list(year=year),
        "official_years": selectors.official_year_list(),
        "statuses": selectors.year_statuses(shown),
        "year_status": next((s for s in selectors.year_statuses(range(year, year + 1))), None),
        "add_form": add_form or ExceptionAddForm(),
        "import_form": import_form or NoticeImportForm(),
        "official_form": official_form or OfficialYearForm(initial={"year": year}),
        "import_errors": import_errors or [],
        "weekday_names": _weekday_names(),
    }
    return render(request, "workcalendar/index.html", context, status=status)


@allow(Role.SYSADMIN)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The calendar of one year (``?year=``, default this year) and the administration forms."""
    return _page(request, _year_of(request))


@allow(Role.SYSADMIN)
@require_POST
def exception_add_view(request: HttpRequest) -> HttpResponse:
    form = ExceptionAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            exc = exception_add(acting_user=request_user(request), date=data["date"], kind=data["kind"],
                                name=data["name"], note=data["note"], source=data["source"])
        except InvalidInput as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The exception for %(date)s has been saved.") % {"date": exc.date.isoformat()})
            return redirect(_index_url(exc.date.year))
    year = form.cleaned_data["date"].year if "date" in form.cleaned_data else _year_of(request)
    return _page(request, year, add_form=form, status=400)


@allow(Role.SYSADMIN)
@require_POST
def exception_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    exc = selectors.exception_get(pk=pk)
    year = exc.date.year
    try:
        exception_remove(acting_user=request_user(request), exception=exc)
    except InvalidInput as err:
        messages.error(request, str(err.detail))
    else:
        messages.success(request, _("The exception for %(date)s has been removed.") % {"date": exc.date.isoformat()})
    return redirect(_index_url(year))


@allow(Role.SYSADMIN)
@require_POST
def notice_import_view(request: HttpRequest) -> HttpResponse:
    form = NoticeImportForm(request.POST, request.FILES)
    year = _year_of(request)
    row_errors: list[RowError] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size is not None and upload.size > settings.MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is too large (at most 20 MB)."))
        else:
            try:
                result = notice_import(acting_user=request_user(request), data=upload.read(),
                                       year=form.cleaned_data["year"], notice=form.cleaned_data["notice"])
            except NoticeImportError as err:
                row_errors = err.row_errors
                form.add_error("file", str(err.detail))
            except InvalidInput as err:
                add_service_errors(form, err)
            else:
                messages.success(request, _(
                    "The %(year)s notice has been loaded: %(added)s added, %(changed)s changed, "
                    "%(removed)s removed, %(unchanged)s unchanged; %(recomputed)s stored deadlines recomputed."
                ) % {
                    "year": result.year, "added": len(result.added), "changed": len(result.changed),
                    "removed": len(result.removed), "unchanged": result.unchanged,
                    "recomputed": sum(result.recomputed.values()),
                })
                return redirect(_index_url(result.year))
    return _page(request, year, import_form=form, import_errors=row_errors, status=400)


@allow(Role.SYSADMIN)
@require_POST
def official_year_view(request: HttpRequest) -> HttpResponse:
    form = OfficialYearForm(request.POST)
    if form.is_valid():
        try:
            official, recomputed = official_year_mark(acting_user=request_user(request), year=form.cleaned_data["year"],
                                                      notice=form.cleaned_data["notice"])
        except InvalidInput as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("%(year)s is now official; %(recomputed)s stored deadlines recomputed.") % {
                "year": official.year, "recomputed": sum(recomputed.values()),
            })
            return redirect(_index_url(official.year))
    return _page(request, _year_of(request), official_form=form, status=400)


@allow(Role.SYSADMIN)
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The blank .xlsx a notice is typed into."""
    response = HttpResponse(notice_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="holiday-notice-template.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
