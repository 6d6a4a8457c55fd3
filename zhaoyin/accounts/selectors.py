"""Reads of accounts data, scoped to the asking user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from zhaoyin.accounts.models import OrgUnit, User


def org_unit_list() -> QuerySet[OrgUnit]:
    """The org tree is not secret inside the platform: every signed-in user may list it."""
    return OrgUnit.objects.filter(is_active=True).order_by("path")


def org_unit_by_code(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, is_active=True).first()


def user_list_for_security_admin() -> QuerySet[User]:
    return User.objects.select_related("org_unit").prefetch_related("role_assignments").order_by("username")


def user_get_for_security_admin(pk: int) -> User:
    user = User.objects.select_related("org_unit").filter(pk=pk).first()
    if user is None:
        raise Http404
    return user
