"""Pages of the talent apartments (人才公寓): buildings with their occupancy, a building's unit
grid, the units list, the applications (waitlist order shown) and one application with its
actions, the tenancies ("expiring within 60 days"), the occupancy report, and the talent's own
portal pages (apply with documents, follow the application, read the contract).

Thin views: parse, fetch through a selector (404 out of scope), call one service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.apartments import exporting, flow, selectors
from zhaoyin.apartments import services as apartments
from zhaoyin.apartments.filters import ApplicationFilter, TenancyFilter, UnitFilter
from zhaoyin.apartments.forms import ActionForm, ApplicationForm
from zhaoyin.apartments.inputs import (
    AllocateWaitlistInput,
    ApartmentActionInput,
    ApartmentApplicationInput,
    MaintenanceInput,
)
from zhaoyin.apartments.models import (
    ApartmentUnit,
    Application,
    ApplicationState,
    Layout,
    Tenancy,
    TenancyState,
    UnitState,
)
from zhaoyin.core import files as files_core
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.forms import FilterBarForm, add_service_errors, bind_form, bind_input
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role
from zhaoyin.talents.selectors import own_talent

PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"
HOUSING_ROLES = [Role(r) for r in flow.HOUSING]
APPLICANT_ROLES = [Role(r) for r in flow.APPLICANTS]


def _list(
    request: HttpRequest, filters: Any, qs_for: Any, template: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=filters, user=user)
    context: dict[str, Any] = {"form": form, "page_obj": None, "page_sizes": PAGE_SIZES, **(extra or {})}
    if not form.is_valid() or form.filter is None:
        return render(request, template, context, status=400)
    flt = form.filter
    qs = flt.apply(qs_for(user))
    paginator = IdFirstPaginator(qs, flt.page_size, count=qs.count())
    context.update(page_obj=paginator.get_page(flt.page), filter=flt)
    return render(request, template, context)


def _export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """A list's export (``exporting.EXPORTS[kind]``): the page's filters and selector."""
    user = request_user(request)
    write = exporting.EXPORTS[kind][0]
    return xlsx_export_response(
        request,
        write=lambda out: write(acting_user=user, params=request.GET, out=out),
        filename=exporting.export_filename(kind),
        back_url=reverse(f"apartments:{kind}"),
    )


@allow(selectors.HOUSING_READERS)
@require_GET
def unit_export(request: HttpRequest) -> HttpResponseBase:
    """The units list as .xlsx (the page's roles, filters and scope)."""
    return _export(request, "units")


@allow(selectors.HOUSING_READERS)
@require_GET
def application_export(request: HttpRequest) -> HttpResponseBase:
    """The applications list as .xlsx (the page's roles, filters and scope)."""
    return _export(request, "applications")


@allow(selectors.HOUSING_READERS)
@require_GET
def tenancy_export(request: HttpRequest) -> HttpResponseBase:
    """The tenancies list as .xlsx (the page's roles, filters and scope)."""
    return _export(request, "tenancies")


# ---- buildings and units -------------------------------------------------------------------


@allow(selectors.HOUSING_READERS)
@require_GET
def building_list(request: HttpRequest) -> HttpResponse:
    """The buildings in scope with their units by state and occupancy."""
    user = request_user(request)
    rows = selectors.buildings_with_counts(user)
    units = reverse("apartments:units")
    return render(request, "apartments/building_list.html", {
        "rows": rows, "units_url": units, "can_allocate": apartments.may_allocate_waitlist(user),
        "totals": {k: sum(getattr(b, f"n_{k}") for b in rows)
                   for k in ("units", "occupied", "reserved", "available", "maintenance")},
    })


@allow(selectors.HOUSING_READERS)
@require_GET
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A building's unit grid, each unit with its state (and its tenant when let)."""
    user = request_user(request)
    building = selectors.building_get_for_user(user=user, pk=pk)
    units = list(building.units.order_by("number", "id"))
    tenants = {
        t.unit_id: t for t in selectors.tenancy_list_visible_to(user).filter(unit__building=building,
                                                                              state=TenancyState.ACTIVE)
    }
    return render(request, "apartments/building_detail.html", {
        "building": building, "units": [(u, tenants.get(u.pk)) for u in units],
        "can_manage": apartments.may_manage_building(user, building),
        "counts": {s.value: sum(1 for u in units if u.state == s) for s in UnitState},
        "states": UnitState.choices,
    })


@allow(selectors.HOUSING_READERS)
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    """Units in scope, filtered by building, layout and state."""
    return _list(request, UnitFilter, selectors.unit_list_visible_to, "apartments/unit_list.html",
                 {"export_url": reverse("apartments:unit_export")})


def _unit_back(unit: ApartmentUnit) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("apartments:building_detail", args=[unit.building_id]) + f"#unit-{unit.pk}")


@allow(*HOUSING_ROLES)
@require_POST
def unit_maintenance(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an available unit into maintenance (``on=yes``) or back into use (``on=no``)."""
    user = request_user(request)
    unit = selectors.unit_get_for_user(user=user, pk=pk)
    try:
        data = MaintenanceInput.parse({"on": request.POST.get("on", ""), "version": request.POST.get("version")})
        apartments.unit_set_maintenance(acting_user=user, unit=unit, data=data)
    except InvalidInput as exc:
        messages.error(request, str(exc.detail))
        return _unit_back(unit)
    except Conflict as exc:
        messages.error(request, str(exc))
        return _unit_back(unit)
    messages.success(request, _("Unit %(unit)s updated.") % {"unit": apartments.unit_label(unit)})
    return _unit_back(unit)


@allow(*HOUSING_ROLES)
@require_POST
def unit_allocate_next(request: HttpRequest, pk: int) -> HttpResponse:
    """Allocate an available unit to the first fitting application on the waitlist."""
    user = request_user(request)
    unit = selectors.unit_get_for_user(user=user, pk=pk)
    try:
        application = apartments.unit_allocate_next(acting_user=user, unit=unit)
    except Conflict as exc:
        messages.error(request, str(exc))
        return _unit_back(unit)
    messages.success(request, _("Unit %(unit)s allocated to %(name)s.") % {
        "unit": apartments.unit_label(unit), "name": application.talent.name})
    return HttpResponseRedirect(reverse("apartments:application_detail", args=[application.pk]))


@allow(*HOUSING_ROLES)
@require_POST
def allocate_waitlist_view(request: HttpRequest) -> HttpResponse:
    """Allocate the waitlist to the free units of the user's buildings (or of one)."""
    user = request_user(request)
    try:
        data = AllocateWaitlistInput.parse({"building": request.POST.get("building") or None})
        result = apartments.allocate_waitlist(acting_user=user, data=data)
    except (InvalidInput, Conflict) as exc:
        messages.error(request, str(getattr(exc, "detail", exc)))
        return HttpResponseRedirect(reverse("apartments:applications"))
    messages.success(request, _("%(n)d applications allocated; %(units)d free units and %(waiting)d waiting "
                                "applications left.") % {"n": result.allocated, "units": result.free_units_left,
                                                          "waiting": result.waiting_left})
    return HttpResponseRedirect(reverse("apartments:applications") + "?state=allocated")


# ---- applications --------------------------------------------------------------------------


@allow(selectors.HOUSING_READERS)
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    """Applications in scope; the waitlist (``state=waitlisted``) in its order with places."""
    user = request_user(request)
    return _list(request, ApplicationFilter, selectors.application_list_visible_to,
                 "apartments/application_list.html", {
                     "positions": selectors.waitlist_positions(user),
                     "can_allocate": apartments.may_allocate_waitlist(user),
                     "can_apply": bool(set(user_roles(user)) & flow.HOUSING),
                     "export_url": reverse("apartments:application_export"),
                 })


def user_roles(user: User) -> list[str]:
    return [r.value for r in Role if user.has_role(r)]


@allow(selectors.HOUSING_READERS)
@require_GET
def waitlist_view(request: HttpRequest) -> HttpResponse:
    """The waitlist in its order (the stored rule: tier, then time of application)."""
    user = request_user(request)
    rows = list(selectors.waitlist(selectors.application_list_visible_to(user))[:500])
    positions = selectors.waitlist_positions(user)
    return render(request, "apartments/waitlist.html", {
        "rows": [(positions.get(a.pk), a) for a in rows], "tier_order": selectors.tier_order(),
        "can_allocate": apartments.may_allocate_waitlist(user),
    })


def _application_context(user: User, application: Application, form: ActionForm | None) -> dict[str, Any]:
    selectors.application_with_extras(user, application)
    tenancy = getattr(application, "tenancy", None) if application.state in ("contracted", "ended") else None
    return {
        "application": application,
        "files": selectors.application_files(application),
        "tenancy": tenancy,
        "actions": apartments.application_actions_for(user, application),
        "form": form or ActionForm(initial={"version": application.version}),
        "free_units": list(
            selectors.unit_list_visible_to(user).filter(state=UnitState.AVAILABLE)
            .filter(**({"layout": application.preferred_layout} if application.preferred_layout else {}))
            .order_by("building__name", "number")[:50]
        ) if application.state == ApplicationState.WAITLISTED else [],
    }


@allow(selectors.HOUSING_READERS)
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application with its documents, its contract and the actions the user may take."""
    user = request_user(request)
    application = selectors.application_get_for_user(user=user, pk=pk)
    return render(request, "apartments/application_detail.html", _application_context(user, application, None))


@allow(*APPLICANT_ROLES)
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take an action of the tables on an application (or its tenancy)."""
    user = request_user(request)
    application = selectors.application_get_for_user(user=user, pk=pk)
    portal = user.has_role(Role.TALENT) and application.talent.account_id == user.pk
    form = ActionForm(request.POST)
    status = 400
    if action not in flow.API_ACTIONS:
        form.add_error(None, _("Unknown action."))
    else:
        data = bind_form(ApartmentActionInput, request.POST, form)
        if data is not None:
            try:
                apartments.application_transition(acting_user=user, application=application, action=action,
                                                  data=data)
            except InvalidInput as exc:
                add_service_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc))
                status = 409
                application = selectors.application_get_for_user(user=user, pk=pk)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You do not have permission to do this."))
                status = 403
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": flow.label_of(action)})
                return HttpResponseRedirect(
                    reverse("apartments:portal") if portal and not user.has_role(*selectors.HOUSING_READERS)
                    else reverse("apartments:application_detail", args=[pk])
                )
    if portal and not user.has_role(*selectors.HOUSING_READERS):
        return _portal(request, user, form=form, status=status)
    return render(request, "apartments/application_detail.html", _application_context(user, application, form),
                  status=status)


@allow(selectors.RECORD_READERS)
@require_GET
def application_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """Download a document of an application the user may see (audited)."""
    user = request_user(request)
    stored = selectors.application_file_for_user(user=user, application_pk=pk, file_pk=file_pk)
    try:
        handle = files_core.open_attachment(
            stored, area=apartments.FILE_AREA, acting_user=user, action="apartment.file_download",
            owner_repr=f"application {pk}", owner={"application": pk},
        )
    except OSError:
        raise Http404 from None
    return files_core.attachment_response(handle, filename=stored.original_name, content_type=stored.content_type)


def _submit(request: HttpRequest, user: User, form: ApplicationForm) -> Application | None:
    data = bind_input(ApartmentApplicationInput, request.POST, form)
    uploads = files_core.read_uploads(request.FILES.getlist("documents"), field="files")
    if data is None:
        return None
    try:
        return apartments.application_submit(acting_user=user, data=data, uploads=uploads)
    except InvalidInput as exc:
        add_service_errors(form, exc.renamed({"files": "documents"}))
    except Conflict as exc:
        form.add_error(None, str(exc))
    return None


@allow(*HOUSING_ROLES)
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    """Staff apply for a talent of their scope (``?talent=`` pre-fills it)."""
    user = request_user(request)
    if request.method != "POST":
        form = ApplicationForm(initial={"talent": request.GET.get("talent", "")}, user=user)
        return render(request, "apartments/application_form.html", {"form": form})
    form = ApplicationForm(request.POST, request.FILES, user=user)
    if form.is_valid():
        try:
            application = _submit(request, user, form)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return render(request, "apartments/application_form.html", {"form": form}, status=403)
        if application is not None:
            messages.success(request, _("The application has been registered."))
            return HttpResponseRedirect(reverse("apartments:application_detail", args=[application.pk]))
    return render(request, "apartments/application_form.html", {"form": form}, status=400)


# ---- tenancies -----------------------------------------------------------------------------


@allow(selectors.HOUSING_READERS)
@require_GET
def tenancy_list(request: HttpRequest) -> HttpResponse:
    """Tenancies in scope; ``expiring=1``: active ones ending within 60 days."""
    return _list(request, TenancyFilter, selectors.tenancy_list_visible_to, "apartments/tenancy_list.html",
                 {"today": timezone.localdate(), "export_url": reverse("apartments:tenancy_export")})


def _tenancy_page(request: HttpRequest, tenancy: Tenancy, form: ActionForm | None, status: int = 200) -> HttpResponse:
    user = request_user(request)
    return render(request, "apartments/tenancy_detail.html", {
        "tenancy": tenancy, "renewals": list(tenancy.renewals.order_by("renewed_at", "id")),
        "actions": apartments.tenancy_actions_for(user, tenancy),
        "form": form or ActionForm(initial={"version": tenancy.version}),
    }, status=status)


@allow(selectors.HOUSING_READERS)
@require_GET
def tenancy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One tenancy: term, rent, reduction, deposit, renewals, check-out."""
    return _tenancy_page(request, selectors.tenancy_get_for_user(user=request_user(request), pk=pk), None)


@allow(*HOUSING_ROLES)
@require_POST
def tenancy_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Renew or check out a tenancy."""
    user = request_user(request)
    tenancy = selectors.tenancy_get_for_user(user=user, pk=pk)
    form = ActionForm(request.POST)
    status = 400
    if action not in flow.TENANCY_ACTIONS:
        form.add_error(None, _("Unknown action."))
        return _tenancy_page(request, tenancy, form, 400)
    data = bind_form(ApartmentActionInput, request.POST, form)
    if data is not None:
        try:
            apartments.tenancy_transition(acting_user=user, tenancy=tenancy, action=action, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
            tenancy = selectors.tenancy_get_for_user(user=user, pk=pk)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You do not have permission to do this."))
            status = 403
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": flow.label_of(action)})
            return HttpResponseRedirect(reverse("apartments:tenancy_detail", args=[pk]))
    return _tenancy_page(request, tenancy, form, status)


# ---- the occupancy report ------------------------------------------------------------------


@allow(selectors.HOUSING_READERS)
@require_GET
def occupancy(request: HttpRequest) -> HttpResponse:
    """Units by building and by layout (each figure opens the units list filtered so), and
    tenants and waiting applications by tier (opening the tenancies and applications)."""
    user = request_user(request)
    units, tenancies, apps = (reverse(f"apartments:{n}") for n in ("units", "tenancies", "applications"))

    def link(base: str, **params: str) -> str:
        return base + "?" + urlencode({k: v for k, v in params.items() if v != ""})

    buildings = [
        (r, {s: link(units, building=r.key, state=s) for s in ("", *UnitState.values)}, link(units, building=r.key))
        for r in selectors.occupancy_by_building(user)
    ]
    layouts = [
        (r, {s: link(units, layout=r.key, state=s) for s in UnitState.values}, link(units, layout=r.key))
        for r in selectors.occupancy_by_layout(user)
    ]
    tiers = [
        (r, link(tenancies, tier=r.tier or "none", state="active"),
         link(apps, tier=r.tier or "none", state="waitlisted"))
        for r in selectors.occupancy_by_tier(user)
    ]
    totals = {k: sum(getattr(r, k) for r, _l, _a in buildings)
              for k in ("total", "occupied", "reserved", "available", "maintenance")}
    return render(request, "apartments/occupancy.html", {
        "buildings": buildings, "layouts": layouts, "tiers": tiers, "totals": totals,
        "units_url": units, "layout_labels": dict(Layout.choices),
    })


# ---- the talent's portal -------------------------------------------------------------------


def _portal(request: HttpRequest, user: User, *, form: ActionForm | None = None, status: int = 200) -> HttpResponse:
    talent = own_talent(user)
    applications = list(
        selectors.application_list_visible_to(user).filter(talent__account_id=user.pk).order_by("-submitted_at")
    ) if talent else []
    selectors.applications_with_extras(user, applications)
    tenancy = selectors.tenancy_list_visible_to(user).filter(talent__account_id=user.pk).order_by(
        "-state", "-end").first() if talent else None
    open_app = next((a for a in applications if a.state in (s.value for s in
                                                            (ApplicationState.SUBMITTED,
                                                             ApplicationState.WAITLISTED,
                                                             ApplicationState.ALLOCATED))), None)
    return render(request, "apartments/portal.html", {
        "talent": talent, "applications": applications, "tenancy": tenancy,
        "renewals": list(tenancy.renewals.order_by("renewed_at")) if tenancy else [],
        "can_apply": talent is not None and open_app is None
        and (tenancy is None or tenancy.state != TenancyState.ACTIVE),
        "open_app": open_app,
        "withdraw": open_app is not None and any(
            r.action == "withdraw" for r in apartments.application_actions_for(user, open_app)),
        "files": {a.pk: selectors.application_files(a) for a in applications},
        "form": form,
    }, status=status)


@allow(Role.TALENT)
@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    """The talent's own apartment page: the application's state, the contract."""
    return _portal(request, request_user(request))


@allow(Role.TALENT)
@require_http_methods(["GET", "POST"])
def portal_apply(request: HttpRequest) -> HttpResponse:
    """The talent applies for an apartment for themself, with documents."""
    user = request_user(request)
    if request.method != "POST":
        return render(request, "apartments/portal_apply.html", {"form": ApplicationForm(portal=True, user=user),
                                                                 "talent": own_talent(user)})
    form = ApplicationForm(request.POST, request.FILES, portal=True, user=user)
    if form.is_valid() and _submit(request, user, form) is not None:
        messages.success(request, _("Your application has been submitted."))
        return HttpResponseRedirect(reverse("apartments:portal"))
    status = 409 if form.non_field_errors() else 400
    return render(request, "apartments/portal_apply.html", {"form": form, "talent": own_talent(user)}, status=status)
