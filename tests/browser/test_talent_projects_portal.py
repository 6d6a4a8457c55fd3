"""The talent applies for a talent project on a phone-sized screen (390×844): the open round's
card, the form (no talent, no employer: they come from the record), a refusal naming the
amount, then the application's card and page; no page is wider than the phone. Screenshots
land in var/screenshots/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, LoggedInPage, fits_the_phone, screenshot
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.talentprojects.models import Programme, ProgrammeRound, TalentProject
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent


def test_talent_applies_for_a_talent_project_on_a_phone(logged_in_page: LoggedInPage, world: World) -> None:
    today = timezone.localdate()
    persona = world.user(Role.TALENT)
    own = Talent.objects.filter(account=persona).first() or make_talent(
        org_unit=world.units["county_a"], name="林晓", account=persona, employer_name="淮南监测装备研究院")
    programme = Programme.objects.create(code="ptyc", name="平台引才奖补", level="city", sponsor="市委组织部人才科",
                                         max_funding_wan=Decimal(500))
    rnd = ProgrammeRound.objects.create(programme=programme, year=today.year, name="第二批",
                                        opens_on=today - dt.timedelta(days=3), closes_on=today + dt.timedelta(days=20))

    page = logged_in_page(Role.TALENT)
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.locator('a[href="/talent-projects/mine/"]:visible').first.click()  # the home page's shortcut
    expect(page.locator(f"#open-round-{rnd.pk}")).to_contain_text("平台引才奖补")
    fits_the_phone(page)
    screenshot(page, "70-talent-project-rounds-phone")
    page.locator(f"#open-round-{rnd.pk} a").click()
    form = page.locator("#talent-project-apply")
    expect(form.locator('select[name="round"]')).to_have_value(str(rnd.pk))
    assert form.locator('[name="talent"]').count() == 0
    form.locator('input[name="title"]').fill("智能监测装备研发平台")
    form.locator('input[name="requested_wan"]').fill("600")
    form.locator('textarea[name="summary"]').fill("建设监测装备中试线，三年内形成产品。")
    form.locator('button[type="submit"]').click()
    expect(page.locator("#talent-project-apply .invalid-feedback")).to_contain_text("500")
    assert not TalentProject.objects.filter(round=rnd).exists()
    fits_the_phone(page)
    screenshot(page, "71-talent-project-apply-refused-phone")
    page.locator('#talent-project-apply input[name="requested_wan"]').fill("300")
    page.locator('#talent-project-apply button[type="submit"]').click()
    project = TalentProject.objects.get(round=rnd)
    assert (project.talent_id, project.requested_wan) == (own.pk, Decimal(300))
    expect(page.locator("#my-steps")).to_be_visible()
    fits_the_phone(page)
    screenshot(page, "72-talent-project-detail-phone")
    page.goto("/talent-projects/mine/")
    expect(page.locator(f"#my-project-{project.pk}")).to_contain_text("智能监测装备研发平台")
    fits_the_phone(page)
    screenshot(page, "73-talent-project-mine-phone")
