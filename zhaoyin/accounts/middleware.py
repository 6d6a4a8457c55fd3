"""Session rules: idle timeout (30 min, 15 for privileged roles), absolute lifetime (12 h),
and the forced password change (SESS-01, SESS-02, AUTH-03)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.services import password_expired, security
from zhaoyin.core.roles import PRIVILEGED_ROLES

LOGIN_AT = "zhaoyin_login_at"
LAST_SEEN = "zhaoyin_last_seen"
EXEMPT_PREFIXES = ("/api/", "/static/", "/healthz", "/i18n/")


def idle_limit_seconds(role_codes: frozenset[str]) -> int:
    privileged = bool(role_codes & {r.value for r in PRIVILEGED_ROLES})
    minutes = security("IDLE_MINUTES_PRIVILEGED") if privileged else security("IDLE_MINUTES")
    return minutes * 60


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(EXEMPT_PREFIXES) or not request.user.is_authenticated:
            return self.get_response(request)
        now = timezone.now().timestamp()
        session = request.session
        login_at = float(session.get(LOGIN_AT, now))
        last_seen = float(session.get(LAST_SEEN, now))
        user = request.user
        expired = (now - last_seen > idle_limit_seconds(user.role_codes)) or (
            now - login_at > security("ABSOLUTE_HOURS") * 3600
        )
        if expired:
            from zhaoyin.audit.services import audit_write

            audit_write(action="auth.session_expired", user=user, obj=user)
            logout(request)
            messages.info(request, _("Your session has expired. Please sign in again."))
            return HttpResponseRedirect(reverse("accounts:login") + "?next=" + request.path)
        session[LOGIN_AT] = login_at
        session[LAST_SEEN] = now
        allowed = (reverse("accounts:password_change"), reverse("accounts:logout"))
        if request.path not in allowed and password_expired(user):  # type: ignore[arg-type]
            messages.warning(request, _("Your password has expired or must be changed before you continue."))
            return HttpResponseRedirect(reverse("accounts:password_change"))
        return self.get_response(request)
