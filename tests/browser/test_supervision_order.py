"""The supervision office's powers in the browser (issue 15 item 4): the 督查室 opens a matter
county A is handling, 督办s it with a note and a 限期 through the page, downloads the numbered
督办单 from the page's link and reads it back as Word; then 挂牌s it with the supervising
leader and a 限期 and gets the 挂牌督办单. Screenshots land in var/screenshots/."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from playwright.sync_api import Page, expect

from tests.browser.conftest import LoggedInPage, screenshot
from tests.world import World
from zhaoyin.core.gongwen import chinese_date
from zhaoyin.core.roles import Role
from zhaoyin.matters import clocks
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, MatterEvent, SupervisionOrder

TITLE = "大通区某光伏组件项目并网接入协调"
DESCRIPTION = "项目一期已建成，并网接入方案迟迟未批复，企业多次反映。"
NOTE = "请大通区于限期内协调供电公司批复接入方案，并书面反馈。"
ORDER_NUMBER = re.compile(r"淮招督〔\d{4}〕\d+号")


def _running_matter(world: World) -> Matter:
    """A matter county A signed for and is handling (its handling clock running)."""
    today = clocks.today()
    return Matter.objects.create(
        code="JB2026-000201",
        title=TITLE,
        description=DESCRIPTION,
        source="project_obstacle",
        kind="coordination",
        state=State.ACCEPTED.value,
        dispatcher_unit=world.units["city"],
        lead_unit=world.units["county_a"],
        received_on=today - dt.timedelta(days=15),
        handle_from=today - dt.timedelta(days=12),
        sign_deadline=today - dt.timedelta(days=13),
        handle_deadline=today + dt.timedelta(days=10),
        last_progress_on=today - dt.timedelta(days=12),
    )


def _download(page: Page, link_text: str, tmp_path: Path) -> DocxDocument:
    """Click the 督办单 link named ``link_text`` and open what arrives with python-docx."""
    with page.expect_download() as download:
        page.locator("#supervision-orders a.zy-order-link", has_text=link_text).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".docx"
    return Document(io.BytesIO(path.read_bytes()))


def _text(doc: DocxDocument) -> str:
    """Every paragraph and table cell of the document, one per line."""
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_supervise_and_list_with_orders_read_back(logged_in_page: LoggedInPage, world: World, tmp_path: Path) -> None:
    leader = world.user(Role.LEADER)
    leader.full_name = "张副市长"
    leader.save(update_fields=["full_name"])
    matter = _running_matter(world)
    today = clocks.today()
    supervise_by = today + dt.timedelta(days=7)
    listed_by = today + dt.timedelta(days=21)

    page = logged_in_page(Role.SUPERVISOR)
    page.goto(f"/matters/{matter.pk}/")
    expect(page.locator("#supervision-orders")).to_have_count(0)  # no order before the first 督办
    # Each action's form is found by its id (#action-<code>): no other element may carry it
    # (the action 挂牌 is ``list``, and the panel holding the forms once was #action-list).
    duplicates = page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
    )
    assert duplicates == [], duplicates

    # 督办 with a note and a 限期, through the page's form.
    box = page.locator("#action-supervise")
    box.locator("summary").click()
    form = box.locator("form")
    form.locator('textarea[name="note"]').fill(NOTE)
    form.locator('input[name="deadline"]').fill(supervise_by.isoformat())
    screenshot(page, "24-matter-supervise-form")
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_be_visible()

    order = SupervisionOrder.objects.get(matter=matter)
    assert ORDER_NUMBER.fullmatch(order.doc_number), order.doc_number
    assert (order.kind, order.deadline, order.requirement) == ("supervise", supervise_by, NOTE)
    links = page.locator("#supervision-orders a.zy-order-link")
    expect(links).to_have_count(1)
    expect(links.first).to_have_text(order.doc_number)
    expect(page.locator('#matter-timeline li[data-action="supervise"]')).to_contain_text(NOTE)
    matter.refresh_from_db()
    assert matter.state == State.ACCEPTED  # 督办 keeps the matter where it is

    doc = _download(page, order.doc_number, tmp_path)
    text = _text(doc)
    assert ORDER_NUMBER.search(text)
    assert order.doc_number in text
    assert "督办单" in text
    assert TITLE in text
    assert NOTE in text
    assert world.units["county_a"].name in text
    assert _chinese(supervise_by) in text

    # 挂牌督办 with the supervising leader and a 限期, on the same page.
    box = page.locator("#action-list")
    box.locator("summary").click()
    form = box.locator("form")
    form.locator('select[name="leader"]').select_option(leader.get_username())
    form.locator('input[name="deadline"]').fill(listed_by.isoformat())
    form.locator('textarea[name="note"]').fill("列入市领导挂牌督办，月底前办结。")
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_be_visible()

    matter.refresh_from_db()
    assert (matter.listed, matter.listed_leader, matter.listed_deadline) == (True, leader, listed_by)
    expect(page.locator("#matter-listed-leader")).to_have_text("张副市长")
    expect(page.locator("#matter-listed-deadline")).to_have_text(chinese_date(listed_by))
    listed = SupervisionOrder.objects.get(matter=matter, kind="listed")
    assert listed.number != order.number  # numbered on, never reused
    expect(page.locator("#supervision-orders a.zy-order-link")).to_have_count(2)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "25-matter-supervision-orders")

    doc = _download(page, listed.doc_number, tmp_path)
    text = _text(doc)
    assert listed.doc_number in text
    assert "挂牌督办单" in text
    assert TITLE in text
    assert "张副市长" in text
    assert _chinese(listed_by) in text

    assert list(
        MatterEvent.objects.filter(matter=matter, action__in=("supervise", "list"))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["supervise", "list"]
