"""Writing a matter's history with past dates, for the demo and the generator.

The services stamp every step with the present moment; demo and benchmark data need a past.
These helpers date each step on a given day in Asia/Shanghai, never later than the present.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import MatterEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at_shanghai(day: dt.date, minute: int) -> dt.datetime:
    """9:00 + ``minute`` on ``day`` in Asia/Shanghai."""
    return dt.datetime.combine(day, dt.time(9 + minute // 60, minute % 60), tzinfo=SHANGHAI)


class EventStepper:
    """Appends the next event of one matter's history (from the previous event's state)."""

    def __init__(self, events: list[MatterEvent], unit: OrgUnit, now: dt.datetime) -> None:
        self.events, self.unit, self.now = events, unit, now

    def __call__(self, action: str, to: State, day: dt.date, minute: int, **extra: Any) -> MatterEvent:
        """Append the event (dated no later than now) and return it."""
        event = MatterEvent(
            action=action,
            from_state=self.events[-1].to_state,
            to_state=to.value,
            lead_unit=self.unit,
            at=min(at_shanghai(day, minute), self.now),
            **extra,
        )
        self.events.append(event)
        return event
