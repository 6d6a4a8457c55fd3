"""Project pages (招商项目全周期): list, detail with the stage timeline, register, change,
stage changes, funds in place, Excel export.

Thin views: parse the form, fetch through a selector (404 out of scope, 403 read-only),
call one service, render. Reading is for government staff except service members (the selector scopes it); writing
for the editor roles, and the selector's ``action="change"`` refuses an editor who may see
but not change the project.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.forms import FilterBarForm, add_service_errors, bind_form
from zhaoyin.core.inputs import Input
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.money import fen_sum, fen_to_amount
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role
from zhaoyin.lib.cycle_times import cycle_times
from zhaoyin.projects import extensions, flow, fund_flow, selectors, services
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.exporting import export_filename, funds_queue_export, funds_queue_filename, project_export
from zhaoyin.projects.filters import FundQueueFilter, ProjectFilter
from zhaoyin.projects.forms import (
    FundCorrectForm,
    FundEntryForm,
    FundRejectForm,
    FundVerifyForm,
    ProjectForm,
    StageChangeForm,
)
from zhaoyin.projects.inputs import (
    FundCorrectionInput,
    FundEntryInput,
    FundRejectInput,
    FundVerifyInput,
    ProjectInput,
    ProjectUpdateInput,
    StageChangeInput,
)
from zhaoyin.projects.models import FundEntry, Project, StageEvent

I = TypeVar("I", bound=Input)  # noqa: E741
EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
#: Who reads the pipeline: government staff minus the service member, whose work is the
#: enterprises of their group, not the investment pipeline (the matrix in tests/authz_rows.py).
READERS = (*CITY_WIDE_ROLES, *UNIT_ROLES)
PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _can_create(user: User) -> bool:
    return user.has_role(*selectors.EDITOR_ROLES)


@allow(*READERS)
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    """The scoped, filtered, sorted and paged list with the count and the summed investment
    of the whole filtered set. Bad parameters → 400 naming them."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=ProjectFilter, user=user)
    context: dict[str, Any] = {
        "form": form,
        "page_obj": None,
        "page_sizes": PAGE_SIZES,
        "can_create": _can_create(user),
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "projects/list.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.project_list_visible_to(user))
    # Count and sum in one aggregate query; the paginator reuses the count.
    totals = qs.order_by().aggregate(count=Count("id"), investment_fen=fen_sum("total_investment_wan"))
    paginator = IdFirstPaginator(qs, flt.page_size, count=totals["count"])
    context["page_obj"] = paginator.get_page(flt.page)
    context["filter"] = flt
    context["total_count"] = totals["count"]
    context["total_investment"] = fen_to_amount(totals["investment_fen"])
    return render(request, "projects/list.html", context)


@allow(*READERS)
@require_GET
def project_export_view(request: HttpRequest) -> HttpResponseBase:
    """The scoped, filtered list as .xlsx: the list page's roles, selector and filters (XLS-03)."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: project_export(acting_user=user, params=request.GET, out=out),
        filename=export_filename(),
        back_url=reverse("projects:list"),
    )


def stage_targets(project: Project) -> list[tuple[str, str]]:
    """The stages the transition table allows from the project's current stage, labelled
    with the kind of change (and whether it needs a reason)."""
    current = Stage(project.stage)
    resume_to = Stage(project.resume_stage) if project.resume_stage else None
    out = []
    for stage in Stage:
        found = flow.stage_change(current, stage, resume_to)
        if found is None:
            continue
        label = f"{stage.label} · {found.label}"
        if found.needs_reason:
            label += " · " + _("reason required")
        out.append((stage.value, label))
    return out


def _months(entries: list[FundEntry]) -> list[dict[str, Any]]:
    """Entries grouped by month (newest first) with the month's total of active entries."""
    grouped: OrderedDict[Any, list[FundEntry]] = OrderedDict()
    for entry in sorted(entries, key=lambda e: e.month, reverse=True):
        grouped.setdefault(entry.month, []).append(entry)
    return [
        {
            "month": month,
            "entries": rows,
            "total": sum((e.amount_wan for e in rows if e.superseded_at is None), Decimal("0")),
        }
        for month, rows in grouped.items()
    ]


def _detail_context(
    request: HttpRequest,
    project: Project,
) -> dict[str, Any]:
    user = request_user(request)
    can_edit = selectors.can_edit_project(user, project)
    show_history = request.GET.get("history") == "1"
    events: list[StageEvent] = selectors.stage_events(project)
    entries = selectors.fund_entries(project, include_superseded=show_history)
    active_total = sum((e.amount_wan for e in entries if e.superseded_at is None), Decimal("0"))
    times = cycle_times([(e.to_stage, e.stage_on) for e in events], project.first_contact_on)
    context: dict[str, Any] = {
        "project": project,
        "events": list(reversed(events)),  # newest on top of the timeline
        "months": _months(entries),
        "funds_total": active_total,
        "show_history": show_history,
        "cycle": times,
        "can_edit": can_edit,
        # Sections the apps above projects add (the 亩均 conditions: projects.extensions).
        "extension_sections": extensions.detail_sections(request, user, project),
    }
    if can_edit:
        targets = stage_targets(project)
        context["stage_form"] = (
            StageChangeForm(targets=targets, initial={"date": timezone.localdate().isoformat()}) if targets else None
        )
        context["fund_form"] = FundEntryForm()
        context["correct_form"] = FundCorrectForm()
        context["active_entries"] = [e for e in entries if fund_flow.correctable(e)]
    if may_verify_funds(user):
        # The city's verifier: the reported entries it did not enter itself (four eyes).
        context["checkable_entries"] = [
            e for e in entries if fund_flow.may_check(e, user_pk=user.pk, role_codes=user.role_codes)
        ]
        context["verify_form"] = FundVerifyForm()
        context["reject_form"] = FundRejectForm()
    return context


def may_verify_funds(user: User) -> bool:
    """Whether ``user`` holds the role that 核查s funds entries (``fund_flow.VERIFIERS``)."""
    return fund_flow.TABLE.by_action[fund_flow.Action.VERIFY].may(user.role_codes) and not user.admin_role


@allow(*READERS)
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Profile, stage timeline, funds in place and cycle times of one project."""
    project = selectors.project_get_for_user(user=request_user(request), pk=pk)
    return render(request, "projects/detail.html", _detail_context(request, project))


@allow(*READERS)
@require_GET
def project_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A project on one A4 sheet (issue 16 item 2): profile, 到位资金 (verified) and the stage
    timeline, no navigation. Scoped like the detail page (404 out of scope)."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=pk)
    return render(request, "projects/print.html", {
        "project": project,
        "events": selectors.stage_events(project),
        "verified_funds": selectors.project_verified_funds(project),
        "back_url": reverse("projects:detail", args=[project.pk]),
        "printed_at": timezone.now(),
    })


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    """Register a project in a unit of the user's scope."""
    user = request_user(request)
    if request.method != "POST":
        form = ProjectForm(user=user)
        return render(request, "projects/form.html", {"form": form, "project": None})
    form = ProjectForm(request.POST, user=user)
    data = bind_form(ProjectInput, request.POST, form, user=user)
    if data is not None:
        try:
            project = services.project_create(acting_user=user, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The project has been registered."))
            return HttpResponseRedirect(reverse("projects:detail", args=[project.pk]))
    return render(request, "projects/form.html", {"form": form, "project": None}, status=400)


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a project's profile. The form carries the version it was loaded at; if someone
    else saved meanwhile the user keeps their input and is told so (CONC-01)."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=pk, action="change")
    if request.method != "POST":
        form = ProjectForm(user=user, project=project)
        return render(request, "projects/form.html", {"form": form, "project": project})
    form = ProjectForm(request.POST, user=user, project=project)
    update = bind_form(ProjectUpdateInput, request.POST, form, user=user)
    if update is not None:
        try:
            services.project_update(acting_user=user, project=project, data=update)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        except Conflict:
            current = selectors.project_get_for_user(user=user, pk=pk, action="change")
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = ProjectForm(data, user=user, project=current)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone else changed this project while you were editing it. Your input is kept "
                    "below; save again to apply it over their change."
                ),
            )
            return render(request, "projects/form.html", {"form": form, "project": current}, status=409)
        else:
            messages.success(request, _("The changes have been saved."))
            return HttpResponseRedirect(reverse("projects:detail", args=[project.pk]))
    return render(request, "projects/form.html", {"form": form, "project": project}, status=400)


def _detail_action(
    request: HttpRequest,
    project: Project,
    *,
    form_key: str,
    form: forms.Form,
    model: type[I],
    run: Callable[[I, dict[str, Any]], object],
    success: str,
    anchor: str,
    field_names: dict[str, str] | None = None,
) -> HttpResponse:
    """One write from a form on the detail page: build the use case's input ``model`` from the
    posted form (``core.forms.bind_input``) and run the service with it (and the form's cleaned
    data, for the uploads); on success redirect back to ``anchor``, else show the detail page
    again with the form's errors (400, or 409 when the project changed state meanwhile).
    ``field_names`` maps a service's field names onto the form's."""
    status = 400
    data = bind_form(model, request.POST, form)
    if data is not None:
        try:
            run(data, form.cleaned_data)
        except InvalidInput as exc:
            rename = field_names or {}
            errors = [{**e, "field": rename.get(e.get("field", ""), e.get("field", ""))} for e in exc.errors]
            add_service_errors(form, InvalidInput(exc.detail, errors))
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, success)
            return HttpResponseRedirect(reverse("projects:detail", args=[project.pk]) + anchor)
    context = _detail_context(request, project)
    context[form_key] = form  # the submitted form, with its errors, in place of the blank one
    return render(request, "projects/detail.html", context, status=status)


@allow(*EDITORS)
@require_POST
def project_stage_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a project to another stage (the service applies the transition table)."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=pk, action="change")
    return _detail_action(
        request,
        project,
        form_key="stage_form",
        form=StageChangeForm(request.POST, request.FILES, targets=stage_targets(project)),
        model=StageChangeInput,
        run=lambda data, cleaned: services.project_change_stage(
            acting_user=user, project=project, data=data, files=cleaned.get("evidence") or None
        ),
        success=_("The stage change has been recorded."),
        anchor="#timeline",
        # Django forms reserve ``files``: the upload field is called ``evidence``.
        field_names={"files": "evidence"},
    )


@allow(*EDITORS)
@require_POST
def project_fund_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one month's funds in place for the project."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=pk, action="change")
    return _detail_action(
        request,
        project,
        form_key="fund_form",
        form=FundEntryForm(request.POST),
        model=FundEntryInput,
        run=lambda data, cleaned: services.fund_entry_add(acting_user=user, project=project, data=data),
        success=_("The funds entry has been recorded."),
        anchor="#funds",
    )


@allow(*EDITORS)
@require_POST
def project_fund_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct one active funds entry: the old one stays in the history, superseded."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=pk, action="change")

    def correct(data: FundCorrectionInput, cleaned: dict[str, Any]) -> object:
        entry = selectors.fund_entry_of(project, str(cleaned.get("entry") or ""))
        if entry is None:
            raise InvalidInput.field("amount_wan", _("Choose an active entry of this project to correct."))
        return services.fund_entry_correct(acting_user=user, entry=entry, data=data)

    return _detail_action(
        request,
        project,
        form_key="correct_form",
        form=FundCorrectForm(request.POST),
        model=FundCorrectionInput,
        run=correct,
        success=_("The funds entry has been corrected."),
        anchor="?history=1#funds",
    )


VERIFIER_ROLES = tuple(Role(code) for code in sorted(fund_flow.VERIFIERS))


def _entry_from_form(project: Project, cleaned: dict[str, Any]) -> FundEntry:
    """The project's entry named by the form's hidden ``entry`` (else 404, like an unknown one)."""
    text = str(cleaned.get("entry") or "")
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise Http404
    return selectors.fund_entry_get(project, int(text))


@allow(*VERIFIER_ROLES)
@require_POST
def project_fund_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """核实 one reported entry with its 到账凭证 (the city's verifier)."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=pk)
    form = FundVerifyForm(request.POST, request.FILES)
    return _detail_action(
        request,
        project,
        form_key="verify_form",
        form=form,
        model=FundVerifyInput,
        run=lambda data, cleaned: services.fund_entry_verify(
            acting_user=user, entry=_entry_from_form(project, cleaned), data=data,
            files=cleaned.get("evidence") or None,
        ),
        success=_("The funds entry has been verified; it now counts."),
        anchor="#funds",
        field_names={"files": "evidence"},
    )


@allow(*VERIFIER_ROLES)
@require_POST
def project_fund_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """退回 one reported entry with the reason (the city's verifier)."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=pk)
    return _detail_action(
        request,
        project,
        form_key="reject_form",
        form=FundRejectForm(request.POST),
        model=FundRejectInput,
        run=lambda data, cleaned: services.fund_entry_reject(
            acting_user=user, entry=_entry_from_form(project, cleaned), data=data
        ),
        success=_("The funds entry has been returned to the unit with your reason."),
        anchor="#funds",
    )


@allow(*VERIFIER_ROLES)
@require_GET
def funds_queue(request: HttpRequest) -> HttpResponse:
    """待核查到位资金: the reported entries across the city waiting for the verifier, filtered
    by unit, month and flag (core.filtering; bad parameters → 400 naming them)."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=FundQueueFilter, user=user)
    context: dict[str, Any] = {"form": form, "page_obj": None}
    if not form.is_valid() or form.filter is None:
        return render(request, "projects/funds_queue.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.funds_to_verify(user))
    totals = qs.order_by().aggregate(count=Count("id"), fen=fen_sum("amount_wan"))
    context["page_obj"] = IdFirstPaginator(qs, flt.page_size, count=totals["count"]).get_page(flt.page)
    context["total_count"] = totals["count"]
    context["total_wan"] = fen_to_amount(totals["fen"])
    context["export_url"] = reverse("projects:funds_queue_export")
    return render(request, "projects/funds_queue.html", context)


@allow(*VERIFIER_ROLES)
@require_GET
def funds_queue_export_view(request: HttpRequest) -> HttpResponseBase:
    """The verifier's queue as .xlsx: the page's roles, selector and filters, every page."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: funds_queue_export(acting_user=user, params=request.GET, out=out),
        filename=funds_queue_filename(),
        back_url=reverse("projects:funds_queue"),
    )
