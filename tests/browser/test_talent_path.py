"""Issue 13's whole path through the pages (acceptance: "the whole path works through the
pages, in a browser test"), the talent on a phone-sized screen (390×844), staff on desktop:

a doctor who arrived this year under a labour contract in the city applies for recognition in
the portal → 初审 by the county's unit admin → 复审 by the talent office naming tier B → 公示
over five working days on the calendar (the recognition's clock is moved as the recognition
flow test moves it) → 认定 tier B → the 博士研究生生活补贴 shows the talent eligible with a reason
per condition (/talents/<id>/policies/) → the schedule is started → its monthly entries are in
the payout ledger → four eyes: the office submits, its own approval is refused, the county's
admin approves; then the talent applies for an apartment → allocated → contract, read on the
phone. Screenshots land in var/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, LoggedInPage, fits_the_phone, screenshot, staff_page
from tests.browser.steps import (
    fill_apartment_form,
    open_recognition_form,
    pass_first_review,
    pass_second_review,
    recognize,
    review_allocate_and_contract,
    send_apartment_form,
    send_recognition_form,
)
from tests.talent_path_support import (
    BIRTH,
    EMPLOYER,
    INSTALMENTS,
    POLICY_TITLE,
    arrival_day,
    contract_days,
    make_flat,
    make_living_subsidy,
    this_month,
)
from tests.world import World
from zhaoyin.apartments.models import Application, Tenancy
from zhaoyin.core.gongwen import chinese_date
from zhaoyin.core.roles import Role
from zhaoyin.lib.idcard import make_resident
from zhaoyin.payouts.models import Payout, PayoutStatus
from zhaoyin.recognition import services as recognition_services
from zhaoyin.recognition.inputs import StepInput
from zhaoyin.recognition.models import Recognition
from zhaoyin.talents import services as talent_services
from zhaoyin.talents.inputs import TalentUpdateInput
from zhaoyin.talents.models import Talent

FIRST_NOTE = "内部初审意见：博士学位证书已核验"


def _the_doctor(world: World) -> Talent:
    """The talent persona's own record made a doctor who arrived this year under a labour
    contract in the city, with nothing under way (the world leaves an application returned)."""
    own: Talent = world.extra["talent_own"]
    office = world.user(Role.TALENT_OFFICE)
    start, end = contract_days()
    # A new ID number born in 1994 (age at arrival under the policy's 35): the birth date follows it.
    own = talent_services.talent_update(acting_user=office, talent=own, data=TalentUpdateInput.of(
        id_type="resident", id_number=make_resident("340402", BIRTH, 654), education="doctorate",
        employer_name=EMPLOYER, arrival_date=arrival_day().isoformat(), contract_start=start.isoformat(),
        contract_end=end.isoformat(), version=own.version))
    assert own.birth_date == BIRTH
    for open_one in Recognition.objects.filter(talent=own).exclude(state__in=["recognized", "refused", "withdrawn"]):
        recognition_services.recognition_step(acting_user=world.user(Role.TALENT), recognition=open_one,
                                              action="withdraw", data=StepInput.of(version=open_one.version))
    return own


def test_the_whole_talent_path_through_the_pages(
    logged_in_page: LoggedInPage, world: World, browser: Browser, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    talent = _the_doctor(world)
    policy = make_living_subsidy(world.units["city"])
    flat = make_flat(world.units["county_a"])

    # 申请: the talent applies in the portal, on the phone.
    page = logged_in_page(Role.TALENT)
    page.set_viewport_size(PHONE)
    open_recognition_form(page, tier="B", statement="博士学位，与本市研究院签订三年劳动合同。",
                          document="博士学位证书.pdf")
    screenshot(page, "path-01-recognition-apply-390")
    send_recognition_form(page)
    recognition = Recognition.objects.get(talent=talent, state="first_review")

    # 初审 by the county, 复审 by the talent office naming tier B: the 公示 opens.
    county = staff_page(browser, live_server, world.user(Role.UNIT_ADMIN))
    pass_first_review(county, recognition.pk, FIRST_NOTE)
    office = staff_page(browser, live_server, world.user(Role.TALENT_OFFICE))
    pass_second_review(office, recognition.pk, "B")
    recognition.refresh_from_db()
    start, end = recognition.publicity_start, recognition.publicity_end
    assert start is not None
    assert end is not None
    assert end == recognition_services.publicity_end(start, recognition.rule_set.publicity_days)
    expect(office.locator("#publicity-dates")).to_contain_text(f"{chinese_date(start)} – {chinese_date(end)}")
    screenshot(office, "path-02-recognition-publicity")

    # 认定: refused on the publicity's last day, taken the day after it.
    monkeypatch.setattr(recognition_services, "today", lambda: end)
    office.locator("#action-recognize button[type=submit]").click()
    day_after = end + dt.timedelta(days=1)
    expect(office.locator("#recognition-problems")).to_contain_text(f"{day_after:%Y-%m-%d}")
    monkeypatch.setattr(recognition_services, "today", lambda: day_after)
    recognize(office, recognition.pk)
    talent.refresh_from_db()
    assert talent.tier == "B"

    page.goto(f"/recognition/mine/{recognition.pk}/")
    expect(page.locator("#my-certificate")).to_contain_text(f"HNRC{day_after.year}-")
    expect(page.locator("body")).not_to_contain_text(FIRST_NOTE)
    fits_the_phone(page)

    # The 博士研究生生活补贴 shows the talent eligible, every condition met with its reason —
    # on the staff page and on the talent's own (the portal's menu entry leads there).
    office.goto(f"/talents/{talent.pk}/policies/")
    card = office.locator(f"#eligible #policy-{policy.pk}")
    expect(card).to_contain_text(POLICY_TITLE)
    expect(card.locator("li[data-result=met]")).to_have_count(4)
    expect(card.locator("li[data-result=unmet], li[data-result=unknown]")).to_have_count(0)
    expect(card.locator("li[data-result=met]").first).not_to_be_empty()
    screenshot(office, "path-03-talent-policies")
    page.goto("/my-talent-policies/")
    expect(page).to_have_url(f"{live_server.url}/talents/{talent.pk}/policies/")
    expect(page.locator(f"#eligible #policy-{policy.pk}")).to_have_attribute("data-verdict", "eligible")
    fits_the_phone(page)
    screenshot(page, "path-04-my-policies-390")

    # The office starts the schedule from the talent's policies page, from this month.
    office.goto(f"/talents/{talent.pk}/policies/")
    office.locator("#schedule-start a", has_text=POLICY_TITLE).click()
    expect(office.locator("#schedule-terms")).to_contain_text(str(INSTALMENTS))
    office.locator("#schedule-form [name=first_period]").fill(this_month())
    office.locator("#schedule-form button[type=submit]").click()
    expect(office.locator(".alert-success")).to_contain_text(str(INSTALMENTS))
    screenshot(office, "path-04b-schedule-started")

    # The scheduled entries are in the ledger; the office submits this month's.
    office.goto(f"/payouts/?policy={policy.pk}&page_size=50")
    expect(office.locator("#payout-table tbody tr")).to_have_count(INSTALMENTS)
    screenshot(office, "path-05-ledger")
    office.goto(f"/payouts/?policy={policy.pk}&period={this_month()}")
    office.locator("#payout-table tbody a", has_text=talent.name).click()
    expect(office.locator("#payout-talent")).to_contain_text(talent.name)
    office.locator("#payout-submit button[type=submit]").click()
    expect(office.locator(".alert-success")).to_be_visible()
    entry = Payout.objects.get(policy=policy, talent=talent, period=this_month())
    assert entry.status == PayoutStatus.PENDING

    # Four eyes: the submitter is offered no approval, and a forged one is refused.
    expect(office.locator("#payout-approve")).to_have_count(0)
    expect(office.get_by_role("note")).to_contain_text("双人复核")
    token = office.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    forged = office.request.post(f"/payouts/{entry.pk}/approve/", form={
        "csrfmiddlewaretoken": token, "version": str(entry.version)})
    assert forged.status == 403, forged.status
    assert "双人复核" in forged.text()
    entry.refresh_from_db()
    assert entry.status == PayoutStatus.PENDING

    county.goto(f"/payouts/{entry.pk}/")
    county.locator("#payout-approve button[type=submit]").click()
    expect(county.locator(".alert-success")).to_be_visible()
    entry.refresh_from_db()
    assert (entry.status, entry.decided_by_id) == (PayoutStatus.APPROVED, world.user(Role.UNIT_ADMIN).pk)
    screenshot(county, "path-06-payout-approved")

    # The talent applies for an apartment on the phone; the office allocates and signs.
    fill_apartment_form(page, layout="one_bed", reason="新引进博士，刚到淮南，暂无住房。", document="学位证书.pdf")
    send_apartment_form(page, "学位证书.pdf")
    application = Application.objects.get(talent=talent)
    lease_start, lease_end = contract_days()
    review_allocate_and_contract(office, application.pk, flat.pk, start=lease_start.isoformat(),
                                 end=lease_end.isoformat(), deposit="1840")
    tenancy = Tenancy.objects.get(talent=talent)
    assert (tenancy.unit_id, tenancy.tier_at_signing, str(tenancy.rent_payable)) == (flat.pk, "B", "184.00")

    # The talent reads the contract on the phone; no internal field, no staff name.
    page.goto("/apartments/my/")
    contract = page.locator("#contract")
    expect(contract).to_contain_text(flat.number)
    expect(contract).to_contain_text(chinese_date(lease_end))
    expect(contract).to_contain_text("184.00")
    assert world.user(Role.TALENT_OFFICE).username not in page.content()
    fits_the_phone(page)
    screenshot(page, "path-07-contract-390")
