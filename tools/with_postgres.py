#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster: ``tools/with_postgres.py CMD...``.

The cluster lives in a temporary directory (initdb + pg_ctl, no service, no container), listens
on 127.0.0.1 at a free port with a Unix socket in the same directory, and is tuned for tests
(fsync off). The child command gets ``DATABASE_URL=postgres://postgres@127.0.0.1:PORT/zhaoyin``.
The cluster is always stopped and deleted; the exit code is the command's.

When run as root the server runs as the ``postgres`` OS user (PostgreSQL refuses to run as
root), so the temporary directory is handed to that user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

DB_NAME = "zhaoyin"
SEARCH_ROOTS = ("/usr/lib/postgresql", "/usr/local/pgsql", "/usr/pgsql")


def find_bindir() -> Path:
    """The newest installed PostgreSQL server's bin directory (PG_BINDIR overrides)."""
    override = os.environ.get("PG_BINDIR")
    if override:
        return Path(override)
    candidates: list[tuple[int, Path]] = []
    for root in SEARCH_ROOTS:
        base = Path(root)
        if not base.is_dir():
            continue
        for child in base.iterdir():
            if (child / "bin" / "initdb").exists():
                version = int(child.name) if child.name.isdigit() else 0
                candidates.append((version, child / "bin"))
        if (base / "bin" / "initdb").exists():
            candidates.append((0, base / "bin"))
    which = shutil.which("initdb")
    if which:
        candidates.append((0, Path(which).parent))
    if not candidates:
        raise SystemExit(
            "with_postgres: no PostgreSQL server found (install the Debian package `postgresql`)"
        )
    return max(candidates)[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def as_server_user(cmd: Sequence[str]) -> list[str]:
    """Prefix a command so it runs as ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return list(cmd)
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(cmd)]


def _run(cmd: Sequence[str], log: Path | None = None) -> None:
    result = subprocess.run(as_server_user(cmd), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        if log is not None and log.exists():
            sys.stderr.write(log.read_text(errors="replace"))
        raise SystemExit(f"with_postgres: command failed: {' '.join(cmd)}")


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster, yield its DATABASE_URL, then stop and delete it whatever happened."""
    bindir = find_bindir()
    tmp = Path(tempfile.mkdtemp(prefix="zhaoyin-pg-"))
    data = tmp / "data"
    log = tmp / "server.log"
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
    started = False
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-E", "UTF8", "--locale=C.UTF-8",
              "-A", "trust", "-U", "postgres", "--no-sync"])
        # A port can be taken between our probe and the server's bind: retry a few times.
        for attempt in range(5):
            port = free_port()
            options = (
                f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c full_page_writes=off -c synchronous_commit=off -c max_connections=50"
            )
            result = subprocess.run(
                as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log),
                                "-o", options, "-w", "-t", "30", "start"]),
                capture_output=True, text=True, check=False,
            )
            if result.returncode == 0:
                started = True
                break
            if attempt == 4:
                sys.stderr.write(result.stdout + result.stderr)
                if log.exists():
                    sys.stderr.write(log.read_text(errors="replace"))
                raise SystemExit("with_postgres: the server did not start")
        _run([str(bindir / "createdb"), "-h", str(tmp), "-p", str(port), "-U", "postgres",
              "-E", "UTF8", DB_NAME], log)
        yield f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}"
    finally:
        if started:
            subprocess.run(
                as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                "-w", "stop"]),
                capture_output=True, check=False,
            )
        shutil.rmtree(tmp, ignore_errors=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str]) -> int:
    if not argv:
        sys.stderr.write("usage: tools/with_postgres.py CMD [ARGS...]\n")
        return 2
    # Make SIGTERM behave like Ctrl-C so the cluster is still stopped and removed.
    signal.signal(signal.SIGTERM, _interrupt)
    with cluster() as url:
        env = dict(os.environ, DATABASE_URL=url)
        print(f"with_postgres: PostgreSQL at {url}", file=sys.stderr, flush=True)
        try:
            return subprocess.call(list(argv), env=env)
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
