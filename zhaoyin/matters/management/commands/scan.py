"""``zhaoyin scan [--now ISO-DATETIME]``: one pass of the deadline escalation (DESIGN 5.2);
idempotent. Prints what the pass did. ``--now`` judges the deadlines at another instant (an
ISO date-time; without a UTC offset it is read in Asia/Shanghai). Exit 2 with a one-line
reason on stderr for bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.core import context
from zhaoyin.lib.escalation import SHANGHAI, local_date
from zhaoyin.lib.workdays import CalendarRangeError
from zhaoyin.matters.scan import scan_pass
from zhaoyin.workcalendar.selectors import current_calendar


def parse_now(text: str) -> dt.datetime:
    """An ISO date-time (or date) as an aware instant; naive values are Asia/Shanghai."""
    value = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"--now: {text!r} is not an ISO date-time such as 2027-01-31T09:00", returncode=2) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed


class Command(BaseCommand):
    help = "Run one pass of the deadline escalation ladder (reminders, 催办, 督办, 挂牌督办 notices)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="judge the deadlines at this ISO date-time instead of the current time")

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"]) if options.get("now") else None
        if now is not None:
            cal = current_calendar()
            if not cal.first_date <= local_date(now) <= cal.last_date:
                raise CommandError(f"--now: the calendar covers {cal.first_date} to {cal.last_date}", returncode=2)
        with context.acting(channel="cli"):
            try:
                result = scan_pass(now)
            except CalendarRangeError as exc:
                raise CommandError(f"--now: {exc}", returncode=2) from None
        self.stdout.write(result.summary())
