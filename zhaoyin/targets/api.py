"""API: /targets (DESIGN 5.1) — ``GET /targets/progress?year=&indicator=[&as_of=]``.

Numbers: ``actual`` and ``target`` are JSON numbers rounded to the indicator's places (2 for
亿元, 0 for counts); ratios (``time_progress``, ``completion``, ``gap``) are fractions 0–1
with four places (0.7741 is 77.41 %). They are computed exactly in Decimal and only the
rounded result is written as a number. Bad parameters → 422 naming the field.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, WithJsonSchema

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import api_allow
from zhaoyin.core.inputs import ISO_DATE
from zhaoyin.core.outputs import IsoDate, OutSchema
from zhaoyin.targets import selectors

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
