"""Navigation: the menu a user sees is derived from the same rules that guard the views,
so there are no links to pages the user cannot open (and no dead links)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.authz import rule_of, user_roles
from zhaoyin.core.roles import Role

#: How each role is named on screen (the codes stay English in the API and the CLI).
ROLE_LABELS: dict[str, str | Promise] = {
    Role.CITY_ADMIN: _("City administrator"),
    Role.LEADER: _("Leader"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.UNIT_ADMIN: _("Unit administrator"),
    Role.STAFF: _("Staff"),
    Role.SERVICE_MEMBER: _("Service group member"),
    Role.ENTERPRISE: _("Enterprise user"),
    Role.TALENT: _("Talent user"),
    Role.TALENT_OFFICE: _("Talent office"),
    Role.MU_OFFICE: _("Land-efficiency office"),
    Role.SYSADMIN: _("System administrator"),
    Role.SECURITY_ADMIN: _("Security administrator"),
    Role.AUDITOR: _("Security auditor"),
}


def role_labels(codes: frozenset[str]) -> list[str | Promise]:
    """Display names of ``codes`` in the fixed order of the Role enum."""
    return [ROLE_LABELS[r] for r in Role if r.value in codes]


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    #: Dotted path of ``f(user) -> int`` shown as a badge when not 0 (imported when first used,
    #: so the kernel does not import the apps).
    badge: str = ""
    #: What the badge counts: "unread" notifications or "todo" items (its tooltip).
    badge_kind: str = "unread"


#: Top-level menu. Each app adds its entry here when its pages exist.
NAV: list[NavItem] = [
    NavItem(_("Home"), "core:home", "house"),
    NavItem(_("My to-do"), "core:todo", "list-check", badge="zhaoyin.core.todo.todo_count", badge_kind="todo"),
    NavItem(_("Inbox"), "notifications:inbox", "bell", badge="zhaoyin.notifications.selectors.unread_count"),
    NavItem(_("Cockpit"), "cockpit:index", "speedometer2"),
    NavItem(_("Enterprises"), "enterprises:list", "buildings"),
    NavItem(_("Talents"), "talents:list", "person-badge"),
    NavItem(_("My record"), "talents:mine", "person-vcard"),
    NavItem(_("Investment projects"), "projects:list", "kanban"),
    NavItem(_("Assigned matters"), "matters:list", "clipboard-check"),
    NavItem(_("My demands"), "matters:talent_demands", "chat-square-text"),
    NavItem(_("Project catalog"), "catalog:item_list", "book"),
    NavItem(_("Enterprise visits"), "visits:visit_list", "geo-alt"),
    NavItem(_("Policies"), "policies:list", "award"),
    NavItem(_("My policies"), "policy_matching:mine", "award"),
    NavItem(_("Policy payouts"), "payouts:list", "cash-coin"),
    NavItem(_("My subsidies"), "payouts:mine", "cash-stack"),
    # 我的兑现 (issue 15): an enterprise's benefits, its 意愿确认 and 已到账.
    NavItem(_("My benefits"), "payouts:benefits", "cash-stack"),
    NavItem(_("Talent recognition"), "recognition:list", "person-check"),
    NavItem(_("My recognition"), "recognition:mine", "person-check"),
    # 亩均论英雄 (issue 14): the overview, the runs, the schemes, the bureaus' figures; a firm
    # its own results.
    NavItem(_("Land-efficiency evaluation"), "mujun:overview", "bar-chart-line"),
    NavItem(_("Evaluation runs"), "mujun:run_list", "list-ol"),
    NavItem(_("Evaluation schemes"), "mujun:scheme_list", "journal-text"),
    NavItem(_("Land-efficiency inputs"), "mujun:inputs", "database"),
    NavItem(_("My evaluation results"), "mujun:mine", "bar-chart-line"),
    NavItem(_("My talent projects"), "talentprojects:mine", "award"),
    NavItem(_("Talent apartments"), "apartments:buildings", "house-door"),
    NavItem(_("My apartment"), "apartments:portal", "house-heart"),
    NavItem(_("Subsidy applications"), "payouts:application_list", "send-check"),
    NavItem(_("My subsidy applications"), "payouts:application_mine", "send-check"),
    NavItem(_("Targets and progress"), "targets:progress", "bullseye"),
    NavItem(_("Working-day calendar"), "workcalendar:index", "calendar3"),
    NavItem(_("Users"), "accounts:user_list", "people"),
    NavItem(_("Audit log"), "audit:list", "journal-text"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu the user may open, and the roles shown beside the user's name in the top bar."""
    roles = user_roles(request)
    if not roles:
        return {"nav_items": [], "user_role_labels": []}
    items = []
    current = request.path
    for item in NAV:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        rule = rule_of(resolve(url).func)
        if rule is None or not rule.allows(roles):
            continue
        active = current == url if url == "/" else current.startswith(url)
        badge = import_string(item.badge)(request.user) if item.badge else 0
        items.append(
            {"label": item.label, "url": url, "icon": item.icon, "active": active, "badge": badge,
             "badge_kind": item.badge_kind}
        )
    return {"nav_items": items, "user_role_labels": role_labels(roles)}
