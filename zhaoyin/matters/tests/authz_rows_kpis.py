"""Matrix rows for the matters KPIs and the supervision page (tests/authz_matrix.py): city-wide and unit roles read
them (a unit user gets its own subtree's rows); service members, portal users and the 三员 do not."""

from __future__ import annotations

from tests.authz_matrix import MATRIX, api, web
from zhaoyin.core.roles import CITY_WIDE_ROLES, UNIT_ROLES

MATRIX += [
    api("GET", "/api/v1/matters/kpis", allowed=CITY_WIDE_ROLES | UNIT_ROLES, query="?year=2026&month=11"),
]

MATRIX += [
    web("matters:supervision", allowed=CITY_WIDE_ROLES | UNIT_ROLES),
]

MATRIX += [
    web("matters:bulletin", allowed=CITY_WIDE_ROLES, query="?year=2026&month=11&format=docx"),
]
