"""Payout ledger pages (政策兑现台账): the ledger with filters, totals and Excel export; totals
per policy, unit and industry for a year with a bar chart that drills down to the ledger; the
register form; one payout with its approve / reject / resubmit buttons.

Thin views: parse, fetch through a selector (404 out of scope), call one service, render.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.export_pages import timestamped_filename, xlsx_export_response
from zhaoyin.core.forms import FilterBarForm, add_service_errors, bind_form, bind_input
from zhaoyin.core.listparams import MAX_PAGE_SIZE, positive_int
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.selectors import enterprise_list_visible_to
from zhaoyin.payouts import selectors, talent_services
from zhaoyin.payouts import services as payouts
from zhaoyin.payouts.filters import PayoutFilter
from zhaoyin.payouts.forms import PayoutActionForm, PayoutRegisterForm, ScheduleStartForm
from zhaoyin.payouts.inputs import PayoutActionInput, PayoutRegisterInput, ScheduleStartInput
from zhaoyin.payouts.models import Payout, PayoutStatus, ScheduleFrequency, SubsidySchedule
from zhaoyin.policies.models import Beneficiary, Policy
from zhaoyin.policies.selectors import policy_list_visible_to
from zhaoyin.talents.selectors import talent_get_for_user

REGISTRARS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
#: Who posts actions: the registrars, and the talent office on talents' entries (issue 13).
ACTION_ROLES = (*REGISTRARS, Role.TALENT_OFFICE)
PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"
BY_LABELS = {
    "policy": gettext_lazy("By policy"),
    "unit": gettext_lazy("By unit"),
    "industry": gettext_lazy("By industry"),
}


def _can_register(user: User) -> bool:
    return user.has_role(*payouts.REGISTRAR_ROLES) and not user.admin_role


def policy_page_links(user: User, policy: Policy) -> dict[str, str]:
    """The "register a payout" link of a policy's page (``policies.extensions``): payouts are
    registered against policies that are (or were) published, by the registrar roles."""
    if policy.status == "draft" or not user.has_role(*payouts.REGISTRAR_ROLES):
        return {}
    return {"payout_url": f"{reverse('payouts:create')}?policy={policy.pk}"}


@allow(selectors.LEDGER_ROLES)
@require_GET
def payout_list(request: HttpRequest) -> HttpResponse:
    """The scoped, filtered, paged ledger with the count and the sums of the filtered rows
    (approved and pending apart). Bad parameters → 400 naming them."""
    user = request_user(request)
    form = FilterBarForm(request.GET, filters=PayoutFilter, user=user)
    context: dict[str, Any] = {
        "form": form,
        "page_obj": None,
        "page_sizes": PAGE_SIZES,
        "can_register": _can_register(user),
    }
    if not form.is_valid() or form.filter is None:
        return render(request, "policies/payout_list.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.payout_list_visible_to(user))
    totals = selectors.ledger_totals(qs)
    # One aggregate serves the count and the sums.
    paginator = IdFirstPaginator(qs, flt.page_size, count=totals.count)
    context.update(page_obj=paginator.get_page(flt.page), filter=flt, ledger=totals)
    return render(request, "policies/payout_list.html", context)


@allow(selectors.LEDGER_ROLES)
@require_GET
def payout_export_view(request: HttpRequest) -> HttpResponseBase:
    """The scoped, filtered ledger as .xlsx (the list's roles, selector and filters)."""
    user = request_user(request)
    return xlsx_export_response(
        request,
        write=lambda out: payouts.payout_export(acting_user=user, params=request.GET, out=out),
        filename=timestamped_filename(pgettext("export file", "Policy payouts")),
        back_url=reverse("payouts:list"),
    )


@allow(selectors.TOTALS_ROLES)
@require_GET
def payout_totals(request: HttpRequest) -> HttpResponse:
    """Granted (approved, publicized or paid; and, apart, pending) payouts of a year per policy,
    unit or industry, with the paid part, and a bar chart whose bars open the ledger's granted
    entries of that group."""
    user = request_user(request)
    this_year = timezone.localdate().year
    year, by, problems = _totals_params(request)
    rows = [] if problems else selectors.payout_totals(user=user, year=year, by=by)
    param = selectors.GROUPINGS[by][2]
    ledger = reverse("payouts:list")

    def drill(row: selectors.TotalsRow) -> str:
        value = str(row.key) if by == "policy" else row.code
        return ledger + "?" + urlencode({param: value, "year": str(year), "granted": "true"})

    chart = {
        "kind": "bar",
        "series": _("Granted (10k yuan)"),
        "items": [{"name": r.name, "value": float(r.approved_wan), "url": drill(r)} for r in rows if r.approved_wan],
    }
    context = {
        "year": year,
        "years": list(range(this_year, this_year - 6, -1)),
        "by": by,
        "tabs": [(key, label) for key, label in BY_LABELS.items()],
        "rows": [(r, drill(r)) for r in rows],
        "problems": list(problems.values()),
        "chart": chart,
        "approved_total": sum((r.approved_wan for r in rows), start=Decimal("0.00")),
        "approved_count": sum(r.approved_count for r in rows),
        "pending_total": sum((r.pending_wan for r in rows), start=Decimal("0.00")),
        "pending_count": sum(r.pending_count for r in rows),
        "paid_total": sum((r.paid_wan for r in rows), start=Decimal("0.00")),
        "paid_count": sum(r.paid_count for r in rows),
        "export_url": reverse("payouts:totals_export") + "?" + urlencode({"year": str(year), "by": by}),
    }
    return render(request, "policies/payout_totals.html", context, status=400 if problems else 200)


def _totals_params(request: HttpRequest) -> tuple[int, str, dict[str, str]]:
    """The totals page's ``year`` and ``by`` (defaults: this year, by policy) and the problems,
    by parameter (the page lists the messages; the export names each parameter)."""
    this_year = timezone.localdate().year
    raw_year, by = request.GET.get("year", ""), request.GET.get("by", "policy")
    year = positive_int(raw_year) if raw_year else this_year
    problems: dict[str, str] = {}
    if year is None or not payouts.YEAR_MIN <= year <= payouts.YEAR_MAX:
        problems["year"] = _("Year: must be a year from %(low)d to %(high)d.") % {
            "low": payouts.YEAR_MIN, "high": payouts.YEAR_MAX}
        year = this_year
    if by not in selectors.GROUPINGS:
        problems["by"] = _("Group by: choose policy, unit or industry.")
        by = "policy"
    return year, by, problems


@allow(selectors.TOTALS_ROLES)
@require_GET
def payout_totals_export(request: HttpRequest) -> HttpResponseBase:
    """The totals table of the page's year and grouping as .xlsx (the page's roles and scope)."""
    from zhaoyin.core.export_pages import write_audited_export
    from zhaoyin.lib.xlsx_write import SheetSpec

    user = request_user(request)
    year, by, problems = _totals_params(request)

    def write(out: Any) -> int:
        if problems:  # the same messages the page shows, each naming its parameter
            raise InvalidInput("; ".join(problems.values()),
                               [{"field": field, "message": message} for field, message in problems.items()])
        rows = selectors.payout_totals(user=user, year=year, by=by)
        sheet = SheetSpec(
            title=str(BY_LABELS[by]),
            headers=[str(BY_LABELS[by]), _("Granted (10k yuan)"), _("Granted entries"), _("Pending (10k yuan)"),
                     _("Pending entries"), _("Paid (10k yuan)")],
            rows=[[r.name, r.approved_wan, r.approved_count, r.pending_wan, r.pending_count, r.paid_wan] for r in rows],
            widths=[36, 16, 12, 16, 12, 16],
        )
        return write_audited_export(acting_user=user, out=out, sheets=[sheet], action="payout.totals_export",
                                    object_type="payouts.payout", params={"year": year, "by": by})

    return xlsx_export_response(
        request, write=write,
        filename=timestamped_filename(pgettext("export file", "Payout totals") + f"_{year}"),
        back_url=reverse("payouts:totals"),
    )


def _enterprise_by_ref(user: User, raw: str) -> Enterprise | None:
    text = (raw or "").strip().upper()
    if not text:
        return None
    match = Q(uscc=text)
    number = positive_int(text)
    if number is not None and number >= 1:
        match |= Q(pk=number)
    found = enterprise_list_visible_to(user).filter(match).order_by("pk").first()
    if found is None:
        # A full name typed without choosing in the picker (issue 16: the name was refused):
        # taken when exactly one firm in scope bears it.
        named = list(enterprise_list_visible_to(user).filter(name=(raw or "").strip())[:2])
        found = named[0] if len(named) == 1 else None
    return found


def _policy_by_ref(user: User, text: str) -> Policy | None:
    number = positive_int((text or "").strip())
    if number is None or number < 1:
        return None
    return policy_list_visible_to(user).filter(pk=number).first()


@allow(*REGISTRARS)
@require_http_methods(["GET", "POST"])
def payout_create(request: HttpRequest) -> HttpResponse:
    """Register a payout; reached from an enterprise's page (``?enterprise=``) or a policy's
    (``?policy=``). Bad input stays on the form with its messages (400); the same enterprise
    × policy × period again → 409 with the reason."""
    user = request_user(request)
    if request.method != "POST":
        initial = {k: request.GET.get(k, "") for k in ("enterprise", "policy")}
        enterprise = _enterprise_by_ref(user, initial["enterprise"])
        if enterprise is not None:
            initial["enterprise"] = enterprise.uscc
        form = PayoutRegisterForm(initial=initial, user=user)
        return render(request, "policies/payout_form.html", {"form": form, "enterprise": enterprise})
    form = PayoutRegisterForm(request.POST, user=user)
    status = 400
    enterprise = None
    if form.is_valid():
        enterprise = _enterprise_by_ref(user, form.cleaned_data["enterprise"])
        policy = _policy_by_ref(user, form.cleaned_data["policy"])
        if enterprise is None:
            form.add_error("enterprise", _("No such enterprise in your scope."))
        if policy is None:
            form.add_error("policy", _("Choose a policy."))
        # The values are judged by the input model, as in the API (each refusal on its field).
        data = bind_input(PayoutRegisterInput, request.POST, form)
        if enterprise is not None and policy is not None and data is not None:
            try:
                payout = payouts.payout_register(acting_user=user, policy=policy, enterprise=enterprise, data=data)
            except InvalidInput as exc:
                add_service_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc))
                status = 409
            except PermissionDenied as exc:
                form.add_error("enterprise", str(exc))
                status = 403
            else:
                messages.success(
                    request,
                    _("The payout has been registered and awaits the firm's confirmation.")
                    if payout.status == PayoutStatus.MATCHED
                    else _("The payout has been registered and awaits approval."),
                )
                return HttpResponseRedirect(reverse("payouts:detail", args=[payout.pk]))
    return render(request, "policies/payout_form.html", {"form": form, "enterprise": enterprise}, status=status)


def _talent_policy(user: User, pk: int) -> Policy:
    """A talent policy the user may see, by id; anything else is unknown (404)."""
    policy = policy_list_visible_to(user).filter(pk=pk, beneficiary=Beneficiary.TALENT).first()
    if policy is None:
        raise Http404
    return policy


@allow(frozenset(Role(r) for r in talent_services.TALENT_REGISTRAR_ROLES))
@require_http_methods(["GET", "POST"])
def payout_schedule_start(request: HttpRequest, talent: int, policy: int) -> HttpResponse:
    """Start a talent policy's payment schedule for an eligible talent (reached from the
    talent's policies page): every instalment written as a due entry of the
    ledger. An unknown or out-of-scope talent or policy is 404; a refusal (not eligible, a
    period of the wrong kind, no schedule) stays on the form naming its field (400); a period
    in the ledger already is 409."""
    user = request_user(request)
    person = talent_get_for_user(user=user, pk=talent)
    subsidy = _talent_policy(user, policy)
    schedule = SubsidySchedule.objects.filter(policy=subsidy).first()
    context: dict[str, Any] = {"talent": person, "policy": subsidy, "schedule": schedule}
    if request.method != "POST":
        today = timezone.localdate()
        yearly = schedule is not None and schedule.frequency == ScheduleFrequency.YEARLY
        first = str(today.year) if yearly else f"{today:%Y-%m}"
        context["form"] = ScheduleStartForm(initial={"first_period": first})
        return render(request, "policies/payout_schedule_form.html", context)
    form = ScheduleStartForm(request.POST)
    context["form"] = form
    status = 400
    data = bind_form(ScheduleStartInput, request.POST, form)
    if data is not None:
        try:
            entries = talent_services.talent_schedule_start(
                acting_user=user, policy=subsidy, talent=person, data=data
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You do not have permission to do this."))
            status = 403
        else:
            messages.success(
                request, _("%(count)d instalments were written to the ledger as due entries.") % {"count": len(entries)}
            )
            return HttpResponseRedirect(
                reverse("payouts:list")
                + "?"
                + urlencode({"talent": str(person.pk), "policy": str(subsidy.pk), "sort": "period"})
            )
    return render(request, "policies/payout_schedule_form.html", context, status=status)


def _detail(
    request: HttpRequest, payout: Payout, *, form: PayoutActionForm | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    # A talent's entry has its own approvers (the talent office among them): the note tells
    # every approver who registered or submitted it why no approve button is there.
    approvers = talent_services.TALENT_APPROVER_ROLES if payout.talent_id is not None else payouts.APPROVER_ROLES
    context = {
        "payout": payout,
        "actions": payouts.actions_for(user, payout),
        "form": form or PayoutActionForm(initial={"version": payout.version}),
        "four_eyes": payout.status == "pending" and payout.registered_by_id == user.pk and user.has_role(*approvers),
    }
    return render(request, "policies/payout_detail.html", context, status=status)


@allow(selectors.LEDGER_ROLES)
@require_GET
def payout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One payout with its history fields and the actions the user may take."""
    return _detail(request, selectors.payout_get_for_user(user=request_user(request), pk=pk))


@allow(*ACTION_ROLES)
@require_POST
def payout_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve, reject or resubmit — and for a talent's entry submit, publicize, pay or stop —
    (the service applies the transition table, the four-eyes rule and the version check)."""
    user = request_user(request)
    payout = selectors.payout_get_for_user(user=user, pk=pk)
    form = PayoutActionForm(request.POST)
    known = talent_services.TALENT_ACTIONS if payout.talent_id is not None else payouts.ACTIONS
    if action not in known:
        form.add_error(None, _("Unknown action."))
        return _detail(request, payout, form=form, status=400)
    data = bind_form(PayoutActionInput, request.POST, form)
    if data is None:
        return _detail(request, payout, form=form, status=400)
    try:
        payouts.payout_transition(acting_user=user, payout=payout, action=action, data=data)
    except InvalidInput as exc:
        add_service_errors(form, exc)
        return _detail(request, payout, form=form, status=400)
    except Conflict as exc:
        form.add_error(None, str(exc))
        return _detail(request, selectors.payout_get_for_user(user=user, pk=pk), form=form, status=409)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You do not have permission to do this."))
        return _detail(request, payout, form=form, status=403)
    found = talent_services.TALENT_PAYOUT_TABLE.get(action) if payout.talent_id is not None else None
    label = str(found.label) if found is not None else payouts.row_label(action)
    messages.success(request, _("Done: %(action)s.") % {"action": label})
    return HttpResponseRedirect(reverse("payouts:detail", args=[pk]))


# ---- the talent portal: 我的补贴 ------------------------------------------------------------------


@allow(Role.TALENT)
@require_GET
def payout_mine(request: HttpRequest) -> HttpResponse:
    """我的补贴: the talent's own subsidies as cards (mobile-first) — what was granted and paid,
    newest period first, then the schedule ahead (due), oldest first; never a pending or
    rejected entry (``selectors.PORTAL_STATES``)."""
    from zhaoyin.talents.selectors import own_talent

    user = request_user(request)
    rows = list(selectors.portal_payouts(user))
    scheduled = [p for p in rows if p.status == PayoutStatus.DUE]
    decided = sorted((p for p in rows if p.status != PayoutStatus.DUE), key=lambda p: (p.period, p.pk), reverse=True)
    paid = [p for p in rows if p.status == PayoutStatus.PAID]
    on_way = [p for p in rows if p.status in (PayoutStatus.APPROVED, PayoutStatus.PUBLICIZED)]
    context = {
        "talent": own_talent(user),
        "decided": decided,
        "scheduled": scheduled,
        "paid_wan": sum((p.amount_wan for p in paid), start=Decimal("0.00")),
        "paid_count": len(paid),
        "granted_wan": sum((p.amount_wan for p in on_way), start=Decimal("0.00")),
        "granted_count": len(on_way),
        "scheduled_wan": sum((p.amount_wan for p in scheduled), start=Decimal("0.00")),
    }
    return render(request, "policies/payout_portal.html", context)


# ---- the enterprise portal: 我的兑现 (issue 15) ------------------------------------------------------

#: The firm's own steps, from the portal: 意愿确认 (confirm or decline) and 已到账 (receive).
PORTAL_ACTIONS = ("confirm", "decline", "receive")


@allow(Role.ENTERPRISE)
@require_GET
def benefit_mine(request: HttpRequest) -> HttpResponse:
    """我的兑现: the enterprise's own entries — those to confirm (免申即享: 意愿确认) first, then the
    rest by period — with the firm's buttons drawn from the table."""
    user = request_user(request)
    rows = list(selectors.enterprise_portal_payouts(user))
    cards = [(p, payouts.actions_for(user, p)) for p in rows]
    cards.sort(key=lambda c: (c[0].status != PayoutStatus.MATCHED,))
    return render(request, "policies/benefit_portal.html", {"cards": cards})


@allow(Role.ENTERPRISE)
@require_POST
def benefit_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The firm's step on its own entry (another's is 404); refusals go back to 我的兑现 with the
    reason (409 for a step not allowed from the status)."""
    user = request_user(request)
    payout = selectors.enterprise_portal_payout_get(user=user, pk=pk)
    form = PayoutActionForm(request.POST)
    if action not in PORTAL_ACTIONS:
        raise Http404
    data = bind_form(PayoutActionInput, request.POST, form)
    if data is None:
        messages.error(request, _("Check the values and try again."))
        return HttpResponseRedirect(reverse("payouts:benefits"))
    try:
        payouts.payout_transition(acting_user=user, payout=payout, action=action, data=data)
    except (InvalidInput, Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("You do not have permission to do this."))
        return HttpResponseRedirect(reverse("payouts:benefits"))
    messages.success(request, _("Done: %(action)s.") % {"action": payouts.row_label(action)})
    return HttpResponseRedirect(reverse("payouts:benefits"))
