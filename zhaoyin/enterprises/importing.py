"""Excel import of enterprises (issue 2 item 8), on the generic framework of
``zhaoyin.core.importing``.

Upsert semantics (IMP-02): the natural key is the USCC. A USCC not yet registered creates an
enterprise; a registered one is updated — every template column overwrites the stored value,
an empty optional cell clears it (a file exported from the list and re-imported therefore
changes nothing). Rows are cleaned by ``clean_enterprise``, the one validator that the forms
and the API use too (VAL-01), with dictionaries loaded once per run. Scope: a row may only
create in, move to, or change an enterprise of a unit the importing user may edit; other
rows are errors. Writes are bulk inserts/updates with one audit record per created or
changed enterprise, before/after included, through ``audit_write_many`` (same hash chain).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.audit.services import AuditEntry, audit_write_many, diff, snapshot
from zhaoyin.core.bulk import insert_rows, update_rows
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import Column, ImportSpec, RowError, RowInvalid, RowResult, Verdict
from zhaoyin.core.models import ImportBatch
from zhaoyin.enterprises.inputs import EnterpriseInput
from zhaoyin.enterprises.models import Enterprise, Industry, Qualification, SizeClass
from zhaoyin.enterprises.selectors import can_create_in_unit, can_edit_enterprise
from zhaoyin.enterprises.signals import send_changed
from zhaoyin.enterprises.validation import Lookups, clean_enterprise
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.lib.uscc import normalize as uscc_normalize
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

#: The template's columns, in order. Headers are the Chinese labels (the English keys are
#: accepted too); identifier columns are text-only (XLS-01).
ENTERPRISE_COLUMNS: tuple[Column, ...] = (
    Column("name", "企业名称", "name", required=True, width=32),
    Column("uscc", "统一社会信用代码", "uscc", required=True, identifier=True, width=22),
    Column("org_unit", "所属单位代码", "org_unit", required=True, identifier=True, width=14),
    Column("industry", "行业", "industry", required=True, width=16),
    Column("legal_representative", "法定代表人", "legal_representative", width=12),
    Column("address", "地址", "address", width=36),
    Column("size_class", "规模", "size_class", width=8),
    Column("founded_on", "成立日期", "founded_on", width=12),
    Column("employees", "从业人数", "employees", width=10),
    Column("land_mu", "用地面积(亩)", "land_mu", width=12),
    Column("qualifications", "资质", "qualifications", width=28),
    Column("service_group", "服务组代码", "service_group", identifier=True, width=12),
)
IDENTIFIER_INDEXES = frozenset(i for i, c in enumerate(ENTERPRISE_COLUMNS) if c.identifier)
SIZE_LABELS = {SizeClass.ABOVE.value: "规上", SizeClass.BELOW.value: "规下"}
#: Fields compared to decide update vs unchanged (qualifications compared as a set).
COMPARED = (
    "name", "legal_representative", "address", "org_unit_id", "service_group_id", "industry_id",
    "size_class", "founded_on", "employees", "land_mu",
)
UPDATE_FIELDS = [
    "name", "legal_representative", "address", "org_unit_id", "service_group_id", "industry_id", "size_class",
    "founded_on", "employees", "land_mu", "search_text", "updated_at", "version",
]
INSERT_FIELDS = ["uscc", "created_at", *UPDATE_FIELDS]
CHUNK = 2000
AuditTriple = tuple[Enterprise, dict[str, Any], dict[str, Any]]


def _values(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned input as the compared column values."""
    group = cleaned.get("service_group")
    return {
        "name": cleaned["name"],
        "legal_representative": cleaned.get("legal_representative") or "",
        "address": cleaned.get("address") or "",
        "org_unit_id": cleaned["org_unit"].pk,
        "service_group_id": group.pk if group is not None else None,
        "industry_id": cleaned["industry"].pk,
        "size_class": cleaned.get("size_class") or SizeClass.BELOW.value,
        "founded_on": cleaned.get("founded_on"),
        "employees": cleaned.get("employees"),
        "land_mu": cleaned.get("land_mu"),
    }


class EnterpriseImport(ImportSpec):
    """The enterprise import: upsert on USCC within the importing user's scope."""

    kind = "enterprise"
    columns = ENTERPRISE_COLUMNS
    key_column = "uscc"

    def __init__(self, user: User) -> None:
        super().__init__(user)
        self.lookups = Lookups()
        self.qual_names: dict[int, str] = {}
        self.existing_quals: dict[int, set[int]] = {}

    def prepare(self) -> None:
        # Units outside the importer's scope read as unknown codes (AC-03); a row updating
        # an enterprise in place names its own unit, which is within scope for its editor.
        self.lookups = Lookups.load(self.user)
        self.qual_names = {q.pk: q.name for q in self.lookups.qualifications.values()}

    def normalize_key(self, raw: Any) -> str:
        return uscc_normalize(raw) if isinstance(raw, str) else ""

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        try:
            # The row's values judged by the model, its references looked up within scope.
            row = EnterpriseInput.parse(raw)
        except InvalidInput as exc:
            errors = list(exc.errors)
            # A row learns every bad cell at once: the references too, though a value failed.
            named = {e["field"] for e in errors}
            try:
                clean_enterprise(raw, lookups=self.lookups)
            except InvalidInput as more:
                errors += [e for e in more.errors if e["field"] not in named]
            raise RowInvalid([(e["field"], e["message"]) for e in errors]) from None
        try:
            return dict(clean_enterprise(row.values(), lookups=self.lookups))
        except InvalidInput as exc:
            raise RowInvalid([(e["field"], e["message"]) for e in exc.errors]) from None

    def classify(self, rows: list[RowResult]) -> None:
        """Compare with the stored enterprises, fetched as plain values in chunks (no model
        instances: a 100 000-row re-import must not hold 100 000 of them). Scope follows the
        org unit alone, so the selectors' verdicts are computed once per unit."""
        user = self.user
        existing: dict[str, tuple[Any, ...]] = {}
        keys = [r.cleaned["uscc"] for r in rows if r.cleaned is not None]
        lock = connection.in_atomic_block and connection.features.has_select_for_update
        for start in range(0, len(keys), CHUNK):
            qs = Enterprise.objects.filter(uscc__in=keys[start : start + CHUNK])
            if lock:
                qs = qs.select_for_update()
            for values in qs.values_list("uscc", "pk", *COMPARED):
                existing[values[0]] = values[1:]
        quals: dict[int, set[int]] = defaultdict(set)
        ids = [v[0] for v in existing.values()]
        through = Enterprise.qualifications.through
        for start in range(0, len(ids), CHUNK):
            pairs = through.objects.filter(enterprise_id__in=ids[start : start + CHUNK]).values_list(
                "enterprise_id", "qualification_id"
            )
            for enterprise_id, qualification_id in pairs:
                quals[enterprise_id].add(qualification_id)
        unit_index = COMPARED.index("org_unit_id") + 1
        units = OrgUnit.objects.in_bulk({v[unit_index] for v in existing.values()})
        may_edit: dict[int, bool] = {}
        may_place: dict[int, bool] = {}

        def can_place(unit: OrgUnit) -> bool:
            if unit.pk not in may_place:
                may_place[unit.pk] = can_create_in_unit(user, unit.path)
            return may_place[unit.pk]

        def can_edit(unit_id: int) -> bool:
            if unit_id not in may_edit:
                # The selector decides by the enterprise's unit; a stand-in carries just that.
                may_edit[unit_id] = can_edit_enterprise(user, Enterprise(org_unit=units[unit_id]))
            return may_edit[unit_id]

        self.existing_quals = {}
        for row in rows:
            cleaned = row.cleaned
            assert cleaned is not None
            unit: OrgUnit = cleaned["org_unit"]
            current = existing.get(cleaned["uscc"])
            if current is None:
                if not can_place(unit):
                    reason = _("You may not register enterprises in this org unit.")
                    row.errors.append(self._error(row, "org_unit", reason))
                    continue
                row.verdict = Verdict.CREATE
                continue
            pk, old = current[0], dict(zip(COMPARED, current[1:], strict=True))
            if not can_edit(old["org_unit_id"]):
                row.errors.append(
                    self._error(row, "uscc", _("An enterprise with this credit code exists outside your scope."))
                )
                continue
            if unit.pk != old["org_unit_id"] and not can_place(unit):
                row.errors.append(self._error(row, "org_unit", _("You may not move enterprises to this org unit.")))
                continue
            new = _values(cleaned)
            changed: dict[str, Any] = {name: new[name] for name in COMPARED if old[name] != new[name]}
            new_quals = {q.pk for q in cleaned.get("qualifications") or []}
            if new_quals != quals.get(pk, set()):
                changed["qualifications"] = new_quals
            row.target = pk
            row.changes = changed
            row.verdict = Verdict.UPDATE if changed else Verdict.UNCHANGED
            if changed:
                self.existing_quals[pk] = quals.get(pk, set())

    def _error(self, row: RowResult, key: str, reason: str) -> RowError:
        return RowError(row.row_number, self.label(key), reason)

    def _qual_list(self, ids: set[int]) -> list[str]:
        return sorted(self.qual_names.get(i, str(i)) for i in ids)

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        """Insert the creates, update the updates, one audit record per enterprise. Audit
        entries are produced lazily while they are written, so no list of 100 000 snapshots
        is ever held; each row's cleaned values are released once turned into an instance."""
        now = timezone.now()
        through = Enterprise.qualifications.through
        creates: list[tuple[Enterprise, list[Qualification]]] = []
        update_rows_: list[RowResult] = []
        for row in rows:
            if row.verdict == Verdict.CREATE and row.cleaned is not None:
                cleaned = row.cleaned
                enterprise = Enterprise(
                    uscc=cleaned["uscc"],
                    created_at=now,
                    updated_at=now,
                    **{k: v for k, v in _values(cleaned).items() if not k.endswith("_id")},
                )
                enterprise.org_unit = cleaned["org_unit"]
                enterprise.industry = cleaned["industry"]
                enterprise.service_group = cleaned.get("service_group")
                enterprise.refresh_search_text()
                creates.append((enterprise, list(cleaned.get("qualifications") or [])))
                row.cleaned = None
            elif row.verdict == Verdict.UPDATE:
                update_rows_.append(row)
        if creates:
            insert_rows(Enterprise, INSERT_FIELDS, ([getattr(e, f) for f in INSERT_FIELDS] for e, _q in creates))
            ids: dict[str, int] = {}
            codes = [e.uscc for e, _q in creates]
            for start in range(0, len(codes), CHUNK):
                ids.update(Enterprise.objects.filter(uscc__in=codes[start : start + CHUNK]).values_list("uscc", "id"))
            for enterprise, _q in creates:
                enterprise.pk = ids[enterprise.uscc]
                enterprise._state.adding = False
            insert_rows(
                through, ["enterprise_id", "qualification_id"], ((e.pk, q.pk) for e, qs in creates for q in qs)
            )
        update_audits = self._write_updates(update_rows_, now) if update_rows_ else []

        def entries() -> Iterator[AuditEntry]:
            detail = f"import batch {batch.pk}" if batch is not None else "import"
            for enterprise, qs in creates:
                after = snapshot(enterprise)
                after["qualifications"] = sorted(q.name for q in qs)
                yield {"action": "enterprise.create", "obj": enterprise, "after": after, "detail": detail}
            for enterprise, old, new in update_audits:
                yield {"action": "enterprise.update", "obj": enterprise, "before": old, "after": new, "detail": detail}

        audit_write_many(user=self.user, entries=entries())
        # One signal for every created or changed enterprise (the policies app re-matches them
        # once, after the commit).
        changes: dict[int, Collection[str] | None] = {e.pk: None for e, _q in creates}
        changes.update((e.pk, frozenset(new)) for e, _o, new in update_audits if new)
        send_changed(changes)

    def _write_updates(self, rows: list[RowResult], now: dt.datetime) -> list[AuditTriple]:
        """Apply the update rows; return (enterprise, before, after) of each for the audit."""
        through = Enterprise.qualifications.through
        pks = [row.target for row in rows]
        current: dict[int, Enterprise] = {}
        for start in range(0, len(pks), CHUNK):
            current.update(Enterprise.objects.in_bulk(pks[start : start + CHUNK]))
        changed_objs: list[Enterprise] = []
        requal: dict[int, set[int]] = {}
        audits: list[AuditTriple] = []
        for row in rows:
            enterprise = current[row.target]
            assert row.cleaned is not None
            cleaned = row.cleaned
            assert row.changes is not None
            before = snapshot(enterprise)
            before["qualifications"] = self._qual_list(self.existing_quals.get(enterprise.pk, set()))
            enterprise.name = cleaned["name"]
            enterprise.legal_representative = cleaned.get("legal_representative") or ""
            enterprise.address = cleaned.get("address") or ""
            enterprise.org_unit = cleaned["org_unit"]
            enterprise.service_group = cleaned.get("service_group")
            enterprise.industry = cleaned["industry"]
            enterprise.size_class = cleaned.get("size_class") or SizeClass.BELOW.value
            enterprise.founded_on = cleaned.get("founded_on")
            enterprise.employees = cleaned.get("employees")
            enterprise.land_mu = cleaned.get("land_mu")
            enterprise.updated_at = now
            enterprise.version += 1
            enterprise.refresh_search_text()
            after = snapshot(enterprise)
            new_quals = {q.pk for q in cleaned.get("qualifications") or []}
            after["qualifications"] = self._qual_list(new_quals)
            if "qualifications" in row.changes:
                requal[enterprise.pk] = new_quals
            changed_objs.append(enterprise)
            old, new = diff(before, after)
            audits.append((enterprise, old, new))
            row.cleaned = None
        update_rows(Enterprise, UPDATE_FIELDS, ([*(getattr(e, f) for f in UPDATE_FIELDS), e.pk] for e in changed_objs))
        requal_ids = list(requal)
        for start in range(0, len(requal_ids), CHUNK):
            through.objects.filter(enterprise_id__in=requal_ids[start : start + CHUNK]).delete()
        insert_rows(through, ["enterprise_id", "qualification_id"], ((e, q) for e, qs in requal.items() for q in qs))
        return audits


# --------------------------------------------------------------------------- template


def _code_rows(user: User) -> Iterator[list[Any]]:
    for industry in Industry.objects.order_by("sort_order", "code"):
        yield [_("Industry"), industry.code, industry.name]
    for unit in OrgUnit.objects.filter(is_active=True).order_by("path"):
        if unit.kind == OrgUnitKind.SERVICE_GROUP:
            yield [_("Service group"), unit.code, unit.name]
        elif can_create_in_unit(user, unit.path):
            yield [_("Org unit"), unit.code, unit.name]
    for qualification in Qualification.objects.order_by("sort_order", "name"):
        yield [_("Qualification"), "", qualification.name]
    for value, label in SIZE_LABELS.items():
        yield [_("Size class"), label, str(SizeClass(value).label)]


def enterprise_import_template(user: User) -> bytes:
    """The import template: headers, one example row, identifier columns formatted as text,
    and a second sheet listing the codes the file may use (industries, units, groups …)."""
    industry = Industry.objects.order_by("sort_order", "code").first()
    unit = next(
        (u for u in OrgUnit.objects.filter(is_active=True).exclude(kind=OrgUnitKind.SERVICE_GROUP).order_by("path")
         if can_create_in_unit(user, u.path)),
        None,
    )
    example = [
        "淮南示例科技有限公司", make_uscc("340400", "MA2EXAMP"), unit.code if unit else "340400",
        industry.name if industry else "", "张三", "淮南市田家庵区示例路1号", "规下", dt.date(2018, 5, 1), 25,
        Decimal("12.50"), "", None,
    ]
    out = io.BytesIO()
    write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Enterprises"),
                headers=[c.label for c in ENTERPRISE_COLUMNS],
                rows=[example],
                text_columns=IDENTIFIER_INDEXES,
                widths=[c.width for c in ENTERPRISE_COLUMNS],
                blank_text_rows=500,
            ),
            SheetSpec(
                title=_("Codes"),
                headers=[_("Kind"), _("Code"), _("Name")],
                rows=_code_rows(user),
                text_columns=frozenset({1}),
                widths=(14, 16, 36),
            ),
        ],
    )
    return out.getvalue()
