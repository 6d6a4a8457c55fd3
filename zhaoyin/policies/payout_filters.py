"""Filtering and paging of the payout ledger — one parser for the page, the Excel export and
the API list, so a querystring means the same on every channel.

``payout_filter_parse`` turns raw parameters into a ``PayoutFilter`` or raises
``InvalidInput`` naming every bad parameter (the page answers 400, the API 422);
``payout_filter_apply`` narrows a queryset already scoped by
``payout_selectors.payout_list_visible_to`` — scope first, then filter (AC-03).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.accounts.selectors import org_unit_by_code
from zhaoyin.core.listparams import (
    DEFAULT_PAGE_SIZE,
    PAGING_PARAMS,
    ParamErrors,
    ordering,
    parse_paging,
    parse_sort,
    parse_terms,
    positive_int,
    read_params,
)
from zhaoyin.core.search import search_fold
from zhaoyin.enterprises.models import Industry
from zhaoyin.enterprises.selectors import industry_by_code_or_id
from zhaoyin.policies.models import Payout, PayoutStatus
from zhaoyin.policies.payouts import YEAR_MAX, YEAR_MIN, clean_period

FILTER_PARAMS = ("q", "policy", "enterprise", "unit", "industry", "status", "period", "year", "sort")

SORT_COLUMNS: dict[str, str] = {
    "period": "period",
    "amount_wan": "amount_wan",
    "registered_at": "registered_at",
}
DEFAULT_SORT = "-registered_at"


@dataclass(frozen=True)
class PayoutFilter:
    """A parsed ledger request: filters, order and page."""

    terms: tuple[str, ...] = ()
    policy: int | None = None
    enterprise: int | None = None
    unit: OrgUnit | None = None
    industry: Industry | None = None
    status: str = ""
    period: str = ""
    year: int | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    #: The filter parameters as given (minus paging), for links and the export's audit.
    params: dict[str, str] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.terms
            or self.policy
            or self.enterprise
            or self.unit
            or self.industry
            or self.status
            or self.period
            or self.year
        )


def payout_filter_parse(params: Mapping[str, Any]) -> PayoutFilter:
    """Validate ledger parameters; raise ``InvalidInput`` naming every bad one.

    ``q`` (enterprise name or credit code), ``policy`` and ``enterprise`` (ids), ``unit``
    (org unit code, with the units below it), ``industry`` (code or id), ``status``
    (pending, approved, rejected), ``period`` (exactly ``2025``, ``2025-Q1`` or
    ``2025-01``), ``year`` (every period of that year), ``sort`` (period, amount_wan,
    registered_at; ``-`` descending), ``page``, ``page_size``. Unknown parameters are ignored.
    """
    errors = ParamErrors()
    fail = errors.fail
    raw = read_params(params, (*FILTER_PARAMS, *PAGING_PARAMS))
    kept = {name: raw[name] for name in FILTER_PARAMS if raw[name]}
    terms = parse_terms(raw["q"], errors, search_fold)

    ids: dict[str, int | None] = {"policy": None, "enterprise": None}
    for name in ids:
        if raw[name]:
            number = positive_int(raw[name])
            if number is None or number < 1:
                fail(name, _("Must be an id (a whole number)."))
            else:
                ids[name] = number

    unit = None
    if raw["unit"]:
        unit = org_unit_by_code(raw["unit"])
        if unit is None:
            fail("unit", _("Unknown org unit code."))
    industry = None
    if raw["industry"]:
        industry = industry_by_code_or_id(raw["industry"])
        if industry is None:
            fail("industry", _("Unknown industry."))
    if raw["status"] and raw["status"] not in PayoutStatus.values:
        fail("status", _("Choose one of: %(values)s.") % {"values": ", ".join(PayoutStatus.values)})
    period = ""
    if raw["period"]:
        try:
            period = clean_period(raw["period"])
        except ValueError as exc:
            fail("period", str(exc))
    year = None
    if raw["year"]:
        number = positive_int(raw["year"])
        if number is None or not YEAR_MIN <= number <= YEAR_MAX:
            fail("year", _("Must be a year from %(low)d to %(high)d.") % {"low": YEAR_MIN, "high": YEAR_MAX})
        else:
            year = number
    sort = parse_sort(raw["sort"], SORT_COLUMNS, DEFAULT_SORT, errors)
    page, page_size = parse_paging(raw, errors)
    errors.raise_if_any()
    return PayoutFilter(
        terms=terms,
        policy=ids["policy"],
        enterprise=ids["enterprise"],
        unit=unit,
        industry=industry,
        status=raw["status"],
        period=period,
        year=year,
        sort=sort,
        page=page,
        page_size=page_size,
        params=kept,
    )


def payout_filter_apply(qs: QuerySet[Payout], flt: PayoutFilter) -> QuerySet[Payout]:
    """Narrow an already scoped queryset by ``flt`` and put it in ``flt``'s order."""
    for term in flt.terms:
        qs = qs.filter(enterprise__search_text__contains=term)
    if flt.policy is not None:
        qs = qs.filter(policy_id=flt.policy)
    if flt.enterprise is not None:
        qs = qs.filter(enterprise_id=flt.enterprise)
    if flt.unit is not None:
        qs = qs.filter(flt.unit.descendants_q("org_unit"))
    if flt.industry is not None:
        qs = qs.filter(industry=flt.industry)
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.period:
        qs = qs.filter(period=flt.period)
    if flt.year is not None:
        qs = qs.filter(period__startswith=str(flt.year))
    return qs.order_by(*ordering(flt.sort, SORT_COLUMNS))
