#!/usr/bin/env python3
"""Run Zhaoyin locally, as ``make run`` does: ``tools/run_local.py [--host H] [--port P]``.

Starts ``zhaoyin worker`` in the background and ``zhaoyin serve`` in the foreground, prints
the URL and the demo accounts once the server listens, and stops the worker when the server
exits or on Ctrl-C (or SIGTERM). A port already in use is refused at once with exit 2 and a
one-line reason, so a second ``make run`` next to a running one says what is wrong.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0


def zhaoyin_command() -> list[str]:
    """The installed ``zhaoyin`` script next to this Python, else ``python -m zhaoyin.cli``."""
    script = Path(sys.executable).with_name("zhaoyin")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "zhaoyin.cli"]


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        # Same option as the server: a port left in TIME_WAIT by a previous run is usable.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_listening(host: str, port: int, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def stop(proc: subprocess.Popen[bytes] | None, name: str) -> None:
    """SIGTERM, then SIGKILL if the process has not ended in time."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"run_local: {name} did not stop in {STOP_TIMEOUT:.0f} s; killing it", file=sys.stderr)
        proc.kill()
        proc.wait()


def demo_lines() -> list[str]:
    """The demo accounts, from the demo app when it is there (it reads the database)."""
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        from django.db import connections

        try:
            from zhaoyin.demo.accounts import demo_account_lines

            return list(demo_account_lines())
        finally:
            connections.close_all()
    except Exception as exc:  # the server runs regardless; say where to look instead
        return [f"Demo accounts: see README.md ({type(exc).__name__} while listing them)"]


class Interrupted(Exception):
    """Ctrl-C or SIGTERM reached this script."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Zhaoyin: the server and a background worker.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    host, port = args.host, args.port

    if not 1 <= port <= 65535:
        print(f"run_local: --port must be from 1 to 65535, not {port}", file=sys.stderr)
        return 2
    if not port_is_free(host, port):
        print(
            f"run_local: port {port} on {host} is already in use (is Zhaoyin already running?); "
            f"stop it or choose another port: make run PORT={port + 1}",
            file=sys.stderr,
        )
        return 2

    cmd = zhaoyin_command()
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    worker: subprocess.Popen[bytes] | None = None
    server: subprocess.Popen[bytes] | None = None
    try:
        # Own sessions: Ctrl-C reaches only this script, which stops the children in order.
        worker = subprocess.Popen([*cmd, "worker"], cwd=REPO, start_new_session=True)
        server = subprocess.Popen(
            [*cmd, "serve", "--host", host, "--port", str(port)], cwd=REPO, start_new_session=True
        )
        if not wait_listening(host, port, server, START_TIMEOUT):
            print("run_local: the server did not start; see the messages above", file=sys.stderr)
            return server.poll() or 1
        shown = f"[{host}]" if ":" in host else host
        print("", flush=True)
        print(f"Zhaoyin is running at http://{shown}:{port}/  (background worker pid {worker.pid})")
        for line in demo_lines():
            print(line)
        print("Press Ctrl-C to stop.", flush=True)
        code = server.wait()
        return code
    except Interrupted:
        print("\nrun_local: stopping …", file=sys.stderr, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(server, "the server")
        stop(worker, "the worker")


if __name__ == "__main__":
    sys.exit(main())
