"""Filtering, sorting and paging of the policy list — one parser shared by the list page, the
Excel export and the API list, so a querystring means the same on every channel.

``policy_filter_parse`` raises ``InvalidInput`` naming every bad parameter (the page answers
400, the API 422); ``policy_filter_apply`` narrows a queryset already scoped by
``selectors.policy_list_visible_to`` (scope first, then filter: AC-03).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

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
from zhaoyin.policies.models import Delivery, Policy, PolicyCategory, PolicyLevel, PolicyStatus

FILTER_PARAMS = ("q", "status", "level", "category", "delivery", "sort")
SORT_COLUMNS: dict[str, str] = {
    "valid_from": "valid_from",
    "valid_to": "valid_to",
    "title": "title",
    "updated_at": "updated_at",
}
DEFAULT_SORT = "-valid_from"
NULLABLE_SORTS = frozenset({"valid_to"})
CHOICES: dict[str, list[str]] = {
    "status": list(PolicyStatus.values),
    "level": list(PolicyLevel.values),
    "category": list(PolicyCategory.values),
    "delivery": list(Delivery.values),
}


@dataclass(frozen=True)
class PolicyFilter:
    """A parsed, validated policy list request."""

    q: str = ""
    terms: tuple[str, ...] = ()
    status: str = ""
    level: str = ""
    category: str = ""
    delivery: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    params: dict[str, str] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        return bool(self.terms or self.status or self.level or self.category or self.delivery)


def policy_filter_parse(params: Mapping[str, Any]) -> PolicyFilter:
    """Validate list parameters: ``q`` (words of title, issuer, document number, summary; all
    must occur), ``status``, ``level``, ``category``, ``delivery`` (codes), ``sort`` (see
    ``SORT_COLUMNS``, ``-`` descending), ``page``, ``page_size``. Unknown ones are ignored."""
    errors = ParamErrors()
    raw = read_params(params, (*FILTER_PARAMS, *PAGING_PARAMS))
    terms = parse_terms(raw["q"], errors, search_fold)
    for name, values in CHOICES.items():
        if raw[name] and raw[name] not in values:
            errors.fail(name, _("Choose one of: %(values)s.") % {"values": ", ".join(values)})
    sort = parse_sort(raw["sort"], SORT_COLUMNS, DEFAULT_SORT, errors)
    page, page_size = parse_paging(raw, errors)
    errors.raise_if_any()
    return PolicyFilter(
        q=raw["q"],
        terms=terms,
        status=raw["status"],
        level=raw["level"],
        category=raw["category"],
        delivery=raw["delivery"],
        sort=sort,
        page=page,
        page_size=page_size,
        params={name: raw[name] for name in FILTER_PARAMS if raw[name]},
    )


def policy_filter_apply(qs: QuerySet[Policy], flt: PolicyFilter) -> QuerySet[Policy]:
    """Narrow an already scoped queryset by ``flt`` and order it (``id`` breaks ties)."""
    for term in flt.terms:
        qs = qs.filter(search_text__contains=term)
    for name in CHOICES:
        value = getattr(flt, name)
        if value:
            qs = qs.filter(**{name: value})
    return qs.order_by(*ordering(flt.sort, SORT_COLUMNS, NULLABLE_SORTS))
