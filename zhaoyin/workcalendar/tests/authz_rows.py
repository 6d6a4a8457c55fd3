"""Matrix rows for the calendar (tests/authz_matrix.py): the pages are the sysadmin's;
the deadline API is for every signed-in account."""

from __future__ import annotations

import datetime as dt

from tests.authz_matrix import COMMON, EVERYONE, MATRIX, SYSTEM, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.workcalendar.services import exception_add

SYSADMIN = {Role.SYSADMIN}


@world_builder
def calendar(w: World) -> None:
    w.extra["calendar_exception"] = exception_add(
        acting_user=w.user(Role.SYSADMIN), date=dt.date(2026, 11, 2), kind="holiday", name="matrix",
    )


MATRIX += [
    web("workcalendar:import_template", allowed=SYSADMIN, kind=SYSTEM),
    web("workcalendar:exception_add", "POST", allowed=SYSADMIN, ok=302, kind=SYSTEM,
        data=lambda w: {"date": "2026-11-03", "kind": "holiday"}),
    web("workcalendar:exception_remove", "POST", allowed=SYSADMIN, ok=302, kind=SYSTEM,
        kwargs=lambda w: {"pk": w.extra["calendar_exception"].pk}),
    web("workcalendar:official_year", "POST", allowed=SYSADMIN, ok=302, kind=SYSTEM,
        data=lambda w: {"year": 2030}),
    # Without a file the sysadmin's form is re-shown with the error (400); the rest are refused.
    web("workcalendar:notice_import", "POST", allowed=SYSADMIN, ok=400, kind=SYSTEM),
    api("GET", "/api/v1/calendar/add-workdays", allowed=EVERYONE, kind=COMMON,
        query="?start=2026-09-30&days=5"),
]
