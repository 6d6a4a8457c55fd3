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

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.accounts.scope import NOTHING, subtree_ids
from zhaoyin.core.pickers import suggestions_from
from zhaoyin.core.roles import TALENT_CITY_ROLES, UNIT_ROLES, Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.talents.models import Talent, TalentLead

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
        q = Q(org_unit_id__in=units)
        stations = _station_ids(user, units)
        if stations:
            # Only a station's staff need the second column: an OR over two columns makes the
            # database scan every talent (the county list at 50 000 talents).
            q |= Q(station_id__in=stations)
    if user.has_role(Role.TALENT):
        q |= Q(account_id=user.pk)
    return q


def _station_ids(user: User, units: list[int]) -> list[int]:
    """The talent stations among ``units`` (the user's subtree), loaded once per user object."""
    cached: list[int] | None = getattr(user, "_talent_station_ids", None)
    if cached is None:
        cached = list(OrgUnit.objects.filter(pk__in=units, kind=OrgUnitKind.STATION).values_list("id", flat=True))
        user._talent_station_ids = cached  # type: ignore[attr-defined]
    return cached


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


#: Who may see a talent's ID number and phone in full (audited): the talent office and the
#: city admin (DESIGN 3.8; PII rows of the security checklist).
REVEAL_ROLES: frozenset[Role] = frozenset({Role.TALENT_OFFICE, Role.CITY_ADMIN})
#: Who may export the talent list unmasked (audited): the talent office only (issue 13 item 1).
UNMASKED_EXPORT_ROLES: frozenset[Role] = frozenset({Role.TALENT_OFFICE})
#: Who opens the talent station pages: the city-wide roles and the talent office (every
#: station), unit roles (the stations in their subtree: a station's own staff).
STATION_READER_ROLES: frozenset[Role] = frozenset(TALENT_CITY_ROLES | UNIT_ROLES)


def stations_visible_to(user: User) -> QuerySet[OrgUnit]:
    """The talent stations (驻长三角人才工作站, G60 人才飞地 …) the user may open."""
    qs = OrgUnit.objects.filter(kind=OrgUnitKind.STATION, is_active=True).order_by("name", "id")
    if not user.is_authenticated or user.admin_role:
        return qs.none()
    if user.has_role(*TALENT_CITY_ROLES):
        return qs
    if user.has_role(*UNIT_ROLES) and user.org_unit is not None:
        return qs.filter(path__startswith=user.org_unit.path)
    return qs.none()


def station_get_for_user(*, user: User, pk: int, action: str = "view") -> OrgUnit:
    """A station the user may open (else 404); for ``change``, 403 unless it manages it."""
    station = stations_visible_to(user).filter(pk=pk).first()
    if station is None:
        raise Http404
    if action == "change" and not can_manage_station(user, station):
        from zhaoyin.audit.services import audit_denied

        audit_denied(user=user, action="talent_station.change_denied", target=f"station {station.pk}")
        raise PermissionDenied
    return station


def can_manage_station(user: User, station: OrgUnit) -> bool:
    """The station's own staff (unit roles at or above it), the talent office and the city admin."""
    if user.has_role(Role.CITY_ADMIN, Role.TALENT_OFFICE):
        return True
    return (
        user.has_role(*UNIT_ROLES) and user.org_unit is not None and station.path.startswith(user.org_unit.path)
    )


def lead_get_for_user(*, user: User, pk: int, action: str = "view") -> TalentLead:
    """A lead of a station the user may open (else 404); ``change``: 403 unless it manages it."""
    lead = TalentLead.objects.select_related("station", "talent", "target_employer").filter(
        pk=pk, station__in=stations_visible_to(user)
    ).first()
    if lead is None:
        raise Http404
    if action == "change":
        station_get_for_user(user=user, pk=lead.station_id, action="change")
    return lead


def talent_suggestions(user: User, terms: tuple[str, ...], *, limit: int = 10) -> list[Talent]:
    """The picker's talents (issue 16): in ``user``'s scope, whose search text (name, employer,
    school, major; never the ID or phone) holds every folded term, or whose record number is
    the one term."""
    return suggestions_from(talent_list_visible_to(user), terms, order="name", limit=limit)


def talent_names(user: User, refs: list[str]) -> dict[str, str]:
    """The names of the talents ``refs`` name (ids) within ``user``'s scope, by ref."""
    from zhaoyin.core.listparams import positive_int

    ids = [n for n in (positive_int(r) for r in refs) if n is not None]
    return {str(pk): name for pk, name in talent_list_visible_to(user).filter(pk__in=ids).values_list("pk", "name")}


def employer_suggestions(user: User, terms: tuple[str, ...], *, limit: int = 10) -> list[Enterprise]:
    """The employer picker's enterprises (issue 16): those ``user`` may name as a talent's
    employer or a lead's target employer (``validation.employers_for``: every one for the
    talent office and the city-wide roles, the unit's for its staff) whose search text (name,
    拼音首字母, USCC …) holds every folded term, or whose record number is the one term."""
    from zhaoyin.talents.validation import employers_for

    return suggestions_from(Enterprise.objects.filter(employers_for(user)), terms, order="name", limit=limit)


def employer_names(user: User, refs: list[str]) -> dict[str, str]:
    """The names of the employers ``refs`` name (credit codes or ids) that ``user`` may name,
    by ref (a picker's starting values; another one is shown only as typed)."""
    from zhaoyin.core.listparams import positive_int
    from zhaoyin.talents.validation import employers_for

    ids = [n for n in (positive_int(r) for r in refs) if n is not None]
    codes = [r.strip().upper() for r in refs]
    rows = (
        Enterprise.objects.filter(employers_for(user))
        .filter(Q(pk__in=ids) | Q(uscc__in=codes))
        .values_list("pk", "uscc", "name")
    )
    out: dict[str, str] = {}
    for pk, uscc, name in rows:
        out[str(pk)] = out[uscc] = name
    return out
