"""``tools/run_local.py`` (``make run``): server + worker start, a taken port is refused with
exit 2, Ctrl-C stops both, and a second run after that works."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from zhaoyin.ops.tests.cli import OWN_SQLITE_FILE, REPO, cli_env
from zhaoyin.ops.tests.test_serve import free_port

RUN_LOCAL = REPO / "tools" / "run_local.py"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); look at its state.
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        return state != "Z"
    return True


def _start(data_dir: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(RUN_LOCAL), "--port", str(port)], cwd=REPO,
        env=cli_env(data_dir, env="development"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for_url(proc: subprocess.Popen[str]) -> tuple[str, int, list[str]]:
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"run_local ended early: {seen} {proc.stderr.read() if proc.stderr else ''}")
        seen.append(line)
        if "is running at http://" in line:
            url = line.split("at ", 1)[1].split()[0]
            pid = int(line.rsplit("pid ", 1)[1].rstrip(")\n "))
            more = [proc.stdout.readline() for _ in range(2)]
            return url, pid, more
    raise AssertionError("run_local printed no URL in time")


def _run_once(data_dir: Path, port: int) -> None:
    proc = _start(data_dir, port)
    worker_pid = 0
    try:
        url, worker_pid, more = _wait_for_url(proc)
        assert url == f"http://127.0.0.1:{port}/"
        assert any("emo" in line for line in more)  # the demo accounts (or where to find them)
        with urllib.request.urlopen(url + "healthz", timeout=10) as resp:  # noqa: S310 - loopback
            assert resp.status == 200
        assert _alive(worker_pid)
        # A second run while this one is up: refused with exit 2 and a one-line reason.
        clash = subprocess.run(
            [sys.executable, str(RUN_LOCAL), "--port", str(port)], cwd=REPO, env=cli_env(data_dir),
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert clash.returncode == 2
        assert "already in use" in clash.stderr
        assert len(clash.stderr.strip().splitlines()) == 1
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    deadline = time.monotonic() + 10
    while worker_pid and _alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker_pid), "the worker outlived run_local"


@OWN_SQLITE_FILE
def test_run_local_starts_server_and_worker_and_stops_both(migrated_data_dir: Path) -> None:
    port = free_port()
    _run_once(migrated_data_dir, port)
    # A second `make run` reuses what exists (the database, the collected static files).
    _run_once(migrated_data_dir, port)
