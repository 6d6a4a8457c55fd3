"""Navigation: the menu a user sees is derived from the same rules that guard the views,
so there are no links to pages the user cannot open (and no dead links)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.functional import Promise

from zhaoyin.core.authz import rule_of, user_roles


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str


#: Top-level menu. Each app adds its entry here when its pages exist.
NAV: list[NavItem] = [
    NavItem(_("Home"), "core:home", "house"),
    NavItem(_("Enterprises"), "enterprises:list", "buildings"),
    NavItem(_("Working-day calendar"), "workcalendar:index", "calendar3"),
    NavItem(_("Users"), "accounts:user_list", "people"),
    NavItem(_("Audit log"), "audit:list", "journal-text"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    roles = user_roles(request)
    if not roles:
        return {"nav_items": []}
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
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return {"nav_items": items}
