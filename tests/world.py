"""The two-region world the authorization tests run in, and one persona per role.

The world follows security-requirements §4: two regions (county A with park A inside it,
county B), one object per region and per owner. Later features add their own objects with
``@world_builder`` (see tests/authz_matrix.py), so the matrix rows can point at them.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from django.test import Client

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.lib.uscc import make_uscc

#: Where each persona sits in the org tree (DESIGN 1): city-wide roles and the 三员 at the
#: city, unit roles in county A, the service member in service group 1 (which serves
#: enterprise A), portal users next to their own record.
PERSONA_UNITS: dict[Role, str] = {
    Role.CITY_ADMIN: "city",
    Role.LEADER: "city",
    Role.SUPERVISOR: "city",
    Role.UNIT_ADMIN: "county_a",
    Role.STAFF: "county_a",
    Role.SERVICE_MEMBER: "group_1",
    Role.ENTERPRISE: "county_a",
    Role.TALENT: "station",
    Role.TALENT_OFFICE: "city",
    Role.MU_OFFICE: "city",
    Role.SYSADMIN: "city",
    Role.SECURITY_ADMIN: "city",
    Role.AUDITOR: "city",
}

ANONYMOUS = "anonymous"
#: Every persona a matrix row is checked for, in a stable order.
PERSONAS: tuple[str, ...] = (ANONYMOUS, *(r.value for r in Role))


@dataclass
class World:
    """The objects the matrix rows point at. ``extra`` holds what later features add."""

    units: dict[str, OrgUnit]
    users: dict[str, User]
    industry: Industry
    enterprise_a: Enterprise  # county A, served by group 1; the enterprise persona's own
    enterprise_b: Enterprise  # county B, served by group 2: out of scope for county A
    extra: dict[str, Any] = field(default_factory=dict)
    _clients: dict[str, Client] = field(default_factory=dict, repr=False)
    #: Sign-ins made by ``sign_in_everyone``: session cookies and bearer tokens by persona.
    _cookies: dict[str, SimpleCookie] = field(default_factory=dict, repr=False)
    _tokens: dict[str, str] = field(default_factory=dict, repr=False)

    def user(self, role: Role | str) -> User:
        return self.users[Role(role).value]

    def client_for(self, persona: str) -> Client:
        """A browser-like client signed in as ``persona`` (anonymous: not signed in).

        Cached per world: create clients outside any savepoint you roll back, or the
        session they hold is rolled back with it.
        """
        key = f"web:{persona}"
        if key not in self._clients:
            client = Client()
            if persona in self._cookies:
                client.cookies = copy.deepcopy(self._cookies[persona])
            elif persona != ANONYMOUS:
                client.force_login(self.users[persona], backend="zhaoyin.accounts.backends.ZhaoyinBackend")
            self._clients[key] = client
        return self._clients[key]

    def api_client_for(self, persona: str) -> Client:
        """An API client with a bearer token for ``persona`` (anonymous: no header); cached."""
        key = f"api:{persona}"
        if key not in self._clients:
            if persona == ANONYMOUS:
                self._clients[key] = Client()
            else:
                token = self._tokens.get(persona) or api_token_issue(user=self.users[persona])
                self._clients[key] = Client(headers={"Authorization": f"Bearer {token}"})
        return self._clients[key]

    def sign_in_everyone(self) -> None:
        """Sign every persona in now (a session and an API token each), for ``fork``.

        Call it where the sessions and tokens stay (in a module-wide transaction, before the
        tests' own savepoints): copies made by ``fork`` reuse them instead of signing in again.
        """
        for persona in PERSONAS:
            if persona == ANONYMOUS:
                continue
            client = Client()
            client.force_login(self.users[persona], backend="zhaoyin.accounts.backends.ZhaoyinBackend")
            self._cookies[persona] = copy.deepcopy(client.cookies)
            self._tokens[persona] = api_token_issue(user=self.users[persona])

    def fork(self) -> World:
        """This world for one more test: the same objects, fresh clients carrying the sign-ins.

        A test can change its clients (signing out drops the session cookie, a POST sets
        cookies) and add to ``extra``; neither reaches the next test's fork.
        """
        return dataclasses.replace(self, extra=dict(self.extra), _clients={})


WorldBuilder = Callable[[World], None]
#: Functions that add a feature's objects to the world (registered by ``world_builder``).
WORLD_BUILDERS: list[WorldBuilder] = []


def world_builder(func: WorldBuilder) -> WorldBuilder:
    """Register a function that adds objects to every ``world`` (e.g. a project per region)."""
    WORLD_BUILDERS.append(func)
    return func


def make_enterprise(unit: OrgUnit, group: OrgUnit | None, industry: Industry, n: int, **kwargs: Any) -> Enterprise:
    """An enterprise with a valid USCC of the unit's region (test data, not a business write)."""
    region = unit.code if unit.code.isdigit() and len(unit.code) == 6 else "340400"
    enterprise = Enterprise(
        name=kwargs.pop("name", f"测试企业{n:03d}有限公司"),
        uscc=make_uscc(region, f"{n:08d}"),
        org_unit=unit,
        service_group=group,
        industry=industry,
        **kwargs,
    )
    enterprise.refresh_search_text()
    enterprise.save()
    return enterprise


