"""Password rules (AUTH-02, AUTH-03): each rule refuses, nothing changes on refusal."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import PASSWORD, MakeUser
from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import password_change, user_create
from zhaoyin.accounts.tests.conftest import WebLogin
from zhaoyin.core.errors import InvalidInput

COMPLIANT_64 = "Tq7#mV2$pL9!xR4&wK8*zN3@cB6^hJ1%" * 2


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1$efgh", "password_too_short"),           # 8 characters
        ("Ab1$efghi", "password_too_short"),          # 9 characters: one short of 10
        ("abcdefghij12", "password_too_simple"),      # two classes
        ("ABCDEFGHIJKL", "password_too_simple"),      # one class
        ("Wang.Xiaoming77", "password_contains_context"),  # the username
        ("Pw13912345678", "password_contains_context"),    # the phone number
        ("Huainan#2026a", "password_contains_context"),    # the city's name
        ("Zhaoyin#2026a", "password_contains_context"),    # the platform's name
        ("Password123!", "password_contains_context"),     # a context word as well as common
    ],
)
def test_AUTH_02_each_password_rule_refuses(make_user: MakeUser, password: str, code: str) -> None:
    user = make_user("staff", username="wang.xiaoming", phone="13912345678")
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert code in {e.code for e in exc.value.error_list}


def test_AUTH_02_common_password_list_is_active(make_user: MakeUser) -> None:
    user = make_user("staff")
    # "1234567890qwertyuiop" is on Django's list of common passwords (compared case-blind);
    # capitalised it has three classes and passes every other rule.
    with pytest.raises(ValidationError) as exc:
        validate_password("1234567890Qwertyuiop", user)
    assert "password_too_common" in {e.code for e in exc.value.error_list}


@pytest.mark.parametrize(
    "password",
    [
        "P@ssw0rd1234",  # leetspeak of "password", digits as padding
        "Dr@g0n!2026",  # leetspeak of "dragon", a common password
        "2026#Sh@d0w!!",  # padding in front as well
        "1qaz@WSX3edc",  # three vertical keyboard walks, the middle one shifted
        "!QAZ2wsx#EDC",
        "Qwerty123456!",  # a row walk and a digit sequence
        "Q1w2e3r4t5y6",  # two walks interleaved
        "Asdf!2345678",
        "Zxcvbnm,./11",
        "Abc12345678!",  # alphabet and digit sequences
        "Aaaa1111!!!!",  # repeats
    ],
)
def test_AUTH_02_issue_12_keyboard_walks_sequences_and_leetspeak_are_refused(
    make_user: MakeUser, password: str
) -> None:
    user = make_user("staff")
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert "password_predictable" in {e.code for e in exc.value.error_list}


@pytest.mark.parametrize(
    "password", ["Demo#Pass2026", "Zy-New-Pass-2027", "H7#kq9!Lm2$v", "Tr0ub4dor&3x", "Mei-hua-lu-17", COMPLIANT_64]
)
def test_AUTH_02_issue_12_ordinary_compliant_passwords_are_not_taken_for_patterns(
    make_user: MakeUser, password: str
) -> None:
    validate_password(password, make_user("staff"))


def test_AUTH_02_compliant_64_character_password_passes_without_truncation(make_user: MakeUser) -> None:
    user = make_user("staff")
    assert len(COMPLIANT_64) == 64
    password_change(acting_user=user, user=user, new_password=COMPLIANT_64)
    user.refresh_from_db()
    assert user.check_password(COMPLIANT_64)
    assert not user.check_password(COMPLIANT_64[:63])


def test_AUTH_02_ten_characters_three_classes_is_enough(make_user: MakeUser) -> None:
    user = make_user("staff")
    password_change(acting_user=user, user=user, new_password="Kt7mvq2xpz")
    user.refresh_from_db()
    assert user.check_password("Kt7mvq2xpz")


@pytest.mark.parametrize("bad", ["short1A!", "alllowercaseletters", "Wang.Xiaoming-2026"])
def test_AUTH_02_refused_password_leaves_hash_and_history_unchanged(make_user: MakeUser, bad: str) -> None:
    user = make_user("staff", username="wang.xiaoming")
    before = User.objects.get(pk=user.pk).password
    history = user.password_history.count()
    with pytest.raises(InvalidInput) as exc:
        password_change(acting_user=user, user=user, new_password=bad)
    assert exc.value.errors
    assert exc.value.errors[0]["field"] == "new_password"
    fresh = User.objects.get(pk=user.pk)
    assert fresh.password == before
    assert fresh.check_password(PASSWORD)
    assert fresh.password_history.count() == history


def test_AUTH_02_user_create_refuses_weak_password_and_creates_nothing(make_user: MakeUser) -> None:
    unit = make_user("staff").org_unit
    count = User.objects.count()
    with pytest.raises(InvalidInput) as exc:
        user_create(acting_user=None, username="weak", password="weakpass", roles=["staff"], org_unit=unit)
    assert exc.value.errors[0]["field"] == "password"
    assert User.objects.count() == count


def test_AUTH_03_no_reuse_of_the_last_five_passwords(make_user: MakeUser) -> None:
    user = make_user("staff")
    passwords = [PASSWORD] + [f"Next-Pass-{i}x" for i in range(1, 6)]
    for new in passwords[1:5]:  # four changes: the last five are PASSWORD and Next-1..4
        password_change(acting_user=user, user=user, new_password=new)
    for old in passwords[:5]:
        with pytest.raises(InvalidInput) as exc:
            password_change(acting_user=user, user=user, new_password=old)
        assert "5" in exc.value.errors[0]["message"]
    password_change(acting_user=user, user=user, new_password=passwords[5])
    # Now PASSWORD is the sixth most recent: allowed again.
    password_change(acting_user=user, user=user, new_password=PASSWORD)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # History holds hashes only.
    assert all(h.startswith(("md5$", "pbkdf2")) for h in user.password_history.values_list("password", flat=True))


def test_AUTH_03_password_older_than_90_days_forces_change_at_next_login(
    make_user: MakeUser, web_login: WebLogin,
) -> None:
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        user = make_user("staff")
    with time_machine.travel(start + dt.timedelta(days=89), tick=False):
        client, response = web_login(user)
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(days=91), tick=False):
        client, response = web_login(user)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password/"
        # Every other page sends the account back to the change page until it changes.
        home = client.get("/")
        assert home.status_code == 302
        assert home["Location"] == "/accounts/password/"
        assert client.get("/accounts/password/").status_code == 200
        response = client.post("/accounts/password/", {
            "old_password": PASSWORD, "new_password": "Fresh-Pass-91", "new_password2": "Fresh-Pass-91",
        })
        assert response.status_code == 302
        assert client.get("/").status_code == 200


def test_AUTH_03_reset_by_security_admin_forces_change(make_user: MakeUser, web_login: WebLogin) -> None:
    user = make_user("staff")
    sec = make_user("security_admin")
    from zhaoyin.accounts.services import user_password_reset

    _, new_password = user_password_reset(acting_user=sec, user=user)
    _client, response = web_login(user, password=new_password)
    assert response["Location"] == "/accounts/password/"
    assert Client().get("/").status_code == 302
