"""Enterprise services: validation through the shared cleaner, scope of writes, optimistic
locking (CONC-01), yearly figures, and one audit record per change (AUD-01)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint, refused
from zhaoyin.enterprises.inputs import EnterpriseInput, EnterpriseUpdateInput, FiguresInput
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure
from zhaoyin.enterprises.services import enterprise_create, enterprise_figures_set, enterprise_update
from zhaoyin.enterprises.tests.conftest import MakeEnterprise, uscc_for


def valid_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "淮南新材料科技有限公司",
        "uscc": uscc_for(42, "340402"),
        "org_unit": "340402",
        "industry": "new_materials",
        "legal_representative": "李四",
        "size_class": "above",
        "founded_on": "2015-06-01",
        "employees": "120",
        "land_mu": "35.50",
        "qualifications": ["高新技术企业", "专精特新"],
        "service_group": "sg-01",
    }
    data.update(overrides)
    return data


def enterprise_records(enterprise: Enterprise) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(object_type="enterprises.enterprise", object_id=str(enterprise.pk)).order_by("id")
    )


def test_AUD_01_create_stores_resolved_values_and_one_audit_record(make_user: MakeUser) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = enterprise_create(acting_user=staff, data=EnterpriseInput.parse(valid_data()))
    e.refresh_from_db()
    assert (e.org_unit.code, e.industry.code, e.service_group and e.service_group.code) == (
        "340402",
        "new_materials",
        "sg-01",
    )
    assert e.land_mu == Decimal("35.50")
    assert e.employees == 120
    assert e.size_class == "above"
    assert sorted(q.name for q in e.qualifications.all()) == ["专精特新", "高新技术企业"]
    assert "淮南新材料" in e.search_text
    [record] = enterprise_records(e)
    assert record.action == "enterprise.create"
    assert record.actor == staff.username
    assert record.after is not None
    # Recorded as changed, its value withheld (issue 12 D4).
    assert record.after["qualifications"] == "***"
    assert record.after["org_unit"] == e.org_unit_id


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"uscc": uscc_for(42, "340402")[:-1] + ("0" if uscc_for(42, "340402")[-1] != "0" else "1")}, "uscc"),
        ({"uscc": "91340400MA2N0000"}, "uscc"),
        ({"org_unit": "999999"}, "org_unit"),
        ({"industry": "astrology"}, "industry"),
        ({"founded_on": "2020-02-30"}, "founded_on"),
        ({"founded_on": "20200101"}, "founded_on"),
        ({"founded_on": "2999-01-01"}, "founded_on"),
        ({"employees": "-3"}, "employees"),
        ({"employees": "12.5"}, "employees"),
        ({"land_mu": "abc"}, "land_mu"),
        ({"land_mu": "1.234"}, "land_mu"),
        ({"land_mu": "-1"}, "land_mu"),
        ({"size_class": "huge"}, "size_class"),
        ({"qualifications": ["不存在的资质"]}, "qualifications"),
        ({"service_group": "340402"}, "service_group"),
        ({"org_unit": "sg-01"}, "org_unit"),  # a service group serves, it does not host
        ({"land_mu": "10000000000"}, "land_mu"),  # more than the column holds
        ({"name": ""}, "name"),
        ({"name": "坏\x00名字"}, "name"),
        ({"name": "名" * 201}, "name"),
        ({"approved": True}, "approved"),
    ],
)
def test_VAL_01_bad_input_names_the_field_and_changes_nothing(
    make_user: MakeUser, overrides: dict[str, Any], field: str
) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as exc:
        enterprise_create(acting_user=staff, data=EnterpriseInput.parse(valid_data(**overrides)))
    assert field in [e["field"] for e in exc.value.errors]
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_VAL_01_duplicate_credit_code_is_refused(make_user: MakeUser) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    enterprise_create(acting_user=staff, data=EnterpriseInput.parse(valid_data()))
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as exc:
        # Lower case and full width normalise to the same code.
        enterprise_create(
            acting_user=staff,
            data=EnterpriseInput.parse(valid_data(name="另一家", uscc=" " + uscc_for(42, "340402").lower())),
        )
    assert exc.value.errors[0]["field"] == "uscc"
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_department_staff_have_no_unit_to_register_in(make_user: MakeUser) -> None:
    from zhaoyin.enterprises.selectors import can_create_enterprises

    assert not can_create_enterprises(make_user(Role.STAFF, unit="group_1"))
    assert can_create_enterprises(make_user(Role.STAFF, unit="dept"))
    assert can_create_enterprises(make_user(Role.CITY_ADMIN))
    assert not can_create_enterprises(make_user(Role.LEADER))


def test_AC_03_staff_cannot_register_outside_own_subtree(make_user: MakeUser) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    with pytest.raises(InvalidInput) as exc:
        enterprise_create(acting_user=staff, data=EnterpriseInput.parse(valid_data(org_unit="340403")))
    assert exc.value.errors[0]["field"] == "org_unit"
    assert (
        enterprise_create(acting_user=staff, data=EnterpriseInput.parse(valid_data(org_unit="park-a"))).org_unit.code
        == "park-a"
    )


def test_CONC_01_second_writer_with_stale_version_gets_conflict(
    make_user: MakeUser, make_enterprise: MakeEnterprise
) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise("原名")
    a = Enterprise.objects.get(pk=e.pk)
    b = Enterprise.objects.get(pk=e.pk)
    enterprise_update(
        acting_user=staff, enterprise=a, data=EnterpriseUpdateInput.parse({"name": "甲改的名", "version": a.version})
    )
    with pytest.raises(Conflict):
        enterprise_update(
            acting_user=staff,
            enterprise=b,
            data=EnterpriseUpdateInput.parse({"address": "乙改的地址", "version": b.version}),
        )
    e.refresh_from_db()
    assert (e.name, e.address, e.version) == ("甲改的名", "", 2)
    assert [r.action for r in enterprise_records(e)] == ["enterprise.update"]


def test_update_records_only_the_changed_fields(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise("原名", employees=5)
    enterprise_update(
        acting_user=staff, enterprise=e, data=EnterpriseUpdateInput.parse({"employees": 7, "name": "原名"})
    )
    [record] = enterprise_records(e)
    assert record.before is not None
    # The changed fields by name; the figure itself withheld, the version kept (issue 12 D4).
    assert record.before == {"employees": "***", "updated_at": record.before["updated_at"], "version": 1}
    assert record.after is not None
    assert record.after["employees"] == "***"
    assert record.after["version"] == 2
    assert "name" not in record.after
    assert "search_text" not in record.after


def test_update_that_changes_nothing_writes_nothing(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise("同名", quals=("专精特新",))
    before = db_fingerprint(exclude=())
    enterprise_update(
        acting_user=staff,
        enterprise=e,
        data=EnterpriseUpdateInput.parse({"name": "同名", "qualifications": ["专精特新"], "org_unit": "340402"}),
    )
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=()))


def test_partial_update_may_not_empty_a_required_field(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise("原名")
    with refused(InvalidInput, fields={"name"}):
        enterprise_update(acting_user=staff, enterprise=e, data=EnterpriseUpdateInput.parse({"name": "  "}))


def test_AC_02_leader_and_outsider_cannot_update(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise("原名", group="group_1")
    users = [
        make_user(Role.LEADER),
        make_user(Role.STAFF, unit="county_b"),
        make_user(Role.SERVICE_MEMBER, unit="group_1"),
    ]
    before = db_fingerprint()
    for user in users:
        with pytest.raises(PermissionDenied):
            enterprise_update(acting_user=user, enterprise=e, data=EnterpriseUpdateInput.parse({"name": "改"}))
        with pytest.raises(PermissionDenied):
            enterprise_figures_set(acting_user=user, enterprise=e, data=FiguresInput.parse({"year": 2025}))
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_AC_03_staff_cannot_move_an_enterprise_out_of_scope(
    make_user: MakeUser, make_enterprise: MakeEnterprise
) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise("原名")
    with refused(InvalidInput, fields={"org_unit"}):
        enterprise_update(acting_user=staff, enterprise=e, data=EnterpriseUpdateInput.parse({"org_unit": "340403"}))


def test_figures_upsert_per_year_with_audit(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise()
    enterprise_figures_set(
        acting_user=staff, enterprise=e, data=FiguresInput.parse({"year": 2025, "revenue_wan": "1234.5", "tax_wan": 10})
    )
    enterprise_figures_set(
        acting_user=staff, enterprise=e, data=FiguresInput.parse({"year": "2025", "tax_wan": "12.30", "employees": 80})
    )
    [f] = EnterpriseFigure.objects.filter(enterprise=e)
    assert (f.year, f.revenue_wan, f.tax_wan, f.employees) == (2025, Decimal("1234.50"), Decimal("12.30"), 80)
    records = enterprise_records(e)
    assert [r.action for r in records] == ["enterprise.figures", "enterprise.figures"]
    second_before = records[1].before
    assert second_before is not None
    assert second_before == {
        "tax_wan": "***",
        "employees": None,
        "updated_at": second_before["updated_at"],
        "year": 2025,
    }
    # The same values again: nothing is written.
    before = db_fingerprint(exclude=())
    enterprise_figures_set(acting_user=staff, enterprise=e, data=FiguresInput.parse({"year": 2025, "tax_wan": "12.3"}))
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=()))


def test_figures_empty_values_clear_only_when_asked(make_user: MakeUser, make_enterprise: MakeEnterprise) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise()
    enterprise_figures_set(
        acting_user=staff, enterprise=e, data=FiguresInput.parse({"year": 2024, "revenue_wan": "5", "tax_wan": "1"})
    )
    enterprise_figures_set(acting_user=staff, enterprise=e, data=FiguresInput.parse({"year": 2024, "revenue_wan": ""}))
    assert EnterpriseFigure.objects.get(enterprise=e).revenue_wan == Decimal("5.00")
    enterprise_figures_set(
        acting_user=staff, enterprise=e, data=FiguresInput.parse({"year": 2024, "revenue_wan": ""}), clear_empty=True
    )
    f = EnterpriseFigure.objects.get(enterprise=e)
    assert (f.revenue_wan, f.tax_wan) == (None, Decimal("1.00"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "year"),
        ({"year": 1800}, "year"),
        ({"year": "二〇二五"}, "year"),
        ({"year": 2025, "revenue_wan": "1,2,3x"}, "revenue_wan"),
        ({"year": 2025, "tax_wan": "NaN"}, "tax_wan"),
        ({"year": 2025, "energy_tce": True}, "energy_tce"),
        ({"year": 2025, "employees": "-1"}, "employees"),
        ({"year": 2025, "source": "rumour"}, "source"),
        ({"year": 2025, "profit_wan": 1}, "profit_wan"),
    ],
)
def test_VAL_01_bad_figures_are_refused(
    make_user: MakeUser, make_enterprise: MakeEnterprise, data: dict[str, Any], field: str
) -> None:
    staff = make_user(Role.STAFF, unit="county_a")
    e = make_enterprise()
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as exc:
        enterprise_figures_set(acting_user=staff, enterprise=e, data=FiguresInput.parse(data))
    assert field in [x["field"] for x in exc.value.errors]
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_city_admin_may_register_anywhere(make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> None:
    admin = make_user(Role.CITY_ADMIN)
    assert (
        enterprise_create(acting_user=admin, data=EnterpriseInput.parse(valid_data(org_unit="340403"))).org_unit
        == org_tree["county_b"]
    )
