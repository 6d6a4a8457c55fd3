"""Excel import of a month's funds-in-place report for a whole county (issue 3, item 3).

One sheet, one row per project × source × type: 项目编号 (code), 金额(万元) (amount_wan),
来源 (source: 省内市外 / 省外 / 境外, the older 市外, or the codes), 类型 (kind: 固定资产 / 其他, default fixed asset).
The month is chosen when importing, not read from the file. Rows go through
``zhaoyin.core.importing`` (file checks, header matching, text-only identifier cells) and the
same cleaners as the form and the API. A row is:

* create — no active entry for that project, month, source and type;
* update — an active entry with another amount: it is corrected (superseded, history kept);
* unchanged — the same amount is already recorded (re-importing a file changes nothing);
* error — bad cells, a project unknown or outside the importer's scope (the same message for
  both: the file must not reveal which codes exist elsewhere), the same project, source and
  type on two rows, or a row the plausibility rules refuse (a project not yet signed; funds
  above the project's total investment — the sheet has no reason column, enter such a figure
  on the project page with its reason).

Imported entries are reported (填报) like any other and count once the city verifies them.

All or nothing: any row error and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import (
    Column,
    ImportSpec,
    RowError,
    RowInvalid,
    RowResult,
    Verdict,
    import_apply,
    mark_repeats,
)
from zhaoyin.core.models import ImportBatch
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.projects import selectors, services
from zhaoyin.projects.alerts import alerts_refresh
from zhaoyin.projects.inputs import FundCorrectionInput, FundEntryInput
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.projects.validation import parse_month

#: The note of entries written or corrected by the import.
IMPORT_NOTE = "月报导入"


class FundsMonthImport(ImportSpec):
    """The import spec of a month's funds report (the month is given, not read)."""

    kind: ClassVar[str] = "project_funds"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("code", "项目编号", "code", required=True, identifier=True, width=18),
        Column("amount_wan", "金额(万元)", "amount_wan", required=True, width=14),
        Column("source", "来源", "source", required=True, width=10),
        Column("kind", "类型", "kind", width=10),
    )
    key_column: ClassVar[str] = "code"

    def __init__(self, user: User, month: dt.date) -> None:
        super().__init__(user)
        self.month = month

    def normalize_key(self, raw: Any) -> str:
        # A project has several rows (one per source and type): the framework's one-column
        # duplicate check would refuse them, so duplicates are found in ``classify``.
        return ""

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        errors: list[tuple[str, str]] = []
        out: dict[str, Any] = {}
        code = str(raw.get("code") or "").strip().upper()
        if not code:
            errors.append(("code", _("This field is required.")))
        out["code"] = code
        # The row's values get the verdict the page and the API give them: the entry's input model.
        try:
            entry = FundEntryInput.of(
                month=self.month,
                amount_wan=raw.get("amount_wan"),
                source=raw.get("source"),
                kind=raw.get("kind"),
                note=IMPORT_NOTE,
            )
        except InvalidInput as exc:
            errors.extend((e["field"], e["message"]) for e in exc.errors)
        else:
            out.update(amount_wan=entry.amount_wan, source=entry.source, kind=entry.kind, input=entry)
        if errors:
            raise RowInvalid(errors)
        return out

    def classify(self, rows: list[RowResult]) -> None:
        codes = {r.cleaned["code"] for r in rows if r.cleaned}
        projects: dict[str, Project] = {}
        for chunk_start in range(0, len(codes), 500):
            chunk = sorted(codes)[chunk_start : chunk_start + 500]
            for project in selectors.project_list_visible_to(self.user).filter(code__in=chunk):
                if selectors.can_edit_project(self.user, project):
                    projects[project.code] = project
        active: dict[tuple[int, str, str], FundEntry] = {}
        ids = [p.pk for p in projects.values()]
        for chunk_start in range(0, len(ids), 500):
            for entry in FundEntry.objects.filter(
                project_id__in=ids[chunk_start : chunk_start + 500], month=self.month, superseded_at__isnull=True
            ):
                active[(entry.project_id, entry.source, entry.kind)] = entry
        seen: dict[tuple[str, str, str], list[RowResult]] = defaultdict(list)
        for r in rows:
            assert r.cleaned is not None
            seen[(r.cleaned["code"], r.cleaned["source"], r.cleaned["kind"])].append(r)
        mark_repeats(
            seen.values(),
            self.label("code"),
            lambda others: _("the same project, source and type also appear in row(s) %(rows)s")
            % {"rows": others},
        )
        for r in rows:
            assert r.cleaned is not None
            if r.errors:
                continue
            found = projects.get(r.cleaned["code"])
            if found is None:
                r.errors.append(
                    RowError(r.row_number, self.label("code"), _("unknown project code, or not one you may report for"))
                )
                continue
            r.cleaned["project"] = found
            existing = active.get((found.pk, r.cleaned["source"], r.cleaned["kind"]))
            # The plausibility rules of a single entry (docs/targets.md): a project not signed,
            # or funds above its total (the sheet has no reason column) are row errors.
            try:
                services.fund_plausibility(
                    project=found, month=self.month, amount=r.cleaned["amount_wan"], over_total_reason="",
                    replacing=existing, new_entry=existing is None,
                )
            except InvalidInput as exc:
                column = "amount_wan" if exc.errors and exc.errors[0]["field"] == "over_total_reason" else "code"
                r.errors.append(RowError(r.row_number, self.label(column), str(exc.detail)))
                continue
            if existing is None:
                r.verdict = Verdict.CREATE
            elif existing.amount_wan == r.cleaned["amount_wan"]:
                r.verdict = Verdict.UNCHANGED
            else:
                r.verdict = Verdict.UPDATE
                r.target = existing
                r.changes = {"amount_wan": (existing.amount_wan, r.cleaned["amount_wan"])}

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        touched: set[int] = set()
        for r in rows:
            assert r.cleaned is not None
            if r.verdict == Verdict.CREATE:
                services.fund_entry_add(
                    acting_user=self.user, project=r.cleaned["project"], data=r.cleaned["input"], refresh_alerts=False
                )
            elif r.verdict == Verdict.UPDATE:
                services.fund_entry_correct(
                    acting_user=self.user,
                    entry=r.target,
                    data=FundCorrectionInput.of(amount_wan=r.cleaned["amount_wan"], note=IMPORT_NOTE),
                    refresh_alerts=False,
                )
            else:
                continue
            touched.add(r.cleaned["project"].pk if r.verdict == Verdict.CREATE else r.target.project_id)
        # The red/yellow/green lights read the funds: one refresh for every project the month touched.
        if touched:
            alerts_refresh(project_ids=sorted(touched))


@dataclass
class FundsImportResult:
    """What a month's import did: counts as in ``ImportPlan.counts`` and the row errors."""

    month: dt.date
    committed: bool
    counts: dict[str, int]
    errors: list[RowError] = field(default_factory=list)

    @property
    def created(self) -> int:
        return self.counts["created"]

    @property
    def updated(self) -> int:
        return self.counts["updated"]

    @property
    def unchanged(self) -> int:
        return self.counts["unchanged"]

    @property
    def rejected(self) -> int:
        return self.counts["rejected"]


def funds_month_import(*, acting_user: User, data: bytes, month: Any) -> FundsImportResult:
    """Import a month's funds report (all or nothing) and audit it.

    ``month`` is ``YYYY-MM`` (a bad or future month → ``InvalidInput`` on ``month``); a refused
    file raises ``ImportFileError``. With any row error nothing is written and the result has
    ``committed=False`` and the errors (row, column, reason).
    """
    when = parse_month(month)
    if when > timezone.localdate().replace(day=1):
        raise InvalidInput.field("month", _("must not be a future month"))
    spec = FundsMonthImport(acting_user, when)
    plan = import_apply(
        acting_user=acting_user, spec=spec, data=data, action="project.funds.import",
        object_type="projects.fundentry", object_repr=f"{when:%Y-%m}",
    )
    counts = plan.counts
    if counts["rejected"]:
        return FundsImportResult(month=when, committed=False, counts=counts, errors=plan.errors)
    return FundsImportResult(month=when, committed=True, counts=counts)


def funds_import_template() -> bytes:
    """An empty workbook with the import's headers (the code column formatted as text)."""
    out = io.BytesIO()
    cols = FundsMonthImport.columns
    write_xlsx(
        out,
        [
            SheetSpec(
                title="到位资金",
                headers=[c.label for c in cols],
                rows=[],
                text_columns=frozenset({0}),
                widths=[c.width for c in cols],
                blank_text_rows=200,
            )
        ],
    )
    return out.getvalue()
