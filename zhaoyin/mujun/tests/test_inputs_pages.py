"""The reconciliation (present / missing / disputed, filters, scope, export), a firm's inputs
page (an enterprise reads only its own: 404 else), bonuses and deductions, and the import pages
(upload with the year → dry run → commit → result)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.testing import refused
from zhaoyin.mujun import input_selectors as selectors
from zhaoyin.mujun import input_services as services
from zhaoyin.mujun.input_inputs import AdjustmentInput
from zhaoyin.mujun.models import MuAdjustment, MuInput
from zhaoyin.mujun.sources import Source
from zhaoyin.mujun.tests.input_support import YEAR, MuWorld, commit, mu_world_fixture, workbook

mu_world = mu_world_fixture


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def load(w: MuWorld) -> None:
    """Firm A complete and plausible; firm B with tax above revenue; the park's firm missing most."""
    commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 100], [w.firm_b.uscc, "", 900],
                                                       [w.firm_park.uscc, "", 5]]))
    commit(w.office, Source.STATS, workbook(Source.STATS, [[w.firm_a.uscc, "", 1000, 300, 10],
                                                           [w.firm_b.uscc, "", 800, 200, 0]]))
    for source, cells in [(Source.POWER, [50]), (Source.ENERGY, [20]), (Source.ENVIRONMENT, [1, 2]),
                          (Source.SCIENCE, [30]), (Source.HR, [120])]:
        commit(w.office, source, workbook(source, [[w.firm_a.uscc, "", *cells], [w.firm_b.uscc, "", *cells]]))
    commit(w.office, Source.LAND, workbook(Source.LAND, [
        ["DK-1", "", "", 40, w.firm_a.uscc, "", "自有", 40], ["DK-2", "", "", 30, w.firm_b.uscc, "", "自有", 30],
    ]))


def test_reconciliation_statuses(mu_world: MuWorld) -> None:
    w = mu_world
    load(w)
    rows = {f.enterprise.pk: f for f in selectors.firm_inputs(w.firms, YEAR)}
    a, b, park = rows[w.firm_a.pk], rows[w.firm_b.pk], rows[w.firm_park.pk]
    assert a.status == "present"
    assert a.cells["tax"].value == Decimal("100")
    assert a.cells["tax"].source == "tax"
    assert a.cells["land_mu"].value == Decimal("40")
    assert a.cells["land_mu"].source == "land"
    assert b.status == "disputed"
    assert b.cells["tax"].status == b.cells["revenue"].status == "disputed"
    assert b.cells["tax"].reasons == ["Tax paid is above revenue."]
    assert b.cells["electricity"].status == "present"
    assert park.status == "missing"
    assert park.cells["revenue"].status == "missing"
    assert park.cells["tax"].status == "present"
    # The status filter agrees with the cells (it is computed in SQL).
    for status, expected in [("present", {w.firm_a.pk}), ("disputed", {w.firm_b.pk}), ("missing", {w.firm_park.pk})]:
        qs = selectors.narrow_status(selectors.year_firms(w.office, YEAR), status, YEAR)
        assert set(qs.values_list("pk", flat=True)) == expected, status


def test_value_added_above_revenue_is_disputed(mu_world: MuWorld) -> None:
    w = mu_world
    commit(w.office, Source.STATS, workbook(Source.STATS, [[w.firm_a.uscc, "", 100, 150, 0]]))
    firm = selectors.firm_inputs([w.firm_a], YEAR)[0]
    assert firm.cells["value_added"].status == "disputed"
    assert "Value added is above revenue." in firm.cells["revenue"].reasons


def test_a_dispute_hook_adds_reasons(mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = mu_world
    commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 10]]))
    monkeypatch.setattr(selectors, "DISPUTE_HOOKS", [lambda year, ids: {w.firm_a.pk: {"tax": "open objection"}}])
    assert selectors.firm_inputs([w.firm_a], YEAR)[0].cells["tax"].reasons == ["open objection"]


def test_reconciliation_page_filters_and_scope(mu_world: MuWorld) -> None:
    w = mu_world
    load(w)
    url = reverse("mujun:inputs")
    page = client_for(w.office).get(url, {"year": YEAR})
    assert page.status_code == 200
    body = page.content.decode()
    assert all(f.name in body for f in w.firms)
    disputed = client_for(w.office).get(url, {"year": str(YEAR), "status": "disputed"}).content.decode()
    assert w.firm_b.name in disputed
    assert w.firm_a.name not in disputed
    found = client_for(w.office).get(url, {"year": str(YEAR), "q": w.firm_park.uscc}).content.decode()
    assert w.firm_park.name in found
    assert w.firm_a.name not in found
    sized = client_for(w.office).get(url, {"year": str(YEAR), "size_class": "below"}).content.decode()
    assert w.firm_park.name in sized
    assert w.firm_b.name not in sized
    unit = client_for(w.office).get(url, {"year": str(YEAR), "org_unit": "park-a"}).content.decode()
    assert w.firm_park.name in unit
    assert w.firm_a.name not in unit
    # County A's unit admin sees county A and its park, not county B.
    scoped = client_for(w.unit_a).get(url, {"year": YEAR}).content.decode()
    assert w.firm_a.name in scoped
    assert w.firm_park.name in scoped
    assert w.firm_b.name not in scoped
    # A firm sees only itself.
    own = client_for(w.portal_a).get(url, {"year": YEAR}).content.decode()
    assert w.firm_a.name in own
    assert w.firm_b.name not in own
    # A bad filter is named and nothing listed.
    bad = client_for(w.office).get(url, {"year": "1999", "status": "odd"})
    assert bad.status_code == 400
    assert "mu-inputs-table" not in bad.content.decode()


def test_reconciliation_export_keeps_filters(mu_world: MuWorld) -> None:
    w = mu_world
    load(w)
    response = client_for(w.office).get(reverse("mujun:inputs_export"), {"year": str(YEAR), "status": "disputed"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("统一社会信用代码", "企业名称")
    assert [r[0] for r in rows[1:]] == [w.firm_b.uscc]
    assert rows[1][-1]  # why it is disputed (tax above revenue), in the page's language
    assert AuditRecord.objects.filter(action="mu_input.export").exists()


def test_firm_page_shows_source_and_batch(mu_world: MuWorld) -> None:
    w = mu_world
    batch, _plan = commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 100]]))
    page = client_for(w.unit_a).get(reverse("mujun:inputs_firm", args=[w.firm_a.pk]), {"year": YEAR})
    assert page.status_code == 200
    assert f"#{batch.pk}" in page.content.decode()


def test_an_enterprise_reads_only_its_own_inputs(mu_world: MuWorld) -> None:
    """Bad input: an enterprise reading another firm's detailed inputs → 404 (alike unknown)."""
    w = mu_world
    commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 100], [w.firm_b.uscc, "", 9]]))
    portal = client_for(w.portal_a)
    assert portal.get(reverse("mujun:inputs_firm", args=[w.firm_a.pk]), {"year": YEAR}).status_code == 200
    other = portal.get(reverse("mujun:inputs_firm", args=[w.firm_b.pk]), {"year": YEAR})
    unknown = portal.get(reverse("mujun:inputs_firm", args=[999_999]), {"year": YEAR})
    assert other.status_code == unknown.status_code == 404
    # County A's unit roles: county B's firm is 404 too.
    assert client_for(w.unit_a).get(reverse("mujun:inputs_firm", args=[w.firm_b.pk])).status_code == 404


def test_adjustments_add_and_remove(mu_world: MuWorld) -> None:
    w = mu_world
    client = client_for(w.office)
    url = reverse("mujun:adjustment_add", args=[w.firm_a.pk])
    response = client.post(url, {"year": YEAR, "points": "2.5", "reason": "省级智能工厂"})
    assert response.status_code == 302
    adjustment = MuAdjustment.objects.get()
    assert (adjustment.points, adjustment.reason, adjustment.created_by) == (Decimal("2.50"), "省级智能工厂", w.office)
    assert AuditRecord.objects.filter(action="mu_adjustment.add").count() == 1
    response = client.post(reverse("mujun:adjustment_delete", args=[adjustment.pk]))
    assert response.status_code == 302
    assert not MuAdjustment.objects.exists()


@pytest.mark.parametrize(("values", "field"), [
    ({"points": "0"}, "points"),
    ({"points": "20.01"}, "points"),
    ({"points": "-21"}, "points"),
    ({"points": "abc"}, "points"),
    ({"points": "1.234"}, "points"),
    ({"reason": "  "}, "reason"),
    ({"reason": "x" * 201}, "reason"),
    ({"year": 1999}, "year"),
])
def test_bad_adjustments_name_the_field_and_change_nothing(
    mu_world: MuWorld, values: dict[str, object], field: str
) -> None:
    w = mu_world
    given = {"year": YEAR, "points": "2", "reason": "省级专精特新", **values}
    with refused(InvalidInput, fields=[field]):
        services.adjustment_add(acting_user=w.office, enterprise=w.firm_a, data=AdjustmentInput.parse(given))
    page = client_for(w.office).post(reverse("mujun:adjustment_add", args=[w.firm_a.pk]), given)
    assert page.status_code == 400
    assert not MuAdjustment.objects.exists()


def test_import_pages_preview_then_commit(mu_world: MuWorld) -> None:
    w = mu_world
    client = client_for(w.office)
    url = reverse("mujun:import", args=["tax"])
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("tax.xlsx", workbook(Source.TAX, [[w.firm_a.uscc, "", 12]]))
    preview = client.post(url, {"year": YEAR, "file": upload})
    assert preview.status_code == 200
    assert "import-commit" in preview.content.decode()
    assert not MuInput.objects.exists()
    batch = ImportBatch.objects.get(kind="mu_tax_2025")
    result = client.post(reverse("mujun:import_commit"), {"batch": batch.pk})
    assert result.status_code == 302
    assert client.get(result["Location"]).status_code == 200
    assert MuInput.objects.get().batch == batch
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.COMMITTED
    assert client.get(reverse("mujun:batches")).status_code == 200
    assert client.get(reverse("mujun:import_template", args=["land"])).status_code == 200


def test_import_page_refuses_a_bad_year_and_a_bad_file(mu_world: MuWorld) -> None:
    w = mu_world
    client = client_for(w.office)
    url = reverse("mujun:import", args=["tax"])
    upload = SimpleUploadedFile("tax.xlsx", workbook(Source.TAX, [[w.firm_a.uscc, "", 12]]))
    assert client.post(url, {"year": "1999", "file": upload}).status_code == 400
    assert client.post(url, {"year": YEAR, "file": SimpleUploadedFile("x.xlsx", b"nope")}).status_code == 400
    assert client.get(reverse("mujun:import", args=["nosuch"])).status_code == 404
    assert not ImportBatch.objects.exists()


def test_a_refused_import_shows_each_row_problem(mu_world: MuWorld) -> None:
    w = mu_world
    client = client_for(w.office)
    content = workbook(Source.LAND, [["DK-9", "", "", 10, w.firm_a.uscc, "", "自有", 5],
                                     ["DK-9", "", "", 10, w.firm_b.uscc, "", "自有", 5]])
    page = client.post(reverse("mujun:import", args=["land"]),
                       {"year": YEAR, "file": SimpleUploadedFile("land.xlsx", content)})
    body = page.content.decode()
    assert "import-errors" in body
    assert "import-commit" not in body
    batch = ImportBatch.objects.get()
    assert {(row, column) for row, column, _reason in batch.errors} == {(2, "权属"), (3, "权属")}
    assert client.get(reverse("mujun:import_errors", args=[batch.pk])).status_code == 200


def test_reconciliation_export_is_built_outside_any_transaction(
    mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook is written at depth 0 and the audit record in audit_write's own transaction
    (SQLite has one writer: an export must not hold it)."""
    from zhaoyin.core.testing import atomic_depths
    from zhaoyin.mujun import input_exporting
    from zhaoyin.mujun.input_filters import InputFilter

    load(mu_world)
    depths = atomic_depths(monkeypatch, (input_exporting, "write_xlsx"), (input_exporting, "audit_write"))
    count = input_exporting.inputs_export(acting_user=mu_world.office, flt=InputFilter.parse({"year": str(YEAR)}),
                                          out=io.BytesIO())
    assert count >= 1
    assert depths["write_xlsx"] == [0]
    assert depths["audit_write"] == [0]


def test_cells_show_one_number_of_places_per_figure() -> None:
    """A column reads evenly: head counts whole, the other figures at 2 places; a value the
    page rounds keeps its exact digits for the cell's title."""
    Cell = selectors.Cell
    assert Cell(figure="tax", status="ok", value=Decimal("1200")).shown == "1,200.00"
    assert Cell(figure="tax", status="ok", value=Decimal("12.5")).exact == ""
    rounded = Cell(figure="land_mu", status="ok", value=Decimal("3.14159"))
    assert rounded.shown == "3.14"
    assert rounded.exact == "3.14159"
    assert Cell(figure="employees", status="ok", value=Decimal("250.0000")).shown == "250"
    assert Cell(figure="tax").shown == ""
