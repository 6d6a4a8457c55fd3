"""The browser flow of an assigned matter (issue 4 items 1 and 10): the supervision office
(a dispatcher) registers a matter and assigns it to county A, county A's staff signs for it
and reports the result, the office approves it and rates it on the requester's behalf — all
through the pages — and the timeline shows every step. Screenshots of the list, the detail
and the flowchart land in var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import LoggedInPage, screenshot, sign_in
from tests.world import World
from zhaoyin.core.gongwen import chinese_date
from zhaoyin.core.roles import Role
from zhaoyin.matters import clocks
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, MatterEvent

TITLE = "淮南某新材料公司扩产用电增容协调"


def _surroundings(world: World) -> None:
    """A few matters in other states around the one the test works on, so the list reads
    naturally (one overdue, one close to its deadline, one listed for supervision)."""
    today = clocks.today()
    rows = [
        (
            "JB2026-000101",
            "企业反映项目用地报批进度缓慢",
            "project_obstacle",
            "coordination",
            State.ACCEPTED,
            today - dt.timedelta(days=3),
            False,
        ),
        ("JB2026-000102", "高层次人才子女入学咨询", "talent_demand", "talent_demand", State.ACCEPTED, today, False),
        (
            "JB2026-000103",
            "市领导批示：推进重点项目手续并联审批",
            "leader_instruction",
            "urgent_instruction",
            State.ASSIGNED,
            today + dt.timedelta(days=30),
            True,
        ),
        (
            "JB2026-000104",
            "企业咨询研发费用加计扣除政策",
            "enterprise_demand",
            "consultation",
            State.CLOSED,
            None,
            False,
        ),
    ]
    for code, title, source, kind, state, deadline, listed in rows:
        Matter.objects.create(
            code=code,
            title=title,
            source=source,
            kind=kind,
            state=state.value,
            dispatcher_unit=world.units["city"],
            lead_unit=world.units["county_a"],
            received_on=today - dt.timedelta(days=20),
            handle_from=today - dt.timedelta(days=20),
            sign_deadline=deadline if state == State.ASSIGNED else today - dt.timedelta(days=18),
            handle_deadline=deadline,
            listed=listed,
        )


def _switch(page: Page, world: World, role: Role) -> None:
    """Sign out (drop the session cookie) and sign in as another persona."""
    page.context.clear_cookies()
    sign_in(page, world.user(role))


def _act(page: Page, action: str, fields: dict[str, str] | None = None, shot: str = "") -> None:
    """Open an action's form on the detail page, fill it and submit it (``shot``: a
    screenshot of the filled form first)."""
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    form = box.locator("form")
    for selector, value in (fields or {}).items():
        form.locator(selector).fill(value)
    if shot:
        screenshot(page, shot)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_be_visible()


def test_matter_lifecycle_in_the_browser(logged_in_page: LoggedInPage, world: World) -> None:
    _surroundings(world)
    page = logged_in_page(Role.SUPERVISOR)

    # 登记: the supervision office registers the matter.
    page.goto("/matters/new/")
    form = page.locator("#matter-form")
    form.locator('input[name="title"]').fill(TITLE)
    form.locator('select[name="source"]').select_option("enterprise_demand")
    form.locator('select[name="kind"]').select_option("coordination")
    form.locator('select[name="lead_unit"]').select_option(world.units["county_a"].code)
    form.locator('input[name="requester_name"]').fill("淮南某新材料有限公司 王经理")
    form.locator('textarea[name="description"]').fill(
        "企业新上两条生产线，需新增用电容量4000千伏安，请协调供电部门尽快办理。"
    )
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/matters/\d+/$"))
    matter = Matter.objects.get(title=TITLE)
    assert matter.state == State.DRAFT

    # 交办: assigned to county A with 10 working days.
    _act(
        page,
        "assign",
        {'input[name="handle_days"]': "10", 'textarea[name="note"]': "请大通区牵头协调，按期反馈。"},
        shot="23-matter-assign-form",
    )
    matter.refresh_from_db()
    assert matter.state == State.ASSIGNED
    assert matter.handle_deadline is not None
    expect(page.locator("#handle-deadline")).to_have_text(chinese_date(matter.handle_deadline))

    # 签收 and 办结反馈 by county A's staff.
    _switch(page, world, Role.STAFF)
    page.goto(f"/matters/{matter.pk}/")
    _act(page, "accept", {'textarea[name="note"]': "已签收，联系供电公司现场踏勘。"})
    _act(page, "report", {'textarea[name="summary"]': "已协调供电公司完成增容方案，变压器下周安装到位。"})
    matter.refresh_from_db()
    assert matter.state == State.REPORTED

    # 审核办结 and 回访评价 (on the requester's behalf) by the office.
    _switch(page, world, Role.SUPERVISOR)
    page.goto(f"/matters/{matter.pk}/")
    _act(page, "approve", {'textarea[name="note"]': "经核实已办结。"})
    box = page.locator("#action-rate")
    box.locator("summary").click()
    box.locator('input[name="rating"][value="satisfied"]').check()
    box.locator('textarea[name="comment"]').fill("电话回访，企业表示满意。")
    box.locator('button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_be_visible()
    matter.refresh_from_db()
    assert matter.state == State.RATED

    steps = ["rate", "approve", "report", "accept", "assign", "create"]
    items = page.locator("#matter-timeline li")
    expect(items).to_have_count(len(steps))
    for i, action in enumerate(steps):
        expect(items.nth(i)).to_have_attribute("data-action", action)
    expect(page.locator("#matter-timeline")).to_contain_text("电话回访，企业表示满意。")
    assert list(MatterEvent.objects.filter(matter=matter).order_by("id").values_list("action", flat=True)) == [
        *reversed(steps)
    ]
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "21-matter-detail")

    page.goto("/matters/")
    expect(page.locator(f'#matter-table tr[data-matter="{matter.pk}"]')).to_be_visible()
    expect(page.locator('#matter-table [data-alert="overdue"]').first).to_be_visible()
    expect(page.locator('#matter-table [data-alert="approaching"]').first).to_be_visible()
    screenshot(page, "20-matter-list")

    page.goto("/matters/flowchart/")
    expect(page.locator("#matter-flowchart svg")).to_be_visible()
    expect(page.locator('#matter-flowchart g.state[data-state="accepted"]')).to_be_visible()
    screenshot(page, "22-matter-flowchart")
