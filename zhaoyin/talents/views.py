"""Talent pages (人才档案): list, detail, register, change, departure, the audited reveal, Excel
export and import; the talent's own record in the portal; the talent stations' pages.

Thin views: parse the form, fetch through a selector (404 out of scope, 403 read-only), call
one service, render. Reading is for ``selectors.READER_ROLES`` (scoped by the selector);
writing for the editor roles within their scope. ID numbers and phones are shown masked; the
reveal is a POST (never a link a browser or proxy would keep) answered by the detail page
with the values, for the talent office and the city admin, audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.forms import FilterBarForm, add_service_errors, bind_form, submit_form
from zhaoyin.core.import_pages import ImportPages, xlsx_download
from zhaoyin.core.inputs import Input
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role
from zhaoyin.talents import selectors, services
from zhaoyin.talents.filters import TalentFilter
from zhaoyin.talents.forms import ArrivedForm, DepartForm, LeadForm, LinkAccountForm, TalentForm
from zhaoyin.talents.importing import (
    TALENT_COLUMNS,
    TalentImport,
    export_filename,
    talent_export,
    talent_import_template,
)
from zhaoyin.talents.inputs import (
    DepartInput,
    LeadArrivedInput,
    LeadInput,
    LeadUpdateInput,
    LinkAccountInput,
    TalentInput,
    TalentUpdateInput,
)
from zhaoyin.talents.models import LeadStatus, Talent, TalentLead

EDITORS = tuple(selectors.EDITOR_ROLES)
PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"


@allow(selectors.READER_ROLES - {Role.TALENT})
@require_GET
def talent_list(request: HttpRequest) -> HttpResponse:
    """The scoped, filtered, sorted and paged list, ID and phone masked. Bad parameters → 400."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=TalentFilter, user=user)
    context: dict[str, Any] = {
        "form": form,
        "page_obj": None,
        "page_sizes": PAGE_SIZES,
        "can_create": user.has_role(*selectors.EDITOR_ROLES),
        "can_export_unmasked": user.has_role(*selectors.UNMASKED_EXPORT_ROLES),
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "talents/list.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.talent_list_visible_to(user))
    context["page_obj"] = IdFirstPaginator(qs, flt.page_size).get_page(flt.page)
    context["filter"] = flt
    return render(request, "talents/list.html", context)


def _detail(request: HttpRequest, talent: Talent, **extra: Any) -> dict[str, Any]:
    user = request_user(request)
    can_edit = selectors.can_edit_talent(user, talent)
    may_depart = can_edit and talent.status == "active"
    return {
        "talent": talent,
        "can_edit": can_edit,
        "can_reveal": user.has_role(*selectors.REVEAL_ROLES),
        "depart_form": DepartForm(initial={"version": talent.version}) if may_depart else None,
        "link_form": LinkAccountForm() if can_edit and talent.account_id is None else None,
        "lead": TalentLead.objects.filter(talent=talent).select_related("station").first(),
        **extra,
    }


@allow(selectors.READER_ROLES)
@require_GET
def talent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One talent's record, masked."""
    talent = selectors.talent_get_for_user(user=request_user(request), pk=pk)
    return render(request, "talents/detail.html", _detail(request, talent))


@allow(*selectors.REVEAL_ROLES)
@require_POST
def talent_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The record with the ID number and phone in full (audited; the page is not cached)."""
    user = request_user(request)
    talent = selectors.talent_get_for_user(user=user, pk=pk)
    revealed = services.talent_reveal(acting_user=user, talent=talent)
    return render(request, "talents/detail.html", _detail(request, talent, revealed=revealed))


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def talent_create(request: HttpRequest) -> HttpResponse:
    """Register a talent."""
    user = request_user(request)
    if request.method != "POST":
        return render(request, "talents/form.html", {"form": TalentForm(user=user, initial={"id_type": "resident"})})
    form = TalentForm(request.POST, user=user)
    data = bind_form(TalentInput, request.POST, form, user=user)
    if data is not None:
        try:
            talent = services.talent_create(acting_user=user, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The talent has been registered."))
            return HttpResponseRedirect(reverse("talents:detail", args=[talent.pk]))
    return render(request, "talents/form.html", {"form": form}, status=400)


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def talent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a talent; the form carries the version it was loaded at (a lost update → message).
    The ID number and phone are never pre-filled: left empty, the stored ones stay."""
    user = request_user(request)
    talent = selectors.talent_get_for_user(user=user, pk=pk, action="change")
    if request.method != "POST":
        return render(request, "talents/form.html", {"form": TalentForm(user=user, talent=talent), "talent": talent})
    form = TalentForm(request.POST, user=user, talent=talent)
    posted = request.POST.copy()
    for name in form.changed_values():
        posted.pop(name, None)
    if submit_form(
        form, TalentUpdateInput, posted,
        lambda data: services.talent_update(acting_user=user, talent=talent, data=data), user=user,
    ).done:
        messages.success(request, _("The changes have been saved."))
        return HttpResponseRedirect(reverse("talents:detail", args=[talent.pk]))
    return render(request, "talents/form.html", {"form": form, "talent": talent}, status=400)


def _detail_form_post(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    input_class: type[Input],
    run: Callable[..., object],
    slot: str,
    done: str,
) -> HttpResponse:
    """One form of the talent's page posted: bind ``input_class``, call the service ``run``
    (keyword arguments ``acting_user``, ``talent``, ``data``), back to the page with ``done``;
    a refusal re-renders the page with the form (``slot``) and its messages (400)."""
    user = request_user(request)
    talent = selectors.talent_get_for_user(user=user, pk=pk, action="change")
    form = form_class(request.POST)
    if submit_form(form, input_class, request.POST, lambda data: run(acting_user=user, talent=talent, data=data)).done:
        messages.success(request, done)
        return HttpResponseRedirect(reverse("talents:detail", args=[talent.pk]))
    return render(request, "talents/detail.html", _detail(request, talent, **{slot: form}), status=400)


@allow(*EDITORS)
@require_POST
def talent_depart(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the talent left the city."""
    return _detail_form_post(
        request, pk, form_class=DepartForm, input_class=DepartInput, run=services.talent_depart,
        slot="depart_form", done=_("The departure has been recorded."),
    )


@allow(*EDITORS)
@require_POST
def talent_link_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the talent's portal account, so the talent sees their record, applications and
    subsidies in the portal; an unknown, non-talent or already linked account is refused on
    the field (400) with nothing changed."""
    return _detail_form_post(
        request, pk, form_class=LinkAccountForm, input_class=LinkAccountInput, run=services.talent_link_account,
        slot="link_form", done=_("The portal account has been linked."),
    )


@allow(Role.TALENT)
@require_GET
def talent_mine(request: HttpRequest) -> HttpResponse:
    """The portal user's own record (masked), mobile-first; nothing when not yet linked."""
    talent = selectors.own_talent(request_user(request))
    return render(request, "talents/mine.html", {"talent": talent})


# --------------------------------------------------------------------------- Excel

IMPORT_ROLES = EDITORS
PAGES = ImportPages(
    spec=TalentImport,
    kind=TalentImport.kind,
    columns=TALENT_COLUMNS,
    list_url="talents:list",
    import_url="talents:import",
    commit_url="talents:import_commit",
    result_url="talents:import_result",
    template_url="talents:import_template",
    errors_url="talents:import_errors",
    section_label=gettext_lazy("Talents"),
    heading=gettext_lazy("Import talents from Excel"),
    back_label=gettext_lazy("Back to the talent list"),
    notes=(
        gettext_lazy(
            "Rows are matched on the ID number (through its blind index): a new number registers a talent, a "
            "known one updates it; every column overwrites the stored value."
        ),
        gettext_lazy("ID numbers, credit codes, unit codes and phones must be text cells, not numbers."),
        gettext_lazy("The same ID number twice in one file is an error on both rows."),
    ),
)
IMPORT = PAGES.views(*IMPORT_ROLES)


@allow(*IMPORT_ROLES)
@require_GET
def talent_import_template_download(request: HttpRequest) -> HttpResponse:
    """The import template."""
    return xlsx_download(talent_import_template(), "talent-import-template.xlsx")


@allow(selectors.READER_ROLES - {Role.TALENT})
@require_GET
def talent_export_view(request: HttpRequest) -> HttpResponseBase:
    """The scoped, filtered list as .xlsx, masked; ``unmasked=1`` for the talent office (audited)."""
    user = request_user(request)
    unmasked = request.GET.get("unmasked") == "1"
    params = {k: v for k, v in request.GET.items() if k != "unmasked"}
    return xlsx_export_response(
        request,
        write=lambda out: talent_export(acting_user=user, params=params, out=out, unmasked=unmasked),
        filename=export_filename(),
        back_url=reverse("talents:list"),
    )


# --------------------------------------------------------------------------- stations


@allow(selectors.STATION_READER_ROLES)
@require_GET
def station_list(request: HttpRequest) -> HttpResponse:
    """The talent stations the user may open, with their figures."""
    user = request_user(request)
    rows = [(s, _station_figures(s)) for s in selectors.stations_visible_to(user)]
    return render(request, "talents/station_list.html", {"rows": rows})


def _station_figures(station: Any) -> dict[str, Any]:
    """Leads by status and arrivals (talents attributed to the station) this year and in all."""
    year = timezone.localdate().year
    leads = dict(
        TalentLead.objects.filter(station=station).values_list("status").annotate(n=Count("id")).order_by()
    )
    arrivals = Talent.objects.filter(station=station).aggregate(
        total=Count("id"), this_year=Count("id", filter=Q(arrival_date__year=year))
    )
    return {
        "year": year,
        "leads": [(label, leads.get(value, 0)) for value, label in LeadStatus.choices],
        "leads_total": sum(leads.values()),
        "arrivals": arrivals["total"] or 0,
        "arrivals_year": arrivals["this_year"] or 0,
    }


@allow(selectors.STATION_READER_ROLES)
@require_GET
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One station: its figures, its leads, its arrivals this year."""
    user = request_user(request)
    station = selectors.station_get_for_user(user=user, pk=pk)
    year = timezone.localdate().year
    arrivals = list(
        Talent.objects.filter(station=station, arrival_date__gte=dt.date(year, 1, 1))
        .select_related("org_unit", "employer")
        .order_by("-arrival_date", "id")[:200]
    )
    leads = list(TalentLead.objects.filter(station=station).select_related("talent", "target_employer")[:500])
    return render(
        request,
        "talents/station_detail.html",
        {
            "station": station,
            "figures": _station_figures(station),
            "leads": leads,
            "arrivals": arrivals,
            "can_manage": selectors.can_manage_station(user, station),
        },
    )


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a lead to a station (its staff, the talent office, the city admin)."""
    user = request_user(request)
    station = selectors.station_get_for_user(user=user, pk=pk, action="change")
    context: dict[str, Any] = {"station": station}
    if request.method != "POST":
        return render(request, "talents/lead_form.html", {**context, "form": LeadForm(user=user)})
    form = LeadForm(request.POST, user=user)
    data = bind_form(LeadInput, request.POST, form, user=user)
    if data is not None:
        try:
            services.lead_create(acting_user=user, station=station, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The lead has been added."))
            return HttpResponseRedirect(reverse("talents:station_detail", args=[station.pk]))
    return render(request, "talents/lead_form.html", {**context, "form": form}, status=400)


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a lead; marking it arrived links it to a talent record."""
    user = request_user(request)
    lead = selectors.lead_get_for_user(user=user, pk=pk, action="change")
    talents = list(selectors.talent_list_visible_to(user).filter(lead__isnull=True).order_by("-arrival_date")[:200])
    context: dict[str, Any] = {"station": lead.station, "lead": lead}
    arrived = ArrivedForm(initial={"version": lead.version}, talents=talents)
    if request.method != "POST":
        form = LeadForm(user=user, lead=lead)
        return render(request, "talents/lead_form.html", {**context, "form": form, "arrived": arrived})
    form = LeadForm(request.POST, user=user, lead=lead)
    if submit_form(
        form, LeadUpdateInput, request.POST,
        lambda data: services.lead_update(acting_user=user, lead=lead, data=data), user=user,
    ).done:
        messages.success(request, _("The changes have been saved."))
        return HttpResponseRedirect(reverse("talents:station_detail", args=[lead.station_id]))
    return render(request, "talents/lead_form.html", {**context, "form": form, "arrived": arrived}, status=400)


@allow(*EDITORS)
@require_POST
def lead_arrived(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a lead arrived, linked to the talent record it became."""
    user = request_user(request)
    lead = selectors.lead_get_for_user(user=user, pk=pk, action="change")
    talents = list(selectors.talent_list_visible_to(user).filter(lead__isnull=True).order_by("-arrival_date")[:200])
    arrived = ArrivedForm(request.POST, talents=talents)
    if submit_form(
        arrived, LeadArrivedInput, request.POST,
        lambda data: services.lead_mark_arrived(acting_user=user, lead=lead, data=data),
    ).done:
        messages.success(request, _("The lead is marked arrived."))
        return HttpResponseRedirect(reverse("talents:station_detail", args=[lead.station_id]))
    context = {"station": lead.station, "lead": lead, "form": LeadForm(user=user, lead=lead), "arrived": arrived}
    return render(request, "talents/lead_form.html", context, status=400)
