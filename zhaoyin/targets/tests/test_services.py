"""Setting targets (city admin only, audited, bad input names the field and changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import bad_values
from zhaoyin.targets.inputs import TargetSetInput
from zhaoyin.targets.models import Target, TargetMonthPlan
from zhaoyin.targets.services import target_set
from zhaoyin.targets.tests.conftest import web_client

pytestmark = pytest.mark.django_db


def test_target_set_creates_updates_and_audits(org_tree: dict[str, OrgUnit], make_user: Callable[..., Any]) -> None:
    admin = make_user(Role.CITY_ADMIN, "city")
    t = target_set(
        acting_user=admin,
        org_unit=org_tree["city"],
        data=TargetSetInput.of(
            year=2026, indicator="external_funds", value="660", month_plan={3: "100", 6: "300", 9: "510.93", 12: "660"}
        ),
    )
    assert t.value == Decimal("660.00")
    assert t.unit == "亿元"
    assert list(t.month_plans.values_list("month", flat=True)) == [3, 6, 9, 12]
    t2 = target_set(
        acting_user=admin, org_unit=org_tree["city"],
        data=TargetSetInput.of(year=2026, indicator="external_funds", value=700),
    )
    assert t2.pk == t.pk
    assert t2.value == Decimal(700)
    assert t2.month_plans.count() == 4
    target_set(
        acting_user=admin, org_unit=org_tree["city"],
        data=TargetSetInput.of(year=2026, indicator="external_funds", value=700, month_plan={}),
    )
    assert TargetMonthPlan.objects.count() == 0
    records = AuditRecord.objects.filter(action="target.set").order_by("pk")
    assert records.count() == 3
    changed = records[1]
    assert changed.before is not None
    assert changed.after is not None
    # The target's figure is recorded as changed, not quoted (issue 12 D4).
    assert changed.before["value"] == changed.after["value"] == "***"
    assert (changed.after["year"], changed.after["indicator"]) == (2026, "external_funds")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        *bad_values({"value": ["-1", "0", "abc", "1.234"], "indicator": ["nope"], "year": [1999]}),
        ({"month_plan": {13: "1"}}, "month_plan.13"),
        ({"month_plan": {3: "5", 6: "4"}}, "month_plan.6"),
        ({"month_plan": {3: "999"}}, "month_plan.3"),
        ({"month_plan": {3: "x"}}, "month_plan.3"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    org_tree: dict[str, OrgUnit], make_user: Callable[..., Any], kwargs: dict[str, Any], field: str
) -> None:
    admin = make_user(Role.CITY_ADMIN, "city")
    args: dict[str, Any] = {
        "year": 2026,
        "indicator": "external_funds",
        "value": "100",
    }
    args.update(kwargs)
    before = AuditRecord.objects.count()
    with pytest.raises(InvalidInput) as exc:
        target_set(acting_user=admin, org_unit=org_tree["county_a"], data=TargetSetInput.parse(args))
    assert field in [e["field"] for e in exc.value.errors]
    assert Target.objects.count() == 0
    assert AuditRecord.objects.count() == before


def test_only_the_city_admin_sets_targets(org_tree: dict[str, OrgUnit], make_user: Callable[..., Any]) -> None:
    for role, unit in ((Role.LEADER, "city"), (Role.UNIT_ADMIN, "county_a"), (Role.STAFF, "county_a")):
        with pytest.raises(PermissionDenied):
            target_set(
                acting_user=make_user(role, unit),
                org_unit=org_tree["county_a"],
                data=TargetSetInput.of(year=2026, indicator="producing", value="3"),
            )
    assert Target.objects.count() == 0


def test_edit_page_saves_and_reports_errors(org_tree: dict[str, OrgUnit], make_user: Callable[..., Any]) -> None:
    client = web_client(make_user(Role.CITY_ADMIN, "city"))
    assert client.get("/targets/set/?year=2026&indicator=producing").status_code == 200
    r = client.post("/targets/set/", {"year": "2026", "indicator": "producing", "org_unit": "340402", "value": "-3"})
    assert r.status_code == 400
    assert Target.objects.count() == 0
    r = client.post(
        "/targets/set/",
        {"year": "2026", "indicator": "producing", "org_unit": "340402", "value": "3", "m6": "1", "m12": "3"},
    )
    assert r.status_code == 302
    t = Target.objects.get()
    assert t.value == 3
    assert dict(t.month_plans.values_list("month", "cumulative")) == {6: 1, 12: 3}
