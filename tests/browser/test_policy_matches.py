"""The browser flow of issue 5's matching: a county's staff opens an enterprise's profile,
follows "all matches" to its policy page, and reads an eligible policy with its met
conditions' reasons (and a possible one naming the data missing).

Driven in headless Chromium against the live server; screenshots land in var/screenshots/.
"""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import LoggedInPage, screenshot
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import EnterpriseFigure, Qualification
from zhaoyin.matching.tests.support import HIGH_TECH_TREE, make_policy
from zhaoyin.matching.verdicts import refresh_all


def test_enterprise_policy_page_shows_eligible_policy_with_reasons(
    logged_in_page: LoggedInPage, world: World
) -> None:
    enterprise = world.enterprise_a
    enterprise.qualifications.set(Qualification.objects.filter(name="高新技术企业"))
    EnterpriseFigure.objects.create(
        enterprise=enterprise, year=2025, revenue_wan=Decimal("3000"), rd_wan=Decimal("150")
    )
    policy = make_policy(world.units["city"], HIGH_TECH_TREE, title="高新技术企业研发投入奖励")
    refresh_all()

    page = logged_in_page(Role.STAFF)
    page.goto(f"/enterprises/{enterprise.pk}/")
    panel = page.locator("#policy-matches")
    expect(panel).to_contain_text("高新技术企业研发投入奖励")
    panel.locator(f'a[href$="/enterprises/{enterprise.pk}/policies/"]').click()
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise.pk}/policies/$"))

    card = page.locator(f"#eligible #policy-{policy.pk}")
    expect(card).to_be_visible()
    expect(card).to_contain_text("高新技术企业研发投入奖励")
    expect(card.locator(".badge.text-bg-success")).to_be_visible()  # 免申即享
    met = card.locator('li[data-result="met"]')
    expect(met).to_have_count(3)
    expect(met.nth(0)).to_contain_text("已获 高新技术企业 认定")
    expect(met.nth(1)).to_contain_text("2025年研发费用占营业收入")
    expect(met.nth(2)).to_contain_text("2025年营业收入")
    expect(card.locator('li[data-result="unmet"]')).to_have_count(0)
    screenshot(page, "policy-matches-enterprise")

    # The policy's 免申即享 list names the enterprise, and its link leads back to the reasons.
    page.goto(f"/policies/{policy.pk}/eligible/")
    expect(page.locator("#eligible-table")).to_contain_text(enterprise.name)
    screenshot(page, "policy-matches-eligible-list")
