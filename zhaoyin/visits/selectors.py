"""Scoped reads of service groups, visits and coverage (DESIGN 3.6).

Who sees what:

* a visit is visible exactly when its enterprise is visible (``enterprise_scope_q``): the
  city-wide roles all, a county its enterprises, a service member the enterprises of their
  groups; out of scope → 404;
* the service groups: the city-wide roles all of them; a service member the groups they
  belong to in the list, and a group's page only of the groups they lead (组长);
* a member may record visits only to the enterprises assigned to one of their groups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, QuerySet
from django.db.models.functions import ExtractQuarter
from django.http import Http404

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, ServiceGroupMembership, User
from zhaoyin.accounts.scope import member_group_ids, sees_whole_city
from zhaoyin.core.roles import CITY_WIDE_ROLES, GOVERNMENT_ROLES, Role
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.selectors import enterprise_list_visible_to
from zhaoyin.visits.models import Visit, VisitDemand, VisitFile

#: Who reads visits (scope: the enterprise's). Portal users do not: a visit's notes are the
#: service group's working record, not the enterprise's.
READER_ROLES: frozenset[Role] = GOVERNMENT_ROLES
#: Who records visits: a member of the enterprise's service group (DESIGN 5.1 "by a member").
#: City and county staff are not members; they get 403, not a silent visit in a group's name.
RECORDER_ROLES: frozenset[Role] = frozenset({Role.SERVICE_MEMBER})
#: Who manages the groups (members, assignments, import): the city's 双招双引办.
MANAGER_ROLES: frozenset[Role] = frozenset({Role.CITY_ADMIN})
#: Who opens the group pages and coverage: the city-wide roles (all groups) and service
#: members (their own groups; a group's page only as its leader).
GROUP_READER_ROLES: frozenset[Role] = frozenset(CITY_WIDE_ROLES | {Role.SERVICE_MEMBER})

QUARTERS = (1, 2, 3, 4)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of ``quarter`` of ``year``."""
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


# --------------------------------------------------------------------------- visits


def visit_list_visible_to(user: User) -> QuerySet[Visit]:
    """Visits of the enterprises the user may see, with enterprise, group and author joined."""
    visible = enterprise_list_visible_to(user).values("pk")
    return Visit.objects.filter(enterprise_id__in=visible).select_related("enterprise", "group", "created_by")


def visit_get_for_user(*, user: User, pk: int) -> Visit:
    """A visit whose enterprise the user may see (else 404)."""
    found = visit_list_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def visit_demands(visit: Visit) -> list[VisitDemand]:
    """The visit's demands with their matters (code, state, deadlines), in the order raised."""
    return list(visit.demands.select_related("matter", "matter__lead_unit").order_by("pk"))


def visit_files(visit: Visit) -> list[VisitFile]:
    return list(visit.files.order_by("uploaded_at", "pk"))


def visit_file_get_for_user(*, user: User, pk: int) -> VisitFile:
    """A photo or document of a visit the user may see (else 404, FILE-05)."""
    found = (
        VisitFile.objects.filter(pk=pk, visit__in=visit_list_visible_to(user).values("pk"))
        .select_related("visit", "visit__enterprise")
        .first()
    )
    if found is None:
        raise Http404
    return found


def enterprises_for_visits(user: User) -> QuerySet[Enterprise]:
    """The enterprises ``user`` may record visits to: those assigned to one of their groups."""
    groups = member_group_ids(user)
    if not groups:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(service_group_id__in=groups).select_related("service_group").order_by("name")


def enterprise_visits(*, user: User, enterprise: Enterprise, limit: int = 20) -> list[Visit]:
    """The latest visits of an enterprise the user may see, with their demands' matters."""
    return list(
        visit_list_visible_to(user)
        .filter(enterprise=enterprise)
        .prefetch_related("demands__matter", "participants")
        .order_by("-visited_on", "-pk")[:limit]
    )


# --------------------------------------------------------------------------- groups


def group_list_visible_to(user: User) -> QuerySet[OrgUnit]:
    """The service groups the user may list: all for the city-wide roles, else their own."""
    qs = OrgUnit.objects.filter(kind=OrgUnitKind.SERVICE_GROUP, is_active=True).order_by("code")
    if not user.is_authenticated or user.admin_role:
        return qs.none()
    if sees_whole_city(user):
        return qs
    return qs.filter(pk__in=member_group_ids(user))


def led_group_ids(user: User) -> set[int]:
    """Groups the user leads (组长)."""
    groups = member_group_ids(user)
    if not groups:
        return set()
    return set(
        ServiceGroupMembership.objects.filter(user=user, is_leader=True, group_id__in=groups).values_list(
            "group_id", flat=True
        )
    )


def group_get_for_user(*, user: User, pk: int) -> OrgUnit:
    """A group's page: the city-wide roles any group; a member only a group they lead (404)."""
    group = group_list_visible_to(user).filter(pk=pk).first()
    if group is None or (not sees_whole_city(user) and group.pk not in led_group_ids(user)):
        raise Http404
    return group


def group_get_for_manager(*, pk: int) -> OrgUnit:
    """A service group by id for the managers' writes (the role is checked by the view)."""
    group = OrgUnit.objects.filter(pk=pk, kind=OrgUnitKind.SERVICE_GROUP, is_active=True).first()
    if group is None:
        raise Http404
    return group


def group_members(group: OrgUnit) -> list[ServiceGroupMembership]:
    """Members of a group, the leader first."""
    return list(
        ServiceGroupMembership.objects.filter(group=group)
        .select_related("user")
        .order_by("-is_leader", "user__username")
    )


def group_enterprises(group: OrgUnit) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(service_group=group).select_related("org_unit", "industry").order_by("name")


@dataclass
class GroupRow:
    """One line of the groups' list."""

    group: OrgUnit
    members: list[ServiceGroupMembership] = field(default_factory=list)
    assigned: int = 0
    visited: int = 0

    @property
    def share(self) -> float | None:
        return self.visited / self.assigned if self.assigned else None


def group_rows(groups: list[OrgUnit], *, today: dt.date) -> list[GroupRow]:
    """Members, assigned enterprises and this quarter's coverage of each group (4 queries)."""
    rows = {g.pk: GroupRow(group=g) for g in groups}
    for m in ServiceGroupMembership.objects.filter(group_id__in=rows).select_related("user").order_by(
        "-is_leader", "user__username"
    ):
        rows[m.group_id].members.append(m)
    cov = coverage_table(groups, year=today.year)
    quarter = quarter_of(today)
    for pk, row in rows.items():
        cell = cov.cell(pk, quarter)
        row.assigned, row.visited = cell.assigned, cell.visited
    return list(rows.values())


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class CoverageCell:
    """One group in one quarter: assigned enterprises, those visited, the share."""

    assigned: int
    visited: int

    @property
    def share(self) -> float | None:
        return self.visited / self.assigned if self.assigned else None


@dataclass
class Coverage:
    """Coverage of some groups in one year: a cell per group and quarter, and the totals."""

    year: int
    groups: list[OrgUnit]
    assigned: dict[int, int]
    visited: dict[tuple[int, int], int]

    def cell(self, group_id: int, quarter: int) -> CoverageCell:
        return CoverageCell(self.assigned.get(group_id, 0), self.visited.get((group_id, quarter), 0))

    def rows(self) -> list[tuple[OrgUnit, list[CoverageCell]]]:
        return [(g, [self.cell(g.pk, q) for q in QUARTERS]) for g in self.groups]

    def totals(self) -> list[CoverageCell]:
        assigned = sum(self.assigned.get(g.pk, 0) for g in self.groups)
        return [
            CoverageCell(assigned, sum(self.visited.get((g.pk, q), 0) for g in self.groups)) for q in QUARTERS
        ]


def coverage_table(groups: list[OrgUnit], *, year: int) -> Coverage:
    """Coverage per group and quarter of ``year`` (DESIGN 3.6), in two queries.

    *Assigned* is the group's enterprises now (``Enterprise.service_group``); *visited* those
    of them that the group visited at least once in the quarter (``Visit.group``), so the
    share never exceeds 1 and the drill-down lists exactly assigned − visited.
    """
    ids = [g.pk for g in groups]
    assigned = dict(
        Enterprise.objects.filter(service_group_id__in=ids)
        .values("service_group_id")
        .annotate(n=Count("pk"))
        .values_list("service_group_id", "n")
    )
    visited: dict[tuple[int, int], int] = {}
    rows = (
        Visit.objects.filter(
            group_id__in=ids,
            visited_on__gte=dt.date(year, 1, 1),
            visited_on__lte=dt.date(year, 12, 31),
            enterprise__service_group_id=F("group_id"),
        )
        .annotate(quarter=ExtractQuarter("visited_on"))
        .values("group_id", "quarter")
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("group_id", "quarter", "n")
    )
    for group_id, quarter, n in rows:
        visited[(group_id, int(quarter))] = n
    return Coverage(year=year, groups=groups, assigned=assigned, visited=visited)


def coverage_groups_for(user: User) -> list[OrgUnit]:
    """The groups whose coverage the user sees (the city-wide roles all; a member theirs)."""
    return list(group_list_visible_to(user))


def not_visited(*, group: OrgUnit, year: int, quarter: int) -> QuerySet[Enterprise]:
    """The group's enterprises it has not visited in the quarter (the coverage drill-down)."""
    start, end = quarter_bounds(year, quarter)
    seen = Visit.objects.filter(group=group, visited_on__gte=start, visited_on__lte=end).values("enterprise_id")
    return group_enterprises(group).exclude(pk__in=seen)


def last_visits(enterprise_ids: list[int]) -> dict[int, dt.date]:
    """The last visit date of each enterprise (one query)."""
    return dict(
        Visit.objects.filter(enterprise_id__in=enterprise_ids)
        .values("enterprise_id")
        .annotate(last=Max("visited_on"))
        .values_list("enterprise_id", "last")
    )


@dataclass(frozen=True)
class MemberTodo:
    """A service member's home panel: the firms of their groups not yet visited this quarter
    (the first ``shown`` of them, by name, each with its last visit), and how many in all."""

    year: int
    quarter: int
    #: (enterprise, its last visit by anyone or None) for the first ones by name.
    firms: list[tuple[Enterprise, dt.date | None]]
    total: int


def member_not_visited(*, user: User, today: dt.date, limit: int = 12) -> MemberTodo:
    """The enterprises assigned to ``user``'s service groups that none of those groups has
    visited in the quarter of ``today`` (the caller passes the local date, Asia/Shanghai, so
    the quarter turns at local midnight). Four queries whatever the number of firms: the
    member's groups (cached on the user), the count, the first ``limit`` and their last visits."""
    year, quarter = today.year, quarter_of(today)
    groups = member_group_ids(user)
    if not groups:
        return MemberTodo(year, quarter, [], 0)
    start, end = quarter_bounds(year, quarter)
    seen = Visit.objects.filter(group_id__in=groups, visited_on__gte=start, visited_on__lte=end).values(
        "enterprise_id"
    )
    pending = enterprises_for_visits(user).exclude(pk__in=seen)
    total = pending.count()
    firms = list(pending[:limit]) if total else []
    last = last_visits([e.pk for e in firms]) if firms else {}
    return MemberTodo(year, quarter, [(e, last.get(e.pk)) for e in firms], total)
