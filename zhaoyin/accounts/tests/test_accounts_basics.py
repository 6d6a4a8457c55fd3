"""Smoke tests of the account foundation: roles, 三员 separation, sign-in rules."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts import totp
from zhaoyin.accounts.models import RoleAssignment, User
from zhaoyin.accounts.services import SignInRefused, sign_in, user_set_roles
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role


def test_AC_05_an_account_cannot_hold_two_admin_roles(make_user: MakeUser) -> None:
    with pytest.raises(InvalidInput) as exc:
        from zhaoyin.accounts.services import user_create

        user_create(acting_user=None, username="x", password=PASSWORD,
                    roles=["sysadmin", "auditor"], org_unit=make_user("staff").org_unit)
    assert exc.value.errors[0]["field"] == "roles"
    assert not User.objects.filter(username="x").exists()


def test_AC_05_admin_role_cannot_be_stored_as_business_role(make_user: MakeUser) -> None:
    user = make_user(Role.STAFF)
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=user, role="auditor")


def test_AC_05_security_admin_cannot_change_own_roles(make_user: MakeUser) -> None:
    sec = make_user(Role.SECURITY_ADMIN)
    with pytest.raises(InvalidInput):
        user_set_roles(acting_user=sec, user=sec, roles=["city_admin"])
    sec.refresh_from_db()
    assert sec.admin_role == "security_admin"


def test_AUTH_04_lockout_after_five_failures_refuses_even_correct_password(make_user: MakeUser) -> None:
    user = make_user(Role.STAFF, unit="county_a")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(username=user.username, password="wrong-Pass-123", otp=None, ip="10.0.0.1")
    with pytest.raises(SignInRefused) as exc:
        sign_in(username=user.username, password=PASSWORD, otp=None, ip="10.0.0.2")
    assert exc.value.reason == "locked"


def test_AUTH_05_second_factor_required_and_single_use(make_user: MakeUser) -> None:
    admin = make_user(Role.CITY_ADMIN)
    with pytest.raises(SignInRefused):
        sign_in(username=admin.username, password=PASSWORD, otp=None, ip=None)
    secret = totp.secret_of(User.objects.get(pk=admin.pk))
    assert secret
    code = totp.current_code(secret)
    assert sign_in(username=admin.username, password=PASSWORD, otp=code, ip=None).pk == admin.pk
    with pytest.raises(SignInRefused):
        sign_in(username=admin.username, password=PASSWORD, otp=code, ip=None)
