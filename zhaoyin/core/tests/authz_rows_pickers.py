"""Matrix rows (tests/authz_matrix.py) for the search pickers' suggestion routes (issue 16,
core.pickers): each answers the roles that read its kind of record, and only from their
scope (the selectors' tests, zhaoyin/matters/tests/test_pickers.py, show the scope)."""

from __future__ import annotations

from tests.authz_matrix import MATRIX, READERS, web
from zhaoyin.core.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role

MATRIX += [
    web("enterprises:pick", allowed=READERS | {Role.ENTERPRISE}, query="?q=HN"),
    web("projects:pick", allowed=READERS - {Role.SERVICE_MEMBER}, query="?q=HN"),
    web("talents:pick", allowed=CITY_WIDE_ROLES | UNIT_ROLES | {Role.TALENT_OFFICE, Role.TALENT}, query="?q=HN"),
    web("policies:pick", allowed=READERS, query="?q=HN"),
    web("accounts:pick_units", allowed=READERS, query="?within=mine"),
    web("accounts:pick_users", allowed=READERS | {Role.TALENT_OFFICE}, query="?q=a&role=service_member"),
    web("talents:pick_employers", allowed=CITY_WIDE_ROLES | UNIT_ROLES | {Role.TALENT_OFFICE}, query="?q=HN"),
]
