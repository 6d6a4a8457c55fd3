"""红黄绿灯 rules (DESIGN 3.2) over plain facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhaoyin.lib.alerts import Level, ProjectFacts, Thresholds, evaluate, months_between, planned_progress


def facts(**kw: object) -> ProjectFacts:
    base: dict[str, object] = {
        "stage": "signed",
        "today": dt.date(2026, 9, 15),
        "total_investment_wan": Decimal(10000),
        "planned_start_on": dt.date(2026, 9, 10),
    }
    base.update(kw)
    return ProjectFacts(**base)  # type: ignore[arg-type]


def test_start_rule_yellow_after_the_planned_month_red_three_months_late() -> None:
    assert evaluate(facts()).level == Level.GREEN  # planned this month: not late yet
    assert evaluate(facts(today=dt.date(2026, 10, 1))).level == Level.YELLOW
    late = evaluate(facts(today=dt.date(2026, 12, 1)))
    assert late.level == Level.RED
    assert late.reasons[0].code == "start_late"
    assert late.reasons[0].months_late == 3
    assert evaluate(facts(stage="started", today=dt.date(2027, 3, 1))).level == Level.GREEN
    assert evaluate(facts(stage="negotiating", today=dt.date(2027, 3, 1))).level == Level.GREEN


def test_investment_rule_against_a_linear_plan() -> None:
    base = {
        "stage": "started",
        "planned_start_on": dt.date(2026, 1, 1),
        "planned_production_on": dt.date(2027, 1, 1),
        "today": dt.date(2026, 7, 2),  # 182/365 ≈ 0.4986 planned
    }
    assert evaluate(facts(**base, funds_to_date_wan=Decimal(4500))).level == Level.GREEN  # 4.86 behind
    assert evaluate(facts(**base, funds_to_date_wan=Decimal(3986))).level == Level.YELLOW  # 10 points
    yellow = evaluate(facts(**base, funds_to_date_wan=Decimal(2000)))
    assert yellow.level == Level.YELLOW  # 29.86 points
    red = evaluate(facts(**base, funds_to_date_wan=Decimal(1000)))
    assert red.level == Level.RED
    assert red.reasons[0].behind == Decimal("0.3986")
    assert evaluate(facts(**base, total_investment_wan=Decimal(0))).level == Level.GREEN


def test_worst_reason_wins_and_thresholds_are_settings() -> None:
    f = facts(
        stage="signed",
        today=dt.date(2026, 11, 1),
        planned_start_on=dt.date(2026, 9, 1),
        planned_production_on=dt.date(2026, 12, 1),
    )
    alert = evaluate(f)
    assert alert.level == Level.RED
    assert [r.code for r in alert.reasons] == ["investment_behind", "start_late"]
    lenient = Thresholds.from_mapping(
        {"START_YELLOW_MONTHS": 6, "START_RED_MONTHS": 12, "INVEST_RED_POINTS": "0.9", "INVEST_YELLOW_POINTS": "0.8"}
    )
    assert evaluate(f, lenient).level == Level.GREEN


def test_planned_progress_and_months_between() -> None:
    assert planned_progress(facts(planned_production_on=None)) is None
    assert planned_progress(facts(planned_production_on=dt.date(2026, 9, 1))) is None  # end before start
    assert planned_progress(facts(planned_production_on=dt.date(2026, 9, 20))) == Decimal("0.5000")
    assert months_between(dt.date(2026, 11, 30), dt.date(2027, 1, 1)) == 2
