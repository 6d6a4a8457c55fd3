"""API: /enterprises (DESIGN 5.1) — list, detail, register, change, yearly figures.

Handlers parse, fetch through the selectors (out of scope → 404; read-only → 403), call one
service and shape the answer. Input schemas are strict (unknown fields → 422) and hand every
value to the same validators the pages and the Excel import use.

Amounts are Decimal, never float. The schemas accept an amount as a JSON string or number
(booleans and other JSON types are refused with one message naming the field); a JSON number with a
fraction is then taken from the request body's own text (re-read with
``parse_float=Decimal``), not from the float pydantic made of it, so ``99999999999999.99``
arrives as exactly that and not as ``99999999999999.98``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Path, Router, Schema, Status
from pydantic import BeforeValidator, StrictInt, StrictStr, WithJsonSchema
from pydantic_core import PydanticCustomError

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import StrictSchema, api_allow
from zhaoyin.core.roles import Role
from zhaoyin.enterprises import selectors, services
from zhaoyin.enterprises.filters import EnterpriseFilter, enterprise_page
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure
from zhaoyin.enterprises.validation import FIGURE_DECIMAL_FIELDS

router = Router(tags=["enterprises"])

EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)
#: The largest id or page number accepted (a signed 64-bit column holds more; nobody needs it).
MAX_ID = 2**63 - 1


def _only(*kinds: type, message: str) -> Callable[[Any], Any]:
    """A before-validator taking JSON values of ``kinds`` only (never ``true``/``false``), with
    one error naming the field instead of one per union member. The value is passed on
    unchanged to the shared validators, which convert it."""

    def check(value: Any) -> Any:
        if value is None or (isinstance(value, kinds) and not isinstance(value, bool)):
            return value
        raise PydanticCustomError("value_type", gettext(message))

    return check


_NULL = {"type": "null"}
Amount = Annotated[
    Any,
    BeforeValidator(_only(str, int, float, message="must be a number")),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}, _NULL]}),
]
Count = Annotated[
    Any,
    BeforeValidator(_only(str, int, message="must be a whole number")),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}, _NULL]}),
]
Year = Annotated[
    Any,
    BeforeValidator(_only(str, int, message="must be a whole number")),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}]}),
]
EnterpriseId = Annotated[int, Path(ge=1, le=MAX_ID, description="Enterprise id.")]


# ---- output ---------------------------------------------------------------------------------


class OrgUnitRef(Schema):
    id: int
    code: str
    name: str


class IndustryRef(Schema):
    code: str
    name: str


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    org_unit: OrgUnitRef
    industry: IndustryRef
    size_class: str = Field(description="above (规上) or below (规下)")
    qualifications: list[str]
    land_mu: str | None = Field(description="Land area in 亩, a decimal string")
    employees: int | None
    founded_on: str | None = Field(description="YYYY-MM-DD")
    legal_representative: str
    address: str
    service_group: str | None = Field(description="Code of the service group")
    version: int = Field(description="Send it back with PATCH to detect a concurrent change (409)")
    updated_at: str


class EnterprisePageOut(Schema):
    count: int
    items: list[EnterpriseOut]


class FigureOut(Schema):
    year: int
    revenue_wan: str | None
    tax_wan: str | None
    output_wan: str | None
    value_added_wan: str | None
    energy_tce: str | None
    emissions_t: str | None
    rd_wan: str | None
    employees: int | None
    electricity_kwh: str | None
    source: str
    updated_at: str


class FigurePageOut(Schema):
    count: int
    items: list[FigureOut]


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def enterprise_out(e: Enterprise) -> dict[str, Any]:
    """The public shape of an enterprise (qualifications from the prefetch when present)."""
    return {
        "id": e.pk,
        "name": e.name,
        "uscc": e.uscc,
        "org_unit": {"id": e.org_unit.pk, "code": e.org_unit.code, "name": e.org_unit.name},
        "industry": {"code": e.industry.code, "name": e.industry.name},
        "size_class": e.size_class,
        "qualifications": [q.name for q in e.qualifications.all()],
        "land_mu": _decimal_text(e.land_mu),
        "employees": e.employees,
        "founded_on": e.founded_on.isoformat() if e.founded_on else None,
        "legal_representative": e.legal_representative,
        "address": e.address,
        "service_group": e.service_group.code if e.service_group else None,
        "version": e.version,
        "updated_at": e.updated_at.isoformat(),
    }


def figure_out(f: EnterpriseFigure) -> dict[str, Any]:
    out: dict[str, Any] = {name: _decimal_text(getattr(f, name)) for name in FIGURE_DECIMAL_FIELDS}
    out.update(year=f.year, employees=f.employees, source=f.source, updated_at=f.updated_at.isoformat())
    return out


# ---- input ----------------------------------------------------------------------------------


class EnterpriseIn(StrictSchema):
    name: StrictStr
    uscc: StrictStr = Field(description="统一社会信用代码, 18 characters, as text")
    org_unit: StrictStr = Field(description="Org unit code")
    industry: StrictStr = Field(description="Industry code (or name)")
    legal_representative: StrictStr | None = None
    address: StrictStr | None = None
    size_class: StrictStr | None = Field(None, description="above or below (default below)")
    founded_on: StrictStr | None = Field(None, description="YYYY-MM-DD")
    employees: Count = None
    land_mu: Amount = Field(None, description="亩, a decimal string or number")
    qualifications: list[StrictStr] | None = Field(None, description="Qualification names")
    service_group: StrictStr | None = Field(None, description="Service group code")


class EnterprisePatchIn(StrictSchema):
    name: StrictStr | None = None
    uscc: StrictStr | None = None
    org_unit: StrictStr | None = None
    industry: StrictStr | None = None
    legal_representative: StrictStr | None = None
    address: StrictStr | None = None
    size_class: StrictStr | None = None
    founded_on: StrictStr | None = None
    employees: Count = None
    land_mu: Amount = None
    qualifications: list[StrictStr] | None = None
    service_group: StrictStr | None = None
    version: StrictInt | None = Field(None, description="The version read; a different current version → 409")


class FiguresIn(StrictSchema):
    year: Year
    revenue_wan: Amount = None
    tax_wan: Amount = None
    output_wan: Amount = None
    value_added_wan: Amount = None
    energy_tce: Amount = None
    emissions_t: Amount = None
    rd_wan: Amount = None
    employees: Count = None
    electricity_kwh: Amount = None
    source: StrictStr | None = Field(None, description="statistics, tax, power, self_reported or other")


def _exact_amounts(request: HttpRequest, data: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """Replace amounts that arrived as JSON numbers by the exact Decimal of their text."""
    try:
        raw = json.loads(request.body, parse_float=Decimal)
    except ValueError:
        return data
    if isinstance(raw, dict):
        for name in names:
            if name in data and isinstance(raw.get(name), Decimal):
                data[name] = raw[name]
    return data




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
    return {"count": total, "items": [enterprise_out(e) for e in items]}


@router.get("/{id}", response=EnterpriseOut)
@api_allow(selectors.READER_ROLES)
def enterprise_detail(request: HttpRequest, id: EnterpriseId) -> dict[str, Any]:
    """One enterprise; 404 when it does not exist or lies outside the caller's scope."""
    user = request_user(request)
    enterprise = selectors.enterprise_get_for_user(user=user, pk=id)
    return enterprise_out(_reload(user, enterprise.pk))


@router.post("", response={201: EnterpriseOut})
@api_allow(*EDITORS)
def enterprise_create(request: HttpRequest, payload: EnterpriseIn) -> Status[dict[str, Any]]:
    """Register an enterprise: name, uscc, org_unit (code) and industry (code) are required."""
    user = request_user(request)
    data = _exact_amounts(request, payload.dict(exclude_unset=True), ["land_mu"])
    enterprise = services.enterprise_create(acting_user=user, data=data)
    return Status(201, enterprise_out(_reload(user, enterprise.pk)))


@router.patch("/{id}", response=EnterpriseOut)
@api_allow(*EDITORS)
def enterprise_update(request: HttpRequest, id: EnterpriseId, payload: EnterprisePatchIn) -> dict[str, Any]:
    """Change the fields sent. With ``version``, a change made meanwhile by someone else → 409."""
    user = request_user(request)
    enterprise = selectors.enterprise_get_for_user(user=user, pk=id, action="change")
    data = _exact_amounts(request, payload.dict(exclude_unset=True), ["land_mu"])
    version = data.pop("version", None)
    services.enterprise_update(acting_user=user, enterprise=enterprise, data=data, version=version)
    return enterprise_out(_reload(user, enterprise.pk))


@router.get("/{id}/figures", response=FigurePageOut)
@api_allow(selectors.READER_ROLES)
def enterprise_figures_list(request: HttpRequest, id: EnterpriseId) -> dict[str, Any]:
    """Every year of figures of one enterprise, newest first."""
    enterprise = selectors.enterprise_get_for_user(user=request_user(request), pk=id)
    figures = selectors.enterprise_figures(enterprise)
    return {"count": len(figures), "items": [figure_out(f) for f in figures]}


@router.post("/{id}/figures", response={200: FigureOut, 201: FigureOut})
@api_allow(*EDITORS)
def enterprise_figures_set(request: HttpRequest, id: EnterpriseId, payload: FiguresIn) -> Status[dict[str, Any]]:
    """Set one year's figures (any subset). 201 for a new year, 200 when the year is updated;
    fields left out keep their value, ``null`` clears one."""
    user = request_user(request)
    enterprise = selectors.enterprise_get_for_user(user=user, pk=id, action="change")
    data = _exact_amounts(request, payload.dict(exclude_unset=True), FIGURE_DECIMAL_FIELDS)
    year = str(data.get("year", "")).strip()
    existed = year.isdigit() and len(year) <= 4 and enterprise.figures.filter(year=int(year)).exists()
    figure = services.enterprise_figures_set(acting_user=user, enterprise=enterprise, data=data, clear_empty=True)
    return Status(200 if existed else 201, figure_out(figure))
