"""Matter pages (交办事项跟踪督办): list, register, detail with the timeline and the action
forms, the flowchart (服务流程图).

Thin views: parse the form, fetch through a selector (404 out of scope, 403 without the
relation the transition table asks for), call one service, render. Every business role may
open the pages; the selector decides which matters each sees (a portal user only their own
demands) and ``selectors.allowed_actions`` which forms the detail page offers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.files import attachment_response
from zhaoyin.core.flowchart import table_svg
from zhaoyin.core.forms import FilterBarForm, add_service_errors, bind_form
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import CITY_WIDE_ROLES, MATTER_ROLES
from zhaoyin.matters import bulletin, clocks, exporting, flow, kpis, selectors, services, supervision_docs, swimlanes
from zhaoyin.matters.filters import MatterFilter, matter_alert, matter_stale
from zhaoyin.matters.flow import ACTION_LABELS, STATE_LABELS, TABLE, Action, State
from zhaoyin.matters.forms import (
    ActionForm,
    MatterForm,
    action_form,
    service_errors_for_form,
)
from zhaoyin.matters.inputs import ACTION_INPUTS, MatterCreateInput
from zhaoyin.matters.models import Matter, MatterFile
from zhaoyin.workcalendar.selectors import current_calendar

#: Who opens the matter pages: every business role (the selector scopes the matters).
READERS = MATTER_ROLES
#: Who registers matters (the service's rule; the leader's instructions are registered by the office).
CREATORS = services.CREATOR_ROLES
PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"
#: Actions whose button reads as a warning (they undo or refuse work).
DANGER_ACTIONS = frozenset({Action.RETURN, Action.REJECT, Action.CANCEL, Action.REOPEN})
RELATION_LABELS: dict[str, Any] = {
    flow.Relation.DISPATCHER: gettext_lazy("Dispatcher"),
    flow.Relation.LEAD_UNIT: gettext_lazy("Lead unit"),
    flow.Relation.CO_UNIT: gettext_lazy("Co-unit"),
    flow.Relation.REQUESTER: gettext_lazy("Requester"),
    flow.Relation.LEADER: gettext_lazy("Leader"),
    flow.Relation.SUPERVISOR: gettext_lazy("Supervision office"),
}


def _can_create(user: User) -> bool:
    return user.has_role(*CREATORS) and not user.admin_role


@allow(*READERS)
@require_GET
def matter_list(request: HttpRequest) -> HttpResponse:
    """The scoped, filtered and paged list with the count of each state and the alert light of
    every row (computed now from its deadlines). Bad parameters → 400 naming them."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=MatterFilter, user=user)
    context: dict[str, Any] = {
        "form": form,
        "page_obj": None,
        "page_sizes": PAGE_SIZES,
        "can_create": _can_create(user),
        "can_supervise": user.has_role(*kpis.READER_ROLES) and not user.admin_role,
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "matters/list.html", context, status=400)
    flt = form.filter
    counts, qs = selectors.matter_list_query(user, flt)
    paginator = IdFirstPaginator(qs, flt.page_size, count=counts.total)
    page_obj = paginator.get_page(flt.page)
    today, calendar = clocks.today(), current_calendar()
    for matter in page_obj.object_list:
        matter.alert = matter_alert(matter, today, calendar)
        matter.stale = matter_stale(matter, today, calendar)
    context.update(
        page_obj=page_obj,
        filter=flt,
        total_count=counts.total,
        count_capped=counts.capped,
        count_cap=selectors.SEARCH_COUNT_CAP,
        state_totals=[(s.value, STATE_LABELS[s], counts.by_state.get(s.value, 0)) for s in State],
        export_url=reverse("matters:export"),
    )
    return render(request, "matters/list.html", context)


@allow(*READERS)
@require_GET
def matter_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A matter on one A4 sheet (issue 16 item 2): fields and timeline, oldest first, no
    navigation. Scoped like the detail page (404 out of scope)."""
    matter = selectors.matter_get_for_user(user=request_user(request), pk=pk)
    return render(request, "matters/print.html", {
        "matter": matter,
        "co_units": selectors.matter_co_units(matter),
        "events": selectors.matter_events(matter),
        "state_label": STATE_LABELS[State(matter.state)],
        "back_url": reverse("matters:detail", args=[matter.pk]),
        "printed_at": timezone.now(),
    })


@allow(*READERS)
@require_GET
def matter_export(request: HttpRequest) -> HttpResponseBase:
    """The scoped, filtered list as .xlsx: the list page's roles, selector and filters (XLS-03)."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: exporting.matter_export(acting_user=user, params=request.GET, out=out),
        filename=exporting.export_filename(),
        back_url=reverse("matters:list"),
    )


@allow(*CREATORS)
@require_http_methods(["GET", "POST"])
def matter_create(request: HttpRequest) -> HttpResponse:
    """Register a matter (登记, draft). ``?enterprise=`` / ``?project=`` prefill the links."""
    user = request_user(request)
    if request.method != "POST":
        initial = {k: request.GET.get(k, "")[:40] for k in ("enterprise", "project") if request.GET.get(k)}
        form = MatterForm(user=user, initial=initial)
        return render(request, "matters/form.html", {"form": form})
    form = MatterForm(request.POST, request.FILES, user=user)
    data = bind_form(MatterCreateInput, request.POST, form)
    if data is not None:
        try:
            matter = services.matter_create(
                acting_user=user, data=data, files=form.cleaned_data.get("evidence") or None
            )
        except InvalidInput as exc:
            add_service_errors(form, service_errors_for_form(exc))
        else:
            messages.success(request, _("The matter %(code)s has been registered.") % {"code": matter.code})
            return HttpResponseRedirect(reverse("matters:detail", args=[matter.pk]))
    return render(request, "matters/form.html", {"form": form}, status=400)


def _unit_names(matter: Matter, events: list[Any]) -> dict[str, str]:
    """Names of the units the timeline's details mention by code (one query)."""
    codes: set[str] = set()
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        lead = data.get("lead_unit")
        if isinstance(lead, str):
            codes.add(lead)
        co = data.get("co_units")
        if isinstance(co, list):
            codes.update(str(c) for c in co)
    if not codes:
        return {}
    return dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name"))


def _detail_context(
    request: HttpRequest, matter: Matter, *, bound: ActionForm | None = None, bound_action: Action | None = None
) -> dict[str, Any]:
    user = request_user(request)
    co_units = selectors.matter_co_units(matter)
    events = selectors.matter_events(matter)
    files: list[MatterFile] = [f for event in events for f in event.files.all()]
    actions = selectors.allowed_actions(user, matter)
    forms = []
    for action in actions:
        form = bound if bound is not None and action == bound_action else action_form(action, user, matter)
        forms.append(
            {
                "action": action.value,
                "label": ACTION_LABELS[action],
                "form": form,
                "open": bound is not None and action == bound_action,
                "danger": action in DANGER_ACTIONS,
                "url": reverse("matters:action", args=[matter.pk, action.value]),
            }
        )
    relations = selectors.relations(user, matter, co_units)
    return {
        "matter": matter,
        "co_units": co_units,
        "events": list(reversed(events)),  # newest on top of the timeline
        "unit_names": _unit_names(matter, events),
        "files": files,
        "extensions": selectors.matter_extension_requests(matter),
        "alert": matter_alert(matter, clocks.today(), current_calendar()),
        "action_forms": forms,
        "relations": [RELATION_LABELS[r] for r in flow.Relation if r in relations],
        "talent_name": selectors.matter_talent_name(user, matter),
        "stale": matter_stale(matter, clocks.today(), current_calendar()),
        "orders": supervision_docs.supervision_orders(matter),
    }


@allow(*READERS)
@require_GET
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A matter's fields, links, deadlines, extension requests, attachments, the full
    timeline, and the forms of the actions the user may take now."""
    matter = selectors.matter_get_for_user(user=request_user(request), pk=pk)
    return render(request, "matters/detail.html", _detail_context(request, matter))


@allow(*READERS)
@require_POST
def matter_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one action of the transition table: one service call. The form carries the version
    the page was loaded at; a matter changed meanwhile is a 409 with the page reloaded. Bad
    input shows the detail page again with the field errors (400); nothing is written."""
    try:
        act = Action(action)
    except ValueError:
        raise Http404 from None
    user = request_user(request)
    # 404 out of scope; 403 (audited) without a relation the table grants the action to.
    matter = selectors.matter_get_for_user(user=user, pk=pk, action=act)
    form = action_form(act, user, matter, request.POST, request.FILES)
    status = 400
    data = bind_form(ACTION_INPUTS[act], request.POST, form)
    if data is not None:
        try:
            if form.submitted_version != matter.version:
                raise Conflict(_("This matter was changed by someone else; reload it and try again."))
            services.ACTION_SERVICES[act](acting_user=user, matter=matter, data=data, **form.uploads())
        except InvalidInput as exc:
            add_service_errors(form, service_errors_for_form(exc))
        except Conflict as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[act]})
            return HttpResponseRedirect(reverse("matters:detail", args=[matter.pk]) + "#timeline")
    if status == 409:
        # Show the matter as it is now, with the actions that are possible now.
        matter = selectors.matter_get_for_user(user=user, pk=pk)
        return render(request, "matters/detail.html", _detail_context(request, matter), status=409)
    context = _detail_context(request, matter, bound=form, bound_action=act)
    if not any(f["open"] for f in context["action_forms"]):
        context["action_forms"].append(
            {
                "action": act.value,
                "label": ACTION_LABELS[act],
                "form": form,
                "open": True,
                "danger": act in DANGER_ACTIONS,
                "url": reverse("matters:action", args=[matter.pk, act.value]),
            }
        )
    return render(request, "matters/detail.html", context, status=status)


def flowchart_svg() -> str:
    """The flowchart drawn from the transition table, with labels in the active language."""
    return table_svg(flow.MATTER_TABLE, title=_("Service flowchart of assigned matters"), id_prefix="matter-flow")


@allow(*READERS)
@require_GET
def matter_flowchart(request: HttpRequest) -> HttpResponse:
    """The service flowchart (服务流程图), drawn from the transition table, and the table itself."""
    rows = [
        {
            "action": row.action.value,
            "label": row.label,
            "sources": [STATE_LABELS[s] for s in State if s in row.sources],
            "target": STATE_LABELS[row.target] if row.target is not None else None,
            "relations": [RELATION_LABELS[r] for r in flow.Relation if r in row.actors],
        }
        for row in TABLE.values()
    ]
    # The SVG is generated by zhaoyin.lib.flowchart from the code's own table; it escapes
    # every text it draws, so it is trusted server output.
    svg = mark_safe(flowchart_svg())  # noqa: S308
    # The swimlane chart for people (zhaoyin.matters.swimlanes), escaped the same way.
    lanes = mark_safe(swimlanes.swimlane_svg())  # noqa: S308
    return render(request, "matters/flowchart.html", {"svg": svg, "lanes": lanes, "rows": rows})


@allow(*kpis.READER_ROLES)
@require_GET
def matter_supervision(request: HttpRequest) -> HttpResponse:
    """督办: the units' KPIs for a month (default: this month) or a year, ranked; overdue
    matters by unit; listed matters; matters rated 不满意. Bad ``year``/``month`` → 400."""
    user = request_user(request)
    today = clocks.today()
    year_param = request.GET.get("year") or str(today.year)
    month_param = request.GET.get("month", str(today.month))
    try:
        year, month = kpis.parse_period(year_param, month_param)
    except InvalidInput as exc:
        return render(request, "matters/supervision.html", {"errors": exc.errors}, status=400)
    view = kpis.supervision_for(user, year=year, month=month, today=today)
    can_bulletin = user.has_role(*BULLETIN_ROLES)
    context = {"view": view, "year": year, "month": month, "months": range(1, 13), "can_bulletin": can_bulletin}
    return render(request, "matters/supervision.html", context)


#: Who downloads the monthly bulletin: the city-wide roles (it covers every unit).
BULLETIN_ROLES = CITY_WIDE_ROLES


@allow(*BULLETIN_ROLES)
@require_GET
def matter_bulletin(request: HttpRequest) -> HttpResponse:
    """The monthly 通报 as Word (``format=docx``, default) or PDF, for ``year``/``month``
    (default: last month); audited as an export. Bad parameters → 400 naming them."""
    user = request_user(request)
    today = clocks.today()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    fmt = request.GET.get("format") or "docx"
    try:
        year, month = kpis.parse_period(
            request.GET.get("year") or last_month.year, request.GET.get("month") or last_month.month
        )
        content = bulletin.bulletin_export(acting_user=user, year=year, month=month, fmt=fmt, today=today)
    except InvalidInput as exc:
        return render(request, "matters/supervision.html", {"errors": exc.errors}, status=400)
    response = HttpResponse(content, content_type=bulletin.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="bulletin-{year}-{month:02d}.{fmt}"'
    return response


@allow(*READERS, description="Download a matter's attachment (matter scope)")
@require_GET
def matter_file_download(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment of a matter the user may see (else 404), as a download; each audited. A
    file missing on disk is a 404 and records no read."""
    user = request_user(request)
    file = selectors.matter_file_get_for_user(user=user, pk=pk)
    try:
        handle = services.matter_file_open(acting_user=user, file=file)
    except (OSError, ValueError):
        raise Http404 from None
    return attachment_response(handle, filename=file.original_name, content_type=file.content_type)


# --------------------------------------------------------------------------- 督办单 (issue 15 item 4)


@allow(*READERS, description="Download a matter's 督办单 (matter scope)")
@require_GET
def matter_supervision_order(request: HttpRequest, pk: int, order: int) -> HttpResponse:
    """A 督办单 of a matter the user may see (else 404), as Word, rendered now from the stored
    order (outside any write transaction); each download audited."""
    user = request_user(request)
    found = supervision_docs.supervision_order_get_for_user(user=user, matter_pk=pk, pk=order)
    content, filename = supervision_docs.order_download(acting_user=user, order=found)
    response = HttpResponse(content, content_type=supervision_docs.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
