"""The role × scope × action matrix (AC-02, AC-03, AC-05): every row, every persona.

For each row of tests/authz_matrix.py the request is made as anonymous and as one account
per role, each in its own savepoint that is rolled back, so one persona's successful write
does not change what the next one sees. A refused write (and any GET) must leave every
business table byte-identical; a 403 for a signed-in account must be audited as denied.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.authz_matrix import LOGIN, MATRIX, UNSAFE_METHODS, Row, Status, design_violations, discover_rows
from tests.urlwalk import api_operations, web_routes
from tests.world import ANONYMOUS, PERSONAS, World
from zhaoyin.audit.models import AuditRecord, Outcome
from zhaoyin.core.testing import db_fingerprint, fingerprint_changes

discover_rows()


@pytest.fixture
def world(shared_world: World) -> World:
    """The tests of this module share one world, built once (tests/conftest.py ``module_world``)."""
    return shared_world

REDIRECTS = frozenset({301, 302, 303, 307, 308})
REFUSALS = frozenset({LOGIN, 401, 403, 404, 405})


def send(client: Client, row: Row, url: str, world: World) -> HttpResponse:
    data = dict(row.data(world)) if row.data else None
    if row.is_api:
        body = json.dumps(data) if data is not None else ""
        return client.generic(row.method, url, body, content_type="application/json")  # type: ignore[return-value]
    if row.method == "GET":
        return client.get(url, data)  # type: ignore[return-value]
    if row.method == "POST":
        return client.post(url, data or {})  # type: ignore[return-value]
    return client.generic(  # type: ignore[return-value]
        row.method, url, urlencode(data or {}), content_type="application/x-www-form-urlencoded"
    )


def observed(response: HttpResponse) -> Status:
    """The status, with a redirect to the sign-in page reported as ``LOGIN``."""
    if response.status_code in REDIRECTS and urlsplit(response["Location"]).path == reverse("accounts:login"):
        return LOGIN
    return response.status_code


def check_row(row: Row, world: World) -> list[str]:
    """Every persona's deviation from the row's expectation, as readable lines."""
    problems: list[str] = []
    url = row.url(world)
    clients = {p: world.api_client_for(p) if row.is_api else world.client_for(p) for p in PERSONAS}
    # Every persona's request runs in a savepoint that is rolled back: one "before" serves all.
    before = db_fingerprint()
    last_audit = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for persona in PERSONAS:
        with transaction.atomic():
            response = send(clients[persona], row, url, world)
            got, want = observed(response), row.expected(persona)
            if got != want:
                problems.append(f"{persona}: expected {want}, got {got}")
            if row.method not in UNSAFE_METHODS or got in REFUSALS:
                after = db_fingerprint()
                changes = [c for c in fingerprint_changes(before, after) if c.split(":")[0] not in row.may_change]
                if changes:
                    what = "GET" if row.method not in UNSAFE_METHODS else f"refused {row.method}"
                    problems.append(f"{persona}: {what} changed the database: {'; '.join(changes)}")
            if got == 403 and persona != ANONYMOUS and row.audit_denied:
                denied = AuditRecord.objects.filter(pk__gt=last_audit, outcome=Outcome.DENIED)
                if not denied.exists():
                    problems.append(f"{persona}: 403 without a 'denied' audit record (AUD-01)")
            transaction.set_rollback(True)
    return problems


@pytest.mark.parametrize("row", MATRIX, ids=[row.id for row in MATRIX])
def test_AC_02_AC_03_matrix(row: Row, world: World) -> None:
    problems = check_row(row, world)
    assert not problems, f"{row.id} ({row.kind}):\n  " + "\n  ".join(problems)


def test_AC_02_matrix_follows_the_design() -> None:
    """Expectations obey DESIGN §1: leader read-only, 三员 no business data, each 员 its own area."""
    violations = [f"{row.id}: {p}" for row in MATRIX for p in design_violations(row)]
    assert not violations, "matrix rows contradict DESIGN §1:\n  " + "\n  ".join(violations)


def _shape(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", "/" + path.lstrip("/"))


def test_AC_02_every_route_has_a_matrix_row() -> None:
    """No endpoint ships without an authorization decision (the Zulip completeness idea)."""
    keys = {row.key for row in MATRIX}
    operations = api_operations()
    operation_shapes = {_shape(op.path) for op in operations}
    missing = [f"API {op.key}" for op in operations if op.key not in keys]
    known = {op.key for op in operations}
    for route in web_routes():
        if route.is_api and _shape(route.route) in operation_shapes:
            continue  # an API operation's pattern: covered per method above
        if route.name is None:
            missing.append(f"unnamed URL pattern /{route.route} (name it so the matrix can cover it)")
        elif route.name not in keys:
            missing.append(route.name)
        known.add(route.name or "")
    assert not missing, (
        "routes without a row in the authorization matrix (add one to tests/authz_matrix.py or "
        "zhaoyin/<app>/tests/authz_rows.py):\n  " + "\n  ".join(sorted(missing))
    )
    stale = sorted({row.key for row in MATRIX} - known)
    assert not stale, "matrix rows for routes that do not exist:\n  " + "\n  ".join(stale)


def _row(row_id: str) -> Row:
    found = [row for row in MATRIX if row.id == row_id]
    assert found, f"matrix row {row_id!r} is gone: update the mutation test"
    return found[0]


def test_AC_03_mutation_widened_unit_scope_is_caught(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Security-requirements §4.6: widen a scope function and the matrix must fail."""
    from django.db.models import Q

    from zhaoyin.enterprises import selectors

    monkeypatch.setattr(selectors, "enterprise_scope_q", lambda user: Q())
    problems = check_row(_row("GET enterprises:detail [county B]"), world)
    for persona in ("unit_admin", "staff", "service_member", "enterprise"):
        assert f"{persona}: expected 404, got 200" in problems, problems


def test_AC_02_mutation_letting_every_role_through_is_caught(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let every role through the route rules: the leader and the others reach the audit log,
    and the refused writes change their answer (the services' own checks still hold)."""
    from zhaoyin.core.authz import Rule

    monkeypatch.setattr(Rule, "allows", lambda self, roles: True)
    audit = check_row(_row("GET audit:list"), world)
    assert "leader: expected 403, got 200" in audit, audit
    assert "sysadmin: expected 403, got 200" in audit, audit
    assert check_row(_row("POST enterprises:edit [county A]"), world)
