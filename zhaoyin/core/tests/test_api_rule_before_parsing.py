"""AC-02 on the API: a caller without the role is refused before its body is looked at."""

from __future__ import annotations

import json
from typing import Any

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


def test_every_operation_with_a_role_rule_is_authenticated_by_a_rule_checking_bearer() -> None:
    """The 403-before-parsing above holds for every operation: each one that is not public
    authenticates through ``RuleCheckingBearer`` (the API's default), which applies the rule
    ``rule_before_parsing`` left on the request."""
    from ninja.constants import NOT_SET

    from config.api import ROUTERS, api
    from zhaoyin.core.api import RuleCheckingBearer
    from zhaoyin.core.authz import RULE_ATTR

    default: Any = api.auth
    assert default
    assert all(isinstance(a, RuleCheckingBearer) for a in default)
    checked = 0
    for _prefix, router in ROUTERS:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if getattr(operation.view_func, RULE_ATTR).public:
                    continue
                own: Any = operation.auth_param
                assert own is NOT_SET or all(isinstance(a, RuleCheckingBearer) for a in own), operation.view_func
                checked += 1
    assert checked > 40
