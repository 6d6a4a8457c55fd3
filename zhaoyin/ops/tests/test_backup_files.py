"""The backup archive carries the uploads (issue 12 D5) and a restore is private (D9).

The drill uploads project evidence, a matter attachment and a visit photo through the app,
backs up, restores into an empty data directory and a fresh database, and requires every
table's row hash and every download byte-identical. The other tests feed ``restore`` archives
that were tampered with, that hold members which would write outside the data directory, or
that miss a member, and require a refusal that names the file and changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import stat
import tarfile
from collections.abc import Callable
from pathlib import Path

from django.apps import apps

from zhaoyin.core.models import StoredFile
from zhaoyin.ops.backup import attachment_tables
from zhaoyin.ops.tests.cli import OWN_SQLITE_FILE, run_cli
from zhaoyin.ops.tests.conftest import FreshDatabase
from zhaoyin.ops.tests.test_backup import VERIFY, attempts, fingerprint

#: Uploads evidence, a matter attachment and a visit photo through the app's own paths, and
#: prints (user, download URL, SHA-256 of the uploaded bytes) for each.
SEED_FILES = """
import datetime as dt, hashlib, json
from decimal import Decimal
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.accounts.services import user_create
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.matters.models import MatterFile
from zhaoyin.projects.models import EvidenceFile, Project
from zhaoyin.visits import services as visits
from zhaoyin.visits.inputs import MemberInput, VisitCreateInput
from zhaoyin.visits.models import VisitFile

PDF_A = b"%PDF-1.4\\n% evidence\\n" + bytes(range(256)) * 40 + b"\\n%%EOF\\n"
PDF_B = b"%PDF-1.7\\n% attachment\\n" + bytes(range(255, -1, -1)) * 33 + b"\\n%%EOF\\n"
PNG = b"\\x89PNG\\r\\n\\x1a\\n" + b"\\x00\\x00\\x00\\rIHDR" + bytes(200)
city = OrgUnit.objects.create(code="340400", name="淮南市", kind=OrgUnitKind.CITY)
county = OrgUnit.objects.create(code="340402", name="大通区", kind=OrgUnitKind.COUNTY, parent=city)
group = OrgUnit.objects.create(code="sg-01", name="第一服务组", kind=OrgUnitKind.SERVICE_GROUP, parent=city)
staff, _ = user_create(acting_user=None, username="drill_staff", password="Zy-Drill-Pass-2026", roles=["staff"],
                       org_unit=county)
member, _ = user_create(acting_user=None, username="drill_member", password="Zy-Drill-Pass-2026",
                        roles=["service_member"], org_unit=group)
visits.membership_set_leader(acting_user=None, group=group, data=MemberInput.of(user=member.username))
industry = Industry.objects.order_by("sort_order", "code").first()
enterprise = Enterprise(name="演练企业", uscc=make_uscc("340400", "00000001"), org_unit=county, service_group=group,
                        industry=industry, legal_representative="张三")
enterprise.refresh_search_text()
enterprise.save()
project = Project(code="XM-2026-00001", name="演练项目", investor_name="投资方", source_region="yangtze_delta",
                  industry=industry, org_unit=county, total_investment_wan=Decimal("10000.00"), stage="lead",
                  stage_on=dt.date(2026, 1, 5))
project.refresh_search_text()
project.save()
client = Client()
client.force_login(staff, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
r = client.post(reverse("projects:stage_change", args=[project.pk]),
                {"stage": "negotiating", "date": "2026-02-01", "evidence": [SimpleUploadedFile("协议.pdf", PDF_A)]})
assert r.status_code == 302, r.status_code
attachment = SimpleUploadedFile("申请.pdf", PDF_B, content_type="application/pdf")
r = client.post(reverse("matters:create"), {"title": "附件演练", "source": "enterprise_demand", "kind": "coordination",
                "lead_unit": "340402", "evidence": attachment})
assert r.status_code == 302, r.status_code
visits.visit_create(acting_user=member,
                    data=VisitCreateInput.of(enterprise=enterprise.pk, date=dt.date(2026, 3, 1), notes="现场"),
                    files=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")])
client.logout()
# Two imports between preview and commit: one upload still waiting, one already removed.
from django.conf import settings
from zhaoyin.core.models import ImportBatch
XLSX = b"PK\x03\x04 a pending import"
(settings.DATA_DIR / "imports").mkdir(mode=0o700, exist_ok=True)
(settings.DATA_DIR / "imports" / ("5a" * 16 + ".xlsx")).write_bytes(XLSX)
ImportBatch.objects.create(kind="projects", sha256=hashlib.sha256(XLSX).hexdigest(), stored_name="5a" * 16 + ".xlsx",
                           uploaded_by=staff, filename="项目.xlsx")
ImportBatch.objects.create(kind="projects", sha256="0" * 64, stored_name="6b" * 16 + ".xlsx", uploaded_by=staff,
                           filename="已提交.xlsx")
downloads = [
    ["drill_staff", reverse("projects:evidence", args=[EvidenceFile.objects.get().pk]),
     hashlib.sha256(PDF_A).hexdigest()],
    ["drill_staff", reverse("matters:file", args=[MatterFile.objects.get().pk]), hashlib.sha256(PDF_B).hexdigest()],
    ["drill_member", reverse("visits:visit_file", args=[VisitFile.objects.get().pk]), hashlib.sha256(PNG).hexdigest()],
]
print("DOWNLOADS " + json.dumps(downloads))
"""

#: Downloads each (user, URL) through the app and prints (status, SHA-256 of the body).
DOWNLOAD = """
import hashlib, json
from django.test import Client
from zhaoyin.accounts.models import User
got = []
for username, url in json.loads(WANTED):
    client = Client()
    client.force_login(User.objects.get(username=username), backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    got.append([response.status_code, hashlib.sha256(body).hexdigest()])
print("GOT " + json.dumps(got))
"""


def _line(out: str, tag: str) -> object:
    return json.loads(next(ln for ln in out.splitlines() if ln.startswith(tag + " ")).removeprefix(tag + " "))


def seed_files(data_dir: Path, url: str | None = None) -> list[list[str]]:
    """Upload the three files into a migrated database; (user, URL, SHA-256) of each."""
    out = run_cli("shell", "-v", "0", "-c", SEED_FILES, data_dir=data_dir, database_url=url).stdout
    downloads = _line(out, "DOWNLOADS")
    assert isinstance(downloads, list)
    assert len(downloads) == 3
    return downloads


def download(data_dir: Path, url: str | None, wanted: list[list[str]], before: str = "") -> list[list[object]]:
    script = before + "WANTED = " + repr(json.dumps([[u, link] for u, link, _sha in wanted])) + "\n" + DOWNLOAD
    out = run_cli("shell", "-v", "0", "-c", script, data_dir=data_dir, database_url=url).stdout
    got = _line(out, "GOT")
    assert isinstance(got, list)
    return got


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_BAK_01_D5_drill_files_download_byte_identical_after_restore_into_an_empty_data_dir(
    fresh_database: FreshDatabase,
) -> None:
    source_dir, source_url = fresh_database("source")
    run_cli("migrate", "--noinput", "-v", "0", data_dir=source_dir, database_url=source_url)
    wanted = seed_files(source_dir, source_url)
    # The files download in the source before the backup …
    assert download(source_dir, source_url, wanted) == [[200, sha] for _u, _l, sha in wanted]
    at_backup = fingerprint(source_dir, source_url)
    assert at_backup["projects_evidencefile"][0] == 1
    assert at_backup["matters_matterfile"][0] == 1
    assert at_backup["visits_visitfile"][0] == 1

    archive = source_dir.parent / "drill.tar.gz"
    done = run_cli("backup", str(archive), data_dir=source_dir, database_url=source_url)
    assert "database and 4 files" in done.stdout
    assert "1 import upload(s) already removed by their commit left out" in done.stdout
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json"
    assert len([n for n in names if n.startswith("files/")]) == 4
    assert f"files/imports/{'5a' * 16}.xlsx" in names

    # … and, restored into an empty data directory and an empty database, download the same
    # bytes, while every table holds the same rows as at backup time.
    target_dir, target_url = fresh_database("restored")
    restored = run_cli("restore", str(archive), data_dir=target_dir, database_url=target_url)
    assert "database and 4 files" in restored.stdout
    got_fingerprint = fingerprint(target_dir, target_url, before=VERIFY)
    assert got_fingerprint == at_backup
    assert download(target_dir, target_url, wanted) == [[200, sha] for _u, _l, sha in wanted]

    # D9 (restore): the database file and every stored file owner-only, the directories 0700.
    assert mode(target_dir) == 0o700
    if target_url is None:
        assert mode(target_dir / "zhaoyin.sqlite3") == 0o600
    for area in ("evidence", "matter_files", "visit_files", "policy_files", "imports"):
        assert mode(target_dir / area) == 0o700
    stored = [p for p in target_dir.glob("*/*") if p.is_file()]
    assert len(stored) == 4
    assert (target_dir / "imports" / f"{'5a' * 16}.xlsx").read_bytes() == b"PK\x03\x04 a pending import"
    assert all(mode(p) == 0o600 for p in stored)
    assert not list(target_dir.glob(".zhaoyin-restore-*"))


@OWN_SQLITE_FILE
def test_BAK_01_D9_restore_makes_a_loose_database_file_and_data_dir_private(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar"
    run_cli("backup", str(archive), data_dir=migrated_data_dir)
    database = migrated_data_dir / "zhaoyin.sqlite3"
    database.chmod(0o644)
    migrated_data_dir.chmod(0o755)
    (migrated_data_dir / "evidence").mkdir(mode=0o755)
    run_cli("restore", str(archive), data_dir=migrated_data_dir)
    assert (mode(migrated_data_dir), mode(database), mode(migrated_data_dir / "evidence")) == (0o700, 0o600, 0o700)


# -- refusals -------------------------------------------------------------------------------
Member = tuple[tarfile.TarInfo, bytes]
Edit = Callable[[list[Member]], list[Member]]


def rewrite(source: Path, target: Path, edit: Edit) -> Path:
    """A copy of the archive ``source`` with its members changed by ``edit``."""
    with tarfile.open(source) as tar:
        items: list[Member] = []
        for info in tar.getmembers():
            reader = tar.extractfile(info)
            assert reader is not None
            items.append((info, reader.read()))
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as out:
        for info, data in edit(items):
            if info.isreg():
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))
            else:
                out.addfile(info)
    return target


def member(name: str, data: bytes = b"x", kind: bytes = tarfile.REGTYPE, link: str = "") -> Member:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o600
    return info, data


def evidence_name(items: list[Member]) -> str:
    return next(i.name for i, _d in items if i.name.startswith("files/evidence/"))


def flip_evidence_byte(items: list[Member]) -> list[Member]:
    name = evidence_name(items)
    return [(i, d[:100] + bytes([d[100] ^ 1]) + d[101:]) if i.name == name else (i, d) for i, d in items]


def drop_evidence(items: list[Member]) -> list[Member]:
    name = evidence_name(items)
    return [(i, d) for i, d in items if i.name != name]


def manifest_edit(change: Callable[[dict[str, object]], None]) -> Edit:
    def edit(items: list[Member]) -> list[Member]:
        out = []
        for info, data in items:
            if info.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            out.append((info, data))
        return out

    return edit


def after_manifest(extra: Member) -> Edit:
    return lambda items: [items[0], extra, *items[1:]]


def tree(data_dir: Path) -> dict[str, str]:
    """Every file under the data directory (SQLite's -wal/-shm aside) and its SHA-256."""
    return {
        str(p.relative_to(data_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(data_dir.rglob("*")) if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


@OWN_SQLITE_FILE
def test_BAK_01_D5_restore_refuses_a_tampered_or_incomplete_archive_and_replaces_nothing(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    seed_files(migrated_data_dir)
    # An orphan (as a transaction that rolled back after writing its file would leave): not
    # referenced by the snapshot, so not in the backup.
    orphan = migrated_data_dir / "evidence" / ("ab" * 16)
    orphan.write_bytes(b"%PDF-1.4 orphan")
    good = tmp_path / "good.tar"
    run_cli("backup", str(good), data_dir=migrated_data_dir)
    with tarfile.open(good) as tar:
        assert f"files/evidence/{'ab' * 16}" not in tar.getnames()

    def set_database_hash(m: dict[str, object]) -> None:
        members = m["members"]
        assert isinstance(members, dict)
        members["database.sqlite3"]["sha256"] = "0" * 64

    def add_to_manifest(m: dict[str, object]) -> None:
        members = m["members"]
        assert isinstance(members, dict)
        members["files/evidence/" + "cd" * 16] = {"sha256": "0" * 64, "size": 1}

    cases: list[tuple[str, Edit, str]] = [
        ("flipped.tar", flip_evidence_byte, "does not match its SHA-256 in the manifest"),
        ("dbhash.tar", manifest_edit(set_database_hash), "member database.sqlite3 does not match its SHA-256"),
        ("dropped.tar", drop_evidence, "listed in the manifest is missing"),
        ("listed.tar", manifest_edit(add_to_manifest), f"member files/evidence/{'cd' * 16} listed in the manifest"),
        ("extra.tar", after_manifest(member("files/evidence/" + "ef" * 16)), "unexpected member files/evidence/"),
        ("other.tar", after_manifest(member("notes.txt")), "unexpected member notes.txt"),
        ("nomanifest.tar", lambda items: items[1:], "the first member is not manifest.json"),
        ("version.tar", manifest_edit(lambda m: m.update(format_version=99)), "version 99 is not supported"),
        ("kind.tar", manifest_edit(lambda m: m.update(database={"kind": "postgresql", "member": "database.pgdump"})),
         "holds a postgresql database; this installation uses sqlite"),
        ("area.tar", manifest_edit(lambda m: m.update(areas=["evidence", "audit"])), "unknown upload area 'audit'"),
    ]
    files = [rewrite(good, tmp_path / name, edit) for name, edit, _reason in cases]
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    files.append(truncated)
    cases.append(("truncated.tar", lambda items: items, "cannot read the archive"))
    # The live state moves on after the backup, so a restore that went ahead would show.
    run_cli("shell", "-v", "0", "-c", "from zhaoyin.accounts.models import User; "
            "User.objects.filter(username='drill_staff').update(full_name='after the backup')",
            data_dir=migrated_data_dir)
    before = tree(migrated_data_dir)

    # The real command line: exit 2 and one line on stderr naming the archive and the member.
    proc = run_cli("restore", str(files[0]), data_dir=migrated_data_dir, check=False)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert str(files[0]) in proc.stderr
    assert "files/evidence/" in proc.stderr
    results = attempts(migrated_data_dir, [["restore", str(f)] for f in files])
    for (code, message), (name, _edit, reason) in zip(results, cases, strict=True):
        assert code == 2, name
        assert reason in message, (name, message)
        assert str(tmp_path / name) in message
        assert message.endswith("nothing was restored")
    assert tree(migrated_data_dir) == before
    assert not list(migrated_data_dir.glob(".zhaoyin-restore-*"))

    # The untouched archive restores (so the refusals above were not for some other reason).
    assert attempts(migrated_data_dir, [["restore", str(good)]]) == [(0, "ok")]
    after = tree(migrated_data_dir)
    assert after != before
    assert orphan.name not in {Path(p).name for p in after}  # the directory was replaced


@OWN_SQLITE_FILE
def test_BAK_01_D5_restore_refuses_traversal_links_and_absolute_members_and_writes_nothing_outside(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.tar"
    run_cli("backup", str(good), data_dir=migrated_data_dir)
    target = "files/evidence/" + "0a" * 16

    def list_in_manifest(name: str) -> Edit:
        def change(m: dict[str, object]) -> None:
            members = m["members"]
            assert isinstance(members, dict)
            members[name] = {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 1}

        def edit(items: list[Member]) -> list[Member]:
            return [*manifest_edit(change)(items), member(name)]

        return edit

    escape = tmp_path / "escaped"
    cases: list[tuple[str, Edit, str]] = [
        ("dotdot.tar", after_manifest(member("../escaped")), "unsafe member '../escaped'"),
        ("deep.tar", after_manifest(member("files/evidence/../../../escaped")), "unsafe member"),
        ("absolute.tar", after_manifest(member(str(escape))), f"unsafe member '{escape}'"),
        ("symlink.tar", after_manifest(member(target, b"", tarfile.SYMTYPE, "/etc/hostname")), "unsafe member"),
        ("hardlink.tar", after_manifest(member(target, b"", tarfile.LNKTYPE, "database.sqlite3")), "unsafe member"),
        ("dir.tar", after_manifest(member("files/evidence", b"", tarfile.DIRTYPE)), "unsafe member"),
        ("fifo.tar", after_manifest(member(target, b"", tarfile.FIFOTYPE)), "unsafe member"),
        ("listed.tar", list_in_manifest("../escaped"), "lists an unexpected member '../escaped'"),
        ("backslash.tar", after_manifest(member("files\\..\\..\\escaped")), "unsafe member"),
    ]
    files = [rewrite(good, tmp_path / name, edit) for name, edit, _reason in cases]
    before = tree(migrated_data_dir)
    outside = sorted(p.name for p in tmp_path.iterdir())
    results = attempts(migrated_data_dir, [["restore", str(f)] for f in files])
    for (code, message), (name, _edit, reason) in zip(results, cases, strict=True):
        assert code == 2, name
        assert reason in message, (name, message)
        assert str(tmp_path / name) in message
    assert not escape.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == outside
    assert tree(migrated_data_dir) == before
    assert not list(migrated_data_dir.glob(".zhaoyin-restore-*"))


@OWN_SQLITE_FILE
def test_BAK_01_D5_backup_refuses_a_referenced_file_missing_or_changed_on_disk(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    seed_files(migrated_data_dir)
    evidence = next((migrated_data_dir / "evidence").iterdir())
    content = evidence.read_bytes()
    evidence.write_bytes(content[:-1] + bytes([content[-1] ^ 1]))
    visit = next((migrated_data_dir / "visit_files").iterdir())
    results = attempts(migrated_data_dir, [["backup", str(tmp_path / "changed.tar")]])
    visit.rename(tmp_path / "moved-away")
    evidence.write_bytes(content)
    results += attempts(migrated_data_dir, [["backup", str(tmp_path / "missing.tar")]])
    assert results[0][0] == 2
    assert f"{evidence} does not match the SHA-256 its database row records" in results[0][1]
    assert results[1][0] == 2
    assert f"{visit} is referenced by the database but missing on disk" in results[1][1]
    # Neither the archive nor its temporary files were left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "moved-away"]


@OWN_SQLITE_FILE
def test_BAK_01_D5_an_old_database_only_backup_restores_the_database_and_leaves_the_files(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    """A backup written by the previous release: a bare SQLite snapshot."""
    old = tmp_path / "old.sqlite3"
    src = sqlite3.connect(migrated_data_dir / "zhaoyin.sqlite3")
    dst = sqlite3.connect(old)
    src.backup(dst)
    dst.close()
    src.close()
    kept = migrated_data_dir / "evidence" / ("12" * 16)
    kept.parent.mkdir(mode=0o700)
    kept.write_bytes(b"%PDF-1.4 kept")
    proc = run_cli("restore", str(old), data_dir=migrated_data_dir)
    assert "database only" in proc.stdout
    assert "upload directories were left as they are" in proc.stdout
    assert kept.read_bytes() == b"%PDF-1.4 kept"
    assert mode(migrated_data_dir / "zhaoyin.sqlite3") == 0o600


def test_BAK_01_D5_every_attachment_model_is_in_the_backup() -> None:
    """A new StoredFile model must be added to ``attachment_tables``, or its files would be
    left out of every backup."""
    concrete = {
        m._meta.db_table for m in apps.get_models() if issubclass(m, StoredFile) and not m._meta.abstract
    }
    assert concrete
    assert concrete == {table for table, _area in attachment_tables()}
