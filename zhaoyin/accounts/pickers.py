"""The pickers' org units and accounts (core.pickers, issue 16).

Units come grouped by kind in the official order (县区 / 园区 / 市直部门 / 服务组 / 人才工作站);
``?within=mine`` keeps the caller's part of the tree (the units a matter may be given to),
``?kind=`` (repeatable) some kinds. Accounts: those the caller may name (``user_suggestions``),
``?role=`` narrowing them to one role (service_member for a service group's members); the
option's value is the username, what the forms take.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from zhaoyin.accounts import selectors
from zhaoyin.accounts.models import OrgUnitKind
from zhaoyin.accounts.request import request_user
from zhaoyin.core.authz import allow
from zhaoyin.core.pickers import Suggestion, render_suggestions, suggestion_terms
from zhaoyin.core.roles import GOVERNMENT_ROLES, Role


@allow(*GOVERNMENT_ROLES)
@require_GET
def pick_units(request: HttpRequest) -> HttpResponse:
    """Org units for a picker, grouped by kind in the official order."""
    units = selectors.unit_suggestions(
        request_user(request),
        suggestion_terms(request),
        within=request.GET.get("within") == "mine",
        kinds=request.GET.getlist("kind"),
    )
    return render_suggestions(
        request, [Suggestion(u.code, u.name, group=str(OrgUnitKind(u.kind).label)) for u in units]
    )


@allow(*GOVERNMENT_ROLES, Role.TALENT_OFFICE)
@require_GET
def pick_users(request: HttpRequest) -> HttpResponse:
    """Accounts for a picker, by username or name (at most ten)."""
    role = request.GET.get("role", "")
    users = selectors.user_suggestions(
        request_user(request), suggestion_terms(request), role=role if role in Role._value2member_map_ else ""
    )
    return render_suggestions(
        request,
        [
            Suggestion(
                u.username,
                u.full_name or u.username,
                " · ".join(p for p in (u.username, u.org_unit.name if u.org_unit else "") if p),
            )
            for u in users
        ],
    )
