"""API: /auth/token, /me, /org-units (DESIGN 5.1)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router
from ninja.errors import AuthenticationError

from zhaoyin.accounts import selectors
from zhaoyin.accounts.models import User
from zhaoyin.accounts.request import request_user
from zhaoyin.accounts.services import SignInRefused, api_token_issue, sign_in
from zhaoyin.core import context
from zhaoyin.core.api import ErrorOut, StrictSchema, api_allow
from zhaoyin.core.outputs import OutSchema
from zhaoyin.core.roles import ALL_ROLES

router = Router(tags=["accounts"])


class TokenIn(StrictSchema):
    """Credentials; ``otp`` is the current TOTP code, required only for the roles that need it."""

    username: str = Field(max_length=150)
    password: str = Field(max_length=128)
    otp: str | None = Field(default=None, max_length=16)


class TokenOut(OutSchema):
    token: str


class MeUnitOut(OutSchema):
    id: int
    code: str
    name: str
    kind: str


class MeOut(OutSchema):
    """The signed-in user (read from the user)."""

    username: str
    roles: list[str]
    org_unit: MeUnitOut | None

    @staticmethod
    def resolve_roles(user: User) -> list[str]:
        return sorted(user.role_codes)


class OrgUnitOut(OutSchema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut})
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
def me(request: HttpRequest) -> User:
    return request_user(request)


@router.get("/org-units", response=list[OrgUnitOut])
@api_allow(ALL_ROLES)
def org_units(request: HttpRequest) -> list[OrgUnitOut]:
    return list(selectors.org_unit_list())  # type: ignore[arg-type]
