"""core.paging: the id-first paginator, and a count the caller already has."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoyin.core.paging import IdFirstPaginator
from zhaoyin.enterprises.models import Industry

pytestmark = pytest.mark.django_db


@pytest.fixture
def industries(db: Any) -> list[Industry]:
    return [Industry.objects.create(code=f"pg{i:02d}", name=f"分页行业{i:02d}") for i in range(7)]


def test_a_given_count_is_used_and_no_count_query_runs(industries: list[Industry]) -> None:
    qs = Industry.objects.filter(code__startswith="pg").order_by("code")
    with CaptureQueriesContext(connection) as queries:
        paginator = IdFirstPaginator(qs, 3, count=7)
        page = paginator.get_page(3)
    assert (paginator.count, paginator.num_pages) == (7, 3)
    assert [i.code for i in page.object_list] == ["pg06"]
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_without_a_count_the_paginator_counts(industries: list[Industry]) -> None:
    qs = Industry.objects.filter(code__startswith="pg").order_by("-code")
    paginator = IdFirstPaginator(qs, 5)
    assert paginator.count == 7
    assert [i.code for i in paginator.get_page(2).object_list] == ["pg01", "pg00"]
