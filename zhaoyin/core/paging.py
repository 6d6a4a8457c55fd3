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
    """

    object_list: QuerySet[Any]

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {obj.pk: obj for obj in self.object_list.filter(pk__in=ids)}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)
