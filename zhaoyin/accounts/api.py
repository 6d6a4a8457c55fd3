"""API: /auth/token, /me, /org-units (DESIGN 5.1)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError

from zhaoyin.accounts import selectors
from zhaoyin.accounts.services import SignInRefused, api_token_issue, sign_in
from zhaoyin.core import context
from zhaoyin.core.api import StrictSchema, api_allow
from zhaoyin.core.roles import ALL_ROLES

router = Router(tags=["accounts"])


class TokenIn(StrictSchema):
    """Credentials; ``otp`` is the current TOTP code, required only for the roles that need it."""

    username: str = Field(max_length=150)
    password: str = Field(max_length=128)
    otp: str | None = Field(default=None, max_length=16)


class TokenOut(Schema):
    token: str


class OrgUnitRef(Schema):
    id: int
    code: str
    name: str
    kind: str


class MeOut(Schema):
    username: str
    roles: list[str]
    org_unit: OrgUnitRef | None


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None


@router.post("/auth/token", auth=None, response={200: TokenOut})
@api_allow(public=True)
def auth_token(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    """Exchange credentials (and the TOTP code for roles that need one) for a bearer token."""
    context.set_channel("api")
    try:
        user = sign_in(username=payload.username, password=payload.password, otp=payload.otp,
                       ip=context.current().client_ip)
    except SignInRefused:
        raise AuthenticationError from None
    return {"token": api_token_issue(user=user)}


@router.get("/me", response=MeOut)
@api_allow(ALL_ROLES)
def me(request: HttpRequest) -> dict[str, object]:
    user = request.auth  # type: ignore[attr-defined]
    unit = user.org_unit
    return {
        "username": user.username,
        "roles": sorted(user.role_codes),
        "org_unit": None if unit is None else {"id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind},
    }


@router.get("/org-units", response=list[OrgUnitOut])
@api_allow(ALL_ROLES)
def org_units(request: HttpRequest) -> list[OrgUnitOut]:
    return list(selectors.org_unit_list())  # type: ignore[arg-type]
