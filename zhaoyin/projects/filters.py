"""Filtering, sorting and paging of project lists — one parser shared by the list page, the
Excel export and the API list, so a querystring means the same on every channel.

``project_filter_parse`` turns raw parameters (``request.GET`` or the API's query) into a
``ProjectFilter`` or raises ``InvalidInput`` naming every bad parameter (the page shows the
messages with 400, the API answers 422). ``project_filter_apply`` narrows a queryset the
caller has already scoped with ``selectors.project_list_visible_to`` — scope first, then
filter: a filter can only narrow what the user may see (AC-03).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
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
    read_params,
)
from zhaoyin.core.search import search_fold
from zhaoyin.core.validation import MAX_DECIMAL, clean_decimal
from zhaoyin.enterprises.models import Industry
from zhaoyin.enterprises.selectors import industry_by_code_or_id
from zhaoyin.projects.choices import AlertLevel, AttractionMethod, SourceRegion, Stage
from zhaoyin.projects.models import Project

#: The parameters the filter understands.
FILTER_PARAMS = (
    "q",
    "org_unit",
    "industry",
    "stage",
    "source_region",
    "attraction_method",
    "alert",
    "min_investment",
    "max_investment",
    "sort",
)

#: Allowed sort keys → the column; ``-key`` sorts descending, ``id`` breaks ties.
SORT_COLUMNS: dict[str, str] = {
    "code": "code",
    "name": "name",
    "total_investment_wan": "total_investment_wan",
    "stage_on": "stage_on",
    "updated_at": "updated_at",
}
DEFAULT_SORT = "-updated_at"
NULLABLE_SORTS = frozenset({"stage_on"})


@dataclass(frozen=True)
class ProjectFilter:
    """A parsed, validated project list request: filters, order and page."""

    q: str = ""
    terms: tuple[str, ...] = ()
    org_unit: OrgUnit | None = None
    industry: Industry | None = None
    stage: str = ""
    source_region: str = ""
    attraction_method: str = ""
    alert: str = ""
    min_investment: Decimal | None = None
    max_investment: Decimal | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    #: The raw filter parameters as given (minus paging), for links and the export's audit.
    params: dict[str, str] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        """True when any filter (not just an order or a page) narrows the list."""
        return bool(
            self.terms
            or self.org_unit
            or self.industry
            or self.stage
            or self.source_region
            or self.attraction_method
            or self.alert
            or self.min_investment is not None
            or self.max_investment is not None
        )


def project_filter_parse(params: Mapping[str, Any]) -> ProjectFilter:
    """Validate list parameters; raise ``InvalidInput`` naming every bad one.

    ``q`` (substrings of code, name, investor; several words must all occur), ``org_unit``
    (code; includes its descendants), ``industry`` (code or id), ``stage``, ``source_region``,
    ``attraction_method``, ``alert`` (the stored 红黄绿 light: green, yellow, red) (codes),
    ``min_investment``/``max_investment`` (万元, inclusive),
    ``sort`` (see ``SORT_COLUMNS``, ``-`` for descending), ``page`` (≥ 1), ``page_size``
    (1 … 200). Unknown parameters are ignored (pages carry others).
    """
    errors = ParamErrors()
    fail = errors.fail
    raw = read_params(params, (*FILTER_PARAMS, *PAGING_PARAMS))
    kept = {name: raw[name] for name in FILTER_PARAMS if raw[name]}
    q = raw["q"]
    terms = parse_terms(q, errors, search_fold)

    org_unit = None
    if raw["org_unit"]:
        org_unit = org_unit_by_code(raw["org_unit"])
        if org_unit is None:
            fail("org_unit", _("Unknown org unit code."))

    industry = None
    if raw["industry"]:
        industry = industry_by_code_or_id(raw["industry"])
        if industry is None:
            fail("industry", _("Unknown industry."))

    for name, values in (
        ("stage", Stage.values),
        ("source_region", SourceRegion.values),
        ("attraction_method", AttractionMethod.values),
        ("alert", AlertLevel.values),
    ):
        if raw[name] and raw[name] not in values:
            fail(name, _("Choose one of: %(values)s.") % {"values": ", ".join(values)})

    bounds: dict[str, Decimal | None] = {"min_investment": None, "max_investment": None}
    for name in bounds:
        if raw[name]:
            try:
                bounds[name] = clean_decimal(raw[name], maximum=MAX_DECIMAL)
            except ValueError as exc:
                fail(name, str(exc))
    low, high = bounds["min_investment"], bounds["max_investment"]
    if low is not None and high is not None and low > high:
        fail("max_investment", _("The maximum must not be below the minimum."))

    sort = parse_sort(raw["sort"], SORT_COLUMNS, DEFAULT_SORT, errors)
    page, page_size = parse_paging(raw, errors)
    errors.raise_if_any()
    return ProjectFilter(
        q=q,
        terms=terms,
        org_unit=org_unit,
        industry=industry,
        stage=raw["stage"],
        source_region=raw["source_region"],
        attraction_method=raw["attraction_method"],
        alert=raw["alert"],
        min_investment=low,
        max_investment=high,
        sort=sort,
        page=page,
        page_size=page_size,
        params=kept,
    )


def project_filter_apply(qs: QuerySet[Project], flt: ProjectFilter) -> QuerySet[Project]:
    """Narrow an already scoped queryset by ``flt`` and put it in ``flt``'s order.

    The search is a plain ``contains`` on the folded ``search_text`` column (the services
    fill it from code, name and investor), which finds Chinese substrings on every database.
    """
    for term in flt.terms:
        qs = qs.filter(search_text__contains=term)
    if flt.org_unit is not None:
        qs = qs.filter(flt.org_unit.descendants_q("org_unit"))
    if flt.industry is not None:
        qs = qs.filter(industry=flt.industry)
    if flt.stage:
        qs = qs.filter(stage=flt.stage)
    if flt.source_region:
        qs = qs.filter(source_region=flt.source_region)
    if flt.attraction_method:
        qs = qs.filter(attraction_method=flt.attraction_method)
    if flt.alert:
        qs = qs.filter(alert_level=flt.alert)
    if flt.min_investment is not None:
        qs = qs.filter(total_investment_wan__gte=flt.min_investment)
    if flt.max_investment is not None:
        qs = qs.filter(total_investment_wan__lte=flt.max_investment)
    return qs.order_by(*ordering(flt.sort, SORT_COLUMNS, NULLABLE_SORTS))
