"""Number formats of the target pages: ratios as percentages, actuals with fixed places."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def ratio_percent(value: Any) -> str:
    """0.7741 → "77.41%" (None → "—")."""
    if value is None or value == "":
        return "—"
    percent = (Decimal(value) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{percent}%"


@register.filter
def actual_places(value: Any, places: int) -> str:
    """A Decimal rounded half-up to ``places`` decimals, as text."""
    if value is None or value == "":
        return "—"
    return str(Decimal(value).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP))
