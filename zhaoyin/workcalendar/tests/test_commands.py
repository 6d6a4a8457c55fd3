"""``zhaoyin workdays add YYYY-MM-DD N`` (DESIGN 5.2): the date, ``provisional`` when so,
exit 2 with a one-line reason for bad input."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue().strip()


def test_design_worked_cases() -> None:
    assert run("add", "2026-09-30", "5") == "2026-10-13"
    assert run("add", "2026-02-13", "1") == "2026-02-14"


def test_provisional_is_printed() -> None:
    assert run("add", "2026-12-30", "5") == "2027-01-07 provisional"


@pytest.mark.parametrize(("args", "prefix"), [
    (("add", "2026-13-01", "5"), "start"),
    (("add", "30/09/2026", "5"), "start"),
    (("add", "2026-09-30", "-1"), "N"),
    (("add", "2026-09-30", "x"), "N"),
    (("add", "2026-09-30", "3651"), "N"),
    (("add", "2003-12-31", "1"), "start"),
    (("add", "2099-12-30", "5"), "N"),
])
def test_bad_input_exits_2_with_a_reason(args: tuple[str, ...], prefix: str) -> None:
    with pytest.raises(CommandError) as err:
        run(*args)
    assert err.value.returncode == 2
    assert str(err.value).startswith(prefix)
    assert "\n" not in str(err.value)


def test_the_process_exit_code_is_2_and_stderr_one_line(tmp_path: Path) -> None:
    # The date is refused before the database is touched, so any data directory will do.
    env = {"PATH": "/usr/bin:/bin", "ZHAOYIN_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "workdays", "add", "2026-02-30", "1"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "start" in lines[0]
    assert proc.stdout == ""
