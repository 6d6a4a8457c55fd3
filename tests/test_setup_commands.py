"""Issue 19: `make test` installs the Debian packages it needs from one list shared with
`.ci/run`; once they are there, a second run installs nothing and prints nothing. And the
README's `make run`, from a fresh clone with a fresh data directory, serves the sign-in page
and prints the demo sign-ins."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from zhaoyin.ops.tests.cli import OWN_SQLITE_FILE
from zhaoyin.ops.tests.test_serve import free_port

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tools" / "system_packages.sh"
DEMO_ACCOUNTS = (
    "demo_city_admin", "demo_leader", "demo_supervisor", "demo_unit_admin", "demo_staff", "demo_service_member",
    "demo_enterprise", "demo_talent", "demo_sysadmin", "demo_security_admin", "demo_auditor",
)


def test_with_every_package_present_the_check_is_quiet_and_succeeds() -> None:
    # make test has just run this script, so every package is present on this machine.
    proc = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == ""


def test_ci_and_make_test_share_the_one_package_list() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    makefile = (REPO / "Makefile").read_text()
    assert "PACKAGES=(" not in ci
    assert "tools/system_packages.sh" in ci
    assert "tools/system_packages.sh" in makefile
    assert "test: system-packages install" in makefile


def _clean_env(clone: Path, data_dir: Path) -> dict[str, str]:
    """A new user's shell: none of the suite's settings, database or make state."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("ZHAOYIN_", "DJANGO_", "MAKE", "MFLAGS", "PYTEST_"))
        and k not in ("DATABASE_URL", "PYTHONPATH")
    }
    # The shared venv's editable install points at the checkout the suite runs from: the
    # clone's own code goes first on the path, so the clone is what runs.
    env.update(ZHAOYIN_DATA_DIR=str(data_dir), PYTHONPATH=str(clone), PYTHONUNBUFFERED="1")
    return env


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """The child's output, line by line, without blocking the test on a silent child."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _read_until(lines: queue.Queue[str | None], marker: str, seen: list[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
        except queue.Empty:
            break
        if line is None:
            raise AssertionError("make run ended early:\n" + "".join(seen[-60:]))
        seen.append(line)
        if marker in line:
            return
    raise AssertionError(f"make run printed no {marker!r} in {seconds:.0f} s:\n" + "".join(seen[-60:]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    return True


# The clone's `make run` uses its own fresh SQLite file whatever the suite's database (the
# environment drops DATABASE_URL): the PostgreSQL pass would repeat the same 40 s exactly.
@OWN_SQLITE_FILE
def test_readme_make_run_from_a_fresh_clone_serves_the_sign_in_page_and_prints_the_sign_ins(tmp_path: Path) -> None:
    """Issue 19 item 4: the README's `make run` in a fresh clone with a fresh ZHAOYIN_DATA_DIR.

    What is skipped: the package installation (this machine has the packages, see the test
    above) and the venv's: the clone uses the venv the suite runs in (``VENV=``, with make's
    ``-o`` marking its install stamp as up to date), because a fresh venv from PyPI takes
    minutes and the network. Everything else is the README's command as a new user types it:
    migrate into a directory that does not exist yet, load the demo, start server and worker.
    The clone is of the committed HEAD, as a new user gets it.
    """
    clone = tmp_path / "zhaoyin"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, capture_output=True, timeout=120)
    venv = Path(sys.prefix)
    assert (venv / "bin" / "zhaoyin").is_file(), "the suite runs outside the venv `make install` makes"
    data_dir = tmp_path / "fresh" / "data"
    port = free_port()
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"VENV={venv}", "HOST=127.0.0.1", f"PORT={port}",
         "-o", f"{venv}/.installed"],
        cwd=clone, env=_clean_env(clone, data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group, stopped below as Ctrl-C would stop it
    )
    seen: list[str] = []
    worker_pid = 0
    try:
        lines = _lines(proc)
        # About 35 s of CPU (migrate ~10, demo ~20); generous for a machine busy with both passes.
        _read_until(lines, "is running at http://", seen, 300)
        running = seen[-1]
        assert f"http://127.0.0.1:{port}/" in running
        worker_pid = int(re.search(r"pid (\d+)", running).group(1))  # type: ignore[union-attr]
        _read_until(lines, "Press Ctrl-C to stop.", seen, 30)
        printed = "".join(seen[seen.index(running):])
        for name in DEMO_ACCOUNTS:
            assert name in printed, printed
        assert "Demo#Pass2026" in printed
        assert "otp-code demo_city_admin" in printed

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=20) as resp:
            assert resp.status == 200
            page = resp.read().decode()
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title is not None
        assert "登录" in title.group(1)
        assert "招引" in title.group(1)

        # A fresh data directory made by zhaoyin itself: 0700, its database 0600 (issue 12 D9).
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        assert stat.S_IMODE((data_dir / "zhaoyin.sqlite3").stat().st_mode) == 0o600

        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
    deadline = time.monotonic() + 20
    while worker_pid and _alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if worker_pid and _alive(worker_pid):
        os.killpg(worker_pid, signal.SIGKILL)  # its own session (run_local starts it so)
        raise AssertionError("the worker outlived make run")
    with socket.socket() as probe:
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the server outlived make run"
