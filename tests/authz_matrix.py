"""The role × scope × action matrix (AC-02, AC-03, AC-05), declared as data.

Every route the application serves — each named URL and each API operation — has at least
one ``Row`` in tests/authz_rows.py (the foundation) or in an app's
``zhaoyin/<app>/tests/authz_rows.py`` (imported automatically). tests/test_authz_matrix.py
requests every row as every persona (anonymous plus one account per role, see
tests/world.py) and compares the status with the expectation; a completeness test fails
when a route has no row, so no endpoint ships without an authorization decision.

Expectations come from DESIGN §1, not from the code: leaders read only; 三员 see no
business data; the auditor only the audit log; the security admin only user
administration; the sysadmin only the calendar and system settings. Each row names its
``kind`` and ``test_AC_02_matrix_follows_the_design`` checks the expectations against
those rules, so a row cannot quietly grant what the design forbids.

Adding rows for a feature (in ``zhaoyin/projects/tests/authz_rows.py``, say)::

    from tests.authz_matrix import MATRIX, READERS, UNIT_SCOPED, WRITERS, api, web
    from tests.world import world_builder
    from zhaoyin.core.roles import Role

    @world_builder
    def projects(w):                       # objects the rows point at, one per region
        w.extra["project_a"] = ...          # in county A
        w.extra["project_b"] = ...          # in county B

    MATRIX += [
        web("projects:detail", allowed=READERS, kwargs=lambda w: {"pk": w.extra["project_a"].pk},
            label="own region"),
        web("projects:detail", allowed=READERS, kwargs=lambda w: {"pk": w.extra["project_b"].pk},
            scope=dict.fromkeys(UNIT_SCOPED, 404), label="other region"),
        api("POST", "/api/v1/projects", allowed=WRITERS, ok=201, data=lambda w: {...}),
    ]

Statuses: an int, or ``LOGIN`` for "redirected to the sign-in page" (what an anonymous
browser gets). Unset personas get ``denied`` (403); anonymous gets ``LOGIN`` on web routes
and 401 on the API unless stated. ``kind`` defaults to BUSINESS; use COMMON, AUDIT,
USER_ADMIN, SYSTEM or PUBLIC for the other areas. A leader write DESIGN §1 allows (批示,
挂牌督办) says ``leader_action=True``. Each persona's request runs in a rolled-back
savepoint: a refused write and every GET must leave the business tables unchanged, and a
403 for a signed-in persona must leave a "denied" audit record.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

import zhaoyin
from tests.world import ANONYMOUS, PERSONAS, World
from zhaoyin.core.roles import ADMIN_ROLES, ALL_ROLES, Role

LOGIN = "login"
Status = int | str
Builder = Callable[[World], Mapping[str, Any]]
#: Per-persona overrides of a row's expectation, keyed by role (or "anonymous").
Scope = Mapping[Role, Status] | Mapping[str, Status]

# Kinds of route, each with the design rule the matrix test holds its expectations to.
PUBLIC = "public"  # reachable without signing in (allow-listed in test_authz_walk)
COMMON = "common"  # every signed-in account: home, own password, sign out, /me, org tree
BUSINESS = "business"  # business data: never the 三员; leaders read only
AUDIT = "audit"  # the audit log: the auditor only
USER_ADMIN = "user_admin"  # accounts, roles, security parameters: the security admin only
SYSTEM = "system"  # calendar, dictionaries, backups, settings: the sysadmin only
KINDS = frozenset({PUBLIC, COMMON, BUSINESS, AUDIT, USER_ADMIN, SYSTEM})

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Role groups the rows are written in (DESIGN §1).
EVERYONE = ALL_ROLES
#: Who reads enterprise-like business records (scope still applies: see ``scope=``).
READERS: frozenset[Role] = frozenset(
    {Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.UNIT_ADMIN, Role.STAFF, Role.SERVICE_MEMBER}
)
#: Who changes business records in general (the leader is read-only).
WRITERS: frozenset[Role] = frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF})
#: Unit-scoped personas (county A): they get 404 for county B's objects.
UNIT_SCOPED: frozenset[Role] = frozenset({Role.UNIT_ADMIN, Role.STAFF})


@dataclass(frozen=True)
class Row:
    """One request and the status each persona must get.

    ``target`` is a URL name (``"enterprises:list"``) or an API path with ``{param}``
    placeholders (``"/api/v1/enterprises/{id}"``); ``kwargs`` builds the URL parameters and
    ``data`` the body from the world. ``leader_action`` marks the few writes DESIGN §1 gives
    the leader (批示, 挂牌督办).
    """

    target: str
    method: str
    expect: Mapping[str, Status]
    kind: str = BUSINESS
    kwargs: Builder | None = None
    data: Builder | None = None
    query: str = ""
    label: str = ""
    leader_action: bool = False
    audit_denied: bool = True
    #: Tables a refused request may still change (a failed sign-in records the failure).
    may_change: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} for {self.target}")
        unknown = set(self.expect) - set(PERSONAS)
        if unknown:
            raise ValueError(f"unknown personas {sorted(unknown)} for {self.target}")

    @property
    def is_api(self) -> bool:
        return self.target.startswith("/api/")

    @property
    def key(self) -> str:
        """What the completeness test matches: ``"GET /api/v1/me"`` or a URL name."""
        return f"{self.method} {self.target}" if self.is_api else self.target

    @property
    def id(self) -> str:
        return f"{self.method} {self.target}{self.query}" + (f" [{self.label}]" if self.label else "")

    def expected(self, persona: str) -> Status:
        if persona in self.expect:
            return self.expect[persona]
        if persona == ANONYMOUS:
            return 401 if self.is_api else LOGIN
        return 403

    def url(self, world: World) -> str:
        kwargs = dict(self.kwargs(world)) if self.kwargs else {}
        if self.is_api:
            path = self.target
            for name, value in kwargs.items():
                path = path.replace("{" + name + "}", str(value))
            return path + self.query
        return reverse(self.target, kwargs=kwargs or None) + self.query


def _expectations(
    allowed: Iterable[Role],
    ok: Status,
    denied: Status,
    scope: Scope | None,
    anonymous: Status | None,
) -> dict[str, Status]:
    allowed_set = set(allowed)
    out: dict[str, Status] = {r.value: (ok if r in allowed_set else denied) for r in Role}
    for persona, status in (scope or {}).items():
        out[persona.value if isinstance(persona, Role) else persona] = status
    if anonymous is not None:
        out[ANONYMOUS] = anonymous
    return out


def web(
    name: str,
    method: str = "GET",
    *,
    allowed: Iterable[Role],
    ok: Status = 200,
    denied: Status = 403,
    scope: Scope | None = None,
    anonymous: Status | None = None,
    kind: str = BUSINESS,
    **options: Any,
) -> Row:
    """A row for a named URL: ``allowed`` roles get ``ok``, the rest ``denied``; ``scope``
    overrides single personas (e.g. 404 for a unit-scoped persona on another county's object)."""
    return Row(name, method, _expectations(allowed, ok, denied, scope, anonymous), kind=kind, **options)


def api(
    method: str,
    path: str,
    *,
    allowed: Iterable[Role],
    ok: Status = 200,
    denied: Status = 403,
    scope: Scope | None = None,
    anonymous: Status | None = None,
    kind: str = BUSINESS,
    **options: Any,
) -> Row:
    """A row for an API operation (``path`` as in the OpenAPI document, under /api/v1)."""
    if not path.startswith("/api/"):
        raise ValueError("API rows use the full path, e.g. /api/v1/me")
    return Row(path, method, _expectations(allowed, ok, denied, scope, anonymous), kind=kind, **options)


def everyone(target: str, method: str = "GET", status: Status = 200, *, kind: str = PUBLIC, **options: Any) -> Row:
    """A row where every persona, anonymous included, gets ``status``."""
    return Row(target, method, dict.fromkeys(PERSONAS, status), kind=kind, **options)


#: The matrix. Append rows (``MATRIX.append(row)`` / ``MATRIX += [...]``) from authz_rows modules.
MATRIX: list[Row] = []

_discovered = False


def discover_rows() -> list[Row]:
    """Import tests/authz_rows.py and every ``zhaoyin.<app>.tests.authz_rows`` once; the matrix."""
    global _discovered
    if not _discovered:
        _discovered = True
        importlib.import_module("tests.authz_rows")  # the foundation's rows
        for info in pkgutil.iter_modules(zhaoyin.__path__):
            if not info.ispkg or importlib.util.find_spec(f"zhaoyin.{info.name}.tests") is None:
                continue
            name = f"zhaoyin.{info.name}.tests.authz_rows"
            if importlib.util.find_spec(name) is not None:
                importlib.import_module(name)
            # An app may split its rows (``authz_rows_pages.py`` beside ``authz_rows.py``).
            tests_pkg = importlib.import_module(f"zhaoyin.{info.name}.tests")
            for sub in pkgutil.iter_modules(tests_pkg.__path__):
                if sub.name.startswith("authz_rows_"):
                    importlib.import_module(f"zhaoyin.{info.name}.tests.{sub.name}")
    return MATRIX


def is_success(status: Status) -> bool:
    return isinstance(status, int) and 200 <= status < 400


def design_violations(row: Row) -> list[str]:
    """What in ``row``'s expectations contradicts DESIGN §1 (empty when it follows it)."""
    problems = []
    succeeding = {p for p in PERSONAS if is_success(row.expected(p))}
    admin = {r.value for r in ADMIN_ROLES}
    if row.kind != PUBLIC and ANONYMOUS in succeeding:
        problems.append("anonymous succeeds on a non-public route")
    if row.kind == BUSINESS and succeeding & admin:
        problems.append(f"三员 {sorted(succeeding & admin)} reach business data")
    if row.kind == AUDIT and succeeding - {Role.AUDITOR.value}:
        problems.append(f"{sorted(succeeding - {Role.AUDITOR.value})} reach the audit log")
    if row.kind == USER_ADMIN and succeeding - {Role.SECURITY_ADMIN.value}:
        problems.append(f"{sorted(succeeding - {Role.SECURITY_ADMIN.value})} reach user administration")
    if row.kind == SYSTEM and row.method in UNSAFE_METHODS and succeeding - {Role.SYSADMIN.value}:
        problems.append(f"{sorted(succeeding - {Role.SYSADMIN.value})} change system settings")
    if (
        row.kind == BUSINESS
        and row.method in UNSAFE_METHODS
        and not row.leader_action
        and Role.LEADER.value in succeeding
    ):
        problems.append("the leader writes (leaders are read-only)")
    return problems


#: A refused sign-in is remembered for the per-IP throttle (AUTH-04).
SIGN_IN_STATE = frozenset({"accounts.loginfailure"})
