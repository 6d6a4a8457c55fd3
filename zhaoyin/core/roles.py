"""The roles of DESIGN 1 (eleven), the talent office (issue 13) and the 亩均 office (issue 14),
and the groups the rules are written in.

Pure Python: imported by models, selectors, views and the authorization matrix alike.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A role code; the value is the public code used in the API and the CLI."""

    CITY_ADMIN = "city_admin"
    LEADER = "leader"
    SUPERVISOR = "supervisor"
    UNIT_ADMIN = "unit_admin"
    STAFF = "staff"
    SERVICE_MEMBER = "service_member"
    ENTERPRISE = "enterprise"
    TALENT = "talent"
    #: 人才办 (市委组织部人才科): the city's talent office — every talent record, recognition
    #: review, the talent apartments and person-level subsidies (issue 13). Not a reader of
    #: the 招商 records.
    TALENT_OFFICE = "talent_office"
    #: 亩均办 (市经信局): the lead department of the 亩均论英雄 evaluation — imports the bureaus'
    #: figures, edits the schemes, runs, adjusts, publicizes and publishes (issue 14). Not a
    #: reader of the 招商 records.
    MU_OFFICE = "mu_office"
    SYSADMIN = "sysadmin"
    SECURITY_ADMIN = "security_admin"
    AUDITOR = "auditor"


#: 三员分立: no account holds two of these, and none of them reads business data.
ADMIN_ROLES: frozenset[Role] = frozenset({Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
BUSINESS_ROLES: frozenset[Role] = frozenset(set(Role) - ADMIN_ROLES)
#: Roles that work on matters (交办事项): every business role but the 亩均 office, whose
#: evaluation's matters (objections, rectifications) are worked by the units they are given to.
MATTER_ROLES: frozenset[Role] = frozenset(BUSINESS_ROLES - {Role.MU_OFFICE})
#: Roles that must present a TOTP code as a second factor (AUTH-05).
SECOND_FACTOR_ROLES: frozenset[Role] = frozenset(ADMIN_ROLES | {Role.CITY_ADMIN})
#: Roles that see every business record in the city.
CITY_WIDE_ROLES: frozenset[Role] = frozenset({Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR})
#: Internal staff roles scoped by the org tree.
UNIT_ROLES: frozenset[Role] = frozenset({Role.UNIT_ADMIN, Role.STAFF})
#: Government-side business roles (everyone but the portal users).
GOVERNMENT_ROLES: frozenset[Role] = frozenset(CITY_WIDE_ROLES | UNIT_ROLES | {Role.SERVICE_MEMBER})
#: Roles whose idle timeout is the short one (SESS-01).
PRIVILEGED_ROLES: frozenset[Role] = SECOND_FACTOR_ROLES
ALL_ROLES: frozenset[Role] = frozenset(Role)
#: Roles that see every talent record in the city (DESIGN 3.8; the city-wide roles read them).
TALENT_CITY_ROLES: frozenset[Role] = frozenset(CITY_WIDE_ROLES | {Role.TALENT_OFFICE})
