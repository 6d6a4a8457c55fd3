"""Sign in, sign out, change password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from zhaoyin.accounts.forms import LoginForm, PasswordChangeForm
from zhaoyin.accounts.middleware import start_session
from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import (
    SignInRefused,
    logout_record,
    password_change,
    password_expired,
    security,
    sign_in,
)
from zhaoyin.core import context
from zhaoyin.core.authz import allow, public
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import ALL_ROLES

#: The one message for every refused sign-in (AUTH-04: no account enumeration). Its second
#: sentence is for whoever has just signed in with a one-time code and tries again within the
#: same 30 seconds (a reused code is refused): shown on every failure, so it tells nothing about
#: which factor failed (docs/security.md, "Second factor").
GENERIC_REFUSAL = gettext_lazy(
    "The username, password or one-time code is wrong, or the account is temporarily locked. "
    "If you have just signed in with a one-time code, wait for the next code and try again."
)
SESSION_BACKEND = "zhaoyin.accounts.backends.ZhaoyinBackend"


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return next_url


@public
@sensitive_post_parameters("password", "otp")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """The sign-in page. Every refusal renders the same page with the same message, and the
    entered password and code are never sent back."""
    next_url = _safe_next(request)
    if request.method == "GET" and request.user.is_authenticated:
        return HttpResponseRedirect(next_url or "/")
    form = LoginForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                otp=form.cleaned_data.get("otp"), ip=context.current().client_ip,
            )
        except SignInRefused:
            error = GENERIC_REFUSAL
            # A fresh form: only the username is shown again, never the password or code.
            form = LoginForm(initial={"username": form.cleaned_data["username"]})
        else:
            login(request, user, backend=SESSION_BACKEND)  # cycles the session key (SESS-03)
            start_session(request, user)
            if password_expired(user):
                return redirect("accounts:password_change")
            return HttpResponseRedirect(next_url or "/")
    return render(request, "accounts/login.html", {"form": form, "next": next_url, "error": error})


@allow(ALL_ROLES)
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out: audited, then the whole session is flushed (SESS-03). POST only, so a link
    or an image on another page cannot sign anyone out."""
    user = request.user
    assert isinstance(user, User)
    logout_record(user=user)
    logout(request)
    response = redirect("accounts:login")
    response["Clear-Site-Data"] = '"cookies", "storage"'
    return response


@allow(ALL_ROLES)
@sensitive_post_parameters("old_password", "new_password", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the other sessions of the account end (SESS-05)."""
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["old_password"]):
            form.add_error("old_password", _("The current password is wrong."))
        else:
            try:
                password_change(acting_user=user, user=user, new_password=form.cleaned_data["new_password"])
            except InvalidInput as exc:
                for err in exc.errors:
                    form.add_error("new_password", err["message"])
            else:
                update_session_auth_hash(request, user)  # this session stays; the others end
                messages.success(request, _("Your password has been changed."))
                return redirect("core:home")
    status = 400 if form.is_bound and form.errors else 200
    context_data = {
        "form": form, "forced": password_expired(user), "rules": password_validators_help_texts(),
        "max_age_days": security("PASSWORD_MAX_AGE_DAYS"),
    }
    return render(request, "accounts/password_change.html", context_data, status=status)
