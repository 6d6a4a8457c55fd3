"""The talent portal's demand pages (人才诉求, issue 13 item 5), mobile-first.

A talent raises a demand (category, what is needed, attachments), follows their demands
(state, deadline) and rates a finished one. The pages read through the matters' scoped
selectors — a talent sees the matters they raised and those raised for their talent record,
nothing else (404) — and write through one service each (``talent_demand_raise``,
``matter_rate``). Staff and the talent office raise demands for a talent on the matters'
own registration page (``talent`` and ``demand_category``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.forms import add_service_errors, bind_form
from zhaoyin.core.roles import Role
from zhaoyin.matters import clocks, selectors, services
from zhaoyin.matters.choices import MatterSource
from zhaoyin.matters.filters import matter_alert
from zhaoyin.matters.flow import STATE_LABELS, Action, State
from zhaoyin.matters.forms import TalentDemandForm, action_form, service_errors_for_form
from zhaoyin.matters.inputs import RateInput, TalentDemandInput
from zhaoyin.matters.models import Matter
from zhaoyin.workcalendar.selectors import current_calendar

#: The portal's own pages are the talent's (staff use the matters' pages).
PORTAL_ROLES = (Role.TALENT,)
#: How many of their demands a talent's list shows (about 200 a year are raised city-wide).
LIST_LIMIT = 200


def _demands(request: HttpRequest) -> list[Matter]:
    user = request_user(request)
    rows = list(
        selectors.matter_list_visible_to(user)
        .filter(source=MatterSource.TALENT_DEMAND.value)
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    today, calendar = clocks.today(), current_calendar()
    for matter in rows:
        # Shown on each card (the list's own words for the row, as the matters list does).
        matter.alert = matter_alert(matter, today, calendar)  # type: ignore[attr-defined]
        matter.state_label = STATE_LABELS[State(matter.state)]  # type: ignore[attr-defined]
    return rows


@allow(*PORTAL_ROLES)
@require_GET
def talent_demand_list(request: HttpRequest) -> HttpResponse:
    """My demands: each with its category, state, handling deadline and rating."""
    return render(request, "matters/talent_demands.html", {"demands": _demands(request)})


@allow(*PORTAL_ROLES)
@require_http_methods(["GET", "POST"])
def talent_demand_create(request: HttpRequest) -> HttpResponse:
    """Raise a demand: one service call (``talent_demand_raise``); bad input → 400 naming the
    fields, nothing written."""
    user = request_user(request)
    if request.method != "POST":
        return render(request, "matters/talent_demand_form.html", {"form": TalentDemandForm()})
    form = TalentDemandForm(request.POST, request.FILES)
    data = bind_form(TalentDemandInput, request.POST, form)
    if data is not None:
        try:
            matter = services.talent_demand_raise(
                acting_user=user, data=data, files=form.cleaned_data.get("evidence") or None
            )
        except InvalidInput as exc:
            add_service_errors(form, service_errors_for_form(exc))
        else:
            messages.success(request, _("Your demand %(code)s has been received.") % {"code": matter.code})
            return HttpResponseRedirect(reverse("matters:talent_demand", args=[matter.pk]))
    return render(request, "matters/talent_demand_form.html", {"form": form}, status=400)


def _detail_context(request: HttpRequest, matter: Matter, rate_form: Any = None) -> dict[str, Any]:
    user = request_user(request)
    events = selectors.matter_events(matter)
    # The talent reads the result the lead unit reported, not the units' internal notes.
    results = [e for e in events if e.action == Action.REPORT.value]
    can_rate = Action.RATE in selectors.allowed_actions(user, matter)
    return {
        "matter": matter,
        "state_label": STATE_LABELS[State(matter.state)],
        "alert": matter_alert(matter, clocks.today(), current_calendar()),
        "result": results[-1] if results else None,
        "rate_form": rate_form if rate_form is not None else (
            action_form(Action.RATE, user, matter) if can_rate else None
        ),
    }


@allow(*PORTAL_ROLES)
@require_GET
def talent_demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my demands: state, deadline, the department handling it, the result, and the
    rating form once it is reported or closed."""
    matter = selectors.matter_get_for_user(user=request_user(request), pk=pk)
    return render(request, "matters/talent_demand.html", _detail_context(request, matter))


@allow(*PORTAL_ROLES)
@require_POST
def talent_demand_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate a finished demand (回访评价, the matters' ``rate``): 不满意 reopens it."""
    user = request_user(request)
    # 404 out of scope; 403 (audited) for a matter the user is not the requester of.
    matter = selectors.matter_get_for_user(user=user, pk=pk, action=Action.RATE)
    form = action_form(Action.RATE, user, matter, request.POST)
    data = bind_form(RateInput, request.POST, form)
    status = 400
    if data is not None:
        try:
            if form.submitted_version != matter.version:
                raise Conflict(_("This matter was changed by someone else; reload it and try again."))
            services.matter_rate(acting_user=user, matter=matter, data=data)
        except InvalidInput as exc:
            add_service_errors(form, service_errors_for_form(exc))
        except Conflict as exc:
            messages.error(request, str(exc))
            matter = selectors.matter_get_for_user(user=user, pk=pk)
            return render(request, "matters/talent_demand.html", _detail_context(request, matter), status=409)
        else:
            messages.success(request, _("Thank you: your rating has been recorded."))
            return HttpResponseRedirect(reverse("matters:talent_demand", args=[matter.pk]))
    return render(request, "matters/talent_demand.html", _detail_context(request, matter, form), status=status)
