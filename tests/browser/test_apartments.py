"""The browser flow of a talent apartment (issue 13 item 4, item 9): the talent applies on a
phone-sized screen (390×844) with a document, follows the application, and once the talent
office has reviewed, allocated and signed (on the staff pages, desktop), reads the contract
on the phone; no page is wider than the phone. Screenshots land in var/screenshots/."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, LoggedInPage, fits_the_phone, screenshot, staff_page
from tests.browser.steps import fill_apartment_form, review_allocate_and_contract, send_apartment_form
from tests.world import World
from zhaoyin.apartments.models import ApartmentUnit, Application, ApplicationState, Building, Tenancy
from zhaoyin.core.roles import Role
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent


def test_talent_applies_on_a_phone_and_reads_the_contract(
    logged_in_page: LoggedInPage, world: World, browser: Browser, live_server: object
) -> None:
    persona = world.user(Role.TALENT)
    own = Talent.objects.filter(account=persona).first() or make_talent(
        org_unit=world.units["county_a"], name="林晓", account=persona)
    Talent.objects.filter(pk=own.pk).update(tier="B")  # as a recognition decision would (test data)
    building = Building.objects.create(name="山南人才公寓", address="淮南市山南新区春申路66号",
                                       org_unit=world.units["county_a"], operator="城投住房租赁")
    unit = ApartmentUnit.objects.create(building=building, number="1203", layout="one_bed",
                                        area_m2=Decimal("48.50"), monthly_rent=Decimal("920.00"))

    page = logged_in_page(Role.TALENT)
    page.set_viewport_size(PHONE)
    fill_apartment_form(page, layout="one_bed", reason="新引进博士，刚到淮南，暂无住房。", document="学位证书.pdf")
    screenshot(page, "60-apartment-apply-phone")
    send_apartment_form(page, "学位证书.pdf")
    app = Application.objects.get(talent=own)
    assert app.state == ApplicationState.SUBMITTED
    assert app.files.count() == 1

    # The talent office reviews, allocates and signs on the staff pages.
    office = staff_page(browser, live_server, world.user(Role.TALENT_OFFICE))
    review_allocate_and_contract(office, app.pk, unit.pk, start="2026-03-01", end="2029-02-28", deposit="1840")
    tenancy = Tenancy.objects.get(talent=own)
    assert tenancy.rent_payable == Decimal("184.00")  # tier B: 80 % off
    office.goto("/apartments/occupancy/")
    screenshot(office, "61-apartment-occupancy")
    office.context.close()

    # The talent reads the contract on the phone; no internal field is there.
    page.goto("/apartments/my/")
    contract = page.locator("#contract")
    expect(contract).to_contain_text("1203")
    expect(contract).to_contain_text("2029年2月28日")  # detail dates read in Chinese (issue 16)
    expect(contract).to_contain_text("184.00")
    assert world.user(Role.TALENT_OFFICE).username not in page.content()
    fits_the_phone(page)
    screenshot(page, "62-apartment-contract-phone")
