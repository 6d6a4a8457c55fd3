"""Template helpers of the visit pages: a coverage share as a percentage with its colour, and
the "visits" section of an enterprise's page (``{% enterprise_visits enterprise %}``), so the
enterprise app's view needs no change to show it."""

from __future__ import annotations

from typing import Any

from django import template

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import member_group_ids
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matters.selectors import matter_list_visible_to
from zhaoyin.visits import selectors

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """0.857 → "85.7%"; None (no enterprise assigned) → "—"."""
    return "—" if share is None else f"{share * 100:.1f}%"


@register.filter
def share_class(share: float | None) -> str:
    """Bootstrap text colour of a share: green from 80 %, amber from 50 %, else red."""
    if share is None:
        return "text-body-secondary"
    if share >= 0.8:
        return "text-success"
    return "text-warning-emphasis" if share >= 0.5 else "text-danger"


@register.inclusion_tag("visits/_enterprise_visits.html", takes_context=True)
def enterprise_visits(context: dict[str, Any], enterprise: Enterprise) -> dict[str, Any]:
    """The enterprise's latest visits and the follow-up of their demands' matters (state and
    deadline of each; a link where the user may open the matter)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.has_role(*selectors.READER_ROLES):
        return {"shown": False}
    visits = selectors.enterprise_visits(user=user, enterprise=enterprise)
    matter_ids = [d.matter_id for v in visits for d in v.demands.all()]
    openable = set(matter_list_visible_to(user).filter(pk__in=matter_ids).values_list("pk", flat=True)) \
        if matter_ids else set()
    may_record = enterprise.service_group_id in member_group_ids(user)
    return {
        "shown": True,
        "enterprise": enterprise,
        "visits": visits,
        "openable": openable,
        "may_record": may_record,
    }
