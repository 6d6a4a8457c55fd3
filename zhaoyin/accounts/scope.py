"""Data scope by org unit (AC-03): which records a user may see, as a query filter.

Selectors combine these filters with their own rules; an object outside the filter is
simply not found (404), so its existence is not revealed.
"""

from __future__ import annotations

from django.db.models import Q

from zhaoyin.accounts.models import OrgUnit, ServiceGroupMembership, User
from zhaoyin.core.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role

#: A filter that matches nothing (``Q(pk__in=[])`` compiles to a constant false).
NOTHING = Q(pk__in=[])


def sees_whole_city(user: User) -> bool:
    return user.has_role(*CITY_WIDE_ROLES)


def unit_scope_q(user: User, field: str = "org_unit") -> Q:
    """Records whose ``field`` unit lies in the user's subtree (everything for city-wide roles)."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if sees_whole_city(user):
        return Q()
    if user.has_role(*UNIT_ROLES) and user.org_unit is not None:
        return Q(**{f"{field}_id__in": subtree_ids(user)})
    return NOTHING


def subtree_ids(user: User) -> list[int]:
    """Ids of the user's unit and everything below it, loaded once per user object.

    Filtering records by a short list of unit ids lets the database use the (org_unit, …)
    indexes; a join on ``path LIKE 'prefix%'`` cannot, and costs a scan at province scale.
    """
    cached: list[int] | None = getattr(user, "_subtree_ids", None)
    if cached is None:
        unit = user.org_unit
        assert unit is not None
        cached = list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))
        user._subtree_ids = cached  # type: ignore[attr-defined]
    return cached


def visible_unit_ids(user: User) -> set[int] | None:
    """The units whose records the user may see, for unit-keyed figures (progress, KPIs):
    None means all of them (city-wide roles); the subtree for unit roles; else none."""
    if not user.is_authenticated or user.admin_role:
        return set()
    if sees_whole_city(user):
        return None
    if user.has_role(*UNIT_ROLES) and user.org_unit is not None:
        return set(subtree_ids(user))
    return set()


def member_group_ids(user: User) -> list[int]:
    """Ids of the service groups a service member belongs to (none without the role).

    A member's scope is the enterprises assigned to these groups (DESIGN 3.6); loaded once
    per user object like ``subtree_ids``.
    """
    if not user.is_authenticated or user.admin_role or not user.has_role(Role.SERVICE_MEMBER):
        return []
    cached: list[int] | None = getattr(user, "_member_group_ids", None)
    if cached is None:
        cached = sorted(
            ServiceGroupMembership.objects.filter(user=user, group__is_active=True).values_list("group_id", flat=True)
        )
        user._member_group_ids = cached  # type: ignore[attr-defined]
    return cached
