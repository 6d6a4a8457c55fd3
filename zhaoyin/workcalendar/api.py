"""API: /calendar/add-workdays (DESIGN 5.1)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from zhaoyin.core.api import api_allow
from zhaoyin.core.errors import RULE_KEY, InvalidInput
from zhaoyin.core.inputs import ISO_DATE
from zhaoyin.core.outputs import IsoDate, OutSchema
from zhaoyin.core.roles import ALL_ROLES
from zhaoyin.lib.workdays import CalendarRangeError
from zhaoyin.workcalendar.selectors import current_calendar

router = Router(tags=["calendar"])

MAX_DAYS = 3650
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AddWorkdaysIn(Schema):
    start: str = Field(
        description="The day of receipt, YYYY-MM-DD.",
        json_schema_extra={"format": "date", "pattern": ISO_DATE, RULE_KEY: "within the loaded calendar"},
    )
    days: int = Field(
        ge=0,
        le=MAX_DAYS,
        description="Working days, counted from the day after receipt.",
        json_schema_extra={RULE_KEY: "the date reached within the loaded calendar"},
    )


@dataclass(frozen=True)
class DueDate:
    """The answer of ``add-workdays``: the date reached and whether it rests on a projection."""

    date: dt.date
    provisional: bool


class AddWorkdaysOut(OutSchema):
    """The date ``days`` working days after ``start`` (a ``DueDate``)."""

    date: IsoDate = Field(description="YYYY-MM-DD")
    provisional: bool = Field(
        description="True when the count touches a year whose holiday notice has not been loaded"
    )


def parse_iso_date(value: str, field: str) -> dt.date:
    """A strict YYYY-MM-DD date, or InvalidInput naming ``field``."""
    if _ISO_DATE.match(value or ""):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput.field(field, _("A real date in the form YYYY-MM-DD is required."))


@router.get("/add-workdays", response=AddWorkdaysOut)
@api_allow(ALL_ROLES)
def add_workdays(request: HttpRequest, params: Query[AddWorkdaysIn]) -> DueDate:
    """The date ``days`` working days after ``start``, counted from the next day (收到次日起).

    ``provisional`` is true when the counted days touch a year whose holiday notice has not
    been loaded (statutory holidays projected instead).
    """
    received = parse_iso_date(params.start, "start")
    days = params.days
    cal = current_calendar()
    if not cal.first_date <= received <= cal.last_date:
        raise InvalidInput.field("start", _("The calendar covers %(first)s to %(last)s.") % {
            "first": cal.first_date.isoformat(), "last": cal.last_date.isoformat(),
        })
    try:
        due, provisional = cal.add_workdays(received, days)
    except CalendarRangeError:
        raise InvalidInput.field("days", _("The result falls after %(last)s, the end of the calendar.") % {
            "last": cal.last_date.isoformat(),
        }) from None
    return DueDate(date=due, provisional=provisional)
