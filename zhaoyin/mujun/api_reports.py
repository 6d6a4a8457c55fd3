"""The 亩均 API: reports and consequences (mounted by config.api; issue 14 items 5 and 6).

- ``GET /mu-runs/{id}/exports/{kind}`` — a run's list as a file, of the caller's scope:
  ``surcharge`` (差别化电价), ``land-tax`` (城镇土地使用税), ``priority`` (用地/用能/信贷),
  ``publicity-xlsx`` and ``publicity-pdf`` (the 公示 layout); a run not in 公示 or published → 409;
- ``POST /mu-runs/{id}/rectifications`` — 整改: one matter per D-grade firm of a published run
  still without one (evaluators; idempotent) → 201 with what was created;
- ``GET /mu-reports/distribution?run=&by=park|county`` — grade counts, aggregate 亩均税收 and
  亩均营收 per park or county (ranked) and the ten lowest scores per list (the latest
  published run when ``run`` is left out; 404 when there is none);
- ``GET /mu-reports/low-efficiency?year=&threshold=`` — the year's low-efficiency parcels per park.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.fields import MAX_ID
from zhaoyin.core.outputs import DecimalText, OutSchema
from zhaoyin.lib.mujun import GRADES
from zhaoyin.mujun import consequences, exports, reports
from zhaoyin.mujun.models import MuRectification
from zhaoyin.mujun.selectors import EVALUATOR_ROLES, READER_ROLES, run_get_for_user

router = Router(tags=["mujun"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Id.")]
ExportKind = Literal["surcharge", "land-tax", "priority", "publicity-xlsx", "publicity-pdf"]
assert set(ExportKind.__args__) == set(exports.KINDS)  # type: ignore[attr-defined]


class GroupOut(OutSchema):
    unit: str | None = Field(description="The park's or county's code (null: firms in none)")
    name: str | None
    rank: int | None = Field(description="Rank by aggregate 亩均税收, best first (null: no figures)")
    firms: int
    grades: dict[str, int] = Field(description='Firms per grade: "A" … "D" and "none" (not graded)')
    tax_per_mu: DecimalText | None = Field(description="Σ tax ÷ Σ land, 万元/亩")
    revenue_per_mu: DecimalText | None = Field(description="Σ revenue ÷ Σ land, 万元/亩")

    @staticmethod
    def resolve_unit(obj: reports.Group) -> str | None:
        return obj.unit.code if obj.unit is not None else None

    @staticmethod
    def resolve_name(obj: reports.Group) -> str | None:
        return obj.unit.name if obj.unit is not None else None

    @staticmethod
    def resolve_grades(obj: reports.Group) -> dict[str, int]:
        return {**{g: obj.counts[g] for g in GRADES}, "none": obj.ungraded}


class BottomRowOut(OutSchema):
    enterprise: int = Field(validation_alias="enterprise_id")
    name: str = Field(validation_alias="enterprise.name")
    org_unit: str = Field(validation_alias="org_unit.code")
    score: DecimalText
    rank: int | None
    grade: str = Field(description="A … D, or blank when not graded")


class BottomListOut(Schema):
    list_code: str = Field(description="The result list's code")
    items: list[BottomRowOut]


class DistributionOut(OutSchema):
    run: int = Field(validation_alias="run.pk")
    year: int = Field(validation_alias="run.year")
    by: Literal["park", "county"]
    groups: list[GroupOut]
    total: GroupOut
    bottom: list[BottomListOut] = Field(description="后十名: the ten lowest scores of each result list")

    @staticmethod
    def resolve_bottom(obj: reports.Distribution) -> list[dict[str, Any]]:
        return [{"list_code": code, "items": rows} for code, rows in obj.bottom.items()]


class DistributionQuery(Schema):
    run: int | None = Field(None, ge=1, le=MAX_ID, description="The run (default: the latest published)")
    by: Literal["park", "county"] = Field("county", description="Group by park or county")


class ParcelOut(OutSchema):
    code: str = Field(validation_alias="parcel.code")
    location: str = Field(validation_alias="parcel.location")
    area_mu: DecimalText = Field(validation_alias="parcel.area_mu")
    holders: list[str]
    tax_per_mu: DecimalText | None
    reasons: list[Literal["idle", "all_d", "low_tax"]]


class ParkOut(OutSchema):
    unit: str | None = Field(description="The park's code (null: parcels in no park)")
    name: str | None
    area_mu: DecimalText = Field(validation_alias="area", description="The flagged parcels' area")
    parcels: list[ParcelOut]

    @staticmethod
    def resolve_unit(obj: reports.ParkParcels) -> str | None:
        return obj.unit.code if obj.unit is not None else None

    @staticmethod
    def resolve_name(obj: reports.ParkParcels) -> str | None:
        return obj.unit.name if obj.unit is not None else None


class LowEfficiencyOut(Schema):
    year: int
    threshold: DecimalText | None
    area_mu: DecimalText
    parks: list[ParkOut]


class LowEfficiencyQuery(Schema):
    year: int = Field(..., ge=2000, le=2100, description="The evaluation year")
    threshold: str | None = Field(
        None, pattern=r"^[0-9]{1,7}(\.[0-9]{1,4})?$", description="亩均税收 line in 万元/亩 (e.g. 10 or 12.5)"
    )


class RectificationOut(OutSchema):
    id: int
    enterprise: int = Field(validation_alias="result.enterprise_id")
    matter: int = Field(validation_alias="matter_id")
    matter_code: str = Field(validation_alias="matter.code")


class RectificationsOut(Schema):
    created: int
    items: list[RectificationOut]


@router.get("/mu-runs/{id}/exports/{kind}", response={200: None, 409: ErrorOut})
@api_allow(READER_ROLES)
def run_export(request: HttpRequest, id: Id, kind: Annotated[ExportKind, Path(description="Which list")]) -> Any:
    """A run's list as Excel (PDF for ``publicity-pdf``), holding the caller's scope's firms."""
    user = request_user(request)
    run = run_get_for_user(user=user, pk=id)
    built = exports.run_export(acting_user=user, run=run, kind=kind)
    response = HttpResponse(built.content, content_type=built.content_type)
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response


@router.post("/mu-runs/{id}/rectifications", response={201: RectificationsOut, 409: ErrorOut})
@api_allow(EVALUATOR_ROLES)
def rectifications_create(request: HttpRequest, id: Id) -> Status[dict[str, Any]]:
    """整改 in one action: a matter per D-grade firm still without one (none on a second call).
    A run not published → 409."""
    user = request_user(request)
    run = run_get_for_user(user=user, pk=id)
    created = consequences.rectification_create_bulk(acting_user=user, run=run)
    items = list(MuRectification.objects.filter(pk__in=[r.pk for r in created]).select_related("matter", "result")
                 .order_by("pk"))
    return Status(201, {"created": len(items), "items": items})


@router.get("/mu-reports/distribution", response={200: DistributionOut, 404: ErrorOut})
@api_allow(READER_ROLES)
def distribution(request: HttpRequest, filters: Query[DistributionQuery]) -> reports.Distribution:
    """Grades, aggregate 亩均税收 / 亩均营收 and ranking per park or county, and the 后十名, over
    the results the caller may read."""
    user = request_user(request)
    run = run_get_for_user(user=user, pk=filters.run) if filters.run is not None else reports.latest_published_run(user)
    if run is None:
        raise Http404
    return reports.distribution(user, run, by=filters.by)


@router.get("/mu-reports/low-efficiency", response=LowEfficiencyOut)
@api_allow(READER_ROLES)
def low_efficiency(request: HttpRequest, filters: Query[LowEfficiencyQuery]) -> dict[str, Any]:
    """The year's idle, all-D and (with ``threshold``) low-tax parcels per park, in the caller's scope."""
    threshold = Decimal(filters.threshold) if filters.threshold else None
    parks = reports.low_efficiency(request_user(request), filters.year, threshold=threshold)
    return {"year": filters.year, "threshold": threshold, "area_mu": sum((p.area for p in parks), Decimal(0)),
            "parks": parks}
