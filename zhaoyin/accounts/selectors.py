"""Reads of accounts data, scoped to the asking user."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, RoleAssignment, User
from zhaoyin.core.roles import ADMIN_ROLES


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
