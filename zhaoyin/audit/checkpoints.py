"""Signed checkpoints of the audit chain kept outside the database (issue 12 D2).

Whoever controls the database can drop the append-only triggers, delete the newest records
and put back a chain head they saw earlier (its MAC is still valid): nothing inside the
database tells that the log was longer. A checkpoint is a line written outside it —
appended to ``<data dir>/audit/checkpoints.jsonl`` (0600) and printed for a log shipper —
that says "the chain had ``count`` records, the last one ``last_id`` with hash
``last_hash``", with an HMAC-SM3 under the chain key. ``zhaoyin audit verify`` refuses a log
that is shorter than the latest checkpoint or differs from it at that position.

``zhaoyin audit checkpoint`` writes one (the worker does daily, job ``audit-checkpoint``)
after checking that the log still extends the previous checkpoint; a restore from a backup
that legitimately ends earlier is recorded with ``--after-restore REASON``, which keeps the
earlier line in the file (how many records the restore lost stays visible).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from zhaoyin.lib.crypto import hmac_sm3_hex

logger = logging.getLogger("zhaoyin.audit.checkpoint")

FILE_NAME = "checkpoints.jsonl"
VERSION = 1
#: The kinds of line: a regular checkpoint, and the one written after a restore.
KINDS = ("checkpoint", "restore")


class CheckpointError(Exception):
    """A checkpoint cannot be read or written (bad file, bad MAC, a log that does not
    extend the previous checkpoint)."""


@dataclass(frozen=True)
class Checkpoint:
    """One signed statement of the chain's length and end."""

    at: str
    count: int
    last_id: int
    last_hash: str
    kind: str = "checkpoint"
    note: str = ""
    mac: str = ""

    def signed_text(self) -> bytes:
        return json.dumps(
            {"v": VERSION, "at": self.at, "count": self.count, "last_id": self.last_id,
             "last_hash": self.last_hash, "kind": self.kind, "note": self.note},
            sort_keys=True, ensure_ascii=False, separators=(",", ":"),
        ).encode()

    def line(self) -> str:
        """The JSON line written to the file and to stdout."""
        return json.dumps({"v": VERSION, **asdict(self)}, sort_keys=True, ensure_ascii=False)


def checkpoint_mac(cp: Checkpoint, key: bytes | None = None) -> str:
    from zhaoyin.audit.services import chain_key

    return hmac_sm3_hex(key or chain_key(), b"checkpoint|" + cp.signed_text())


def sign(*, count: int, last_id: int, last_hash: str, kind: str = "checkpoint", note: str = "") -> Checkpoint:
    """A new checkpoint, timestamped now and signed with the chain key."""
    cp = Checkpoint(
        at=timezone.now().isoformat(timespec="seconds"), count=count, last_id=last_id,
        last_hash=last_hash, kind=kind, note=note[:500],
    )
    return Checkpoint(**{**asdict(cp), "mac": checkpoint_mac(cp)})


def parse(line: str) -> Checkpoint:
    """A checkpoint line, its MAC checked; ``CheckpointError`` for anything else."""
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or data.pop("v", None) != VERSION:
            raise ValueError("unknown version")
        cp = Checkpoint(
            at=str(data["at"]), count=int(data["count"]), last_id=int(data["last_id"]),
            last_hash=str(data["last_hash"]), kind=str(data.get("kind", "checkpoint")),
            note=str(data.get("note", "")), mac=str(data["mac"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"unreadable checkpoint line ({exc})") from exc
    if cp.kind not in KINDS or cp.count < 0 or cp.mac != checkpoint_mac(cp):
        raise CheckpointError(
            f"checkpoint of {cp.at} does not carry a valid MAC: it was not written with this chain key"
        )
    return cp


def default_path() -> Path:
    """``AUDIT_CHECKPOINT_DIR`` (``<data dir>/audit``) / checkpoints.jsonl."""
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILE_NAME


def latest(path: Path | None = None) -> Checkpoint | None:
    """The last checkpoint of the file, or None when there is none yet.

    Every line is checked, not only the last: a line that is not ours means the file was
    tampered with, and verification must not go on as if it were fine."""
    path = path or default_path()
    if not path.exists():
        return None
    last: Checkpoint | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                last = parse(line)
            except CheckpointError as exc:
                raise CheckpointError(f"{path}, line {number}: {exc}") from exc
    return last


def append(cp: Checkpoint, path: Path | None = None) -> Path:
    """Append ``cp`` to the file (directory 0700, file 0600, created if missing)."""
    path = path or default_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(cp.line() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return path


def write_checkpoint(*, path: Path | None = None, after_restore: str = "") -> Checkpoint:
    """Check the log against the latest checkpoint, then append and log a new one.

    Without ``after_restore`` the check is incremental (the records up to the previous
    checkpoint are still there, counted and ending in its hash; the ones after it chain on
    correctly up to the signed head), so the daily job costs the day's records, not the
    whole log. With it (a restore from a backup), the whole chain is verified instead and
    the previous checkpoint is not required to hold; the reason is signed into the line.
    """
    from zhaoyin.audit.chain import verify_chain

    path = path or default_path()
    previous = latest(path)
    # After a restore the previous checkpoint need not hold: the whole chain is walked instead.
    report = verify_chain() if after_restore else verify_chain(checkpoint=previous, incremental=True)
    if not report.ok:
        where = f"record {report.broken_id}" if report.broken_id is not None else "the log"
        raise CheckpointError(f"no checkpoint written: audit chain broken at {where}: {report.reason}")
    note = after_restore
    if after_restore and previous is not None:
        note = f"{after_restore} (previous checkpoint {previous.at}: {previous.count} records)"
    cp = sign(
        count=report.checked, last_id=report.last_id, last_hash=report.last_hash,
        kind="restore" if after_restore else "checkpoint", note=note,
    )
    append(cp, path)
    logger.info("audit checkpoint %s", cp.line())
    return cp


def run_checkpoint_job() -> None:
    """The worker's daily job (``audit-checkpoint``): a failure is the job's failure."""
    write_checkpoint()
