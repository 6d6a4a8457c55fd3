"""The talent's own talent-project pages (portal, mobile-first): their applications as cards
with the open rounds, one application's progress, and applying in an open round.

The talent and the employer come from the talent's own record (``talents.selectors.own_talent``),
never from the form; the one writer is ``services.project_create`` with the talent as the acting
user. Another talent's application answers as an unknown one (404). Never shown: the unit, who
registered or decided, the disbursements' notes; the reason of a decline or a withdrawal is
shown (it is the decision's stated reason, given to the applicant — the model keeps no
separate internal note). While an application is applied or recommended the talent may
withdraw it with a reason (``services.project_withdraw``, the talent as the acting user)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.forms import add_service_errors, bind_form, submit_form
from zhaoyin.core.roles import Role
from zhaoyin.talentprojects import flow, selectors, services
from zhaoyin.talentprojects.forms import PortalApplicationForm, PortalWithdrawForm
from zhaoyin.talentprojects.inputs import PortalApplicationInput, PortalWithdrawInput, TalentProjectInput
from zhaoyin.talentprojects.models import ProgrammeRound, TalentProject
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import own_talent

#: The steps a talent sees on an application's page, in order.
STEPS = (flow.State.APPLIED, flow.State.RECOMMENDED, flow.State.APPROVED, flow.State.FUNDED)
#: The states as the talent reads them: the table's own labels (a message context of their own:
#: the bare "Applied" is a date's label elsewhere in the catalogue).
STATE_LABELS: dict[str, Any] = dict(flow.TABLE.states)
assert set(STATE_LABELS) == set(flow.State)


def apply_for_self(*, user: User, talent: Talent, data: PortalApplicationInput) -> TalentProject:
    """The portal's application as ``project_create``'s input: the talent's own record, dated
    today (shared by the page and ``POST /me/talent-projects``)."""
    full = TalentProjectInput.of(talent=talent.pk, **data.model_dump())
    return services.project_create(acting_user=user, data=full)


def _rounds(user: User) -> list[ProgrammeRound]:
    """The open rounds, without those the talent has applied in."""
    applied = set(selectors.portal_projects(user).values_list("round_id", flat=True))
    return [r for r in selectors.open_rounds(timezone.localdate()) if r.pk not in applied]


@allow(Role.TALENT)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The talent's applications (state, amounts) and the rounds open to them now."""
    user = request_user(request)
    talent = own_talent(user)
    projects = list(selectors.portal_projects(user))
    return render(request, "talentprojects/portal_list.html", {
        "talent": talent,
        "projects": [(p, STATE_LABELS[p.state]) for p in projects],
        "rounds": _rounds(user) if talent is not None else [],
    })


@allow(Role.TALENT)
@require_http_methods(["GET", "POST"])
def mine_apply(request: HttpRequest) -> HttpResponse:
    """Apply in an open round; bad input → 400 naming the fields, nothing written; an account
    not linked to a talent record → the page says so (409 on POST)."""
    user = request_user(request)
    talent = own_talent(user)
    rounds = _rounds(user) if talent is not None else []
    if talent is None:
        return render(request, "talentprojects/portal_apply.html", {"form": None},
                      status=409 if request.method == "POST" else 200)
    if request.method != "POST":
        chosen = request.GET.get("round", "")
        form = PortalApplicationForm(rounds=rounds, initial={"round": chosen} if chosen.isdigit() else None)
        return render(request, "talentprojects/portal_apply.html", {"form": form, "talent": talent})
    form = PortalApplicationForm(request.POST, rounds=rounds)
    data = bind_form(PortalApplicationInput, request.POST, form)
    if data is not None:
        try:
            project = apply_for_self(user=user, talent=talent, data=data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your application has been submitted."))
            return HttpResponseRedirect(reverse("talentprojects:mine_detail", args=[project.pk]))
    return render(request, "talentprojects/portal_apply.html", {"form": form, "talent": talent}, status=400)


def may_withdraw(user: User, project: TalentProject) -> bool:
    """Whether the talent may withdraw ``project`` now (the table's row, from its state, with
    the actors they hold on their own application)."""
    return any(r.action == flow.Action.WITHDRAW
               for r in flow.TABLE.manual_rows_from(project.state, selectors.actors_on(user, project)))


def withdraw_own(*, user: User, project: TalentProject, data: PortalWithdrawInput) -> TalentProject:
    """The portal's withdrawal as ``project_withdraw``'s input, dated today (shared by the page
    and ``POST /me/talent-projects/{id}/actions/withdraw``)."""
    return services.project_withdraw(acting_user=user, project=project, data=data.as_reason())


def _detail(request: HttpRequest, project: TalentProject, form: PortalWithdrawForm | None = None,
            status: int = 200) -> HttpResponse:
    user = request_user(request)
    reached = {
        flow.State.APPLIED: project.applied_on,
        flow.State.RECOMMENDED: project.recommended_on,
        flow.State.APPROVED: project.approved_on,
        flow.State.FUNDED: project.funds.order_by("paid_on").values_list("paid_on", flat=True).first(),
    }
    steps: list[dict[str, Any]] = [
        {"label": STATE_LABELS[state], "on": reached[state]} for state in STEPS
    ]
    if form is None and may_withdraw(user, project):
        form = PortalWithdrawForm(initial={"version": project.version})
    return render(request, "talentprojects/portal_detail.html", {
        "project": project,
        "state_label": STATE_LABELS[project.state],
        "steps": steps,
        "funds": list(project.funds.order_by("paid_on", "pk")),
        "ended": project.state in (flow.State.DECLINED, flow.State.WITHDRAWN),
        "withdraw_form": form,
    }, status=status)


@allow(Role.TALENT)
@require_GET
def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the talent's own applications: its steps, amounts and disbursements, and the
    withdraw form while it may be withdrawn."""
    return _detail(request, selectors.portal_project_get(user=request_user(request), pk=pk))


@allow(Role.TALENT)
@require_POST
def mine_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回 one's own application with a reason: another talent's → 404; no reason → 400 naming
    it; a state that no longer allows it or a stale page → 409 with why; nothing written then."""
    user = request_user(request)
    project = selectors.portal_project_get(user=user, pk=pk)
    form = PortalWithdrawForm(request.POST)
    posted = submit_form(
        form, PortalWithdrawInput, request.POST, lambda data: withdraw_own(user=user, project=project, data=data)
    )
    if posted.done:
        messages.success(request, _("Your application has been withdrawn."))
        return HttpResponseRedirect(reverse("talentprojects:mine_detail", args=[pk]))
    if posted.status == 409:  # shown as it stands now
        project = selectors.portal_project_get(user=user, pk=pk)
    return _detail(request, project, form, status=posted.status)
