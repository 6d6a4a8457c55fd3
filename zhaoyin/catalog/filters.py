"""Filters of the catalog item list, shared by the page and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhaoyin.catalog.models import CatalogItem
from zhaoyin.core.listparams import CONTROL_CHARS, ParamErrors


def item_filter_apply(
    qs: QuerySet[CatalogItem], *, q: str = "", industry: str = "", park: str = "", status: str = ""
) -> QuerySet[CatalogItem]:
    """Narrow ``qs``: ``q`` is a substring of the name or the construction content (Chinese
    needs no case folding), ``industry`` an industry code, ``park`` an org unit code. A value
    with control characters raises InvalidInput naming it (the API answers 422, the page 400)."""
    errors = ParamErrors()
    for name, value in (("q", q), ("industry", industry), ("park", park), ("status", status)):
        if CONTROL_CHARS.search(value):
            errors.fail(name, _("Contains control characters."))
    errors.raise_if_any()
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
