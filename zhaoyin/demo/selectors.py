"""Reads for the demo: the year it was loaded into."""

from __future__ import annotations

from zhaoyin.demo.models import DemoYear


def demo_year() -> int | None:
    """The year the demo was most recently loaded into, or None when it never was."""
    row = DemoYear.objects.order_by("-loaded_at", "-id").first()
    return row.year if row is not None else None
