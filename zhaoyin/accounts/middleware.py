"""Session rules: idle timeout (30 min, 15 for privileged roles), absolute lifetime (12 h),
one session at a time for privileged roles, the forced password change (SESS-01, SESS-02,
SESS-06, AUTH-03), and the refusal of TRACE (CFG-02)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import password_expired, security, session_expired_record

LOGIN_AT = "zhaoyin_login_at"
LAST_SEEN = "zhaoyin_last_seen"
EPOCH = "zhaoyin_session_epoch"
EXEMPT_PREFIXES = ("/api/", "/static/", "/healthz", "/i18n/")
#: Methods no page answers: TRACE echoes requests (cross-site tracing), the others are proxy verbs.
REFUSED_METHODS = frozenset({"TRACE", "TRACK", "CONNECT"})


def idle_limit_seconds(user: User) -> int:
    """The idle timeout for ``user`` (SESS-01)."""
    minutes = security("IDLE_MINUTES_PRIVILEGED") if user.is_privileged else security("IDLE_MINUTES")
    return minutes * 60


def start_session(request: HttpRequest, user: User) -> None:
    """Stamp a freshly logged-in session with its start, last activity and epoch."""
    now = timezone.now().timestamp()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[EPOCH] = user.session_epoch


def session_end_reason(request: HttpRequest, user: User, now: float) -> str | None:
    """Why the current session must end now, or None while it is still good."""
    session = request.session
    epoch = session.get(EPOCH)
    if epoch is not None and int(epoch) != user.session_epoch:
        return "replaced" if user.is_privileged else "ended_by_admin"
    last_seen = float(session.get(LAST_SEEN, now))
    login_at = float(session.get(LOGIN_AT, now))
    if now - login_at > security("ABSOLUTE_HOURS") * 3600:
        return "absolute"
    if now - last_seen > idle_limit_seconds(user):
        return "idle"
    return None


LAST_SEEN_RESOLUTION = 30


class SessionPolicyMiddleware:
    """Ends sessions that are idle, too old or superseded; sends expired passwords to the
    change page. Runs after AuthenticationMiddleware, so ``request.user`` is fresh from the
    database on every request (a deactivated account is already anonymous, SESS-04)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(EXEMPT_PREFIXES) or not request.user.is_authenticated:
            return self.get_response(request)
        user = request.user
        assert isinstance(user, User)
        now = timezone.now().timestamp()
        reason = session_end_reason(request, user, now)
        if reason is not None:
            session_expired_record(user=user, reason=reason)
            logout(request)
            if reason == "replaced":
                messages.info(request, _("You signed in somewhere else, so this session has ended."))
            else:
                messages.info(request, _("Your session has expired. Please sign in again."))
            return redirect_to_login(request.get_full_path())
        session = request.session
        # Sessions made without the login view (tests' force_login) start counting now.
        session.setdefault(LOGIN_AT, now)
        session.setdefault(EPOCH, user.session_epoch)
        # Refreshing the timestamp rewrites the session row; doing it at most every
        # LAST_SEEN_RESOLUTION seconds keeps most requests free of a write, and the idle limit
        # (minutes) is still measured to within that resolution.
        if now - float(session.get(LAST_SEEN, 0)) >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN] = now
        allowed = (reverse("accounts:password_change"), reverse("accounts:logout"))
        if request.path not in allowed and password_expired(user):
            messages.warning(request, _("Your password has expired or must be changed before you continue."))
            return HttpResponseRedirect(reverse("accounts:password_change"))
        return self.get_response(request)


class RefuseTraceMiddleware:
    """Answer TRACE (and TRACK, CONNECT) with 405 before anything else looks at the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (request.method or "").upper() in REFUSED_METHODS:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        return self.get_response(request)
