"""Coverage per group and quarter (DESIGN 3.6): assigned enterprises, those the group visited
at least once in the quarter, the share; the drill-down lists exactly the others."""

from __future__ import annotations

import datetime as dt

import pytest

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.testing import assert_constant_queries, count_queries
from zhaoyin.visits import selectors
from zhaoyin.visits.models import Visit
from zhaoyin.visits.tests.conftest import Service, make_enterprise

pytestmark = pytest.mark.django_db


def _visit(svc: Service, enterprise_pk: int, day: dt.date, group: OrgUnit | None = None) -> None:
    # Written directly: the dates lie in a fixed past year (the service refuses none of them,
    # but the test must not depend on today's date).
    Visit.objects.create(
        enterprise_id=enterprise_pk, group=group or svc.group_1, visited_on=day, notes="n", created_by=svc.member_1
    )


def test_coverage_numbers_per_group_and_quarter(svc: Service) -> None:
    _visit(svc, svc.ent_1.pk, dt.date(2025, 2, 3))
    _visit(svc, svc.ent_1.pk, dt.date(2025, 3, 31))  # twice in Q1: counted once
    _visit(svc, svc.ent_1b.pk, dt.date(2025, 4, 1))  # Q2
    _visit(svc, svc.ent_1b.pk, dt.date(2024, 12, 31))  # another year
    _visit(svc, svc.ent_2.pk, dt.date(2025, 12, 31), svc.group_2)  # group 2, Q4
    # Visited by group 1 but assigned to group 2 now: not group 1's coverage.
    _visit(svc, svc.ent_2.pk, dt.date(2025, 5, 5))
    table = selectors.coverage_table([svc.group_1, svc.group_2], year=2025)
    g1 = [(c.visited, c.assigned) for c in (table.cell(svc.group_1.pk, q) for q in (1, 2, 3, 4))]
    g2 = [(c.visited, c.assigned) for c in (table.cell(svc.group_2.pk, q) for q in (1, 2, 3, 4))]
    assert g1 == [(1, 2), (1, 2), (0, 2), (0, 2)]
    assert g2 == [(0, 1), (0, 1), (0, 1), (1, 1)]
    assert table.cell(svc.group_1.pk, 1).share == 0.5
    totals = table.totals()
    assert [(t.visited, t.assigned) for t in totals] == [(1, 3), (1, 3), (0, 3), (1, 3)]
    # The drill-down: assigned − visited.
    assert list(selectors.not_visited(group=svc.group_1, year=2025, quarter=1)) == [svc.ent_1b]
    assert {e.pk for e in selectors.not_visited(group=svc.group_1, year=2025, quarter=3)} == {
        svc.ent_1.pk, svc.ent_1b.pk
    }


def test_a_group_without_enterprises_has_no_share(svc: Service, org_tree: dict[str, object]) -> None:
    from zhaoyin.accounts.models import OrgUnit, OrgUnitKind

    empty = OrgUnit.objects.create(code="sg-09", name="第九服务组", kind=OrgUnitKind.SERVICE_GROUP,
                                   parent=svc.group_1.parent)
    cell = selectors.coverage_table([empty], year=2025).cell(empty.pk, 1)
    assert (cell.assigned, cell.visited, cell.share) == (0, 0, None)


def test_coverage_takes_two_queries_whatever_the_number_of_visits(svc: Service, org_tree: dict[str, object]) -> None:
    groups = [svc.group_1, svc.group_2]
    with count_queries() as log:
        selectors.coverage_table(groups, year=2025)
    assert log.count == 2

    def grow(n: int) -> None:
        while Visit.objects.count() < n:
            k = Visit.objects.count()
            e = make_enterprise(svc.group_1.parent, svc.group_1, 100 + k)  # type: ignore[arg-type]
            _visit(svc, e.pk, dt.date(2025, 1 + k % 12, 1))

    run = lambda: selectors.coverage_table(groups, year=2025)  # noqa: E731
    assert assert_constant_queries(grow=grow, run=run, sizes=(3, 12)) == 2
