"""The browser flow of issue 5's payouts and tailored policy list: a county's staff opens an
enterprise's profile, downloads its 政策服务清单 (PDF and Word), registers a payout from the
profile; the unit admin of the policy's keeping unit approves it (four eyes); the totals page
draws its chart and a bar's table row leads back to the filtered ledger.

Driven in headless Chromium against the live server; screenshots land in var/screenshots/.
"""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

from docx import Document
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from tests.browser.conftest import LoggedInPage, screenshot, sign_in
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import EnterpriseFigure, Qualification
from zhaoyin.matching.tests.support import HIGH_TECH_TREE, make_policy
from zhaoyin.matching.verdicts import refresh_all
from zhaoyin.payouts.models import Payout, PayoutStatus
from zhaoyin.policies.models import Delivery


def test_policy_list_download_and_payout_with_four_eyes(
    logged_in_page: LoggedInPage, world: World, browser: Browser, live_server: object, tmp_path: Path
) -> None:
    enterprise = world.enterprise_a
    enterprise.qualifications.set(Qualification.objects.filter(name="高新技术企业"))
    EnterpriseFigure.objects.create(
        enterprise=enterprise, year=2025, revenue_wan=Decimal("3000"), rd_wan=Decimal("150")
    )
    # Kept by county A, whose administrator reviews its payouts (issue 15: the policy's issuing
    # department approves); a policy that needs an application (免申即享 would wait for the firm).
    policy = make_policy(world.units["county_a"], HIGH_TECH_TREE, title="高新技术企业研发投入奖励",
                         delivery=Delivery.APPLICATION)
    refresh_all()

    page = logged_in_page(Role.STAFF)
    page.goto(f"/enterprises/{enterprise.pk}/")
    with page.expect_download() as pdf_download:
        page.locator("#policy-list-pdf").click()
    pdf_path = tmp_path / "list.pdf"
    pdf_download.value.save_as(pdf_path)
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], check=True, capture_output=True, text=True).stdout
    assert enterprise.name in text
    assert "高新技术企业研发投入奖励" in text
    assert "3000" in text
    with page.expect_download() as docx_download:
        page.locator("#policy-list-docx").click()
    docx_path = tmp_path / "list.docx"
    docx_download.value.save_as(docx_path)
    doc = Document(io.BytesIO(docx_path.read_bytes()))
    assert any("高新技术企业研发投入奖励" in p.text for p in doc.paragraphs)

    page.locator('#payouts a[href*="/payouts/new/"]').click()
    expect(page).to_have_url(re.compile(r"/payouts/new/\?enterprise="))
    page.locator('select[name="policy"]').select_option(str(policy.pk))
    page.locator('input[name="period"]').fill("2025")
    page.locator('input[name="amount_wan"]').fill("35.5")
    page.locator("#payout-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/payouts/\d+/$"))
    expect(page.locator("#payout-amount")).to_contain_text("35.50")
    expect(page.locator("#payout-approve")).to_have_count(0)  # staff registers, does not approve
    payout = Payout.objects.get(policy=policy)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=live_server.url)  # type: ignore[attr-defined]
    admin_page = context.new_page()
    sign_in(admin_page, world.user(Role.UNIT_ADMIN), PASSWORD)
    admin_page.goto(f"/payouts/{payout.pk}/")
    admin_page.locator("#payout-approve button[type=submit]").click()
    expect(admin_page.locator("#payout-facts")).to_contain_text("2025")
    assert Payout.objects.get(policy=policy).status == PayoutStatus.APPROVED
    screenshot(admin_page, "payout-detail-approved")

    admin_page.goto("/payouts/totals/?year=2025&by=policy")
    expect(admin_page.locator("[data-zy-chart] canvas")).to_have_count(1)
    screenshot(admin_page, "payout-totals")
    admin_page.locator("#payout-totals-table a", has_text="高新技术企业研发投入奖励").click()
    expect(admin_page).to_have_url(re.compile(rf"/payouts/\?policy={policy.pk}&year=2025&granted=true"))
    expect(admin_page.locator("#payout-table")).to_contain_text(enterprise.name)
    screenshot(admin_page, "payout-ledger")
    context.close()
