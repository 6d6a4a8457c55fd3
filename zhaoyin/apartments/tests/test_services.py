"""The apartment services: each bad input names its field and changes nothing; states,
versions, scope and the one-unit-per-talent rule answer 409 / 403 / 422 as the other machines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhaoyin.apartments.inputs import (
    AllocateWaitlistInput,
    ApartmentActionInput,
    ApartmentApplicationInput,
    ApartmentBuildingInput,
    MaintenanceInput,
    UnitInput,
)
from zhaoyin.apartments.models import (
    ApartmentUnit,
    Application,
    ApplicationState,
    Layout,
    Tenancy,
    TenancyRenewal,
    TenancyState,
    UnitState,
)
from zhaoyin.apartments.services import (
    allocate_waitlist,
    application_submit,
    application_transition,
    building_create,
    tenancy_transition,
    unit_allocate_next,
    unit_create,
    unit_set_maintenance,
    units_create,
)
from zhaoyin.apartments.tests.conftest import Housing
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.testing import refused


def act(h: Housing, app: Application, action: str, **values: object) -> Application:
    return application_transition(acting_user=h.office, application=app, action=action,
                                  data=ApartmentActionInput.of(**values))


# ---- buildings and units ----------------------------------------------------------------


def test_building_create_is_audited(housing: Housing) -> None:
    b = building_create(acting_user=housing.office, data=ApartmentBuildingInput.of(
        name="山南人才公寓", address="淮南市山南新区测试大道8号", org_unit="340402", operator="城投"))
    assert b.org_unit == housing.units["county_a"]
    assert AuditRecord.objects.filter(action="apartment.building_create", object_id=str(b.pk)).exists()


@pytest.mark.parametrize(("values", "field"), [
    ({"name": ""}, "name"),
    ({"address": "   "}, "address"),
    ({"org_unit": "nope"}, "org_unit"),
    ({"name": "大通人才公寓1号楼"}, "name"),  # already registered
])
def test_building_bad_input_names_the_field(housing: Housing, values: dict[str, str], field: str) -> None:
    body = {"name": "新楼", "address": "淮南市测试路", "org_unit": "340402", **values}
    with refused(InvalidInput, fields={field}):
        building_create(acting_user=housing.office, data=ApartmentBuildingInput.parse(body))


def test_county_staff_cannot_place_a_building_in_another_county(housing: Housing) -> None:
    with refused(InvalidInput, fields={"org_unit"}):
        building_create(acting_user=housing.staff_a, data=ApartmentBuildingInput.of(
            name="越界楼", address="淮南市测试路", org_unit="340403"))


@pytest.mark.parametrize(("values", "field"), [
    ({"number": ""}, "number"),
    ({"layout": "penthouse"}, "layout"),
    ({"area_m2": "0"}, "area_m2"),
    ({"area_m2": "12.345"}, "area_m2"),
    ({"monthly_rent": "-1"}, "monthly_rent"),
    ({"monthly_rent": "abc"}, "monthly_rent"),
])
def test_unit_bad_input_names_the_field(housing: Housing, values: dict[str, str], field: str) -> None:
    body = {"number": "101", "layout": "one_bed", "area_m2": "45", "monthly_rent": "800", **values}
    with refused(InvalidInput, fields={field}):
        unit_create(acting_user=housing.office, building=housing.building_a, data=UnitInput.parse(body))


def test_unit_number_once_per_building(housing: Housing) -> None:
    housing.unit("101")
    with refused(InvalidInput, fields={"number"}):
        unit_create(acting_user=housing.office, building=housing.building_a, data=UnitInput.of(
            number="101", layout="one_bed", area_m2="45", monthly_rent="800"))


def test_staff_of_another_county_may_not_add_units(housing: Housing) -> None:
    with refused(PermissionDenied):
        unit_create(acting_user=housing.staff_b, building=housing.building_a, data=UnitInput.of(
            number="102", layout="one_bed", area_m2="45", monthly_rent="800"))


def _flats(*numbers: str) -> list[UnitInput]:
    return [UnitInput.of(number=n, layout="one_bed", area_m2="45.5", monthly_rent="860") for n in numbers]


def test_units_create_adds_a_buildings_flats_in_order_each_audited(housing: Housing) -> None:
    made = units_create(acting_user=housing.office, building=housing.building_a, data=_flats("301", "302", "303"))
    assert [u.number for u in made] == ["301", "302", "303"]
    for unit in made:
        unit.refresh_from_db()
        assert (unit.building_id, unit.state, unit.area_m2) == (housing.building_a.pk, UnitState.AVAILABLE,
                                                                Decimal("45.5"))
        record = AuditRecord.objects.get(action="apartment.unit_create", object_id=str(unit.pk))
        assert record.actor == housing.office.username
        assert record.after is not None
        assert {"number", "layout", "area_m2", "monthly_rent", "state"} <= set(record.after)


@pytest.mark.parametrize("numbers", [("401", "402", "401"), ("402", "101")])
def test_units_create_refuses_a_number_given_twice_or_taken_and_adds_none(
    housing: Housing, numbers: tuple[str, ...]
) -> None:
    housing.unit("101")
    with refused(InvalidInput, fields={"number"}):
        units_create(acting_user=housing.office, building=housing.building_a, data=_flats(*numbers))
    assert not ApartmentUnit.objects.filter(number__in=["401", "402"]).exists()


def test_staff_of_another_county_may_not_add_units_in_bulk(housing: Housing) -> None:
    with refused(PermissionDenied):
        units_create(acting_user=housing.staff_b, building=housing.building_a, data=_flats("501"))
    assert not ApartmentUnit.objects.filter(number="501").exists()


def test_maintenance_on_and_off(housing: Housing) -> None:
    u = housing.unit("201")
    u = unit_set_maintenance(acting_user=housing.staff_a, unit=u, data=MaintenanceInput.of(on=True))
    assert u.state == UnitState.MAINTENANCE
    u = unit_set_maintenance(acting_user=housing.staff_a, unit=u, data=MaintenanceInput.of(on=False))
    assert u.state == UnitState.AVAILABLE


def test_an_occupied_unit_cannot_go_into_maintenance(housing: Housing) -> None:
    u = housing.unit("202", state=UnitState.OCCUPIED)
    with refused(Conflict) as info:
        unit_set_maintenance(acting_user=housing.office, unit=u, data=MaintenanceInput.of(on=True))
    assert "202" in str(info.value)


# ---- applications -----------------------------------------------------------------------


def test_the_talent_applies_for_themself_with_a_document(housing: Housing, settings: object) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhaoyin.core.files import read_uploads

    pdf = SimpleUploadedFile("学历.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    app = application_submit(acting_user=housing.talent_user, data=ApartmentApplicationInput.of(reason="刚到淮南"),
                             uploads=read_uploads([pdf]))
    assert app.talent == housing.own
    assert app.state == ApplicationState.SUBMITTED
    assert app.files.count() == 1
    assert AuditRecord.objects.filter(action="apartment.apply", object_id=str(app.pk)).exists()


def test_a_file_that_is_not_a_document_is_refused(housing: Housing) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhaoyin.core.files import read_uploads

    fake = SimpleUploadedFile("证明.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with refused(InvalidInput, fields={"files"}):
        application_submit(acting_user=housing.talent_user, data=ApartmentApplicationInput.of(),
                           uploads=read_uploads([fake]))


def test_a_talent_user_cannot_apply_for_another_talent(housing: Housing) -> None:
    with refused(InvalidInput, fields={"talent"}):
        application_submit(acting_user=housing.talent_user,
                           data=ApartmentApplicationInput.of(talent=housing.talent_b.pk))


def test_out_of_scope_talent_reads_as_unknown(housing: Housing) -> None:
    with refused(InvalidInput, fields={"talent"}) as out_of_scope:
        application_submit(acting_user=housing.staff_a, data=ApartmentApplicationInput.of(talent=housing.talent_b.pk))
    with refused(InvalidInput, fields={"talent"}) as unknown:
        application_submit(acting_user=housing.staff_a, data=ApartmentApplicationInput.of(talent=999999))
    assert out_of_scope.value.errors == unknown.value.errors


def test_bad_layout_names_the_field(housing: Housing) -> None:
    with pytest.raises(InvalidInput) as info:
        ApartmentApplicationInput.of(talent=housing.talent_a.pk, preferred_layout="villa")
    assert {e["field"] for e in info.value.errors} == {"preferred_layout"}


def test_the_leader_may_not_apply(housing: Housing) -> None:
    with refused(PermissionDenied):
        application_submit(acting_user=housing.leader, data=ApartmentApplicationInput.of(talent=housing.talent_a.pk))


def test_a_second_open_application_is_409(housing: Housing) -> None:
    housing.apply(housing.talent_a)
    with refused(Conflict):
        housing.apply(housing.talent_a)


def test_a_departed_talent_cannot_apply(housing: Housing) -> None:
    t = housing.talent("离开的人", status="departed", departed_on=dt.date(2025, 1, 1))
    with refused(InvalidInput, fields={"talent"}):
        housing.apply(t)


# ---- the machine ------------------------------------------------------------------------


def test_the_whole_path(housing: Housing) -> None:
    unit = housing.unit("301")
    tenancy = housing.contracted(housing.talent_a, unit)
    unit.refresh_from_db()
    assert unit.state == UnitState.OCCUPIED
    assert tenancy.state == TenancyState.ACTIVE
    assert tenancy.reduction_percent == Decimal("80.00")  # tier B, the seeded table
    assert tenancy.rent_payable == Decimal("240.00")
    assert tenancy.deposit == Decimal("2400.00")
    assert tenancy.application is not None
    assert tenancy.application.state == ApplicationState.CONTRACTED
    actions = list(AuditRecord.objects.filter(object_type="apartments.application").values_list("action", flat=True))
    assert {"apartment.apply", "apartment.review", "apartment.allocate", "apartment.contract"} <= set(actions)


def test_reject_needs_a_reason(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    with refused(InvalidInput, fields={"reason"}):
        act(housing, app, "reject")
    app = act(housing, app, "reject", reason="不符合申请条件")
    assert app.state == ApplicationState.REJECTED
    assert app.decision_reason == "不符合申请条件"


def test_a_step_the_table_does_not_list_is_409(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    unit = housing.unit("302")
    with refused(Conflict):
        act(housing, app, "allocate", unit=unit.pk)  # not yet reviewed


def test_a_stale_version_is_409(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    with refused(Conflict):
        act(housing, app, "review", version=app.version + 5)


def test_unknown_action_names_the_field(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    with refused(InvalidInput, fields={"action"}):
        act(housing, app, "close")


def test_the_talent_may_not_review_their_own(housing: Housing) -> None:
    app = application_submit(acting_user=housing.talent_user, data=ApartmentApplicationInput.of())
    with refused(PermissionDenied):
        application_transition(acting_user=housing.talent_user, application=app, action="review",
                               data=ApartmentActionInput.of())
    app = application_transition(acting_user=housing.talent_user, application=app, action="withdraw",
                                 data=ApartmentActionInput.of())
    assert app.state == ApplicationState.WITHDRAWN


@pytest.mark.parametrize("state", [UnitState.OCCUPIED, UnitState.RESERVED, UnitState.MAINTENANCE])
def test_allocating_a_unit_that_is_not_free_is_409_naming_it(housing: Housing, state: str) -> None:
    app = housing.waitlisted(housing.talent_a)
    unit = housing.unit("401", state=state)
    with refused(Conflict) as info:
        act(housing, app, "allocate", unit=unit.pk)
    assert "401" in str(info.value)
    assert housing.building_a.name in str(info.value)


def test_allocate_needs_a_unit_in_scope(housing: Housing) -> None:
    app = housing.waitlisted(housing.talent_a)
    with refused(InvalidInput, fields={"unit"}):
        act(housing, app, "allocate")
    other = housing.unit("402", building=housing.building_b)
    with refused(InvalidInput, fields={"unit"}):
        application_transition(acting_user=housing.staff_a, application=app, action="allocate",
                               data=ApartmentActionInput.of(unit=other.pk))


def test_a_talent_holding_a_unit_cannot_be_allocated_another(housing: Housing) -> None:
    housing.contracted(housing.talent_a, housing.unit("501"))
    # An application registered before the first contract (as an import might): the guard holds.
    second = Application.objects.create(talent=housing.talent_a, state=ApplicationState.WAITLISTED)
    unit = housing.unit("502")
    with refused(Conflict) as info:
        act(housing, second, "allocate", unit=unit.pk)
    assert "501" in str(info.value)


def test_a_talent_holding_a_unit_cannot_apply_again(housing: Housing) -> None:
    housing.contracted(housing.talent_a, housing.unit("503"))
    with refused(Conflict):
        housing.apply(housing.talent_a)


@pytest.mark.parametrize(("values", "fields"), [
    ({"start": "2026-03-01", "end": "2026-02-01"}, {"end"}),
    ({"start": "2026-03-01", "end": "2026-03-01"}, {"end"}),
    ({"end": "2027-03-01"}, {"start"}),
    ({"start": "2026-03-01"}, {"end"}),
    ({"start": "2026-03-01", "end": "2046-03-01"}, {"end"}),
])
def test_contract_term_bad_input(housing: Housing, values: dict[str, str], fields: set[str]) -> None:
    app = housing.allocated(housing.talent_a, housing.unit("601"))
    with refused(InvalidInput, fields=fields) as info:
        act(housing, app, "contract", **values)
    if values.get("end") == "2026-02-01":
        assert "after it starts" in str(info.value.errors[0]["message"]) or info.value.errors[0]["field"] == "end"


def test_contract_bad_dates_and_deposit_are_refused_by_the_model(housing: Housing) -> None:
    for values, field in [({"start": "2026-13-01"}, "start"), ({"deposit": "-5"}, "deposit"),
                          ({"end_reason": "fired"}, "end_reason")]:
        with pytest.raises(InvalidInput) as info:
            ApartmentActionInput.parse(values)
        assert {e["field"] for e in info.value.errors} == {field}


def test_release_frees_the_unit(housing: Housing) -> None:
    unit = housing.unit("701")
    app = housing.allocated(housing.talent_a, unit)
    unit.refresh_from_db()
    assert unit.state == UnitState.RESERVED
    app = act(housing, app, "release", reason="本人放弃该房源")
    unit.refresh_from_db()
    assert app.state == ApplicationState.WAITLISTED
    assert app.unit is None
    assert unit.state == UnitState.AVAILABLE


def test_renew_and_check_out(housing: Housing) -> None:
    unit = housing.unit("801")
    tenancy = housing.contracted(housing.talent_a, unit)
    with refused(InvalidInput, fields={"end"}):
        tenancy_transition(acting_user=housing.staff_a, tenancy=tenancy, action="renew",
                           data=ApartmentActionInput.of(end="2027-06-30"))
    tenancy = tenancy_transition(acting_user=housing.staff_a, tenancy=tenancy, action="renew",
                                 data=ApartmentActionInput.of(end="2029-12-31", note="续租两年"))
    assert tenancy.end == dt.date(2029, 12, 31)
    assert TenancyRenewal.objects.filter(tenancy=tenancy, previous_end=dt.date(2027, 12, 31)).exists()
    with refused(InvalidInput, fields={"end_reason"}):
        tenancy_transition(acting_user=housing.staff_a, tenancy=tenancy, action="checkout",
                           data=ApartmentActionInput.of())
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    with refused(InvalidInput, fields={"ended_on"}):
        tenancy_transition(acting_user=housing.staff_a, tenancy=tenancy, action="checkout",
                           data=ApartmentActionInput.of(end_reason="home_purchase", ended_on=future))
    tenancy = tenancy_transition(acting_user=housing.staff_a, tenancy=tenancy, action="checkout",
                                 data=ApartmentActionInput.of(end_reason="home_purchase", inspection_note="房屋完好"))
    unit.refresh_from_db()
    assert tenancy.state == TenancyState.ENDED
    assert tenancy.end_reason == "home_purchase"
    assert unit.state == UnitState.AVAILABLE
    assert tenancy.application is not None
    tenancy.application.refresh_from_db()
    assert tenancy.application.state == ApplicationState.ENDED
    with refused(Conflict):
        tenancy_transition(acting_user=housing.staff_a, tenancy=tenancy, action="renew",
                           data=ApartmentActionInput.of(end="2031-01-01"))


def test_staff_of_another_county_may_not_check_out(housing: Housing) -> None:
    tenancy = housing.contracted(housing.talent_a, housing.unit("802"))
    with refused(PermissionDenied):
        tenancy_transition(acting_user=housing.staff_b, tenancy=tenancy, action="checkout",
                           data=ApartmentActionInput.of(end_reason="departure"))


# ---- the waitlist -----------------------------------------------------------------------


def test_next_on_the_waitlist_follows_tier_then_time(housing: Housing) -> None:
    late_a = housing.talent("后到A", tier="A")
    none = housing.talent("无层次")
    first_c = housing.waitlisted(housing.talent("先到C", tier="C"))
    housing.waitlisted(none)
    app_a = housing.waitlisted(late_a)
    unit = housing.unit("901")
    got = unit_allocate_next(acting_user=housing.staff_a, unit=unit)
    assert got.pk == app_a.pk
    got = unit_allocate_next(acting_user=housing.staff_a, unit=housing.unit("902"))
    assert got.pk == first_c.pk


def test_the_rule_is_data(housing: Housing) -> None:
    from zhaoyin.apartments.models import WaitlistRule

    WaitlistRule.objects.update(tier_order="EDCBA")
    housing.waitlisted(housing.talent("A层", tier="A"))
    e = housing.waitlisted(housing.talent("E层", tier="E"))
    assert unit_allocate_next(acting_user=housing.office, unit=housing.unit("903")).pk == e.pk


def test_next_respects_the_preferred_layout(housing: Housing) -> None:
    housing.waitlisted(housing.talent("要三室", tier="A"), layout=Layout.THREE_BED)
    any_layout = housing.waitlisted(housing.talent("都可以", tier="E"))
    got = unit_allocate_next(acting_user=housing.office, unit=housing.unit("904", layout=Layout.ONE_BED))
    assert got.pk == any_layout.pk


def test_next_for_an_occupied_unit_is_409(housing: Housing) -> None:
    housing.waitlisted(housing.talent_a)
    unit = housing.unit("905", state=UnitState.OCCUPIED)
    with refused(Conflict) as info:
        unit_allocate_next(acting_user=housing.office, unit=unit)
    assert "905" in str(info.value)


def test_allocate_waitlist(housing: Housing) -> None:
    apps = [housing.waitlisted(housing.talent(f"候补{i}", tier="ABCDE"[i % 5])) for i in range(6)]
    for n in range(4):
        housing.unit(f"10{n}")
    housing.unit("199", building=housing.building_b)
    result = allocate_waitlist(acting_user=housing.staff_a, data=AllocateWaitlistInput.of())
    assert result.allocated == 4  # county A's staff let county A's units only
    allocated = Application.objects.filter(state=ApplicationState.ALLOCATED)
    assert allocated.count() == 4
    assert sorted(allocated.values_list("talent__tier", flat=True)) == ["A", "A", "B", "C"]
    assert ApartmentUnit.objects.filter(building=housing.building_a, state=UnitState.RESERVED).count() == 4
    assert AuditRecord.objects.filter(action="apartment.allocate").count() == 4
    assert {a.pk for a in apps} >= set(allocated.values_list("pk", flat=True))
    again = allocate_waitlist(acting_user=housing.office, data=AllocateWaitlistInput.of())
    assert again.allocated == 1  # county B's unit, by the talent office
    assert Tenancy.objects.count() == 0
