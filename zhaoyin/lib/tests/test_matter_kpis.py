"""Unit KPIs of assigned matters (DESIGN 3.5): rates, mean days, composite score, ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhaoyin.lib import matter_kpis as mk
from zhaoyin.lib.matter_kpis import MatterFacts, Weights

D = dt.date
DAY = D(2026, 10, 12)


def f(unit: int, **kw: object) -> MatterFacts:
    return MatterFacts(unit_id=unit, assigned_on=kw.pop("assigned_on", DAY), **kw)  # type: ignore[arg-type]


def unit_one(unit: int = 1) -> list[MatterFacts]:
    """Eight matters covering every case (the expectations below are computed by hand)."""
    return [
        f(unit, signed=True, signed_on_time=True, closed_on=D(2026, 10, 15), closed_on_time=True,
          rating="satisfied", workdays_to_close=3),
        f(unit, signed=True, signed_on_time=True, closed_on=D(2026, 10, 30), closed_on_time=False,
          rating="basically_satisfied", workdays_to_close=12),
        f(unit, signed=True, signed_on_time=False, closed_on=D(2026, 10, 19), closed_on_time=True,
          rating="dissatisfied", workdays_to_close=5),
        f(unit, signed=True, signed_on_time=True, handling_overdue=True),  # open, late
        f(unit, signed=True, signed_on_time=True),  # open, inside its clock: not yet due
        f(unit, sign_for_open=True),  # not signed, clock still running: not yet decided
        f(unit),  # never signed, clock ran out: decided, not in time
        f(unit, returned=True),  # 退回
    ]


def test_rates_counts_and_mean_days_by_hand() -> None:
    k = mk.unit_kpis(1, unit_one())
    assert (k.matters, k.returned) == (8, 1)
    assert (k.signed_on_time, k.sign_for_decided) == (4, 6)
    assert k.sign_for_on_time_rate == Decimal("0.6667")  # 4 / 6
    assert (k.closed_on_time, k.due, k.closed) == (2, 4, 3)
    assert k.closed_on_time_rate == Decimal("0.5000")  # 2 / (3 closed + 1 overdue)
    assert (k.satisfied, k.rated) == (2, 3)
    assert k.satisfaction_rate == Decimal("0.6667")  # 满意 + 基本满意 over rated
    assert k.return_rate == Decimal("0.1250")  # 1 / 8
    assert k.mean_workdays_to_close == Decimal("6.67")  # (3 + 12 + 5) / 3


def test_composite_score_by_hand() -> None:
    k = mk.unit_kpis(1, unit_one())
    # (30 × 0.6667 + 35 × 0.5000 + 35 × 0.6667) / 100 × 100 = 60.8355
    assert mk.composite_score(k) == Decimal("60.84")
    with_returns = Weights(low_return=Decimal(20))
    # (60.8355 + 20 × 0.8750) / 120 × 100 = 65.279583…
    assert mk.composite_score(k, with_returns) == Decimal("65.28")


def test_an_empty_unit_has_zero_counts_and_no_rates() -> None:
    k = mk.unit_kpis(7, [])
    assert k == mk.UnitKpis(unit_id=7)
    assert k.sign_for_on_time_rate is None
    assert k.mean_workdays_to_close is None
    assert mk.composite_score(k) is None
    # Facts of other units are ignored.
    assert mk.unit_kpis(7, unit_one()) == mk.UnitKpis(unit_id=7)


def test_missing_components_drop_out_of_the_score() -> None:
    only_signed = mk.unit_kpis(3, [f(3, signed=True, signed_on_time=True)])
    assert only_signed.closed_on_time_rate is None
    assert only_signed.satisfaction_rate is None
    assert mk.composite_score(only_signed) == Decimal("100.00")
    pending = mk.unit_kpis(4, [f(4, sign_for_open=True)])
    assert pending.return_rate == Decimal("0.0000")
    assert mk.composite_score(pending) is None  # only the return rate, weighted 0 by default
    assert mk.composite_score(pending, Weights(low_return=Decimal(10))) == Decimal("100.00")


def test_ranking_ties_share_a_rank_and_units_without_a_score_come_last() -> None:
    facts = [
        *unit_one(1),
        *unit_one(5),  # the same record as unit 1: a tie
        f(2, signed=True, signed_on_time=True, closed_on=DAY, closed_on_time=True, rating="satisfied",
          workdays_to_close=1),
        f(4, sign_for_open=True),
    ]
    kpis = mk.kpis_by_unit(facts, units=[3, 9, 1])
    assert list(kpis) == [1, 2, 3, 4, 5, 9]
    assert kpis[3] == mk.UnitKpis(unit_id=3)
    ranking = mk.rank_units(kpis)
    assert [(r.unit_id, r.rank, r.score) for r in ranking] == [
        (2, 1, Decimal("100.00")),
        (1, 2, Decimal("60.84")),
        (5, 2, Decimal("60.84")),
        (3, None, None),
        (4, None, None),
        (9, None, None),
    ]
    assert ranking[1].kpis is kpis[1]
    assert mk.rank_units({}) == []


def test_weights_change_the_order() -> None:
    facts = [
        f(1, signed=True, signed_on_time=True, closed_on=DAY, closed_on_time=False, rating="satisfied"),
        f(2, signed=True, signed_on_time=False, closed_on=DAY, closed_on_time=True, rating="satisfied"),
    ]
    kpis = mk.kpis_by_unit(facts)
    by_default = mk.rank_units(kpis)  # 按期办结率 weighs 35, 签收及时率 30
    assert [(r.unit_id, r.score) for r in by_default] == [(2, Decimal("70.00")), (1, Decimal("65.00"))]
    sign_heavy = Weights.from_mapping({"SIGN_FOR_ON_TIME": 60, "CLOSED_ON_TIME": "10", "SATISFACTION": 30})
    assert [r.unit_id for r in mk.rank_units(kpis, sign_heavy)] == [1, 2]
    assert Weights.from_mapping({}) == Weights()


def test_period_filter_by_assignment_date() -> None:
    facts = [f(1, assigned_on=D(2026, 9, 30)), f(1, assigned_on=D(2026, 10, 1)), f(1, assigned_on=D(2026, 10, 31)),
             f(1, assigned_on=D(2026, 11, 1))]
    october = list(mk.assigned_between(facts, D(2026, 10, 1), D(2026, 10, 31)))
    assert [x.assigned_on for x in october] == [D(2026, 10, 1), D(2026, 10, 31)]


def test_inconsistent_facts_and_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="rating"):
        f(1, rating="happy")
    with pytest.raises(ValueError, match="signed_on_time"):
        f(1, signed_on_time=True)
    with pytest.raises(ValueError, match="open sign-for"):
        f(1, signed=True, sign_for_open=True)
    with pytest.raises(ValueError, match="closed_on"):
        f(1, closed_on_time=True)
    with pytest.raises(ValueError, match="negative"):
        f(1, closed_on=DAY, workdays_to_close=-1)
    with pytest.raises(ValueError, match="negative"):
        Weights(satisfaction=Decimal(-1))
    with pytest.raises(ValueError, match="positive"):
        Weights(Decimal(0), Decimal(0), Decimal(0), Decimal(0))
