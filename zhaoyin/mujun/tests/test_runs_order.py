"""A run's results in rank order (the page and the API): the firms without a rank last in both
directions, on the database's own sort keys (``MuResult.order_key`` / ``order_key_desc``)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from zhaoyin.accounts.services import api_token_issue
from zhaoyin.mujun.models import UNRANKED, MuResult
from zhaoyin.mujun.tests.runs_fixtures import MuWorld, mu_world_fixture

mu_world = mu_world_fixture


def _ranked_run(w: MuWorld) -> tuple[int, list[int]]:
    """A run whose two weakest firms lost their rank (as firms not graded have none): the ids
    of those two."""
    run = w.run()
    unranked = list(MuResult.objects.filter(run=run, enterprise__in=w.firms[6:]).values_list("pk", flat=True))
    MuResult.objects.filter(pk__in=unranked).update(rank=None, grade="", initial_grade="", why="incomplete")
    return run.pk, sorted(unranked)


def _ranks(w: MuWorld, run: int, sort: str) -> list[Any]:
    client = Client(headers={"Authorization": f"Bearer {api_token_issue(user=w.office)}"})
    answer = client.get(f"/api/v1/mu-runs/{run}/results", {"sort": sort, "page_size": "50"})
    assert answer.status_code == 200, answer.content
    return [(item["rank"], item["id"]) for item in answer.json()["items"]]


def test_the_sort_keys_follow_the_rank(mu_world: MuWorld) -> None:
    run, unranked = _ranked_run(mu_world)
    for r in MuResult.objects.filter(run_id=run):
        if r.rank is None:
            assert (r.order_key, r.order_key_desc) == (UNRANKED, UNRANKED)
        else:
            assert (r.order_key, r.order_key_desc) == (r.rank, -r.rank)
    # A rank written later (a re-run stores new rows, a test may update one) moves its keys too.
    MuResult.objects.filter(pk=unranked[0]).update(rank=99)
    moved = MuResult.objects.get(pk=unranked[0])
    assert (moved.order_key, moved.order_key_desc) == (99, -99)


def test_rank_order_puts_the_unranked_last_both_ways(mu_world: MuWorld) -> None:
    run, unranked = _ranked_run(mu_world)
    up = _ranks(mu_world, run, "rank")
    assert [rank for rank, _id in up] == [1, 2, 3, 4, 5, 6, None, None]
    assert [pk for _rank, pk in up[-2:]] == unranked
    down = _ranks(mu_world, run, "-rank")
    assert [rank for rank, _id in down] == [6, 5, 4, 3, 2, 1, None, None]
    assert [pk for _rank, pk in down[-2:]] == unranked[::-1]


def test_the_page_lists_in_rank_order(mu_world: MuWorld) -> None:
    run, unranked = _ranked_run(mu_world)
    client = Client()
    client.force_login(mu_world.office)
    page = client.get(f"/mujun/runs/{run}/", {"sort": "-rank"})
    assert page.status_code == 200
    rows = [r for r, _cells in page.context["rows"]]
    assert [r.rank for r in rows] == [6, 5, 4, 3, 2, 1, None, None]
    assert [r.pk for r in rows[-2:]] == unranked[::-1]


def test_counts_come_from_the_run_only_when_nothing_narrows_the_list(mu_world: MuWorld) -> None:
    w = mu_world
    run, _unranked = _ranked_run(w)

    def count(user: Any, **params: str) -> int:
        client = Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})
        answer = client.get(f"/api/v1/mu-runs/{run}/results", params)
        assert answer.status_code == 200, answer.content
        return int(answer.json()["count"])

    assert count(w.office) == MuResult.objects.filter(run_id=run).count() == 8
    assert count(w.office, grade="A") == MuResult.objects.filter(run_id=run, grade="A").count()
    # A county's unit admin: its subtree's firms only (six of the eight), counted.
    assert count(w.admin_a) == 6
    page = Client()
    page.force_login(w.admin_a)
    assert page.get(f"/mujun/runs/{run}/").context["page_obj"].paginator.count == 6
