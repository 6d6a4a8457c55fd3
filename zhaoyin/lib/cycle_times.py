"""Cycle times of an investment project (issue 3 item 6), computed from its stage history.

Pure: no Django. Stages are the pipeline's string values (``zhaoyin.projects.choices``
mirrors ``MAIN_LINE`` here). The history is replayed in the order it was recorded:

- reaching a main-line stage also reaches every earlier main-line stage not yet reached, on
  the same date (a skip from negotiating to started signs and starts on that day);
- a correction back to an earlier stage forgets the later milestones (they did not happen);
- hold and termination change no milestone; resuming or reopening to a stage reaches it.

The three spans are first contact → signing, signing → start, start → production, in days.
First contact is the project's own date when recorded, else the day the lead was reached.
A span is ``None`` when one end is missing or the end lies before the start (bad data is
never reported as a negative duration).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MAIN_LINE: tuple[str, ...] = (
    "lead",
    "negotiating",
    "signed",
    "registered",
    "started",
    "producing",
    "full_capacity",
)
_INDEX = {stage: i for i, stage in enumerate(MAIN_LINE)}


@dataclass(frozen=True)
class CycleTimes:
    """The milestone dates a history establishes and the three spans in days."""

    first_contact_on: dt.date | None
    signed_on: dt.date | None
    started_on: dt.date | None
    producing_on: dt.date | None

    @staticmethod
    def _span(start: dt.date | None, end: dt.date | None) -> int | None:
        if start is None or end is None or end < start:
            return None
        return (end - start).days

    @property
    def contact_to_signing(self) -> int | None:
        return self._span(self.first_contact_on, self.signed_on)

    @property
    def signing_to_start(self) -> int | None:
        return self._span(self.signed_on, self.started_on)

    @property
    def start_to_production(self) -> int | None:
        return self._span(self.started_on, self.producing_on)


def milestones(events: Iterable[tuple[str, dt.date]]) -> dict[str, dt.date]:
    """The date each main-line stage was (still) reached after replaying ``events``
    (``(to_stage, stage_on)`` pairs in recorded order)."""
    reached: dict[str, dt.date] = {}
    for stage, on in events:
        index = _INDEX.get(stage)
        if index is None:
            continue  # on_hold / terminated: no milestone
        for later in MAIN_LINE[index + 1 :]:
            reached.pop(later, None)  # a correction back un-reaches the later stages
        for earlier in MAIN_LINE[: index + 1]:
            reached.setdefault(earlier, on)
    return reached


def cycle_times(events: Iterable[tuple[str, dt.date]], first_contact_on: dt.date | None = None) -> CycleTimes:
    """The project's milestones and spans from its stage history (see the module docstring)."""
    reached = milestones(events)
    return CycleTimes(
        first_contact_on=first_contact_on or reached.get("lead"),
        signed_on=reached.get("signed"),
        started_on=reached.get("started"),
        producing_on=reached.get("producing"),
    )


@dataclass(frozen=True)
class Distribution:
    """Count, minimum, quartiles (median included) and maximum of a set of spans in days."""

    count: int
    minimum: int | None
    p25: Decimal | None
    median: Decimal | None
    p75: Decimal | None
    maximum: int | None


def _quantile(counts: Sequence[tuple[int, int]], total: int, q: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (the common "type 7" definition), exact, over
    ``(value, count)`` pairs sorted by value that hold ``total`` values."""
    position = q * (total - 1)
    low = int(position)
    fraction = position - low
    below, high_value = _value_at(counts, low), _value_at(counts, min(low + 1, total - 1))
    value = Decimal(below) + (Decimal(high_value) - Decimal(below)) * fraction
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _value_at(counts: Sequence[tuple[int, int]], rank: int) -> int:
    """The ``rank``-th value (0-based) of the multiset ``counts``."""
    seen = 0
    for value, count in counts:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)


def distribution_of_counts(counts: Mapping[int, int]) -> Distribution:
    """The distribution of a multiset of spans given as ``{days: how many}`` — what a grouped
    ``COUNT(*)`` returns, so the database need not send one row per project."""
    ordered = sorted((days, n) for days, n in counts.items() if n > 0)
    total = sum(n for _days, n in ordered)
    if not total:
        return Distribution(0, None, None, None, None, None)
    return Distribution(
        count=total,
        minimum=ordered[0][0],
        p25=_quantile(ordered, total, Decimal("0.25")),
        median=_quantile(ordered, total, Decimal("0.5")),
        p75=_quantile(ordered, total, Decimal("0.75")),
        maximum=ordered[-1][0],
    )


def distribution(days: Iterable[int | None]) -> Distribution:
    """The distribution of spans, ignoring missing ones (``None``)."""
    return distribution_of_counts(Counter(d for d in days if d is not None))
