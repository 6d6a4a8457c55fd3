"""What the home page shows each user: the to-do list first, then read-only figures.

A selector module (style.md 3.4): it only reads. Business roles' pages lead with 我的待办
(zhaoyin.core.todo), then the KPI cards and chart the apps contribute through ``register``
(from their ``AppConfig.ready``: the kernel imports no app, and each app counts through its own
scoped selectors); the 三员 get their own functions only. A fixed number of queries whatever
the data size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.authz import rule_of
from zhaoyin.core.roles import GOVERNMENT_ROLES, Role
from zhaoyin.core.todo import TodoList, todo_for

if TYPE_CHECKING:
    from zhaoyin.accounts.models import User

#: How many to-do items the home page lists (the page /todo/ has them all).
HOME_TODO_ITEMS = 8


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
    #: 我的待办 (business and portal users): the page leads with it.
    todo: TodoList | None = None
    kpis: list[Kpi] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    #: The chart panel's title and empty message, even when there is nothing to draw.
    chart_panel: dict[str, Any] | None = None
    shortcuts: list[Shortcut] = field(default_factory=list)
    #: Portal users: panels of their own data the apps contribute (``register_portal``).
    panels: list[PortalPanel] = field(default_factory=list)


@dataclass(frozen=True)
class PortalPanel:
    """A panel of a portal user's own data on the home page: a title and a template rendered
    with ``context`` (as ``data``)."""

    title: str | Promise
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    url: str = ""


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
        (_("My benefits"), _("Policy benefits granted to your enterprise: confirm a no-application one, "
                             "follow its public notice and payment."), "payouts:benefits", "cash-stack"),
    ],
    Role.TALENT: [
        (_("My record"), _("Your talent record as the city keeps it."), "talents:mine", "person-vcard"),
        (_("My talent projects"), _("Apply in an open round of a talent programme and follow your applications."),
         "talentprojects:mine", "award"),
        (_("My subsidies"), _("Your subsidies: scheduled, granted, in public notice and paid."), "payouts:mine",
         "cash-stack"),
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


#: An app's contribution to the business home page: ``f(user, roles)`` → its part (or None).
HomeContribution = Callable[["User", frozenset[str]], "HomePart | None"]


@dataclass(frozen=True)
class HomePart:
    """What one app puts on a business home page: KPI cards and at most one chart (a dict with
    ``kind``, ``title``, ``series`` and ``items``, read by static/js/charts.js)."""

    kpis: list[Kpi] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    #: Panels shown between the to-do list and the cards (a service member's visits to make).
    panels: list[PortalPanel] = field(default_factory=list)


_CONTRIBUTIONS: dict[str, tuple[int, HomeContribution]] = {}


def register(name: str, contribution: HomeContribution, *, order: int = 100) -> None:
    """Add an app's home-page entries (from its ``AppConfig.ready``; the kernel imports no
    app). Lower ``order`` comes first; registering ``name`` again replaces it."""
    _CONTRIBUTIONS[name] = (order, contribution)


#: An app's panels on a portal user's home page: ``f(user, roles)`` → its panels (maybe none).
PortalContribution = Callable[["User", frozenset[str]], "list[PortalPanel]"]
_PORTAL_CONTRIBUTIONS: dict[str, tuple[int, PortalContribution]] = {}


def register_portal(name: str, contribution: PortalContribution, *, order: int = 100) -> None:
    """Add an app's panels to the portal users' home page (from its ``AppConfig.ready``)."""
    _PORTAL_CONTRIBUTIONS[name] = (order, contribution)


def reachable(url_name: str, roles: frozenset[str], query: str = "") -> str:
    """The URL of ``url_name`` when ``roles`` may open it, else ``""`` (for contributions)."""
    return _reachable(url_name, roles, query)


def _business(user: User, roles: frozenset[str]) -> HomeData:
    data = HomeData(kind="business", todo=todo_for(user, limit=HOME_TODO_ITEMS, tracked=False))
    for _order, contribution in sorted(_CONTRIBUTIONS.values(), key=lambda entry: entry[0]):
        part = contribution(user, roles)
        if part is None:
            continue
        data.kpis += part.kpis
        data.panels += part.panels
        if data.chart_panel is None and part.chart is not None:
            # The first chart offered takes the panel; drawn only when it has bars.
            data.chart_panel = part.chart
            data.chart = part.chart if part.chart.get("items") else None
    return data


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
    if user.has_role(*GOVERNMENT_ROLES, Role.TALENT_OFFICE):
        return _business(user, roles)
    # Enterprise and talent portal users: their own pages arrive with the portal; until then
    # the panel offers what exists for their role.
    entries = [entry for role, items in PORTAL_FUNCTIONS.items() if role in roles for entry in items]
    panels = [
        panel
        for _order, contribution in sorted(_PORTAL_CONTRIBUTIONS.values(), key=lambda entry: entry[0])
        for panel in contribution(user, roles)
    ]
    return HomeData(
        kind="portal", shortcuts=_shortcuts(roles, entries), todo=todo_for(user, limit=HOME_TODO_ITEMS, tracked=False),
        panels=panels,
    )
