"""Policy matching pages: an enterprise's policies (with every condition's reason) and a
policy's 免申即享 list (eligible enterprises, and possible ones with the data missing); the
same for talents and talent policies (issue 13).

Thin views: parse, fetch through the owners' scoped selectors (404 out of scope), read through
``selectors``, render. An enterprise's page is open to whoever may read the enterprise
(portal users: their own); a policy's list to government readers, narrowed to their scope.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.views.decorators.http import require_GET

from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow, rule_of, user_roles
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.export_pages import xlsx_export_response
from zhaoyin.core.forms import FilterBarForm
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.core.roles import Role
from zhaoyin.enterprises import selectors as enterprise_selectors
from zhaoyin.enterprises.filters import EnterpriseFilter
from zhaoyin.matching import selectors, talent_selectors
from zhaoyin.matching.exporting import export_filename, policy_eligible_export
from zhaoyin.matching.models import MatchVerdict
from zhaoyin.matching.talent_selectors import EligibleTalentFilter
from zhaoyin.policies import extensions
from zhaoyin.policies.selectors import READER_ROLES as POLICY_READERS
from zhaoyin.policies.selectors import policy_get_for_user
from zhaoyin.talents.selectors import own_talent, talent_get_for_user

PAGE_SIZES = f"20,50,100,{MAX_PAGE_SIZE}"



@allow(enterprise_selectors.READER_ROLES)
@require_GET
def enterprise_policy_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """Every in-force policy judged for one enterprise: eligible, possible (with the data
    missing), and the ineligible ones collapsed; each condition met / unmet / unknown and why."""
    user = request_user(request)
    enterprise = enterprise_selectors.enterprise_get_for_user(user=user, pk=pk)
    matches = selectors.enterprise_matches(enterprise)
    return render(
        request,
        "enterprises/policy_matches.html",
        {"enterprise": enterprise, "matches": matches},
    )


@allow(Role.ENTERPRISE)
@require_GET
def my_policy_matches(request: HttpRequest) -> HttpResponse:
    """The portal user's own enterprise's policy page (their menu entry "my policies")."""
    user = request_user(request)
    if user.enterprise_id is None:
        raise Http404
    enterprise = enterprise_selectors.enterprise_get_for_user(user=user, pk=user.enterprise_id)
    return redirect("policy_matching:enterprise", pk=enterprise.pk)


@allow(POLICY_READERS)
@require_GET
def policy_eligible(request: HttpRequest, pk: int) -> HttpResponse:
    """A policy's enterprises in the user's scope: the eligible tab (免申即享) and the possible
    tab with the data each enterprise still lacks; filters, paging, export. Bad parameters →
    400 naming them, nothing listed."""
    user = request_user(request)
    policy = policy_get_for_user(user=user, pk=pk)
    form = FilterBarForm(request.GET, filters=EnterpriseFilter, user=user)
    context: dict[str, Any] = {
        "policy": policy,
        "form": form,
        "page_obj": None,
        "page_sizes": PAGE_SIZES,
        "verdict": MatchVerdict.ELIGIBLE.value,
        "state": selectors.policy_tree_state(policy),
        "counts": selectors.policy_verdict_counts(user, policy),
        "missing": {},
        "export_url": "",
    }
    try:
        context["verdict"] = verdict = selectors.parse_verdict(request.GET)
    except InvalidInput as exc:
        form.is_valid()
        form.problems.extend((err["field"], err["message"]) for err in exc.errors)
        return render(request, "policies/match_eligible.html", context, status=400)
    if not form.is_valid() or form.filter is None:
        return render(request, "policies/match_eligible.html", context, status=400)
    flt = form.filter
    qs = flt.apply(selectors.policy_enterprises(user, policy, verdict))
    page = IdFirstPaginator(qs, flt.page_size).get_page(flt.page)
    context["page_obj"] = page
    context["filter"] = flt
    context["export_url"] = reverse("policy_matching:eligible_export", kwargs={"pk": policy.pk})
    if verdict == MatchVerdict.POSSIBLE and page.object_list:
        context["missing"] = selectors.explain_page(policy, list(page.object_list))
    context["rows"] = [(e, context["missing"].get(e.pk, [])) for e in page.object_list]
    return render(request, "policies/match_eligible.html", context)


@allow(POLICY_READERS)
@require_GET
def policy_eligible_export_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The policy's list as the page shows it (same verdict, scope and filters), as .xlsx."""
    user = request_user(request)
    policy = policy_get_for_user(user=user, pk=pk)
    back = reverse("policy_matching:eligible", kwargs={"pk": policy.pk}) + "?" + request.GET.urlencode()
    return xlsx_export_response(
        request,
        write=lambda out: policy_eligible_export(acting_user=user, policy=policy, params=request.GET, out=out),
        filename=export_filename(policy),
        back_url=back,
    )


# ---- talent policies (issue 13) ----------------------------------------------------------------


def may_reach(request: HttpRequest, name: str, **kwargs: int) -> bool:
    """Whether the page named ``name`` lets the signed-in user in (its ``allow`` rule)."""
    rule = rule_of(resolve(reverse(name, kwargs=kwargs or None)).func)
    return rule is not None and rule.allows(user_roles(request))


@allow(talent_selectors.TALENT_MATCH_READERS)
@require_GET
def talent_policy_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """Every in-force talent policy judged for one talent (eligible, possible with the data
    missing, the rest collapsed), each condition and why. Staff see the talents of their scope;
    a talent portal user only their own record (mobile-first page; no link into the library)."""
    user = request_user(request)
    talent = talent_get_for_user(user=user, pk=pk)
    matches = talent_selectors.talent_matches(talent)
    # What the apps above offer per policy (the ledger: apply for a scheduled subsidy).
    offered = extensions.talent_policy_actions(
        user, talent, [m.policy.pk for m in (*matches.eligible, *matches.possible)]
    )
    return render(
        request,
        "matching/talent_policy_matches.html",
        {
            "talent": talent,
            "matches": matches,
            "eligible_actions": [(m.policy, offered[m.policy.pk]) for m in matches.eligible if m.policy.pk in offered],
            "possible_actions": [(m.policy, offered[m.policy.pk]) for m in matches.possible if m.policy.pk in offered],
            "own": talent.account_id == user.pk,
            "link_policies": user.has_role(*POLICY_READERS),
            # The ledger's page decides who starts a schedule; offer it to those it lets in.
            "can_schedule": talent.account_id != user.pk and may_reach(
                request, "payouts:schedule_start", talent=talent.pk, policy=0
            ),
        },
    )


@allow(Role.TALENT)
@require_GET
def my_talent_policy_matches(request: HttpRequest) -> HttpResponse:
    """The portal user's own talent policies (their menu entry); 404 while no record is linked."""
    talent = own_talent(request_user(request))
    if talent is None:
        raise Http404
    return redirect("policy_matching:talent", pk=talent.pk)


@allow(talent_selectors.ELIGIBLE_TALENT_READERS)
@require_GET
def policy_eligible_talents(request: HttpRequest, pk: int) -> HttpResponse:
    """A talent policy's talents in the user's scope: eligible (免申即享) and possible with the
    data each still lacks; search and paging. Bad parameters → 400 naming them."""
    user = request_user(request)
    policy = policy_get_for_user(user=user, pk=pk)
    form = FilterBarForm(request.GET, filters=EligibleTalentFilter, user=user)
    context: dict[str, Any] = {
        "policy": policy,
        "form": form,
        "page_obj": None,
        "page_sizes": PAGE_SIZES,
        "verdict": MatchVerdict.ELIGIBLE.value,
        "state": talent_selectors.talent_tree_state(policy),
        "counts": talent_selectors.policy_talent_counts(user, policy),
        "rows": [],
    }
    try:
        context["verdict"] = verdict = selectors.parse_verdict(request.GET)
    except InvalidInput as exc:
        form.is_valid()
        form.problems.extend((err["field"], err["message"]) for err in exc.errors)
        return render(request, "matching/eligible_talents.html", context, status=400)
    if not form.is_valid() or form.filter is None:
        return render(request, "matching/eligible_talents.html", context, status=400)
    flt = form.filter
    qs = flt.apply(talent_selectors.policy_talents(user, policy, verdict))
    page = IdFirstPaginator(qs, flt.page_size).get_page(flt.page)
    missing = (
        talent_selectors.explain_talent_page(policy, list(page.object_list))
        if verdict == MatchVerdict.POSSIBLE and page.object_list
        else {}
    )
    context.update(page_obj=page, filter=flt, rows=[(t, missing.get(t.pk, [])) for t in page.object_list])
    return render(request, "matching/eligible_talents.html", context)
