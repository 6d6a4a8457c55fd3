"""Pages of 百家企业行 (DESIGN 3.6): the service groups (members, assigned enterprises, this
quarter's coverage; membership and assignments managed by the city administration, Excel
import and export of assignments), visits (a phone-friendly form raising demands, the list,
the detail with the demands' matters) and coverage per group and quarter with its
drill-down to the enterprises not yet visited.

Thin views: parse, fetch through a selector (404 out of scope), call one service, render.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.accounts.scope import sees_whole_city
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.export_pages import timestamped_filename, xlsx_export_response
from zhaoyin.core.files import attachment_response
from zhaoyin.core.forms import FilterBarForm, add_service_errors, bind_form
from zhaoyin.core.import_pages import ImportPages, xlsx_download
from zhaoyin.core.listparams import positive_int
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import CITY_WIDE_ROLES
from zhaoyin.matters import clocks
from zhaoyin.visits import exporting, selectors, services
from zhaoyin.visits.filters import VisitFilter
from zhaoyin.visits.forms import (
    KIND_CHOICES,
    AssignForm,
    MemberAddForm,
    VisitForm,
    demand_rows,
    place_demand_errors,
    service_errors_for_form,
)
from zhaoyin.visits.importing import ASSIGNMENT_COLUMNS, AssignmentImport, assignment_export, assignment_template
from zhaoyin.visits.inputs import GroupAssignInput, GroupAssignManyInput, MemberInput, MembersAddInput, VisitCreateInput
from zhaoyin.visits.member_import import MEMBER_COLUMNS, MemberImport, member_export, member_template

MANAGERS = selectors.MANAGER_ROLES
GROUP_READERS = selectors.GROUP_READER_ROLES
READERS = selectors.READER_ROLES
RECORDERS = selectors.RECORDER_ROLES

PAGES = ImportPages(
    spec=AssignmentImport,
    kind=AssignmentImport.kind,
    columns=ASSIGNMENT_COLUMNS,
    list_url="visits:group_list",
    import_url="visits:assign_import",
    commit_url="visits:assign_import_commit",
    result_url="visits:assign_import_result",
    template_url="visits:assign_import_template",
    errors_url="visits:assign_import_errors",
    section_label=gettext_lazy("Service groups"),
    heading=gettext_lazy("Import service group assignments from Excel"),
    back_label=gettext_lazy("Back to the service groups"),
    notes=(
        gettext_lazy(
            "Each row names an enterprise by its unified social credit code and the code of the service group that "
            "serves it (sg-01 …); the enterprise moves to that group."
        ),
        gettext_lazy("The export of the assignments has these two columns on its first sheet and imports back."),
        gettext_lazy("A file with any error imports nothing."),
    ),
)
#: The import's routes (upload, commit, result, error report) with their rule.
IMPORT = PAGES.views(*MANAGERS)

MEMBER_PAGES = ImportPages(
    spec=MemberImport,
    kind=MemberImport.kind,
    columns=MEMBER_COLUMNS,
    list_url="visits:group_list",
    import_url="visits:member_import",
    commit_url="visits:member_import_commit",
    result_url="visits:member_import_result",
    template_url="visits:member_import_template",
    errors_url="visits:member_import_errors",
    section_label=gettext_lazy("Service groups"),
    heading=gettext_lazy("Import service group members from Excel"),
    back_label=gettext_lazy("Back to the service groups"),
    notes=(
        gettext_lazy(
            "Each row names an account by its username and the code of a service group (sg-01 …); the account "
            "becomes a member of that group. 组长 是 makes it the group's leader (the previous leader becomes an "
            "ordinary member); 否 makes it an ordinary member; a blank cell keeps the flag as it is."
        ),
        gettext_lazy(
            "The account must be active and hold the service group member role; grant the role first. Members "
            "not named in the file stay in their groups."
        ),
        gettext_lazy("The export of the members has these three columns on its first sheet and imports back."),
        gettext_lazy("A file with any error imports nothing."),
    ),
)
#: The member import's routes (upload, commit, result, error report) with their rule.
MEMBER_IMPORT = MEMBER_PAGES.views(*MANAGERS)


# --------------------------------------------------------------------------- groups


@allow(*GROUP_READERS)
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    """The service groups: members, assigned enterprises, this quarter's coverage."""
    user = request_user(request)
    today = clocks.today()
    groups = list(selectors.group_list_visible_to(user))
    led = selectors.led_group_ids(user)
    context = {
        "rows": selectors.group_rows(groups, today=today),
        "quarter": f"{today.year}-Q{selectors.quarter_of(today)}",
        "can_manage": user.has_role(*MANAGERS),
        "openable": None if sees_whole_city(user) else led,
    }
    return render(request, "visits/group_list.html", context)


def _group_context(request: HttpRequest, pk: int, **extra: Any) -> dict[str, Any]:
    user = request_user(request)
    group = selectors.group_get_for_user(user=user, pk=pk)
    enterprises = list(selectors.group_enterprises(group))
    last = selectors.last_visits([e.pk for e in enterprises])
    today = clocks.today()
    cell = selectors.coverage_table([group], year=today.year).cell(group.pk, selectors.quarter_of(today))
    return {
        "group": group,
        "members": selectors.group_members(group),
        "enterprises": [(e, last.get(e.pk)) for e in enterprises],
        "cell": cell,
        "quarter": f"{today.year}-Q{selectors.quarter_of(today)}",
        "can_manage": user.has_role(*MANAGERS) and not user.admin_role,
        "member_form": extra.pop("member_form", None) or MemberAddForm(),
        "assign_form": extra.pop("assign_form", None) or AssignForm(),
        **extra,
    }


@allow(*GROUP_READERS)
@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A group: members (leader flagged), assigned enterprises with their last visit, and for
    the city administration the forms to change both. A member sees it only as its leader."""
    return render(request, "visits/group_detail.html", _group_context(request, pk))


@allow(*MANAGERS)
@require_POST
def group_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add accounts holding the service_member role to the group, all or none (400 naming
    ``user`` and the account refused)."""
    user = request_user(request)
    group = selectors.group_get_for_manager(pk=pk)
    form = MemberAddForm(request.POST)
    data = bind_form(MembersAddInput, request.POST, form)
    if data is not None:
        try:
            added = services.memberships_add(acting_user=user, group=group, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, ngettext(
                "The member has been added.", "%(n)d members have been added.", len(added)
            ) % {"n": len(added)})
            return HttpResponseRedirect(reverse("visits:group_detail", args=[group.pk]) + "#members")
    return render(request, "visits/group_detail.html", _group_context(request, pk, member_form=form), status=400)


@allow(*MANAGERS)
@require_POST
def group_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a member (by username) from the group."""
    user = request_user(request)
    group = selectors.group_get_for_manager(pk=pk)
    try:
        services.membership_remove(
            acting_user=user, group=group, data=MemberInput.parse({"user": request.POST.get("user", "")})
        )
    except InvalidInput as exc:
        messages.error(request, str(exc.detail))
        return render(request, "visits/group_detail.html", _group_context(request, pk), status=400)
    messages.success(request, _("The member has been removed."))
    return HttpResponseRedirect(reverse("visits:group_detail", args=[group.pk]) + "#members")


@allow(*MANAGERS)
@require_POST
def group_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign enterprises (picked, or by credit code or id) to the group, all or none; each
    leaves its old group."""
    user = request_user(request)
    group = selectors.group_get_for_manager(pk=pk)
    form = AssignForm(request.POST)
    data = bind_form(GroupAssignManyInput, request.POST, form, extra={"group": group.code})
    if data is not None:
        try:
            firms = services.enterprises_assign_group(acting_user=user, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is now served by this group.") % {
                "name": "、".join(e.name for e in firms)
            })
            return HttpResponseRedirect(reverse("visits:group_detail", args=[group.pk]) + "#enterprises")
    return render(request, "visits/group_detail.html", _group_context(request, pk, assign_form=form), status=400)


@allow(*MANAGERS)
@require_POST
def group_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Take an enterprise (by id) out of the group: it is then served by none."""
    user = request_user(request)
    group = selectors.group_get_for_manager(pk=pk)
    try:
        enterprise = services.enterprise_assign_group(
            acting_user=user, data=GroupAssignInput.parse({"enterprise": request.POST.get("enterprise", "")}),
            only_from=group,
        )
    except InvalidInput:
        messages.error(request, _("This enterprise is not assigned to the group."))
        return render(request, "visits/group_detail.html", _group_context(request, pk), status=400)
    messages.success(request, _("%(name)s is no longer served by this group.") % {"name": enterprise.name})
    return HttpResponseRedirect(reverse("visits:group_detail", args=[group.pk]) + "#enterprises")


@allow(*MANAGERS)
@require_GET
def assign_import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_download(assignment_template(), "service-group-assignments-template.xlsx")


@allow(*CITY_WIDE_ROLES)
@require_GET
def assign_export(request: HttpRequest) -> HttpResponse:
    """Every enterprise with a service group as .xlsx, in the import's columns (re-importable)."""
    out = io.BytesIO()
    assignment_export(acting_user=request_user(request), out=out)
    return xlsx_download(out.getvalue(), timestamped_filename(pgettext("export file", "Service group enterprises")))


@allow(*MANAGERS)
@require_GET
def member_import_template(request: HttpRequest) -> HttpResponse:
    """The member import's template: headers, an example row, the group codes."""
    return xlsx_download(member_template(), "service-group-members-template.xlsx")


@allow(*MANAGERS)
@require_GET
def member_export_view(request: HttpRequest) -> HttpResponse:
    """Every service group membership as .xlsx, in the import's columns (re-importable), audited."""
    out = io.BytesIO()
    member_export(acting_user=request_user(request), out=out)
    return xlsx_download(out.getvalue(), timestamped_filename(pgettext("export file", "Service group members")))


# --------------------------------------------------------------------------- visits


def _visit_form_context(form: VisitForm, rows: list[Any]) -> dict[str, Any]:
    return {
        "form": form,
        "demand_rows": rows,
        "kind_choices": KIND_CHOICES,
        "next_index": max(r.index for r in rows) + 1,
        # The row static/js/visits.js copies for "add another demand" (__N__ → its number).
        "blank_row": {"index": "__N__", "kind": "coordination", "errors": {}},
        "no_enterprises": len(form.fields["enterprise"].choices) <= 1,  # type: ignore[attr-defined]
    }


@allow(*RECORDERS)
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponse:
    """走访登记 on a phone: one service call records the visit and its demands' matters.
    ``?enterprise=`` preselects an enterprise. Bad input comes back with the fields marked
    (400) and nothing written."""
    user = request_user(request)
    if request.method != "POST":
        initial = {"enterprise": request.GET.get("enterprise", "")[:20]}
        form = VisitForm(user=user, initial=initial)
        return render(request, "visits/form.html", _visit_form_context(form, demand_rows(None)))
    form = VisitForm(request.POST, request.FILES, user=user)
    rows = demand_rows(request.POST)
    filled = [r for r in rows if r.filled]
    # One round: the form's checks and the model's (the demand rows' too) together.
    data = bind_form(
        VisitCreateInput, request.POST, form,
        extra={"demands": [r.as_input() for r in filled]},
        place=lambda exc: place_demand_errors(exc, filled),
    )
    if data is not None:
        try:
            visit = services.visit_create(acting_user=user, data=data, files=form.uploads() or None)
        except InvalidInput as exc:
            add_service_errors(form, service_errors_for_form(place_demand_errors(exc, filled)))
        else:
            count = visit.demands.count()
            messages.success(
                request,
                _("The visit has been recorded; %(n)d demand(s) registered as matters.") % {"n": count},
            )
            return HttpResponseRedirect(reverse("visits:visit_detail", args=[visit.pk]))
    return render(request, "visits/form.html", _visit_form_context(form, rows), status=400)


@allow(*READERS)
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    """Visits of the enterprises in scope, newest first, filtered by group, enterprise, quarter."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=VisitFilter, user=user)
    context: dict[str, Any] = {
        "form": form,
        "page_obj": None,
        "can_create": user.has_role(*RECORDERS) and not user.admin_role,
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "visits/list.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.visit_list_visible_to(user)).prefetch_related(
        "demands__matter", "participants"
    )
    paginator = IdFirstPaginator(qs, flt.page_size)
    context["page_obj"] = paginator.get_page(flt.page)
    if flt.enterprise is not None:
        from zhaoyin.enterprises.selectors import enterprise_list_visible_to

        context["enterprise"] = enterprise_list_visible_to(user).filter(pk=flt.enterprise).first()
    return render(request, "visits/list.html", context)


@allow(*READERS)
@require_GET
def visit_export(request: HttpRequest) -> HttpResponseBase:
    """The scoped, filtered visit list as .xlsx: the list page's roles, selector and filters."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: exporting.visit_export(acting_user=user, params=request.GET, out=out),
        filename=exporting.export_filename(),
        back_url=reverse("visits:visit_list"),
    )


@allow(*READERS)
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit: who, when, notes, photos and files, and each demand's matter (code, state,
    deadline, link)."""
    visit = selectors.visit_get_for_user(user=request_user(request), pk=pk)
    demands = selectors.visit_demands(visit)
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "participants": list(visit.participants.order_by("username")),
            "demands": demands,
            "files": selectors.visit_files(visit),
        },
    )


@allow(*READERS)
@require_GET
def visit_file_download(request: HttpRequest, pk: int) -> FileResponse:
    """A photo or document of a visit the user may see (else 404), each download audited."""
    user = request_user(request)
    file = selectors.visit_file_get_for_user(user=user, pk=pk)
    try:
        handle = services.visit_file_open(acting_user=user, file=file)
    except (OSError, ValueError):
        raise Http404 from None
    return attachment_response(handle, filename=file.original_name, content_type=file.content_type)


# --------------------------------------------------------------------------- coverage


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return clocks.today().year
    year = positive_int(raw)
    return year if year is not None and 2000 <= year <= 2100 else None


@allow(*GROUP_READERS)
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Coverage for a year: each group × quarter, assigned, visited, share; totals."""
    user = request_user(request)
    year = _year(request)
    if year is None:
        messages.error(request, _("Year: enter a year from 2000 to 2100."))
        year, status = clocks.today().year, 400
    else:
        status = 200
    table = selectors.coverage_table(selectors.coverage_groups_for(user), year=year)
    today = clocks.today()
    return render(
        request,
        "visits/coverage.html",
        {
            "year": year,
            "table": table,
            "years": list(range(today.year, today.year - 5, -1)),
            "current": (today.year, selectors.quarter_of(today)),
            "quarters": selectors.QUARTERS,
        },
        status=status,
    )


@allow(*GROUP_READERS)
@require_GET
def coverage_gaps(request: HttpRequest, pk: int, year: int, quarter: int) -> HttpResponse:
    """The group's enterprises not visited in the quarter (the coverage drill-down)."""
    user = request_user(request)
    if quarter not in selectors.QUARTERS or not 2000 <= year <= 2100:
        raise Http404
    group = next((g for g in selectors.coverage_groups_for(user) if g.pk == pk), None)
    if group is None:
        raise Http404
    missing = list(selectors.not_visited(group=group, year=year, quarter=quarter))
    last = selectors.last_visits([e.pk for e in missing])
    start, end = selectors.quarter_bounds(year, quarter)
    return render(
        request,
        "visits/coverage_gaps.html",
        {
            "group": group,
            "year": year,
            "quarter": quarter,
            "start": start,
            "end": end,
            "enterprises": [(e, last.get(e.pk)) for e in missing],
            "cell": selectors.coverage_table([group], year=year).cell(group.pk, quarter),
            "can_record": user.has_role(*RECORDERS) and not user.admin_role,
        },
    )
