"""Hand-offs in the browser (issue 11, acceptance): the supervision office (督查室) assigns a
matter → county A's staff see it at the top of 我的待办 and in the inbox → sign for it →
report → the office sees 待审核 → approves → the requester sees 待评价. Screenshots of the
to-do page and the home page land in var/screenshots/."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from tests.browser.conftest import LoggedInPage, screenshot, sign_in
from tests.world import World
from zhaoyin.core.roles import Role
from zhaoyin.matters import clocks, services
from zhaoyin.matters.flow import State
from zhaoyin.matters.inputs import MatterCreateInput
from zhaoyin.matters.models import Matter
from zhaoyin.notifications.models import Notification

TITLE = "企业新建厂房施工许可办理协调"


def _switch(page: Page, world: World, role: Role) -> None:
    page.context.clear_cookies()
    sign_in(page, world.user(role))


def _act(page: Page, action: str, fields: dict[str, str] | None = None) -> None:
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    form = box.locator("form")
    for selector, value in (fields or {}).items():
        form.locator(selector).fill(value)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_be_visible()


def _background(world: World) -> None:
    """Two items county A is handling, due later than the new one's sign-for deadline (the
    matrix world's own matters are set aside: their deadlines are long past)."""
    Matter.objects.update(state=State.RATED.value)
    today = clocks.today()
    for code, title, state, deadline in [
        ("JB2026-000201", "园区道路配套工程推进缓慢", State.ACCEPTED, today + dt.timedelta(days=6)),
        ("JB2026-000202", "人才公寓入住手续咨询", State.ACCEPTED, today + dt.timedelta(days=40)),
    ]:
        Matter.objects.create(
            code=code,
            title=title,
            source="enterprise_demand",
            kind="coordination",
            state=state.value,
            dispatcher_unit=world.units["city"],
            lead_unit=world.units["county_a"],
            received_on=today - dt.timedelta(days=10),
            handle_from=today - dt.timedelta(days=10),
            sign_deadline=today - dt.timedelta(days=9),
            handle_deadline=deadline,
        )


def test_hand_offs_reach_the_to_do_lists(logged_in_page: LoggedInPage, world: World) -> None:
    _background(world)
    # The enterprise's demand, registered by its own account (the requester).
    matter = services.matter_create(
        acting_user=world.user(Role.ENTERPRISE),
        data=MatterCreateInput.of(
            title=TITLE,
            source="enterprise_demand",
            kind="coordination",
            description="新建厂房已具备开工条件，施工许可尚未办结，请协调住建部门。",
        ),
    )

    # 督查室 assigns it to county A.
    page = logged_in_page(Role.SUPERVISOR)
    page.goto(f"/matters/{matter.pk}/")
    box = page.locator("#action-assign")
    box.locator("summary").click()
    box.locator('select[name="lead_unit"]').select_option(world.units["county_a"].code)
    box.locator('input[name="handle_days"]').fill("10")
    box.locator('button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_be_visible()
    matter.refresh_from_db()
    assert matter.state == State.ASSIGNED

    # County A's staff: first in 我的待办 (its sign-for deadline is the soonest), and in the inbox.
    _switch(page, world, Role.STAFF)
    expect(page.locator(".zy-nav-badge").first).to_be_visible()
    page.goto("/todo/")
    first = page.locator("table.zy-todo tbody tr").first
    expect(first).to_have_attribute("data-todo", "to_sign")
    expect(first).to_contain_text(matter.code)
    expect(first).to_contain_text("待签收")
    screenshot(page, "60-todo-unit-staff")
    page.goto("/")
    expect(page.locator("#zy-home-todo-head")).to_be_visible()
    expect(page.locator("table.zy-todo tbody tr").first).to_contain_text(matter.code)
    screenshot(page, "61-home-with-todo")
    page.goto("/inbox/")
    expect(page.locator("#zy-content")).to_contain_text(f"待签收：{matter.code}")
    assert Notification.objects.filter(recipient=world.user(Role.STAFF), kind="matter.assign").count() == 1

    # Sign for it and report.
    page.goto(f"/matters/{matter.pk}/")
    _act(page, "accept", {'textarea[name="note"]': "已签收，联系住建局。"})
    _act(page, "report", {'textarea[name="summary"]': "施工许可已核发。"})
    page.goto("/todo/")
    expect(page.locator(f'table.zy-todo tr:has-text("{matter.code}")')).to_have_count(0)
    expect(page.locator("#zy-content")).to_contain_text("施工许可")  # 已办 lists the steps

    # The office sees 待审核, approves.
    _switch(page, world, Role.SUPERVISOR)
    page.goto("/todo/")
    row = page.locator(f'table.zy-todo tr:has-text("{matter.code}")')
    expect(row).to_have_attribute("data-todo", "to_review")
    expect(row).to_contain_text("待审核")
    row.locator("a").first.click()
    _act(page, "approve", {'textarea[name="note"]': "经核实已办结。"})

    # The requester sees 待评价.
    _switch(page, world, Role.ENTERPRISE)
    page.goto("/todo/")
    row = page.locator(f'table.zy-todo tr:has-text("{matter.code}")')
    expect(row).to_have_attribute("data-todo", "to_rate")
    expect(row).to_contain_text("待评价")
    screenshot(page, "62-todo-requester")
    matter.refresh_from_db()
    assert matter.state == State.CLOSED
