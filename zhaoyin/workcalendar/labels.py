"""Display names for the calendar engine's holiday keys and day kinds (the engine is pure and
does not translate)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhaoyin.lib import statutory
from zhaoyin.lib.workdays import DayKind

HOLIDAY_LABELS: dict[str, Any] = {
    statutory.NEW_YEAR: _("New Year's Day"),
    statutory.SPRING_FESTIVAL: _("Spring Festival"),
    statutory.TOMB_SWEEPING: _("Tomb-sweeping Day"),
    statutory.LABOUR_DAY: _("Labour Day"),
    statutory.DRAGON_BOAT: _("Dragon Boat Festival"),
    statutory.MID_AUTUMN: _("Mid-autumn Festival"),
    statutory.NATIONAL_DAY: _("National Day"),
    statutory.SPECIAL: _("Special holiday"),
}

DAY_KIND_LABELS: dict[str, Any] = {
    DayKind.WORKDAY: _("Working day"),
    DayKind.REST: _("Weekend"),
    DayKind.HOLIDAY: _("Holiday"),
    DayKind.MAKEUP: _("Make-up working day"),
}


def holiday_label(key: str | None) -> str:
    """The translated name of a holiday key ('' for None)."""
    if not key:
        return ""
    return str(HOLIDAY_LABELS.get(key, key))
