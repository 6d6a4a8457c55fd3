"""The policy list's filters, declared once (``core.filtering``) for the list page, the API
list and the Excel export; ``q`` finds the words of the title, issuer, document number and
summary (all must occur)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoyin.core.filtering import Choice, FilterSet, Search, Sort
from zhaoyin.core.search import search_fold
from zhaoyin.policies.models import Beneficiary, Delivery, PolicyCategory, PolicyLevel, PolicyStatus


class PolicyFilter(FilterSet):
    """Policies: search, status, level, category, way of delivery, beneficiary (enterprise or talent)."""

    q = Search(
        fold=search_fold, label=_("Search"), doc="Words of title, issuer, document number or summary; all must occur"
    )
    status = Choice(PolicyStatus.choices, label=_("Status"), blank=_("All statuses"))
    level = Choice(PolicyLevel.choices, label=_("Level"), blank=_("All levels"))
    category = Choice(PolicyCategory.choices, label=_("Category"), blank=_("All categories"))
    delivery = Choice(Delivery.choices, label=_("Delivery"), blank=_("All ways"))
    beneficiary = Choice(Beneficiary.choices, label=_("Beneficiary"), blank=_("Enterprises and talents"))
    order = Sort(
        {name: name for name in ("valid_from", "valid_to", "title", "updated_at")},
        default="-valid_from",
        nullable=frozenset({"valid_to"}),
    )
