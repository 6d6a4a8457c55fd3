"""The two clocks of a matter (DESIGN 3.5, 4): sign-for and handling, in working days.

Both count "N working days from the day after receipt" (收到次日起) on the working-day
calendar (zhaoyin.workcalendar.selectors.current_calendar → zhaoyin.lib.workdays): the
sign-for clock ``SIGN_DAYS`` (default 1) from ``received_on``; the handling clock by kind
(``HANDLE_DAYS``; a reform measure has no default: its date is set at assignment;
``handle_days`` given at assignment overrides the kind) from ``handle_from`` (the receipt,
or the day a review or a 不满意 rating sent the matter back). A deadline is a date and ends
at the close of its day in Asia/Shanghai.

A deadline whose counted days cross a year without official holiday data is *provisional*;
when that year's notice is loaded, ``recompute_provisional_deadlines`` (registered with the
calendar in ``MattersConfig.ready``) recomputes the open matters' computed deadlines, records
an event on each matter that changed and audits it.

Settings: ``ZHAOYIN_MATTERS`` (read with defaults, see ``DEFAULTS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.errors import InvalidInput
from zhaoyin.lib.workdays import CalendarRangeError, WorkCalendar
from zhaoyin.matters.choices import MatterKind
from zhaoyin.matters.flow import CLOCK_STATES, State
from zhaoyin.workcalendar.selectors import current_calendar

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")

DEFAULTS: Final[dict[str, Any]] = {
    "SIGN_DAYS": 1,
    "HANDLE_DAYS": {
        MatterKind.CONSULTATION.value: 3,
        MatterKind.COORDINATION.value: 15,
        MatterKind.TALENT_DEMAND.value: 10,
        MatterKind.URGENT_INSTRUCTION.value: 5,
        MatterKind.INSTRUCTION.value: 15,
    },
    # Largest handling time accepted at assignment (a year of working days).
    "MAX_HANDLE_DAYS": 250,
    # The escalation ladder (read by the scan): blue when this many working days or fewer
    # are left; 督办 after this many overdue working days.
    "APPROACHING_WORKDAYS": 1,
    "SUPERVISE_AFTER_WORKDAYS": 5,
    # 进展滞后 (yellow): a matter in progress without a progress report (or its signing for, or
    # a new handling clock) for this many working days (issue 15 item 4).
    "STALE_WORKDAYS": 5,
}


def matter_settings() -> dict[str, Any]:
    """``settings.ZHAOYIN_MATTERS`` over ``DEFAULTS`` (``HANDLE_DAYS`` merged per kind)."""
    configured: dict[str, Any] = dict(getattr(settings, "ZHAOYIN_MATTERS", {}) or {})
    merged = {**DEFAULTS, **configured}
    merged["HANDLE_DAYS"] = {**DEFAULTS["HANDLE_DAYS"], **(configured.get("HANDLE_DAYS") or {})}
    return merged


def sign_days() -> int:
    """Working days to sign for an assigned matter."""
    return int(matter_settings()["SIGN_DAYS"])


def default_handle_days(kind: str) -> int | None:
    """The kind's handling days, or None for a kind whose deadline is a date (reform)."""
    value = matter_settings()["HANDLE_DAYS"].get(kind)
    return int(value) if value is not None else None


def max_handle_days() -> int:
    return int(matter_settings()["MAX_HANDLE_DAYS"])


def today(now: dt.datetime | None = None) -> dt.date:
    """The current date in Asia/Shanghai (the day deadlines are judged by)."""
    return (now or timezone.now()).astimezone(SHANGHAI).date()


def deadline_end(deadline: dt.date) -> dt.datetime:
    """The instant a deadline ends: the following midnight in Asia/Shanghai (exclusive)."""
    return dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)


def is_past(deadline: dt.date, now: dt.datetime | None = None) -> bool:
    """Whether ``deadline`` has ended (its day is over in Asia/Shanghai)."""
    return (now or timezone.now()) >= deadline_end(deadline)


@dataclass(frozen=True)
class Clock:
    """A computed deadline and whether it crosses a year without official data."""

    deadline: dt.date
    provisional: bool


def add_workdays(cal: WorkCalendar, start: dt.date, days: int, field: str) -> Clock:
    """``days`` working days after ``start``; a date beyond the calendar is bad input on ``field``."""
    try:
        deadline, provisional = cal.add_workdays(start, days)
    except CalendarRangeError:
        raise InvalidInput.field(field, _("The deadline would fall outside the working-day calendar.")) from None
    return Clock(deadline, provisional)


def sign_clock(cal: WorkCalendar, received_on: dt.date) -> Clock:
    """The sign-for deadline of a matter received on ``received_on``."""
    return add_workdays(cal, received_on, sign_days(), "received_on")


def clean_handle_days(value: Any) -> int | None:
    """``handle_days`` as given by a caller: None/blank, or a whole number 1..MAX_HANDLE_DAYS."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput.field("handle_days", _("Enter a whole number of working days."))
    try:
        days = int(str(value).strip())
    except ValueError:
        raise InvalidInput.field("handle_days", _("Enter a whole number of working days.")) from None
    if not 1 <= days <= max_handle_days():
        raise InvalidInput.field(
            "handle_days", _("Enter between 1 and %(max)d working days.") % {"max": max_handle_days()}
        )
    return days


def clean_deadline_date(value: Any, field: str, *, now: dt.datetime | None = None) -> dt.date | None:
    """A deadline date given by a caller (None/blank allowed); one in the past is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise InvalidInput.field(field, _("Enter a date as YYYY-MM-DD."))
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput.field(field, _("Enter a date as YYYY-MM-DD.")) from None
    assert isinstance(value, dt.date)
    if value < today(now):
        raise InvalidInput.field(field, _("The deadline must not be in the past."))
    cal = current_calendar()
    if value > cal.last_date:
        raise InvalidInput.field(field, _("The deadline would fall outside the working-day calendar."))
    return value


@dataclass(frozen=True)
class HandlingClock:
    """The handling deadline and how it was set (``days`` None: an explicit date)."""

    deadline: dt.date
    days: int | None
    provisional: bool


def handling_clock(
    cal: WorkCalendar,
    *,
    start: dt.date,
    kind: str,
    handle_days: int | None = None,
    handle_deadline: dt.date | None = None,
) -> HandlingClock:
    """The handling deadline from ``start``: an explicit date wins, then ``handle_days``, then
    the kind's default; a kind without a default (reform) needs one of the first two."""
    if handle_deadline is not None:
        return HandlingClock(handle_deadline, None, False)
    days = handle_days if handle_days is not None else default_handle_days(kind)
    if days is None:
        raise InvalidInput.field(
            "handle_deadline", _("A reform measure needs its deadline date (or a number of handling days).")
        )
    clock = add_workdays(cal, start, days, "handle_days")
    return HandlingClock(clock.deadline, days, clock.provisional)


def recompute_provisional_deadlines(acting_user: User | None, years: set[int]) -> int:
    """Recompute the computed deadlines of matters whose clocks run and are provisional and
    whose counted days may touch ``years`` (called by the calendar inside the notice's
    transaction, with the new calendar in place). Each matter that changed gets a
    ``recompute`` event and an audit record. Returns how many matters changed."""
    from zhaoyin.audit.services import AuditEntry, audit_write_many
    from zhaoyin.matters.models import Matter, MatterEvent

    if not years:
        return 0
    cal = current_calendar()
    first, last = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    candidates = (
        Matter.objects.select_for_update()
        .filter(deadlines_provisional=True, state__in=[s.value for s in CLOCK_STATES], received_on__lte=last)
        .filter(Q(sign_deadline__gte=first) | Q(handle_deadline__gte=first))
        .order_by("pk")
    )
    now = timezone.now()
    events: list[MatterEvent] = []
    audits: list[AuditEntry] = []
    for matter in candidates:
        assert matter.received_on is not None
        sign = cal.add_workdays(matter.received_on, sign_days())
        handle: tuple[dt.date | None, bool] = (matter.handle_deadline, False)
        if matter.handle_days is not None and matter.handle_from is not None:
            handle = cal.add_workdays(matter.handle_from, matter.handle_days)
        provisional = sign[1] or handle[1]
        before = {
            "sign_deadline": matter.sign_deadline,
            "handle_deadline": matter.handle_deadline,
            "deadlines_provisional": True,
        }
        after = {"sign_deadline": sign[0], "handle_deadline": handle[0], "deadlines_provisional": provisional}
        if before == after:
            continue
        Matter.objects.filter(pk=matter.pk).update(
            sign_deadline=sign[0],
            handle_deadline=handle[0],
            deadlines_provisional=provisional,
            version=matter.version + 1,
            updated_at=now,
        )
        state = State(matter.state)
        events.append(
            MatterEvent(
                matter=matter,
                action="recompute",
                from_state=state.value,
                to_state=state.value,
                actor=acting_user,
                lead_unit_id=matter.lead_unit_id,
                at=now,
                note=_("Deadlines recomputed after the holiday notice was loaded."),
                data={
                    "before": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in before.items()},
                    "after": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in after.items()},
                    "years": sorted(years),
                },
            )
        )
        audits.append({"action": "matter.recompute", "obj": matter, "before": before, "after": after})
    if events:
        MatterEvent.objects.bulk_create(events)
        audit_write_many(user=acting_user, entries=audits)
    return len(events)
