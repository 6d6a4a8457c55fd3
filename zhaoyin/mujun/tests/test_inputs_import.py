"""The bureaus' imports (issue 14 item 1): a good file writes each value with its source and
batch, a re-import replaces, and each bad input names its row and column and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.importing import ImportBlocked, ImportFileError
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.testing import db_fingerprint, fingerprint_changes
from zhaoyin.mujun import snapshot
from zhaoyin.mujun.input_importing import batch_kind, import_template, parse_kind
from zhaoyin.mujun.input_services import mu_import_commit
from zhaoyin.mujun.models import MuInput, Parcel, ParcelHolding
from zhaoyin.mujun.sources import Source
from zhaoyin.mujun.tests.input_support import (
    UNKNOWN_USCC,
    YEAR,
    MuWorld,
    commit,
    mu_world_fixture,
    preview,
    workbook,
)

mu_world = mu_world_fixture


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The messages are matched in English (their msgids); the catalogue's Chinese is checked
    # by tools/check_messages.py.
    with translation.override("en"):
        yield
#: Tables a refused import may still write: its batch record (status, errors) and the audit.
BOOKKEEPING = ("audit.auditrecord", "core.importbatch", "sessions.session")


def values(firm: Any, year: int = YEAR) -> dict[str, tuple[Decimal, str, int | None]]:
    return {i.figure: (i.value, i.source, i.batch_id) for i in MuInput.objects.filter(enterprise=firm, year=year)}


def test_stats_import_writes_values_with_source_and_batch(mu_world: MuWorld) -> None:
    w = mu_world
    content = workbook(Source.STATS, [
        [w.firm_a.uscc, w.firm_a.name, 5000, 1200.5, 300],
        [w.firm_b.uscc, "名称只作参考", "800", None, 0],
    ])
    batch, plan = commit(w.office, Source.STATS, content)
    assert batch.status == ImportStatus.COMMITTED
    assert batch.kind == batch_kind(Source.STATS, YEAR) == "mu_stats_2025"
    assert parse_kind(batch.kind) == (Source.STATS, YEAR)
    assert plan.counts == {"rows_in": 2, "created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert values(w.firm_a) == {
        "revenue": (Decimal("5000"), "stats", batch.pk),
        "value_added": (Decimal("1200.5"), "stats", batch.pk),
        "tech_investment": (Decimal("300"), "stats", batch.pk),
    }
    # An empty cell is "not reported": no value stored for it.
    assert set(values(w.firm_b)) == {"revenue", "tech_investment"}
    commits = AuditRecord.objects.filter(action="mu_stats_2025.import_commit")
    assert commits.count() == 1
    assert (commits.get().after or {})["created"] == 2


def test_reimport_replaces_the_years_values(mu_world: MuWorld) -> None:
    w = mu_world
    first, _plan = commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 100],
                                                                      [w.firm_b.uscc, "", 7]]))
    other_year, _plan = commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 1]]), year=2024)
    second, plan = commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 120],
                                                                       [w.firm_b.uscc, "", None]]))
    assert plan.counts["updated"] == 2
    assert values(w.firm_a) == {"tax": (Decimal("120"), "tax", second.pk)}
    assert values(w.firm_b) == {}  # the bureau now reports none: the old value is removed
    assert values(w.firm_a, 2024) == {"tax": (Decimal("1"), "tax", other_year.pk)}  # another year untouched
    # The same file again changes nothing.
    _batch, plan = preview(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 120]]))
    assert plan.counts["unchanged"] == 1
    assert plan.counts["updated"] == 0
    assert first.pk != second.pk


def _refused(w: MuWorld, source: Source, content: bytes, column: str, row: int, words: str) -> None:
    """The dry run names the row and column; the commit is refused and changes nothing."""
    batch, plan = preview(w.office, source, content)
    found = [(e.row, e.column, e.reason) for e in plan.errors]
    assert any(r == row and c == column and words in reason for r, c, reason in found), found
    before = db_fingerprint(exclude=BOOKKEEPING)
    with pytest.raises(ImportBlocked):
        mu_import_commit(acting_user=w.office, batch=batch)
    assert fingerprint_changes(before, db_fingerprint(exclude=BOOKKEEPING)) == []
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.FAILED


def test_malformed_uscc_names_the_row_and_column(mu_world: MuWorld) -> None:
    w = mu_world
    bad = w.firm_b.uscc[:-1] + ("0" if w.firm_b.uscc[-1] != "0" else "1")
    content = workbook(Source.TAX, [[w.firm_a.uscc, "", 10], [bad, "", 5]])
    _refused(w, Source.TAX, content, "统一社会信用代码", 3, "check character")
    assert not MuInput.objects.exists()


def test_unknown_uscc_is_listed(mu_world: MuWorld) -> None:
    w = mu_world
    content = workbook(Source.POWER, [[w.firm_a.uscc, "", 10], [UNKNOWN_USCC, "未登记企业", 5]])
    _refused(w, Source.POWER, content, "统一社会信用代码", 3, "No enterprise")


def test_duplicate_firm_rows_are_both_errors(mu_world: MuWorld) -> None:
    w = mu_world
    content = workbook(Source.HR, [[w.firm_a.uscc, "", 10], [w.firm_a.uscc, "", 12]])
    _batch, plan = preview(w.office, Source.HR, content)
    assert {e.row for e in plan.errors} == {2, 3}
    _refused(w, Source.HR, content, "统一社会信用代码", 2, "DUPLICATE_KEY")


@pytest.mark.parametrize(("source", "cells", "column", "words"), [
    (Source.TAX, [-1], "实缴税金（万元）", "negative"),
    (Source.STATS, ["abc", 1, 1], "主营业务收入（万元）", "number"),
    (Source.HR, [12.5], "年平均职工人数（人）", "whole number"),
    (Source.ENVIRONMENT, [1, -0.5], "核定排污权（吨）", "negative"),
])
def test_implausible_figures_are_refused(
    mu_world: MuWorld, source: Source, cells: list[Any], column: str, words: str
) -> None:
    w = mu_world
    _refused(w, source, workbook(source, [[w.firm_a.uscc, "", *cells]]), column, 2, words)


def land_row(parcel: str, area: Any, firm: Any, tenure: str, use: Any, park: str = "") -> list[Any]:
    return [parcel, "淮南市测试路1号", park, area, firm.uscc, firm.name, tenure, use]


def test_land_import_stores_parcels_and_holdings(mu_world: MuWorld) -> None:
    w = mu_world
    content = workbook(Source.LAND, [
        land_row("DK-001", 30, w.firm_a, "自有", 20, park="park-a"),
        land_row("DK-001", 30, w.firm_b, "租赁", 10, park="park-a"),
        land_row("DK-002", 12.5, w.firm_park, "自有", 12.5, park="A园区"),
    ])
    batch, plan = commit(w.office, Source.LAND, content)
    assert plan.counts["created"] == 3
    parcel = Parcel.objects.get(code="DK-001")
    assert parcel.area_mu == Decimal("30")
    assert parcel.park == w.units["park_a"]
    assert parcel.batch == batch
    assert Parcel.objects.get(code="DK-002").park == w.units["park_a"]
    held = {(h.enterprise_id, h.tenure, h.area_mu) for h in ParcelHolding.objects.filter(year=YEAR)}
    assert held == {(w.firm_a.pk, "owned", Decimal(20)), (w.firm_b.pk, "leased", Decimal(10)),
                    (w.firm_park.pk, "owned", Decimal("12.5"))}


def test_a_leased_parcel_counts_for_its_user_not_its_owner(mu_world: MuWorld) -> None:
    """The owner leases the whole parcel out: the bureau lists the user only, and the snapshot
    gives the land to the user; the owner keeps the parcel it uses itself."""
    w = mu_world
    commit(w.office, Source.LAND, workbook(Source.LAND, [
        land_row("DK-010", 40, w.firm_b, "租赁", 40),
        land_row("DK-011", 15, w.firm_a, "自有", 15),
    ]))
    commit(w.office, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 10], [w.firm_b.uscc, "", 20]]))
    land = {e["enterprise"]: e["figures"].get("land_mu") for e in snapshot.build(YEAR)}
    assert land == {w.firm_a.pk: "15.00", w.firm_b.pk: "40.00"}


def test_land_reimport_replaces_the_parcels_holdings(mu_world: MuWorld) -> None:
    w = mu_world
    commit(w.office, Source.LAND, workbook(Source.LAND, [
        land_row("DK-020", 30, w.firm_a, "自有", 20), land_row("DK-020", 30, w.firm_b, "租赁", 10),
        land_row("DK-021", 9, w.firm_park, "自有", 9),
    ]))
    # Firm B's lease ended: the new file names the parcel with firm A alone.
    _batch, plan = commit(w.office, Source.LAND, workbook(Source.LAND, [land_row("DK-020", 30, w.firm_a, "自有", 30)]))
    assert plan.counts["updated"] == 1
    assert {(h.parcel.code, h.enterprise_id, h.area_mu) for h in ParcelHolding.objects.filter(year=YEAR)} == {
        ("DK-020", w.firm_a.pk, Decimal(30)), ("DK-021", w.firm_park.pk, Decimal(9)),
    }


def test_dropping_a_holder_alone_is_offered_as_an_update(mu_world: MuWorld) -> None:
    w = mu_world
    commit(w.office, Source.LAND, workbook(Source.LAND, [
        land_row("DK-030", 30, w.firm_a, "自有", 20), land_row("DK-030", 30, w.firm_b, "租赁", 10),
    ]))
    _batch, plan = preview(w.office, Source.LAND, workbook(Source.LAND, [land_row("DK-030", 30, w.firm_a, "自有", 20)]))
    assert plan.counts["updated"] == 1


@pytest.mark.parametrize(("rows", "column", "row", "words"), [
    ([("DK-1", -5, "a", "自有", 1)], "地块面积（亩）", 2, "above 0"),
    ([("DK-1", 0, "a", "自有", 0)], "地块面积（亩）", 2, "above 0"),
    ([("DK-1", 10, "a", "自有", 0)], "使用面积（亩）", 2, "above 0"),
    ([("DK-1", 10, "a", "自有", 12)], "使用面积（亩）", 2, "above the parcel's area"),
    ([("DK-1", 10, "a", "自有", 5), ("DK-1", 10, "b", "自有", 5)], "权属", 3, "two firms without a lease"),
    ([("DK-1", 10, "a", "自有", 6), ("DK-1", 10, "b", "租赁", 6)], "使用面积（亩）", 2, "above its area"),
    ([("DK-1", 10, "a", "自有", 5), ("DK-1", 11, "b", "租赁", 5)], "地块面积（亩）", 3, "different parcel areas"),
    ([("DK-1", 10, "a", "自有", 5), ("DK-1", 10, "a", "自有", 5)], "地块编号", 3, "DUPLICATE_KEY"),
    ([("DK-1", 10, "a", "共有", 5)], "权属", 2, "租赁"),
    ([("DK-1", 10, "a", "自有", 5, "no-such-park")], "所属园区", 2, "No org unit"),
])
def test_bad_land_rows_name_the_row_and_change_nothing(
    mu_world: MuWorld, rows: list[tuple[Any, ...]], column: str, row: int, words: str
) -> None:
    w = mu_world
    firms = {"a": w.firm_a, "b": w.firm_b}
    content = workbook(Source.LAND, [
        land_row(r[0], r[1], firms[r[2]], r[3], r[4], *(r[5:] or ())) for r in rows
    ])
    _refused(w, Source.LAND, content, column, row, words)
    assert not Parcel.objects.exists()
    assert not ParcelHolding.objects.exists()


def test_two_lessees_of_one_parcel_are_fine(mu_world: MuWorld) -> None:
    w = mu_world
    _batch, plan = commit(w.office, Source.LAND, workbook(Source.LAND, [
        land_row("DK-040", 20, w.firm_a, "租赁", 10), land_row("DK-040", 20, w.firm_b, "租赁", 10),
    ]))
    assert plan.counts["created"] == 2


def test_a_refused_file_stores_nothing(mu_world: MuWorld) -> None:
    w = mu_world
    before = ImportBatch.objects.count()
    with pytest.raises(ImportFileError) as info:
        preview(w.office, Source.TAX, workbook(["统一社会信用代码", "企业名称", "用电量（万千瓦时）"], []))
    assert info.value.code in {"UNKNOWN_COLUMN", "MISSING_COLUMN"}
    with pytest.raises(ImportFileError):
        preview(w.office, Source.TAX, b"not a workbook")
    assert ImportBatch.objects.count() == before


def test_only_evaluators_import(mu_world: MuWorld) -> None:
    w = mu_world
    for user in (w.unit_a, w.leader, w.portal_a):
        with pytest.raises(PermissionDenied):
            preview(user, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 1]]))
    batch, _plan = preview(w.admin, Source.TAX, workbook(Source.TAX, [[w.firm_a.uscc, "", 1]]))
    # Another evaluator cannot commit someone else's batch.
    with pytest.raises(Http404):
        mu_import_commit(acting_user=w.office, batch=batch)
    assert not MuInput.objects.exists()


def test_templates_carry_the_contract_headers() -> None:
    import io

    from openpyxl import load_workbook

    for source in Source:
        sheet = load_workbook(io.BytesIO(import_template(source))).active
        assert sheet is not None
        headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert headers[:2] == (["统一社会信用代码", "企业名称"] if source != Source.LAND else ["地块编号", "坐落"])
    land = load_workbook(io.BytesIO(import_template(Source.LAND))).active
    assert land is not None
    assert [c.value for c in next(land.iter_rows(max_row=1))] == [
        "地块编号", "坐落", "所属园区", "地块面积（亩）", "统一社会信用代码", "企业名称", "权属", "使用面积（亩）",
    ]
