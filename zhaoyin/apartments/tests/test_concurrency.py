"""Twenty allocations of one unit at the same moment: exactly one succeeds, nineteen get 409
(issue 13's acceptance). On PostgreSQL twenty threads with their own connections start
together behind a barrier; on SQLite, whose in-memory test database one connection holds, they
run one after the other (the conditional UPDATE and the partial unique index decide there)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

from zhaoyin.apartments.inputs import ApartmentActionInput
from zhaoyin.apartments.models import Application, ApplicationState, UnitState
from zhaoyin.apartments.services import application_transition
from zhaoyin.apartments.tests.conftest import Housing
from zhaoyin.core.errors import Conflict
from zhaoyin.core.testing import create_audit_triggers, drop_audit_triggers

RACERS = 20


@pytest.fixture
def flushable_audit(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A transactional test ends by deleting every row, which the audit log's append-only
    triggers refuse: lift them for this test, then put back the seeded rows and the triggers."""
    with django_db_blocker.unblock():
        drop_audit_triggers()
    yield
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)
        create_audit_triggers()


def test_twenty_concurrent_allocations_of_one_unit_give_exactly_one(
    flushable_audit: None, transactional_db: None, django_db_serialized_rollback: None, housing: Housing
) -> None:
    # The seeded rules (migration 0002) are flushed with everything else by a transactional test.
    from zhaoyin.apartments.models import WaitlistRule

    WaitlistRule.objects.get_or_create(active=True, defaults={"name": "test", "tier_order": "ABCDE"})
    unit = housing.unit("888")
    apps = [housing.waitlisted(housing.talent(f"并发{i}")) for i in range(RACERS)]
    outcomes: list[str] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def allocate(app: Application) -> None:
        try:
            application_transition(acting_user=housing.office, application=app, action="allocate",
                                   data=ApartmentActionInput.of(unit=unit.pk))
            result = "ok"
        except Conflict:
            result = "conflict"
        except BaseException as exc:  # reported below
            errors.append(exc)
            return
        finally:
            if connection.vendor == "postgresql":
                connections.close_all()
        with guard:
            outcomes.append(result)

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(RACERS)

        def racer(app: Application) -> None:
            barrier.wait()
            allocate(app)

        threads = [threading.Thread(target=racer, args=(a,)) for a in apps]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    else:
        for app in apps:
            allocate(app)

    assert not errors, errors
    assert sorted(outcomes) == ["conflict"] * (RACERS - 1) + ["ok"]
    unit.refresh_from_db()
    assert unit.state == UnitState.RESERVED
    assert Application.objects.filter(state=ApplicationState.ALLOCATED, unit=unit).count() == 1
    assert Application.objects.filter(state=ApplicationState.WAITLISTED).count() == RACERS - 1
