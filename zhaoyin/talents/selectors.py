"""Scoped reads of talent records (AC-03). Out-of-scope talents do not exist for the caller.

Who sees which talents (docs/talent.md):
- the city-wide roles and the talent office (人才办): every talent in the city;
- unit roles (county, park, department staff): the talents whose ``org_unit`` lies in their
  subtree, and the talents attributed to their station when their unit is a station;
- a talent portal user: their own record only;
- service members, enterprise users and the 三员: none.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import NOTHING, subtree_ids
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.talents.models import Talent

#: Roles that read talent records (scope still applies).
READER_ROLES: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES | {Role.TALENT})
#: Roles that register and change talent records (within their scope).
EDITOR_ROLES: frozenset[Role] = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF})


def talent_scope_q(user: User) -> Q:
    """The talents ``user`` may see, as a filter on ``Talent``."""
    if not user.is_authenticated or user.admin_role:
        return NOTHING
    if user.has_role(*TALENT_CITY_ROLES):
        return Q()
    q = NOTHING
    if user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        units = subtree_ids(user)
        q = Q(org_unit_id__in=units) | Q(station_id__in=units)
    if user.has_role(Role.TALENT):
        q |= Q(account_id=user.pk)
    return q


def talent_list_visible_to(user: User) -> QuerySet[Talent]:
    """Every talent the user may see, with unit, employer and station joined."""
    return Talent.objects.filter(talent_scope_q(user)).select_related("org_unit", "employer", "station", "industry")


def talent_get_for_user(*, user: User, pk: int, action: str = "view") -> Talent:
    """The talent if the user may see it (else 404); for ``change``, 403 if read-only."""
    talent = talent_list_visible_to(user).filter(pk=pk).first()
    if talent is None:
        raise Http404
    if action == "change" and not can_edit_talent(user, talent):
        from zhaoyin.audit.services import audit_denied

        audit_denied(user=user, action="talent.change_denied", target=f"talent {talent.pk}")
        raise PermissionDenied
    return talent


def can_edit_talent(user: User, talent: Talent) -> bool:
    """Editors change what their scope covers; the talent office and city admins everything."""
    if not user.has_role(*EDITOR_ROLES):
        return False
    if user.has_role(Role.CITY_ADMIN, Role.TALENT_OFFICE):
        return True
    return user.org_unit is not None and talent.org_unit.path.startswith(user.org_unit.path)


def own_talent(user: User) -> Talent | None:
    """The portal user's own record (None for everyone else or when not yet linked)."""
    if not user.is_authenticated or not user.has_role(Role.TALENT):
        return None
    return Talent.objects.filter(account_id=user.pk).select_related("org_unit", "employer", "station").first()
