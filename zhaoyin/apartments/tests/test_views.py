"""The apartment pages: buildings, a building's unit grid, units, applications (waitlist
places), one application with its actions, tenancies ("expiring within 60 days"), the
occupancy report, and the talent's portal (apply with a document, follow it, read the
contract); scope on every one (AC-03), bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from zhaoyin.accounts.models import User
from zhaoyin.apartments.models import Application, ApplicationState, Tenancy, UnitState
from zhaoyin.apartments.tests.conftest import Housing
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint

pytestmark = pytest.mark.django_db


def web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def test_every_staff_page_renders(housing: Housing) -> None:
    unit = housing.unit("101")
    tenancy = housing.contracted(housing.talent_a, housing.unit("102"))
    app = housing.waitlisted(housing.own)
    client = web(housing.office)
    for url in ("/apartments/", f"/apartments/buildings/{housing.building_a.pk}/", "/apartments/units/",
                "/apartments/applications/", "/apartments/applications/new/", "/apartments/waitlist/",
                f"/apartments/applications/{app.pk}/", "/apartments/tenancies/",
                f"/apartments/tenancies/{tenancy.pk}/", "/apartments/occupancy/",
                "/apartments/tenancies/?expiring=1", "/apartments/applications/?state=waitlisted"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    page = client.get(f"/apartments/applications/{app.pk}/").content.decode()
    assert f'value="{unit.pk}"' in page  # the free unit is offered to the allocate action
    assert "丙本人" in client.get("/apartments/waitlist/").content.decode()


def test_the_occupancy_report_counts_units_by_building_and_layout(housing: Housing) -> None:
    housing.unit("101", state=UnitState.OCCUPIED)
    housing.unit("102", state=UnitState.OCCUPIED)
    housing.unit("103")
    housing.unit("201", building=housing.building_b)
    page = web(housing.staff_a).get("/apartments/occupancy/").content.decode()
    assert housing.building_a.name in page
    assert housing.building_b.name not in page  # AC-03: county B's building is not in A's report
    assert "66.7" in page  # 2 of 3 units occupied


def test_another_countys_building_and_application_are_404_AC_03(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    client = web(housing.staff_b)
    assert client.get(f"/apartments/buildings/{housing.building_a.pk}/").status_code == 404
    assert client.get(f"/apartments/applications/{app.pk}/").status_code == 404
    assert client.get("/apartments/applications/999999/").status_code == 404
    response = client.post(f"/apartments/applications/{app.pk}/review/", {"version": app.version})
    assert response.status_code == 404
    assert Application.objects.get(pk=app.pk).state == ApplicationState.SUBMITTED


def test_review_then_allocate_on_the_page(housing: Housing) -> None:
    unit = housing.unit("301")
    app = housing.apply(housing.talent_a)
    client = web(housing.office)
    response = client.post(f"/apartments/applications/{app.pk}/review/", {"version": app.version})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.WAITLISTED
    response = client.post(f"/apartments/applications/{app.pk}/allocate/", {"version": app.version, "unit": unit.pk})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.state == UnitState.RESERVED


def test_reject_without_a_reason_is_400_naming_it_and_changes_nothing(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    client = web(housing.office)
    before = db_fingerprint()
    response = client.post(f"/apartments/applications/{app.pk}/reject/", {"version": app.version, "reason": ""})
    assert response.status_code == 400
    assert "reason" in response.content.decode().lower() or "理由" in response.content.decode()
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_a_stale_version_on_the_page_is_409(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    response = web(housing.office).post(f"/apartments/applications/{app.pk}/review/", {"version": app.version + 3})
    assert response.status_code == 409


def test_allocate_the_waitlist_button(housing: Housing) -> None:
    housing.unit("501")
    app = housing.waitlisted(housing.talent_a)
    response = web(housing.office).post("/apartments/applications/allocate/")
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.ALLOCATED


def test_check_out_on_the_tenancy_page(housing: Housing) -> None:
    unit = housing.unit("601")
    tenancy = housing.contracted(housing.talent_a, unit)
    client = web(housing.office)
    response = client.post(f"/apartments/tenancies/{tenancy.pk}/checkout/", {"version": tenancy.version})
    assert response.status_code == 400  # the reason for checking out is required
    response = client.post(f"/apartments/tenancies/{tenancy.pk}/checkout/",
                           {"version": tenancy.version, "end_reason": "departure", "inspection_note": "完好"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.state == UnitState.AVAILABLE
    assert Tenancy.objects.get(pk=tenancy.pk).end_reason == "departure"


def test_the_expiring_filter_lists_contracts_ending_within_60_days(housing: Housing) -> None:
    today = timezone.localdate()
    housing.contracted(housing.talent_a, housing.unit("701"), start=today - dt.timedelta(days=300),
                       end=today + dt.timedelta(days=20))
    housing.contracted(housing.own, housing.unit("702"), start=today, end=today + dt.timedelta(days=365))
    page = web(housing.office).get("/apartments/tenancies/?expiring=1").content.decode()
    assert "甲博士" in page
    assert "丙本人" not in page


def test_the_talent_applies_on_the_portal_with_a_document(housing: Housing) -> None:
    client = web(housing.talent_user)
    assert client.get("/apartments/my/").status_code == 200
    assert client.get("/apartments/my/apply/").status_code == 200
    pdf = SimpleUploadedFile("学历证明.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = client.post("/apartments/my/apply/", {"preferred_layout": "one_bed", "reason": "刚到淮南",
                                                      "documents": [pdf]})
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get(talent=housing.own)
    assert app.files.count() == 1
    page = client.get("/apartments/my/").content.decode()
    assert "学历证明.pdf" in page
    # The talent downloads their own document; another talent's is not theirs.
    stored = app.files.get()
    assert client.get(f"/apartments/applications/{app.pk}/files/{stored.pk}/").status_code == 200


def test_a_fake_pdf_is_refused_and_nothing_is_stored(housing: Housing) -> None:
    client = web(housing.talent_user)
    fake = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    before = db_fingerprint()
    response = client.post("/apartments/my/apply/", {"reason": "x", "documents": [fake]})
    assert response.status_code == 400
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_the_portal_shows_the_contract_but_no_internal_field(housing: Housing) -> None:
    unit = housing.unit("801")
    app = housing.waitlisted(housing.own)
    Application.objects.filter(pk=app.pk).update(review_note="内部备注：材料齐全")
    app.refresh_from_db()
    from zhaoyin.apartments.inputs import ApartmentActionInput
    from zhaoyin.apartments.services import application_transition

    app = application_transition(acting_user=housing.office, application=app, action="allocate",
                                 data=ApartmentActionInput.of(unit=unit.pk))
    application_transition(acting_user=housing.office, application=app, action="contract",
                           data=ApartmentActionInput.of(start="2026-01-01", end="2027-12-31", deposit="1000"))
    page = web(housing.talent_user).get("/apartments/my/").content.decode()
    assert "801" in page
    assert "2027年12月31日" in page  # dates people read: DATE_FORMAT (issue 16)
    assert "内部备注" not in page
    assert housing.office.username not in page


def test_the_talent_cannot_open_the_staff_pages(housing: Housing) -> None:
    client = web(housing.talent_user)
    for url in ("/apartments/", "/apartments/units/", "/apartments/applications/", "/apartments/occupancy/"):
        assert client.get(url).status_code == 403, url


def test_staff_cannot_open_the_portal(housing: Housing) -> None:
    assert web(housing.staff_a).get("/apartments/my/").status_code == 403
