"""我的补贴 on a phone (390×844): the talent reads their own subsidies as cards — a paid one, one
in public notice with its last day, the schedule ahead — and nothing of the government's working
file (a pending entry, who decided); the page is no wider than the phone. The screenshot lands
in var/screenshots/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, LoggedInPage, fits_the_phone, screenshot
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.matching.tests.talent_support import DOCTOR_TREE, make_talent_policy
from zhaoyin.payouts.models import Payout, PayoutStatus
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent


def test_the_talent_reads_their_subsidies_on_a_phone(logged_in_page: LoggedInPage, world: World) -> None:
    persona = world.user(Role.TALENT)
    own = Talent.objects.filter(account=persona).first() or make_talent(
        org_unit=world.units["county_a"], name="林晓", account=persona)
    policy = make_talent_policy(world.units["city"], DOCTOR_TREE, title="博士研究生生活补贴")
    today = timezone.localdate()
    office = world.user(Role.TALENT_OFFICE)

    def entry(n: int, status: str, **values: object) -> Payout:
        return Payout.objects.create(
            policy=policy, talent=own, period=f"2025-{n:02d}", instalment=n, amount_wan=Decimal("0.30"),
            status=status, org_unit=own.org_unit, registered_by=office, decided_by=office, **values,
        )

    paid = entry(1, PayoutStatus.PAID, paid_at=timezone.now() - dt.timedelta(days=20))
    noticed = entry(2, PayoutStatus.PUBLICIZED, publicity_ends=today + dt.timedelta(days=3))
    pending = entry(3, PayoutStatus.PENDING, note="内部备注")
    due = [entry(n, PayoutStatus.DUE) for n in range(4, 8)]

    page = logged_in_page(Role.TALENT)
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.locator('a[href="/payouts/mine/"] >> visible=true').first.click()  # the home page's shortcut
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("我的补贴")
    expect(page.locator(f"#payout-{paid.pk}")).to_contain_text("已拨付")
    expect(page.locator(f"#payout-{noticed.pk}")).to_contain_text(f"公示至 {noticed.publicity_ends:%Y-%m-%d}")
    expect(page.locator(f"#payout-{due[0].pk}")).to_contain_text("2025-04")
    # The world may hold more of the persona's entries (the matrix's): the sum is theirs all.
    paid_sum = sum(p.amount_wan for p in Payout.objects.filter(talent=own, status=PayoutStatus.PAID))
    expect(page.locator("#my-paid-total")).to_have_text(f"{paid_sum:.2f}")
    assert page.locator(f"#payout-{pending.pk}").count() == 0
    assert "内部备注" not in page.content()
    assert office.username not in page.content()
    fits_the_phone(page)
    screenshot(page, "63-my-subsidies-phone")
