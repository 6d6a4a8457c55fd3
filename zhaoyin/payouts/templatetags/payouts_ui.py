"""Template tags of the payout ledger for other apps' pages: the enterprise profile's
"payouts" panel (the latest entries the viewer may see, and whether they may register one)."""

from __future__ import annotations

from typing import Any

from django import template

from zhaoyin.accounts.models import User
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.payouts.selectors import payouts_of_enterprise
from zhaoyin.payouts.services import can_register_for

register = template.Library()


@register.simple_tag(takes_context=True)
def enterprise_payouts(context: dict[str, Any], enterprise: Enterprise, limit: int = 8) -> dict[str, Any]:
    """``{"items": [...], "can_register": bool}`` for ``enterprise`` (already fetched through
    its scoped selector) as seen by the request's user: one query for the entries."""
    user = context["request"].user
    if not isinstance(user, User):
        return {"items": [], "can_register": False}
    return {
        "items": payouts_of_enterprise(user=user, enterprise_id=enterprise.pk, limit=limit),
        "can_register": can_register_for(user, enterprise),
    }
