"""The visit list's parameters, read the same way by the page and the API: ``group`` (a
service group code), ``enterprise`` (an id), ``quarter`` (``YYYY-Qn``), ``page``,
``page_size``. Bad values are refused naming the parameter (``InvalidInput``), never a 500."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhaoyin.core.listparams import ParamErrors, first_param, parse_paging, positive_int
from zhaoyin.visits.models import Visit
from zhaoyin.visits.selectors import quarter_bounds

QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
PARAMS = ("group", "enterprise", "quarter", "page", "page_size")


@dataclass(frozen=True)
class VisitFilter:
    group: str = ""
    enterprise: int | None = None
    quarter: tuple[int, int] | None = None
    page: int = 1
    page_size: int = 50


def parse_quarter(text: str) -> tuple[int, int] | None:
    match = QUARTER_RE.match(text.strip())
    if match is None:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    return (year, quarter) if 2000 <= year <= 2100 else None


def visit_filter_parse(params: Mapping[str, Any]) -> VisitFilter:
    """The filter a request asks for; raises ``InvalidInput`` naming each bad parameter."""
    errors = ParamErrors()
    raw = {name: first_param(params, name) for name in PARAMS}
    enterprise = None
    if raw["enterprise"]:
        enterprise = positive_int(raw["enterprise"])
        if enterprise is None:
            errors.fail("enterprise", _("Enter an enterprise id."))
    quarter = None
    if raw["quarter"]:
        quarter = parse_quarter(raw["quarter"])
        if quarter is None:
            errors.fail("quarter", _("Enter a quarter as YYYY-Qn, e.g. 2026-Q3."))
    group = raw["group"]
    if len(group) > 40:
        errors.fail("group", _("Unknown service group."))
    page, page_size = parse_paging({k: raw[k] for k in ("page", "page_size")}, errors)
    errors.raise_if_any()
    return VisitFilter(group=group, enterprise=enterprise, quarter=quarter, page=page, page_size=page_size)


def visit_filter_apply(qs: QuerySet[Visit], flt: VisitFilter) -> QuerySet[Visit]:
    if flt.group:
        qs = qs.filter(group__code=flt.group)
    if flt.enterprise is not None:
        qs = qs.filter(enterprise_id=flt.enterprise)
    if flt.quarter is not None:
        start, end = quarter_bounds(*flt.quarter)
        qs = qs.filter(visited_on__gte=start, visited_on__lte=end)
    return qs.order_by("-visited_on", "-pk")


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
