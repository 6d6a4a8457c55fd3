"""``zhaoyin serve``: the production WSGI server answers over real HTTP, serves static files,
and refuses a taken port or bad options with exit 2."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from zhaoyin.ops.tests.cli import OWN_SQLITE_FILE, REPO, cli_env, run_cli

# Every test here serves a data directory of its own, on SQLite in both passes.
pytestmark = OWN_SQLITE_FILE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(data_dir: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhaoyin.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "2"],
        cwd=REPO, env=cli_env(data_dir, env="development"), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else ""
                raise AssertionError(f"serve exited early ({proc.returncode}): {out}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("serve did not start listening within 60 s")
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout:
            proc.stdout.close()


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - a loopback URL we built
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_serve_answers_healthz_login_and_static_over_http(migrated_data_dir: Path) -> None:
    port = free_port()
    with serving(migrated_data_dir, port) as proc:
        base = f"http://127.0.0.1:{port}"
        status, headers, body = get(base + "/healthz")
        assert status == 200
        assert b'"ok"' in body
        status, headers, body = get(base + "/accounts/login/")
        assert status == 200
        assert headers.get("Server", "").startswith("zhaoyin") or "Server" in headers
        assert b"<form" in body
        assert "Content-Security-Policy" in headers
        # Static files are served by the same process (WhiteNoise) in production.
        status, headers, body = get(base + "/static/css/zhaoyin.css")
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert (migrated_data_dir / "static" / ".zhaoyin-collected").is_file()
        # A second server on the same port is refused with a one-line reason and exit 2.
        clash = run_cli("serve", "--port", str(port), data_dir=migrated_data_dir, env="development", check=False)
        assert clash.returncode == 2
        assert "in use" in clash.stderr
        assert len(clash.stderr.strip().splitlines()) == 1
        assert proc.poll() is None
    assert proc.returncode == 0


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--port", "0"], "--port"), (["--port", "http"], "--port"), (["--threads", "0"], "--threads"),
     (["--host", "example.org"], "--host")],
)
def test_serve_bad_options_exit_2(migrated_data_dir: Path, args: list[str], field: str) -> None:
    proc = run_cli("serve", *args, data_dir=migrated_data_dir, check=False)
    assert proc.returncode == 2
    assert field in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_serve_on_an_unmigrated_database_exits_2(tmp_path: Path) -> None:
    proc = run_cli("serve", "--port", str(free_port()), data_dir=tmp_path, check=False)
    assert proc.returncode == 2
    assert "zhaoyin migrate" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
