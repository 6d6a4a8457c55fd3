"""The bureaus' Excel imports of a 亩均 year (issue 14 item 1), on ``zhaoyin.core.importing``.

One import per ``sources.Source``: upload → dry run → commit of exactly the previewed bytes,
all or nothing, with a downloadable error report. The workbook format is a contract (the demo's
fixture workbooks use it, docs/mujun.md "Inputs from the bureaus"):

- a figure source: ``统一社会信用代码 | 企业名称 | <figure columns>``, one row per firm. The USCC
  must be a valid credit code of a registered enterprise (企业名称 is informative); an empty
  figure cell is "not reported". A committed row replaces the firm's stored value of each of
  the source's figures for the year (an empty cell removes it), with the source and the batch;
- land: ``地块编号 | 坐落 | 所属园区 | 地块面积（亩） | 统一社会信用代码 | 企业名称 | 权属 | 使用面积（亩）``,
  one row per holding. A committed file stores the parcels and replaces the year's holdings
  of every parcel it names.

Refused rows (each names its row and column; any one blocks the commit): a malformed or unknown
USCC; the same firm twice (land: the same parcel and firm twice); a negative figure, a
non-numeric one, employees not a whole number; a parcel area of 0 or less, a use area of 0 or
less or above the parcel's area, a parcel whose rows disagree on its area, the use areas of a
parcel summing to more than its area, and a parcel held by two firms without a lease (more than
one 自有 holder).

The year is not in the workbook: it is a required field of the import, and part of the batch's
kind (``mu_<source>_<year>``) so that the commit re-reads it with the stored file.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core import bulk
from zhaoyin.core.importing import Column, ImportSpec, RowError, RowInvalid, RowResult, Verdict, cell_as_input
from zhaoyin.core.models import ImportBatch
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.uscc import UsccError, normalize, validate_uscc
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.mujun.models import MuInput, Parcel, ParcelHolding, Tenure
from zhaoyin.mujun.sources import SOURCES, Source

#: The workbook header of each figure (the contract; the unit in full-width brackets).
FIGURE_HEADERS: dict[str, str] = {
    "tax": "实缴税金（万元）",
    "electricity": "用电量（万千瓦时）",
    "revenue": "主营业务收入（万元）",
    "value_added": "工业增加值（万元）",
    "tech_investment": "技改投资（万元）",
    "energy": "综合能耗（吨标煤）",
    "emissions": "主要污染物排放量（吨）",
    "pollution_rights": "核定排污权（吨）",
    "rd": "研发经费（万元）",
    "employees": "年平均职工人数（人）",
}
USCC_COLUMN = Column("uscc", "统一社会信用代码", "uscc", required=True, identifier=True, width=22)
NAME_COLUMN = Column("name", "企业名称", "name", width=30)
LAND_COLUMNS: tuple[Column, ...] = (
    Column("parcel", "地块编号", "parcel", required=True, identifier=True, width=16),
    Column("location", "坐落", "location", width=30),
    Column("park", "所属园区", "park", identifier=True, width=16),
    Column("area", "地块面积（亩）", "area", required=True, width=12),
    USCC_COLUMN,
    NAME_COLUMN,
    Column("tenure", "权属", "tenure", required=True, width=8),
    Column("use_area", "使用面积（亩）", "use_area", required=True, width=12),
)
#: What is wrong with a credit code, by ``lib.uscc``'s reason (the enterprise forms' words).
USCC_MESSAGES = {
    "USCC_LENGTH": gettext_lazy("a credit code has 18 characters"),
    "USCC_CHARACTERS": gettext_lazy("contains characters a credit code cannot have (I, O, S, V, Z or symbols)"),
    "USCC_CHECKSUM": gettext_lazy("the check character (18th) does not match"),
    "USCC_ORG_CODE": gettext_lazy("the embedded organisation code (characters 9-17) fails its check"),
}
#: The words of the 权属 column (the codes are accepted too).
TENURE_WORDS: dict[str, str] = {
    "自有": Tenure.OWNED, "owned": Tenure.OWNED, "租赁": Tenure.LEASED, "leased": Tenure.LEASED,
}
TENURE_LABELS: dict[str, str] = {Tenure.OWNED: "自有", Tenure.LEASED: "租赁"}
#: The batches of the 亩均 imports: ``mu_<source>_<year>``.
KIND_PREFIX = "mu_"
YEAR_MIN = 2000
#: The largest figure a value column holds (MuInput.value: 20 digits, 4 places).
FIGURE_MAX = Decimal("1e16")
AREA_MAX = Decimal("1e10")
FIGURE_PLACES = Decimal("0.0001")
AREA_PLACES = Decimal("0.01")
CHUNK = 2000


def batch_kind(source: Source, year: int) -> str:
    """The ``ImportBatch.kind`` of a source's import for a year."""
    return f"{KIND_PREFIX}{source.value}_{year}"


def parse_kind(kind: str) -> tuple[Source, int] | None:
    """(source, year) of a 亩均 batch kind; None for another kind."""
    if not kind.startswith(KIND_PREFIX):
        return None
    code, _sep, year = kind[len(KIND_PREFIX):].rpartition("_")
    try:
        return Source(code), int(year)
    except ValueError:
        return None


def year_max() -> int:
    """The latest year an import may be for: the current one (figures are reported after the fact)."""
    return timezone.localdate().year


def columns_of(source: Source) -> tuple[Column, ...]:
    """The workbook columns of ``source``, in order."""
    if source == Source.LAND:
        return LAND_COLUMNS
    figures = tuple(
        Column(c.figure, FIGURE_HEADERS[c.figure], c.figure, width=16) for c in SOURCES[source].columns
    )
    return (USCC_COLUMN, NAME_COLUMN, *figures)


# --------------------------------------------------------------------------- cell cleaners


def _uscc(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(_("This field is required."))
    try:
        return validate_uscc(value)
    except UsccError as exc:
        raise ValueError(
            _("Invalid credit code: %(reason)s") % {"reason": USCC_MESSAGES.get(exc.code, str(exc))}
        ) from None


def _number(value: Any) -> Decimal:
    """A numeric cell (or its text) as a Decimal; ``ValueError`` with the message else."""
    text = cell_as_input(value)
    if isinstance(text, bool) or not isinstance(text, str):
        raise ValueError(_("Must be a number."))
    try:
        number = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(_("Must be a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Must be a number."))
    return number


def _figure(value: Any, *, whole: bool) -> Decimal:
    number = _number(value)
    if number < 0:
        raise ValueError(_("Must not be negative."))
    if number >= FIGURE_MAX:
        raise ValueError(_("Implausibly large."))
    if whole and number != number.to_integral_value():
        raise ValueError(_("Must be a whole number."))
    # Excel keeps numbers as binary floats: the stored value is rounded half-up to 4 places.
    return number.quantize(FIGURE_PLACES, rounding=ROUND_HALF_UP)


def _area(value: Any) -> Decimal:
    number = _number(value)
    if number >= AREA_MAX:
        raise ValueError(_("Implausibly large."))
    number = number.quantize(AREA_PLACES, rounding=ROUND_HALF_UP)
    if number <= 0:
        raise ValueError(_("An area must be above 0 mu."))
    return number


def _text(value: Any, limit: int) -> str:
    text = "" if value is None else str(cell_as_input(value)).strip()
    if len(text) > limit:
        raise ValueError(_("At most %(n)d characters.") % {"n": limit})
    return text


# --------------------------------------------------------------------------- the specs


class MuImport(ImportSpec):
    """What every 亩均 import shares: the source, the year, the USCC matching."""

    source: ClassVar[Source]
    key_column = "uscc"

    def __init__(self, user: User | None, *, year: int) -> None:
        # ``None`` is the command line's system import (``zhaoyin mu import``).
        super().__init__(user)  # type: ignore[arg-type]
        self.year = year

    def normalize_key(self, raw: Any) -> str:
        return normalize(raw) if isinstance(raw, str) else ""

    def firms(self, usccs: Iterable[str]) -> dict[str, int]:
        """Enterprise ids by USCC, for the codes of a file (chunked lookups)."""
        codes = sorted(set(usccs))
        found: dict[str, int] = {}
        for start in range(0, len(codes), CHUNK):
            found.update(
                Enterprise.objects.filter(uscc__in=codes[start:start + CHUNK]).values_list("uscc", "pk")
            )
        return found

    def unmatched(self, row: RowResult) -> None:
        row.errors.append(RowError(
            row.row_number, self.label("uscc"), _("No enterprise is registered with this credit code.")
        ))


class FigureImport(MuImport):
    """A figure source: one row per firm, each figure column replacing the firm's stored value."""

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        errors: list[tuple[str, str]] = []
        cleaned: dict[str, Any] = {"uscc": "", "values": {}}
        try:
            cleaned["uscc"] = _uscc(raw.get("uscc"))
        except ValueError as exc:
            errors.append(("uscc", str(exc)))
        for col in SOURCES[self.source].columns:
            value = raw.get(col.figure)
            if value is None:
                cleaned["values"][col.figure] = None
                continue
            try:
                cleaned["values"][col.figure] = _figure(value, whole=col.whole)
            except ValueError as exc:
                errors.append((col.figure, str(exc)))
        if errors:
            raise RowInvalid(errors)
        return cleaned

    def classify(self, rows: list[RowResult]) -> None:
        """Match the USCCs; compare each figure with the stored value of the year."""
        ids = self.firms(r.cleaned["uscc"] for r in rows if r.cleaned is not None)
        figures = [c.figure for c in SOURCES[self.source].columns]
        stored: dict[tuple[int, str], tuple[int, Decimal]] = {}
        wanted = sorted(set(ids.values()))
        for start in range(0, len(wanted), CHUNK):
            qs = MuInput.objects.filter(
                year=self.year, figure__in=figures, enterprise_id__in=wanted[start:start + CHUNK]
            ).values_list("enterprise_id", "figure", "pk", "value")
            for enterprise_id, figure, pk, value in qs:
                stored[(enterprise_id, figure)] = (pk, value)
        for row in rows:
            assert row.cleaned is not None
            if row.cleaned["uscc"] not in ids:
                self.unmatched(row)
                continue
            enterprise_id = ids[row.cleaned["uscc"]]
            ops: list[tuple[str, str, Decimal | None, int | None]] = []
            changes: dict[str, tuple[str, str]] = {}
            had_any = False
            for figure in figures:
                new = row.cleaned["values"][figure]
                old = stored.get((enterprise_id, figure))
                had_any = had_any or old is not None
                if old is None and new is not None:
                    ops.append(("insert", figure, new, None))
                elif old is not None and new is None:
                    ops.append(("delete", figure, None, old[0]))
                elif old is not None and new is not None and old[1] != new:
                    ops.append(("update", figure, new, old[0]))
                else:
                    continue
                changes[figure] = ("" if old is None else str(old[1]), "" if new is None else str(new))
            row.cleaned = {"enterprise": enterprise_id, "ops": ops}
            row.changes = changes or None
            if not ops:
                row.verdict = Verdict.UNCHANGED
            else:
                row.verdict = Verdict.UPDATE if had_any else Verdict.CREATE

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        """Bulk: the changed and emptied values removed, then the new and changed ones inserted
        with the source and the batch — multi-row statements (``executemany`` is a round trip
        per row on PostgreSQL), and no row of MuInput is referenced, so a changed value may
        take a new id."""
        now = timezone.now()
        batch_id = batch.pk if batch is not None else None
        inserts: list[tuple[Any, ...]] = []
        deletes: list[int] = []
        for row in rows:
            assert row.cleaned is not None
            enterprise_id = row.cleaned["enterprise"]
            for op, figure, value, pk in row.cleaned["ops"]:
                if pk is not None:
                    deletes.append(pk)
                if op != "delete":
                    inserts.append((enterprise_id, self.year, figure, value, self.source.value, batch_id, now))
        for start in range(0, len(deletes), CHUNK):
            MuInput.objects.filter(pk__in=deletes[start:start + CHUNK]).delete()
        bulk.insert_values(
            MuInput, ["enterprise_id", "year", "figure", "value", "source", "batch_id", "updated_at"], inserts
        )


class LandImport(MuImport):
    """Land (自然资源): one row per holding; the file's parcels get exactly its holdings."""

    key_column = "parcel"
    columns = LAND_COLUMNS

    def __init__(self, user: User | None, *, year: int) -> None:
        super().__init__(user, year=year)
        self.units: dict[str, OrgUnit] = {}
        #: Per parcel code, after ``classify``: its fields and its holdings in the file.
        self.parcels: dict[str, dict[str, Any]] = {}

    def prepare(self) -> None:
        # A park is named by its code or its name (codes first: a name may repeat).
        units = OrgUnit.objects.filter(is_active=True)
        by_name: dict[str, OrgUnit] = {}
        for unit in units:
            by_name.setdefault(unit.name, unit)
        self.units = {**by_name, **{u.code: u for u in units}}

    def row_key(self, raw: Mapping[str, Any]) -> str:
        parcel = raw.get("parcel")
        uscc = raw.get("uscc")
        if not isinstance(parcel, str) or not isinstance(uscc, str):
            return ""
        return f"{parcel.strip().upper()}|{normalize(uscc)}"

    def clean_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        errors: list[tuple[str, str]] = []
        out: dict[str, Any] = {}

        def take(key: str, clean: Any) -> None:
            try:
                out[key] = clean(raw.get(key))
            except ValueError as exc:
                errors.append((key, str(exc)))

        take("parcel", lambda v: _required(_text(v, 40)))
        take("location", lambda v: _text(v, 200))
        take("park", self._park)
        take("area", lambda v: _area(_present(v)))
        take("uscc", _uscc)
        take("tenure", _tenure)
        take("use_area", lambda v: _area(_present(v)))
        if "area" in out and "use_area" in out and out["use_area"] > out["area"]:
            errors.append(("use_area", _("The use area is above the parcel's area (%(area)s mu).")
                           % {"area": out["area"]}))
        if errors:
            raise RowInvalid(errors)
        out["parcel"] = out["parcel"].upper()
        return out

    def _park(self, value: Any) -> int | None:
        text = _text(value, 200)
        if not text:
            return None
        unit = self.units.get(text)
        if unit is None:
            raise ValueError(_("No org unit with this code or name."))
        return unit.pk

    def classify(self, rows: list[RowResult]) -> None:
        """The parcel checks over the whole file, then the USCCs, then each holding against the
        year's stored holdings."""
        by_parcel: dict[str, list[RowResult]] = defaultdict(list)
        for row in rows:
            assert row.cleaned is not None
            by_parcel[row.cleaned["parcel"]].append(row)
        for code, same in by_parcel.items():
            self._check_parcel(code, same)
        ids = self.firms(r.cleaned["uscc"] for r in rows if r.cleaned is not None and not r.errors)
        codes = sorted(by_parcel)
        stored_parcels: dict[str, Parcel] = {}
        for start in range(0, len(codes), CHUNK):
            stored_parcels.update((p.code, p) for p in Parcel.objects.filter(code__in=codes[start:start + CHUNK]))
        stored: dict[str, dict[int, tuple[str, Decimal]]] = defaultdict(dict)
        parcel_ids = {p.pk: p.code for p in stored_parcels.values()}
        keys = sorted(parcel_ids)
        for start in range(0, len(keys), CHUNK):
            qs = ParcelHolding.objects.filter(year=self.year, parcel_id__in=keys[start:start + CHUNK]).values_list(
                "parcel_id", "enterprise_id", "tenure", "area_mu"
            )
            for parcel_id, enterprise_id, tenure, area in qs:
                stored[parcel_ids[parcel_id]][enterprise_id] = (tenure, area)
        for code, same in by_parcel.items():
            parcel = stored_parcels.get(code)
            held = stored.get(code, {})
            in_file: set[int] = set()
            for row in same:
                assert row.cleaned is not None
                if row.errors:
                    continue
                if row.cleaned["uscc"] not in ids:
                    self.unmatched(row)
                    continue
                enterprise_id = ids[row.cleaned["uscc"]]
                in_file.add(enterprise_id)
                row.cleaned["enterprise"] = enterprise_id
            good = [r for r in same if not r.errors]
            first = same[0].cleaned
            assert first is not None
            fields = {"location": first["location"], "park_id": first["park"], "area_mu": first["area"]}
            if len(good) == len(same):
                self.parcels[code] = {
                    "fields": fields,
                    "holdings": [(r.cleaned["enterprise"], r.cleaned["tenure"], r.cleaned["use_area"])
                                 for r in same if r.cleaned is not None],
                }
            parcel_changed = parcel is None or any(getattr(parcel, k) != v for k, v in fields.items())
            # Holders the file no longer names lose the parcel for the year: every row of the
            # parcel is then an update, so the commit is offered and the change shown.
            dropped = set(held) - in_file
            for row in good:
                assert row.cleaned is not None
                old = held.get(row.cleaned["enterprise"])
                new = (row.cleaned["tenure"], row.cleaned["use_area"])
                if old is None:
                    row.verdict = Verdict.CREATE
                elif old != new or parcel_changed or dropped:
                    row.verdict = Verdict.UPDATE
                    row.changes = {"holding": (f"{old[0]} {old[1]}", f"{new[0]} {new[1]}")}
                else:
                    row.verdict = Verdict.UNCHANGED

    def _check_parcel(self, code: str, same: Sequence[RowResult]) -> None:
        """One parcel's rows together: the same area, no two owners, the use within the area."""
        if len(same) < 2:
            return
        numbers = ", ".join(str(r.row_number) for r in same)
        cleaned = [r.cleaned for r in same if r.cleaned is not None]
        areas = {c["area"] for c in cleaned}
        if len(areas) > 1:
            for row in same:
                row.errors.append(RowError(row.row_number, self.label("area"), _(
                    "The rows of parcel %(parcel)s (rows %(rows)s) give different parcel areas."
                ) % {"parcel": code, "rows": numbers}))
            return
        owners = [c for c in cleaned if c["tenure"] == Tenure.OWNED]
        if len(owners) > 1:
            for row in same:
                row.errors.append(RowError(row.row_number, self.label("tenure"), _(
                    "Parcel %(parcel)s is held by two firms without a lease (rows %(rows)s): at most one "
                    "holder owns it (自有), the others lease it (租赁)."
                ) % {"parcel": code, "rows": numbers}))
        total = sum((c["use_area"] for c in cleaned), Decimal(0))
        area = next(iter(areas))
        if total > area:
            for row in same:
                row.errors.append(RowError(row.row_number, self.label("use_area"), _(
                    "The use areas of parcel %(parcel)s (rows %(rows)s) sum to %(total)s mu, above its "
                    "area of %(area)s mu."
                ) % {"parcel": code, "rows": numbers, "total": total, "area": area}))

    def write(self, rows: list[RowResult], batch: ImportBatch | None) -> None:
        """The touched parcels stored (created or updated) and their year's holdings replaced
        by the file's."""
        touched = sorted({r.cleaned["parcel"] for r in rows if r.cleaned is not None})
        if not touched:
            return
        now = timezone.now()
        existing = {p.code: p for p in Parcel.objects.filter(code__in=touched)}
        new_parcels = []
        changed = []
        for code in touched:
            fields = self.parcels[code]["fields"]
            parcel = existing.get(code)
            if parcel is None:
                new_parcels.append(Parcel(code=code, batch=batch, updated_at=now, **fields))
                continue
            if any(getattr(parcel, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(parcel, k, v)
                parcel.batch = batch
                parcel.updated_at = now
                changed.append(parcel)
        Parcel.objects.bulk_create(new_parcels, batch_size=500)
        Parcel.objects.bulk_update(changed, ["location", "park", "area_mu", "batch", "updated_at"], batch_size=500)
        ids = dict(Parcel.objects.filter(code__in=touched).values_list("code", "pk"))
        ParcelHolding.objects.filter(year=self.year, parcel_id__in=list(ids.values())).delete()
        batch_id = batch.pk if batch is not None else None
        bulk.insert_values(
            ParcelHolding, ["parcel_id", "year", "enterprise_id", "tenure", "area_mu", "batch_id"],
            [(ids[code], self.year, enterprise_id, tenure, area, batch_id)
             for code in touched for enterprise_id, tenure, area in self.parcels[code]["holdings"]],
        )


def _required(text: str) -> str:
    if not text:
        raise ValueError(_("This field is required."))
    return text


def _present(value: Any) -> Any:
    if value is None:
        raise ValueError(_("This field is required."))
    return value


def _tenure(value: Any) -> str:
    text = _text(value, 20)
    if not text:
        raise ValueError(_("This field is required."))
    found = TENURE_WORDS.get(text) or TENURE_WORDS.get(text.lower())
    if found is None:
        raise ValueError(_("Must be 自有 (owned) or 租赁 (leased)."))
    return found


_SPEC_CLASSES: dict[tuple[Source, int], type[MuImport]] = {}


def import_spec(source: Source, year: int, user: User | None) -> MuImport:
    """The import of ``source`` for ``year`` run by ``user`` (None: the system). Each (source,
    year) has its own batch kind, so a commit re-reads the year with the stored file."""
    cls = _SPEC_CLASSES.get((source, year))
    if cls is None:
        base: type[MuImport] = LandImport if source == Source.LAND else FigureImport
        attrs = {"kind": batch_kind(source, year), "source": source, "columns": columns_of(source)}
        cls = type(f"{base.__name__}_{source.value}_{year}", (base,), attrs)
        _SPEC_CLASSES[(source, year)] = cls
    return cls(user, year=year)


def import_template(source: Source) -> bytes:
    """The source's workbook template: the headers, identifier columns as text."""
    cols = columns_of(source)
    out = io.BytesIO()
    write_xlsx(out, [SheetSpec(
        title=str(SOURCES[source].label)[:31],
        headers=[c.label for c in cols],
        rows=[],
        text_columns=frozenset(i for i, c in enumerate(cols) if c.identifier),
        widths=[c.width for c in cols],
        blank_text_rows=200,
    )])
    return out.getvalue()


def mu_batches(qs: Any = None) -> Any:
    """The 亩均 import batches, latest first."""
    return (qs if qs is not None else ImportBatch.objects.all()).filter(
        Q(kind__startswith=KIND_PREFIX)
    ).select_related("uploaded_by").order_by("-created_at", "-id")


def is_year(value: int) -> bool:
    return YEAR_MIN <= value <= year_max()


__all__ = [
    "FIGURE_HEADERS", "LAND_COLUMNS", "FigureImport", "LandImport", "batch_kind", "columns_of", "import_spec",
    "import_template", "is_year", "mu_batches", "parse_kind", "year_max",
]
