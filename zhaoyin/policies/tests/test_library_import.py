"""Excel import of policies: one row per policy, the eligibility tree as JSON in its column,
all or nothing with row, column and reason for every rejected row, re-import changes nothing,
the template download."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from zhaoyin.core.importing import ImportBlocked, import_commit, import_preview
from zhaoyin.core.roles import Role
from zhaoyin.policies.importing import POLICY_COLUMNS, PolicyImport
from zhaoyin.policies.models import Policy, PolicyStatus
from zhaoyin.policies.tests.library_helpers import TREE, fingerprint, make_policy, web_client

pytestmark = pytest.mark.django_db
HEADER = [c.label for c in POLICY_COLUMNS]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Any, settings: Any) -> Iterator[None]:
    settings.DATA_DIR = tmp_path
    with translation.override("en"):
        yield


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(**over: Any) -> list[Any]:
    values: dict[str, Any] = {
        "id": None, "title": "导入政策", "issuer": "淮南市人民政府", "doc_no": "淮府〔2026〕1号", "level": "city",
        "category": "funds", "delivery": None, "beneficiary": None, "org_unit": None, "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
        "summary": None, "benefits": "奖励", "max_amount_wan": "50", "application_guide": None,
        "apply_deadline": None, "contact_office": None, "contact_phone": None, "contact_address": None,
        "eligibility": json.dumps(TREE, ensure_ascii=False),
    }
    values.update(over)
    return [values[c.key] for c in POLICY_COLUMNS]


def commit(user: Any, data: bytes) -> Any:
    batch, _plan = import_preview(acting_user=user, spec=PolicyImport(user), data=data, filename="p.xlsx")
    return import_commit(acting_user=user, spec=PolicyImport(user), batch=batch)


def test_import_creates_drafts_and_a_second_run_changes_nothing(make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    data = workbook([row(), row(title="无条件草案", doc_no=None, eligibility=None)])
    batch, _plan = commit(admin, data)
    assert (batch.created, batch.rejected) == (2, 0)
    first = Policy.objects.get(title="导入政策")
    assert first.status == PolicyStatus.DRAFT
    assert first.eligibility == TREE
    assert Policy.objects.get(title="无条件草案").eligibility == {}
    before = fingerprint()
    batch, _plan = commit(admin, data)
    assert (batch.created, batch.updated, batch.unchanged) == (0, 0, 2)
    assert fingerprint()[0] == before[0]


def test_import_updates_by_id(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT, title="旧名")
    batch, _plan = commit(admin, workbook([row(id=str(policy.pk), title="新名")]))
    assert batch.updated == 1
    assert Policy.objects.get(pk=policy.pk).title == "新名"


def test_a_blank_conditions_cell_keeps_the_policys_conditions(make_user: Any, org_tree: Any) -> None:
    """Updating an in-force or a draft policy with the conditions cell left blank changes the
    other fields and keeps its tree (an in-force policy cannot lose it: that used to end the
    commit with a server error)."""
    admin = make_user(Role.CITY_ADMIN)
    live = make_policy(org_tree["city"], status=PolicyStatus.IN_FORCE, title="有效政策", eligibility=TREE)
    draft = make_policy(org_tree["city"], status=PolicyStatus.DRAFT, title="草稿政策", eligibility=TREE)
    batch, _plan = commit(
        admin,
        workbook([
            row(id=str(live.pk), title="有效政策-修订", eligibility=None),
            row(id=str(draft.pk), title="草稿政策-修订", eligibility=""),
        ]),
    )
    assert (batch.updated, batch.rejected) == (2, 0)
    for policy, title in ((live, "有效政策-修订"), (draft, "草稿政策-修订")):
        policy.refresh_from_db()
        assert (policy.title, policy.eligibility) == (title, TREE)


def test_rows_without_id_find_their_policies_in_one_query(make_user: Any, org_tree: Any) -> None:
    """Matching rows to policies by title and document number does not query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = make_user(Role.CITY_ADMIN)
    for n in range(3):
        make_policy(org_tree["city"], status=PolicyStatus.DRAFT, title=f"同名{n}", doc_no=f"号{n}")
    few = workbook([row(title="同名0", doc_no="号0", benefits="改")])
    many = workbook([row(title=f"同名{n}", doc_no=f"号{n}", benefits="改") for n in range(3)])
    counts = []
    for data in (few, many):
        with CaptureQueriesContext(connection) as ctx:
            _batch, plan = import_preview(acting_user=admin, spec=PolicyImport(admin), data=data, filename="p.xlsx")
        assert not plan.errors
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_bad_row_blocks_everything_and_names_row_column_reason(make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    bad_tree = json.dumps({"all": [{"field": "size_class", "op": "eq", "value": "huge"}]})
    data = workbook([
        row(title="好的一行"),
        row(title="坏树", doc_no="x1", eligibility=bad_tree),
        row(title="坏日期", doc_no="x2", valid_from="2026-05-01", valid_to="2026-04-01"),
    ])
    before = fingerprint()
    batch, plan = import_preview(acting_user=admin, spec=PolicyImport(admin), data=data, filename="p.xlsx")
    errors = {(e.row, e.column) : e.reason for e in plan.errors}
    assert (3, "适用条件(JSON)") in errors
    assert "eligibility.all[0].value" in errors[(3, "适用条件(JSON)")]
    assert (4, "失效日期") in errors
    with pytest.raises(ImportBlocked):
        import_commit(acting_user=admin, spec=PolicyImport(admin), batch=batch)
    assert fingerprint()[0] == before[0]
    assert not Policy.objects.filter(title="好的一行").exists()


def test_unit_admin_may_not_import_into_another_county(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.UNIT_ADMIN, "county_a")
    other = make_policy(org_tree["county_b"], status=PolicyStatus.DRAFT)
    _batch, plan = import_preview(
        acting_user=admin,
        spec=PolicyImport(admin),
        data=workbook([row(org_unit="340403"), row(id=str(other.pk), title="改别人的")]),
        filename="p.xlsx",
    )
    columns = {e.column for e in plan.errors}
    assert columns == {"管理单位代码", "编号"}


def test_pages_and_template(make_user: Any) -> None:
    client = web_client(make_user(Role.CITY_ADMIN))
    assert client.get(reverse("policies:import")).status_code == 200
    template = client.get(reverse("policies:import_template"))
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    upload = SimpleUploadedFile("p.xlsx", workbook([row()]))
    response = client.post(reverse("policies:import"), {"file": upload})
    assert response.status_code == 200
    assert "导入政策" in response.content.decode()
