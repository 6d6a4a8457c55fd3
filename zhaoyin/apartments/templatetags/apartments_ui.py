"""Template helpers of the apartment pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def position_of(positions: dict[int, int], pk: int) -> str:
    """An application's place on the waitlist, or '' when it is not waiting."""
    place = positions.get(pk)
    return "" if place is None else str(place)
