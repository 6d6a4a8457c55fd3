"""Talent pages: the list masks ID and phone, scope (county, station, own record), the audited
reveal, the masked and unmasked Excel export, and ``zhaoyin talents import FILE``."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import db_fingerprint, fingerprint_changes
from zhaoyin.talents.crypto import decrypt_id
from zhaoyin.talents.importing import TALENT_COLUMNS
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import talent_list_visible_to
from zhaoyin.talents.testing import make_talent, resident_id
from zhaoyin.talents.tests.conftest import rid, web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def talents(people: dict[str, User], org_tree: dict[str, OrgUnit]) -> dict[str, Talent]:
    return {
        "a": make_talent(org_unit=org_tree["county_a"], name="甲县人才", phone="13911112222"),
        "b": make_talent(org_unit=org_tree["county_b"], name="乙县人才"),
        "b_station": make_talent(org_unit=org_tree["county_b"], name="工作站引进", station=org_tree["station"]),
        "own": make_talent(org_unit=org_tree["county_a"], name="本人档案", account=people["talent"]),
    }


def _number(t: Talent) -> str:
    return decrypt_id(bytes(t.id_number_enc))


def test_PII_list_shows_masked_id_and_phone_only(people: dict[str, User], talents: dict[str, Talent]) -> None:
    response = web_client(people["office"]).get("/talents/")
    assert response.status_code == 200
    page = response.content.decode()
    for t in talents.values():
        assert t.id_masked in page
        assert _number(t) not in page
    assert "139****2222" in page
    assert "13911112222" not in page


def test_AC_03_scope_county_station_and_own_record(people: dict[str, User], talents: dict[str, Talent]) -> None:
    def names(user: User) -> set[str]:
        return set(talent_list_visible_to(user).values_list("name", flat=True))

    assert names(people["office"]) == {t.name for t in talents.values()}
    assert names(people["staff_a"]) == {"甲县人才", "本人档案"}
    assert names(people["staff_b"]) == {"乙县人才", "工作站引进"}
    # A station's staff see the talents attributed to their station, wherever they work.
    assert names(people["station"]) == {"工作站引进"}
    assert names(people["talent"]) == {"本人档案"}
    page = web_client(people["staff_a"]).get("/talents/").content.decode()
    assert "甲县人才" in page
    assert "乙县人才" not in page
    assert web_client(people["staff_a"]).get(f"/talents/{talents['b'].pk}/").status_code == 404
    mine = web_client(people["talent"]).get("/talents/mine/")
    assert mine.status_code == 200
    assert "本人档案" in mine.content.decode()
    assert "甲县人才" not in mine.content.decode()


def test_PII_02_reveal_shows_the_number_and_is_audited(people: dict[str, User], talents: dict[str, Talent]) -> None:
    t = talents["a"]
    detail = web_client(people["office"]).get(f"/talents/{t.pk}/").content.decode()
    assert _number(t) not in detail
    before = AuditRecord.objects.filter(action="talent.reveal").count()
    response = web_client(people["office"]).post(f"/talents/{t.pk}/reveal/")
    assert response.status_code == 200
    assert _number(t) in response.content.decode()
    assert "13911112222" in response.content.decode()
    record = AuditRecord.objects.filter(action="talent.reveal").order_by("-pk").first()
    assert AuditRecord.objects.filter(action="talent.reveal").count() == before + 1
    assert record is not None
    assert record.actor_id == people["office"].pk
    assert _number(t) not in str(record.detail) + str(record.after) + str(record.before)
    # Staff may read the record but not reveal it.
    assert web_client(people["staff_a"]).post(f"/talents/{t.pk}/reveal/").status_code == 403


def _cells(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


def test_PII_export_masked_by_default_unmasked_for_the_office_audited(
    people: dict[str, User], talents: dict[str, Talent]
) -> None:
    t = talents["a"]
    masked = web_client(people["staff_a"]).get("/talents/export/")
    assert masked.status_code == 200
    cells = _cells(b"".join(masked.streaming_content))  # type: ignore[attr-defined]
    assert t.id_masked in cells
    assert _number(t) not in cells
    assert talents["b"].id_masked not in cells  # county B is not staff A's
    assert web_client(people["staff_a"]).get("/talents/export/?unmasked=1").status_code == 403
    before = AuditRecord.objects.filter(action="talent.export").count()
    full = web_client(people["office"]).get("/talents/export/?unmasked=1")
    assert full.status_code == 200
    cells = _cells(b"".join(full.streaming_content))  # type: ignore[attr-defined]
    assert _number(t) in cells
    assert "13911112222" in cells
    records = AuditRecord.objects.filter(action="talent.export").order_by("pk")
    assert records.count() == before + 1
    assert "unmasked" in str(records.last().after) + str(records.last().detail)  # type: ignore[union-attr]


def _workbook(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([c.label for c in TALENT_COLUMNS])
    for row in rows:
        sheet.append([row.get(c.key, "") for c in TALENT_COLUMNS])
    path = tmp_path / "talents.xlsx"
    book.save(path)
    return path


def test_cli_import_creates_then_updates_on_the_blind_index(people: dict[str, User], tmp_path: Path) -> None:
    row = {"name": "导入人才", "id_number": rid(40), "org_unit": "340402", "education": "博士", "phone": "13800001111"}
    out = io.StringIO()
    call_command("talents", "import", str(_workbook(tmp_path, [row])), stdout=out)
    assert "created 1, updated 0" in out.getvalue()
    talent = Talent.objects.get(name="导入人才")
    assert (talent.education, talent.birth_date) == ("doctorate", dt.date(1990, 5, 1))
    out = io.StringIO()
    call_command("talents", "import", str(_workbook(tmp_path, [{**row, "major": "物理学"}])), stdout=out)
    assert "created 0, updated 1" in out.getvalue()
    assert Talent.objects.get(pk=talent.pk).major == "物理学"


def test_VAL_01_cli_import_refuses_a_bad_check_digit_and_changes_nothing(
    people: dict[str, User], tmp_path: Path
) -> None:
    good = resident_id(dt.date(1988, 1, 2), 7)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        {"name": "甲", "id_number": good, "org_unit": "340402"},
        {"name": "乙", "id_number": bad, "org_unit": "340402"},
    ]
    before = db_fingerprint()
    with pytest.raises(CommandError) as excinfo:
        call_command("talents", "import", str(_workbook(tmp_path, rows)), stdout=io.StringIO())
    assert excinfo.value.returncode == 2
    message = str(excinfo.value)
    assert "row 3" in message
    assert "证件号码" in message or "id_number" in message
    assert fingerprint_changes(before, db_fingerprint()) == []
    with pytest.raises(CommandError):
        call_command("talents", "import", str(tmp_path / "missing.xlsx"), stdout=io.StringIO())


def test_a_portal_account_is_linked_on_the_talents_page(
    people: dict[str, User], talents: dict[str, Talent], make_user: Any
) -> None:
    portal = make_user(Role.TALENT, unit="county_a", username="talent_new")
    staff = web_client(people["staff_a"])
    url = f"/talents/{talents['a'].pk}/account/"
    assert 'id="talent-link-form"' in staff.get(f"/talents/{talents['a'].pk}/").content.decode()
    # Refused on the field, nothing changed: an unknown account, an account linked elsewhere.
    before = db_fingerprint()
    for username in ("nobody", people["talent"].username):
        response = staff.post(url, {"username": username})
        assert response.status_code == 400
        assert 'id="id_username"' in response.content.decode()
        assert "is-invalid" in response.content.decode()
    assert fingerprint_changes(before, db_fingerprint()) == []
    response = staff.post(url, {"username": portal.username})
    assert response.status_code == 302
    talents["a"].refresh_from_db()
    assert talents["a"].account_id == portal.pk
    assert AuditRecord.objects.filter(action="talent.link_account", object_id=str(talents["a"].pk)).exists()
    # The talent now sees their own record in the portal; the form is gone from the page.
    assert "甲县人才" in web_client(portal).get("/talents/mine/").content.decode()
    assert 'id="talent-link-form"' not in staff.get(f"/talents/{talents['a'].pk}/").content.decode()
    # County B's staff do not know the record.
    assert web_client(people["staff_b"]).post(url, {"username": "x"}).status_code == 404
