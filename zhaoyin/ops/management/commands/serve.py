"""``zhaoyin serve [--host 127.0.0.1] [--port 8000] [--threads N]``: the production server.

waitress serves ``config.wsgi.application``; WhiteNoise (a middleware) serves the static
files, which this command collects into STATIC_ROOT first whenever they are missing or
older than the sources.
"""

from __future__ import annotations

import errno
import hashlib
import ipaddress
import os
import signal
import socket
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.ops.readiness import ensure_database_ready

STAMP_NAME = ".zhaoyin-collected"


def static_sources_digest() -> str:
    """A digest of every static source file's path, size and mtime (cheap: no contents)."""
    h = hashlib.sha256()
    entries: list[str] = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            full = storage.path(path)
            st = os.stat(full)
            entries.append(f"{path}\0{full}\0{st.st_size}\0{st.st_mtime_ns}")
    for entry in sorted(entries):
        h.update(entry.encode())
    return h.hexdigest()


def collect_static_if_stale(stdout: Any = None) -> bool:
    """Run ``collectstatic`` when STATIC_ROOT is missing or was collected from other sources."""
    root = Path(settings.STATIC_ROOT)
    stamp = root / STAMP_NAME
    digest = static_sources_digest()
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return False
    root.mkdir(parents=True, exist_ok=True)
    call_command("collectstatic", interactive=False, clear=True, verbosity=0)
    stamp.write_text(digest + "\n")
    if stdout is not None:
        stdout.write(f"collected static files into {root}")
    return True


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise CommandError("--port must be a number from 1 to 65535", returncode=2)
    return port


def _host(value: str) -> str:
    if value == "localhost":
        return value
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        raise CommandError("--host must be an IP address or localhost", returncode=2) from None
    return value.strip("[]")


class Command(BaseCommand):
    help = "Serve Zhaoyin with the production WSGI server (waitress)."
    requires_system_checks: list[str] = []  # checked once below, with a clear message

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", default="8000", help="port to listen on (default 8000)")
        parser.add_argument("--threads", default="8", help="worker threads (default 8)")

    def handle(self, *args: Any, **options: Any) -> None:
        host = _host(options["host"])
        port = _port(options["port"])
        try:
            threads = int(options["threads"])
        except ValueError:
            threads = 0
        if not 1 <= threads <= 256:
            raise CommandError("--threads must be a number from 1 to 256", returncode=2)

        self.check(display_num_errors=False)
        ensure_database_ready()
        collect_static_if_stale(self.stdout)

        from waitress.server import create_server

        from config.wsgi import application

        try:
            server = create_server(
                application, host=host, port=port, threads=threads, ident="zhaoyin",
                # Which proxy to believe is the application's decision (TRUSTED_PROXIES,
                # AUD-02); waitress would otherwise strip every X-Forwarded-* header itself,
                # including the X-Forwarded-Proto that production's HTTPS detection needs.
                clear_untrusted_proxy_headers=False,
            )
        except socket.gaierror as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc}", returncode=2) from None
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(f"cannot listen on {host}:{port}: the port is in use", returncode=2) from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise CommandError(f"cannot listen on {host}:{port}: not allowed", returncode=2) from None
            raise CommandError(f"cannot listen on {host}:{port}: {exc}", returncode=2) from None
        # SIGTERM (a service manager, tools/run_local.py) stops the server like Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Zhaoyin is serving on http://{shown}:{port}/ (waitress, {threads} threads)")
        self.stdout.flush()
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
