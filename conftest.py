"""Shared fixtures: a small org tree with two counties, and accounts for every role.

Personas follow the healthchecks habit: an owner in county A, a colleague, and an outsider
in county B who must get 404 for A's records.

Every answer the test client gets from /api/v1 is checked against the OpenAPI document
(``_api_answers_conform``, zhaoyin.core.conformance).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.http.response import HttpResponseBase
from django.test import Client, override_settings
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.accounts.services import user_create
from zhaoyin.core.conformance import API_PREFIX, DocumentChecker
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import SetupReplay

PASSWORD = "Zy-Test-Pass-2026"  # noqa: S105 - test fixture password

# ---- tests that run in one pass of `make test` only ------------------------------------------

#: Set by tools/test_passes.py in both passes it starts: the other database's pass runs too.
BOTH_PASSES_ENV = "ZHAOYIN_TEST_PASSES"
#: The database vendors a pass runs on (``connection.vendor``).
PASS_VENDORS = frozenset({"sqlite", "postgresql"})


def one_pass_keeps(marker: pytest.Mark, vendor: str) -> bool:
    """Whether a test marked ``one_pass(VENDOR, reason=...)`` runs in the pass on ``vendor``.

    A test gets the mark when what it proves does not depend on the suite's database (a child
    process on its own SQLite file) or when running it once per ``make test`` proves as much as
    twice (docs/benchmarks.md, "Test suite time"); the reason says which. A mark without a
    known vendor or a reason stops the run rather than losing the test from both passes.
    """
    wanted = marker.args[0] if marker.args else None
    if wanted not in PASS_VENDORS or not str(marker.kwargs.get("reason", "")).strip():
        raise pytest.UsageError(
            f"one_pass needs a vendor ({', '.join(sorted(PASS_VENDORS))}) and a reason; got {marker!r}"
        )
    return bool(wanted == vendor)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """When ``make test`` runs both passes (``ZHAOYIN_TEST_PASSES=both``), a ``one_pass`` test
    is deselected from the other database's pass (reported as deselected, never skipped). Run
    on its own (``make test-sqlite``, one module), every test runs."""
    if os.environ.get(BOTH_PASSES_ENV) != "both":
        return
    from django.db import connection

    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("one_pass")
        (keep if marker is None or one_pass_keeps(marker, connection.vendor) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def build_org_tree() -> dict[str, OrgUnit]:
    """The small org tree of ``org_tree`` (for fixtures of a wider scope, which build it themselves)."""
    city = OrgUnit.objects.create(code="340400", name="淮南市", kind=OrgUnitKind.CITY)
    units = {"city": city}
    for key, code, name, kind in [
        ("county_a", "340402", "大通区", OrgUnitKind.COUNTY),
        ("county_b", "340403", "田家庵区", OrgUnitKind.COUNTY),
        ("park_a", "park-a", "A园区", OrgUnitKind.PARK),
        ("dept", "dept-fgw", "发展改革委", OrgUnitKind.DEPARTMENT),
        ("group_1", "sg-01", "第一服务组", OrgUnitKind.SERVICE_GROUP),
        ("group_2", "sg-02", "第二服务组", OrgUnitKind.SERVICE_GROUP),
        ("station", "st-sh", "驻长三角人才工作站", OrgUnitKind.STATION),
    ]:
        units[key] = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=city)
    # A park inside county A, to test that scope follows the tree.
    units["park_a"].parent = units["county_a"]
    units["park_a"].save()
    for u in units.values():
        u.refresh_from_db()
    return units


@pytest.fixture
def org_tree(db: Any) -> dict[str, OrgUnit]:
    return build_org_tree()


MakeUser = Callable[..., User]


def user_maker(units: dict[str, OrgUnit]) -> MakeUser:
    """What ``make_user`` gives: ``make(role, unit="city", username=None, **fields)``."""
    counter = {"n": 0}

    def make(role: Role | str, unit: str = "city", username: str | None = None, **kwargs: Any) -> User:
        counter["n"] += 1
        name = username or f"{Role(role).value}{counter['n']}"
        user, _uri = user_create(
            acting_user=None, username=name, password=PASSWORD, roles=[Role(role).value],
            org_unit=units[unit], **kwargs,
        )
        return user

    return make


# ---- every API answer of the suite conforms to the OpenAPI document -------------------------

_checker: DocumentChecker | None = None


def api_checker() -> DocumentChecker:
    """The checker of the document /api/v1/openapi.json serves (built once per test run)."""
    global _checker
    if _checker is None:
        from config.api import api

        _checker = DocumentChecker(json.loads(json.dumps(api.get_openapi_schema())))
    return _checker


def check_api_response(request: dict[str, Any], response: HttpResponseBase) -> None:
    """Fail when an /api/v1 answer is not one the OpenAPI document declares."""
    path = str(request.get("PATH_INFO", ""))
    if not path.startswith(API_PREFIX) or getattr(response, "streaming", False):
        return
    problems = api_checker().response_problems(
        str(request.get("REQUEST_METHOD", "GET")), path, response.status_code,
        response.get("Content-Type", ""), response.content,  # type: ignore[attr-defined]
    )
    if problems:
        raise AssertionError("The answer does not conform to the OpenAPI document:\n" + "\n".join(problems))


@pytest.fixture(autouse=True)
def _api_answers_conform(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every answer the test client gets from /api/v1 is checked against the document."""
    original = Client.request

    def request(self: Client, **kwargs: Any) -> Any:
        response = original(self, **kwargs)
        check_api_response(kwargs, response)
        return response

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture(autouse=True)
def _module_today_is_the_tests_day(request: pytest.FixtureRequest) -> None:
    """A test module's ``TODAY`` (the day, read at import) is read again as each test starts:
    a suite that runs across midnight in the city's time zone (16:00 UTC) would otherwise
    compare the day it was collected with the day the services see."""
    module = getattr(request, "module", None)
    if module is not None and isinstance(getattr(module, "TODAY", None), dt.date):
        module.TODAY = timezone.localdate()


_checkpoint_dirs = itertools.count()


@pytest.fixture(autouse=True)
def _audit_checkpoints_apart(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test has its own audit checkpoint directory (created only when written to): a
    checkpoint written during one test (a worker pass runs every job) would otherwise make
    the next test's log look cut short (issue 12 D2)."""
    path = tmp_path_factory.getbasetemp() / "audit-checkpoints" / str(next(_checkpoint_dirs))
    with override_settings(AUDIT_CHECKPOINT_DIR=path):
        yield


@pytest.fixture
def make_user(org_tree: dict[str, OrgUnit]) -> MakeUser:
    return user_maker(org_tree)


@pytest.fixture(scope="session")
def setup_replay() -> SetupReplay:
    """Expensive setup steps run once per test run and starting state, replayed after that."""
    return SetupReplay()


LoadDemo = Callable[..., str]


@pytest.fixture
def load_demo(db: Any, setup_replay: SetupReplay) -> LoadDemo:
    """``load_demo(year=None)``: what ``zhaoyin demo [--year YEAR]`` does; returns its output.

    The demo (10–15 s) is loaded for real the first time a year is asked for from a given
    database state, and replayed as rows after that (see ``SetupReplay``): every test gets
    the same rows a load would give it. Ask for it before creating anything else, or the
    starting state differs and the load runs for real.
    """

    def load(year: int | None = None) -> str:
        today = timezone.localdate()
        year = today.year if year is None else year

        def run() -> str:
            out = StringIO()
            call_command("demo", "--year", str(year), stdout=out)
            return out.getvalue()

        # The date is part of the key: the demo's clocks (deadlines, visit dates) follow it.
        output: str = setup_replay.run(("demo", year, today), run)
        cache.clear()  # nothing computed from another test's rows survives a replay
        return output

    return load
