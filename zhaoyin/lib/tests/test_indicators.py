"""Target-progress arithmetic (DESIGN 3.3): time progress, completion, gap, ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhaoyin.lib import indicators as ind


def test_months_counted_needs_the_last_day_of_the_month() -> None:
    assert ind.months_counted(2026, dt.date(2026, 9, 30)) == 9
    assert ind.months_counted(2026, dt.date(2026, 9, 29)) == 8
    assert ind.months_counted(2026, dt.date(2026, 1, 1)) == 0
    assert ind.months_counted(2026, dt.date(2025, 12, 31)) == 0
    assert ind.months_counted(2026, dt.date(2027, 1, 5)) == 12
    assert ind.months_counted(2024, dt.date(2024, 2, 29)) == 2


def test_time_progress_by_months_and_days() -> None:
    assert ind.time_progress_months(2026, dt.date(2026, 9, 30)) == Decimal("0.7500")
    assert ind.time_progress_months(2026, dt.date(2026, 12, 31)) == Decimal("1.0000")
    assert ind.time_progress_days(2026, dt.date(2026, 12, 31)) == Decimal("1.0000")
    assert ind.time_progress_days(2026, dt.date(2026, 1, 1)) == Decimal("0.0027")  # 1/365
    assert ind.time_progress_days(2026, dt.date(2025, 6, 1)) == Decimal("0.0000")


def test_time_progress_from_a_cumulative_plan() -> None:
    plan = {3: Decimal(100), 6: Decimal(300), 9: Decimal(500)}
    assert ind.time_progress_plan(9, Decimal(600), plan) == Decimal("0.8333")
    assert ind.time_progress_plan(7, Decimal(600), plan) == Decimal("0.5000")  # carries June
    assert ind.time_progress_plan(2, Decimal(600), plan) == Decimal("0.0000")
    assert ind.time_progress_plan(9, Decimal(0), plan) is None


def test_completion_and_gap_round_half_up_to_four_places() -> None:
    c = ind.completion(Decimal("510.93"), Decimal(660))
    assert c == Decimal("0.7741")
    assert ind.gap(c, Decimal("0.75")) == Decimal("0.0241")
    assert ind.completion(Decimal(1), None) is None
    assert ind.completion(Decimal(1), Decimal(0)) is None
    assert ind.gap(None, Decimal("0.5")) is None
    assert ind.completion(Decimal("0.00005"), Decimal(1)) == Decimal("0.0001")


def test_rank_ties_share_a_rank_and_none_is_unranked() -> None:
    ranks = ind.rank({"a": Decimal("0.5"), "b": Decimal("0.9"), "c": Decimal("0.5"), "d": Decimal("0.1"), "e": None})
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}
    assert ind.rank({}) == {}
