"""The sign-in and password pages (issue 2 item 5; AUTH-01, AUTH-06)."""

from __future__ import annotations

from django.test import Client

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts.tests.conftest import LOGIN_URL, WebLogin


def test_AUTH_05_login_page_has_the_fields_and_the_otp_help(db: None) -> None:
    response = Client().get(LOGIN_URL)
    assert response.status_code == 200
    page = response.content.decode()
    for name in ('name="username"', 'name="password"', 'name="otp"', 'autocomplete="one-time-code"',
                 'name="csrfmiddlewaretoken"', 'class="btn btn-primary w-100"'):
        assert name in page
    assert "<script>" not in page
    assert 'style="' not in page
    assert "招引" in page or "Zhaoyin" in page
    assert "Content-Security-Policy" in response.headers


def test_AUTH_06_refused_login_never_echoes_password_or_code(make_user: MakeUser, web_login: WebLogin) -> None:
    make_user("city_admin", username="boss")
    _, response = web_login("boss", password="Secret-Wrong-11", otp="482913")
    page = response.content.decode()
    assert "Secret-Wrong-11" not in page
    assert "482913" not in page
    assert 'value="boss"' in page  # the username is kept for convenience


def test_AUTH_01_login_redirects_to_safe_next_only(make_user: MakeUser) -> None:
    user = make_user("staff")
    client = Client()
    response = client.post(LOGIN_URL + "?next=/enterprises/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/enterprises/"
    evil = Client().post(LOGIN_URL + "?next=https://evil.example/", {"username": user.username, "password": PASSWORD})
    assert evil["Location"] == "/"
    assert client.get(LOGIN_URL)["Location"] == "/"  # already signed in


def test_AUTH_01_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_AUTH_02_password_change_page_lists_the_rules_and_names_bad_fields(make_user: MakeUser) -> None:
    user = make_user("staff")
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert len(page.context["rules"]) >= 4
    bad = client.post("/accounts/password/", {"old_password": "nope", "new_password": "Abcdefgh-123",
                                              "new_password2": "Abcdefgh-123"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["old_password"]
    weak = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "abc",
                                               "new_password2": "abc"})
    assert weak.status_code == 400
    assert weak.context["form"].errors["new_password"]
    differ = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "Abcdefgh-123",
                                                 "new_password2": "Abcdefgh-124"})
    assert differ.status_code == 400
    assert differ.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_AUTH_01_usernames_are_unique_whatever_their_case(make_user: MakeUser) -> None:
    import pytest
    from django.db import IntegrityError, transaction

    from zhaoyin.accounts.models import User
    from zhaoyin.accounts.services import user_create
    from zhaoyin.core.errors import InvalidInput

    user = make_user("staff", username="alice")
    with pytest.raises(InvalidInput) as exc:
        user_create(acting_user=None, username="ALICE", password=PASSWORD, roles=["staff"], org_unit=user.org_unit)
    assert exc.value.errors[0]["field"] == "username"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Alice", org_unit=user.org_unit)


def test_AUTH_04_oversized_api_credentials_are_422_not_500(db: None) -> None:
    from zhaoyin.accounts.tests.conftest import api_token_post

    response = api_token_post(Client(), username="x", password="p" * 10_000)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"
    unknown = api_token_post(Client(), username="x", password="p", is_admin=True)
    assert unknown.status_code == 422
