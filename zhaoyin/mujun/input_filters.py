"""The reconciliation list's filters (``core.filtering``), read the same way by its page, its
Excel export and the API: the year, a search (name or USCC), the org unit with the units below
it, the size class and the status (complete, missing, disputed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.filters import org_unit_filter
from zhaoyin.core.filtering import Choice, FilterSet, Integer, Search, Sort
from zhaoyin.core.search import search_fold
from zhaoyin.enterprises.models import SizeClass
from zhaoyin.enterprises.selectors import org_units_for_filter
from zhaoyin.mujun.input_importing import YEAR_MIN
from zhaoyin.mujun.input_selectors import STATUS_CHOICES, narrow_status

R = TypeVar("R", bound=Model)


class StatusChoice(Choice):
    """The firm's status in the year the list is for (``apply(qs, year=…)``)."""

    def narrow(self, qs: QuerySet[R], value: str, context: Mapping[str, Any]) -> QuerySet[R]:
        return narrow_status(qs, value, int(context["year"]))  # type: ignore[arg-type,return-value]


class InputFilter(FilterSet):
    """The reconciliation: year, search, unit, size class, status; sorted by name or USCC."""

    # The year chooses the firms (``input_selectors.year_firms``), it narrows nothing itself.
    year = Integer(
        message=_("Must be a year from %(low)d to %(high)d."), minimum=YEAR_MIN, maximum=2100,
        where=lambda year: Q(), label=_("Year"),
        attrs={"maxlength": 4, "inputmode": "numeric", "placeholder": "2025"},
        doc="The evaluation year (default: last year)",
    )
    q = Search(fold=search_fold, label=_("Search"), doc="Substring of the firm's name or credit code")
    org_unit = org_unit_filter(org_units_for_filter, min_options=1)
    size_class = Choice(SizeClass.choices, label=_("Size class"), blank=_("All sizes"), doc="above or below")
    status = StatusChoice(
        STATUS_CHOICES, label=_("Status"), blank=_("Any status"),
        doc="present (every figure reported, none disputed), missing (a figure not reported) or disputed",
    )
    order = Sort({"name": "name", "uscc": "uscc"}, default="name")
