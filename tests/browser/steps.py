"""Steps of the talent flows in the browser, shared by the flow tests (recognition, apartments,
the whole path of issue 13): each drives the real pages the way a person does and waits for
the page to confirm the step. Screenshots are the caller's."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import fits_the_phone, pdf_upload

# ---- recognition (人才认定) -------------------------------------------------------------------


def open_recognition_form(page: Page, *, tier: str, statement: str, document: str) -> None:
    """The talent (portal, phone) fills the application form: tier claimed, statement, one PDF.
    Not sent: the caller may look at it first, then ``send_recognition_form``."""
    page.goto("/recognition/mine/")
    page.locator("#my-apply").click()
    page.locator("#apply-tier").select_option(tier)
    page.locator("#apply-statement").fill(statement)
    page.locator("#apply-files").set_input_files(files=[pdf_upload(document)])
    fits_the_phone(page)


def send_recognition_form(page: Page) -> None:
    """Send the filled application: the portal shows it in the 初审."""
    page.locator("#apply-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/recognition/mine/\d+/$"))
    expect(page.locator(".zy-state")).to_contain_text("初审中")


def pass_first_review(unit: Page, recognition_pk: int, note: str) -> None:
    """初审通过 by the county's reviewer, with an internal note."""
    unit.goto(f"/recognition/{recognition_pk}/")
    unit.locator("#note-first_pass").fill(note)
    unit.locator("#action-first_pass button[type=submit]").click()
    expect(unit.locator("#first-review")).to_contain_text(note)


def pass_second_review(office: Page, recognition_pk: int, tier: str) -> None:
    """复审通过 by the talent office naming the tier: the 公示 opens."""
    office.goto(f"/recognition/{recognition_pk}/")
    office.locator("#tier-second_pass").select_option(tier)
    office.locator("#action-second_pass button[type=submit]").click()
    expect(office.locator("#publicity-dates")).to_be_visible()


def recognize(office: Page, recognition_pk: int) -> None:
    """认定 by the talent office (once the 公示 has ended): the certificate number shows."""
    office.goto(f"/recognition/{recognition_pk}/")
    office.locator("#action-recognize button[type=submit]").click()
    expect(office.locator("#certificate-no")).to_contain_text(re.compile(r"HNRC\d{4}-\d{5}"))


# ---- talent apartments (人才公寓) ---------------------------------------------------------------


def fill_apartment_form(page: Page, *, layout: str, reason: str, document: str) -> None:
    """The talent (portal, phone) fills the apartment application; ``send_apartment_form`` sends it."""
    page.goto("/apartments/my/")
    fits_the_phone(page)
    page.locator('a[href$="/apartments/my/apply/"]').first.click()
    form = page.locator("form").filter(has=page.locator('textarea[name="reason"]'))
    form.locator('select[name="preferred_layout"]').select_option(layout)
    form.locator('textarea[name="reason"]').fill(reason)
    form.locator('input[name="documents"]').set_input_files(pdf_upload(document))
    fits_the_phone(page)


def send_apartment_form(page: Page, document: str) -> None:
    """Send it: back on the talent's apartments page, the document listed."""
    page.locator("form").filter(has=page.locator('textarea[name="reason"]')).locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/apartments/my/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_text(document)).to_be_visible()


def review_allocate_and_contract(
    housing: Page, application_pk: int, unit_pk: int, *, start: str, end: str, deposit: str
) -> None:
    """On the staff pages: review (onto the waitlist), allocate the unit, sign the contract."""
    housing.goto(f"/apartments/applications/{application_pk}/")
    housing.locator("#action-review button[type=submit]").click()
    expect(housing.locator(".alert-success")).to_be_visible()
    housing.locator("#action-allocate select[name=unit]").select_option(str(unit_pk))
    housing.locator("#action-allocate button[type=submit]").click()
    expect(housing.locator(".alert-success")).to_be_visible()
    housing.locator("#action-contract input[name=start]").fill(start)
    housing.locator("#action-contract input[name=end]").fill(end)
    housing.locator("#action-contract input[name=deposit]").fill(deposit)
    housing.locator("#action-contract button[type=submit]").click()
    expect(housing.locator(".alert-success")).to_be_visible()
