"""Verifying the audit log's hash chain (AUD-03, CRY-03): ``zhaoyin audit verify``.

Each record stores the hash of the one before it and an HMAC-SM3 over that hash and its own
content. Walking the records in id order from the genesis value finds:

* a record whose content was altered (its hash no longer matches),
* a record deleted in the middle or a record slipped in (the next link no longer matches),
* a forged record appended without the key (its hash cannot be computed),
* a truncated tail (the chain head, updated in the same transaction as every append,
  names a later record than the last one found),
* a head pointed at an earlier record, or counting differently (its MAC over count, last
  id and last hash needs the key; issue 12 D2),
* a log cut back to a state whose head was seen earlier, or replaced by another chain, or
  wiped: it is shorter than, or differs from, the latest checkpoint written outside the
  database (``audit.checkpoints``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zhaoyin.audit.models import AuditChainHead, AuditRecord
from zhaoyin.audit.services import GENESIS, chain_key, head_mac, record_hash

if TYPE_CHECKING:
    from zhaoyin.audit.checkpoints import Checkpoint

#: Records read per database round trip while walking the chain.
CHUNK = 2000
#: How often the walk is resumed when records are appended while it runs.
MAX_ROUNDS = 20


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a verification: ``ok``, how many records the chain holds (checked),
    where and why it first broke, and (when intact) the last record's id and hash."""

    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""
    last_id: int = 0
    last_hash: str = GENESIS


def _head_problem(head: AuditChainHead | None, checked: int, key: bytes) -> str:
    """Why the head's count or MAC is wrong, or "" when it is right."""
    if head is None:
        return "" if checked == 0 else "the chain head is missing"
    if head.count != checked:
        return f"the chain head counts {head.count} records but the log holds {checked}"
    genesis = head.count == 0 and head.last_id == 0 and head.last_hash == GENESIS
    if genesis and not head.mac:
        return ""
    if head.mac != head_mac(head.count, head.last_id, head.last_hash, key):
        return "the chain head's MAC is wrong: the head was rewritten outside the application"
    return ""


def _short_of(checkpoint: Checkpoint | None, checked: int) -> str:
    if checkpoint is None or checked >= checkpoint.count:
        return ""
    if checked == 0:
        return (f"the log is empty, but the checkpoint of {checkpoint.at} recorded "
                f"{checkpoint.count} records: the log was wiped")
    return (f"the log holds {checked} records, fewer than the {checkpoint.count} of the checkpoint "
            f"of {checkpoint.at}: its tail was cut")


def _diverges(checkpoint: Checkpoint, record_id: int, record_hash_: str) -> str:
    if record_id == checkpoint.last_id and record_hash_ == checkpoint.last_hash:
        return ""
    return (f"the log differs from the checkpoint of {checkpoint.at}: its record number "
            f"{checkpoint.count} should be record {checkpoint.last_id} with hash "
            f"{checkpoint.last_hash[:16]}…")


def verify_chain(*, checkpoint: Checkpoint | None = None, incremental: bool = False) -> ChainReport:
    """Recompute the chain and compare it with the chain head and ``checkpoint``.

    ``incremental`` (the daily checkpoint job) trusts the records up to the checkpoint once
    they are still there — counted, ending with its id and hash — and walks only the ones
    after it; the full walk (``audit verify``) recomputes every record."""
    key = chain_key()
    prev = GENESIS
    last_id = 0
    checked = 0
    if incremental and checkpoint is not None and checkpoint.count:
        anchor = AuditRecord.objects.filter(pk=checkpoint.last_id).values_list("hash", flat=True).first()
        problem = _diverges(checkpoint, checkpoint.last_id if anchor else 0, anchor or "")
        if not problem and AuditRecord.objects.filter(pk__lte=checkpoint.last_id).count() != checkpoint.count:
            problem = (f"the records up to the checkpoint of {checkpoint.at} no longer number "
                       f"{checkpoint.count}: some were deleted or inserted")
        if problem:
            return ChainReport(False, 0, checkpoint.last_id, problem)
        prev, last_id, checked = checkpoint.last_hash, checkpoint.last_id, checkpoint.count
    for _round in range(MAX_ROUNDS):
        records = AuditRecord.objects.filter(id__gt=last_id).order_by("id")
        for record in records.iterator(chunk_size=CHUNK):
            if record.prev_hash != prev:
                return ChainReport(
                    False, checked, record.pk,
                    "link to the previous record broken: a record before it was deleted, "
                    "or this record was inserted",
                )
            if record.hash != record_hash(record, prev, key):
                return ChainReport(False, checked, record.pk, "content altered or record forged")
            prev = record.hash
            last_id = record.pk
            checked += 1
            if checkpoint is not None and checked == checkpoint.count:
                problem = _diverges(checkpoint, record.pk, record.hash)
                if problem:
                    return ChainReport(False, checked - 1, record.pk, problem)
        # The head is read after the records: every committed append moved it forward in the
        # same transaction, so it can only name a record at or after the last one seen.
        head = AuditChainHead.objects.filter(id=1).first()
        head_id = head.last_id if head else 0
        head_hash = head.last_hash if head else GENESIS
        if head_id == last_id:
            if head_hash != prev:
                return ChainReport(
                    False, checked, last_id or None, "the chain head does not match the last record"
                )
            problem = _short_of(checkpoint, checked) or _head_problem(head, checked, key)
            if problem:
                return ChainReport(False, checked, last_id or None, problem)
            return ChainReport(True, checked, last_id=last_id, last_hash=prev)
        if head_id < last_id:
            return ChainReport(
                False, checked, last_id,
                "records exist after the one the chain head names (appended outside the application)",
            )
        if not AuditRecord.objects.filter(id__gt=last_id, id__lte=head_id).exists():
            return ChainReport(
                False, checked, head_id,
                "the log was truncated: the chain head names this record but the log ends "
                f"at record {last_id}",
            )
        # Records were appended while the walk ran: continue from where it stopped.
    return ChainReport(False, checked, None, "the log kept growing during verification; run it again")
