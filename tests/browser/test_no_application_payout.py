"""The browser flow of a 免申即享 payout (issue 15 item 6): the office registers a firm the data
comparison found (the entry waits for the firm), the firm confirms it in its portal (意愿确认, on a
phone), the policy's issuing department approves it and starts the 公示, and once the notice has
ended the paying unit records the 拨付 — refused without a voucher number, then with the date and
the voucher — and the firm confirms the money arrived (已到账). The policy's page shows no
application guide. Screenshots land in var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, LoggedInPage, fits_the_phone, screenshot, staff_page
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.matching.tests.support import ABOVE_TREE, make_policy
from zhaoyin.payouts.models import Payout, PayoutStatus, PolicyApprovers
from zhaoyin.policies.models import Delivery


def test_a_no_application_payout_through_confirmation_notice_and_payment(
    logged_in_page: LoggedInPage, world: World, browser: Browser, live_server: Any
) -> None:
    enterprise = world.enterprise_a
    enterprise.size_class = "above"  # the data comparison found it: 规上 (the policy's tree)
    enterprise.save(update_fields=["size_class"])
    policy = make_policy(world.units["city"], ABOVE_TREE, title="规上工业企业稳产奖励（免申即享）",
                         delivery=Delivery.NO_APPLICATION)
    policy.application_guide = "请填写申请表并提交"
    policy.save()
    # Roles as data: county A reviews and pays this policy's entries (the world's unit persona
    # and staff sit there); the city admin registers.
    PolicyApprovers.objects.create(policy=policy, review_unit=world.units["county_a"],
                                   payment_unit=world.units["county_a"])

    # 数据比对: the city admin registers the firm; the entry waits for its confirmation.
    office = staff_page(browser, live_server, world.user(Role.CITY_ADMIN))
    office.goto(f"/policies/{policy.pk}/")
    expect(office.locator("#policy-no-application")).to_be_visible()
    assert "请填写申请表并提交" not in office.content()  # 免申即享: never an application guide
    office.goto(f"/payouts/new/?enterprise={enterprise.pk}&policy={policy.pk}")
    office.locator('input[name="period"]').fill("2025")
    office.locator('input[name="amount_wan"]').fill("8")
    office.locator("#payout-form button[type=submit]").click()
    expect(office).to_have_url(re.compile(r"/payouts/\d+/$"))
    expect(office.locator("#payout-facts")).to_contain_text("待企业确认")
    payout = Payout.objects.get(policy=policy)
    assert payout.status == PayoutStatus.MATCHED

    # 意愿确认: the firm, on its phone.
    firm = logged_in_page(Role.ENTERPRISE)
    firm.set_viewport_size(PHONE)
    firm.goto("/payouts/benefits/")
    card = firm.locator(f"#benefit-{payout.pk}")
    expect(card).to_contain_text("规上工业企业稳产奖励")
    expect(card).to_contain_text("待企业确认")
    fits_the_phone(firm)
    screenshot(firm, "payout-no-application-confirm-phone")
    firm.locator(f"#benefit-{payout.pk}-confirm button").click()
    expect(firm.locator(f"#benefit-{payout.pk}")).to_contain_text("待审核")
    assert Payout.objects.get(pk=payout.pk).confirmed_at is not None

    # 审核 and 公示: the issuing department (county A's administrator here).
    reviewer = staff_page(browser, live_server, world.user(Role.UNIT_ADMIN))
    reviewer.goto(f"/payouts/{payout.pk}/")
    reviewer.locator("#payout-approve button[type=submit]").click()
    expect(reviewer.locator("#payout-facts")).to_contain_text("已核准")
    reviewer.locator("#payout-publicize button[type=submit]").click()
    expect(reviewer.locator("#payout-publicity")).to_be_visible()
    ends = Payout.objects.get(pk=payout.pk).publicity_ends
    assert ends is not None
    assert ends > timezone.localdate()
    # The working days pass: the notice ended yesterday.
    Payout.objects.filter(pk=payout.pk).update(publicity_ends=timezone.localdate() - dt.timedelta(days=1))

    # 拨付: the paying unit's staff; a missing voucher number is refused on its field.
    payer = staff_page(browser, live_server, world.user(Role.STAFF))
    payer.goto(f"/payouts/{payout.pk}/")
    payer.locator("#paid-on").fill(timezone.localdate().isoformat())
    payer.locator("#payout-pay button[type=submit]").click()
    expect(payer.locator("#payout-action-errors")).to_contain_text("拨付凭证号")
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.PUBLICIZED
    payer.locator("#paid-on").fill(timezone.localdate().isoformat())
    payer.locator("#voucher-no").fill("淮财拨〔2025〕0318号")
    payer.locator("#payout-pay button[type=submit]").click()
    expect(payer.locator("#payout-paid")).to_contain_text("淮财拨〔2025〕0318号")
    screenshot(payer, "payout-no-application-paid")

    # 已到账: the firm confirms.
    firm.goto("/payouts/benefits/")
    firm.locator(f"#benefit-{payout.pk}-receive button").click()
    expect(firm.locator(f"#benefit-{payout.pk}")).to_contain_text("已到账")
    done = Payout.objects.get(pk=payout.pk)
    assert done.status == PayoutStatus.RECEIVED
    assert done.voucher_no == "淮财拨〔2025〕0318号"
