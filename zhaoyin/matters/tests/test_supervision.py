"""The supervision office's powers (issue 15 item 4) and the flowchart for people (item 8):
manual 催办 / 督办 with a note, one notice per clock level shared with the escalation ladder;
the numbered 督办单 (Word, read back); 挂牌 with the supervising leader and a 限期; yellow for
slow progress (进展滞后); the swimlane chart in Chinese only."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.tests.office_files import assert_page_numbers
from zhaoyin.matters import clocks
from zhaoyin.matters.clocks import SHANGHAI
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter, MatterEvent, MatterNotice, SupervisionOrder
from zhaoyin.matters.scan import scan_pass
from zhaoyin.matters.tests.conftest import MakeMatter, People, fingerprint
from zhaoyin.notifications.models import Notification

pytestmark = pytest.mark.django_db

URL = "/api/v1/matters"
FRIDAY = dt.date(2026, 6, 5)  # a handling deadline; Mon 8 June is the first overdue working day


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def act(client: Client, matter: Matter, action: str, body: dict[str, Any]) -> Any:
    return client.post(f"{URL}/{matter.pk}/actions/{action}", data=json.dumps(body), content_type="application/json")


def inbox(user: User, kind: str) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_a_manual_urge_after_the_scans_sends_no_second_notice(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=FRIDAY)
    office = api(people.supervisor)
    with time_machine.travel(at(dt.date(2026, 6, 9)), tick=False):
        scan_pass()
        assert inbox(people.lead, "matter.urge") == 1
        response = act(office, matter, "urge", {"note": "请本周内办结"})
    assert response.status_code == 200, response.content
    assert MatterNotice.objects.filter(matter=matter, kind="urge").count() == 1
    assert inbox(people.lead, "matter.urge") == 1  # not told twice of the same level
    event = MatterEvent.objects.get(matter=matter, action="urge")
    assert (event.note, event.data["notice_sent"], event.actor) == ("请本周内办结", False, people.supervisor)
    assert AuditRecord.objects.filter(action="matter.urge", object_id=str(matter.pk)).exists()


def test_the_scan_sends_no_urge_after_a_manual_one_for_the_same_level(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=FRIDAY)
    with time_machine.travel(at(dt.date(2026, 6, 3)), tick=False):
        assert act(api(people.supervisor), matter, "urge", {"note": "临近期限，请抓紧"}).status_code == 200
    notice = MatterNotice.objects.get(matter=matter, kind="urge")
    assert (notice.issued_by, notice.note, notice.clock, notice.deadline) == (
        people.supervisor, "临近期限，请抓紧", "handling", FRIDAY)
    assert inbox(people.lead, "matter.urge") == 1
    with time_machine.travel(at(dt.date(2026, 6, 9)), tick=False):
        result = scan_pass()
    assert result.notices["urge"] == 0
    assert MatterNotice.objects.filter(matter=matter, kind="urge").count() == 1
    assert inbox(people.lead, "matter.urge") == 1


def _docx_text(content: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_a_manual_supervise_issues_a_numbered_order_read_back_from_word(
    people: People, make_matter: MakeMatter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaoyin.core.testing import atomic_depths
    from zhaoyin.matters import supervision_docs

    # The action stores the order's number; the Word file is built at download, at atomic
    # depth 0 (SQLite has one writer), the audit record in audit_write's own transaction.
    depths = atomic_depths(monkeypatch, (supervision_docs, "order_docx"), (supervision_docs, "audit_write"))
    matter = make_matter(State.ACCEPTED, handle_deadline=clocks.today() + dt.timedelta(days=10))
    office = api(people.supervisor)
    limit = (clocks.today() + dt.timedelta(days=5)).isoformat()
    first = act(office, matter, "supervise", {"note": "用地报批进展缓慢，请限期办结", "deadline": limit})
    assert first.status_code == 200, first.content
    assert act(office, matter, "supervise", {"note": "再次督办"}).status_code == 200
    orders = office.get(f"{URL}/{matter.pk}/supervision-orders").json()
    year = clocks.today().year
    assert [o["number"] for o in orders["items"]] == [f"淮招督〔{year}〕1号", f"淮招督〔{year}〕2号"]
    # The second order's 限期 defaults to the running handling deadline.
    assert matter.handle_deadline is not None
    assert orders["items"][1]["deadline"] == matter.handle_deadline.isoformat()
    assert inbox(people.lead, "matter.supervise") == 1  # one notice per level
    assert inbox(people.supervisor, "matter.supervise") == 1
    order = orders["items"][0]
    response = api(people.lead).get(f"{URL}/{matter.pk}/supervision-orders/{order['id']}.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _docx_text(response.content)
    assert_page_numbers(response.content)  # GB/T 9704: — N —, odd right, even left
    assert f"淮招督〔{year}〕1号" in text
    assert "督办单" in text
    assert matter.title in text
    assert matter.code in text
    deadline = dt.date.fromisoformat(limit)
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in text
    assert "用地报批进展缓慢" in text
    assert AuditRecord.objects.filter(action="matter.supervision_order.download").count() == 1
    assert depths["order_docx"] == [0]
    assert depths["audit_write"] == [0]


def test_orders_are_scoped_an_order_of_another_matter_or_out_of_scope_is_404(
    people: People, make_matter: MakeMatter
) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=clocks.today() + dt.timedelta(days=10))
    other = make_matter(State.ACCEPTED, handle_deadline=clocks.today() + dt.timedelta(days=10))
    act(api(people.supervisor), matter, "supervise", {"note": "督办"})
    order = SupervisionOrder.objects.get(matter=matter)
    assert api(people.outsider).get(f"{URL}/{matter.pk}/supervision-orders/{order.pk}.docx").status_code == 404
    assert api(people.outsider).get(f"{URL}/{matter.pk}/supervision-orders").status_code == 404
    assert api(people.lead).get(f"{URL}/{other.pk}/supervision-orders/{order.pk}.docx").status_code == 404
    page = Client()
    page.force_login(people.outsider)
    assert page.get(reverse("matters:supervision_order", args=[matter.pk, order.pk])).status_code == 404
    page.force_login(people.lead)
    assert page.get(reverse("matters:supervision_order", args=[matter.pk, order.pk])).status_code == 200


def test_bad_input_supervise_without_a_note_list_without_leader_or_deadline_is_422_and_changes_nothing(
    people: People, make_matter: MakeMatter
) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=clocks.today() + dt.timedelta(days=10))
    office = api(people.supervisor)
    before = fingerprint()
    for action, body, fields in (
        ("supervise", {}, ["note"]),
        ("supervise", {"note": "  "}, ["note"]),
        ("urge", {}, ["note"]),
        ("list", {"note": "挂牌"}, ["leader", "deadline"]),
        ("list", {"leader": people.lead.username, "deadline": "2020-01-01"}, ["leader", "deadline"]),
    ):
        response = act(office, matter, action, body)
        assert response.status_code == 422, (action, response.content)
        assert sorted(e["field"] for e in response.json()["errors"]) == sorted(fields), (action, response.json())
    assert fingerprint() == before


def test_only_the_supervision_office_urges_and_a_unit_is_403(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=clocks.today() + dt.timedelta(days=10))
    for user in (people.lead, people.dispatcher, people.leader):
        assert act(api(user), matter, "urge", {"note": "催办"}).status_code == 403, user.username
    reported = make_matter(State.REPORTED)
    assert act(api(people.supervisor), reported, "urge", {"note": "催办"}).status_code == 409


def test_the_office_lists_on_a_leaders_behalf_with_a_deadline_and_an_order(
    people: People, make_matter: MakeMatter
) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=clocks.today() + dt.timedelta(days=10))
    limit = clocks.today() + dt.timedelta(days=15)
    response = act(api(people.supervisor), matter, "list",
                   {"leader": people.leader.username, "deadline": limit.isoformat(), "note": "市领导挂牌督办"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["listed"], body["listed_leader"], body["listed_deadline"]) == (True, "leader", limit.isoformat())
    order = SupervisionOrder.objects.get(matter=matter)
    assert (order.kind, order.leader, order.deadline) == ("listed", people.leader, limit)
    listed = api(people.supervisor).get(URL, {"listed": "true"}).json()["items"]
    assert [m["listed_leader"] for m in listed] == ["leader"]
    page = Client()
    page.force_login(people.lead)
    html = page.get(reverse("matters:detail", args=[matter.pk])).content.decode()
    assert 'id="matter-listed-leader"' in html
    assert order.doc_number in html


def test_yellow_for_slow_progress_and_a_progress_report_clears_it(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 7, 31))
    # A Monday (a dict: the type checker's model state may predate the column).
    Matter.objects.filter(pk=matter.pk).update(**{"last_progress_on": dt.date(2026, 6, 1)})
    lead = api(people.lead)
    # Tue 2 … Mon 8 June: 5 working days without progress on the 8th, 4 on Friday the 5th.
    with time_machine.travel(at(dt.date(2026, 6, 5)), tick=False):
        assert lead.get(f"{URL}/{matter.pk}").json()["stale"] is False
        assert lead.get(URL, {"stale": "true"}).json()["count"] == 0
    with time_machine.travel(at(dt.date(2026, 6, 8)), tick=False):
        assert lead.get(f"{URL}/{matter.pk}").json()["stale"] is True
        items = lead.get(URL, {"stale": "true"}).json()["items"]
        assert [m["id"] for m in items] == [matter.pk]
        assert lead.get(URL, {"stale": "false"}).json()["count"] == 0
        assert act(lead, matter, "progress", {"note": "已完成用地预审"}).status_code == 200
        assert lead.get(f"{URL}/{matter.pk}").json()["stale"] is False
        assert lead.get(URL, {"stale": "true"}).json()["count"] == 0


def test_the_swimlane_flowchart_is_chinese_only_with_the_limits_from_the_settings(
    people: People, settings: Any
) -> None:
    from zhaoyin.matters.swimlanes import swimlane_svg

    settings.ZHAOYIN_MATTERS = {"SIGN_DAYS": 2, "STALE_WORKDAYS": 4}
    with translation.override("zh-hans"):
        svg = swimlane_svg()
    text = "".join(ET.fromstring(svg).itertext())  # noqa: S314 (our own output)
    assert re.findall(r"[A-Za-z]{2,}", text) == []
    for words in ("诉求人", "平台/督查室", "承办单位", "市领导", "催办", "督办", "挂牌督办", "签收时限：2个工作日",
                  "黄灯：4个工作日无进展", "已登记", "办理中"):
        assert words in text, words
    # Readable: no label on a box, a pill or another label; no arrow through a state.
    from zhaoyin.lib.tests.test_swimlanes import assert_readable

    assert_readable(svg)
    page = Client()
    page.force_login(people.lead)
    html = page.get(reverse("matters:flowchart")).content.decode()
    assert 'id="matter-swimlanes"' in html
    assert "<svg" in html
