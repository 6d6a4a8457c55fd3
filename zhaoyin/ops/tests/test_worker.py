"""``zhaoyin worker``: periodic jobs run once per period across workers (CONC-05), queued
tasks are executed, and bad options exit 2."""

from __future__ import annotations

import datetime as dt
import io
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core import periodic as registry
from zhaoyin.ops import periodic
from zhaoyin.ops.models import PeriodicJobState
from zhaoyin.ops.tests.cli import OWN_SQLITE_FILE, cli_env, run_cli

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def counter_job() -> Iterator[list[int]]:
    calls: list[int] = []
    registry.register("test-counter", 600, lambda: calls.append(1))
    yield calls
    registry.unregister("test-counter")


def test_CONC_05_two_passes_in_one_period_run_the_job_once(counter_job: list[int]) -> None:
    now = timezone.now()
    assert "test-counter" in periodic.run_due(now=now, worker_id="w1")
    assert "test-counter" not in periodic.run_due(now=now + dt.timedelta(seconds=30), worker_id="w2")
    assert counter_job == [1]
    # The next period runs it again.
    assert "test-counter" in periodic.run_due(now=now + dt.timedelta(seconds=601), worker_id="w2")
    assert counter_job == [1, 1]
    state = PeriodicJobState.objects.get(name="test-counter")
    assert state.run_count == 2
    assert state.last_status == "ok"
    assert state.last_worker == "w2"


def test_CONC_05_claim_is_exclusive_between_workers(counter_job: list[int]) -> None:
    job = next(j for j in registry.registered() if j.name == "test-counter")
    now = timezone.now()
    assert periodic.claim(job, now=now, worker_id="a") is True
    assert periodic.claim(job, now=now, worker_id="b") is False
    assert periodic.claim(job, now=now + dt.timedelta(seconds=599), worker_id="b") is False


def test_CONC_05_worker_once_twice_runs_job_once(counter_job: list[int]) -> None:
    call_command("worker", "--once", stdout=io.StringIO())
    call_command("worker", "--once", stdout=io.StringIO())
    assert counter_job == [1]


def test_failing_job_is_recorded_and_retried_sooner() -> None:
    def boom() -> None:
        raise RuntimeError("scan failed")

    registry.register("test-boom", 86400, boom)
    try:
        now = timezone.now()
        assert "test-boom" in periodic.run_due(now=now, worker_id="w")
        state = PeriodicJobState.objects.get(name="test-boom")
        assert state.last_status == "failed"
        assert "scan failed" in state.last_error
        # Not again within the retry delay, but again after it, long before a day has passed.
        assert "test-boom" not in periodic.run_due(now=now + dt.timedelta(seconds=10), worker_id="w")
        assert "test-boom" in periodic.run_due(now=now + dt.timedelta(seconds=61), worker_id="w")
    finally:
        registry.unregister("test-boom")


def test_clearsessions_is_registered_hourly_and_clears_expired() -> None:
    job = next(j for j in registry.registered() if j.name == "clearsessions")
    assert job.every_seconds == 3600
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - dt.timedelta(days=1))
    Session.objects.create(session_key="y" * 32, session_data="", expire_date=timezone.now() + dt.timedelta(days=1))
    job.fn()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["y" * 32]


def test_queued_task_is_executed_by_the_worker() -> None:
    from django_tasks_db.models import DBTaskResult

    from zhaoyin.ops.tests.tasks_for_tests import record_marker

    with override_settings(TASKS=DB_QUEUE):
        result = record_marker.enqueue("hello-worker")
        assert DBTaskResult.objects.get(id=result.id).status == "READY"
        assert not AuditRecord.objects.filter(action="test.task_ran").exists()
        out = io.StringIO()
        call_command("worker", "--once", stdout=out)
        assert "tasks run: 1" in out.getvalue()
        row = DBTaskResult.objects.get(id=result.id)
        assert row.status == "SUCCESSFUL"
        assert row.return_value == "hello-worker"
    rec = AuditRecord.objects.get(action="test.task_ran")
    assert rec.detail == "hello-worker"
    assert rec.channel == "worker"


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "99999"])
def test_bad_interval_exits_2(value: str) -> None:
    with pytest.raises(CommandError) as info:
        call_command("worker", "--once", "--interval", value)
    assert info.value.returncode == 2
    assert "--interval" in str(info.value)


@OWN_SQLITE_FILE
def test_worker_process_stops_cleanly_on_sigterm(migrated_data_dir: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhaoyin.cli", "worker", "--interval", "0.2"],
        cwd=REPO, env=cli_env(migrated_data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "running" in line
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@OWN_SQLITE_FILE
def test_worker_on_an_unmigrated_database_exits_2(tmp_path: Path) -> None:
    proc = run_cli("worker", "--once", data_dir=tmp_path, check=False)
    assert proc.returncode == 2
    assert "zhaoyin migrate" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_the_worker_runs_every_app_job_on_its_period_without_importing_the_apps() -> None:
    """The whole schedule, registered by the apps in ``core.periodic`` (ops discovers it)."""
    jobs = {job.name: job.every_seconds for job in registry.registered() if not job.name.startswith("test-")}
    assert jobs == {
        "clearsessions": 3600,
        "purge_stale_imports": 3600,
        "projects.alerts": 3600,
        "matters-escalation-scan": 300,
        "notifications-deliver": 60,
        "policies-match-refresh": 86400,
        "policies-expire": 86400,
        "audit-checkpoint": 86400,
        "apartments-expiry-reminders": 21600,
        "payouts-publicity-over": 3600,
    }
