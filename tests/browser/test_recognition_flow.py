"""The browser flow of talent recognition (issue 13 item 2): on a phone-sized screen (390×844)
the talent withdraws an application returned to them and applies again with a document; the
county's unit admin passes the 初审; the talent office passes the 复审 naming the tier, which
opens a publicity of five working days across the National Day holidays; once it has ended the
office recognizes the talent (certificate number, tier); the talent's portal shows the
certificate but never the 初审 note. Screenshots land in var/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, LoggedInPage, fits_the_phone, screenshot, staff_page
from tests.browser.steps import (
    open_recognition_form,
    pass_first_review,
    pass_second_review,
    recognize,
    send_recognition_form,
)
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.recognition import services
from zhaoyin.recognition.models import Recognition, TierRule, TierRuleSet

FIRST_NOTE = "内部初审意见：社保记录已核对"


def test_a_talent_is_recognized_through_the_pages(
    logged_in_page: LoggedInPage, world: World, browser: Browser, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Applied on Wednesday 30 September 2026: the five working days end on 13 October.
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 9, 30))
    if not TierRuleSet.objects.filter(year=2026, status="active").exists():
        rule_set = TierRuleSet.objects.create(year=2026, number=9, status="active")
        TierRule.objects.create(rule_set=rule_set, tier="B", tree={"field": "education", "op": "eq",
                                                                   "value": "doctorate"})
    talent = world.extra["talent_own"]

    page = logged_in_page(Role.TALENT)
    page.set_viewport_size(PHONE)
    page.goto("/recognition/mine/")
    fits_the_phone(page)
    page.locator("a.zy-portal-card").first.click()
    page.locator("#my-action-withdraw button[type=submit]").click()
    expect(page.locator(".zy-state")).to_contain_text("已撤回")
    open_recognition_form(page, tier="D", statement="本科学历，劳动合同三年。", document="学位证书.pdf")
    screenshot(page, "recognition-portal-apply-390")
    send_recognition_form(page)
    recognition = Recognition.objects.get(talent=talent, state="first_review")
    assert recognition.files.count() == 1

    unit = staff_page(browser, live_server, world.user(Role.UNIT_ADMIN))
    pass_first_review(unit, recognition.pk, FIRST_NOTE)

    office = staff_page(browser, live_server, world.user(Role.TALENT_OFFICE))
    pass_second_review(office, recognition.pk, "D")
    expect(office.locator("#publicity-dates")).to_contain_text("2026年9月30日 – 2026年10月13日")
    screenshot(office, "recognition-detail-publicity")

    # On the last day of the publicity the decision is refused; the next day it is taken.
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 10, 13))
    office.locator("#action-recognize button[type=submit]").click()
    expect(office.locator("#recognition-problems")).to_contain_text("2026-10-14")
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 10, 14))
    recognize(office, recognition.pk)
    expect(office.locator("#certificate-no")).to_contain_text("HNRC2026-")
    talent.refresh_from_db()
    assert (talent.tier, talent.tier_valid_until) == ("D", dt.date(2029, 10, 14))

    page.goto(f"/recognition/mine/{recognition.pk}/")
    expect(page.locator("#my-certificate")).to_contain_text("HNRC2026-")
    expect(page.locator("body")).not_to_contain_text(FIRST_NOTE)
    fits_the_phone(page)
    screenshot(page, "recognition-portal-recognized-390")
