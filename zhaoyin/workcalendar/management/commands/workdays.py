"""``zhaoyin workdays add YYYY-MM-DD N``: the date N working days after a day of receipt,
counted from the next day (收到次日起), followed by ``provisional`` when the counted days
touch a year whose holiday notice has not been loaded. Exit 2 with a one-line reason on
stderr for bad input (DESIGN 5.2)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.lib.workdays import CalendarRangeError
from zhaoyin.workcalendar.api import MAX_DAYS
from zhaoyin.workcalendar.selectors import current_calendar

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Command(BaseCommand):
    help = "Working-day calendar tools. 'add DATE N' prints the date N working days after DATE."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", title="subcommands", required=True)
        add = sub.add_parser("add", help="the date N working days after the day of receipt")
        add.add_argument("start", help="day of receipt, YYYY-MM-DD")
        add.add_argument("n", help=f"working days, 0..{MAX_DAYS}")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("subcommand") != "add":
            raise CommandError("unknown subcommand; use: zhaoyin workdays add YYYY-MM-DD N", returncode=2)
        start_text = str(options["start"]).strip()
        n_text = str(options["n"]).strip()
        received = None
        if _ISO_DATE.match(start_text):
            try:
                received = dt.date.fromisoformat(start_text)
            except ValueError:
                received = None
        if received is None:
            raise CommandError(f"start: {start_text!r} is not a real date in the form YYYY-MM-DD", returncode=2)
        if not re.fullmatch(r"\d{1,5}", n_text) or int(n_text) > MAX_DAYS:
            raise CommandError(f"N: {n_text!r} is not a whole number from 0 to {MAX_DAYS}", returncode=2)
        cal = current_calendar()
        if not cal.first_date <= received <= cal.last_date:
            raise CommandError(f"start: the calendar covers {cal.first_date} to {cal.last_date}", returncode=2)
        try:
            due, provisional = cal.add_workdays(received, int(n_text))
        except CalendarRangeError as exc:
            raise CommandError(f"N: {exc}", returncode=2) from None
        self.stdout.write(due.isoformat() + (" provisional" if provisional else ""))
