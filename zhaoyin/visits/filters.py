"""The visit list's filters, declared once (``core.filtering``) for the page and the API:
``group`` (a service group code), ``enterprise`` (an id), ``quarter`` (``YYYY-Qn``), paging;
newest visit first."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.core.filtering import Filter, FilterSet, Integer, Text
from zhaoyin.matters import clocks
from zhaoyin.visits import selectors

QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


def parse_quarter(text: str) -> tuple[int, int] | None:
    match = QUARTER_RE.match(text.strip())
    if match is None:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    return (year, quarter) if 2000 <= year <= 2100 else None


def recent_quarters(today: dt.date, n: int = 8) -> list[str]:
    """The last ``n`` quarters as ``YYYY-Qn``, newest first (the filter bar's choices)."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _i in range(n):
        out.append(f"{year}-Q{quarter}")
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return out


class Quarter(Filter[tuple[int, int] | None]):
    """A calendar quarter (``2026-Q3``): the visits made in it."""

    empty = None

    def clean(self, text: str) -> tuple[int, int] | None:
        quarter = parse_quarter(text)
        if quarter is None:
            raise ValueError(_("Enter a quarter as YYYY-Qn, e.g. 2026-Q3."))
        return quarter

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\s*(?:20\d\d|2100)-Q[1-4]\s*$", "description": self.doc}


def _in_quarter(quarter: tuple[int, int] | None) -> Q:
    start, end = selectors.quarter_bounds(*quarter) if quarter is not None else (None, None)
    return Q(visited_on__gte=start, visited_on__lte=end)


def _group_options(user: Any) -> list[tuple[str, str]]:
    return [(g.code, g.name) for g in selectors.group_list_visible_to(user)]


class VisitFilter(FilterSet):
    """Visits: service group, enterprise, quarter."""

    group = Text(
        max_length=40,
        message=gettext_lazy("Unknown service group."),
        column="group__code",
        label=gettext_lazy("Service group"),
        blank=gettext_lazy("All groups"),
        options=_group_options,
        min_options=0,  # the page lays the box out itself: it is always there
        doc="Service group code",
    )
    enterprise = Integer(
        message=gettext_lazy("Enter an enterprise id."),
        column="enterprise_id",
        label=gettext_lazy("Enterprise id"),
        hidden=True,
        doc="Enterprise id",
    )
    quarter = Quarter(
        where=_in_quarter,
        label=gettext_lazy("Quarter"),
        blank=gettext_lazy("All quarters"),
        options=lambda user: [(q, q) for q in recent_quarters(clocks.today())],
        doc="YYYY-Qn",
    )
    order = ("-visited_on", "-pk")


__all__ = ["Quarter", "VisitFilter", "parse_quarter", "recent_quarters"]
