"""三员分立 (AC-05): exclusive admin roles in the data model, separate interfaces, no
self-escalation, and no business data for the three administrators."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts.models import RoleAssignment, User
from zhaoyin.accounts.services import api_token_issue, user_create, user_set_roles
from zhaoyin.audit.models import AuditRecord, Outcome
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import ADMIN_ROLES, Role

USER_ADMIN_URLS = ["/accounts/users/", "/accounts/users/new/"]


@pytest.mark.parametrize(
    "roles",
    [["sysadmin", "auditor"], ["sysadmin", "security_admin"], ["security_admin", "auditor"],
     ["sysadmin", "security_admin", "auditor"], ["auditor", "staff"], ["city_admin", "sysadmin"]],
)
def test_AC_05_service_refuses_a_second_admin_role(make_user: MakeUser, roles: list[str]) -> None:
    unit = make_user("staff").org_unit
    with pytest.raises(InvalidInput) as exc:
        user_create(acting_user=None, username="x", password=PASSWORD, roles=roles, org_unit=unit)
    assert exc.value.errors[0]["field"] == "roles"
    assert not User.objects.filter(username="x").exists()
    target = make_user("staff")
    sec = make_user("security_admin")
    with pytest.raises(InvalidInput):
        user_set_roles(acting_user=sec, user=target, roles=roles)
    assert User.objects.get(pk=target.pk).role_codes == {"staff"}


@pytest.mark.parametrize("admin_role", sorted(r.value for r in ADMIN_ROLES))
def test_AC_05_database_refuses_admin_roles_in_the_business_role_table(make_user: MakeUser, admin_role: str) -> None:
    user = make_user(Role.SYSADMIN if admin_role != "sysadmin" else Role.AUDITOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=admin_role)


def test_AC_05_database_refuses_an_unknown_admin_role_value(make_user: MakeUser) -> None:
    user = make_user(Role.SYSADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(admin_role="sysadmin,auditor")


def test_AC_05_an_admin_account_never_gains_a_business_role_even_with_a_stray_row(make_user: MakeUser) -> None:
    admin = make_user(Role.AUDITOR)
    RoleAssignment.objects.create(user=admin, role="city_admin")  # written behind the services' back
    assert User.objects.get(pk=admin.pk).role_codes == {"auditor"}


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.AUDITOR, Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF])
def test_AC_05_only_the_security_admin_reaches_user_administration(make_user: MakeUser, role: Role) -> None:
    client = Client()
    user = make_user(role)
    client.force_login(user)
    target = make_user("staff")
    for url in [*USER_ADMIN_URLS, f"/accounts/users/{target.pk}/"]:
        assert client.get(url).status_code == 403, url
    for action in ("roles", "unlock", "password-reset", "active", "sessions-end", "totp-reset"):
        response = client.post(f"/accounts/users/{target.pk}/{action}/", {"roles": ["city_admin"], "active": "0"})
        assert response.status_code == 403
    fresh = User.objects.get(pk=target.pk)
    assert fresh.role_codes == {"staff"}
    assert fresh.is_active
    assert fresh.check_password(PASSWORD)
    assert AuditRecord.objects.filter(actor=user.username, outcome=Outcome.DENIED).count() == 9


def test_AC_05_sysadmin_is_refused_the_security_admin_ui(make_user: MakeUser) -> None:
    client = Client()
    client.force_login(make_user(Role.SYSADMIN))
    assert client.get("/accounts/users/").status_code == 403


def test_AC_05_auditor_is_refused_user_administration(make_user: MakeUser) -> None:
    client = Client()
    client.force_login(make_user(Role.AUDITOR))
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/audit/").status_code == 200


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.SYSADMIN, Role.AUDITOR])
def test_AC_05_the_three_administrators_never_see_business_data(make_user: MakeUser, role: Role) -> None:
    user = make_user(role)
    client = Client()
    client.force_login(user)
    assert client.get("/enterprises/").status_code == 403
    token = api_token_issue(user=user)
    api = client.get("/api/v1/enterprises", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 403
    assert set(api.json()) == {"detail", "errors"}


def test_AC_05_security_admin_is_refused_the_audit_log(make_user: MakeUser) -> None:
    client = Client()
    client.force_login(make_user(Role.SECURITY_ADMIN))
    assert client.get("/audit/").status_code == 403


def test_AC_05_self_escalation_is_refused_and_audited_as_denied(make_user: MakeUser) -> None:
    sec = make_user(Role.SECURITY_ADMIN)
    for roles in (["city_admin"], ["security_admin", "city_admin"], ["sysadmin"]):
        with pytest.raises(PermissionDenied):
            user_set_roles(acting_user=sec, user=sec, roles=roles)
    assert User.objects.get(pk=sec.pk).role_codes == {"security_admin"}
    denied = AuditRecord.objects.filter(action="user.roles", outcome=Outcome.DENIED, actor=sec.username)
    assert denied.count() == 3


def test_AC_05_city_admin_is_not_a_system_administrator(make_user: MakeUser) -> None:
    client = Client()
    client.force_login(make_user(Role.CITY_ADMIN))
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/audit/").status_code == 403
    assert client.get("/enterprises/").status_code == 200
