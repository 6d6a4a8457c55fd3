"""红黄绿灯: the alert light of one investment project (DESIGN 3.2), as a pure function.

Two rules, each giving a level; the project's light is the worst of them.

- **Start**: a project that is signed (or registered) but not started, with a planned start
  date, is late by the number of calendar months between the planned start month and today's
  month. Late by ``start_yellow_months`` (default 1: the planned month is over) → yellow; by
  ``start_red_months`` (default 3) → red.
- **Investment**: for a signed, registered or started project with a planned start and a
  planned production date, the planned progress is linear in time from the planned start to the
  planned production (0 before, 1 after); the actual progress is funds in place to date ÷ total
  investment. Behind the plan by at least ``invest_yellow_points`` (0.10) → yellow; by more
  than ``invest_red_points`` (0.30) → red.

Leads, talks, projects in production, on hold or terminated are green: the rules do not apply.
Pure: no Django; money and fractions are Decimal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


_ORDER = {Level.GREEN: 0, Level.YELLOW: 1, Level.RED: 2}

#: Stages (codes) the start rule watches: signed, not yet started.
AWAITING_START = frozenset({"signed", "registered"})
#: Stages the investment rule watches: construction has begun or should have.
UNDER_CONSTRUCTION = frozenset({"signed", "registered", "started"})
#: Stages of a project that is not going on (暂停, 终止). No rule watches them, and green would
#: tell a reader "on track": wherever a light is shown, theirs is grey (``light_shown``).
NOT_RUNNING = frozenset({"on_hold", "terminated"})
#: The light shown for a project that is not going on (never stored: the stored light stays
#: the rules' verdict, green, so the list filters and the API keep their three values).
GREY = "grey"


def light_shown(stage: str, level: str) -> str:
    """The light to show for a project at ``stage`` whose rules give ``level``: grey when the
    project is on hold or terminated, else ``level`` (issue 16 item 7)."""
    return GREY if stage in NOT_RUNNING else str(level)


@dataclass(frozen=True)
class Thresholds:
    """The rule thresholds (``settings.ZHAOYIN_ALERTS``)."""

    start_yellow_months: int = 1
    start_red_months: int = 3
    invest_yellow_points: Decimal = Decimal("0.10")
    invest_red_points: Decimal = Decimal("0.30")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Thresholds:
        return cls(
            start_yellow_months=int(values.get("START_YELLOW_MONTHS", 1)),
            start_red_months=int(values.get("START_RED_MONTHS", 3)),
            invest_yellow_points=Decimal(str(values.get("INVEST_YELLOW_POINTS", "0.10"))),
            invest_red_points=Decimal(str(values.get("INVEST_RED_POINTS", "0.30"))),
        )


@dataclass(frozen=True)
class ProjectFacts:
    """What the rules read about one project."""

    stage: str
    today: dt.date
    total_investment_wan: Decimal
    funds_to_date_wan: Decimal = Decimal(0)
    signed_on: dt.date | None = None
    planned_start_on: dt.date | None = None
    planned_production_on: dt.date | None = None


@dataclass(frozen=True)
class Reason:
    """Why a rule lit: a machine code and its numbers (the page words them)."""

    code: str  # "start_late" | "investment_behind"
    level: Level
    months_late: int = 0
    planned: Decimal | None = None
    actual: Decimal | None = None
    behind: Decimal | None = None


@dataclass(frozen=True)
class Alert:
    level: Level
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def _q4(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Calendar months from ``earlier``'s month to ``later``'s month (negative if before)."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


def planned_progress(facts: ProjectFacts) -> Decimal | None:
    """Linear planned investment progress on ``today`` (0–1), None without both dates."""
    start, end = facts.planned_start_on, facts.planned_production_on
    if start is None or end is None or end <= start:
        return None
    if facts.today <= start:
        return Decimal("0.0000")
    if facts.today >= end:
        return Decimal("1.0000")
    return _q4(Decimal((facts.today - start).days) / Decimal((end - start).days))


def _start_rule(facts: ProjectFacts, t: Thresholds) -> Reason | None:
    if facts.stage not in AWAITING_START or facts.planned_start_on is None:
        return None
    late = months_between(facts.planned_start_on, facts.today)
    if late >= t.start_red_months:
        return Reason("start_late", Level.RED, months_late=late)
    if late >= t.start_yellow_months:
        return Reason("start_late", Level.YELLOW, months_late=late)
    return None


def _investment_rule(facts: ProjectFacts, t: Thresholds) -> Reason | None:
    if facts.stage not in UNDER_CONSTRUCTION or facts.total_investment_wan <= 0:
        return None
    planned = planned_progress(facts)
    if planned is None:
        return None
    actual = _q4(min(facts.funds_to_date_wan / facts.total_investment_wan, Decimal(1)))
    behind = planned - actual
    if behind > t.invest_red_points:
        return Reason("investment_behind", Level.RED, planned=planned, actual=actual, behind=behind)
    if behind >= t.invest_yellow_points:
        return Reason("investment_behind", Level.YELLOW, planned=planned, actual=actual, behind=behind)
    return None


def evaluate(facts: ProjectFacts, thresholds: Thresholds | None = None) -> Alert:
    """The project's light and the reasons behind it (worst reason first)."""
    t = thresholds or Thresholds()
    reasons = [r for r in (_start_rule(facts, t), _investment_rule(facts, t)) if r is not None]
    if not reasons:
        return Alert(Level.GREEN)
    reasons.sort(key=lambda r: _ORDER[r.level], reverse=True)
    return Alert(reasons[0].level, tuple(reasons))
