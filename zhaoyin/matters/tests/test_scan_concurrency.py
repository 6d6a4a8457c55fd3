"""Two escalation passes at the same time issue each notice once (threads with their own
database connections on PostgreSQL; on SQLite, whose in-memory test database one connection
holds, one after the other)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

from zhaoyin.core.testing import create_audit_triggers, drop_audit_triggers
from zhaoyin.matters.clocks import SHANGHAI
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import MatterNotice
from zhaoyin.matters.scan import scan_pass
from zhaoyin.matters.tests.conftest import MakeMatter, People
from zhaoyin.notifications.models import Notification


@pytest.fixture
def flushable_audit(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A transactional test ends by deleting every row, which the audit log's append-only
    triggers refuse: lift them for this test (set up before the database fixture, so torn
    down after its flush), then put back the seeded rows and the triggers."""
    with django_db_blocker.unblock():
        drop_audit_triggers()
    yield
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)
        create_audit_triggers()


def test_two_concurrent_scans_issue_each_notice_once(
    flushable_audit: None, transactional_db: None, django_db_serialized_rollback: None, people: People,
    make_matter: MakeMatter,
) -> None:
    matters = [make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 6, 5)) for _ in range(60)]
    moment = dt.datetime(2026, 6, 15, 9, tzinfo=SHANGHAI)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(scan_pass(moment, chunk=7))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)

        def racer() -> None:
            barrier.wait()
            run()

        threads = [threading.Thread(target=racer) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    else:
        run()
        run()
    assert not errors, errors
    assert len(results) == 2
    assert sum(r.notices["urge"] for r in results) == 60
    assert sum(r.notices["supervise"] for r in results) == 60
    counts = Counter(MatterNotice.objects.values_list("matter_id", "kind"))
    assert set(counts.values()) == {1}
    assert len(counts) == 120
    assert Notification.objects.filter(recipient=people.lead).count() == 120
    assert Notification.objects.filter(recipient=people.supervisor).count() == 60
    assert {m.pk for m in matters} == {mid for mid, _kind in counts}
