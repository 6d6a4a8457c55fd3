"""Session authentication backend: loads users for sessions; sign-in goes through services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from zhaoyin.accounts.models import User


class ZhaoyinBackend(ModelBackend):
    """Credentials are checked by ``services.sign_in`` (lockout, throttle, TOTP), never here;
    this backend only restores the user of an existing session (inactive → anonymous, SESS-04)."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:  # type: ignore[override]
        return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("org_unit").filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
