"""The 亩均 demo's per-bureau workbooks in the repository are what ``demo.mujun_fixtures`` says
(issue 14 item 9): the same rows, the documented headers, and the cases the demo relies on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from zhaoyin.demo import mujun_fixtures as fx


def _read(source: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(fx.FIXTURE_DIR / f"{fx.FIXTURE_YEAR}-{source}.xlsx", read_only=True)
    sheet = book.worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, Decimal) or isinstance(a, float):
        return a is not None and b is not None and Decimal(str(a)) == Decimal(str(b))
    return a == b or (a is None and b in (None, ""))


@pytest.mark.parametrize("source", [*fx.FILES, "land"])
def test_committed_workbook_holds_the_generated_rows(source: str) -> None:
    got = _read(source)
    assert list(got[0]) == fx.headers(source)
    want = fx.rows()[source]
    assert len(got) - 1 == len(want)
    width = len(fx.headers(source))
    for have, expected in zip(got[1:], want, strict=True):
        have = have + (None,) * (width - len(have))  # a read-only sheet drops trailing empty cells
        assert all(_same(h, e) for h, e in zip(have, expected, strict=True)), (have, expected)


def test_the_cases_the_demo_relies_on() -> None:
    rows = fx.rows()
    # Every firm reports tax, power, revenue and staff; some small firms no emissions or R&D.
    assert len(rows["tax"]) == len(rows["hr"]) == len(rows["stats"]) == 98
    assert len(rows["environment"]) < 98
    assert len(rows["science"]) < 98
    # The shared parcel: four tenants, each 租赁, within its area.
    shared = [r for r in rows["land"] if r[0] == fx.SHARED_PARCEL[0]]
    assert len(shared) == 4
    assert {r[6] for r in shared} == {"租赁"}
    assert sum(r[7] for r in shared) <= fx.SHARED_PARCEL[2]
    # Every other parcel has one owner holding all of it.
    others = [r for r in rows["land"] if r[0] != fx.SHARED_PARCEL[0]]
    assert len({r[0] for r in others}) == len(others)
    assert all(r[6] == "自有" and r[3] == r[7] for r in others)
