"""Issue 12 D6: the per-IP sign-in throttle is exact under parallel attempts (AUTH-04).

30 attempts at once from an address with 5 failures left in its window: exactly 5 are
evaluated and 25 refused by the throttle, on a SQLite file (a real ``zhaoyin`` process whose
threads have their own connections) and on PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

from zhaoyin.ops.tests.cli import run_cli
from zhaoyin.ops.tests.conftest import drill_database, fresh_database  # noqa: F401 - the fixtures below

RACE = """
import json, threading
from django.db import connections
from django.utils import timezone
from zhaoyin.accounts.models import LoginFailure, ThrottledSignIns
from zhaoyin.accounts.services import SignInRefused, security, sign_in
from zhaoyin.audit.models import AuditRecord

IP = "203.0.113.9"
LEFT, ATTEMPTS = 5, 30
limit = security("IP_THROTTLE_FAILURES")
LoginFailure.objects.bulk_create([LoginFailure(ip=IP, at=timezone.now()) for _ in range(limit - LEFT)])
barrier = threading.Barrier(ATTEMPTS)
reasons, errors = [], []
guard = threading.Lock()

def attempt(n):
    try:
        barrier.wait()
        try:
            sign_in(username=f"spray{n}", password="Wrong-Pass-2026", otp=None, ip=IP)
            reason = "signed_in"
        except SignInRefused as exc:
            reason = exc.reason
        with guard:
            reasons.append(reason)
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()

threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
for t in threads: t.start()
for t in threads: t.join(timeout=240)
print("RESULT " + json.dumps({
    "errors": errors[:3],
    "evaluated": sum(r != "ip_throttled" for r in reasons),
    "throttled": reasons.count("ip_throttled"),
    "failures": LoginFailure.objects.filter(ip=IP).count(),
    "limit": limit,
    "audited_failures": AuditRecord.objects.filter(action="auth.login", detail="unknown_or_inactive").count(),
    "audited_throttled": AuditRecord.objects.filter(action="auth.login", detail="ip_throttled").count(),
    "windows": ThrottledSignIns.objects.filter(ip=IP).count(),
    "counted": sum(ThrottledSignIns.objects.filter(ip=IP).values_list("refused", flat=True)),
}))
"""


def test_AUTH_04_d6_parallel_attempts_evaluate_exactly_the_attempts_left(
    drill_database: tuple[Path, str | None],  # noqa: F811 - the imported fixture
) -> None:
    data_dir, url = drill_database
    run_cli("migrate", "--noinput", "-v", "0", data_dir=data_dir, database_url=url)
    out = run_cli("shell", "-v", "0", "-c", RACE, data_dir=data_dir, database_url=url).stdout
    result = json.loads(next(ln for ln in out.splitlines() if ln.startswith("RESULT "))[len("RESULT "):])
    assert result["errors"] == [], out
    assert result["evaluated"] == 5, result
    assert result["throttled"] == 25, result
    assert result["failures"] == result["limit"]
    assert result["audited_failures"] == 5
    # One audit row per window for the refusals (two only if the attempts straddle a window's end).
    assert result["windows"] in (1, 2), result
    assert result["audited_throttled"] == result["windows"]
    assert result["counted"] == 25
