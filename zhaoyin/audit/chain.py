"""Verifying the audit log's hash chain (AUD-03, CRY-03): ``zhaoyin audit verify``.

Each record stores the hash of the one before it and an HMAC-SM3 over that hash and its own
content. Walking the records in id order from the genesis value finds:

* a record whose content was altered (its hash no longer matches),
* a record deleted in the middle or a record slipped in (the next link no longer matches),
* a forged record appended without the key (its hash cannot be computed),
* a truncated tail (the chain head, updated in the same transaction as every append,
  names a later record than the last one found).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhaoyin.audit.models import AuditChainHead, AuditRecord
from zhaoyin.audit.services import GENESIS, chain_key, record_hash

#: Records read per database round trip while walking the chain.
CHUNK = 2000
#: How often the walk is resumed when records are appended while it runs.
MAX_ROUNDS = 20


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a verification: ``ok``, how many records were checked, and where and
    why the chain first broke."""

    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify_chain() -> ChainReport:
    """Recompute the chain from the first record and compare it with the chain head."""
    key = chain_key()
    prev = GENESIS
    last_id = 0
    checked = 0
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
            return ChainReport(True, checked)
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
