"""The security administrator's user management pages (issue 2 item 4; AC-05, AC-06, AUTH-04)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from django.test import Client

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import SignInRefused, sign_in
from zhaoyin.accounts.tests.conftest import WebLogin
from zhaoyin.audit.models import AuditRecord, Outcome
from zhaoyin.core.roles import Role


@pytest.fixture
def sec(make_user: MakeUser) -> User:
    return make_user(Role.SECURITY_ADMIN, username="sec")


@pytest.fixture
def sec_client(sec: User) -> Client:
    client = Client()
    client.force_login(sec)
    return client


def test_AC_05_user_list_filters_by_unit_role_state_and_search(
    make_user: MakeUser, sec_client: Client, org_tree: dict[str, OrgUnit],
) -> None:
    make_user("staff", unit="county_a", username="a.staff", full_name="张三", phone="13912345678")
    make_user("staff", unit="park_a", username="park.staff")
    make_user("unit_admin", unit="county_b", username="b.admin")
    locked = make_user("staff", unit="county_b", username="b.locked")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(username="b.locked", password="Wrong-Pass-1", otp=None, ip=None)
    response = sec_client.get("/accounts/users/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "a.staff" in page
    assert "b.admin" in page
    assert "13912345678" not in page
    assert "139****5678" in page

    def names(**params: str) -> set[str]:
        r = sec_client.get("/accounts/users/", params)
        assert r.status_code == 200
        return {row["user"].username for row in r.context["rows"]}

    county_a = org_tree["county_a"]
    assert names(unit=str(county_a.pk)) == {"a.staff", "park.staff"}  # the unit and below
    assert names(role="unit_admin") == {"b.admin"}
    assert names(role="security_admin") == {"sec"}
    assert names(state="locked") == {locked.username}
    assert names(q="张三") == {"a.staff"}
    assert names(q="PARK") == {"park.staff"}


def test_AC_05_user_list_has_constant_queries(make_user: MakeUser, sec_client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        make_user("staff")
    # The session's last-seen time is rewritten at most every 30 s: after this first request
    # neither measured request writes it, so only the list's own queries can differ.
    sec_client.get("/accounts/users/")
    with CaptureQueriesContext(connection) as few:
        sec_client.get("/accounts/users/")
    for _ in range(12):
        make_user("staff", unit="county_b")
    with CaptureQueriesContext(connection) as many:
        sec_client.get("/accounts/users/")
    assert len(many) == len(few)


def test_AUTH_05_create_user_shows_password_and_otpauth_uri_once(
    sec: User, sec_client: Client, org_tree: dict[str, OrgUnit], web_login: WebLogin,
) -> None:
    response = sec_client.post("/accounts/users/new/", {
        "username": "new.boss", "full_name": "李四", "phone": "", "org_unit": org_tree["city"].pk,
        "roles": ["city_admin"], "password": "",
    })
    assert response.status_code == 200
    page = response.content.decode()
    uri = re.search(r'id="zy-secret-otpauth">([^<]+)<', page)
    password = re.search(r'id="zy-secret-password">([^<]+)<', page)
    assert uri
    assert uri.group(1).startswith("otpauth://totp/")
    assert password
    user = User.objects.get(username="new.boss")
    assert user.must_change_password
    assert user.role_codes == {"city_admin"}
    record = AuditRecord.objects.get(action="user.create", object_repr="new.boss")
    assert record.actor == "sec"
    assert record.channel == "web"
    assert password.group(1) not in str(record.after)
    # The detail page afterwards shows neither secret.
    detail = sec_client.get(f"/accounts/users/{user.pk}/").content.decode()
    assert "otpauth://" not in detail
    assert password.group(1) not in detail
    secret = parse_qs(urlsplit(uri.group(1).replace("&amp;", "&")).query)["secret"][0]
    _, login = web_login("new.boss", password=password.group(1), otp=pyotp.TOTP(secret).now())
    assert login.status_code == 302
    assert login["Location"] == "/accounts/password/"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"roles": ["sysadmin", "auditor"]}, "roles"),
        ({"roles": ["security_admin", "staff"]}, "roles"),
        ({"roles": ["wizard"]}, "roles"),
        ({"password": "weakpass"}, "password"),
        ({"username": "has space"}, "username"),
        ({"org_unit": "999999"}, "org_unit"),
    ],
)
def test_AC_05_create_user_bad_input_names_the_field_and_creates_nothing(
    sec_client: Client, org_tree: dict[str, OrgUnit], data: dict[str, object], field: str,
) -> None:
    post: dict[str, object] = {"username": "someone", "full_name": "", "phone": "",
                               "org_unit": org_tree["county_a"].pk, "roles": ["staff"], "password": ""}
    post.update(data)
    count, audits = User.objects.count(), AuditRecord.objects.filter(action="user.create").count()
    response = sec_client.post("/accounts/users/new/", post)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert User.objects.count() == count
    assert AuditRecord.objects.filter(action="user.create").count() == audits


def test_AC_06_role_change_applies_at_the_next_request_and_is_audited(
    make_user: MakeUser, sec_client: Client,
) -> None:
    user = make_user("staff", unit="county_a")
    client = Client()
    client.force_login(user)
    assert client.get("/enterprises/").status_code == 200
    assert client.get("/audit/").status_code == 403
    response = sec_client.post(f"/accounts/users/{user.pk}/roles/", {"roles": ["auditor"]})
    assert response.status_code == 302
    # The very next request of the live session already runs under the new roles.
    assert client.get("/enterprises/").status_code == 403
    assert client.get("/audit/").status_code == 200
    user = User.objects.get(pk=user.pk)
    assert user.role_codes == {"auditor"}
    assert user.admin_role == "auditor"
    assert not user.role_assignments.exists()
    record = AuditRecord.objects.get(action="user.roles")
    assert record.before == {"roles": ["staff"]}
    assert record.after == {"roles": ["auditor"]}
    assert record.actor == "sec"
    assert record.outcome == Outcome.SUCCESS


def test_AC_05_role_change_to_two_admin_roles_is_refused_in_the_ui(make_user: MakeUser, sec_client: Client) -> None:
    user = make_user("staff")
    response = sec_client.post(f"/accounts/users/{user.pk}/roles/", {"roles": ["sysadmin", "security_admin"]})
    assert response.status_code == 400
    assert response.context["roles_form"].errors["roles"]
    assert User.objects.get(pk=user.pk).role_codes == {"staff"}


def test_AC_05_security_admin_cannot_change_own_roles_403_and_audited(sec: User, sec_client: Client) -> None:
    response = sec_client.post(f"/accounts/users/{sec.pk}/roles/", {"roles": ["city_admin"]})
    assert response.status_code == 403
    assert User.objects.get(pk=sec.pk).role_codes == {"security_admin"}
    denied = AuditRecord.objects.get(action="user.roles")
    assert denied.outcome == Outcome.DENIED
    assert denied.actor == "sec"
    assert denied.object_id == str(sec.pk)


@pytest.mark.parametrize("action", ["active", "password-reset", "totp-reset"])
def test_AC_05_security_admin_cannot_act_on_own_account(sec: User, sec_client: Client, action: str) -> None:
    response = sec_client.post(f"/accounts/users/{sec.pk}/{action}/", {"active": "0"})
    assert response.status_code == 403
    fresh = User.objects.get(pk=sec.pk)
    assert fresh.is_active
    assert fresh.check_password(PASSWORD)
    assert AuditRecord.objects.filter(outcome=Outcome.DENIED, actor="sec").count() == 1


def test_AUTH_04_unlock_from_the_ui(make_user: MakeUser, sec_client: Client) -> None:
    user = make_user("staff", username="lockme")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(username="lockme", password="Wrong-Pass-1", otp=None, ip=None)
    assert sec_client.get(f"/accounts/users/{user.pk}/").status_code == 200
    response = sec_client.post(f"/accounts/users/{user.pk}/unlock/")
    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).is_locked()
    assert AuditRecord.objects.filter(action="user.unlock", actor="sec").count() == 1
    assert sign_in(username="lockme", password=PASSWORD, otp=None, ip=None)


def test_AUTH_03_reset_password_from_the_ui_forces_change(make_user: MakeUser, sec_client: Client) -> None:
    user = make_user("staff")
    response = sec_client.post(f"/accounts/users/{user.pk}/password-reset/")
    assert response.status_code == 200
    match = re.search(r'id="zy-secret-password">([^<]+)<', response.content.decode())
    assert match
    fresh = User.objects.get(pk=user.pk)
    assert fresh.must_change_password
    assert fresh.check_password(match.group(1))
    assert AuditRecord.objects.filter(action="user.password_reset", actor="sec").count() == 1


def test_SESS_04_deactivate_and_activate_from_the_ui(make_user: MakeUser, sec_client: Client) -> None:
    user = make_user("staff")
    assert sec_client.post(f"/accounts/users/{user.pk}/active/", {"active": "0"}).status_code == 302
    assert not User.objects.get(pk=user.pk).is_active
    assert sec_client.post(f"/accounts/users/{user.pk}/active/", {"active": "1"}).status_code == 302
    assert User.objects.get(pk=user.pk).is_active
    assert sec_client.post(f"/accounts/users/{user.pk}/active/", {"active": "maybe"}).status_code == 400
    actions = list(AuditRecord.objects.filter(actor="sec").order_by("id").values_list("action", flat=True))
    assert actions == ["user.deactivate", "user.activate"]


def test_AUTH_05_issue_new_second_factor_from_the_ui(make_user: MakeUser, sec_client: Client) -> None:
    user = make_user("staff")
    sec_client.post(f"/accounts/users/{user.pk}/roles/", {"roles": ["city_admin"]})
    detail = sec_client.get(f"/accounts/users/{user.pk}/")
    assert detail.context["totp_missing"]
    with pytest.raises(SignInRefused):  # fails closed until a factor is issued
        sign_in(username=user.username, password=PASSWORD, otp="000000", ip=None)
    response = sec_client.post(f"/accounts/users/{user.pk}/totp-reset/")
    assert response.status_code == 200
    assert "otpauth://totp/" in response.content.decode()
    assert AuditRecord.objects.filter(action="user.totp_reset", actor="sec").count() == 1
    plain = make_user("staff")
    assert sec_client.post(f"/accounts/users/{plain.pk}/totp-reset/").status_code == 400


def test_SESS_05_end_sessions_from_the_ui(make_user: MakeUser, sec_client: Client) -> None:
    user = make_user("staff")
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 200
    assert sec_client.post(f"/accounts/users/{user.pk}/sessions-end/").status_code == 302
    assert client.get("/").status_code == 302
    assert AuditRecord.objects.filter(action="user.sessions_end", actor="sec").count() == 1


def test_AC_05_unknown_account_is_404(sec_client: Client) -> None:
    assert sec_client.get("/accounts/users/999999/").status_code == 404
    assert sec_client.post("/accounts/users/999999/unlock/").status_code == 404


def test_AC_02_actions_are_post_only(make_user: MakeUser, sec_client: Client) -> None:
    user = make_user("staff")
    for action in ("roles", "unlock", "password-reset", "active", "sessions-end", "totp-reset"):
        assert sec_client.get(f"/accounts/users/{user.pk}/{action}/").status_code == 405
