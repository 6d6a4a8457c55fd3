"""Scoped reads of the talent apartments (AC-03). Out of scope does not exist for the caller.

Who sees what (docs/talent.md, "Talent apartments"):
- the city-wide roles and the talent office (人才办): everything;
- unit roles (unit admins, staff): the buildings (and their units) of their subtree — e.g. 住建局
  or a park managing a building —; the applications and tenancies of the talents of their
  scope (``talents.selectors.talent_scope_q``: a county's staff read their county's) and
  those on the units of their buildings; a unit that manages buildings also sees the waitlist
  (it allocates from it);
- a talent portal user: their own applications and tenancies, nothing of the buildings but
  through them;
- everyone else (service members, enterprise users, the 三员): nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING, subtree_ids
from zhaoyin.apartments.models import (
    ApartmentUnit,
    Application,
    ApplicationFile,
    ApplicationState,
    Building,
    Tenancy,
    TenancyState,
    UnitState,
    WaitlistRule,
)
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import talent_scope_q

#: Roles that read the buildings and units (scope applies).
HOUSING_READERS: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES)
#: Roles that read applications and tenancies (the talent their own).
RECORD_READERS: frozenset[Role] = frozenset(HOUSING_READERS | {Role.TALENT})
#: The default waitlist order when no rule is stored (the seeded rule says the same).
DEFAULT_TIER_ORDER = "ABCDE"
#: How far ahead a contract counts as expiring (and is reminded).
EXPIRY_DAYS = 60


def _unit_ids(user: User) -> list[int] | None:
    """None: every building (city-wide roles, the talent office); else the user's subtree
    (unit roles) or nothing."""
    if not user.is_authenticated or user.admin_role:
        return []
    if user.has_role(*TALENT_CITY_ROLES):
        return None
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        return subtree_ids(user)
    return []


def building_scope_q(user: User, prefix: str = "") -> Q:
    """The buildings ``user`` manages or reads, on ``Building`` (or through ``prefix``)."""
    units = _unit_ids(user)
    if units is None:
        return Q()
    if not units:
        return NOTHING
    return Q(**{f"{prefix}org_unit_id__in": units})


def manages_buildings(user: User) -> bool:
    """Whether the user's scope holds any building (they allocate, so they see the waitlist)."""
    units = _unit_ids(user)
    return units is None or (bool(units) and Building.objects.filter(org_unit_id__in=units).exists())


def building_list_visible_to(user: User) -> QuerySet[Building]:
    return Building.objects.filter(building_scope_q(user)).select_related("org_unit")


def building_get_for_user(*, user: User, pk: int) -> Building:
    building = building_list_visible_to(user).filter(pk=pk).first()
    if building is None:
        raise Http404
    return building


def unit_list_visible_to(user: User) -> QuerySet[ApartmentUnit]:
    return ApartmentUnit.objects.filter(building_scope_q(user, "building__")).select_related("building")


def unit_get_for_user(*, user: User, pk: int) -> ApartmentUnit:
    unit = unit_list_visible_to(user).select_related("building__org_unit").filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _talents_q(user: User) -> Q:
    """The records of the talents ``user`` may see, as a filter on a model with ``talent``."""
    return Q(talent_id__in=Talent.objects.filter(talent_scope_q(user)).values("pk"))


def application_scope_q(user: User) -> Q:
    """The applications ``user`` may see (see the module docstring)."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if user.has_role(*TALENT_CITY_ROLES):
        return Q()
    q = NOTHING
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        q = _talents_q(user) | building_scope_q(user, "unit__building__")
        if manages_buildings(user):
            q |= Q(state=ApplicationState.WAITLISTED)
    if user.has_role(Role.TALENT):
        q |= Q(talent__account_id=user.pk)
    return q


def application_list_visible_to(user: User) -> QuerySet[Application]:
    return Application.objects.filter(application_scope_q(user)).select_related(
        "talent", "talent__org_unit", "unit", "unit__building"
    )


def application_get_for_user(*, user: User, pk: int) -> Application:
    application = application_list_visible_to(user).select_related("unit__building__org_unit").filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def application_files(application: Application) -> list[ApplicationFile]:
    return list(application.files.order_by("uploaded_at", "id"))


def application_file_for_user(*, user: User, application_pk: int, file_pk: int) -> ApplicationFile:
    """A document of an application the user may see, else 404."""
    application = application_get_for_user(user=user, pk=application_pk)
    found = application.files.filter(pk=file_pk).first()
    if found is None:
        raise Http404
    return found


def tenancy_scope_q(user: User) -> Q:
    """The tenancies ``user`` may see (see the module docstring)."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if user.has_role(*TALENT_CITY_ROLES):
        return Q()
    q = NOTHING
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        q = _talents_q(user) | building_scope_q(user, "unit__building__")
    if user.has_role(Role.TALENT):
        q |= Q(talent__account_id=user.pk)
    return q


def tenancy_list_visible_to(user: User) -> QuerySet[Tenancy]:
    return Tenancy.objects.filter(tenancy_scope_q(user)).select_related(
        "talent", "unit", "unit__building", "application"
    )


def tenancy_get_for_user(*, user: User, pk: int) -> Tenancy:
    tenancy = tenancy_list_visible_to(user).select_related("unit__building__org_unit").filter(pk=pk).first()
    if tenancy is None:
        raise Http404
    return tenancy


def expiring_q(today: dt.date, days: int = EXPIRY_DAYS) -> Q:
    """Active tenancies ending within ``days`` from ``today`` (today included)."""
    return Q(state=TenancyState.ACTIVE, end__gte=today, end__lte=today + dt.timedelta(days=days))


# ---- the waitlist --------------------------------------------------------------------------


def tier_order() -> str:
    """The active waitlist rule's tier order (first letter first)."""
    rule = WaitlistRule.objects.filter(active=True).first()
    return rule.tier_order if rule is not None else DEFAULT_TIER_ORDER


def tier_rank(order: str, prefix: str = "talent__") -> Case:
    """The rank of a record's talent tier under ``order``: 0 for its first letter, …; a talent
    whose tier is not in it (none recognized) after every ranked one."""
    return Case(
        *(When(**{f"{prefix}tier": letter}, then=Value(i)) for i, letter in enumerate(order)),
        default=Value(len(order)),
        output_field=IntegerField(),
    )


def waitlist(qs: QuerySet[Application], order: str | None = None) -> QuerySet[Application]:
    """The waitlisted applications of ``qs`` in the waitlist's order (``WaitlistRule``): tier
    rank, then time of application, then id. Annotated with ``rank``."""
    rule = tier_order() if order is None else order
    return (
        qs.filter(state=ApplicationState.WAITLISTED)
        .annotate(rank=tier_rank(rule))
        .order_by("rank", "submitted_at", "id")
    )


def waitlist_positions(user: User) -> dict[int, int]:
    """Application id → its place on the whole waitlist (1 first), for the ones ``user`` sees.
    The place is on the whole list, not on the visible part: the order is the city's."""
    ids = list(waitlist(Application.objects.all()).values_list("pk", flat=True))
    visible = set(application_list_visible_to(user).filter(state=ApplicationState.WAITLISTED).values_list("pk",
                                                                                                          flat=True))
    return {pk: i for i, pk in enumerate(ids, start=1) if pk in visible}


# ---- occupancy ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OccupancyRow:
    """The units of one group (a building, a layout, a tier) by state."""

    key: str
    label: str
    total: int
    occupied: int
    reserved: int
    available: int
    maintenance: int

    @property
    def rate(self) -> float:
        """Occupied share of the units in use (maintenance left out), in percent."""
        usable = self.total - self.maintenance
        return round(100.0 * self.occupied / usable, 1) if usable else 0.0


def _state_counts(prefix: str = "") -> dict[str, Any]:
    return {
        "total": Count("id"),
        **{s.value: Count("id", filter=Q(**{f"{prefix}state": s.value})) for s in UnitState},
    }


def occupancy_by_building(user: User) -> list[OccupancyRow]:
    """Each building in scope with its units by state (one query)."""
    rows: Iterable[Any] = (
        unit_list_visible_to(user).order_by().values("building_id", "building__name")
        .annotate(**_state_counts()).order_by("building__name")
    )
    return [
        OccupancyRow(str(r["building_id"]), r["building__name"], r["total"], r["occupied"], r["reserved"],
                     r["available"], r["maintenance"])
        for r in rows
    ]


def occupancy_by_layout(user: User) -> list[OccupancyRow]:
    """Each layout with the units in scope by state (one query)."""
    from zhaoyin.apartments.models import Layout

    labels = dict(Layout.choices)
    rows: Iterable[Any] = (
        unit_list_visible_to(user).order_by().values("layout").annotate(**_state_counts()).order_by("layout")
    )
    return [
        OccupancyRow(r["layout"], str(labels.get(r["layout"], r["layout"])), r["total"], r["occupied"],
                     r["reserved"], r["available"], r["maintenance"])
        for r in rows
    ]


@dataclass(frozen=True)
class TierRow:
    """The active tenancies and the waitlist of one tier ('' = no recognized tier)."""

    tier: str
    tenants: int
    waitlisted: int


def occupancy_by_tier(user: User) -> list[TierRow]:
    """Per tier: active tenancies and waitlisted applications in scope (two queries)."""
    tenants = dict(
        tenancy_list_visible_to(user).filter(state=TenancyState.ACTIVE).order_by().values("talent__tier")
        .annotate(n=Count("id")).values_list("talent__tier", "n")
    )
    waiting = dict(
        application_list_visible_to(user).filter(state=ApplicationState.WAITLISTED).order_by()
        .values("talent__tier").annotate(n=Count("id")).values_list("talent__tier", "n")
    )
    tiers = [*"ABCDE", ""]
    return [TierRow(t, int(tenants.get(t, 0)), int(waiting.get(t, 0))) for t in tiers]


# ---- rows with their figures ---------------------------------------------------------------


def buildings_with_counts(user: User) -> list[Building]:
    """The buildings in scope, each with ``n_units``, ``n_occupied``, ``n_reserved``,
    ``n_available`` and ``n_maintenance`` (one query)."""
    return list(
        building_list_visible_to(user).annotate(
            n_units=Count("units"),
            n_occupied=Count("units", filter=Q(units__state=UnitState.OCCUPIED)),
            n_reserved=Count("units", filter=Q(units__state=UnitState.RESERVED)),
            n_available=Count("units", filter=Q(units__state=UnitState.AVAILABLE)),
            n_maintenance=Count("units", filter=Q(units__state=UnitState.MAINTENANCE)),
        ).order_by("name", "pk")
    )


def applications_with_extras(user: User, items: list[Application]) -> list[Application]:
    """``items`` with ``waitlist_position`` (waitlisted ones), ``n_files`` and the tenancy
    loaded (three queries whatever their number)."""
    ids = [a.pk for a in items]
    positions = waitlist_positions(user) if any(a.state == ApplicationState.WAITLISTED for a in items) else {}
    files = dict(
        ApplicationFile.objects.filter(application_id__in=ids).order_by().values("application_id")
        .annotate(n=Count("id")).values_list("application_id", "n")
    )
    tenancies = {t.application_id: t for t in Tenancy.objects.filter(application_id__in=ids)}
    for a in items:
        a.waitlist_position = positions.get(a.pk)  # type: ignore[attr-defined]
        a.n_files = files.get(a.pk, 0)  # type: ignore[attr-defined]
        if a.pk in tenancies:
            a.tenancy = tenancies[a.pk]
    return items


def application_with_extras(user: User, application: Application) -> Application:
    return applications_with_extras(user, [application])[0]
