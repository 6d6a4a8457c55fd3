"""The differentiated lists a 亩均 run hands to the bureaus, and its printed 公示 list (issue 14
items 5 and 6).

- ``surcharge`` — 差别化电价 for the grid company: each firm of a grade the scheme charges
  (``consequences.surcharge_per_kwh`` > 0) with its electricity use (万千瓦时, from the run's
  snapshot), the surcharge (元/千瓦时) and the amount = use × surcharge (万千瓦时 × 元/千瓦时 =
  万元), and a totals row;
- ``land-tax`` — 城镇土地使用税 relief for the tax bureau: each firm of a grade with relief
  (``consequences.land_tax_relief`` > 0 %) with its land (亩) and the relief in per cent, totals;
- ``priority`` — 用地 / 用能 / 信贷 priority lists: the A and B firms by grade and score, one
  sheet each with the figure the body weighs (land, energy use, revenue);
- ``publicity-xlsx`` / ``publicity-pdf`` — the list in 公示 layout: the title
  "<year>年度工业企业亩均效益综合评价结果公示", one section per result list, rank, firm and grade —
  no figures (the detailed inputs are each firm's own).

Every file holds only the results the caller may read (``selectors.result_list_visible_to``: a
county sees its firms), is rendered in Chinese whatever the reader's language (a bureau's format,
like the printed brochure), built outside any transaction, and audited once
("mujun.export", the kind and the row count). A run not yet in 公示 or discarded has no lists
(409). Workbooks are written by ``lib.xlsx_write`` (text as string cells: no formula injection).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write
from zhaoyin.core.errors import Conflict
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.mujun import scheme_data
from zhaoyin.mujun.flow import PUBLIC_STATES
from zhaoyin.mujun.models import MuResult, MuRun
from zhaoyin.mujun.selectors import result_list_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
#: The kinds of export, as the URL names them.
KINDS: tuple[str, ...] = ("surcharge", "land-tax", "priority", "publicity-xlsx", "publicity-pdf")
#: The bureaus' lists are Chinese documents, whatever the reader's UI language.
EXPORT_LANGUAGE = "zh-hans"
#: The grades on the priority lists (用地/用能/信贷 优先保障).
PRIORITY_GRADES = ("A", "B")
GRADE_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3, "": 4}
USCC_COLUMN = frozenset({2})


@dataclass(frozen=True)
class ExportFile:
    """A built export: its bytes, file name and media type, and how many firms it lists."""

    content: bytes
    filename: str
    content_type: str
    rows: int


def figures_by_firm(run: MuRun) -> dict[int, dict[str, Decimal]]:
    """Each firm's figures as the run read them (its snapshot): enterprise id → figure → value."""
    snapshot = MuRun.objects.filter(pk=run.pk).values_list("snapshot", flat=True).first() or []
    return {
        int(e["enterprise"]): {k: Decimal(str(v)) for k, v in e.get("figures", {}).items() if v not in (None, "")}
        for e in snapshot
    }


def _results(user: User, run: MuRun) -> list[MuResult]:
    return list(result_list_visible_to(user, run).order_by("list_code", "rank", "enterprise__uscc"))


def _graded_order(r: MuResult) -> tuple[Any, ...]:
    return (GRADE_ORDER.get(r.grade, 4), -(r.score or Decimal(0)), r.enterprise.uscc)


def _list_names(run: MuRun) -> dict[str, str]:
    lists = (run.scheme.definition or {}).get("lists") or []
    return {str(x.get("code")): str(x.get("name") or x.get("code")) for x in lists if isinstance(x, dict)}


def _with_consequence(run: MuRun, name: str, results: Iterable[MuResult]) -> list[MuResult]:
    """The graded results whose grade carries the consequence ``name`` (a value above 0)."""
    definition = run.scheme.definition or {}
    return [r for r in results if r.grade and scheme_data.consequence(definition, name, r.grade) > 0]


def _total(values: Iterable[Decimal | None]) -> Decimal:
    # Decimal sums are exact in Python (the database's SUM is not on SQLite: architecture "Money").
    return sum((v for v in values if v is not None), Decimal(0))


def surcharge_sheet(run: MuRun, results: list[MuResult], figures: dict[int, dict[str, Decimal]]) -> SheetSpec:
    """差别化电价: the charged grades' firms, use × surcharge, and the totals."""
    definition = run.scheme.definition or {}
    rows: list[list[Any]] = []
    uses: list[Decimal | None] = []
    amounts: list[Decimal | None] = []
    charged = _with_consequence(run, "surcharge_per_kwh", results)
    for n, r in enumerate(sorted(charged, key=_graded_order), start=1):
        rate = scheme_data.consequence(definition, "surcharge_per_kwh", r.grade)
        use = figures.get(r.enterprise_id, {}).get("electricity")
        # 万千瓦时 × 元/千瓦时 = 万元, rounded half-up to 2 places as amounts are (docs: Money).
        amount = None if use is None else (use * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        uses.append(use)
        amounts.append(amount)
        rows.append([n, r.enterprise.name, r.enterprise.uscc, r.grade, use, rate, amount])
    rows.append([pgettext("mujun export", "Total"), "", "", "", _total(uses), "", _total(amounts)])
    return SheetSpec(
        title=pgettext("mujun export", "Differentiated electricity price"),
        caption=pgettext(
            "mujun export", "%(year)s differentiated electricity price list (land-efficiency evaluation)"
        ) % {"year": run.year},
        headers=[
            pgettext("mujun export", "No."),
            pgettext("mujun export", "Enterprise name"),
            pgettext("mujun export", "Unified social credit code"),
            pgettext("mujun export", "Evaluation grade"),
            pgettext("mujun export", "Electricity use (10k kWh)"),
            pgettext("mujun export", "Surcharge (yuan/kWh)"),
            pgettext("mujun export", "Surcharge amount (10k yuan)"),
        ],
        rows=rows, text_columns=USCC_COLUMN, widths=[8, 36, 22, 10, 18, 18, 20],
    )


def land_tax_sheet(run: MuRun, results: list[MuResult], figures: dict[int, dict[str, Decimal]]) -> SheetSpec:
    """城镇土地使用税 relief: the relieved grades' firms, their land and relief, the totals."""
    definition = run.scheme.definition or {}
    rows: list[list[Any]] = []
    areas: list[Decimal | None] = []
    relieved = _with_consequence(run, "land_tax_relief", results)
    for n, r in enumerate(sorted(relieved, key=_graded_order), start=1):
        area = figures.get(r.enterprise_id, {}).get("land_mu")
        areas.append(area)
        rows.append([n, r.enterprise.name, r.enterprise.uscc, r.grade, area,
                     scheme_data.consequence(definition, "land_tax_relief", r.grade)])
    rows.append([pgettext("mujun export", "Total"), "", "", "", _total(areas), ""])
    return SheetSpec(
        title=pgettext("mujun export", "Land use tax relief"),
        caption=pgettext(
            "mujun export", "%(year)s urban land use tax relief list (land-efficiency evaluation)"
        ) % {"year": run.year},
        headers=[
            pgettext("mujun export", "No."),
            pgettext("mujun export", "Enterprise name"),
            pgettext("mujun export", "Unified social credit code"),
            pgettext("mujun export", "Evaluation grade"),
            pgettext("mujun export", "Land area (mu)"),
            pgettext("mujun export", "Relief (%)"),
        ],
        rows=rows, text_columns=USCC_COLUMN, widths=[8, 36, 22, 10, 16, 12],
    )


#: The priority lists: (sheet title, caption, the figure the body weighs, its header).
def _priority_specs() -> list[tuple[str, str, str, str]]:
    return [
        (pgettext("mujun export", "Land priority"), pgettext("mujun export", "%(year)s land supply priority list"),
         "land_mu", pgettext("mujun export", "Land area (mu)")),
        (pgettext("mujun export", "Energy priority"), pgettext("mujun export", "%(year)s energy quota priority list"),
         "energy", pgettext("mujun export", "Energy use (tce)")),
        (pgettext("mujun export", "Credit priority"), pgettext("mujun export", "%(year)s credit support priority list"),
         "revenue", pgettext("mujun export", "Main business revenue (10k yuan)")),
    ]


def priority_sheets(run: MuRun, results: list[MuResult], figures: dict[int, dict[str, Decimal]]) -> list[SheetSpec]:
    """The A and B firms by grade then score, once per body (用地, 用能, 信贷)."""
    chosen = sorted((r for r in results if r.grade in PRIORITY_GRADES), key=_graded_order)
    sheets = []
    for title, caption, figure, header in _priority_specs():
        rows = [
            [n, r.enterprise.name, r.enterprise.uscc, r.org_unit.name, r.grade, r.score,
             figures.get(r.enterprise_id, {}).get(figure)]
            for n, r in enumerate(chosen, start=1)
        ]
        sheets.append(SheetSpec(
            title=title, caption=caption % {"year": run.year},
            headers=[
                pgettext("mujun export", "No."),
                pgettext("mujun export", "Enterprise name"),
                pgettext("mujun export", "Unified social credit code"),
                pgettext("mujun export", "Org unit"),
                pgettext("mujun export", "Evaluation grade"),
                pgettext("mujun export", "Score"),
                header,
            ],
            rows=rows, text_columns=USCC_COLUMN, widths=[8, 36, 22, 16, 10, 10, 20],
        ))
    return sheets


def publicity_title(run: MuRun) -> str:
    return pgettext(
        "mujun export", "%(year)s industrial enterprises land-efficiency evaluation results (publicity)"
    ) % {"year": run.year}


@dataclass(frozen=True)
class PublicitySection:
    """One result list of the 公示: its name and its graded firms in rank order."""

    name: str
    rows: list[MuResult]


def publicity_sections(run: MuRun, results: list[MuResult]) -> list[PublicitySection]:
    """Per result list (the scheme's order), the graded firms by rank: rank, firm, grade only."""
    names = _list_names(run)
    order = list(names)
    by_list: dict[str, list[MuResult]] = {}
    for r in results:
        if r.grade:
            by_list.setdefault(r.list_code, []).append(r)
    codes = sorted(by_list, key=lambda c: (order.index(c) if c in order else len(order), c))
    return [
        PublicitySection(names.get(c, c), sorted(by_list[c], key=lambda r: (r.rank or 0, r.enterprise.uscc)))
        for c in codes
    ]


def publicity_sheets(run: MuRun, results: list[MuResult]) -> list[SheetSpec]:
    title = publicity_title(run)
    sections = publicity_sections(run, results) or [PublicitySection(pgettext("mujun export", "Results"), [])]
    return [
        SheetSpec(
            title=s.name, caption=f"{title} — {s.name}",
            headers=[
                pgettext("mujun export", "Rank"),
                pgettext("mujun export", "Enterprise name"),
                pgettext("mujun export", "Evaluation grade"),
            ],
            rows=[[r.rank, r.enterprise.name, r.grade] for r in s.rows], widths=[8, 40, 12],
        )
        for s in sections
    ]


def publicity_html(run: MuRun, results: list[MuResult]) -> str:
    return render_to_string("mujun/reports/publicity_pdf.html", {
        "run": run, "title": publicity_title(run), "sections": publicity_sections(run, results),
    })


def _xlsx(sheets: list[SheetSpec]) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, sheets)
    return out.getvalue()


def _counted(kind: str, results: list[MuResult], run: MuRun) -> int:
    if kind == "surcharge":
        return len(_with_consequence(run, "surcharge_per_kwh", results))
    if kind == "land-tax":
        return len(_with_consequence(run, "land_tax_relief", results))
    if kind == "priority":
        return sum(1 for r in results if r.grade in PRIORITY_GRADES)
    return sum(1 for r in results if r.grade)


def run_export(*, acting_user: User, run: MuRun, kind: str) -> ExportFile:
    """Build one of the run's lists (``KINDS``) for ``acting_user`` (their scope's firms only)
    and audit it. The run was fetched through the caller's scoped selector; a run not in 公示
    or published → ``Conflict`` (409)."""
    if kind not in KINDS:
        raise ValueError(kind)
    if run.state not in PUBLIC_STATES:
        raise Conflict(_("Only a run in publicity or published has these lists."))
    results = _results(acting_user, run)
    with translation.override(EXPORT_LANGUAGE):
        if kind == "publicity-pdf":
            from zhaoyin.catalog.brochure import render_pdf

            content, content_type, ext = render_pdf(publicity_html(run, results)), PDF, "pdf"
        else:
            if kind == "publicity-xlsx":
                sheets = publicity_sheets(run, results)
            elif kind == "priority":
                sheets = priority_sheets(run, results, figures_by_firm(run))
            elif kind == "surcharge":
                sheets = [surcharge_sheet(run, results, figures_by_firm(run))]
            else:
                sheets = [land_tax_sheet(run, results, figures_by_firm(run))]
            content, content_type, ext = _xlsx(sheets), XLSX, "xlsx"
    rows = _counted(kind, results, run)
    # Built outside any transaction; the audit record is written in audit_write's own short one.
    audit_write(
        action="mujun.export", user=acting_user, obj=run,
        detail=json.dumps({"kind": kind, "rows": rows}, sort_keys=True),
    )
    return ExportFile(content, f"mujun-{run.year}-run{run.pk}-{kind}.{ext}".replace("-xlsx.xlsx", ".xlsx")
                      .replace("-pdf.pdf", ".pdf"), content_type, rows)
