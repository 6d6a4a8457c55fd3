"""The 亩均 API: the bureaus' figures (mounted by config.api at "", full paths).

- ``POST /mu-inputs/imports`` (multipart: ``source``, ``year``, ``file``, ``dry_run``) — the
  evaluators: a dry run (default) answers the report (counts and every row error, nothing
  written); ``dry_run=false`` checks then commits the same bytes, all or nothing: any row error
  → 422 naming each row and column (``file``), nothing written. A refused file → 422 ``file``.
- ``GET /mu-inputs?year=&enterprise=`` — the stored figures in the caller's scope, paged.
- ``GET /enterprises/{id}/mu-inputs?year=`` — a firm's figures of a year, each present, missing
  or disputed, with source and batch; its holdings and bonuses. Another firm than the portal
  user's own, or one outside a unit's scope: 404.
- ``POST /mu-adjustments`` · ``DELETE /mu-adjustments/{id}`` — the evaluators: a bonus (加分) or
  deduction (减分), reason required, points non-zero within ±20.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import api_allow
from zhaoyin.core.errors import RULE_KEY, InvalidInput
from zhaoyin.core.fields import MAX_ID
from zhaoyin.core.importing import ImportBlocked, ImportFileError
from zhaoyin.core.listparams import MAX_PAGE_SIZE
from zhaoyin.core.models import ImportBatch
from zhaoyin.core.outputs import DecimalText, IsoDateTime, OutSchema, Username
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.mujun import input_selectors as selectors
from zhaoyin.mujun import input_services as services
from zhaoyin.mujun.input_importing import YEAR_MIN, parse_kind
from zhaoyin.mujun.input_inputs import AdjustmentCreateInput, AdjustmentInput, ImportInput
from zhaoyin.mujun.models import MuAdjustment
from zhaoyin.mujun.sources import Source

router = Router(tags=["mujun"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Id.")]
SourceCode = Literal["tax", "power", "stats", "energy", "environment", "science", "hr", "land"]
assert set(SourceCode.__args__) == {s.value for s in Source}  # type: ignore[attr-defined]
FigureCode = Literal[
    "tax", "electricity", "revenue", "value_added", "tech_investment", "energy", "emissions", "pollution_rights",
    "rd", "employees", "land_mu",
]
assert set(FigureCode.__args__) == set(selectors.FIGURES)  # type: ignore[attr-defined]
#: What the server judges of the file beyond its schema (the 422s naming ``file``).
FILE_RULE = ("an .xlsx within the upload limit, the source's headers; with dry_run=false every row valid "
             "(USCC of a registered firm, plausible figures)")
#: Row errors an import answer lists (the batch keeps them all for the error report).
ERRORS_LISTED = 1000


# ---- output ---------------------------------------------------------------------------------------


class ImportRowErrorOut(Schema):
    row: int = Field(description="The spreadsheet row (the header is row 1)")
    column: str = Field(description="The column's header")
    reason: str


class ImportReportOut(OutSchema):
    """What an import did (or, in a dry run, would do)."""

    batch: int = Field(description="The import batch's id")
    source: SourceCode
    year: int
    dry_run: bool
    status: Literal["preview", "committed", "failed"]
    rows_in: int
    created: int = Field(description="Rows that create (a firm's first figures, a new holding)")
    updated: int
    unchanged: int
    rejected: int = Field(description="Rows with errors: any one blocks the commit")
    errors: list[ImportRowErrorOut] = Field(description=f"The first {ERRORS_LISTED} row errors")
    error_count: int
    already_imported: int | None = Field(description="An earlier committed batch of the same file, if any")


class BatchRef(OutSchema):
    id: int
    filename: str
    committed_at: IsoDateTime | None


class FirmRef(OutSchema):
    id: int
    name: str
    uscc: str


class MuInputOut(OutSchema):
    id: int
    enterprise: FirmRef
    year: int
    figure: FigureCode
    value: DecimalText = Field(description="Decimal as text")
    source: SourceCode
    batch: BatchRef | None = Field(description="The import batch it came in (null: entered otherwise)")
    updated_at: IsoDateTime


class MuInputPageOut(OutSchema):
    count: int
    items: list[MuInputOut]


class MuFigureOut(Schema):
    figure: FigureCode
    status: Literal["present", "missing", "disputed"]
    value: str | None = Field(description="Decimal as text; null when missing")
    source: SourceCode | None
    batch: int | None
    reasons: list[str] = Field(description="Why disputed")


class HoldingOut(Schema):
    parcel: str = Field(description="Parcel code (地块编号)")
    location: str
    parcel_area_mu: str
    tenure: Literal["owned", "leased"]
    area_mu: str = Field(description="The area the firm holds (使用面积)")
    batch: int | None


class MuAdjustmentOut(OutSchema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    year: int
    points: DecimalText = Field(description="Positive: bonus (加分); negative: deduction (减分)")
    reason: str
    created_by: Username
    created_at: IsoDateTime


class FirmInputsOut(Schema):
    enterprise: FirmRef
    year: int
    status: Literal["present", "missing", "disputed"] = Field(
        description="disputed: a figure is disputed; missing: a figure is not reported; present: neither"
    )
    figures: list[MuFigureOut]
    holdings: list[HoldingOut]
    adjustments: list[MuAdjustmentOut]


class MuInputQuery(Schema):
    year: int | None = Field(None, ge=YEAR_MIN, le=2100, description="Only this year's figures")
    enterprise: int | None = Field(None, ge=1, le=MAX_ID, description="Only this firm's figures (enterprise id)")
    page: int = Field(1, ge=1, le=999_999_999)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class FirmInputsQuery(Schema):
    year: int = Field(..., ge=YEAR_MIN, le=2100, description="The evaluation year")


class AdjustmentBody(AdjustmentCreateInput):
    """A bonus or deduction: the firm, the year, the points (non-zero, at most 20 either way),
    the reason."""


# ---- imports --------------------------------------------------------------------------------------


def _report(batch: ImportBatch, *, dry_run: bool, errors: list[list[Any]] | None = None) -> dict[str, Any]:
    from zhaoyin.core.importing import previous_commit

    parsed = parse_kind(batch.kind)
    assert parsed is not None
    rows = errors if errors is not None else batch.errors
    previous = previous_commit(batch)
    return {
        "batch": batch.pk, "source": parsed[0].value, "year": parsed[1], "dry_run": dry_run, "status": batch.status,
        "rows_in": batch.rows_in, "created": batch.created, "updated": batch.updated,
        "unchanged": batch.unchanged, "rejected": batch.rejected,
        "errors": [{"row": r, "column": c, "reason": m} for r, c, m in rows[:ERRORS_LISTED]],
        "error_count": len(rows), "already_imported": previous.pk if previous is not None else None,
    }


@router.post("/mu-inputs/imports", response={200: ImportReportOut})
@api_allow(selectors.INPUT_EDITOR_ROLES)
def mu_import(
    request: HttpRequest,
    source: Form[SourceCode],
    year: Form[Annotated[int, Field(ge=YEAR_MIN, le=2100, description="The year the figures are for",
                                    json_schema_extra={RULE_KEY: "from 2000 to the current year"})]],
    file: File[Annotated[UploadedFile, Field(description="The workbook (.xlsx) in the source's columns",
                                             json_schema_extra={RULE_KEY: FILE_RULE})]],
    dry_run: Form[bool] = True,
) -> dict[str, Any]:
    """Import a bureau's workbook (the contract's columns, docs/mujun.md). A dry run (default)
    writes nothing but the batch record; ``dry_run=false`` commits the same bytes, all or
    nothing — any row error → 422 with one entry per error (field ``file``, the message naming
    the row and column). A refused file (not .xlsx, wrong headers, too large) → 422 ``file``."""
    user = request_user(request)
    params = ImportInput.parse({"source": source, "year": year, "dry_run": dry_run})
    limit = int(settings.MAX_UPLOAD_BYTES)
    if file.size is not None and file.size > limit:
        raise InvalidInput.field("file", _("The file is larger than %(n)d MB; split it into smaller files.")
                                 % {"n": limit // (1024 * 1024)})
    content = file.read(limit + 1)
    try:
        batch, _plan = services.mu_import_preview(
            acting_user=user, data=params, content=content, filename=file.name or ""
        )
    except ImportFileError as exc:
        raise InvalidInput.field("file", exc.message) from None
    if params.dry_run:
        return _report(batch, dry_run=True)
    try:
        batch, _plan = services.mu_import_commit(acting_user=user, batch=batch)
    except (ImportBlocked, ImportFileError) as exc:
        batch.refresh_from_db()
        errors = [
            {"field": "file", "message": _("row %(row)s, %(column)s: %(reason)s") % {
                "row": r, "column": c, "reason": m}}
            for r, c, m in batch.errors[:ERRORS_LISTED]
        ] or [{"field": "file", "message": str(exc)}]
        raise InvalidInput(str(exc), errors) from None
    return _report(batch, dry_run=False)


# ---- reads ----------------------------------------------------------------------------------------


@router.get("/mu-inputs", response=MuInputPageOut)
@api_allow(selectors.INPUT_READER_ROLES)
def mu_input_list(request: HttpRequest, filters: Query[MuInputQuery]) -> dict[str, Any]:
    """The stored figures in the caller's scope (a portal firm: its own), by year, firm and
    figure, paged."""
    qs = selectors.inputs_list(request_user(request), year=filters.year, enterprise=filters.enterprise)
    total = qs.count()
    start = (filters.page - 1) * filters.page_size
    return {"count": total, "items": list(qs[start:start + filters.page_size]) if start < total else []}


@router.get("/enterprises/{id}/mu-inputs", response=FirmInputsOut)
@api_allow(selectors.INPUT_READER_ROLES)
def firm_inputs(request: HttpRequest, id: Id, filters: Query[FirmInputsQuery]) -> dict[str, Any]:
    """A firm's figures of a year (present / missing / disputed, with source and batch), its
    holdings and its bonuses and deductions; 404 for a firm the caller may not see."""
    user = request_user(request)
    enterprise: Enterprise = selectors.firm_get_for_user(user=user, pk=id)
    data = selectors.firm_inputs([enterprise], filters.year, details=True)[0]
    return {
        "enterprise": enterprise, "year": filters.year, "status": data.status,
        "figures": [
            {"figure": c.figure, "status": c.status, "value": None if c.value is None else str(c.value),
             "source": c.source or None, "batch": c.batch_id, "reasons": c.reasons}
            for c in data.row
        ],
        "holdings": [
            {"parcel": h.parcel.code, "location": h.parcel.location, "parcel_area_mu": str(h.parcel.area_mu),
             "tenure": h.tenure, "area_mu": str(h.area_mu), "batch": h.batch_id}
            for h in data.holdings
        ],
        "adjustments": data.adjustments,
    }


# ---- bonuses and deductions -----------------------------------------------------------------------


@router.post("/mu-adjustments", response={201: MuAdjustmentOut})
@api_allow(selectors.INPUT_EDITOR_ROLES)
def adjustment_create(request: HttpRequest, payload: AdjustmentBody) -> Status[MuAdjustment]:
    """A bonus (positive points) or deduction (negative) of a firm in a year. An unknown firm
    → 422 naming ``enterprise``."""
    user = request_user(request)
    enterprise = Enterprise.objects.filter(selectors.firm_q(user)).filter(pk=payload.enterprise).first()
    if enterprise is None:
        raise InvalidInput.field("enterprise", _("No such enterprise."))
    data = AdjustmentInput.parse(payload.model_dump(exclude={"enterprise"}))
    created = services.adjustment_add(acting_user=user, enterprise=enterprise, data=data)
    return Status(201, MuAdjustment.objects.select_related("created_by").get(pk=created.pk))


@router.delete("/mu-adjustments/{id}", response={204: None})
@api_allow(selectors.INPUT_EDITOR_ROLES)
def adjustment_delete(request: HttpRequest, id: Id) -> HttpResponse:
    """Remove a bonus or deduction (an unknown one → 404)."""
    user = request_user(request)
    adjustment = selectors.adjustment_get_for_user(user=user, pk=id)
    services.adjustment_remove(acting_user=user, adjustment=adjustment)
    # No body at all (ninja would render None as ``null``).
    return HttpResponse(status=204)
