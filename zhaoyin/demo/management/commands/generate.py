"""``zhaoyin generate --scale city|province [--seed N]``: bulk benchmark data (DESIGN 8).

Deterministic from the seed. Bypasses the per-row audit on purpose and writes one audit
record for the run (see ``zhaoyin.demo.generate``). ``--count N`` (hidden, for tests) sets the
number of records of every generator (enterprises, projects, fund entries …).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.core.context import acting
from zhaoyin.demo.generate import GENERATORS, SCALES, generate


class Command(BaseCommand):
    help = "Generate city- or province-scale data for benchmarks, deterministically from a seed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, required=True, help="city or province (DESIGN 8)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--count", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--force", action="store_true", help="run even when ZHAOYIN_ENV=production")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("refusing to generate fixture data in production (use --force)", returncode=2)
        overrides: dict[str, int] = {}
        if options["count"] is not None:
            if options["count"] < 0:
                raise CommandError("--count must not be negative", returncode=2)
            overrides = dict.fromkeys(GENERATORS, options["count"])
        started = time.monotonic()
        with acting(channel="cli"):
            summary = generate(scale=options["scale"], seed=options["seed"], overrides=overrides)
        created = ", ".join(f"{k} {v}" for k, v in summary["created"].items())
        self.stdout.write(
            f"generated {options['scale']} (seed {options['seed']}): {created} in {time.monotonic() - started:.1f} s"
        )
