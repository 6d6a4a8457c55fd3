"""The security administrator's pages: users, roles, unlock, reset, (de)activate, sessions.

Only ``Role.SECURITY_ADMIN`` reaches them (AC-05: the system administrator and the auditor
get 403). Every action is one audited service call; secrets (a generated password, an
otpauth URI) are shown once in the response to the POST that made them and never stored
in clear or put in a URL.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoyin.accounts import selectors
from zhaoyin.accounts.forms import UserCreateForm, UserFilterForm, UserRolesForm
from zhaoyin.accounts.models import User, role_label
from zhaoyin.accounts.request import request_user
from zhaoyin.accounts.services import (
    generate_password,
    user_create,
    user_password_reset,
    user_sessions_end,
    user_set_active,
    user_set_roles,
    user_totp_reset,
    user_unlock,
)
from zhaoyin.core.authz import allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.forms import add_service_errors
from zhaoyin.core.roles import Role
from zhaoyin.lib.masking import mask_phone

PAGE_SIZE = 50






def _row(user: User) -> dict[str, Any]:
    return {
        "user": user,
        "roles": [role_label(code) for code in sorted(user.role_codes)],
        "phone": mask_phone(user.phone) if user.phone else "",
        "locked": user.is_locked(),
    }


@allow(Role.SECURITY_ADMIN)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    """All accounts, filtered by unit, role, state and a search term, 50 a page."""
    form = UserFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    qs = selectors.user_list_for_security_admin(**filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {
        "form": form, "page_obj": page, "rows": [_row(u) for u in page.object_list],
    })


@allow(Role.SECURITY_ADMIN)
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def user_create_view(request: HttpRequest) -> HttpResponse:
    """Create an account; the owner changes the initial password at the first sign-in."""
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        generated = not data["password"]
        password = generate_password() if generated else data["password"]
        try:
            user, uri = user_create(
                acting_user=request_user(request), username=data["username"], password=password,
                roles=data["roles"], org_unit=data["org_unit"], full_name=data["full_name"],
                phone=data["phone"], must_change_password=True,
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "accounts/user_secret.html", {
                "target": user, "password": password if generated else None, "otpauth_uri": uri,
                "title": _("Account created"),
            })
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/user_form.html", {"form": form}, status=status)


def _detail(request: HttpRequest, user: User, roles_form: UserRolesForm | None = None,
            status: int = 200) -> HttpResponse:
    roles_form = roles_form or UserRolesForm(initial={"roles": sorted(user.role_codes)})
    return render(request, "accounts/user_detail.html", {
        "target": user, "row": _row(user), "roles_form": roles_form,
        "is_self": user.pk == request.user.pk,
        "totp_missing": user.needs_second_factor and not user.totp_secret_enc,
    }, status=status)


@allow(Role.SECURITY_ADMIN)
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: its state, its roles (editable) and the administrative actions."""
    return _detail(request, selectors.user_get_for_security_admin(pk))


@allow(Role.SECURITY_ADMIN)
@require_POST
def user_roles(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace an account's roles; one's own → 403, audited as denied (AC-05)."""
    user = selectors.user_get_for_security_admin(pk)
    form = UserRolesForm(request.POST)
    if form.is_valid():
        try:
            user_set_roles(acting_user=request_user(request), user=user, roles=form.cleaned_data["roles"])
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The roles have been saved."))
            return redirect("accounts:user_detail", pk=user.pk)
    return _detail(request, user, roles_form=form, status=400)


@allow(Role.SECURITY_ADMIN)
@require_POST
def user_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a lockout before its 30 minutes have run out."""
    user = selectors.user_get_for_security_admin(pk)
    user_unlock(acting_user=request_user(request), user=user)
    messages.success(request, _("The account has been unlocked."))
    return redirect("accounts:user_detail", pk=user.pk)


@allow(Role.SECURITY_ADMIN)
@require_POST
def user_password_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the account a generated password, shown once; its owner must change it."""
    user = selectors.user_get_for_security_admin(pk)
    user, password = user_password_reset(acting_user=request_user(request), user=user)
    return render(request, "accounts/user_secret.html", {
        "target": user, "password": password, "otpauth_uri": None, "title": _("Password reset"),
    })


@allow(Role.SECURITY_ADMIN)
@require_POST
def user_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) an account."""
    user = selectors.user_get_for_security_admin(pk)
    value = request.POST.get("active")
    if value not in ("0", "1"):
        messages.error(request, _("Choose whether to activate or deactivate the account."))
        return _detail(request, user, status=400)
    user_set_active(acting_user=request_user(request), user=user, active=value == "1")
    messages.success(request, _("The account has been activated.") if value == "1"
                     else _("The account has been deactivated."))
    return redirect("accounts:user_detail", pk=user.pk)


@allow(Role.SECURITY_ADMIN)
@require_POST
def user_sessions_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """End every session and API token of the account."""
    user = selectors.user_get_for_security_admin(pk)
    user_sessions_end(acting_user=request_user(request), user=user)
    messages.success(request, _("All sessions of the account have been ended."))
    return redirect("accounts:user_detail", pk=user.pk)


@allow(Role.SECURITY_ADMIN)
@require_POST
def user_totp_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a new second-factor secret; the otpauth URI is shown once."""
    user = selectors.user_get_for_security_admin(pk)
    try:
        user, uri = user_totp_reset(acting_user=request_user(request), user=user)
    except InvalidInput as exc:
        messages.error(request, str(exc.detail))
        return _detail(request, user, status=400)
    return render(request, "accounts/user_secret.html", {
        "target": user, "password": None, "otpauth_uri": uri, "title": _("Second factor issued"),
    })
