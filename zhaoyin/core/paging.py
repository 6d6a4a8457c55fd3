"""Pagination that stays fast on deep pages of large, sorted lists."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class IdFirstPaginator(Paginator[Any]):
    """A ``Paginator`` over a queryset that reads the page's primary keys first.

    ``OFFSET n`` on the full query makes the database build (and join) every skipped row; the
    ids alone come from a walk of the sort index. Only the page's rows are then loaded, with
    the queryset's select_related/prefetch_related, in the order the ids came in.

    ``count``: the number of rows when the caller has it already (a list page counts in the
    same aggregate as its totals), so the paginator runs no second ``COUNT`` query.
    """

    object_list: QuerySet[Any]

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, count: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            # Paginator.count is a cached_property: a value in the instance dict is what it returns.
            self.__dict__["count"] = count

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return Page(rows_by_ids(self.object_list, ids), number, self)


def rows_by_ids(qs: QuerySet[Any], ids: list[Any]) -> list[Any]:
    """The rows ``ids`` (read from ``qs``) in that order, with ``qs``'s select_related and
    prefetch_related — fetched by primary key alone: the filters already chose the ids, and
    repeating them (a search, a scope subquery) would cost the database the whole list again."""
    rows = qs.model._default_manager.filter(pk__in=ids)
    rows.query.select_related = qs.query.select_related
    # And its deferred fields (a run's snapshot must not come along with each of its results).
    rows.query.deferred_loading = qs.query.deferred_loading
    rows = rows.prefetch_related(*qs._prefetch_related_lookups)  # type: ignore[attr-defined]
    found = {obj.pk: obj for obj in rows}
    return [found[pk] for pk in ids if pk in found]
