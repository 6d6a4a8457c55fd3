"""The browser flow of a talent apartment (issue 13 item 4, item 9): the talent applies on a
phone-sized screen (390×844) with a document, follows the application, and once the talent
office has reviewed, allocated and signed (on the staff pages, desktop), reads the contract
on the phone; no page is wider than the phone. Screenshots land in var/screenshots/."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import LoggedInPage, screenshot, sign_in
from tests.world import World
from zhaoyin.apartments.models import ApartmentUnit, Application, ApplicationState, Building, Tenancy
from zhaoyin.core.roles import Role
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
_PDF = b"%PDF-1.4\n% talent degree certificate\n"


def _fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a 390px screen"


def _office_page(browser: Browser, base_url: str, world: World) -> Page:
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, base_url=base_url)
    page = context.new_page()
    sign_in(page, world.user(Role.TALENT_OFFICE))
    return page


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
    page.goto("/apartments/my/")
    _fits_the_phone(page)
    page.locator('a[href$="/apartments/my/apply/"]').first.click()
    form = page.locator("form").filter(has=page.locator('textarea[name="reason"]'))
    form.locator('select[name="preferred_layout"]').select_option("one_bed")
    form.locator('textarea[name="reason"]').fill("新引进博士，刚到淮南，暂无住房。")
    form.locator('input[name="documents"]').set_input_files(
        {"name": "学位证书.pdf", "mimeType": "application/pdf", "buffer": _PDF})
    _fits_the_phone(page)
    screenshot(page, "60-apartment-apply-phone")
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/apartments/my/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_text("学位证书.pdf")).to_be_visible()
    app = Application.objects.get(talent=own)
    assert app.state == ApplicationState.SUBMITTED
    assert app.files.count() == 1

    # The talent office reviews, allocates and signs on the staff pages.
    office = _office_page(browser, str(getattr(live_server, "url", "")), world)
    office.goto(f"/apartments/applications/{app.pk}/")
    office.locator("#action-review button[type=submit]").click()
    expect(office.locator(".alert-success")).to_be_visible()
    office.locator("#action-allocate select[name=unit]").select_option(str(unit.pk))
    office.locator("#action-allocate button[type=submit]").click()
    expect(office.locator(".alert-success")).to_be_visible()
    office.locator("#action-contract input[name=start]").fill("2026-03-01")
    office.locator("#action-contract input[name=end]").fill("2029-02-28")
    office.locator("#action-contract input[name=deposit]").fill("1840")
    office.locator("#action-contract button[type=submit]").click()
    expect(office.locator(".alert-success")).to_be_visible()
    tenancy = Tenancy.objects.get(talent=own)
    assert tenancy.rent_payable == Decimal("184.00")  # tier B: 80 % off
    office.goto("/apartments/occupancy/")
    screenshot(office, "61-apartment-occupancy")
    office.context.close()

    # The talent reads the contract on the phone; no internal field is there.
    page.goto("/apartments/my/")
    contract = page.locator("#contract")
    expect(contract).to_contain_text("1203")
    expect(contract).to_contain_text("2029-02-28")
    expect(contract).to_contain_text("184.00")
    assert world.user(Role.TALENT_OFFICE).username not in page.content()
    _fits_the_phone(page)
    screenshot(page, "62-apartment-contract-phone")
