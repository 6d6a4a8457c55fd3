"""The audit tail cannot be cut unseen (issue 12 D2, AUD-03, CRY-03): the chain head's MAC,
signed checkpoints outside the database, and ``zhaoyin audit verify`` against them.

The six tamperings of the review, each as someone with full database access (triggers
dropped, the head row rewritten) but without the chain key or the checkpoint file."""

from __future__ import annotations

import importlib
import io
import stat
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError

from zhaoyin.audit import checkpoints
from zhaoyin.audit.chain import verify_chain
from zhaoyin.audit.models import AuditChainHead, AuditRecord
from zhaoyin.audit.services import GENESIS, audit_write_many, head_mac
from zhaoyin.audit.tests.test_chain import _records, _sql, _verify_cli, triggers_disabled
from zhaoyin.core import periodic

pytestmark = pytest.mark.django_db


def _checkpoint_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit", "checkpoint", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def _head() -> dict[str, object]:
    return dict(AuditChainHead.objects.filter(id=1).values("last_id", "last_hash", "count", "mac").get())


def _cut_after(record: AuditRecord) -> None:
    """Delete every record after ``record`` with the delete trigger out of the way."""
    with triggers_disabled():
        _sql("DELETE FROM audit_auditrecord WHERE id > %s", [record.pk])


def _wipe() -> None:
    with triggers_disabled():
        _sql("DELETE FROM audit_auditrecord")
    AuditChainHead.objects.all().delete()


def test_AUD_03_D2_head_carries_a_mac_over_count_last_id_and_hash() -> None:
    recs = _records(3)
    audit_write_many(user=None, entries=[{"action": "test.bulk", "detail": str(i)} for i in range(4)])
    head = AuditChainHead.objects.get(id=1)
    last = AuditRecord.objects.order_by("-id").first()
    assert last is not None
    assert recs
    assert (head.count, head.last_id, head.last_hash) == (AuditRecord.objects.count(), last.pk, last.hash)
    assert head.mac == head_mac(head.count, head.last_id, head.last_hash)
    assert verify_chain().ok


def test_AUD_03_D2_tampering_1_cut_tail_and_repoint_head_is_refused() -> None:
    """The review's reproduction: drop the delete trigger, delete the newest rows, point the
    head at the new last row. No checkpoint exists: the head's MAC alone refuses it."""
    recs = _records(6)
    _cut_after(recs[3])
    AuditChainHead.objects.filter(id=1).update(
        last_id=recs[3].pk, last_hash=recs[3].hash, count=AuditRecord.objects.count()
    )
    code, text = _verify_cli()
    assert code == 1
    assert "MAC" in text
    assert "intact:" not in text


def test_AUD_03_D2_tampering_2_wiped_log_and_head_after_a_checkpoint_is_refused() -> None:
    _records(4)
    assert _checkpoint_cli()[0] == 0
    _wipe()
    assert AuditRecord.objects.count() == 0
    code, text = _verify_cli()
    assert code == 1
    assert "the log is empty" in text
    assert "wiped" in text
    assert "intact: 0 records" not in text


@pytest.mark.parametrize("change", ["mac", "count", "forged"])
def test_AUD_03_D2_tampering_3_altered_or_forged_head_mac_is_refused(change: str) -> None:
    recs = _records(4)
    if change == "mac":
        AuditChainHead.objects.filter(id=1).update(mac="0" * 64)
    elif change == "count":
        AuditChainHead.objects.filter(id=1).update(count=3)
    else:
        # A MAC made with another key (e.g. the published development key) is no MAC.
        forged = head_mac(3, recs[2].pk, recs[2].hash, key=b"\x00" * 16)
        _cut_after(recs[2])
        AuditChainHead.objects.filter(id=1).update(last_id=recs[2].pk, last_hash=recs[2].hash, count=3, mac=forged)
    code, text = _verify_cli()
    assert code == 1
    assert "chain head" in text


def test_AUD_03_D2_tampering_4_row_altered_in_the_middle_is_still_found() -> None:
    recs = _records(5)
    assert _checkpoint_cli()[0] == 0
    with triggers_disabled():
        _sql("UPDATE audit_auditrecord SET detail = %s WHERE id = %s", ["nothing happened", recs[2].pk])
    code, text = _verify_cli()
    assert code == 1
    assert f"record {recs[2].pk}:" in text
    assert "altered" in text


def test_AUD_03_D2_tampering_5_log_shorter_than_the_checkpoint_is_refused() -> None:
    """Cut back to a state whose (validly signed) head the attacker saw earlier: everything
    inside the database agrees; only the checkpoint outside it knows the log was longer."""
    recs = _records(4)
    seen = _head()
    recs += _records(3)
    code, _line = _checkpoint_cli()
    assert code == 0
    _cut_after(recs[3])
    AuditChainHead.objects.filter(id=1).update(**seen)
    assert verify_chain().ok  # the database alone cannot tell
    code, text = _verify_cli()
    assert code == 1
    assert f"fewer than the {AuditRecord.objects.count() + 3} of the checkpoint" in text
    assert "cut" in text


@pytest.mark.parametrize("extra", [0, 2])
def test_AUD_03_D2_tampering_6_log_diverging_from_the_checkpoint_is_refused(extra: int) -> None:
    """Another valid chain (same key, e.g. a database swapped in from another instance):
    as long as or longer than the checkpoint, but a different record at its position."""
    _records(3)
    assert _checkpoint_cli()[0] == 0
    _wipe()
    replaced = _records(3 + extra)
    assert verify_chain().ok  # a chain valid in itself
    code, text = _verify_cli()
    assert code == 1
    assert f"record {replaced[2].pk}:" in text
    assert "differs from the checkpoint" in text


def test_AUD_03_D2_checkpoint_file_is_0600_in_0700_and_verify_matches_it() -> None:
    _records(3)
    code, out = _checkpoint_cli()
    assert code == 0
    path = checkpoints.default_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text(encoding="utf-8").strip() == out.strip()
    cp = checkpoints.parse(out.strip())
    assert (cp.count, cp.kind) == (AuditRecord.objects.count(), "checkpoint")
    # Later records extend it; verify matches the checkpoint and passes.
    _records(2)
    code, text = _verify_cli()
    assert code == 0
    assert f"audit chain intact: {AuditRecord.objects.count()} records, matching the checkpoint" in text
    assert _checkpoint_cli()[0] == 0
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2


def test_AUD_03_D2_checkpoint_refused_when_log_no_longer_extends_the_previous_one() -> None:
    recs = _records(5)
    assert _checkpoint_cli()[0] == 0
    before = checkpoints.default_path().read_text(encoding="utf-8")
    seen_cut = recs[2]
    _cut_after(seen_cut)
    AuditChainHead.objects.filter(id=1).update(
        last_id=seen_cut.pk, last_hash=seen_cut.hash, count=3, mac=head_mac(3, seen_cut.pk, seen_cut.hash)
    )
    code, text = _checkpoint_cli()
    assert code == 1
    assert "no checkpoint written" in text
    assert checkpoints.default_path().read_text(encoding="utf-8") == before


def test_AUD_03_D2_edited_checkpoint_line_is_refused() -> None:
    _records(2)
    assert _checkpoint_cli()[0] == 0
    path = checkpoints.default_path()
    path.write_text(path.read_text(encoding="utf-8").replace('"count": 2', '"count": 1'), encoding="utf-8")
    code, text = _verify_cli()
    assert code == 1
    assert "does not carry a valid MAC" in text
    path.write_text("not json\n", encoding="utf-8")
    code, text = _verify_cli()
    assert code == 1
    assert "line 1" in text


def test_AUD_03_D2_restore_is_recorded_and_the_earlier_checkpoint_kept() -> None:
    recs = _records(4)
    seen = _head()
    _records(2)
    assert _checkpoint_cli()[0] == 0
    # A restore from a backup taken when the log had 4 records.
    _cut_after(recs[3])
    AuditChainHead.objects.filter(id=1).update(**seen)
    assert _verify_cli()[0] == 1
    code, out = _checkpoint_cli("--after-restore", "restored the 02:00 backup after a disk failure")
    assert code == 0
    cp = checkpoints.parse(out.strip())
    assert (cp.kind, cp.count) == ("restore", 4)
    assert "restored the 02:00 backup" in cp.note
    assert "6 records" in cp.note
    assert len(checkpoints.default_path().read_text(encoding="utf-8").splitlines()) == 2
    assert _verify_cli()[0] == 0


def test_AUD_03_D2_verify_against_a_shipped_copy_of_the_checkpoints(tmp_path: Path) -> None:
    _records(3)
    code, line = _checkpoint_cli()
    assert code == 0
    shipped = tmp_path / "from-the-log-server.jsonl"
    shipped.write_text(line, encoding="utf-8")
    checkpoints.default_path().unlink()
    _wipe()
    out = io.StringIO()
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify", "--checkpoints", str(shipped), stdout=out)
    assert err.value.returncode == 1
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify", "--checkpoints", str(tmp_path / "missing"), stdout=out)
    assert err.value.returncode == 2


def test_AUD_03_D2_worker_writes_a_daily_checkpoint() -> None:
    job = next(j for j in periodic.registered() if j.name == "audit-checkpoint")
    assert job.every_seconds == 24 * 3600
    _records(2)
    job.fn()
    cp = checkpoints.latest()
    assert cp is not None
    assert cp.count == AuditRecord.objects.count()


def test_AUD_03_D2_migration_signs_an_existing_head() -> None:
    _records(3)
    AuditChainHead.objects.filter(id=1).update(count=0, mac="")
    assert not verify_chain().ok
    migration = importlib.import_module("zhaoyin.audit.migrations.0003_head_mac")
    migration.sign_existing_head(django_apps, None)
    assert verify_chain().ok


def test_AUD_03_D2_never_written_head_needs_no_mac() -> None:
    AuditChainHead.objects.get_or_create(id=1)
    assert _head() == {"last_id": 0, "last_hash": GENESIS, "count": 0, "mac": ""}
    assert verify_chain().ok
