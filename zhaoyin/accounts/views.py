"""Sign in, sign out, change password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhaoyin.accounts.forms import LoginForm, PasswordChangeForm
from zhaoyin.accounts.middleware import LAST_SEEN, LOGIN_AT
from zhaoyin.accounts.services import SignInRefused, logout_record, password_change, sign_in
from zhaoyin.core import context
from zhaoyin.core.authz import allow, public
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import ALL_ROLES

GENERIC_REFUSAL = "The username, password or one-time code is wrong, or the account is temporarily locked."


@public
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                otp=form.cleaned_data.get("otp"), ip=context.current().client_ip,
            )
        except SignInRefused:
            form.add_error(None, _(GENERIC_REFUSAL))
            status = 200
        else:
            login(request, user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
            now = timezone.now().timestamp()
            request.session[LOGIN_AT] = now
            request.session[LAST_SEEN] = now
            return HttpResponseRedirect(next_url or "/")
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@allow(ALL_ROLES)
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout_record(user=request.user)  # type: ignore[arg-type]
    logout(request)
    response = redirect("accounts:login")
    response["Clear-Site-Data"] = '"cookies", "storage"'
    return response


@allow(ALL_ROLES)
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        if not user.check_password(form.cleaned_data["old_password"]):
            form.add_error("old_password", _("The current password is wrong."))
        else:
            try:
                password_change(acting_user=user, user=user, new_password=form.cleaned_data["new_password"])  # type: ignore[arg-type]
            except InvalidInput as exc:
                for err in exc.errors:
                    form.add_error("new_password", err["message"])
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password has been changed."))
                return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form}, status=200 if form.is_bound is False or form.is_valid() else 400)
