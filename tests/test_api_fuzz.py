"""Schemathesis over /api/v1/openapi.json: no input makes the API answer 5xx (DESIGN 5.1).

The schema is loaded from the running Django application (WSGI, in-process) and every
operation gets a bounded number of generated requests, authenticated as a city admin with a
bearer token. Only ``not_a_server_error`` is checked: bad input must be a 4xx with the
error format, never a crash. The requests run inside the test's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.world import World
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.roles import Role

OPENAPI = "/api/v1/openapi.json"


@pytest.fixture
def _no_connection_recycling() -> Iterator[None]:
    """Keep the test's transaction open across in-process WSGI requests.

    Django closes a connection that is not in autocommit mode when a request starts or ends;
    inside a test's transaction that would end the transaction. Django's own test client
    disconnects the same handlers for the same reason.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world: World, _no_connection_recycling: None) -> Any:
    return schemathesis.openapi.from_wsgi(OPENAPI, WSGIHandler())


@pytest.fixture
def bearer(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_issue(user=world.user(Role.CITY_ADMIN))}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_VAL_01_api_never_answers_5xx(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
