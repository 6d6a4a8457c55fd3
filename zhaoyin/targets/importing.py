"""Excel import of targets (city admin): one row per year × unit × indicator, with an optional
cumulative monthly plan, through the generic framework ``zhaoyin.core.importing``.

Columns: 年度, 单位代码, 指标 (the indicator's code or its label), 年度目标, 1月 … 12月
(the month columns must be in the header; their cells may be blank — a row with every month
blank keeps the target's current plan). Each written row goes through ``services.target_set``
(validated and audited there too).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.importing import Column, ImportSpec, RowError, RowInvalid, RowResult, Verdict
from zhaoyin.core.models import ImportBatch
from zhaoyin.core.validation import clean_decimal
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.targets.indicators import REGISTRY
from zhaoyin.targets.models import Target
from zhaoyin.targets.selectors import MAX_YEAR, MIN_YEAR
from zhaoyin.targets.services import target_set

MONTHS = tuple(range(1, 13))
TARGET_COLUMNS: tuple[Column, ...] = (
    Column("year", "年度", "Year", required=True, width=8),
    Column("org_unit", "单位代码", "Unit code", required=True, identifier=True, width=14),
    Column("indicator", "指标", "Indicator", required=True, width=24),
    Column("value", "年度目标", "Annual target", required=True, width=12),
    *(Column(f"m{m}", f"{m}月", f"M{m}", width=9) for m in MONTHS),
)


class TargetImport(ImportSpec):
    """Targets of any year; the natural key is (year, unit, indicator), checked in ``classify``."""

    kind = "targets"
    columns = TARGET_COLUMNS
    key_column = "org_unit"

    def prepare(self) -> None:
        self.units = {u.code.upper(): u for u in OrgUnit.objects.filter(is_active=True)}
        self.indicators: dict[str, str] = {}
        for code, indicator in REGISTRY.items():
            self.indicators[code.casefold()] = code
            self.indicators[str(indicator.label).casefold()] = code

    def normalize_key(self, raw: Any) -> str:
        # The key is composite; duplicates are found in ``classify`` instead.
        return ""

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        errors: list[tuple[str, str]] = []
        year: int | None = None
        try:
            year = int(str(raw.get("year") or "").strip().removesuffix(".0"))
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError
        except ValueError:
            errors.append(("year", _("Enter a year between 2000 and 2100.")))
        unit = self.units.get(str(raw.get("org_unit") or "").strip().upper())
        if unit is None:
            errors.append(("org_unit", _("Unknown org unit.")))
        indicator = self.indicators.get(str(raw.get("indicator") or "").strip().casefold())
        if indicator is None:
            errors.append(("indicator", _("Unknown indicator.")))
        value = Decimal(0)
        try:
            value = clean_decimal(raw.get("value") if raw.get("value") is not None else "")
            if value <= 0:
                raise ValueError(_("must be greater than zero"))
        except ValueError as exc:
            errors.append(("value", str(exc)))
        plan: dict[int, Decimal] = {}
        previous = Decimal(0)
        for m in MONTHS:
            cell = raw.get(f"m{m}")
            if cell is None:
                continue
            try:
                plan[m] = clean_decimal(cell)
            except ValueError as exc:
                errors.append((f"m{m}", str(exc)))
                continue
            if plan[m] < previous:
                errors.append((f"m{m}", _("The monthly plan is cumulative: it cannot decrease.")))
            elif value and plan[m] > value:
                errors.append((f"m{m}", _("A planned value cannot exceed the annual target.")))
            previous = plan[m]
        if errors:
            raise RowInvalid(errors)
        return {"year": year, "org_unit": unit, "indicator": indicator, "value": value, "plan": plan or None}

    def classify(self, rows: list[RowResult]) -> None:
        by_key: dict[tuple[int, int, str], list[RowResult]] = defaultdict(list)
        for r in rows:
            c = r.cleaned or {}
            by_key[(c["year"], c["org_unit"].pk, c["indicator"])].append(r)
        years = {k[0] for k in by_key}
        existing = {
            (t.year, t.org_unit_id, t.indicator): t
            for t in Target.objects.filter(year__in=years).prefetch_related("month_plans")
        }
        for key, same in by_key.items():
            if len(same) > 1:
                numbers = ", ".join(str(r.row_number) for r in same)
                for r in same:
                    message = _("the same year, unit and indicator appear in rows %(rows)s") % {"rows": numbers}
                    r.errors.append(RowError(r.row_number, self.label("org_unit"), message))
                continue
            r = same[0]
            c = r.cleaned or {}
            target = existing.get(key)
            if target is None:
                r.verdict = Verdict.CREATE
                continue
            plan = {p.month: p.cumulative for p in target.month_plans.all()}
            unchanged = target.value == c["value"] and (c["plan"] is None or c["plan"] == plan)
            r.verdict = Verdict.UNCHANGED if unchanged else Verdict.UPDATE
            r.target = target

    def write(self, rows: list[RowResult], batch: ImportBatch) -> None:
        for r in rows:
            c = r.cleaned or {}
            target_set(
                acting_user=self.user,
                year=c["year"],
                indicator=c["indicator"],
                org_unit=c["org_unit"],
                value=c["value"],
                month_plan=c["plan"],
            )


def target_import_template() -> bytes:
    """The empty template: the header row and one example row, plus the indicator codes."""
    out = io.BytesIO()
    write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Targets"),
                headers=[c.label for c in TARGET_COLUMNS],
                rows=[],
                text_columns=frozenset({1}),
                widths=[c.width for c in TARGET_COLUMNS],
                blank_text_rows=50,
            ),
            SheetSpec(
                title=_("Indicators"),
                headers=[_("Code"), _("Indicator"), _("Unit of measure")],
                rows=[[code, str(i.label), i.unit] for code, i in REGISTRY.items()],
                widths=(18, 40, 12),
            ),
        ],
    )
    return out.getvalue()
