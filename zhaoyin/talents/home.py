"""The talents' entries on the home page (registered with ``core.home``): KPI cards for the
roles that read talent records, and the portal user's own record (masked) on theirs. Counted
through the scoped selector in one query whatever the data size."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import User
from zhaoyin.core.home import HomePart, Kpi, PortalPanel, reachable
from zhaoyin.core.roles import Role
from zhaoyin.talents.models import Education
from zhaoyin.talents.selectors import READER_ROLES, own_talent, talent_list_visible_to


def home_part(user: User, roles: frozenset[str]) -> HomePart | None:
    """Talents in scope, doctorates, arrivals this year, recognized talents (one query)."""
    if not user.has_role(*(READER_ROLES - {Role.TALENT})):
        return None
    year = timezone.localdate().year
    totals = (
        talent_list_visible_to(user)
        .order_by()
        .aggregate(
            total=Count("id", filter=Q(status="active")),
            doctors=Count("id", filter=Q(status="active", education=Education.DOCTORATE)),
            arrived=Count("id", filter=Q(arrival_date__gte=dt.date(year, 1, 1))),
            recognized=Count("id", filter=Q(status="active") & ~Q(tier="")),
        )
    )
    url = reachable("talents:list", roles)
    return HomePart(
        kpis=[
            Kpi(_("Talents in scope"), totals["total"] or 0, "person-badge", url),
            Kpi(_("Doctorates"), totals["doctors"] or 0, "mortarboard", f"{url}?education=doctorate" if url else ""),
            Kpi(_("Arrivals this year"), totals["arrived"] or 0, "airplane"),
            Kpi(_("Recognized talents"), totals["recognized"] or 0, "award"),
        ]
    )


def portal_panels(user: User, roles: frozenset[str]) -> list[PortalPanel]:
    """The talent user's own record, masked (nothing for anyone else)."""
    if Role.TALENT.value not in roles:
        return []
    talent = own_talent(user)
    return [
        PortalPanel(
            title=_("My record"),
            template="talents/_home_record.html",
            context={"talent": talent},
            url=reachable("talents:mine", roles),
        )
    ]
