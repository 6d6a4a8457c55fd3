"""Reads of accounts data, scoped to the asking user."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, RoleAssignment, User
from zhaoyin.accounts.scope import member_group_ids, sees_whole_city
from zhaoyin.core.roles import ADMIN_ROLES, UNIT_ROLES, Role
from zhaoyin.core.search import search_fold
from zhaoyin.lib.pinyin import pinyin_initials


def org_unit_list() -> QuerySet[OrgUnit]:
    """The org tree is not secret inside the platform: every signed-in user may list it."""
    return OrgUnit.objects.filter(is_active=True).order_by("path")


def org_unit_by_code(code: str) -> OrgUnit | None:
    """The active unit with this code, or None."""
    return OrgUnit.objects.filter(code=code, is_active=True).first()


def user_by_username(username: str) -> User | None:
    """An account by its login name, whatever the case (the CLI addresses accounts so)."""
    return User.objects.select_related("org_unit").filter(username__iexact=(username or "").strip()).first()


def user_list_for_security_admin(
    *,
    q: str = "",
    unit: OrgUnit | None = None,
    role: str = "",
    state: str = "",
) -> QuerySet[User]:
    """Accounts for the security admin's list: every account, filtered; roles prefetched.

    ``unit`` matches the unit and its descendants; ``state`` is locked / inactive / active.
    Only account fields are read here: a security admin never sees business data (AC-05).
    """
    qs = User.objects.select_related("org_unit").prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role"))
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__contains=q))
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    if role:
        if role in {r.value for r in ADMIN_ROLES}:
            qs = qs.filter(admin_role=role)
        else:
            qs = qs.filter(role_assignments__role=role, admin_role="")
    if state == "locked":
        qs = qs.filter(locked_until__gt=timezone.now())
    elif state == "inactive":
        qs = qs.filter(is_active=False)
    elif state == "active":
        qs = qs.filter(is_active=True)
    return qs.order_by("username").distinct()


def user_get_for_security_admin(pk: int) -> User:
    """One account for the security admin's pages; 404 when there is none."""
    user = User.objects.select_related("org_unit").filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


# ---- org units in the official order, and the pickers' units and accounts (issue 16) --------------

#: The official order of the unit kinds in every list: the city, then 县区 / 园区 / 市直部门 /
#: 服务组 / 人才工作站; inside a kind by ``sort_order``, then code.
KIND_ORDER: tuple[str, ...] = (
    OrgUnitKind.CITY,
    OrgUnitKind.COUNTY,
    OrgUnitKind.PARK,
    OrgUnitKind.DEPARTMENT,
    OrgUnitKind.SERVICE_GROUP,
    OrgUnitKind.STATION,
)


def official_order(units: Iterable[OrgUnit]) -> list[OrgUnit]:
    """``units`` in the official order (``KIND_ORDER``, then ``sort_order`` and code)."""
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(units, key=lambda u: (rank.get(u.kind, len(rank)), u.sort_order, u.code))


def grouped_unit_choices(units: Iterable[OrgUnit], blank: str | None, *, by: str = "code") -> list[Any]:
    """Units as the choices of a drop-down by code (``by="pk"``: by id, for a model choice
    field), one ``<optgroup>`` per kind in the official order (Django's grouped choices:
    ``(kind label, [(code, name), …])``)."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for unit in official_order(units):
        label = str(OrgUnitKind(unit.kind).label) if unit.kind in OrgUnitKind.values else unit.kind
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append((str(getattr(unit, by)), unit.name))
    return ([("", blank)] if blank is not None else []) + groups


def group_unit_field(field: Any, blank: str | None) -> None:
    """Draw a model choice field over org units (its queryset) grouped by kind in the official
    order; the field still validates against its queryset (by id or its ``to_field_name``)."""
    by = getattr(field, "to_field_name", None) or "pk"
    field.widget.choices = grouped_unit_choices(field.queryset, blank, by=by)


def units_within(user: User) -> QuerySet[OrgUnit]:
    """The active units of ``user``'s part of the tree: all of them for the city-wide roles,
    the user's subtree for a unit's staff, none for others (the units a matter may be given
    to, ``matters.forms.assignable_units``)."""
    qs = OrgUnit.objects.filter(is_active=True)
    if sees_whole_city(user):
        return qs
    if user.has_role(*UNIT_ROLES) and user.org_unit is not None:
        return qs.filter(path__startswith=user.org_unit.path)
    return qs.none()


def unit_suggestions(user: User, terms: tuple[str, ...], *, within: bool, kinds: Iterable[str] = ()) -> list[OrgUnit]:
    """The picker's units, in the official order: every active unit (the tree is not secret),
    or with ``within`` only ``units_within(user)``; of ``kinds`` when given; whose name, its
    拼音首字母 or code hold every folded term (all of them with no terms: the tree is short)."""
    qs = units_within(user) if within else org_unit_list()
    kinds = [k for k in kinds if k in OrgUnitKind.values]
    if kinds:
        qs = qs.filter(kind__in=kinds)
    units = list(qs)
    if terms:
        def text(u: OrgUnit) -> str:
            return search_fold(f"{u.name} {pinyin_initials(u.name)} {u.code}")

        units = [u for u in units if all(t in text(u) for t in terms)]
    return official_order(units)


def user_suggestions(user: User, terms: tuple[str, ...], *, role: str = "", limit: int = 10) -> list[User]:
    """The picker's accounts: active business accounts (never the 三员) that ``user`` may name —
    every one for the city-wide roles, those of the user's subtree for a unit's staff, the
    members of the user's groups for a service member, the talent accounts for the talent
    office (``role=talent``, nothing else); holding ``role`` when given; whose
    username or name holds every term. No terms: none."""
    if not terms:
        return []
    qs = User.objects.filter(is_active=True, admin_role="").select_related("org_unit")
    if not sees_whole_city(user):
        if user.has_role(*UNIT_ROLES) and user.org_unit is not None:
            qs = qs.filter(org_unit__path__startswith=user.org_unit.path)
        elif member_group_ids(user):
            qs = qs.filter(group_memberships__group_id__in=member_group_ids(user)).distinct()
        elif role == Role.TALENT.value and user.has_role(Role.TALENT_OFFICE):
            pass  # the talent office links any talent's portal account (talents:link_account)
        else:
            return []
    if role:
        qs = qs.filter(pk__in=RoleAssignment.objects.filter(role=role).values("user_id"))
    for term in terms:
        qs = qs.filter(Q(username__icontains=term) | Q(full_name__icontains=term))
    return list(qs.order_by("username")[:limit])


def user_names(refs: list[str]) -> dict[str, str]:
    """Names of the accounts ``refs`` name (usernames), for a picker's starting values (the
    people of the platform are not business data: their names are on every page)."""
    rows = User.objects.filter(username__in=refs).values_list("username", "full_name")
    return {username: full_name or username for username, full_name in rows}
