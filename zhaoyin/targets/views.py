"""Target pages (目标考核): the progress table, the records behind each number, the editor
for the city admin and the cycle-time distributions.

Thin views: parse, read through the selectors (scoped), call one service, render. Bad
parameters re-show the page with the messages and status 400, naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from zhaoyin.accounts import ranking
from zhaoyin.accounts.request import request_user
from zhaoyin.accounts.selectors import org_unit_by_code
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.export_pages import attachment_disposition, xlsx_export_response
from zhaoyin.core.forms import add_service_errors, bind_input
from zhaoyin.core.import_pages import ImportPages, xlsx_download
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role
from zhaoyin.targets import drill_exports, report, selectors, services
from zhaoyin.targets.forms import ProgressForm, RankingGroupForm, TargetForm
from zhaoyin.targets.importing import TARGET_COLUMNS, TargetImport, target_import_template
from zhaoyin.targets.indicators import REGISTRY, VERIFIED
from zhaoyin.targets.inputs import TargetSetInput

PAGE_SIZE = 100


def _drill_url(name: str, **params: Any) -> str:
    return reverse(name) + "?" + urlencode(params)


@allow(selectors.READER_ROLES)
@require_GET
def progress_page(request: HttpRequest) -> HttpResponse:
    """Progress of every visible unit against its target, each actual linked to its records."""
    user = request_user(request)
    today = timezone.localdate()
    form = ProgressForm(request.GET)  # bound even when empty: every field has a default
    context: dict[str, Any] = {
        "form": form,
        "progress": None,
        "can_edit": selectors.can_edit_targets(user),
        "can_bulletin": user.has_role(*report.BULLETIN_ROLES),
    }
    if not form.is_valid():
        return render(request, "targets/progress.html", context, status=400)
    year, code, as_of = form.values(today)
    basis = form.basis_value()
    progress = selectors.progress_for(user, year=year, indicator=REGISTRY[code], as_of=as_of, basis=basis)
    drill = f"targets:{progress.indicator.drill}"

    def link(row: selectors.Row) -> str:
        params = {"org_unit": row.unit.code, "year": year, "as_of": as_of.isoformat()}
        if drill != "targets:funds":
            params["indicator"] = code
        elif progress.basis != VERIFIED:
            params["basis"] = progress.basis
        if row.excludes:
            params["ranked"] = 1
        return _drill_url(drill, **params)

    context.update(
        progress=progress,
        rows=[(r, link(r)) for r in progress.items],
        groups=selectors.rows_by_group(progress.items, link),
        city_link=link(progress.city) if progress.city else "",
        year=year,
        as_of=as_of,
    )
    return render(request, "targets/progress.html", context)


@allow(selectors.READER_ROLES)
@require_GET
def progress_print(request: HttpRequest) -> HttpResponse:
    """The progress table on an A4 sheet (issue 16 item 2): the page's parameters and scope,
    the Excel export's rows (report.progress_rows), no navigation. Bad parameters → 400."""
    user = request_user(request)
    form = ProgressForm(request.GET)
    if not form.is_valid():
        return render(request, "targets/progress.html", {"form": form, "progress": None}, status=400)
    year, code, as_of = form.values(timezone.localdate())
    progress = selectors.progress_for(user, year=year, indicator=REGISTRY[code], as_of=as_of, basis=form.basis_value())
    return render(request, "targets/progress_print.html", {
        "progress": progress,
        "headers": report.PROGRESS_PRINT_HEADERS,
        "rows": report.progress_print_rows(progress),
        "caption": report.progress_caption(progress),
        "back_url": reverse("targets:progress") + "?" + request.GET.urlencode(),
        "printed_at": timezone.now(),
    })


def _ranked(request: HttpRequest) -> bool:
    """``ranked=1``: the records of the unit's ranked row (without the parks ranked on their own)."""
    return request.GET.get("ranked") == "1"


def _unit_name(code: str) -> str:
    """A drill-down's unit by its name (issue 16: the heading reads 高新区, not park-gxq)."""
    unit = org_unit_by_code(code)
    return unit.name if unit is not None else code


def _drill_params(request: HttpRequest, *, need_indicator: bool) -> tuple[int, str, dt.date, str]:
    user = request_user(request)
    year, indicator, as_of = selectors.parse_progress_params(
        request.GET.get("year", ""),
        request.GET.get("indicator", "external_funds") if need_indicator else "external_funds",
        request.GET.get("as_of"),
        today=timezone.localdate(),
    )
    org_unit = request.GET.get("org_unit") or selectors.default_unit_code(user)
    return year, indicator.code, as_of, org_unit


@allow(selectors.READER_ROLES)
@require_GET
def funds_drill(request: HttpRequest) -> HttpResponse:
    """The active fund entries behind a unit's external_funds (scoped, paged)."""
    user = request_user(request)
    try:
        year, _code, as_of, org_unit = _drill_params(request, need_indicator=False)
        basis = selectors.parse_basis(request.GET.get("basis"))
        entries = selectors.funds_behind(
            user, org_unit=org_unit, year=year, as_of=as_of, basis=basis, ranked=_ranked(request)
        )
    except InvalidInput as exc:
        return render(request, "targets/funds.html", {"errors": exc.errors}, status=400)
    page = IdFirstPaginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "total_yi": selectors.funds_behind_total(entries),
        "export_url": reverse("targets:funds_export"),
        "org_unit": org_unit,
        "org_unit_name": _unit_name(org_unit),
        "year": year,
        "as_of": as_of,
        "basis": basis,
    }
    return render(request, "targets/funds.html", context)


@allow(selectors.READER_ROLES)
@require_GET
def projects_drill(request: HttpRequest) -> HttpResponse:
    """The projects counted in a unit's count indicator, with the date each reached it."""
    user = request_user(request)
    try:
        year, code, as_of, org_unit = _drill_params(request, need_indicator=True)
        indicator = REGISTRY[code]
        if indicator.drill != "projects":
            raise InvalidInput.field("indicator", _("This indicator is not a count of projects."))
        rows = selectors.projects_behind(
            user, indicator=indicator, org_unit=org_unit, year=year, as_of=as_of, ranked=_ranked(request)
        )
    except InvalidInput as exc:
        return render(request, "targets/projects.html", {"errors": exc.errors}, status=400)
    context = {"rows": rows, "indicator": indicator, "org_unit": org_unit, "org_unit_name": _unit_name(org_unit),
               "year": year, "as_of": as_of,
               "export_url": reverse("targets:projects_export")}
    return render(request, "targets/projects.html", context)


@allow(selectors.READER_ROLES)
@require_GET
def talents_drill(request: HttpRequest) -> HttpResponse:
    """The talents counted in a unit's talent indicator (new_talents, a tier's), by arrival."""
    user = request_user(request)
    try:
        year, code, as_of, org_unit = _drill_params(request, need_indicator=True)
        indicator = REGISTRY[code]
        if indicator.drill != "talents":
            raise InvalidInput.field("indicator", _("This indicator is not a count of talents."))
        rows = selectors.talents_behind(
            user, indicator=indicator, org_unit=org_unit, year=year, as_of=as_of, ranked=_ranked(request)
        )
    except InvalidInput as exc:
        return render(request, "targets/talents.html", {"errors": exc.errors}, status=400)
    context = {"rows": rows, "indicator": indicator, "org_unit": org_unit, "org_unit_name": _unit_name(org_unit),
               "year": year, "as_of": as_of,
               "export_url": reverse("targets:talents_export")}
    return render(request, "targets/talents.html", context)


@allow(Role.CITY_ADMIN)
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest) -> HttpResponse:
    """Set one target (and optionally its cumulative monthly plan)."""
    user = request_user(request)
    if request.method == "POST":
        form = TargetForm(request.POST)
        data = None
        if form.is_valid():
            # The plan's twelve boxes (m1 … m12) are the model's month_plan; its refusals go
            # back on the month's box.
            months = {f"month_plan.{m}": f"m{m}" for m in range(1, 13)}
            data = bind_input(
                TargetSetInput, request.POST, form,
                extra={"month_plan": form.month_plan()}, place=lambda exc: exc.renamed(months),
            )
        if data is not None:
            try:
                services.target_set(acting_user=user, org_unit=form.cleaned_data["org_unit"], data=data)
            except InvalidInput as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The target was saved."))
                query = urlencode({"year": str(data.year), "indicator": data.indicator})
                return HttpResponseRedirect(reverse("targets:progress") + "?" + query)
        targets = selectors.targets_for_year(timezone.localdate().year)
        return render(request, "targets/edit.html", {"form": form, "targets": targets}, status=400)
    initial = {"year": request.GET.get("year") or timezone.localdate().year, "indicator": request.GET.get("indicator")}
    form = TargetForm(initial=initial)
    try:
        year = int(str(initial["year"]))
    except ValueError:
        year = timezone.localdate().year
    return render(request, "targets/edit.html", {"form": form, "targets": selectors.targets_for_year(year)})


def _drill_indicator(code: str, drill: str) -> Any:
    indicator = REGISTRY[code]
    if indicator.drill != drill:
        message = {
            "projects": _("This indicator is not a count of projects."),
            "talents": _("This indicator is not a count of talents."),
        }[drill]
        raise InvalidInput.field("indicator", message)
    return indicator


@allow(selectors.READER_ROLES)
@require_GET
def funds_drill_export(request: HttpRequest) -> HttpResponseBase:
    """The funds drill-down's entries (every page) as .xlsx: same parameters, same selector."""
    user = request_user(request)

    def write(out: Any) -> int:
        year, _code, as_of, org_unit = _drill_params(request, need_indicator=False)
        basis = selectors.parse_basis(request.GET.get("basis"))
        entries = selectors.funds_behind(
            user, org_unit=org_unit, year=year, as_of=as_of, basis=basis, ranked=_ranked(request)
        )
        return drill_exports.funds_export(
            acting_user=user, entries=entries, org_unit=org_unit, year=year, as_of=as_of, basis=basis,
            ranked=_ranked(request), out=out,
        )

    return xlsx_export_response(
        request, write=write, filename=drill_exports.funds_filename(), back_url=reverse("targets:progress")
    )


@allow(selectors.READER_ROLES)
@require_GET
def projects_drill_export(request: HttpRequest) -> HttpResponseBase:
    """The projects drill-down's rows as .xlsx: same parameters, same selector."""
    return _counted_drill_export(request, "projects", selectors.projects_behind, drill_exports.projects_export)


@allow(selectors.READER_ROLES)
@require_GET
def talents_drill_export(request: HttpRequest) -> HttpResponseBase:
    """The talents drill-down's rows as .xlsx: same parameters, same selector."""
    return _counted_drill_export(request, "talents", selectors.talents_behind, drill_exports.talents_export)


def _counted_drill_export(request: HttpRequest, kind: str, behind: Any, export: Any) -> HttpResponseBase:
    """A counted drill-down (projects or talents behind a figure) as .xlsx: the page's
    parameters, its selector ``behind`` and the kind's ``export`` use case."""
    user = request_user(request)
    names: list[str] = []

    def write(out: Any) -> int:
        year, code, as_of, org_unit = _drill_params(request, need_indicator=True)
        indicator = _drill_indicator(code, kind)
        names.append(drill_exports.counted_filename(indicator))
        rows = behind(user, indicator=indicator, org_unit=org_unit, year=year, as_of=as_of, ranked=_ranked(request))
        return int(export(acting_user=user, rows=rows, indicator=indicator, org_unit=org_unit, year=year,
                          as_of=as_of, ranked=_ranked(request), out=out))

    return _drill_response(request, write, names)


def _drill_response(request: HttpRequest, write: Any, names: list[str]) -> HttpResponseBase:
    """Stream ``write``'s file under the name it chose (the indicator's, known once parsed)."""
    response = xlsx_export_response(request, write=write, filename="export.xlsx", back_url=reverse("targets:progress"))
    if names and response.status_code == 200:
        response["Content-Disposition"] = attachment_disposition(names[0])
    return response


@allow(selectors.READER_ROLES)
@require_GET
def cycle_times_page(request: HttpRequest) -> HttpResponse:
    """Cycle-time distributions (days) per unit or industry over the projects in scope."""
    user = request_user(request)
    by = request.GET.get("by", "unit")
    try:
        groups = selectors.cycle_time_distributions(user, by=by)
    except InvalidInput as exc:
        return render(request, "targets/cycle_times.html", {"errors": exc.errors, "by": by}, status=400)
    return render(request, "targets/cycle_times.html", {"groups": groups, "by": by, "spans": selectors.SPANS})


# ---- Excel import (city admin) ---------------------------------------------------------------

PAGES = ImportPages(
    spec=TargetImport,
    kind=TargetImport.kind,
    columns=TARGET_COLUMNS,
    list_url="targets:progress",
    import_url="targets:import",
    commit_url="targets:import_commit",
    result_url="targets:import_result",
    template_url="targets:import_template",
    section_label=gettext_lazy("Targets and progress"),
    heading=gettext_lazy("Import targets from Excel"),
    back_label=gettext_lazy("Back to the progress table"),
    notes=(
        gettext_lazy("One row per year, unit and indicator; a known one is updated."),
        gettext_lazy(
            "The month columns hold the planned cumulative value at the end of each month; leave them all blank "
            "to keep the current plan."
        ),
        gettext_lazy("Unit codes must be text cells, not numbers."),
    ),
)
#: The import's routes (upload, commit, result, error report) with their rule.
IMPORT = PAGES.views(Role.CITY_ADMIN)



# ---- the targets report (issue 15 item 7) ---------------------------------------------------


@allow(selectors.READER_ROLES)
@require_GET
def progress_export(request: HttpRequest) -> HttpResponse:
    """The progress table the caller sees, as Excel (``year``, ``indicator``, ``as_of``)."""
    user = request_user(request)
    try:
        year, indicator, as_of = selectors.parse_progress_params(
            request.GET.get("year") or timezone.localdate().year,
            request.GET.get("indicator") or "external_funds",
            request.GET.get("as_of"),
            today=timezone.localdate(),
        )
    except InvalidInput as exc:
        return render(request, "targets/progress.html", {"errors": exc.errors, "progress": None}, status=400)
    content = report.progress_export(acting_user=user, year=year, indicator=indicator.code, as_of=as_of)
    return xlsx_download(content, report.progress_filename(year=year, indicator=indicator.code))


@allow(*report.BULLETIN_ROLES)
@require_GET
def target_bulletin(request: HttpRequest) -> HttpResponse:
    """The monthly 招商 通报 as Word (``format=docx``, default) or PDF for ``year``/``month``
    (default: last month), audited. Bad parameters → 400 naming them."""
    user = request_user(request)
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    fmt = request.GET.get("format") or "docx"
    try:
        year, month = report.parse_month(
            request.GET.get("year") or last_month.year, request.GET.get("month") or last_month.month
        )
        content = report.bulletin_export(acting_user=user, year=year, month=month, fmt=fmt, today=today)
    except InvalidInput as exc:
        return render(request, "targets/progress.html", {"errors": exc.errors, "progress": None}, status=400)
    response = HttpResponse(content, content_type=report.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="targets-bulletin-{year}-{month:02d}.{fmt}"'
    return response


# ---- ranking groups (issue 15 item 2) --------------------------------------------------------


@allow(*ranking.EDITOR_ROLES)
@require_GET
def ranking_groups_page(request: HttpRequest) -> HttpResponse:
    """Every ranking group with its members; each opens its editor."""
    return render(request, "targets/groups.html", {"groups": ranking.groups_with_members()})


@allow(*ranking.EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def ranking_group_edit(request: HttpRequest) -> HttpResponse:
    """Create or change a group (``?code=`` opens an existing one): name, order, minimum sample
    and, per unit, whether it is a member and whether it is ranked on its own only."""
    user = request_user(request)
    units = ranking.rankable_units()
    if request.method == "POST":
        form = RankingGroupForm(request.POST)
        data = None
        if form.is_valid():
            data = bind_input(
                ranking.RankingGroupInput, request.POST, form, extra={"members": form.posted_members(request.POST)}
            )
        if data is not None:
            try:
                ranking.ranking_group_save(acting_user=user, data=data)
            except InvalidInput as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The ranking group was saved."))
                return HttpResponseRedirect(reverse("targets:groups"))
        chosen = set(request.POST.getlist("member"))
        own = set(request.POST.getlist("own_rank"))
        context = {"form": form, "units": [(u, u.code in chosen, u.code in own) for u in units]}
        return render(request, "targets/group_edit.html", context, status=400)
    group = ranking.group_get(request.GET["code"]) if request.GET.get("code") else None
    members = {m.org_unit_id: m for m in group.members.all()} if group else {}
    initial = (
        {"code": group.code, "name": group.name, "order": group.order, "min_matters": group.min_matters}
        if group
        else {"order": 0, "min_matters": 1}
    )
    context = {
        "form": RankingGroupForm(initial=initial),
        "group": group,
        "units": [(u, u.pk in members, u.pk in members and not members[u.pk].rolls_up) for u in units],
    }
    return render(request, "targets/group_edit.html", context)


@allow(*ranking.EDITOR_ROLES)
@require_http_methods(["POST"])
def ranking_group_delete(request: HttpRequest) -> HttpResponse:
    """Remove a group (``code`` posted); its units rank by kind again."""
    group = ranking.group_get(request.POST.get("code", ""))
    ranking.ranking_group_delete(acting_user=request_user(request), group=group)
    messages.success(request, _("The ranking group was removed."))
    return HttpResponseRedirect(reverse("targets:groups"))


@allow(Role.CITY_ADMIN)
@require_GET
def target_import_template_download(request: HttpRequest) -> HttpResponse:
    """The import template (.xlsx) with the indicator codes on a second sheet."""
    return xlsx_download(target_import_template(), "target-import-template.xlsx")
