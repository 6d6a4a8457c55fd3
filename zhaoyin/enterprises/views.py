"""Enterprise pages (一企一档): list, detail, register, change, yearly figures.

Thin views: parse the form, fetch through a selector (404 out of scope, 403 read-only),
call one service, render. Reading is open to government staff and portal enterprise users
(``selectors.READER_ROLES``), the selectors do the scoping; writing is for the editor
roles, and the selector's ``action="change"`` refuses an editor who may see but not change
the enterprise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.request import request_user
from zhaoyin.audit.models import AuditRecord
from zhaoyin.audit.redaction import WITHHELD
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.forms import FilterBarForm
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role
from zhaoyin.enterprises import selectors, services
from zhaoyin.enterprises.filters import EnterpriseFilter
from zhaoyin.enterprises.forms import (
    FIGURE_FIELDS,
    FIGURE_LABELS,
    EnterpriseForm,
    FiguresForm,
    figures_initial,
)
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure, Industry

EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"




@allow(selectors.READER_ROLES)
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    """The scoped, filtered, sorted and paged list. Bad parameters → 400 naming them."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=EnterpriseFilter, user=user)
    context: dict[str, Any] = {
        "form": form,
        "page_obj": None,
        "page_sizes": PAGE_SIZES,
        "can_create": selectors.can_create_enterprises(user),
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "enterprises/list.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.enterprise_list_visible_to(user))
    paginator = IdFirstPaginator(qs.prefetch_related("qualifications"), flt.page_size)
    # A page past the end shows the last page rather than an error (links go stale).
    context["page_obj"] = paginator.get_page(flt.page)
    context["filter"] = flt
    return render(request, "enterprises/list.html", context)


#: How the audit actions about an enterprise read in its change history.
TRAIL_ACTIONS: dict[str, Any] = {
    "enterprise.create": gettext_lazy("Registered"),
    "enterprise.update": gettext_lazy("Profile changed"),
    "enterprise.figures": gettext_lazy("Yearly figures saved"),
    "enterprise.import": gettext_lazy("Imported"),
    "enterprise.change_denied": gettext_lazy("Change refused"),
}
#: Bookkeeping fields that say nothing to a reader of the history.
TRAIL_HIDDEN_FIELDS = frozenset({"id", "version", "updated_at", "created_at", "search_text", "enterprise"})


@dataclass
class TrailRow:
    """One line of an enterprise's change history: who, when, what, and the changed values
    as (label, before, after); ``before`` is empty for a value set for the first time."""

    record: AuditRecord
    label: Any
    year: Any = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _field_meta() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Field labels and choice labels of enterprises and figures, for the history."""
    labels: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    for model in (EnterpriseFigure, Enterprise):
        for f in model._meta.get_fields():
            if not hasattr(f, "verbose_name"):
                continue  # reverse relations
            labels[f.name] = str(f.verbose_name)
            if getattr(f, "choices", None):
                choices[f.name] = {str(k): str(v) for k, v in f.flatchoices}  # type: ignore[union-attr]
    return labels, choices


def _trail_rows(records: list[AuditRecord]) -> list[TrailRow]:
    """Readable history lines. Unit and industry ids become names (two queries for all rows);
    a registration shows no values, the profile above shows them."""
    unit_ids: set[str] = set()
    industry_ids: set[str] = set()
    for record in records:
        for values in (record.before or {}, record.after or {}):
            for key in ("org_unit", "service_group"):
                if values.get(key):
                    unit_ids.add(str(values[key]))
            if values.get("industry"):
                industry_ids.add(str(values["industry"]))
    units = OrgUnit.objects.filter(pk__in=[int(i) for i in unit_ids if i.isdigit()])
    industries = Industry.objects.filter(pk__in=[int(i) for i in industry_ids if i.isdigit()])
    names = {
        "unit": {str(pk): name for pk, name in units.values_list("pk", "name")},
        "industry": {str(pk): name for pk, name in industries.values_list("pk", "name")},
    }
    labels, choices = _field_meta()

    def shown(key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return ""
        if key in ("org_unit", "service_group"):
            return names["unit"].get(str(value), str(value))
        if key == "industry":
            return names["industry"].get(str(value), str(value))
        if key in choices:
            return choices[key].get(str(value), str(value))
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return str(value)

    rows = []
    for record in records:
        before, after = record.before or {}, record.after or {}
        row = TrailRow(record=record, label=TRAIL_ACTIONS.get(record.action, record.action), year=after.get("year"))
        if record.action != "enterprise.create":
            for key in after:
                if key in TRAIL_HIDDEN_FIELDS or (key == "year" and row.year is not None):
                    continue
                if after[key] == WITHHELD or before.get(key) == WITHHELD:
                    # The audit log keeps which field changed, not its value (issue 12 D4).
                    row.changes.append((labels.get(key, key), "", _("changed")))
                    continue
                row.changes.append((labels.get(key, key), shown(key, before.get(key)), shown(key, after[key]) or "—"))
        rows.append(row)
    return rows


def _first_free_year(figures: list[EnterpriseFigure]) -> int:
    """The year a blank figures form proposes: last year, or the next one without figures."""
    taken = {f.year for f in figures}
    year = timezone.localdate().year - 1
    while year in taken:
        year += 1
    return year


def _detail_context(
    request: HttpRequest, enterprise: Enterprise, figures_form: FiguresForm | None = None
) -> dict[str, Any]:
    user = request_user(request)
    figures = selectors.enterprise_figures(enterprise)
    can_edit = selectors.can_edit_enterprise(user, enterprise)
    if can_edit and figures_form is None:
        wanted = request.GET.get("year", "")
        stored = next((f for f in figures if str(f.year) == wanted), None)
        initial = figures_initial(stored) if stored else {"year": str(_first_free_year(figures))}
        figures_form = FiguresForm(initial=initial)
    # Figures as rows, years as columns: a few years side by side read like a statistics table.
    matrix = [(FIGURE_LABELS[name], name, [getattr(f, name) for f in figures]) for name in FIGURE_FIELDS]
    return {
        "enterprise": enterprise,
        "qualifications": list(enterprise.qualifications.all()),
        "figures": figures,
        "figure_matrix": matrix,
        "figures_form": figures_form if can_edit else None,
        "editing_year": figures_form["year"].value() if figures_form is not None else "",
        "trail": _trail_rows(selectors.enterprise_audit_trail(user=user, enterprise=enterprise)),
        "can_edit": can_edit,
    }


@allow(selectors.READER_ROLES)
@require_GET
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The profile, qualifications, yearly figures and the latest changes of one enterprise."""
    enterprise = selectors.enterprise_get_for_user(user=request_user(request), pk=pk)
    return render(request, "enterprises/detail.html", _detail_context(request, enterprise))


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def enterprise_create(request: HttpRequest) -> HttpResponse:
    """Register an enterprise in a unit of the user's scope."""
    user = request_user(request)
    if request.method == "POST":
        form = EnterpriseForm(request.POST, user=user)
        if form.is_valid():
            try:
                enterprise = services.enterprise_create(
                    acting_user=user, data=form.create_input(), lookups=form.lookups
                )
            except InvalidInput as exc:
                form.apply_errors(exc.errors)
            else:
                messages.success(request, _("The enterprise has been registered."))
                return HttpResponseRedirect(reverse("enterprises:detail", args=[enterprise.pk]))
        return render(request, "enterprises/form.html", {"form": form, "enterprise": None}, status=400)
    form = EnterpriseForm(user=user, initial={"size_class": "below"})
    return render(request, "enterprises/form.html", {"form": form, "enterprise": None})


@allow(*EDITORS)
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an enterprise. The form carries the version it was loaded at; if someone else
    saved in between, the user keeps their input and sees what the other person changed
    (CONC-01)."""
    user = request_user(request)
    enterprise = selectors.enterprise_get_for_user(user=user, pk=pk, action="change")
    if request.method != "POST":
        form = EnterpriseForm(user=user, enterprise=enterprise)
        return render(request, "enterprises/form.html", {"form": form, "enterprise": enterprise})
    form = EnterpriseForm(request.POST, user=user, enterprise=enterprise)
    if form.is_valid():
        try:
            services.enterprise_update(
                acting_user=user,
                enterprise=enterprise,
                data=form.update_input(),
                lookups=form.lookups,
            )
        except InvalidInput as exc:
            form.apply_errors(exc.errors)
        except Conflict:
            return _conflict(request, user, pk, form)
        else:
            messages.success(request, _("The changes have been saved."))
            return HttpResponseRedirect(reverse("enterprises:detail", args=[enterprise.pk]))
    return render(request, "enterprises/form.html", {"form": form, "enterprise": enterprise}, status=400)


def _conflict(request: HttpRequest, user: User, pk: int, stale: EnterpriseForm) -> HttpResponse:
    """Re-show the user's input over the current version, naming what changed meanwhile.

    Saving again is then a deliberate decision made knowing the other change.
    """
    current = selectors.enterprise_get_for_user(user=user, pk=pk, action="change")
    differences = stale.current_differences(current)
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = EnterpriseForm(data, user=user, enterprise=current)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Someone else changed this enterprise while you were editing it. Your input is kept below; "
            "the values now saved are shown under the fields that differ. Save again to apply your input."
        ),
    )
    context = {"form": form, "enterprise": current, "differences": differences}
    return render(request, "enterprises/form.html", context, status=409)


@allow(*EDITORS)
@require_POST
def enterprise_figures(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or change one year of figures (re-posting a year updates it)."""
    user = request_user(request)
    enterprise = selectors.enterprise_get_for_user(user=user, pk=pk, action="change")
    form = FiguresForm(request.POST)
    if form.is_valid():
        try:
            figure = services.enterprise_figures_set(
                acting_user=user, enterprise=enterprise, data=form.input(), clear_empty=form.clears_empty
            )
        except InvalidInput as exc:
            form.apply_errors(exc.errors)
        else:
            messages.success(request, _("The figures of %(year)d have been saved.") % {"year": figure.year})
            return HttpResponseRedirect(reverse("enterprises:detail", args=[enterprise.pk]) + "#figures")
    context = _detail_context(request, enterprise, figures_form=form)
    return render(request, "enterprises/detail.html", context, status=400)
