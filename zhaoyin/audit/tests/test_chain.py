"""The audit log's integrity: append-only triggers, the hash chain and ``zhaoyin audit verify``
(AUD-03, CRY-03), fail-closed writes (AUD-04) and trusted client addresses (AUD-02)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zhaoyin.accounts.models import RoleAssignment, User
from zhaoyin.accounts.services import user_create
from zhaoyin.audit import services as audit_services
from zhaoyin.audit.chain import verify_chain
from zhaoyin.audit.models import AuditChainHead, AuditRecord
from zhaoyin.audit.services import audit_write
from zhaoyin.core import context
from zhaoyin.core.roles import Role

pytestmark = pytest.mark.django_db


def _records(n: int) -> list[AuditRecord]:
    return [audit_write(action="test.event", detail=f"event {i}", after={"n": i}) for i in range(n)]


@contextmanager
def triggers_disabled() -> Iterator[None]:
    """Switch the append-only triggers off, as an attacker with database access would.

    The test's own transaction rolls this back; the triggers are restored explicitly too."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER USER")
        else:
            cur.execute("DROP TRIGGER IF EXISTS audit_record_no_update")
            cur.execute("DROP TRIGGER IF EXISTS audit_record_no_delete")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER USER")
            else:
                cur.execute(
                    "CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON audit_auditrecord "
                    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
                )
                cur.execute(
                    "CREATE TRIGGER IF NOT EXISTS audit_record_no_delete BEFORE DELETE ON audit_auditrecord "
                    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
                )


def _sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params or [])


def _verify_cli() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_AUD_03_verify_intact_chain_exits_0_with_count() -> None:
    _records(4)
    total = AuditRecord.objects.count()
    code, text = _verify_cli()
    assert code == 0
    assert f"{total} records" in text


def test_AUD_03_verify_empty_log_is_intact() -> None:
    assert verify_chain().ok


def test_AUD_03_raw_update_raises() -> None:
    rec = _records(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("UPDATE audit_auditrecord SET detail = %s WHERE id = %s", ["edited", rec.pk])
    assert AuditRecord.objects.get(pk=rec.pk).detail == "event 0"


def test_AUD_03_raw_delete_raises() -> None:
    rec = _records(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("DELETE FROM audit_auditrecord WHERE id = %s", [rec.pk])
    assert AuditRecord.objects.filter(pk=rec.pk).exists()


def test_AUD_03_queryset_update_and_delete_raise() -> None:
    _records(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.all().update(detail="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.count() == 2


def test_AUD_03_verify_names_record_whose_content_was_altered() -> None:
    recs = _records(5)
    with triggers_disabled():
        _sql("UPDATE audit_auditrecord SET detail = %s WHERE id = %s", ["nothing happened", recs[2].pk])
    code, text = _verify_cli()
    assert code == 1
    assert f"record {recs[2].pk}:" in text
    assert "altered" in text


def test_AUD_03_verify_detects_altered_actor() -> None:
    recs = _records(3)
    with triggers_disabled():
        _sql("UPDATE audit_auditrecord SET actor = %s WHERE id = %s", ["someone-else", recs[0].pk])
    report = verify_chain()
    assert not report.ok
    assert report.broken_id == recs[0].pk


def test_AUD_03_verify_names_record_after_one_deleted_in_the_middle() -> None:
    recs = _records(5)
    with triggers_disabled():
        _sql("DELETE FROM audit_auditrecord WHERE id = %s", [recs[2].pk])
    code, text = _verify_cli()
    assert code == 1
    assert f"record {recs[3].pk}:" in text
    assert "deleted" in text


def test_AUD_03_verify_detects_first_record_deleted() -> None:
    recs = _records(3)
    first = AuditRecord.objects.order_by("id").first()
    assert first is not None
    with triggers_disabled():
        _sql("DELETE FROM audit_auditrecord WHERE id = %s", [first.pk])
    report = verify_chain()
    assert not report.ok
    assert report.broken_id == AuditRecord.objects.order_by("id").first().pk  # type: ignore[union-attr]
    assert recs


def _insert_raw(pk: int, prev_hash: str, hash_: str) -> None:
    _sql(
        "INSERT INTO audit_auditrecord (id, at, actor_id, actor, roles, unit, channel, client_ip, "
        "request_id, action, outcome, object_type, object_id, object_repr, before, after, detail, "
        "prev_hash, hash) VALUES (%s, %s, NULL, %s, '', '', 'web', NULL, '', %s, 'success', '', '', "
        "'', NULL, NULL, '', %s, %s)",
        [pk, timezone.now(), "intruder", "user.create", prev_hash, hash_],
    )


def test_AUD_03_verify_detects_record_inserted_at_the_end() -> None:
    recs = _records(3)
    forged_id = recs[-1].pk + 1
    _insert_raw(forged_id, recs[-1].hash, "f" * 64)
    code, text = _verify_cli()
    assert code == 1
    assert f"record {forged_id}:" in text


def test_AUD_03_verify_detects_record_inserted_in_place_of_a_deleted_one() -> None:
    recs = _records(4)
    with triggers_disabled():
        _sql("DELETE FROM audit_auditrecord WHERE id = %s", [recs[1].pk])
    # A forgery that links correctly to its predecessor still cannot carry a valid HMAC.
    _insert_raw(recs[1].pk, recs[0].hash, "e" * 64)
    report = verify_chain()
    assert not report.ok
    assert report.broken_id == recs[1].pk
    assert "altered or record forged" in report.reason


def test_AUD_03_verify_detects_truncated_tail() -> None:
    recs = _records(5)
    with triggers_disabled():
        _sql("DELETE FROM audit_auditrecord WHERE id >= %s", [recs[3].pk])
    code, text = _verify_cli()
    assert code == 1
    assert "truncated" in text
    assert f"record {recs[4].pk}:" in text


def test_AUD_03_verify_detects_altered_chain_head() -> None:
    _records(2)
    AuditChainHead.objects.filter(id=1).update(last_hash="a" * 64)
    assert not verify_chain().ok


def test_AUD_03_ipv6_client_address_is_hashed_as_stored() -> None:
    with context.acting(channel="web", client_ip="2001:0db8:0000:0000:0000:0000:0000:0001"):
        rec = audit_write(action="test.ipv6")
    rec.refresh_from_db()
    assert rec.client_ip == "2001:db8::1"
    assert verify_chain().ok


def test_AUD_03_json_before_after_round_trip_verifies() -> None:
    audit_write(
        action="test.json", before={"name": "甲", "amount": 1.5, "list": [3, 1], "nested": {"b": 1, "a": None}},
        after={"name": "乙", "big": 12345678901234567890},
    )
    assert verify_chain().ok


def test_AUD_04_failing_audit_write_rolls_back_the_business_write(
    org_tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    users, roles, records = User.objects.count(), RoleAssignment.objects.count(), AuditRecord.objects.count()

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit_services, "record_hash", broken)
    with pytest.raises(RuntimeError):
        user_create(
            acting_user=None, username="never-created", password="Zy-Test-Pass-2026",
            roles=[Role.STAFF.value], org_unit=org_tree["county_a"],
        )
    assert not User.objects.filter(username="never-created").exists()
    assert (User.objects.count(), RoleAssignment.objects.count(), AuditRecord.objects.count()) == (
        users, roles, records,
    )


def _denied_request_ip(client: Any, make_user: Any, **extra: str) -> str | None:
    user = make_user(Role.STAFF, unit="county_a")
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    response = client.get(reverse("audit:list"), **extra)
    assert response.status_code == 403
    rec = AuditRecord.objects.filter(action="http.denied", actor=user.username).latest("id")
    return rec.client_ip


def test_AUD_02_spoofed_forwarded_for_from_untrusted_peer_is_not_recorded(client: Any, make_user: Any) -> None:
    with override_settings(TRUSTED_PROXIES=[]):
        ip = _denied_request_ip(client, make_user, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert ip == "10.0.0.7"


def test_AUD_02_forwarded_for_from_trusted_proxy_is_recorded(client: Any, make_user: Any) -> None:
    with override_settings(TRUSTED_PROXIES=["10.0.0.7"]):
        ip = _denied_request_ip(
            client, make_user, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4, 6.6.6.6"
        )
    # The right-most address added by our own proxy is the one it saw; the left part is the
    # client's claim and is not believed.
    assert ip == "6.6.6.6"


def test_AUD_02_record_fields_present(client: Any, make_user: Any) -> None:
    with override_settings(TRUSTED_PROXIES=[]):
        _denied_request_ip(client, make_user, REMOTE_ADDR="10.0.0.8")
    rec = AuditRecord.objects.filter(action="http.denied").latest("id")
    assert rec.at
    assert rec.actor
    assert rec.roles == "staff"
    assert rec.unit == "340402"
    assert rec.request_id
    assert rec.outcome == "denied"
    assert rec.channel == "web"
