"""Filtering, sorting and paging of enterprise lists — one parser shared by the list page, the
API list and the Excel export, so a querystring means the same on every channel.

``enterprise_filter_parse`` turns raw parameters (``request.GET`` or the API's query) into an
``EnterpriseFilter`` or raises ``InvalidInput`` naming every bad parameter; the page shows the
messages, the API answers 422, nothing ever becomes a 500. ``enterprise_filter_apply`` narrows
a queryset that the caller has already scoped with the selectors (scope first, then filter:
a filter can only ever narrow what the user may see, AC-03).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
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
from zhaoyin.enterprises.models import Enterprise, Industry, Qualification, SizeClass
from zhaoyin.enterprises.selectors import industry_by_code_or_id

#: The parameters the filter understands, in the order they appear in a querystring.
FILTER_PARAMS = ("q", "org_unit", "industry", "size_class", "qualification", "service_group", "sort")

#: Allowed sort keys → the column. Ascending and descending (``-key``) are both allowed;
#: ``id`` breaks ties so that paging is stable.
SORT_COLUMNS: dict[str, str] = {
    "name": "name",
    "founded_on": "founded_on",
    "employees": "employees",
    "land_mu": "land_mu",
    "updated_at": "updated_at",
}
DEFAULT_SORT = "name"
SORT_LABELS: dict[str, Promise] = {
    "name": gettext_lazy("name"),
    "founded_on": gettext_lazy("founding date"),
    "employees": gettext_lazy("employees"),
    "land_mu": gettext_lazy("land area"),
    "updated_at": gettext_lazy("last change"),
}


@dataclass(frozen=True)
class EnterpriseFilter:
    """A parsed, validated enterprise list request: filters, order and page."""

    q: str = ""
    terms: tuple[str, ...] = ()
    org_unit: OrgUnit | None = None
    industry: Industry | None = None
    size_class: str = ""
    qualification: Qualification | None = None
    service_group: OrgUnit | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    #: The raw filter parameters as given (minus paging), for links and the export.
    params: dict[str, str] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        """True when any filter (not just an order or a page) narrows the list."""
        return bool(
            self.terms or self.org_unit or self.industry or self.size_class or self.qualification or self.service_group
        )

    def describe(self) -> str:
        """The filter as ``key=value`` pairs, for audit records of exports."""
        return " ".join(f"{k}={v}" for k, v in self.params.items() if k != "sort")


def enterprise_filter_parse(params: Mapping[str, Any]) -> EnterpriseFilter:
    """Validate list parameters; raise ``InvalidInput`` naming every bad one.

    Parameters: ``q`` (Chinese substring over name, USCC, legal representative, address; several
    words must all occur), ``org_unit`` (code; includes its descendants), ``industry`` (id or
    code), ``size_class`` (``above``/``below``), ``qualification`` (id), ``service_group``
    (code), ``sort`` (see ``SORT_COLUMNS``, ``-`` for descending), ``page`` (≥ 1),
    ``page_size`` (1 … 200, default 50). Unknown parameters are ignored (pages carry others).
    Each filter resolves its dictionary entry with one query, so the cost is constant.
    """
    errors = ParamErrors()
    raw = read_params(params, (*FILTER_PARAMS, *PAGING_PARAMS))
    kept = {name: raw[name] for name in FILTER_PARAMS if raw[name]}
    q = raw["q"]
    terms = parse_terms(q, errors, search_fold)

    org_unit = None
    if raw["org_unit"]:
        org_unit = org_unit_by_code(raw["org_unit"])
        if org_unit is None:
            errors.fail("org_unit", _("Unknown org unit code."))

    industry = None
    if raw["industry"]:
        industry = industry_by_code_or_id(raw["industry"])
        if industry is None:
            errors.fail("industry", _("Unknown industry."))

    size_class = raw["size_class"]
    if size_class and size_class not in SizeClass.values:
        errors.fail("size_class", _("Size class must be “above” or “below”."))

    qualification = None
    if raw["qualification"]:
        number = positive_int(raw["qualification"])
        qualification = Qualification.objects.filter(pk=number).first() if number is not None else None
        if qualification is None:
            errors.fail("qualification", _("Unknown qualification."))

    service_group = None
    if raw["service_group"]:
        service_group = org_unit_by_code(raw["service_group"])
        if service_group is None or service_group.kind != OrgUnitKind.SERVICE_GROUP:
            errors.fail("service_group", _("Unknown service group code."))

    sort = parse_sort(raw["sort"], SORT_COLUMNS, DEFAULT_SORT, errors)
    page, page_size = parse_paging(raw, errors)
    errors.raise_if_any()
    return EnterpriseFilter(
        q=q,
        terms=terms,
        org_unit=org_unit,
        industry=industry,
        size_class=size_class,
        qualification=qualification,
        service_group=service_group,
        sort=sort,
        page=page,
        page_size=page_size,
        params=kept,
    )


#: Sort keys whose column may be empty; the others are NOT NULL.
NULLABLE_SORTS = frozenset({"founded_on", "employees", "land_mu"})


def enterprise_filter_apply(qs: QuerySet[Enterprise], flt: EnterpriseFilter) -> QuerySet[Enterprise]:
    """Narrow an already scoped queryset by ``flt`` and put it in ``flt``'s order.

    The search uses ``contains`` on the folded ``search_text`` column: a plain LIKE that
    finds Chinese substrings of any length (2-character terms included) on SQLite and
    PostgreSQL alike; ``icontains`` would wrap the column in UPPER() and defeat its index.
    """
    for term in flt.terms:
        qs = qs.filter(search_text__contains=term)
    if flt.org_unit is not None:
        qs = qs.filter(flt.org_unit.descendants_q("org_unit"))
    if flt.industry is not None:
        qs = qs.filter(industry=flt.industry)
    if flt.size_class:
        qs = qs.filter(size_class=flt.size_class)
    if flt.qualification is not None:
        # A subquery rather than a join, so an enterprise is never listed twice.
        qs = qs.filter(
            pk__in=Enterprise.qualifications.through.objects.filter(qualification_id=flt.qualification.pk).values(
                "enterprise_id"
            )
        )
    if flt.service_group is not None:
        qs = qs.filter(service_group=flt.service_group)
    return qs.order_by(*ordering(flt.sort, SORT_COLUMNS, NULLABLE_SORTS))


def enterprise_page(qs: QuerySet[Enterprise], flt: EnterpriseFilter) -> tuple[int, list[Enterprise]]:
    """The total and the requested page of an already filtered queryset (three queries plus the
    qualifications prefetch). A page past the end is empty, not an error (the API's rule).

    The page's ids are read first — an index-only walk of the sort index — and only those rows
    are then loaded with their joins; a plain OFFSET would join every skipped row, which costs
    hundreds of milliseconds on deep pages at province scale.
    """
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    if start >= total:
        return total, []
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size])
    rows = {e.pk: e for e in qs.filter(pk__in=ids).prefetch_related("qualifications")}
    return total, [rows[pk] for pk in ids if pk in rows]
