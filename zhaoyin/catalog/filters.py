"""Filters of the catalog item list, shared by the page and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhaoyin.catalog.models import CatalogItem


def item_filter_apply(
    qs: QuerySet[CatalogItem], *, q: str = "", industry: str = "", park: str = "", status: str = ""
) -> QuerySet[CatalogItem]:
    """Narrow ``qs``: ``q`` is a substring of the name or the construction content (Chinese
    needs no case folding), ``industry`` an industry code, ``park`` an org unit code."""
    text = q.strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(construction_content__contains=text))
    if industry:
        qs = qs.filter(industry__code=industry)
    if park:
        qs = qs.filter(park__code=park)
    if status:
        qs = qs.filter(status=status)
    return qs
