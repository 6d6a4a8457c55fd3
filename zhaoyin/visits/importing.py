"""Excel import and export of which service group serves which enterprise, on the generic
framework of ``zhaoyin.core.importing`` (preview, all-or-nothing commit, row/column/reason).

Columns: 统一社会信用代码 (the key) and 服务组代码, both required. The export's first sheet has
exactly these columns, so it imports back unchanged; the names are on its second sheet.
A row whose enterprise is unknown, or whose group code is not a service group, is an error;
any error commits nothing. Each changed enterprise gets an ``enterprise.assign_group`` audit
record with the group before and after (``audit_write_many``, same hash chain).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.audit.services import AuditEntry, audit_write_many
from zhaoyin.core.importing import Column, ImportSpec, RowError, RowInvalid, RowResult, Verdict
from zhaoyin.core.models import ImportBatch
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.uscc import normalize as uscc_normalize
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

ASSIGNMENT_COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码", "uscc", required=True, identifier=True, width=22),
    Column("service_group", "服务组代码", "service_group", required=True, identifier=True, width=12),
)
TEXT_COLUMNS = frozenset({0, 1})
CHUNK = 2000


class AssignmentImport(ImportSpec):
    """Upsert of ``Enterprise.service_group`` keyed on the USCC (the city administration's)."""

    kind = "service_group_assignment"
    columns = ASSIGNMENT_COLUMNS
    key_column = "uscc"

    def __init__(self, user: User) -> None:
        super().__init__(user)
        self.groups: dict[str, OrgUnit] = {}
        self.codes: dict[int, str] = {}

    def prepare(self) -> None:
        self.groups = {g.code.casefold(): g for g in OrgUnit.objects.filter(kind=OrgUnitKind.SERVICE_GROUP)}
        self.codes = {g.pk: g.code for g in self.groups.values()}

    def normalize_key(self, raw: Any) -> str:
        return uscc_normalize(raw) if isinstance(raw, str) else ""

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        errors: list[tuple[str, str]] = []
        uscc = self.normalize_key(raw.get("uscc"))
        if not uscc:
            errors.append(("uscc", _("Enter the unified social credit code.")))
        code = str(raw.get("service_group") or "").strip()
        group = self.groups.get(code.casefold()) if code else None
        if not code:
            errors.append(("service_group", _("Enter the service group code.")))
        elif group is None or not group.is_active:
            errors.append(("service_group", _("Unknown service group code.")))
        if errors:
            raise RowInvalid(errors)
        assert group is not None
        return {"uscc": uscc, "group": group}

    def classify(self, rows: list[RowResult]) -> None:
        keys = [r.cleaned["uscc"] for r in rows if r.cleaned is not None]
        existing: dict[str, tuple[int, int | None]] = {}
        lock = connection.in_atomic_block and connection.features.has_select_for_update
        for start in range(0, len(keys), CHUNK):
            qs = Enterprise.objects.filter(uscc__in=keys[start : start + CHUNK])
            if lock:
                qs = qs.select_for_update()
            for uscc, ent_pk, ent_group in qs.values_list("uscc", "pk", "service_group_id"):
                existing[uscc] = (ent_pk, ent_group)
        for row in rows:
            assert row.cleaned is not None
            found = existing.get(row.cleaned["uscc"])
            if found is None:
                reason = _("No enterprise with this unified social credit code.")
                row.errors.append(RowError(row.row_number, self.label("uscc"), reason))
                continue
            pk, group_id = found
            row.target = pk
            row.changes = {"before": group_id}
            row.verdict = Verdict.UNCHANGED if group_id == row.cleaned["group"].pk else Verdict.UPDATE

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        """Move each changed enterprise to its group (grouped per target group), audited."""
        now = timezone.now()
        by_group: dict[int, list[int]] = {}
        for row in rows:
            if row.verdict == Verdict.UPDATE and row.cleaned is not None:
                by_group.setdefault(row.cleaned["group"].pk, []).append(row.target)
        from django.db.models import F

        for group_id, pks in by_group.items():
            for start in range(0, len(pks), CHUNK):
                Enterprise.objects.filter(pk__in=pks[start : start + CHUNK]).update(
                    service_group_id=group_id, version=F("version") + 1, updated_at=now
                )

        def entries() -> Iterator[AuditEntry]:
            detail = f"import batch {batch.pk}" if batch is not None else "import"
            for row in rows:
                if row.verdict != Verdict.UPDATE or row.cleaned is None or row.changes is None:
                    continue
                before = row.changes["before"]
                yield {
                    "action": "enterprise.assign_group",
                    "object_type": "enterprises.enterprise",
                    "object_id": str(row.target),
                    "object_repr": row.cleaned["uscc"],
                    "before": {"service_group": self.codes.get(before) if before else None},
                    "after": {"service_group": row.cleaned["group"].code},
                    "detail": detail,
                }

        audit_write_many(user=self.user, entries=entries())


def assignment_template() -> bytes:
    """The import template: the headers, one example row, the group codes on a second sheet."""
    groups = list(OrgUnit.objects.filter(kind=OrgUnitKind.SERVICE_GROUP, is_active=True).order_by("code"))
    example = next(iter(Enterprise.objects.filter(service_group__isnull=False).order_by("pk")[:1]), None)
    rows = [[example.uscc, example.service_group.code if example.service_group else ""]] if example else []
    out = io.BytesIO()
    write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Assignments"),
                headers=[c.label for c in ASSIGNMENT_COLUMNS],
                rows=rows,
                text_columns=TEXT_COLUMNS,
                widths=[c.width for c in ASSIGNMENT_COLUMNS],
                blank_text_rows=200,
            ),
            SheetSpec(
                title=_("Codes"),
                headers=[_("Code"), _("Name")],
                rows=[[g.code, g.name] for g in groups],
                text_columns=frozenset({0}),
                widths=(12, 20),
            ),
        ],
    )
    return out.getvalue()


def assignment_export(*, acting_user: User, out: IO[bytes]) -> int:
    """Every enterprise with a service group: the import's two columns on the first sheet (so
    the file imports back unchanged), the names beside them on the second. Audited."""
    from zhaoyin.audit.services import audit_write

    qs = (
        Enterprise.objects.filter(service_group__isnull=False)
        .order_by("service_group__code", "name")
        .values_list("uscc", "service_group__code", "name", "service_group__name")
    )
    rows = list(qs.iterator(chunk_size=CHUNK))
    count = write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Assignments"),
                headers=[c.label for c in ASSIGNMENT_COLUMNS],
                rows=([r[0], r[1]] for r in rows),
                text_columns=TEXT_COLUMNS,
                widths=[c.width for c in ASSIGNMENT_COLUMNS],
            ),
            SheetSpec(
                title=_("Names"),
                headers=["统一社会信用代码", "服务组代码", "企业名称", "服务组名称"],
                rows=(list(r) for r in rows),
                text_columns=TEXT_COLUMNS,
                widths=(22, 12, 32, 14),
            ),
        ],
    )
    audit_write(action="service_group.assignments_export", user=acting_user, object_repr="assignments",
                after={"rows": count})
    return count
