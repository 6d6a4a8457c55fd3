"""AC-02 on the API: a caller without the role is refused before its body is looked at."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import MakeUser
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Enterprise


@pytest.mark.parametrize("body", [{}, {"nonsense": 1}, {"name": "", "uscc": 123}])
def test_AC_02_leader_write_is_403_not_422_whatever_the_body(make_user: MakeUser, body: dict[str, object]) -> None:
    leader = make_user(Role.LEADER)
    token = api_token_issue(user=leader)
    before = Enterprise.objects.count()
    response = Client().post(
        "/api/v1/enterprises", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + token,
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    assert Enterprise.objects.count() == before
    assert AuditRecord.objects.filter(action="api.denied", actor=leader.username).exists()


def test_AC_02_permitted_role_still_gets_field_errors(make_user: MakeUser) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    token = api_token_issue(user=staff)
    response = Client().post(
        "/api/v1/enterprises", json.dumps({"nonsense": 1}), content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + token,
    )
    assert response.status_code == 422
    assert any(e["field"] == "nonsense" for e in response.json()["errors"])
