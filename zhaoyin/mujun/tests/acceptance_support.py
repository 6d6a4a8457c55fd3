"""What the 亩均 acceptance tests share (issue 14's Acceptance list, through the pages and through
the API): eight industrial firms and the bureaus' workbooks reporting their year, in the
contract's format (docs/mujun.md, "The bureaus' workbook format"), written here with openpyxl
rather than taken from the demo's fixtures so the two tests stay lean (eight firms, not ninety).

The firms are ordered: firm k (1 best … 8 weakest) reports figures proportional to ``9 - k`` on
every indicator of the Anhui-style template, so each list average moves all firms' points alike
and their order is stable under a re-run. The last firm, 绿源环保, is the objecting one: the tax
bureau's workbook under-reports its tax (``REPORTED_TAX`` for ``TRUE_TAX``), which makes it the
D firm of the 初评; its upheld objection corrects the tax, lifts it, and leaves the 7th firm as
the D firm of the published evaluation. The 3rd firm (graded B) is the one lifted to A by a
调档, so the published A firms are the first three.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.enterprises.models import Enterprise, Industry
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.mujun.sources import Source

#: The year evaluated (any year an import accepts: 2000 up to the current one).
YEAR = 2025
#: The firms: name and the org unit (a key of the ``org_tree`` fixture) they belong to.
FIRMS: list[tuple[str, str]] = [
    ("淮南恒力精密机械有限公司", "county_a"),
    ("淮南华瑞新材料有限公司", "park_a"),
    ("淮南泰和电子科技有限公司", "county_a"),
    ("淮南金泉食品有限公司", "county_b"),
    ("淮南启明汽车零部件有限公司", "park_a"),
    ("淮南振华纺织有限公司", "county_b"),
    ("淮南宏远建材有限公司", "county_b"),
    ("淮南绿源环保科技有限公司", "county_a"),
]
#: Index (0-based) of the firm whose grade a 调档 lifts from B to A, and of the objecting firm.
LIFTED = 2
OBJECTOR = 7
#: The objecting firm's tax (万元) as the tax bureau reported it and as its tax receipts show.
REPORTED_TAX = Decimal("20")
TRUE_TAX = Decimal("400")
#: The firm that is the D firm once the objection is upheld (the 7th).
FINAL_D = 6
LAND_MU = Decimal("20")

#: The contract's headers (written out here, not read from the importer: the test checks them).
HEAD = ["统一社会信用代码", "企业名称"]
HEADERS: dict[Source, list[str]] = {
    Source.TAX: [*HEAD, "实缴税金（万元）"],
    Source.POWER: [*HEAD, "用电量（万千瓦时）"],
    Source.STATS: [*HEAD, "主营业务收入（万元）", "工业增加值（万元）", "技改投资（万元）"],
    Source.ENERGY: [*HEAD, "综合能耗（吨标煤）"],
    Source.ENVIRONMENT: [*HEAD, "主要污染物排放量（吨）", "核定排污权（吨）"],
    Source.SCIENCE: [*HEAD, "研发经费（万元）"],
    Source.HR: [*HEAD, "年平均职工人数（人）"],
    Source.LAND: ["地块编号", "坐落", "所属园区", "地块面积（亩）", "统一社会信用代码", "企业名称", "权属",
                  "使用面积（亩）"],
}


def figures(index: int) -> dict[str, Decimal]:
    """The figures the bureaus report of firm ``index`` (0-based), land aside."""
    q = Decimal(8 - index)
    return {
        "tax": REPORTED_TAX if index == OBJECTOR else 50 * q,
        "electricity": 150 + 10 * q,
        "revenue": 1000 * q,
        "value_added": 300 * q,
        "tech_investment": 10 * q,
        "energy": Decimal(100),
        "emissions": Decimal(10),
        "pollution_rights": Decimal(15),
        "rd": 3 * q * q,
        "employees": Decimal(100),
    }


#: Each figure source's figure columns, in the headers' order.
COLUMNS: dict[Source, list[str]] = {
    Source.TAX: ["tax"],
    Source.POWER: ["electricity"],
    Source.STATS: ["revenue", "value_added", "tech_investment"],
    Source.ENERGY: ["energy"],
    Source.ENVIRONMENT: ["emissions", "pollution_rights"],
    Source.SCIENCE: ["rd"],
    Source.HR: ["employees"],
}


def make_firms(units: dict[str, OrgUnit]) -> list[Enterprise]:
    """The eight firms (above designated size, a non-exempt industry), stored directly (test data)."""
    industry = Industry.objects.get(code="it")
    out = []
    for n, (name, unit) in enumerate(FIRMS, start=1):
        firm = Enterprise(name=name, uscc=make_uscc("340400", f"{61000 + n:08d}"), org_unit=units[unit],
                          industry=industry, size_class="above")
        firm.refresh_search_text()
        firm.save()
        out.append(firm)
    return out


def _book(headers: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbooks(firms: list[Enterprise], units: dict[str, OrgUnit]) -> dict[Source, bytes]:
    """Each bureau's workbook of the year: one row per firm (land: one parcel each, 自有)."""
    books: dict[Source, bytes] = {}
    for source, columns in COLUMNS.items():
        rows = [[f.uscc, f.name, *(float(figures(i)[c]) for c in columns)] for i, f in enumerate(firms)]
        books[source] = _book(HEADERS[source], rows)
    park = units["park_a"]
    land = [[f"340400-YS-{i + 1:03d}", f"安徽省淮南市{f.org_unit.name}", park.code if f.org_unit_id == park.pk else "",
             float(LAND_MU), f.uscc, f.name, "自有", float(LAND_MU)] for i, f in enumerate(firms)]
    books[Source.LAND] = _book(HEADERS[Source.LAND], land)
    return books


@dataclass(frozen=True)
class Upload:
    """A workbook as a test uploads it."""

    source: Source
    filename: str
    content: bytes


def uploads(firms: list[Enterprise], units: dict[str, OrgUnit]) -> list[Upload]:
    """The workbooks in the order the office imports them (land first: the reconciliation reads it)."""
    books = workbooks(firms, units)
    order = [Source.LAND, *COLUMNS]
    return [Upload(s, f"{YEAR}-{s.value}.xlsx", books[s]) for s in order]


#: The eligibility tree of the policy "A 类企业".
A_GRADE_TREE: dict[str, Any] = {"field": "mu_grade", "op": "eq", "value": "A"}


def policy_values(unit_code: str) -> dict[str, Any]:
    """A policy for A-grade firms (the policies service's / API's fields)."""
    return {
        "title": "亩均效益A类企业奖励", "issuer": "淮南市人民政府", "level": "city", "category": "funds",
        "org_unit": unit_code, "valid_from": "2026-01-01", "delivery": "no_application",
        "benefits": "亩均效益评价A类企业给予一次性奖励20万元", "eligibility": A_GRADE_TREE,
    }
