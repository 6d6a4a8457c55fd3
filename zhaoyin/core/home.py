"""What the home page shows each user: read-only counts within the user's scope.

A selector module (style.md 3.4): it only reads, through the enterprises app's scoped
selector when that exists, and answers in a fixed number of queries whatever the data size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.authz import rule_of
from zhaoyin.core.roles import GOVERNMENT_ROLES, Role

if TYPE_CHECKING:
    from zhaoyin.accounts.models import User
    from zhaoyin.enterprises.models import Enterprise

#: How many industries the chart names one by one; the rest are summed as "Other".
CHART_TOP_INDUSTRIES = 12


@dataclass(frozen=True)
class Kpi:
    """One figure on a KPI card, with an optional link to the list it counts."""

    label: str | Promise
    value: int
    icon: str
    url: str = ""


@dataclass(frozen=True)
class Shortcut:
    """A link on the landing panel of a user who has no business data to see."""

    label: str | Promise
    description: str | Promise
    url: str
    icon: str


@dataclass
class HomeData:
    """Everything the home template needs, decided here rather than in the template."""

    kind: str  # "business", "admin" or "portal"
    kpis: list[Kpi] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    shortcuts: list[Shortcut] = field(default_factory=list)


#: (label, description, URL name, icon) of a function offered on a landing panel.
FunctionEntry = tuple[str | Promise, str | Promise, str, str]

#: The 三员 each get a panel with their own functions only (AC-05): no business figures.
ADMIN_FUNCTIONS: dict[str, list[FunctionEntry]] = {
    Role.SYSADMIN: [
        (_("Working-day calendar"), _("Maintain statutory holidays and make-up working days."),
         "workcalendar:index", "calendar3"),
    ],
    Role.SECURITY_ADMIN: [
        (_("Users"), _("Create accounts, assign roles, unlock and reset passwords."),
         "accounts:user_list", "people"),
    ],
    Role.AUDITOR: [
        (_("Audit log"), _("Search and export the audit trail."), "audit:list", "journal-text"),
    ],
}


#: Portal users (enterprise, talent) get their own functions as shortcuts.
PORTAL_FUNCTIONS: dict[str, list[FunctionEntry]] = {
    Role.ENTERPRISE: [
        (_("Enterprise profile"), _("Your enterprise's profile and yearly figures."),
         "enterprises:list", "buildings"),
    ],
}


def _reachable(url_name: str, roles: frozenset[str], query: str = "") -> str:
    """The URL of ``url_name`` when it exists and ``roles`` may open it, else ``""``.

    The same rule that guards the view decides the link, so the page has no dead links.
    """
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return ""
    rule = rule_of(resolve(url).func)
    if rule is None or not rule.allows(roles):
        return ""
    return url + query


def enterprises_in_scope(user: User) -> QuerySet[Enterprise]:
    """The enterprises ``user`` may see: the enterprises app's selector when it is there.

    Imported lazily so the home page does not tie the core app to the enterprises app's
    module layout; the fallback applies the same org-unit scope rule (AC-03).
    """
    try:
        from zhaoyin.enterprises.selectors import enterprise_list_visible_to
    except ImportError:
        from zhaoyin.accounts.scope import unit_scope_q
        from zhaoyin.enterprises.models import Enterprise

        return Enterprise.objects.filter(unit_scope_q(user, "org_unit"))
    qs: QuerySet[Enterprise] = enterprise_list_visible_to(user)
    return qs


def _business(user: User, roles: frozenset[str]) -> HomeData:
    qs = enterprises_in_scope(user).order_by()
    list_url = _reachable("enterprises:list", roles)
    # One aggregate query for the cards, one grouped query for the chart.
    totals = qs.aggregate(
        total=Count("id"),
        emerging=Count("id", filter=Q(industry__emerging=True)),
        above=Count("id", filter=Q(size_class="above")),
    )
    rows = list(
        qs.values("industry_id", "industry__name")
        .annotate(n=Count("id"))
        .order_by("-n", "industry__name")
    )
    kpis = [
        Kpi(_("Enterprises in scope"), totals["total"] or 0, "buildings", list_url),
        Kpi(_("In emerging industries"), totals["emerging"] or 0, "lightning-charge"),
        Kpi(_("Above designated size"), totals["above"] or 0, "graph-up-arrow"),
        Kpi(_("Industries covered"), len(rows), "diagram-3"),
    ]
    top, rest = rows[:CHART_TOP_INDUSTRIES], rows[CHART_TOP_INDUSTRIES:]
    items = [
        {
            "name": r["industry__name"],
            "value": r["n"],
            "url": f"{list_url}?industry={r['industry_id']}" if list_url else "",
        }
        for r in top
    ]
    if rest:
        items.append({"name": str(_("Other")), "value": sum(r["n"] for r in rest), "url": ""})
    chart = {
        "kind": "bar",
        "title": str(_("Enterprises by industry")),
        "series": str(_("Enterprises")),
        "items": items,
    }
    return HomeData(kind="business", kpis=kpis, chart=chart if items else None)


def _shortcuts(roles: frozenset[str], entries: Sequence[FunctionEntry]) -> list[Shortcut]:
    out = []
    for label, description, url_name, icon in entries:
        url = _reachable(url_name, roles)
        if url:
            out.append(Shortcut(label, description, url, icon))
    return out


def home_data(user: User) -> HomeData:
    """The landing page for ``user``: figures for government roles, own functions for the 三员."""
    roles = user.role_codes
    if user.admin_role:
        entries = ADMIN_FUNCTIONS.get(user.admin_role, [])
        return HomeData(kind="admin", shortcuts=_shortcuts(roles, entries))
    if roles & {r.value for r in GOVERNMENT_ROLES}:
        return _business(user, roles)
    # Enterprise and talent portal users: their own pages arrive with the portal; until then
    # the panel offers what exists for their role.
    entries = [entry for role, items in PORTAL_FUNCTIONS.items() if role in roles for entry in items]
    return HomeData(kind="portal", shortcuts=_shortcuts(roles, entries))
