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
from typing import Any

from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import Column, ImportSpec, RowError, RowInvalid, RowResult, Verdict
from zhaoyin.core.models import ImportBatch
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.targets.indicators import REGISTRY
from zhaoyin.targets.inputs import TargetSetInput
from zhaoyin.targets.models import Target
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
        """The row's org unit (by code) and its ``TargetSetInput`` (the editor page's verdict
        on each value; the indicator may also be given by its label)."""
        errors: list[tuple[str, str]] = []
        unit = self.units.get(str(raw.get("org_unit") or "").strip().upper())
        if unit is None:
            errors.append(("org_unit", _("Unknown org unit.")))
        given = str(raw.get("indicator") or "").strip()
        plan = {m: raw.get(f"m{m}") for m in MONTHS if raw.get(f"m{m}") is not None}
        data = None
        try:
            data = TargetSetInput.parse(
                {
                    # A year read from a number cell is 2026.0.
                    "year": str(raw.get("year") or "").strip().removesuffix(".0"),
                    "indicator": self.indicators.get(given.casefold(), given),
                    "value": raw.get("value"),
                    "month_plan": plan or None,
                }
            )
        except InvalidInput as exc:
            for e in exc.errors:
                column = e["field"].replace("month_plan.", "m")
                known = {c.key for c in self.columns}
                errors.append((column if column in known else "value", e["message"]))
        if errors:
            raise RowInvalid(errors)
        assert data is not None
        return {
            "year": data.year, "org_unit": unit, "indicator": data.indicator, "value": data.value,
            "plan": data.month_plan, "data": data,
        }

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

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        for r in rows:
            c = r.cleaned or {}
            target_set(acting_user=self.user, org_unit=c["org_unit"], data=c["data"])


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
