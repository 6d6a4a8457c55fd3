"""A generic Excel import: upload → checks → dry-run preview → all-or-nothing commit.

Every import kind (enterprises now; talents, projects later) declares an ``ImportSpec``:
its columns (the Chinese header of the template plus an English key), which column is the
natural key, how one row is cleaned (a callback into the kind's single validator, VAL-01),
how cleaned rows are classified against the database (create / update / unchanged, plus
scope errors) and how the verdicts are written. This module does the rest:

* FILE-01..04: the upload goes through ``zhaoyin.lib.xlsx_safety`` before anything parses it;
* XLS-01: header matching (unknown, missing or repeated columns are a file-level error),
  NFKC + trim of every text cell, ``NUMERIC_IDENTIFIER`` for identifier columns typed as
  numbers, ``FORMULA_NO_VALUE`` for formula cells without a cached value;
* IMP-03: a key that occurs on several rows puts every one of those rows in error, so nothing
  is imported for it;
* IMP-01: the preview and the commit run the same plan; the commit re-reads the stored file,
  re-validates it and writes everything or nothing in one transaction — the file is read and
  its rows cleaned before that transaction opens, only the verdicts against the stored
  records and the writes run inside it (no parsing holds SQLite's one write lock);
* IMP-02: each batch records the file's SHA-256; re-importing a committed file is detected
  and — because verdicts compare content — changes nothing;
* RES-02: the stored upload is removed when committed and never left behind by an exception.

For every run ``rows_in = created + updated + unchanged + rejected``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import secrets
import unicodedata
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.lib.xlsx_safety import XlsxRejected, check_xlsx_upload, column_letter, read_first_sheet
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

#: Most data rows one workbook may carry.
MAX_ROWS = 200_000
#: Rows shown in the preview table.
PREVIEW_ROWS = 200
#: Row errors kept on the batch (the report of a hopeless file need not list a million).
MAX_STORED_ERRORS = 50_000

REJECTION_MESSAGES = {
    "TOO_LARGE": gettext_lazy("The file is larger than 20 MB."),
    "NOT_XLSX": gettext_lazy("The file is not an Excel workbook (.xlsx)."),
    "MACRO": gettext_lazy("Workbooks with macros (.xlsm) are not accepted; save the file as .xlsx."),
    "ZIP_BOMB": gettext_lazy("The workbook unpacks to an implausible size and was refused."),
    "XML_FORBIDDEN": gettext_lazy("The workbook contains XML declarations that are not accepted."),
    "ENCRYPTED": gettext_lazy("Password-protected workbooks are not accepted."),
    "EMPTY": gettext_lazy("The workbook has no worksheet."),
}
#: Row-level reasons of the framework; the stable code leads the (translated) text, so a
#: report reads the same codes in every language (XLS-01: ``NUMERIC_IDENTIFIER``).
REASONS = {
    "NUMERIC_IDENTIFIER": gettext_lazy("an identifier must be a text cell, not a number (numbers lose digits)"),
    "FORMULA_NO_VALUE": gettext_lazy("a formula cell without a computed value"),
    "CELL_ERROR": gettext_lazy("the cell holds an Excel error value (#N/A, #VALUE! …)"),
    "DUPLICATE_KEY": gettext_lazy("the same key also appears in row(s) %(rows)s"),
}


def reason(code: str, **params: Any) -> str:
    """``CODE: text`` for a framework reason."""
    text = str(REASONS[code])
    return f"{code}: " + (text % params if params else text)


class Verdict(StrEnum):
    """What a row will do (preview) or did (commit)."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class Column:
    """One template column: its Chinese header, the English key, and its rules.

    ``identifier`` columns (credit codes, ID numbers, org codes) accept text cells only.
    """

    key: str
    label: str
    label_en: str = ""
    required: bool = False
    identifier: bool = False
    width: int = 16


@dataclass(slots=True)
class RowError:
    """One problem: the spreadsheet row number, the column header and the reason."""

    row: int
    column: str
    reason: str


@dataclass(slots=True)
class RowResult:
    """A data row's outcome. ``cleaned`` holds model-ready values; ``target`` the existing
    object for updates; ``display`` the raw cells, kept only for the preview's first rows."""

    row_number: int
    key: str
    verdict: Verdict = Verdict.ERROR
    errors: list[RowError] = field(default_factory=list)
    cleaned: dict[str, Any] | None = None
    target: Any = None
    changes: dict[str, Any] | None = None
    display: dict[str, Any] | None = None

    def compare(self, target: Any, values: dict[str, Any]) -> None:
        """Classify the row against the existing ``target``: ``update`` with the changed
        fields (old, new as text for the preview) or ``unchanged``."""
        changes = {k: (getattr(target, k), v) for k, v in values.items() if getattr(target, k) != v}
        if changes:
            self.verdict = Verdict.UPDATE
            self.target = target
            self.changes = {k: (str(old), str(new)) for k, (old, new) in changes.items()}
        else:
            self.verdict = Verdict.UNCHANGED


class RowInvalid(Exception):
    """Raised by a spec's ``clean_row``/``classify``: ``errors`` are (column key, reason) pairs."""

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{c}: {r}" for c, r in errors))
        self.errors = list(errors)


class ImportFileError(Exception):
    """The whole file is refused (not a workbook, wrong headers …); nothing was stored."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ImportBlocked(Exception):
    """The commit found row errors (strict mode): nothing was written."""


@dataclass
class ImportPlan:
    """The verdict of every row of a file."""

    rows: list[RowResult]
    header: list[str] = field(default_factory=list)

    def count(self, verdict: Verdict) -> int:
        return sum(1 for r in self.rows if r.verdict == verdict)

    @property
    def counts(self) -> dict[str, int]:
        """rows_in, created, updated, unchanged, rejected."""
        tally = {v: 0 for v in Verdict}
        for r in self.rows:
            tally[r.verdict] += 1
        return {
            "rows_in": len(self.rows),
            "created": tally[Verdict.CREATE],
            "updated": tally[Verdict.UPDATE],
            "unchanged": tally[Verdict.UNCHANGED],
            "rejected": tally[Verdict.ERROR],
        }

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]


class ImportSpec(ABC):
    """What one import kind provides. A spec instance serves one run (it may cache lookups)."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    key_column: ClassVar[str]

    def __init__(self, user: User) -> None:
        self.user = user

    def prepare(self) -> None:  # noqa: B027 - optional hook
        """Load dictionaries once per run (not once per row)."""

    def normalize_key(self, raw: Any) -> str:
        """The key as compared across rows of one file (for duplicate detection)."""
        return "" if raw is None else str(raw).strip().upper()

    def row_key(self, raw: Mapping[str, Any]) -> str:
        """A row's key from its raw cells: ``key_column``'s by default; a kind whose rows are
        keyed by several columns (a parcel and its holder) overrides this."""
        return self.normalize_key(raw.get(self.key_column))

    @abstractmethod
    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate one row of raw cells (by column key); raise ``RowInvalid``."""

    @abstractmethod
    def classify(self, rows: list[RowResult]) -> None:
        """Set ``verdict`` (and ``target``/``changes``, or ``errors``) of clean rows, in bulk."""

    @abstractmethod
    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        """Apply the create and update rows (called inside the commit's transaction; ``batch``
        is None for a file applied at once, ``import_apply``)."""

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def label(self, key: str) -> str:
        col = self.column(key)
        return col.label if col else key


# --------------------------------------------------------------------------- reading


def _norm_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(text.split()).casefold()


def normalize_cell(value: Any) -> Any:
    """NFKC + trim for text; '' becomes None; other types unchanged."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        return text or None
    return value


def _match_header(spec: ImportSpec, cells: list[Any]) -> list[Column | None]:
    by_label: dict[str, Column] = {}
    for col in spec.columns:
        by_label[_norm_header(col.label)] = col
        by_label[_norm_header(col.key)] = col
        if col.label_en:
            by_label[_norm_header(col.label_en)] = col
    mapping: list[Column | None] = []
    unknown: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _norm_header(cell)
        if not name:
            mapping.append(None)
            continue
        found = by_label.get(name)
        if found is None:
            unknown.append(f"{column_letter(index + 1)}「{str(cell).strip()}」")
            mapping.append(None)
            continue
        if found.key in seen:
            raise ImportFileError(
                "DUPLICATE_COLUMN",
                _("Column “%(col)s” appears more than once in the header row.") % {"col": found.label},
            )
        seen[found.key] = index
        mapping.append(found)
    if unknown:
        raise ImportFileError(
            "UNKNOWN_COLUMN",
            _("Unknown column(s) in the header row: %(cols)s. Use the template's headers.")
            % {"cols": ", ".join(unknown)},
        )
    missing = [c.label for c in spec.columns if c.key not in seen]
    if missing:
        raise ImportFileError(
            "MISSING_COLUMN",
            _("Missing column(s) in the header row: %(cols)s. Use the template's headers.")
            % {"cols": "、".join(missing)},
        )
    return mapping


def read_rows(spec: ImportSpec, data: bytes) -> Iterator[tuple[int, dict[str, Any], list[RowError]]]:
    """Yield (row number, raw cells by key, cell-level errors) for every non-blank data row."""
    try:
        sheet = read_first_sheet(data)
    except XlsxRejected as exc:
        raise ImportFileError(exc.code, str(REJECTION_MESSAGES.get(exc.code, exc.message))) from None
    header_cells = next(sheet.rows, None)
    if header_cells is None or not any(normalize_cell(c) for c in header_cells):
        raise ImportFileError("NO_HEADER", _("The first row of the first worksheet must hold the column headers."))
    mapping = _match_header(spec, header_cells)
    formulas = sheet.formulas_without_value
    error_cells = sheet.error_cells
    count = 0
    for index, cells in enumerate(sheet.rows, start=2):
        raw: dict[str, Any] = {}
        errors: list[RowError] = []
        blank = True
        for col_index, col in enumerate(mapping):
            if col is None:
                continue
            value = normalize_cell(cells[col_index]) if col_index < len(cells) else None
            if formulas and (index, col_index + 1) in formulas:
                errors.append(RowError(index, col.label, reason("FORMULA_NO_VALUE")))
                blank = False
            if error_cells and (index, col_index + 1) in error_cells:
                errors.append(RowError(index, col.label, reason("CELL_ERROR")))
                blank = False
            if value is None:
                raw[col.key] = None
                continue
            blank = False
            if col.identifier and isinstance(value, int | float | bool):
                errors.append(RowError(index, col.label, reason("NUMERIC_IDENTIFIER")))
                value = None
            raw[col.key] = value
        if blank:
            continue
        count += 1
        if count > MAX_ROWS:
            raise ImportFileError("TOO_MANY_ROWS", _("A workbook may hold at most %(n)d data rows.") % {"n": MAX_ROWS})
        yield index, raw, errors


def parse_import(spec: ImportSpec, data: bytes, *, preview_rows: int = PREVIEW_ROWS) -> ImportPlan:
    """Read and clean every row of ``data`` (already checked) and mark repeated keys; no
    verdicts against the stored records yet (``classify_import``).

    This is the slow part of an import (unzipping, XML, one validator call per row) and it
    only reads: a commit runs it before its write transaction opens (on SQLite a transaction
    holds the one write lock; docs/architecture.md, "Transactions")."""
    spec.prepare()
    rows: list[RowResult] = []
    by_key: dict[str, list[RowResult]] = defaultdict(list)
    for row_number, raw, cell_errors in read_rows(spec, data):
        key = spec.row_key(raw)
        result = RowResult(row_number=row_number, key=key, errors=cell_errors)
        if len(rows) < preview_rows:
            result.display = {k: _display(v) for k, v in raw.items()}
        if not cell_errors:
            try:
                result.cleaned = spec.clean_row(raw)
            except RowInvalid as exc:
                result.errors.extend(RowError(row_number, spec.label(c), r) for c, r in exc.errors)
        rows.append(result)
        if key:
            by_key[key].append(result)
    mark_repeats(by_key.values(), spec.label(spec.key_column), lambda others: reason("DUPLICATE_KEY", rows=others))
    return ImportPlan(rows=rows)


def classify_import(spec: ImportSpec, plan: ImportPlan, *, keep_cleaned: bool = True) -> ImportPlan:
    """Give the clean rows of a parsed ``plan`` their verdicts against the stored records.

    A commit runs this inside its write transaction, so the verdicts hold for the rows it
    writes (the specs lock what they compare where the database can). Cleaned values are
    kept only where a commit needs them (create and update rows, and only with
    ``keep_cleaned``): a 100 000-row preview must not hold 100 000 of them."""
    spec.classify([r for r in plan.rows if not r.errors and r.cleaned is not None])
    for r in plan.rows:
        if r.errors:
            r.verdict = Verdict.ERROR
        if r.verdict not in (Verdict.CREATE, Verdict.UPDATE) or not keep_cleaned:
            r.cleaned = None
            r.target = None
            r.changes = None
    return plan


def plan_import(
    spec: ImportSpec, data: bytes, *, preview_rows: int = PREVIEW_ROWS, keep_cleaned: bool = True
) -> ImportPlan:
    """Clean and classify every row of ``data`` (already checked); write nothing (the preview)."""
    return classify_import(spec, parse_import(spec, data, preview_rows=preview_rows), keep_cleaned=keep_cleaned)


def cell_as_input(value: Any) -> Any:
    """A cell as the field cleaners shared with the forms take it: dates as dates, numbers as
    their text (a float through its shortest repr, so no binary noise reaches a Decimal)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float):
        return str(Decimal(str(value)))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def mark_repeats(groups: Iterable[list[RowResult]], column: str, message: Callable[[str], str]) -> None:
    """Put an error on every row of each group of rows sharing one key (a file naming the
    same record twice is an error on both rows, never a silent merge). ``message`` gets the
    other rows' numbers as text."""
    for same in groups:
        if len(same) > 1:
            numbers = [r.row_number for r in same]
            for r in same:
                others = ", ".join(str(n) for n in numbers if n != r.row_number)
                r.errors.append(RowError(r.row_number, column, message(others)))


def _display(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --------------------------------------------------------------------------- batches


def import_dir() -> Path:
    """Where uploads wait between preview and commit (outside any web root, FILE-05)."""
    return Path(settings.DATA_DIR) / "imports"


def _stored_path(batch: ImportBatch) -> Path:
    return import_dir() / batch.stored_name


def _store(data: bytes) -> str:
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = secrets.token_hex(16) + ".xlsx"
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return name


def _remove(name: str) -> None:
    if name:
        (import_dir() / name).unlink(missing_ok=True)


def _error_rows(plan: ImportPlan) -> list[list[Any]]:
    return [[e.row, e.column, e.reason] for e in plan.errors[:MAX_STORED_ERRORS]]


def _check(data: bytes) -> None:
    try:
        check_xlsx_upload(data, max_bytes=settings.MAX_UPLOAD_BYTES)
    except XlsxRejected as exc:
        raise ImportFileError(exc.code, str(REJECTION_MESSAGES.get(exc.code, exc.message))) from None


def previous_commit(batch: ImportBatch) -> ImportBatch | None:
    """An earlier committed batch of the same kind with the same file content (IMP-02)."""
    return (
        ImportBatch.objects.filter(kind=batch.kind, sha256=batch.sha256, status=ImportStatus.COMMITTED)
        .exclude(pk=batch.pk)
        .order_by("-committed_at")
        .first()
    )


def import_preview(
    *, acting_user: User, spec: ImportSpec, data: bytes, filename: str
) -> tuple[ImportBatch, ImportPlan]:
    """Check and dry-run an upload; keep the file for the commit and record the batch.

    Raises ``ImportFileError`` (nothing stored) when the file itself is refused.
    """
    _check(data)
    name = _store(data)
    try:
        plan = plan_import(spec, data, keep_cleaned=False)
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=spec.kind,
                sha256=hashlib.sha256(data).hexdigest(),
                filename=Path(filename or "").name[:255],
                stored_name=name,
                uploaded_by=acting_user,
                errors=_error_rows(plan),
                **plan.counts,
            )
            audit_write(
                action=f"{spec.kind}.import_preview", user=acting_user, obj=batch, after=plan.counts,
                detail=f"sha256={batch.sha256}",
            )
    except BaseException:
        _remove(name)  # RES-02: no upload is left behind by a failed preview
        raise
    return batch, plan


def import_batch_get_for_user(*, user: User, pk: int, kind: str) -> ImportBatch:
    """A batch of ``kind`` uploaded by ``user``; anyone else's is 404 (AC-03)."""
    batch = ImportBatch.objects.filter(pk=pk, kind=kind, uploaded_by=user).first()
    if batch is None:
        raise Http404
    return batch


def import_commit(
    *, acting_user: User, spec: ImportSpec, batch: ImportBatch, skip_invalid: bool = False
) -> tuple[ImportBatch, ImportPlan]:
    """Re-validate the stored file and apply it in one transaction (IMP-01).

    In strict mode (the default) any row error blocks the whole commit (``ImportBlocked``);
    with ``skip_invalid`` the rejected rows are left out and reported. On any failure nothing
    is written and the batch is marked failed, its file kept for another try.
    """
    if batch.uploaded_by_id != acting_user.pk or batch.kind != spec.kind:
        raise Http404
    if batch.status == ImportStatus.COMMITTED:
        raise ImportBlocked(_("This import was already committed."))
    path = _stored_path(batch)
    if not batch.stored_name or not path.is_file():
        raise ImportBlocked(_("The uploaded file is no longer available; upload it again."))
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != batch.sha256:
        raise ImportBlocked(_("The stored file does not match the previewed one; upload it again."))
    try:
        # Checking, reading and cleaning the file happen before the write transaction opens;
        # inside it the rows are only classified against the stored records and written.
        _check(data)
        parsed = parse_import(spec, data)
        with transaction.atomic():
            plan = classify_import(spec, parsed)
            counts = plan.counts
            if counts["rejected"] and not skip_invalid:
                raise ImportBlocked(
                    _("%(n)d row(s) have errors; correct them and upload the file again. Nothing was imported.")
                    % {"n": counts["rejected"]}
                )
            spec.write([r for r in plan.rows if r.verdict in (Verdict.CREATE, Verdict.UPDATE)], batch)
            batch.status = ImportStatus.COMMITTED
            batch.committed_at = timezone.now()
            batch.errors = _error_rows(plan)
            batch.message = ""
            for key, value in counts.items():
                setattr(batch, key, value)
            batch.save()
            audit_write(
                action=f"{spec.kind}.import_commit", user=acting_user, obj=batch, after=counts,
                detail=f"sha256={batch.sha256}",
            )
    except BaseException as exc:
        known = isinstance(exc, ImportBlocked | ImportFileError)
        message = str(exc) if known else _("The import failed; nothing was changed.")
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, message=message[:2000])
        batch.status = ImportStatus.FAILED
        batch.message = message
        raise
    _remove(batch.stored_name)  # RES-02: the committed upload is not kept
    ImportBatch.objects.filter(pk=batch.pk).update(stored_name="")
    batch.stored_name = ""
    return batch, plan


def import_apply(
    *, acting_user: User | None, spec: ImportSpec, data: bytes, action: str, **audit: Any
) -> ImportPlan:
    """Apply a workbook at once, all or nothing, without a stored batch (a command, a month's
    report): the file is checked, read and cleaned before the write transaction opens (SQLite
    has one writer); inside it the rows are only classified, written and audited as ``action``
    (``audit``: more fields of the record, e.g. ``object_type``). With any row error nothing is
    written: the returned plan carries the errors. A refused file raises ``ImportFileError``."""
    _check(data)
    parsed = parse_import(spec, data)
    with transaction.atomic():
        plan = classify_import(spec, parsed)
        if plan.counts["rejected"]:
            return plan
        spec.write([r for r in plan.rows if r.verdict in (Verdict.CREATE, Verdict.UPDATE)], None)
        audit_write(action=action, user=acting_user, after=plan.counts, **audit)
    return plan


def import_purge_stale(*, older_than: dt.timedelta = dt.timedelta(hours=24)) -> int:
    """Delete uploads of batches never committed within ``older_than`` (RES-02)."""
    cutoff = timezone.now() - older_than
    stale = ImportBatch.objects.filter(created_at__lt=cutoff).exclude(stored_name="")
    count = 0
    for batch in stale:
        _remove(batch.stored_name)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_name="")
        count += 1
    return count


def error_report_xlsx(batch: ImportBatch) -> bytes:
    """The batch's row errors as a workbook: row, column, reason."""
    out = io.BytesIO()
    write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Errors"),
                headers=[_("Row"), _("Column"), _("Reason")],
                rows=([e[0], e[1], e[2]] for e in batch.errors),
                widths=(8, 20, 80),
            )
        ],
    )
    return out.getvalue()
