"""The browser flow of a subsidy application (issue 13 item 9): on a phone-sized screen
(390×844) the talent opens their talent policies, applies for the doctoral living allowance
with a PDF, is returned to complete (the talent office, desktop), resubmits with one more
document, and once accepted reads the schedule's first period; the internal note never shows,
no portal page is wider than the phone. Screenshots land in var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, LoggedInPage, fits_the_phone, pdf_upload, screenshot, staff_page
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.matching.tests.talent_support import DOCTOR_TREE, make_talent_policy
from zhaoyin.payouts.models import Payout, SubsidyApplication, SubsidySchedule
from zhaoyin.talents.models import Education, Talent
from zhaoyin.talents.testing import make_talent


def test_talent_applies_for_a_subsidy_on_a_phone(
    logged_in_page: LoggedInPage, world: World, browser: Browser, live_server: object
) -> None:
    today = timezone.localdate()
    persona = world.user(Role.TALENT)
    own = Talent.objects.filter(account=persona).first() or make_talent(
        org_unit=world.units["county_a"], name="林晓", account=persona)
    Talent.objects.filter(pk=own.pk).update(  # a doctor who arrived last year under a labour contract
        education=Education.DOCTORATE, birth_date=dt.date(1992, 5, 1), arrival_date=dt.date(today.year - 1, 7, 1),
        employer_name="淮南市监测研究院", contract_start=dt.date(today.year - 1, 7, 1),
        contract_end=dt.date(today.year + 3, 6, 30),
    )
    policy = make_talent_policy(world.units["city"], DOCTOR_TREE, title="博士研究生生活补贴（浏览器）")
    SubsidySchedule.objects.create(policy=policy, frequency="monthly", instalments=36, amount_wan=Decimal("0.30"))

    page = logged_in_page(Role.TALENT)
    page.set_viewport_size(PHONE)
    page.goto("/my-talent-policies/")
    fits_the_phone(page)
    page.locator(f'a[href$="/payouts/applications/apply/{policy.pk}/"]').first.click()
    form = page.locator("#subsidy-apply-form")
    form.locator('textarea[name="statement"]').fill("博士学位，去年7月来淮，劳动合同附后。")
    form.locator('input[name="documents"]').set_input_files(pdf_upload("学位证书.pdf"))
    fits_the_phone(page)
    screenshot(page, "70-subsidy-apply-phone")
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/payouts/applications/mine/"))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_text("学位证书.pdf")).to_be_visible()
    application = SubsidyApplication.objects.get(talent=own, policy=policy)
    assert application.state == "submitted"

    # The talent office returns it to complete, with an internal note the talent never reads.
    office = staff_page(browser, live_server, world.user(Role.TALENT_OFFICE))
    office.goto(f"/payouts/applications/{application.pk}/")
    office.locator("#action-return input[name=reason]").fill("请补充劳动合同")
    office.locator("#action-return input[name=note]").fill("内部：合同未盖章")
    office.locator("#action-return button[type=submit]").click()
    expect(office.locator(".alert-success")).to_be_visible()

    page.goto("/payouts/applications/mine/")
    card = page.locator(f"#application-{application.pk}")
    expect(card).to_contain_text("请补充劳动合同")
    assert "合同未盖章" not in page.content()
    card.locator('input[name="documents"]').set_input_files(pdf_upload("劳动合同.pdf"))
    fits_the_phone(page)
    screenshot(page, "71-subsidy-returned-phone")
    card.locator('form[id^="resubmit-"] button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_be_visible()
    application.refresh_from_db()
    assert application.state == "submitted"
    assert application.files.count() == 2

    # Accepted: the schedule's 36 monthly entries are in the ledger from this month.
    office.goto(f"/payouts/applications/{application.pk}/")
    office.locator("#action-accept button[type=submit]").click()
    expect(office.locator(".alert-success")).to_be_visible()
    screenshot(office, "72-subsidy-accepted")
    office.context.close()
    assert Payout.objects.filter(talent=own, policy=policy, status="due").count() == 36

    page.goto("/payouts/applications/mine/")
    expect(page.locator(f"#application-{application.pk}")).to_contain_text(f"{today:%Y-%m}")
    fits_the_phone(page)
    screenshot(page, "73-subsidy-accepted-phone")
