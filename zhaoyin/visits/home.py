"""The service member's part of the home page (issue 16 item 4): a 记录走访 button and the
firms of their groups not yet visited this quarter, read through the scoped selector."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from zhaoyin.core.home import HomePart, PortalPanel, reachable
from zhaoyin.core.roles import Role
from zhaoyin.matters.clocks import today
from zhaoyin.visits.selectors import member_not_visited

if TYPE_CHECKING:
    from zhaoyin.accounts.models import User


def home_part(user: User, roles: frozenset[str]) -> HomePart | None:
    """A service member's panel; nothing for other roles (their home has no visits to do)."""
    if Role.SERVICE_MEMBER not in roles:
        return None
    todo = member_not_visited(user=user, today=today())
    context = {
        "todo": todo,
        "create_url": reachable("visits:visit_create", roles),
        "coverage_url": reachable("visits:coverage", roles),
    }
    title = _("Enterprises not yet visited this quarter")
    panel = PortalPanel(title, "visits/_home_member.html", context, reachable("visits:visit_list", roles))
    return HomePart(panels=[panel])
