"""API: /enterprises (DESIGN 5.1) — list, detail, register, change, yearly figures.

Handlers parse, fetch through the selectors (out of scope → 404; read-only → 403), call one
service and shape the answer. The body schemas are strict (unknown fields → 422) and carry the
document (patterns, ``x-zhaoyin-rule``); the values sent become the use case's input model
(``enterprises.inputs``), the one the pages and the Excel import build too, which the service
takes.

Amounts are Decimal, never float: the shared field types and ``exact_amounts`` of
``core.fields`` read them.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Status
from pydantic import StrictInt, StrictStr
from pydantic.config import JsonDict

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, StrictSchema, api_allow
from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY
from zhaoyin.core.fields import MAX_ID, Amount, Count, IndustryRef, OrgUnitRef, Year, exact_amounts
from zhaoyin.core.inputs import BLANK, ISO_DATE, amount_schema, line_schema
from zhaoyin.core.outputs import DecimalText, IsoDate, IsoDateTime, OutSchema
from zhaoyin.core.roles import Role
from zhaoyin.core.validation import MAX_LAND_MU
from zhaoyin.enterprises import selectors, services
from zhaoyin.enterprises.filters import EnterpriseFilter, enterprise_page
from zhaoyin.enterprises.inputs import EnterpriseInput, EnterpriseUpdateInput, FiguresInput
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure, FigureSource
from zhaoyin.enterprises.validation import FIGURE_DECIMAL_FIELDS

router = Router(tags=["enterprises"])

EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
EnterpriseId = Annotated[int, Path(ge=1, le=MAX_ID, description="Enterprise id.")]


# ---- output ---------------------------------------------------------------------------------


class EnterpriseOut(OutSchema):
    id: int
    name: str
    uscc: str
    org_unit: OrgUnitRef
    industry: IndustryRef
    size_class: str = Field(description="above (规上) or below (规下)")
    qualifications: list[str]
    land_mu: DecimalText | None = Field(description="Land area in 亩, a decimal string")
    employees: int | None
    founded_on: IsoDate | None = Field(description="YYYY-MM-DD")
    legal_representative: str
    address: str
    service_group: str | None = Field(description="Code of the service group")
    version: int = Field(description="Send it back with PATCH to detect a concurrent change (409)")
    updated_at: IsoDateTime

    @staticmethod
    def resolve_qualifications(e: Enterprise) -> list[str]:
        # From the prefetch when the selector made one.
        return [q.name for q in e.qualifications.all()]

    @staticmethod
    def resolve_service_group(e: Enterprise) -> str | None:
        return e.service_group.code if e.service_group else None


class EnterprisePageOut(OutSchema):
    count: int
    items: list[EnterpriseOut]


class FigureOut(OutSchema):
    year: int
    revenue_wan: DecimalText | None
    tax_wan: DecimalText | None
    output_wan: DecimalText | None
    value_added_wan: DecimalText | None
    energy_tce: DecimalText | None
    emissions_t: DecimalText | None
    rd_wan: DecimalText | None
    employees: int | None
    electricity_kwh: DecimalText | None
    source: str
    updated_at: IsoDateTime


class FigurePageOut(OutSchema):
    count: int
    items: list[FigureOut]


# ---- input ----------------------------------------------------------------------------------


# What ``validation.clean_enterprise`` reads, for the document (the values are judged there).
_REF: JsonDict = {RULE_KEY: REFERENCE_RULE}
#: A required field in a change: it may be left out, not emptied.
_KEEP = "required: null or blank refused"
_BLANK: JsonDict = dict(BLANK)
#: Employees: what ``core.validation.clean_int`` takes (0 … 10 000 000; blank or null: none).
_EMPLOYEES: JsonDict = {
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 10_000_000},
        {"type": "string", "pattern": r"^\s*\d{0,8}\s*$"},
        {"type": "null"},
    ],
    RULE_KEY: "at most 10 000 000",
}
_LAND: JsonDict = {"anyOf": [*amount_schema(MAX_LAND_MU)["anyOf"], _BLANK, {"type": "null"}]}
_NAME = Field(json_schema_extra=line_schema(200, required=True))
_USCC = Field(
    description="统一社会信用代码, 18 characters, as text",
    json_schema_extra={
        # The characters GB 32100 allows (either case; the code is upper-cased).
        "pattern": r"^\s*[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}\s*$",
        RULE_KEY: "check characters per GB 32100 (the 18th, and the embedded organisation code's); "
        "not registered yet",
    },
)
_LINE60 = Field(None, json_schema_extra=line_schema(60))
_LINE200 = Field(None, json_schema_extra=line_schema(200))
_SIZE = Field(
    None,
    description="above or below (default below)",
    json_schema_extra={"enum": ["", "above", "below", "规上", "规下", None]},
)
_FOUNDED = Field(
    None,
    description="YYYY-MM-DD",
    json_schema_extra={
        "anyOf": [{"type": "string", "format": "date", "pattern": ISO_DATE}, _BLANK, {"type": "null"}],
        RULE_KEY: "a real past date, not before 1900",
    },
)


class EnterpriseIn(StrictSchema):
    name: StrictStr = _NAME
    uscc: StrictStr = _USCC
    org_unit: StrictStr = Field(description="Org unit code", json_schema_extra={**_REF, "minLength": 1})
    industry: StrictStr = Field(description="Industry code (or name)", json_schema_extra={**_REF, "minLength": 1})
    legal_representative: StrictStr | None = _LINE60
    address: StrictStr | None = _LINE200
    size_class: StrictStr | None = _SIZE
    founded_on: StrictStr | None = _FOUNDED
    employees: Count = Field(None, json_schema_extra=_EMPLOYEES)
    land_mu: Amount = Field(None, description="亩, a decimal string or number", json_schema_extra=_LAND)
    qualifications: list[StrictStr] | None = Field(None, description="Qualification names", json_schema_extra=_REF)
    service_group: StrictStr | None = Field(None, description="Service group code", json_schema_extra=_REF)


class EnterprisePatchIn(StrictSchema):
    name: StrictStr | None = Field(None, json_schema_extra={**line_schema(200, required=True), RULE_KEY: _KEEP})
    uscc: StrictStr | None = Field(None, json_schema_extra=_USCC.json_schema_extra)
    org_unit: StrictStr | None = Field(None, json_schema_extra=_REF)
    industry: StrictStr | None = Field(None, json_schema_extra=_REF)
    legal_representative: StrictStr | None = _LINE60
    address: StrictStr | None = _LINE200
    size_class: StrictStr | None = _SIZE
    founded_on: StrictStr | None = _FOUNDED
    employees: Count = Field(None, json_schema_extra=_EMPLOYEES)
    land_mu: Amount = Field(None, json_schema_extra=_LAND)
    qualifications: list[StrictStr] | None = Field(None, json_schema_extra=_REF)
    service_group: StrictStr | None = Field(None, json_schema_extra=_REF)
    version: StrictInt | None = Field(None, description="The version read; a different current version → 409")


class FiguresIn(StrictSchema):
    year: Year = Field(
        json_schema_extra={
            "anyOf": [
                {"type": "integer", "minimum": 1949, "maximum": 2100},
                {"type": "string", "pattern": r"^\s*(?:19[4-9]\d|20\d\d|2100)\s*$"},
            ],
            RULE_KEY: "from 1949 to 2100",
        }
    )
    revenue_wan: Amount = None
    tax_wan: Amount = None
    output_wan: Amount = None
    value_added_wan: Amount = None
    energy_tce: Amount = None
    emissions_t: Amount = None
    rd_wan: Amount = None
    employees: Count = None
    electricity_kwh: Amount = None
    source: StrictStr | None = Field(
        None,
        description="statistics, tax, power, self_reported or other",
        json_schema_extra={"enum": ["", *FigureSource.values, None]},
    )


def _reload(user: User, pk: int) -> Enterprise:
    enterprise: Enterprise = selectors.enterprise_list_visible_to(user).prefetch_related("qualifications").get(pk=pk)
    return enterprise


# ---- operations -----------------------------------------------------------------------------


@router.get("", response=EnterprisePageOut, openapi_extra=EnterpriseFilter.openapi())
@api_allow(selectors.READER_ROLES)
def enterprise_list(request: HttpRequest) -> dict[str, Any]:
    """Enterprises in the caller's scope, filtered, sorted and paged: ``{"count", "items"}``."""
    user = request_user(request)
    flt = EnterpriseFilter.parse(request.GET)
    qs = flt.apply(selectors.enterprise_list_visible_to(user))
    total, items = enterprise_page(qs, flt)
    return {"count": total, "items": items}


@router.get("/{id}", response=EnterpriseOut)
@api_allow(selectors.READER_ROLES)
def enterprise_detail(request: HttpRequest, id: EnterpriseId) -> Enterprise:
    """One enterprise; 404 when it does not exist or lies outside the caller's scope."""
    user = request_user(request)
    enterprise = selectors.enterprise_get_for_user(user=user, pk=id)
    return _reload(user, enterprise.pk)


@router.post("", response={201: EnterpriseOut})
@api_allow(*EDITORS)
def enterprise_create(request: HttpRequest, payload: EnterpriseIn) -> Status[Enterprise]:
    """Register an enterprise: name, uscc, org_unit (code) and industry (code) are required."""
    user = request_user(request)
    data = exact_amounts(request, payload.dict(exclude_unset=True), ["land_mu"])
    enterprise = services.enterprise_create(acting_user=user, data=EnterpriseInput.parse(data, user=user))
    return Status(201, _reload(user, enterprise.pk))


@router.patch("/{id}", response={200: EnterpriseOut, 409: ErrorOut})
@api_allow(*EDITORS)
def enterprise_update(request: HttpRequest, id: EnterpriseId, payload: EnterprisePatchIn) -> Enterprise:
    """Change the fields sent. With ``version``, a change made meanwhile by someone else → 409."""
    user = request_user(request)
    enterprise = selectors.enterprise_get_for_user(user=user, pk=id, action="change")
    data = exact_amounts(request, payload.dict(exclude_unset=True), ["land_mu"])
    services.enterprise_update(
        acting_user=user, enterprise=enterprise, data=EnterpriseUpdateInput.parse(data, user=user)
    )
    return _reload(user, enterprise.pk)


@router.get("/{id}/figures", response=FigurePageOut)
@api_allow(selectors.READER_ROLES)
def enterprise_figures_list(request: HttpRequest, id: EnterpriseId) -> dict[str, Any]:
    """Every year of figures of one enterprise, newest first."""
    enterprise = selectors.enterprise_get_for_user(user=request_user(request), pk=id)
    figures = selectors.enterprise_figures(enterprise)
    return {"count": len(figures), "items": figures}


@router.post("/{id}/figures", response={200: FigureOut, 201: FigureOut})
@api_allow(*EDITORS)
def enterprise_figures_set(request: HttpRequest, id: EnterpriseId, payload: FiguresIn) -> Status[EnterpriseFigure]:
    """Set one year's figures (any subset). 201 for a new year, 200 when the year is updated;
    fields left out keep their value, ``null`` clears one."""
    user = request_user(request)
    enterprise = selectors.enterprise_get_for_user(user=user, pk=id, action="change")
    data = exact_amounts(request, payload.dict(exclude_unset=True), FIGURE_DECIMAL_FIELDS)
    year = str(data.get("year", "")).strip()
    existed = year.isdigit() and len(year) <= 4 and enterprise.figures.filter(year=int(year)).exists()
    figure = services.enterprise_figures_set(
        acting_user=user, enterprise=enterprise, data=FiguresInput.parse(data, user=user), clear_empty=True
    )
    return Status(200 if existed else 201, figure)
