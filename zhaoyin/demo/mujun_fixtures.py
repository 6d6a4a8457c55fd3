"""The per-bureau sample workbooks of the demo's 亩均 evaluation (issue 14 item 9).

The demo imports its 2025 evaluation inputs the way a city would: one workbook per bureau
(税务, 供电, 统计, 发改, 生态环境, 科技, 人社, 自然资源), in the format of docs/mujun.md, kept in
the repository under ``zhaoyin/demo/fixtures/mujun/``. This module is what wrote them: the figures
agree with the demo firms' own 2025 figures (``services.enterprise_figures``) and profiles
(land), with the gaps and cases a real year has — small firms without emission or R&D figures,
a 标准化厂房 parcel of the 高新区 leased to four small firms (the land counts for the users), the
power company (an exempt utility), and one firm whose tax the bureau under-reported (its
objection is upheld in the demo). ``python -m zhaoyin.demo.mujun_fixtures DIR`` writes them
again; a test checks the committed files hold exactly these rows.
"""

from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from zhaoyin.demo import data
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

#: The year the workbooks report (the demo evaluates the year before its own).
FIXTURE_YEAR = 2025
FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "mujun"
CENT = Decimal("0.01")
#: The firm whose 实缴税金 the tax bureau under-reported (a branch's tax left out) — the demo
#: enterprise account's own (汉邦日化): the demo's
#: upheld objection corrects it to the figure the firm's own accounts give.
UNDER_REPORTED = data.HANBANG
UNDER_REPORTED_SHARE = Decimal("0.35")
#: The 高新区's standard-factory parcel and the small firms renting it.
SHARED_PARCEL = ("340400-GXQ-SF01", "高新区标准化厂房一期", Decimal("60.00"))
HEAD = ["统一社会信用代码", "企业名称"]
FILES: dict[str, list[str]] = {
    "tax": ["实缴税金（万元）"],
    "power": ["用电量（万千瓦时）"],
    "stats": ["主营业务收入（万元）", "工业增加值（万元）", "技改投资（万元）"],
    "energy": ["综合能耗（吨标煤）"],
    "environment": ["主要污染物排放量（吨）", "核定排污权（吨）"],
    "science": ["研发经费（万元）"],
    "hr": ["年平均职工人数（人）"],
}
LAND_HEAD = ["地块编号", "坐落", "所属园区", "地块面积（亩）", "统一社会信用代码", "企业名称", "权属", "使用面积（亩）"]


def _firms() -> list[dict[str, Any]]:
    """Each demo firm's profile and 2025 figures, in the demo's order."""
    # Imported here: the module also runs as a script, before Django is set up.
    from zhaoyin.demo.services import demo_uscc, enterprise_figures, enterprise_profile

    out = []
    for index, (name, industry, unit) in enumerate(data.ENTERPRISES):
        profile = enterprise_profile(index, name, industry, unit)
        figures = enterprise_figures(name, industry, profile["size_class"], profile["employees"], FIXTURE_YEAR)
        out.append({"name": name, "industry": industry, "unit": unit, "uscc": demo_uscc(name, unit),
                    "profile": profile, "figures": figures})
    return out


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def rows() -> dict[str, list[list[Any]]]:
    """Every workbook's data rows (without the header), by source code."""
    firms = _firms()
    out: dict[str, list[list[Any]]] = {name: [] for name in (*FILES, "land")}
    renters = [f for f in firms if f["unit"] == "park-gxq" and f["profile"]["size_class"] == "below"][:4]
    renter_names = {f["name"] for f in renters}
    for f in firms:
        rng = random.Random("mujun:" + f["name"])  # noqa: S311 - fixture data, not security
        fig, above = f["figures"], f["profile"]["size_class"] == "above"
        head = [f["uscc"], f["name"]]
        tax = fig["tax_wan"]
        if f["name"] == UNDER_REPORTED:
            tax = _q(tax * UNDER_REPORTED_SHARE)
        out["tax"].append([*head, tax])
        out["power"].append([*head, _q(fig["electricity_kwh"] / Decimal(10000))])
        tech = _q(fig["revenue_wan"] * Decimal(str(rng.uniform(0.0, 0.08)))) if above else None
        out["stats"].append([*head, fig["revenue_wan"], fig["value_added_wan"], tech])
        out["energy"].append([*head, fig["energy_tce"]])
        # Small firms outside the emission permit system report nothing (the scheme's
        # missing-data rule gives them the list's mean points).
        if above or rng.random() < 0.6:
            rights = _q(fig["emissions_t"] * Decimal(str(rng.uniform(1.2, 2.0))))
            out["environment"].append([*head, fig["emissions_t"], rights])
        if fig["rd_wan"] is not None:
            out["science"].append([*head, fig["rd_wan"]])
        out["hr"].append([*head, fig["employees"]])
        park = f["unit"] if f["unit"].startswith("park-") else ""
        if f["name"] in renter_names:
            continue
        code = f"340400-{f['uscc'][8:14]}-{len(out['land']) + 1:03d}"
        place = f"安徽省淮南市{data.NAME_OF[f['unit']]}"
        area = f["profile"]["land_mu"]
        out["land"].append([code, place, park, area, f["uscc"], f["name"], "自有", area])
    code, place, area = SHARED_PARCEL
    shares = (Decimal("18.00"), Decimal("15.00"), Decimal("12.50"), Decimal("10.00"))
    for f, share in zip(renters, shares, strict=False):
        out["land"].append([code, place, "park-gxq", area, f["uscc"], f["name"], "租赁", share])
    return out


def headers(source: str) -> list[str]:
    return LAND_HEAD if source == "land" else HEAD + FILES[source]


def write(directory: Path = FIXTURE_DIR) -> list[Path]:
    """Write the eight workbooks into ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for source, body in rows().items():
        path = directory / f"{FIXTURE_YEAR}-{source}.xlsx"
        text = frozenset({0, 4}) if source == "land" else frozenset({0})
        write_xlsx(path, [SheetSpec(title=source, headers=headers(source), rows=body, text_columns=text,
                                    widths=[22, 34] + [18] * 6)])
        written.append(path)
    return written


if __name__ == "__main__":
    import django

    django.setup()
    for p in write(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE_DIR):
        print(p)
