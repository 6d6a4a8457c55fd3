"""Writing the audit log. Every service calls ``audit_write`` inside its own transaction,
so the business change and its audit record commit or roll back together (AUD-01), and a
failing audit write fails the action (AUD-04). Denied attempts are written on their own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Required, TypedDict, cast

from django.conf import settings
from django.db import models, transaction

from zhaoyin.audit.models import AuditChainHead, AuditRecord, Outcome
from zhaoyin.audit.redaction import minimise
from zhaoyin.core import context
from zhaoyin.lib.crypto import derive_key, hmac_sm3_hex
from zhaoyin.lib.masking import mask_value

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    from zhaoyin.accounts.models import User

GENESIS = "0" * 64
HASHED_FIELDS = (
    "at", "actor_id", "actor", "roles", "unit", "channel", "client_ip", "request_id", "action",
    "outcome", "object_type", "object_id", "object_repr", "before", "after", "detail",
)


def _jsonable(value: object) -> Any:
    """Reduce a value to JSON types whose text survives a round trip through any database."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited picture of a model instance: its concrete fields, personal data (names
    included) masked. ``audit_write`` then withholds a business object's values."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if isinstance(f, models.BinaryField) or f.name in ("password", "search_text"):
            continue
        value = getattr(obj, f.attname)
        out[f.name] = mask_value(f.name, _jsonable(value))
    return out


def _canonical(record: AuditRecord) -> bytes:
    data = {name: _jsonable(getattr(record, name)) for name in HASHED_FIELDS}
    data["at"] = record.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_key() -> bytes:
    """The HMAC-SM3 key of the chain, derived from the configured field key."""
    return derive_key(settings.FIELD_KEY, "zhaoyin-audit-chain")


def head_mac(count: int, last_id: int, last_hash: str, key: bytes | None = None) -> str:
    """HMAC-SM3 of the chain head: the number of records, the last one's id and hash (D2).

    The ``head|`` prefix keeps it apart from record hashes, which begin with a hex hash."""
    return hmac_sm3_hex(key or chain_key(), f"head|{int(count)}|{int(last_id)}|{last_hash}".encode())


def _move_head(head: AuditChainHead, *, added: int, last_id: int, last_hash: str, key: bytes | None = None) -> None:
    count = head.count + added
    AuditChainHead.objects.filter(id=1).update(
        last_id=last_id, last_hash=last_hash, count=count, mac=head_mac(count, last_id, last_hash, key)
    )


def record_hash(record: AuditRecord, prev_hash: str, key: bytes | None = None) -> str:
    """HMAC-SM3 over the previous hash and the record's canonical form.

    ``key`` lets a verification run derive the key once instead of once per record.
    """
    return hmac_sm3_hex(key or chain_key(), prev_hash.encode() + b"|" + _canonical(record))


def _stored_ip(ip: str | None) -> str | None:
    # The hash must be computed over the value the database will give back: the field
    # normalises IPv6 text (2001:0db8::0001 -> 2001:db8::1) when it is saved.
    prepped: str | None = AuditRecord._meta.get_field("client_ip").get_prep_value(ip)
    return prepped or None


def _actor_fields(user: User | AbstractBaseUser | AnonymousUser | None) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        name = getattr(user, "username", "") if user is not None else ""
        return {"actor_id": None, "actor": name or "anonymous", "roles": "", "unit": ""}
    user = cast("User", user)  # a signed-in account is always ours
    unit = user.org_unit.code if user.org_unit is not None else ""
    return {
        "actor_id": user.pk,
        "actor": user.get_username(),
        "roles": ",".join(sorted(user.role_codes)),
        "unit": unit,
    }


@transaction.atomic
def audit_write(
    *,
    action: str,
    user: User | AbstractBaseUser | AnonymousUser | None = None,
    outcome: str = Outcome.SUCCESS,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
    detail: str = "",
) -> AuditRecord:
    """Append one record to the chain. ``user`` is the acting account (None for the system)."""
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    # Business values are withheld before the record is hashed (issue 12 D4, ``redaction``).
    record = AuditRecord(**minimise(dict(
        channel=ctx.channel,
        client_ip=_stored_ip(ctx.client_ip),
        request_id=ctx.request_id,
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
        detail=detail[:4000],
        **_actor_fields(user),
    )))
    # Locking the head row serialises appends on PostgreSQL; SQLite's IMMEDIATE transactions
    # already hold the write lock from BEGIN.
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    record.prev_hash = head.last_hash
    record.hash = record_hash(record, head.last_hash)
    record.save()
    _move_head(head, added=1, last_id=record.pk, last_hash=record.hash)
    return record


def audit_denied(
    *, user: User | AbstractBaseUser | AnonymousUser | None, action: str, target: str = "", detail: str = ""
) -> AuditRecord:
    """Record a refused attempt. Called outside (after) any rolled-back business transaction."""
    return audit_write(
        action=action, user=user, outcome=Outcome.DENIED, object_type="url" if target.startswith("/") else "",
        object_id="", object_repr=target[:200], detail=detail,
    )


class AuditEntry(TypedDict, total=False):
    """One record of ``audit_write_many``: ``audit_write``'s keyword arguments."""

    action: Required[str]
    outcome: str
    obj: models.Model | None
    object_type: str
    object_id: str | int
    object_repr: str
    before: Mapping[str, object] | None
    after: Mapping[str, object] | None
    detail: str


@transaction.atomic
def audit_write_many(
    *, user: User | AbstractBaseUser | AnonymousUser | None, entries: Iterable[AuditEntry]
) -> int:
    """Append many records in one go (bulk imports): same fields and chain as ``audit_write``.

    Each entry is a mapping of ``audit_write``'s keyword arguments (``action``, ``obj``,
    ``object_repr``, ``before``, ``after``, ``detail``; ``outcome`` defaults to success).
    The records are hashed one after another in list order and inserted in that order (one
    multi-row INSERT per chunk, values adapted exactly as the ORM would), so their ids ascend
    along the chain as single appends would. Returns the count.
    """
    from zhaoyin.core.bulk import insert_rows

    ctx = context.current()
    actor = _actor_fields(user)
    client_ip = _stored_ip(ctx.client_ip)
    key = chain_key()
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    columns = [f.attname for f in AuditRecord._meta.concrete_fields if not f.primary_key]
    state = {"prev": head.last_hash}

    def records() -> Iterable[list[Any]]:
        for entry in entries:
            obj = entry.get("obj")
            before, after = entry.get("before"), entry.get("after")
            record = AuditRecord(**minimise(dict(
                channel=ctx.channel,
                client_ip=client_ip,
                request_id=ctx.request_id,
                action=entry["action"],
                outcome=entry.get("outcome", Outcome.SUCCESS),
                object_type=entry.get("object_type") or (obj._meta.label_lower if obj is not None else ""),
                object_id=str(entry.get("object_id") or (obj.pk if obj is not None else "")),
                object_repr=str(entry.get("object_repr") or (str(obj) if obj is not None else ""))[:200],
                before=_jsonable(dict(before)) if before is not None else None,
                after=_jsonable(dict(after)) if after is not None else None,
                detail=str(entry.get("detail", ""))[:4000],
                **actor,
            )))
            record.prev_hash = state["prev"]
            record.hash = record_hash(record, state["prev"], key)
            state["prev"] = record.hash
            yield [getattr(record, name) for name in columns]

    total = insert_rows(AuditRecord, columns, records())
    if total:
        last_id = AuditRecord.objects.filter(hash=state["prev"]).values_list("pk", flat=True).get()
        _move_head(head, added=total, last_id=last_id, last_hash=state["prev"], key=key)
    return total


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after). Computed on the real values, so a
    change is found even when ``audit_write`` then withholds both sides (issue 12 D4)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@transaction.atomic
def audit_log_access(
    *,
    acting_user: User | AbstractBaseUser | AnonymousUser | None,
    action: str,
    filters: Mapping[str, object],
    row_count: int,
) -> AuditRecord:
    """Record that the auditor searched ("audit.query") or exported ("audit.export") the log
    (AUD-07): the filter used and how many records it matched."""
    if action not in ("audit.query", "audit.export", "audit.view"):
        raise ValueError("unknown audit access action")
    detail = json.dumps(
        {"filters": _jsonable(dict(filters)), "rows": row_count}, ensure_ascii=False, sort_keys=True
    )
    return audit_write(
        action=action, user=acting_user, object_type="audit.auditrecord", detail=detail,
    )
