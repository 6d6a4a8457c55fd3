"""Bearer-token authentication for the API (tokens stored hashed, with expiry and revocation)."""

from __future__ import annotations

from django.http import HttpRequest

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_user
from zhaoyin.core import context
from zhaoyin.core.api import RuleCheckingBearer


class BearerAuth(RuleCheckingBearer):
    """A bearer token names the user; the operation's role rule is then applied (core.api)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token)
        if user is not None:
            context.set_channel("api")
            request.user = user
        return user
