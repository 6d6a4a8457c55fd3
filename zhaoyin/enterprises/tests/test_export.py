"""Enterprise Excel export: scope (XLS-03), no formula injection (XLS-02), round trip through
the import (IMP-02)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import Verdict, import_commit, import_preview
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import db_fingerprint
from zhaoyin.enterprises.exporting import enterprise_export
from zhaoyin.enterprises.importing import ENTERPRISE_COLUMNS, EnterpriseImport
from zhaoyin.enterprises.tests.conftest import MakeEnterprise
from zhaoyin.lib.xlsx_safety import check_xlsx_upload, read_first_sheet

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1", "-1+1", "@SUM(A1)", "\t=1"]
EXCLUDE = frozenset({"sessions.session", "audit.auditrecord", "audit.auditchainhead", "core.importbatch"})


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def export(user: User, params: dict[str, str] | None = None) -> tuple[bytes, int]:
    out = io.BytesIO()
    count = enterprise_export(acting_user=user, params=params or {}, out=out)
    return out.getvalue(), count


def test_XLS_02_hostile_names_stay_text(make_user: Any, make_enterprise: MakeEnterprise) -> None:
    for name in HOSTILE:
        make_enterprise(name=name, unit="county_a", legal_representative="=1+2", address="@cmd")
    data, count = export(make_user(Role.STAFF, "county_a"))
    assert count == len(HOSTILE)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<f[\s>/]", xml)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws is not None
    names = sorted(str(ws.cell(row=r, column=1).value) for r in range(2, 2 + count))
    assert names == sorted(HOSTILE)
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 2 + count))


def test_XLS_02_codes_are_text_numbers_are_numbers(make_user: Any, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise(
        unit="county_a",
        land_mu=Decimal("12.34"),
        employees=7,
        founded_on=dt.date(2010, 1, 2),
        quals=("专精特新", "高新技术企业"),
        group="group_1",
    )
    data, _count = export(make_user(Role.STAFF, "county_a"))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert [c.value for c in ws[1]] == [c.label for c in ENTERPRISE_COLUMNS]
    cells = {ENTERPRISE_COLUMNS[i].key: c for i, c in enumerate(ws[2])}
    assert cells["uscc"].value == e.uscc
    assert cells["uscc"].data_type == "s"
    assert cells["uscc"].number_format == "@"
    assert cells["org_unit"].value == "340402"
    assert cells["org_unit"].data_type == "s"
    assert cells["land_mu"].data_type == "n"
    assert Decimal(str(cells["land_mu"].value)) == Decimal("12.34")
    assert cells["employees"].value == 7
    assert cells["founded_on"].value == dt.datetime(2010, 1, 2)  # noqa: DTZ001 - Excel dates are naive
    assert set(str(cells["qualifications"].value).split("、")) == {"专精特新", "高新技术企业"}
    assert cells["service_group"].value == "sg-01"


def test_XLS_03_export_is_scoped_and_audited(make_user: Any, make_enterprise: MakeEnterprise) -> None:
    for _ in range(3):
        make_enterprise(unit="county_a")
    make_enterprise(unit="park_a")
    for _ in range(2):
        make_enterprise(unit="county_b")
    county_b = make_user(Role.STAFF, "county_b")
    data, count = export(county_b)
    rows = list(read_first_sheet(data).rows)[1:]
    assert count == len(rows) == 2
    assert {r[2] for r in rows} == {"340403"}
    audit = AuditRecord.objects.filter(action="enterprise.export").latest("id")
    assert audit.actor == county_b.username
    assert json.loads(audit.detail)["rows"] == 2
    # County A sees its park too; a city-wide leader everything.
    assert export(make_user(Role.STAFF, "county_a"))[1] == 4
    assert export(make_user(Role.LEADER, "city"))[1] == 6


def test_XLS_03_export_applies_the_list_filters(make_user: Any, make_enterprise: MakeEnterprise) -> None:
    make_enterprise(unit="county_a", industry="it", name="甲信息")
    make_enterprise(unit="county_a", industry="coal", name="乙煤炭")
    user = make_user(Role.STAFF, "county_a")
    data, count = export(user, {"industry": "coal"})
    assert count == 1
    assert list(read_first_sheet(data).rows)[1][0] == "乙煤炭"
    audit = AuditRecord.objects.filter(action="enterprise.export").latest("id")
    assert json.loads(audit.detail) == {"filter": {"industry": "coal"}, "rows": 1}
    # The free-text search is a business value: its key is kept, its text withheld (D4).
    export(user, {"q": "乙煤炭"})
    audit = AuditRecord.objects.filter(action="enterprise.export").latest("id")
    assert json.loads(audit.detail) == {"filter": {"q": "***"}, "rows": 1}
    assert export(user, {"q": "甲"})[1] == 1


def test_bad_filter_is_refused_without_audit(make_user: Any) -> None:
    user = make_user(Role.STAFF, "county_a")
    with pytest.raises(InvalidInput) as info:
        export(user, {"org_unit": "nowhere"})
    assert info.value.errors[0]["field"] == "org_unit"
    assert not AuditRecord.objects.filter(action="enterprise.export").exists()


def test_XLS_02_round_trip_export_then_import_changes_nothing(make_user: Any, make_enterprise: MakeEnterprise) -> None:
    make_enterprise(
        unit="county_a",
        name='=HYPERLINK("x")',
        land_mu=Decimal("0.30"),
        employees=0,
        founded_on=dt.date(1999, 12, 31),
        quals=("专精特新",),
        group="group_2",
        size_class="above",
    )
    make_enterprise(unit="park_a", name="+1 公司", address="", legal_representative="")
    make_enterprise(unit="county_a", name="  ", land_mu=Decimal("123456.78"))  # odd stored data survives too
    user = make_user(Role.STAFF, "county_a")
    data, count = export(user)
    assert count == 3
    check_xlsx_upload(data)
    _batch, plan = import_preview(acting_user=user, spec=EnterpriseImport(user), data=data, filename="x.xlsx")
    verdicts = [r.verdict for r in plan.rows]
    # The blank-named enterprise is the one row the validator refuses (a name is required).
    assert verdicts.count(Verdict.UNCHANGED) == 2
    stored = [r for r in plan.rows if r.verdict == Verdict.ERROR]
    assert [e.column for r in stored for e in r.errors] == ["企业名称"]


def test_round_trip_of_a_clean_list(make_user: Any, make_enterprise: MakeEnterprise) -> None:
    for n in range(5):
        make_enterprise(unit="county_a", land_mu=Decimal(f"{n}.25"), employees=n, quals=("高新技术企业",) * (n % 2))
    user = make_user(Role.STAFF, "county_a")
    data, _ = export(user)
    before = db_fingerprint(exclude=EXCLUDE)
    batch, _ = import_preview(acting_user=user, spec=EnterpriseImport(user), data=data, filename="x.xlsx")
    batch, _ = import_commit(acting_user=user, spec=EnterpriseImport(user), batch=batch)
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (0, 0, 5, 0)
    assert db_fingerprint(exclude=EXCLUDE) == before
