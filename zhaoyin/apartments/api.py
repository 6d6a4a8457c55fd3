"""API of the talent apartments (人才公寓, DESIGN 5.1 "Talent", issue 13 item 4).

- ``GET /apartments?building=&layout=&state=&q=&sort=&page=&page_size=`` → ``{"count","items"}``,
  ``count`` the number of units in the caller's scope that match; ``GET /apartments/{id}``;
- ``GET /apartment-buildings`` (with each building's units by state), ``GET /{id}``,
  ``POST {"name","address","org_unit","operator"}`` → 201;
- ``GET /apartment-applications?state=&tier=&building=&q=`` (``waitlist_position`` on
  waitlisted ones), ``GET /{id}``, ``POST {"talent","preferred_layout","reason"}`` → 201 (the
  portal user sends no ``talent``), ``POST /{id}/actions/{action}`` with ``ApartmentActionInput``:
  review, reject, allocate, release, contract, withdraw — and renew, checkout on the
  application's tenancy;
- ``GET /tenancies?state=&building=&tier=&expiring=&q=``, ``GET /tenancies/{id}``.

Errors as everywhere: 422 names the field, 409 a state, version, unit or talent conflict,
403 a role or scope that may not act, 404 out of scope. Internal fields (the review note,
who reviewed or allocated) are not in the API: a talent reads the same answers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Status
from ninja.errors import HttpError

from zhaoyin.accounts.request import request_user
from zhaoyin.apartments import selectors
from zhaoyin.apartments import services as apartments
from zhaoyin.apartments.filters import ApplicationFilter, TenancyFilter, UnitFilter
from zhaoyin.apartments.flow import APPLICANTS, HOUSING
from zhaoyin.apartments.inputs import ApartmentActionInput, ApartmentApplicationInput, ApartmentBuildingInput
from zhaoyin.apartments.models import ApartmentUnit, Application, Building, Tenancy
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.fields import MAX_ID, OrgUnitRef
from zhaoyin.core.outputs import DecimalText, IsoDate, IsoDateTime, OutSchema
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.core.roles import Role

units_router = Router(tags=["apartments"])
buildings_router = Router(tags=["apartments"])
applications_router = Router(tags=["apartments"])
tenancies_router = Router(tags=["apartments"])

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="Record id.")]
_HOUSING_ROLES = [Role(r) for r in HOUSING]
_APPLICANT_ROLES = [Role(r) for r in APPLICANTS]


class ApartmentBuildingRef(OutSchema):
    id: int
    name: str


class ApartmentUnitOut(OutSchema):
    id: int
    building: ApartmentBuildingRef
    number: str
    layout: str = Field(description="one_bed, two_bed or three_bed")
    area_m2: DecimalText = Field(description="m², a decimal string")
    monthly_rent: DecimalText = Field(description="yuan a month, a decimal string")
    state: str = Field(description="available, reserved, occupied or maintenance")
    version: int


class ApartmentUnitPageOut(OutSchema):
    count: int = Field(description="The number of units that match")
    items: list[ApartmentUnitOut]


class ApartmentBuildingOut(OutSchema):
    id: int
    name: str
    address: str
    org_unit: OrgUnitRef
    operator: str
    units: int = Field(description="Units in the building")
    occupied: int
    available: int
    version: int

    @staticmethod
    def resolve_units(obj: Any) -> int:
        return int(getattr(obj, "n_units", 0))

    @staticmethod
    def resolve_occupied(obj: Any) -> int:
        return int(getattr(obj, "n_occupied", 0))

    @staticmethod
    def resolve_available(obj: Any) -> int:
        return int(getattr(obj, "n_available", 0))


class ApartmentBuildingPageOut(OutSchema):
    count: int
    items: list[ApartmentBuildingOut]


class ApartmentTalentRef(OutSchema):
    id: int
    name: str
    tier: str = Field(description="A … E, or blank without a recognized tier")


class ApartmentUnitRef(OutSchema):
    id: int
    building: ApartmentBuildingRef
    number: str
    layout: str


class ApartmentApplicationOut(OutSchema):
    id: int
    talent: ApartmentTalentRef
    preferred_layout: str = Field(description="one_bed, two_bed, three_bed or blank (any)")
    reason: str
    state: str = Field(description="submitted, waitlisted, rejected, allocated, contracted, withdrawn or ended")
    submitted_at: IsoDateTime
    decision_reason: str = Field(description="The reason given for a rejection or a release")
    unit: ApartmentUnitRef | None
    allocated_at: IsoDateTime | None
    waitlist_position: int | None = Field(description="Place on the whole waitlist (waitlisted only)")
    tenancy: int | None = Field(description="The tenancy's id once contracted")
    files: int = Field(description="Number of documents attached")
    version: int

    @staticmethod
    def resolve_waitlist_position(obj: Any) -> int | None:
        return getattr(obj, "waitlist_position", None)

    @staticmethod
    def resolve_tenancy(obj: Any) -> int | None:
        tenancy = getattr(obj, "tenancy", None) if obj.state in ("contracted", "ended") else None
        return tenancy.pk if tenancy is not None else None

    @staticmethod
    def resolve_files(obj: Any) -> int:
        return int(getattr(obj, "n_files", 0))


class ApartmentApplicationPageOut(OutSchema):
    count: int
    items: list[ApartmentApplicationOut]


class TenancyRenewalOut(OutSchema):
    previous_end: IsoDate
    new_end: IsoDate
    renewed_at: IsoDateTime


class TenancyOut(OutSchema):
    id: int
    unit: ApartmentUnitRef
    talent: ApartmentTalentRef
    application: int | None = Field(validation_alias="application_id")
    start: IsoDate
    end: IsoDate
    monthly_rent: DecimalText
    reduction_percent: DecimalText = Field(description="Rent reduction for the tier at signing, percent")
    rent_payable: DecimalText
    deposit: DecimalText
    state: str = Field(description="active or ended")
    end_reason: str = Field(description="departure, home_purchase, contract_end, other; blank while active")
    ended_on: IsoDate | None
    inspection_note: str
    renewals: list[TenancyRenewalOut]
    version: int

    @staticmethod
    def resolve_renewals(obj: Any) -> list[Any]:
        return list(obj.renewals.all())


class TenancyPageOut(OutSchema):
    count: int
    items: list[TenancyOut]


def _page(flt: Any, qs: Any) -> dict[str, Any]:
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size]) if start < total else []
    return {"count": total, "items": rows_by_ids(qs, ids)}


def _forbidden(exc: PermissionDenied) -> HttpError:
    return HttpError(403, str(exc) or _("You do not have permission to do this."))


# ---- units ---------------------------------------------------------------------------------


@units_router.get("", response=ApartmentUnitPageOut, openapi_extra=UnitFilter.openapi())
@api_allow(selectors.HOUSING_READERS)
def unit_list(request: HttpRequest) -> dict[str, Any]:
    """Apartment units in the caller's scope: ``{"count", "items"}``, count the number of units."""
    user = request_user(request)
    flt = UnitFilter.parse(request.GET)
    return _page(flt, flt.apply(selectors.unit_list_visible_to(user)))


@units_router.get("/{id}", response=ApartmentUnitOut)
@api_allow(selectors.HOUSING_READERS)
def unit_detail(request: HttpRequest, id: RecordId) -> ApartmentUnit:
    """One unit; 404 outside the caller's scope."""
    return selectors.unit_get_for_user(user=request_user(request), pk=id)


# ---- buildings -----------------------------------------------------------------------------


@buildings_router.get("", response=ApartmentBuildingPageOut)
@api_allow(selectors.HOUSING_READERS)
def building_list(request: HttpRequest) -> dict[str, Any]:
    """Buildings in the caller's scope with their units by state."""
    items = selectors.buildings_with_counts(request_user(request))
    return {"count": len(items), "items": items}


@buildings_router.get("/{id}", response=ApartmentBuildingOut)
@api_allow(selectors.HOUSING_READERS)
def building_detail(request: HttpRequest, id: RecordId) -> Building:
    """One building with its units by state; 404 outside the caller's scope."""
    user = request_user(request)
    selectors.building_get_for_user(user=user, pk=id)
    return next(b for b in selectors.buildings_with_counts(user) if b.pk == id)


@buildings_router.post("", response={201: ApartmentBuildingOut, 409: ErrorOut})
@api_allow(*_HOUSING_ROLES)
def building_create(request: HttpRequest, payload: ApartmentBuildingInput) -> Status[Building]:
    """Register a building under an org unit of the caller's scope (422 names a bad field)."""
    user = request_user(request)
    try:
        building = apartments.building_create(acting_user=user, data=payload)
    except PermissionDenied as exc:
        raise _forbidden(exc) from None
    return Status(201, next(b for b in selectors.buildings_with_counts(user) if b.pk == building.pk))


# ---- applications --------------------------------------------------------------------------


def _application(user: Any, pk: int) -> Application:
    app = selectors.application_with_extras(user, selectors.application_get_for_user(user=user, pk=pk))
    return app


@applications_router.get("", response=ApartmentApplicationPageOut, openapi_extra=ApplicationFilter.openapi())
@api_allow(selectors.RECORD_READERS)
def application_list(request: HttpRequest) -> dict[str, Any]:
    """Applications in the caller's scope (a talent: their own), newest first by default."""
    user = request_user(request)
    flt = ApplicationFilter.parse(request.GET)
    page = _page(flt, flt.apply(selectors.application_list_visible_to(user)))
    page["items"] = selectors.applications_with_extras(user, page["items"])
    return page


@applications_router.get("/{id}", response=ApartmentApplicationOut)
@api_allow(selectors.RECORD_READERS)
def application_detail(request: HttpRequest, id: RecordId) -> Application:
    """One application; 404 outside the caller's scope."""
    return _application(request_user(request), id)


@applications_router.post("", response={201: ApartmentApplicationOut, 409: ErrorOut})
@api_allow(*_APPLICANT_ROLES)
def application_create(request: HttpRequest, payload: ApartmentApplicationInput) -> Status[Application]:
    """Apply: the portal user for themself (no ``talent``), staff for a talent of their scope.
    409 when the talent has an application on its way or holds a unit. Documents are uploaded
    on the pages (multipart)."""
    user = request_user(request)
    try:
        app = apartments.application_submit(acting_user=user, data=payload)
    except PermissionDenied as exc:
        raise _forbidden(exc) from None
    return Status(201, _application(user, app.pk))


Action = Literal["review", "reject", "allocate", "release", "contract", "withdraw", "renew", "checkout"]


@applications_router.post("/{id}/actions/{action}", response={200: ApartmentApplicationOut, 409: ErrorOut})
@api_allow(*_APPLICANT_ROLES)
def application_action(
    request: HttpRequest,
    id: RecordId,
    action: Annotated[Action, Path(description="review, reject, allocate, release, contract, withdraw, renew "
                                               "or checkout")],
    payload: ApartmentActionInput,
) -> Application:
    """Take an action of the application's table (renew and checkout: of its tenancy's).
    409 when the table does not allow it from the current state, the version is stale, the
    unit is not available or the talent already holds a unit; 403 for a role or scope that
    may not take it; 422 names a missing or bad field (a contract ending before it starts:
    ``end``)."""
    user = request_user(request)
    app = selectors.application_get_for_user(user=user, pk=id)
    try:
        apartments.application_transition(acting_user=user, application=app, action=action, data=payload)
    except PermissionDenied as exc:
        raise _forbidden(exc) from None
    return _application(user, id)


# ---- tenancies -----------------------------------------------------------------------------


@tenancies_router.get("", response=TenancyPageOut, openapi_extra=TenancyFilter.openapi())
@api_allow(selectors.RECORD_READERS)
def tenancy_list(request: HttpRequest) -> dict[str, Any]:
    """Tenancies in the caller's scope (a talent: their own), by end date by default;
    ``expiring=true``: active ones ending within 60 days."""
    user = request_user(request)
    flt = TenancyFilter.parse(request.GET)
    qs = flt.apply(selectors.tenancy_list_visible_to(user).prefetch_related("renewals"))
    return _page(flt, qs)


@tenancies_router.get("/{id}", response=TenancyOut)
@api_allow(selectors.RECORD_READERS)
def tenancy_detail(request: HttpRequest, id: RecordId) -> Tenancy:
    """One tenancy with its renewals; 404 outside the caller's scope."""
    return selectors.tenancy_get_for_user(user=request_user(request), pk=id)


__all__ = ["applications_router", "buildings_router", "tenancies_router", "units_router"]
