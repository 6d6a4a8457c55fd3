"""The apartment lists' filters, declared once (``core.filtering``) for the pages and the API:
units (building, layout, state), applications (state, building, talent tier), tenancies
(state, building, "expiring within 60 days")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.apartments.models import ApplicationState, Layout, TenancyState, UnitState
from zhaoyin.apartments.selectors import EXPIRY_DAYS, building_list_visible_to, expiring_q
from zhaoyin.core.filtering import Boolean, Choice, FilterSet, Integer, Search, Sort
from zhaoyin.core.search import search_fold
from zhaoyin.talents.models import Tier

R = TypeVar("R")
_ID = _("Must be an id (a whole number).")
#: A talent's tier, or ``none`` for a talent without a recognized tier.
TIER_CHOICES = [*Tier.choices, ("none", _("No tier"))]


def _buildings(user: Any) -> list[tuple[str, str]]:
    return [(str(b.pk), b.name) for b in building_list_visible_to(user).order_by("name", "pk")]


def _building(column: str) -> Integer:
    return Integer(message=_ID, column=column, label=_("Building"), blank=_("All buildings"),
                   options=_buildings, doc="Building id")


def _tier(column: str) -> Choice:
    return Choice(TIER_CHOICES, label=_("Tier"), blank=_("All tiers"), doc="A … E, or none",
                  where=lambda v: Q(**{column: "" if v == "none" else v}))


class UnitFilter(FilterSet):
    """Units: building, layout, state, number."""

    building = _building("building_id")
    layout = Choice(Layout.choices, label=_("Layout"), blank=_("All layouts"), doc="one_bed, two_bed or three_bed")
    state = Choice(UnitState.choices, label=_("State"), blank=_("All states"),
                   doc="available, reserved, occupied or maintenance")
    q = Search("number__icontains", words=False, label=_("Unit number"), doc="Part of the unit number")
    order = Sort({"number": "number", "building": "building__name", "rent": "monthly_rent", "area": "area_m2"},
                 default="building")


class ApplicationFilter(FilterSet):
    """Applications: state, the talent's tier, the building of the allocated unit, name."""

    state = Choice(ApplicationState.choices, label=_("State"), blank=_("All states"),
                   doc="submitted, waitlisted, rejected, allocated, contracted, withdrawn or ended")
    tier = _tier("talent__tier")
    building = _building("unit__building_id")
    q = Search("talent__search_text__contains", fold=search_fold, label=_("Search"), doc="Talent name")
    order = Sort({"submitted_at": "submitted_at", "state": "state"}, default="-submitted_at")


class Expiring(Boolean):
    """Active tenancies ending within ``EXPIRY_DAYS`` of today (``true``) or not (``false``)."""

    def narrow(self, qs: QuerySet[R], value: bool | None, context: Mapping[str, Any]) -> QuerySet[R]:  # type: ignore[type-var]
        q = expiring_q(timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)


class TenancyFilter(FilterSet):
    """Tenancies: state, building, tier, expiring within 60 days, name."""

    state = Choice(TenancyState.choices, label=_("State"), blank=_("All states"), doc="active or ended")
    building = _building("unit__building_id")
    tier = _tier("talent__tier")
    expiring = Expiring(label=_("Expiring within 60 days"), blank=_("All"),
                        yes=_("Yes"), no=_("No"), doc=f"Active and ending within {EXPIRY_DAYS} days")
    q = Search("talent__search_text__contains", fold=search_fold, label=_("Search"), doc="Talent name")
    order = Sort({"end": "end", "start": "start", "unit": "unit__number"}, default="end")
