"""GET /api/v1/calendar/add-workdays (DESIGN 5.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import MakeUser
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.roles import Role

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendar/add-workdays"


@pytest.fixture
def api(make_user: MakeUser) -> Client:
    token = api_token_issue(user=make_user(Role.STAFF, unit="county_a"))
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def get(api: Client, **params: Any) -> Any:
    return api.get(URL, params)


def test_design_worked_cases(api: Client) -> None:
    response = get(api, start="2026-09-30", days=5)
    assert response.status_code == 200
    assert response.json() == {"date": "2026-10-13", "provisional": False}
    assert get(api, start="2026-02-13", days=1).json() == {"date": "2026-02-14", "provisional": False}


def test_provisional_across_a_year_without_a_notice(api: Client) -> None:
    assert get(api, start="2026-12-30", days=5).json() == {"date": "2027-01-07", "provisional": True}


def test_zero_days(api: Client) -> None:
    assert get(api, start="2026-10-03", days=0).json() == {"date": "2026-10-03", "provisional": False}


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-13-01", "days": 5}, "start"),
    ({"start": "2026-02-30", "days": 5}, "start"),
    ({"start": "20260930", "days": 5}, "start"),
    ({"start": "2026/09/30", "days": 5}, "start"),
    ({"start": "", "days": 5}, "start"),
    ({"start": "1999-01-01", "days": 5}, "start"),
    ({"start": "2026-09-30", "days": -1}, "days"),
    ({"start": "2026-09-30", "days": 3651}, "days"),
    ({"start": "2026-09-30", "days": "five"}, "days"),
    ({"start": "2099-12-30", "days": 5}, "days"),
    ({"days": 5}, "start"),
    ({"start": "2026-09-30"}, "days"),
])
def test_VAL_bad_parameters_are_422_naming_the_field(api: Client, params: dict[str, Any], field: str) -> None:
    response = get(api, **params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert field in [e["field"] for e in body["errors"]]


def test_every_signed_in_role_may_ask(make_user: MakeUser) -> None:
    for role in (Role.ENTERPRISE, Role.SYSADMIN, Role.AUDITOR):
        token = api_token_issue(user=make_user(role, unit="city"))
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.get(URL, {"start": "2026-09-30", "days": "5"})
        assert response.status_code == 200, role


def test_no_token_is_401(db: None) -> None:
    response = Client().get(URL, {"start": "2026-09-30", "days": "5"})
    assert response.status_code == 401
