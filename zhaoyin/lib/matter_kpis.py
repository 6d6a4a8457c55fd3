"""Unit KPIs of assigned matters (DESIGN 3.5) and the unit ranking, from plain per-matter facts.

One :class:`MatterFacts` per (matter, unit responsible for it); the caller chooses which
matters a period counts (for the monthly ranking: those assigned in the month) and computes
each fact from the matter's events. The indicators, all ``Decimal`` fractions 0–1 rounded
half-up to four places (``zhaoyin.lib.indicators.ratio``), None when nothing is counted:

- **签收及时率** ``sign_for_on_time_rate`` = signed within the sign-for clock ÷ matters whose
  sign-for is decided. Decided = signed (in time or late), or not signed and the clock has
  run out. Not counted: matters still inside their sign-for clock (``sign_for_open``) and
  matters the unit returned (退回; they count in the return rate instead).
- **按期办结率** ``closed_on_time_rate`` = closed by the handling deadline ÷ matters due:
  closed ones (in time or late) plus open ones already past their handling deadline
  (``handling_overdue``). Matters still inside their clock are not yet due.
- **满意率** ``satisfaction_rate`` = (满意 + 基本满意) ÷ rated matters. Both count as satisfied,
  as in the 12345 bulletins of domain-practice 2.4 (满意率 ≥ 85 %); unrated matters are not
  counted. Rating codes: ``satisfied``, ``basically_satisfied``, ``dissatisfied``.
- **退回率** ``return_rate`` = returned matters ÷ all matters of the unit.
- **mean working days to close** ``mean_workdays_to_close`` = mean over closed matters with a
  known duration, rounded half-up to two places.

The composite score (0–100) is the weighted mean of the available rates, with the return
rate counted as ``1 − return_rate``; components that are None drop out and the weights of
the rest are renormalised. Defaults follow the 三率 weighting 30 / 35 / 35 of domain-practice
2.4 (response = 签收及时率, solution = 按期办结率, 满意率), return rate 0. Units are ranked by
score with ``zhaoyin.lib.indicators.rank``: equal scores share a rank (1, 2, 2, 4), a unit
without a score has no rank and is listed last.

Pure: no Django.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from zhaoyin.lib.indicators import rank, ratio

SATISFIED: Final = "satisfied"  # 满意
BASICALLY_SATISFIED: Final = "basically_satisfied"  # 基本满意
DISSATISFIED: Final = "dissatisfied"  # 不满意
#: Ratings counted as satisfied in 满意率.
SATISFIED_RATINGS: Final = frozenset({SATISFIED, BASICALLY_SATISFIED})
RATINGS: Final = frozenset({SATISFIED, BASICALLY_SATISFIED, DISSATISFIED})

DAYS_PLACES: Final = Decimal("0.01")
SCORE_PLACES: Final = Decimal("0.01")


@dataclass(frozen=True)
class MatterFacts:
    """What the KPIs read about one matter for its responsible (lead) unit."""

    unit_id: int
    assigned_on: dt.date
    signed: bool = False  # signed for (签收) at all
    signed_on_time: bool = False  # signed within the sign-for clock
    sign_for_open: bool = False  # not signed yet and the sign-for clock still runs
    closed_on: dt.date | None = None
    closed_on_time: bool = False  # closed by the handling deadline in force
    handling_overdue: bool = False  # still open and past its handling deadline
    rating: str | None = None  # satisfied / basically_satisfied / dissatisfied
    returned: bool = False  # returned (退回) by this unit
    workdays_to_close: int | None = None  # working days from receipt to closing

    def __post_init__(self) -> None:
        if self.rating is not None and self.rating not in RATINGS:
            raise ValueError(f"unknown rating {self.rating!r}")
        if self.sign_for_open and self.signed:
            raise ValueError("a signed matter has no open sign-for clock")
        if self.signed_on_time and not self.signed:
            raise ValueError("signed_on_time needs signed")
        if self.closed_on_time and self.closed_on is None:
            raise ValueError("closed_on_time needs closed_on")
        if self.workdays_to_close is not None and self.workdays_to_close < 0:
            raise ValueError("workdays_to_close must not be negative")


@dataclass(frozen=True)
class UnitKpis:
    """One unit's counts and indicators (the counts are shown next to the rates: 12/15)."""

    unit_id: int
    matters: int = 0
    sign_for_decided: int = 0
    signed_on_time: int = 0
    due: int = 0
    closed: int = 0
    closed_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    returned: int = 0
    sign_for_on_time_rate: Decimal | None = None
    closed_on_time_rate: Decimal | None = None
    satisfaction_rate: Decimal | None = None
    return_rate: Decimal | None = None
    mean_workdays_to_close: Decimal | None = None


@dataclass(frozen=True)
class Weights:
    """Weights of the composite score (``settings.ZHAOYIN_MATTER_KPI_WEIGHTS``)."""

    sign_for_on_time: Decimal = Decimal(30)
    closed_on_time: Decimal = Decimal(35)
    satisfaction: Decimal = Decimal(35)
    low_return: Decimal = Decimal(0)  # applied to 1 − return_rate

    def __post_init__(self) -> None:
        values = (self.sign_for_on_time, self.closed_on_time, self.satisfaction, self.low_return)
        if any(v < 0 for v in values):
            raise ValueError("weights must not be negative")
        if not any(v > 0 for v in values):
            raise ValueError("at least one weight must be positive")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Weights:
        """Weights from a settings dict (``SIGN_FOR_ON_TIME``, ``CLOSED_ON_TIME``, ``SATISFACTION``, ``LOW_RETURN``)."""
        return cls(
            sign_for_on_time=Decimal(str(values.get("SIGN_FOR_ON_TIME", 30))),
            closed_on_time=Decimal(str(values.get("CLOSED_ON_TIME", 35))),
            satisfaction=Decimal(str(values.get("SATISFACTION", 35))),
            low_return=Decimal(str(values.get("LOW_RETURN", 0))),
        )


@dataclass(frozen=True)
class UnitRanking:
    """A unit's place in the ranking: its score (None: nothing to score) and rank (None: unranked)."""

    unit_id: int
    score: Decimal | None
    rank: int | None
    kpis: UnitKpis


def assigned_between(facts: Iterable[MatterFacts], first: dt.date, last: dt.date) -> Iterator[MatterFacts]:
    """The facts of matters assigned from ``first`` to ``last`` (both included): a month or a year."""
    return (f for f in facts if first <= f.assigned_on <= last)


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return ratio(Decimal(numerator) / Decimal(denominator))


def unit_kpis(unit_id: int, facts: Iterable[MatterFacts]) -> UnitKpis:
    """The KPIs of one unit over ``facts`` (facts of other units are ignored)."""
    matters = sign_decided = signed_on_time = due = closed = closed_on_time = 0
    rated = satisfied = returned = days_count = days_total = 0
    for f in facts:
        if f.unit_id != unit_id:
            continue
        matters += 1
        if f.returned:
            returned += 1
        elif not f.sign_for_open:
            sign_decided += 1
            signed_on_time += f.signed_on_time
        if f.closed_on is not None:
            closed += 1
            due += 1
            closed_on_time += f.closed_on_time
            if f.workdays_to_close is not None:
                days_count += 1
                days_total += f.workdays_to_close
        elif f.handling_overdue:
            due += 1
        if f.rating is not None:
            rated += 1
            satisfied += f.rating in SATISFIED_RATINGS
    return kpis_from_counts(
        unit_id,
        matters=matters,
        sign_for_decided=sign_decided,
        signed_on_time=signed_on_time,
        due=due,
        closed=closed,
        closed_on_time=closed_on_time,
        rated=rated,
        satisfied=satisfied,
        returned=returned,
        days_count=days_count,
        days_total=days_total,
    )


def kpis_from_counts(
    unit_id: int,
    *,
    matters: int,
    sign_for_decided: int,
    signed_on_time: int,
    due: int,
    closed: int,
    closed_on_time: int,
    rated: int,
    satisfied: int,
    returned: int,
    days_count: int,
    days_total: int,
) -> UnitKpis:
    """The KPIs from the counts (what ``unit_kpis`` counts, or a database ``GROUP BY`` does):
    ``days_count``/``days_total`` are the closed matters with a known duration and the sum of
    their working days."""
    mean_days = None
    if days_count:
        mean_days = (Decimal(days_total) / Decimal(days_count)).quantize(DAYS_PLACES, rounding=ROUND_HALF_UP)
    return UnitKpis(
        unit_id=unit_id,
        matters=matters,
        sign_for_decided=sign_for_decided,
        signed_on_time=signed_on_time,
        due=due,
        closed=closed,
        closed_on_time=closed_on_time,
        rated=rated,
        satisfied=satisfied,
        returned=returned,
        sign_for_on_time_rate=_rate(signed_on_time, sign_for_decided),
        closed_on_time_rate=_rate(closed_on_time, due),
        satisfaction_rate=_rate(satisfied, rated),
        return_rate=_rate(returned, matters),
        mean_workdays_to_close=mean_days,
    )


def kpis_by_unit(facts: Iterable[MatterFacts], units: Iterable[int] = ()) -> dict[int, UnitKpis]:
    """KPIs of every unit in ``facts`` plus every unit in ``units`` (those with no matters get
    empty KPIs: zero counts, None rates). One pass over the facts; keys sorted by unit id."""
    grouped: dict[int, list[MatterFacts]] = {u: [] for u in units}
    for f in facts:
        grouped.setdefault(f.unit_id, []).append(f)
    return {u: unit_kpis(u, grouped[u]) for u in sorted(grouped)}


def composite_score(kpis: UnitKpis, weights: Weights | None = None) -> Decimal | None:
    """The weighted mean (0–100, two places) of the unit's available rates; None when no
    weighted component is available."""
    w = weights or Weights()
    parts: list[tuple[Decimal, Decimal]] = []
    if kpis.sign_for_on_time_rate is not None:
        parts.append((w.sign_for_on_time, kpis.sign_for_on_time_rate))
    if kpis.closed_on_time_rate is not None:
        parts.append((w.closed_on_time, kpis.closed_on_time_rate))
    if kpis.satisfaction_rate is not None:
        parts.append((w.satisfaction, kpis.satisfaction_rate))
    if kpis.return_rate is not None:
        parts.append((w.low_return, 1 - kpis.return_rate))
    total_weight = sum((weight for weight, _v in parts), Decimal(0))
    if total_weight == 0:
        return None
    weighted = sum((weight * value for weight, value in parts), Decimal(0))
    return (Decimal(100) * weighted / total_weight).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def rank_units(kpis: Mapping[int, UnitKpis], weights: Weights | None = None) -> list[UnitRanking]:
    """Units by composite score, best first; ties share a rank (1, 2, 2, 4) and are listed by
    unit id; units without a score come last, unranked, by unit id."""
    scores = {u: composite_score(k, weights) for u, k in kpis.items()}
    ranks = rank(scores)
    rows = [UnitRanking(unit_id=u, score=scores[u], rank=ranks.get(u), kpis=k) for u, k in kpis.items()]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit_id))
    return rows
