"""API: /talents (DESIGN 5.1) — list, detail, register, change, and the audited reveal of a
talent's ID number and phone.

``POST /talents/{id}/account`` links a portal account, as the talent's page does.

The ID number is never answered in full (``id_number_masked``), nor the phone
(``phone_masked``): the one way to read them is ``POST /talents/{id}/reveal``, for the talent
office and the city admin, each call audited. The list finds a talent by the whole ID number
(``id_number=``) through the blind index. Bodies are the use cases' input models
(``talents.inputs``): the same verdict per value as the pages and the Excel import.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Status

from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.fields import MAX_ID, IndustryRef, OrgUnitRef
from zhaoyin.core.outputs import IsoDate, IsoDateTime, OutSchema
from zhaoyin.lib.masking import mask_email
from zhaoyin.talents import selectors, services
from zhaoyin.talents.filters import TalentFilter, talent_page
from zhaoyin.talents.inputs import LinkAccountInput, TalentInput, TalentUpdateInput
from zhaoyin.talents.models import Talent

router = Router(tags=["talents"])

TalentId = Annotated[int, Path(ge=1, le=MAX_ID, description="Talent id.")]


class TalentOut(OutSchema):
    id: int
    name: str
    id_type: str = Field(description="resident, passport, hmt_residence or foreign_permanent")
    id_number_masked: str = Field(validation_alias="id_masked", description="The ID number, masked")
    birth_date: IsoDate | None
    sex: str = Field(description="male, female or empty")
    education: str = Field(description="doctorate, master, bachelor, college or other")
    school: str
    major: str
    title: str = Field(description="senior, associate, intermediate, junior or none")
    employer: int | None = Field(validation_alias="employer_id", description="Id of the employing enterprise")
    employer_name: str = Field(description="The employer's name (the enterprise's, or the institution's)")
    org_unit: OrgUnitRef
    industry: IndustryRef | None
    arrival_date: IsoDate | None
    channel: str = Field(description="station, enclave, campus, referral, employer or other")
    station: OrgUnitRef | None
    phone_masked: str
    email_masked: str
    contract_start: IsoDate | None
    contract_end: IsoDate | None
    social_insurance_months: int
    tier: str = Field(description="A to E (set by a recognition decision), or empty")
    tier_valid_until: IsoDate | None
    status: str = Field(description="active or departed")
    departed_on: IsoDate | None
    version: int = Field(description="Send it back with PATCH to detect a concurrent change (409)")
    updated_at: IsoDateTime

    @staticmethod
    def resolve_employer_name(t: Talent) -> str:
        return t.employer_display

    @staticmethod
    def resolve_email_masked(t: Talent) -> str:
        return mask_email(t.email) if t.email else ""


class TalentPageOut(OutSchema):
    count: int
    items: list[TalentOut]


class RevealOut(OutSchema):
    id_type: str
    id_number: str = Field(description="The ID number in full")
    phone: str = Field(description="The phone in full (empty when none is recorded)")


def _reload(user: User, pk: int) -> Talent:
    return selectors.talent_get_for_user(user=user, pk=pk)


@router.get("", response=TalentPageOut, openapi_extra=TalentFilter.openapi())
@api_allow(selectors.READER_ROLES)
def talent_list(request: HttpRequest) -> dict[str, Any]:
    """Talents in the caller's scope, filtered, sorted and paged: ``{"count", "items"}``."""
    flt = TalentFilter.parse(request.GET)
    total, items = talent_page(flt.apply(selectors.talent_list_visible_to(request_user(request))), flt)
    return {"count": total, "items": items}


@router.get("/{id}", response=TalentOut)
@api_allow(selectors.READER_ROLES)
def talent_detail(request: HttpRequest, id: TalentId) -> Talent:
    """One talent; 404 when it does not exist or lies outside the caller's scope."""
    return selectors.talent_get_for_user(user=request_user(request), pk=id)


@router.post("", response={201: TalentOut})
@api_allow(*selectors.EDITOR_ROLES)
def talent_create(request: HttpRequest, payload: TalentInput) -> Status[Talent]:
    """Register a talent: name, id_number and org_unit (code) are required; birth date and sex
    are taken from a resident ID when left out."""
    user = request_user(request)
    talent = services.talent_create(acting_user=user, data=payload)
    return Status(201, _reload(user, talent.pk))


@router.patch("/{id}", response={200: TalentOut, 409: ErrorOut})
@api_allow(*selectors.EDITOR_ROLES)
def talent_update(request: HttpRequest, id: TalentId, payload: TalentUpdateInput) -> Talent:
    """Change the fields sent. With ``version``, a change made meanwhile by someone else → 409."""
    user = request_user(request)
    talent = selectors.talent_get_for_user(user=user, pk=id, action="change")
    services.talent_update(acting_user=user, talent=talent, data=payload)
    return _reload(user, talent.pk)


@router.post("/{id}/account", response=TalentOut)
@api_allow(*selectors.EDITOR_ROLES)
def talent_link_account(request: HttpRequest, id: TalentId, payload: LinkAccountInput) -> Talent:
    """Link a talent portal account (by its username) to the record, as the talent's page does:
    an unknown, inactive or non-talent account, or one linked to another talent → 422 naming
    ``username``; a talent outside the caller's scope → 404; a read-only role → 403. Linking
    the account already linked changes nothing."""
    user = request_user(request)
    talent = selectors.talent_get_for_user(user=user, pk=id, action="change")
    services.talent_link_account(acting_user=user, talent=talent, data=payload)
    return _reload(user, talent.pk)


@router.post("/{id}/reveal", response=RevealOut)
@api_allow(*selectors.REVEAL_ROLES)
def talent_reveal(request: HttpRequest, id: TalentId) -> services.RevealedPII:
    """The ID number and phone in full, for the talent office and the city admin; audited."""
    user = request_user(request)
    talent = selectors.talent_get_for_user(user=user, pk=id)
    return services.talent_reveal(acting_user=user, talent=talent)
