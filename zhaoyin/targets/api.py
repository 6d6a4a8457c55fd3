"""API: /targets (DESIGN 5.1) — ``GET /targets/progress?year=&indicator=[&as_of=]``.

Numbers: ``actual`` and ``target`` are JSON numbers rounded to the indicator's places (2 for
亿元, 0 for counts); ratios (``time_progress``, ``completion``, ``gap``) are fractions 0–1
with four places (0.7741 is 77.41 %). They are computed exactly in Decimal and only the
rounded result is written as a number. Bad parameters → 422 naming the field.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from pydantic import ConfigDict, WithJsonSchema

from zhaoyin.accounts import ranking
from zhaoyin.accounts.models import RankingGroup
from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.import_pages import xlsx_download
from zhaoyin.core.inputs import ISO_DATE
from zhaoyin.core.outputs import IsoDate, OutSchema
from zhaoyin.targets import report, selectors

router = Router(tags=["targets"])


def _num(value: Decimal | None, places: int) -> float | None:
    # Rounded exactly in Decimal first: the float carries only the digits shown.
    if value is None:
        return None
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


class ProgressRowOut(OutSchema):
    """One unit's progress (a ``selectors.Row``): numbers rounded to the indicator's places,
    ratios to four."""

    org_unit: str = Field(validation_alias="unit.code", description="Org unit code")
    name: str = Field(validation_alias="unit.name")
    kind: str = Field(validation_alias="unit.kind")
    target: float | None
    actual: float
    completion: float | None
    time_progress: float
    gap: float | None
    rank: int | None
    group: str | None = Field(description="The code of the ranking group the rank is within")
    group_name: str | None = Field(description="The ranking group's name (县区, 开发区/园区, 市直部门 …)")

    @staticmethod
    def resolve_group(row: selectors.Row) -> str | None:
        return row.group.code if row.group else None

    @staticmethod
    def resolve_group_name(row: selectors.Row) -> str | None:
        return row.group.name if row.group else None

    @staticmethod
    def resolve_target(row: selectors.Row) -> float | None:
        return _num(row.target, row.places)

    @staticmethod
    def resolve_actual(row: selectors.Row) -> float | None:
        return _num(row.actual, row.places)

    @staticmethod
    def resolve_completion(row: selectors.Row) -> float | None:
        return _num(row.completion, 4)

    @staticmethod
    def resolve_time_progress(row: selectors.Row) -> float | None:
        return _num(row.time_progress, 4)

    @staticmethod
    def resolve_gap(row: selectors.Row) -> float | None:
        return _num(row.gap, 4)


class ProgressOut(OutSchema):
    """The progress of every unit the caller may see (a ``selectors.Progress``)."""

    year: int
    indicator: str = Field(validation_alias="indicator.code", description="The indicator's code")
    unit: str = Field(validation_alias="indicator.unit", description="亿元, 个 (projects) or 人 (talents)")
    as_of: IsoDate
    basis: str = Field(description="The funds figure the actuals show: verified (核实, default) or reported (填报); "
                                   "ranks are always those of the verified figure")
    time_progress: float
    city: ProgressRowOut | None
    items: list[ProgressRowOut]

    @staticmethod
    def resolve_time_progress(progress: selectors.Progress) -> float | None:
        return _num(progress.time_progress, 4)


class ProgressQuery(Schema):
    """The query of ``/targets/progress``. The document states the forms
    ``selectors.parse_progress_params`` reads; the model stays lenient so a missing or bad
    value gets that function's message."""

    model_config = ConfigDict(json_schema_extra={"required": ["year", "indicator"]})

    year: Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^\s*(?:20\d\d|2100)\s*$"})] = Field(
        "", description="The year (2000–2100)"
    )
    indicator: Annotated[str, WithJsonSchema({"type": "string", "enum": sorted(selectors.REGISTRY)})] = Field(
        "", description="The indicator's code"
    )
    as_of: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "anyOf": [{"format": "date", "pattern": ISO_DATE}, {"maxLength": 0}]}),
    ] = Field(None, description="YYYY-MM-DD (default: today)")
    basis: Annotated[
        str | None, WithJsonSchema({"type": "string", "enum": ["", *selectors.BASES]})
    ] = Field(
        None,
        description="external_funds: verified (核实, the default: only entries the city verified) or reported "
                    "(填报: every reported entry); the ranks are always computed on the verified figure",
    )


@router.get("/progress", response=ProgressOut)
@api_allow(selectors.READER_ROLES)
def progress(request: HttpRequest, params: Query[ProgressQuery]) -> selectors.Progress:
    """Target progress of each unit the caller may see and of its city (or own subtree)."""
    user = request_user(request)
    year_value, ind, day = selectors.parse_progress_params(
        params.year, params.indicator, params.as_of, today=timezone.localdate()
    )
    basis = selectors.parse_basis(params.basis)
    return selectors.progress_for(user, year=year_value, indicator=ind, as_of=day, basis=basis)


@router.get("/progress.xlsx", response={200: None})
@api_allow(selectors.READER_ROLES)
def progress_xlsx(request: HttpRequest, params: Query[ProgressQuery]) -> HttpResponse:
    """The progress table the caller sees (as ``/progress``), as an Excel workbook; audited."""
    user = request_user(request)
    year_value, ind, day = selectors.parse_progress_params(
        params.year, params.indicator, params.as_of, today=timezone.localdate()
    )
    content = report.progress_export(acting_user=user, year=year_value, indicator=ind.code, as_of=day)
    return xlsx_download(content, report.progress_filename(year=year_value, indicator=ind.code))


class BulletinQuery(Schema):
    """The month of the 招商 通报 and its format. Lenient: ``report.parse_month`` judges."""

    model_config = ConfigDict(json_schema_extra={"required": ["year", "month"]})

    year: Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^\s*(?:20\d\d|2100)\s*$"})] = Field(
        "", description="The year (2000–2100)"
    )
    month: Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^\s*(?:0?[1-9]|1[0-2])\s*$"})] = Field(
        "", description="1–12"
    )
    format: Annotated[str, WithJsonSchema({"type": "string", "enum": sorted(report.FORMATS)})] = Field(
        "docx", description="docx (Word, 公文 layout) or pdf"
    )


@router.get("/bulletin", response={200: None})
@api_allow(report.BULLETIN_ROLES)
def bulletin(request: HttpRequest, params: Query[BulletinQuery]) -> HttpResponse:
    """The monthly 招商 通报 (city-wide roles) as Word or PDF; audited as an export."""
    year, month = report.parse_month(params.year, params.month)
    fmt = params.format or "docx"
    content = report.bulletin_export(acting_user=request_user(request), year=year, month=month, fmt=fmt)
    response = HttpResponse(content, content_type=report.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="targets-bulletin-{year}-{month:02d}.{fmt}"'
    return response


# ---- ranking groups --------------------------------------------------------------------------


class RankingGroupMemberOut(OutSchema):
    """A unit of a ranking group."""

    org_unit: str = Field(validation_alias="org_unit.code")
    name: str = Field(validation_alias="org_unit.name")
    kind: str = Field(validation_alias="org_unit.kind")
    rolls_up: bool = Field(description="Its figures count in its parent unit's ranked row")


class RankingGroupOut(OutSchema):
    """A ranking group with its members."""

    code: str
    name: str
    order: int
    min_matters: int = Field(description="Matters a unit needs in a period for a KPI rank")
    members: list[RankingGroupMemberOut]

    @staticmethod
    def resolve_members(group: RankingGroup) -> list[object]:
        return list(group.members.all())


@router.get("/groups", response=list[RankingGroupOut])
@api_allow(selectors.READER_ROLES)
def groups(request: HttpRequest) -> list[RankingGroup]:
    """The ranking groups and their members (units in no group rank with their kind)."""
    return ranking.groups_with_members()


#: A group's code as the path names it: letters, digits, _ or -, at most 32 (the document says so).
GroupCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="The group's code")]


@router.put("/groups/{code}", response={200: RankingGroupOut, 422: ErrorOut})
@api_allow(*ranking.EDITOR_ROLES)
def group_put(request: HttpRequest, code: GroupCode, payload: ranking.RankingGroupFields) -> RankingGroup:
    """Create or replace the group ``code``: name, order, min_matters, members. A unit twice,
    or a unit already in another group → 422 naming ``members.<i>.org_unit``."""
    data = ranking.RankingGroupInput.parse({**dict(payload), "code": code})
    group = ranking.ranking_group_save(acting_user=request_user(request), data=data)
    return next(g for g in ranking.groups_with_members() if g.pk == group.pk)


@router.delete("/groups/{code}", response={204: None})
@api_allow(*ranking.EDITOR_ROLES)
def group_delete(request: HttpRequest, code: GroupCode) -> HttpResponse:
    """Remove a group; its units rank with their kind again. No body."""
    ranking.ranking_group_delete(acting_user=request_user(request), group=ranking.group_get(code))
    return HttpResponse(status=204)
