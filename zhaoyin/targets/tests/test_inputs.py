"""The typed input of setting a target (``targets.inputs``): a bad value of each field is
refused naming the field (a month of the plan on its own box), with nothing written (VAL-01)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.targets.inputs import TargetSetInput
from zhaoyin.targets.models import Target
from zhaoyin.targets.tests.conftest import web_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "abc"}, "value"),
        ({"value": "0"}, "value"),
        ({"m3": "x"}, "m3"),
        ({"m3": "5", "m6": "4"}, "m6"),
        ({"m3": "999"}, "m3"),
    ],
)
def test_VAL_01_target_page_bad_value_is_shown_on_its_field(
    org_tree: dict[str, OrgUnit], make_user: Callable[..., Any], change: dict[str, str], field: str
) -> None:
    client = web_client(make_user(Role.CITY_ADMIN, "city"))
    data = {"year": "2026", "indicator": "external_funds", "org_unit": org_tree["county_a"].code, "value": "100"}
    response = client.post(reverse("targets:set"), {**data, **change})
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert not Target.objects.exists()
    assert AuditRecord.objects.filter(action="target.set").count() == 0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"year": "20x6"}, "year"),
        ({"year": True}, "year"),
        ({"indicator": 5}, "indicator"),
        ({"value": True}, "value"),
        ({"month_plan": [1, 2]}, "month_plan"),
        ({"month_plan": {"0": "1"}}, "month_plan.0"),
        ({"extra": 1}, "extra"),
    ],
)
def test_VAL_01_target_input_names_the_bad_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        TargetSetInput.parse({"year": 2026, "indicator": "external_funds", "value": "100", **values})
    assert field in [e["field"] for e in exc.value.errors]
