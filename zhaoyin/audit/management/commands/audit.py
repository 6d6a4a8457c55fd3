"""``zhaoyin audit verify`` and ``zhaoyin audit checkpoint`` (AUD-03, issue 12 D2).

``verify`` exits 0 printing the number of records when the chain, its signed head and the
latest checkpoint agree; exit 1 naming the first broken record (or the checkpoint it falls
short of) otherwise; exit 2 for bad input.

``checkpoint`` appends a signed checkpoint to ``<data dir>/audit/checkpoints.jsonl`` and
prints the same line on stdout for a log shipper; exit 1 when the log does not extend the
previous checkpoint (nothing is written then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoyin.audit import checkpoints
from zhaoyin.audit.chain import verify_chain


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' recomputes the hash chain and compares it with the signed head "
        "and the latest checkpoint; 'checkpoint' writes a signed checkpoint outside the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", title="subcommands", required=True)
        verify = sub.add_parser("verify", help="recompute the hash chain from the first record")
        verify.add_argument(
            "--checkpoints", metavar="FILE", default=None,
            help="checkpoint file to compare with (default: <data dir>/audit/checkpoints.jsonl); "
                 "e.g. the copy a log shipper kept",
        )
        cp = sub.add_parser("checkpoint", help="append a signed checkpoint and print it")
        cp.add_argument("--file", metavar="FILE", default=None,
                        help="checkpoint file (default: <data dir>/audit/checkpoints.jsonl)")
        cp.add_argument(
            "--after-restore", metavar="REASON", default="",
            help="after restoring a backup that ends before the latest checkpoint: verify the "
                 "whole chain and record the restore (the reason is signed into the line)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sub = options.get("subcommand")
        if sub == "verify":
            self._verify(options.get("checkpoints"))
        elif sub == "checkpoint":
            self._checkpoint(options.get("file"), str(options.get("after_restore") or "").strip())
        else:
            raise CommandError("unknown subcommand; use: zhaoyin audit verify|checkpoint", returncode=2)

    def _verify(self, file: str | None) -> None:
        path = Path(file) if file else None
        if path is not None and not path.is_file():
            raise CommandError(f"--checkpoints: no such file: {path}", returncode=2)
        try:
            latest = checkpoints.latest(path)
        except checkpoints.CheckpointError as exc:
            raise CommandError(f"audit checkpoints refused: {exc}", returncode=1) from exc
        report = verify_chain(checkpoint=latest)
        if not report.ok:
            where = f"record {report.broken_id}" if report.broken_id is not None else "the log"
            raise CommandError(
                f"audit chain broken at {where}: {report.reason} ({report.checked} records intact before it)",
                returncode=1,
            )
        against = f", matching the checkpoint of {latest.at}" if latest is not None else ", no checkpoint yet"
        self.stdout.write(f"audit chain intact: {report.checked} records{against}")

    def _checkpoint(self, file: str | None, after_restore: str) -> None:
        try:
            cp = checkpoints.write_checkpoint(path=Path(file) if file else None, after_restore=after_restore)
        except checkpoints.CheckpointError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(cp.line())
