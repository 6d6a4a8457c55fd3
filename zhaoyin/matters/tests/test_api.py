"""The /api/v1/matters contract (DESIGN 5.1): the lifecycle, the actions' fields, bad input
answered with the status and the field and no change, scope, the alert, the flowchart."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.testing import assert_constant_queries
from zhaoyin.matters import clocks
from zhaoyin.matters.flow import STATES, State
from zhaoyin.matters.models import Matter, MatterEvent, matter_search_text
from zhaoyin.matters.tests.conftest import MakeMatter, People, fingerprint

pytestmark = pytest.mark.django_db

URL = "/api/v1/matters"


_clients: dict[int, Client] = {}


@pytest.fixture(autouse=True)
def _fresh_clients() -> Any:
    _clients.clear()
    yield
    _clients.clear()


def client_for(user: User) -> Client:
    """A bearer-token client per user and test (issuing a token writes: do it once, early)."""
    if user.pk not in _clients:
        _clients[user.pk] = Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})
    return _clients[user.pk]


def post(user: User, url: str, body: Any = None) -> Any:
    text = body if isinstance(body, str) else json.dumps(body if body is not None else {})
    return client_for(user).post(url, data=text, content_type="application/json")


def act(user: User, matter_id: int, action: str, body: Any = None) -> Any:
    return post(user, f"{URL}/{matter_id}/actions/{action}", body)


def fields_of(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def state_of(matter_id: int) -> tuple[str, int, int]:
    matter = Matter.objects.get(pk=matter_id)
    return matter.state, matter.version, MatterEvent.objects.filter(matter_id=matter_id).count()


# ---- the lifecycle -----------------------------------------------------------------------------


def test_the_whole_lifecycle_over_the_api(people: People, org_tree: dict[str, OrgUnit]) -> None:
    """create (requester) → assign (dispatcher) → accept, report (lead unit) → approve
    (dispatcher) → rate (requester), each step an event; DESIGN 5.1's fields on the way."""
    created = post(people.requester, URL, {
        "title": "厂房用电增容", "description": "二期产线需要增容至 2000 kVA。",
        "kind": "coordination", "source": "enterprise_demand",
    })
    assert created.status_code == 201, created.content
    data = created.json()
    mid = data["id"]
    assert data["status"] == "draft"
    assert data["code"].startswith("JB")
    assert data["alert"] == "normal"
    assert data["sign_due"] is None
    assert data["handle_due"] is None
    assert [e["action"] for e in data["events"]] == ["create"]
    assert data["allowed_actions"] == ["cancel"]

    assigned = act(people.dispatcher, mid, "assign",
                   {"lead_unit": "340402", "co_units": ["dept-fgw"], "handle_days": 10})
    assert assigned.status_code == 200, assigned.content
    data = assigned.json()
    assert data["status"] == "assigned"
    assert data["lead_unit"]["code"] == "340402"
    assert [u["code"] for u in data["co_units"]] == ["dept-fgw"]
    assert data["sign_due"]
    assert data["handle_due"]
    assert data["handle_days"] == 10
    assert data["alert"] in ("normal", "approaching")  # the sign-for clock runs: 1 working day
    assert isinstance(data["provisional"], bool)

    lead_view = client_for(people.lead).get(f"{URL}/{mid}").json()
    assert set(lead_view["allowed_actions"]) == {"accept", "return"}
    assert act(people.lead, mid, "accept", {"note": "已签收"}).json()["status"] == "accepted"
    reported = act(people.lead, mid, "report", {"summary": "已协调供电公司完成增容。"})
    assert reported.json()["status"] == "reported"
    assert act(people.dispatcher, mid, "approve", {}).json()["status"] == "closed"
    rated = act(people.requester, mid, "rate", {"rating": "satisfied", "comment": "很及时"})
    assert rated.status_code == 200, rated.content
    data = rated.json()
    assert (data["status"], data["rating"]) == ("rated", "satisfied")
    events = data["events"]
    assert [e["action"] for e in events] == ["create", "assign", "accept", "report", "approve", "rate"]
    assert [(e["from"], e["to"]) for e in events[1:]] == [
        ("draft", "assigned"), ("assigned", "accepted"), ("accepted", "reported"),
        ("reported", "closed"), ("closed", "rated"),
    ]
    assert [e["by"] for e in events] == ["requester", "dispatcher", "lead", "lead", "dispatcher", "requester"]
    assert all(e["at"] for e in events)


def test_extension_request_and_answers_use_the_design_names(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=clocks.today() + dt.timedelta(days=20))
    asked = act(people.lead, matter.pk, "extend", {"days": 5, "reason": "需等待省级批复"})
    assert asked.status_code == 200, asked.content
    pending = asked.json()["pending_extension"]
    assert pending is not None
    assert pending["reason"] == "需等待省级批复"
    dispatcher_view = client_for(people.dispatcher).get(f"{URL}/{matter.pk}").json()
    assert {"extend_approve", "extend_refuse"} <= set(dispatcher_view["allowed_actions"])
    approved = act(people.dispatcher, matter.pk, "extend_approve", {"note": "同意"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["handle_due"] == pending["requested_deadline"]
    assert approved.json()["pending_extension"] is None
    again = act(people.lead, matter.pk, "extend", {"days": 2, "reason": "再延"})
    assert again.status_code == 200
    refused = act(people.dispatcher, matter.pk, "extend_refuse", {})
    assert refused.status_code == 200
    assert refused.json()["handle_due"] == pending["requested_deadline"]


def test_return_reject_dissatisfied_reopen_and_cancel(people: People, make_matter: MakeMatter) -> None:
    assigned = make_matter(State.ASSIGNED)
    returned = act(people.lead, assigned.pk, "return", {"reason": "不属于本单位职责", "suggested_unit": "dept-fgw"})
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"
    assert returned.json()["events"][-1]["data"]["suggested_unit"] == "dept-fgw"

    reported = make_matter(State.REPORTED)
    rejected = act(people.dispatcher, reported.pk, "reject", {"reason": "材料不全", "handle_days": 3})
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["status"] == "accepted"
    assert rejected.json()["handle_days"] == 3

    closed = make_matter(State.CLOSED)
    unhappy = act(people.requester, closed.pk, "rate", {"rating": "dissatisfied", "comment": "未解决"})
    # 不满意 waits for the dispatcher's verification (issue 15) before any rework.
    assert unhappy.json()["status"] == "disputed"
    assert [e["action"] for e in unhappy.json()["events"]][-2:] == ["rate", "dispute"]
    assert "confirm_dispute" not in unhappy.json()["allowed_actions"]
    confirmed = act(people.dispatcher, closed.pk, "confirm_dispute", {"reason": "企业反映属实", "handle_days": 5})
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "accepted"
    assert confirmed.json()["handle_days"] == 5

    draft = make_matter(State.DRAFT)
    cancelled = act(people.requester, draft.pk, "cancel", {"reason": "已自行解决"})
    assert cancelled.json()["status"] == "cancelled"


def test_a_leader_lists_and_unlists(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    deadline = (clocks.today() + dt.timedelta(days=20)).isoformat()
    listed = act(people.leader, matter.pk, "list", {"note": "挂牌督办", "leader": people.leader.username,
                                                   "deadline": deadline})
    assert listed.status_code == 200
    assert listed.json()["listed"] is True
    assert "unlist" in listed.json()["allowed_actions"]
    ids = [m["id"] for m in client_for(people.leader).get(URL, {"listed": "true"}).json()["items"]]
    assert ids == [matter.pk]
    assert act(people.leader, matter.pk, "unlist", {}).json()["listed"] is False


def test_progress_by_a_co_unit(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    response = act(people.co, matter.pk, "progress", {"note": "已提供用地规划意见"})
    assert response.status_code == 200, response.content
    assert response.json()["events"][-1]["action"] == "progress"


def test_reassign_moves_the_matter(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    response = act(people.dispatcher, matter.pk, "reassign", {"lead_unit": "340403", "co_units": []})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "assigned"
    assert response.json()["lead_unit"]["code"] == "340403"


def test_patch_changes_a_draft_and_only_a_draft(people: People, make_matter: MakeMatter) -> None:
    draft = make_matter(State.DRAFT)
    response = client_for(people.requester).patch(
        f"{URL}/{draft.pk}", data=json.dumps({"title": "新标题", "version": draft.version}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "新标题"
    stale = client_for(people.requester).patch(
        f"{URL}/{draft.pk}", data=json.dumps({"title": "再改", "version": draft.version}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    assigned = make_matter(State.ASSIGNED)
    client_for(people.dispatcher)
    before = fingerprint()
    late = client_for(people.dispatcher).patch(
        f"{URL}/{assigned.pk}", data=json.dumps({"title": "x"}), content_type="application/json"
    )
    assert late.status_code == 409
    assert fingerprint() == before


# ---- bad input: the status, the field, and nothing changed -------------------------------------


def _refused(user: User, matter: Matter, action: str, body: Any, status: int, field: str | None) -> None:
    client_for(user)
    before_state, before_db = state_of(matter.pk), fingerprint()
    response = act(user, matter.pk, action, body)
    assert response.status_code == status, response.content
    payload = response.json()
    assert payload["detail"]
    if field is not None:
        assert field in fields_of(response), payload
    assert state_of(matter.pk) == before_state
    if status == 403:
        # A refusal is audited as denied (AUD-01); the business tables stay as they were.
        assert fingerprint()[0] == before_db[0]
    else:
        assert fingerprint() == before_db


def test_MAT_bad_action_in_the_wrong_state_is_409(people: People, make_matter: MakeMatter) -> None:
    _refused(people.lead, make_matter(State.DRAFT), "accept", {}, 409, None)
    _refused(people.dispatcher, make_matter(State.ACCEPTED), "approve", {}, 409, None)


def test_MAT_return_without_a_reason_is_422(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ASSIGNED)
    _refused(people.lead, matter, "return", {"suggested_unit": "dept-fgw"}, 422, "reason")
    _refused(people.lead, matter, "return", {"reason": "  ", "suggested_unit": "dept-fgw"}, 422, "reason")
    _refused(people.lead, matter, "return", {"reason": "不是我们的"}, 422, "suggested_unit")


def test_MAT_extension_after_the_deadline_is_422(people: People, make_matter: MakeMatter) -> None:
    late = make_matter(State.ACCEPTED, handle_deadline=clocks.today() - dt.timedelta(days=1))
    _refused(people.lead, late, "extend", {"days": 3, "reason": "来不及"}, 422, "handle_deadline")


def test_MAT_rating_an_open_matter_is_409(people: People, make_matter: MakeMatter) -> None:
    _refused(people.requester, make_matter(State.ACCEPTED), "rate", {"rating": "satisfied"}, 409, None)


def test_MAT_a_bad_rating_is_422(people: People, make_matter: MakeMatter) -> None:
    _refused(people.requester, make_matter(State.CLOSED), "rate", {"rating": "great"}, 422, "rating")


def test_MAT_a_co_unit_reporting_for_the_lead_unit_is_403(people: People, make_matter: MakeMatter) -> None:
    _refused(people.co, make_matter(State.ACCEPTED), "report", {"summary": "协办单位代为反馈"}, 403, None)


@pytest.mark.parametrize(
    ("action", "state", "body", "field"),
    [
        ("report", State.ACCEPTED, {"summary": "完成", "colour": "red"}, "colour"),
        ("assign", State.DRAFT, {"lead_unit": "340402", "deadline": "2030-01-01"}, "deadline"),
        ("accept", State.ASSIGNED, {"note": "x", "state": "closed"}, "state"),
        ("rate", State.CLOSED, {"rating": "satisfied", "score": 5}, "score"),
    ],
)
def test_MAT_unknown_fields_are_422(
    people: People, make_matter: MakeMatter, action: str, state: State, body: dict[str, Any], field: str
) -> None:
    user = {"report": people.lead, "accept": people.lead, "rate": people.requester}.get(action, people.dispatcher)
    _refused(user, make_matter(state), action, body, 422, field)


def test_MAT_wrongly_typed_fields_are_422(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.DRAFT)
    _refused(people.dispatcher, matter, "assign", {"lead_unit": "340402", "handle_days": "ten"}, 422, "handle_days")
    _refused(people.dispatcher, matter, "assign", {"lead_unit": "340402", "handle_days": 0}, 422, "handle_days")
    _refused(people.dispatcher, matter, "assign", {"lead_unit": "nowhere"}, 422, "lead_unit")


def test_MAT_a_deadline_in_the_past_is_422(people: People, make_matter: MakeMatter) -> None:
    past = (clocks.today() - dt.timedelta(days=3)).isoformat()
    _refused(people.dispatcher, make_matter(State.DRAFT), "assign",
             {"lead_unit": "340402", "handle_deadline": past}, 422, "handle_deadline")
    _refused(people.dispatcher, make_matter(State.REPORTED), "reject",
             {"reason": "重做", "handle_deadline": past}, 422, "handle_deadline")
    _refused(people.lead, make_matter(State.ACCEPTED), "extend",
             {"reason": "x", "requested_deadline": past}, 422, "requested_deadline")


def test_MAT_the_same_action_twice_happens_once(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ASSIGNED)
    assert act(people.lead, matter.pk, "accept", {}).status_code == 200
    _refused(people.lead, matter, "accept", {}, 409, None)
    assert MatterEvent.objects.filter(matter=matter, action="accept").count() == 1


def test_MAT_an_unknown_action_is_404_naming_action(people: People, make_matter: MakeMatter) -> None:
    _refused(people.dispatcher, make_matter(State.ASSIGNED), "close_everything", {}, 404, "action")
    # The flow's internal names are not the public ones.
    _refused(people.lead, make_matter(State.ACCEPTED), "request_extension", {"reason": "x", "days": 1}, 404,
             "action")


def test_MAT_a_leader_may_not_assign_and_is_audited(people: People, make_matter: MakeMatter) -> None:
    from zhaoyin.audit.models import AuditRecord, Outcome

    matter = make_matter(State.DRAFT)
    before = AuditRecord.objects.filter(outcome=Outcome.DENIED).count()
    response = act(people.leader, matter.pk, "assign", {"lead_unit": "340402"})
    assert response.status_code == 403
    assert AuditRecord.objects.filter(outcome=Outcome.DENIED).count() == before + 1
    assert state_of(matter.pk)[0] == "draft"


def test_create_bad_input_names_the_field_and_creates_nothing(people: People) -> None:
    client_for(people.dispatcher)
    for body, field in [
        ({"title": "x", "kind": "chat", "source": "visit"}, "kind"),
        ({"title": "x", "kind": "consultation", "source": "rumour"}, "source"),
        ({"title": "", "kind": "consultation", "source": "visit"}, "title"),
        ({"title": "x", "kind": "consultation", "source": "visit", "priority": 1}, "priority"),
        ({"kind": "consultation", "source": "visit"}, "title"),
    ]:
        before = fingerprint()
        response = post(people.dispatcher, URL, body)
        assert response.status_code == 422, (body, response.content)
        assert field in fields_of(response)
        assert fingerprint() == before


def test_the_date_of_receipt_given_at_registration_starts_the_clocks(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registered on Wednesday 2026-11-25 with a letter received on Monday 11-23: the sign-for
    deadline is the next working day after the receipt (11-24), not after the assignment."""
    monkeypatch.setattr(clocks, "today", lambda now=None: dt.date(2026, 11, 25))
    # A leader's instruction is registered by the supervision office, naming the leader (issue 15).
    created = post(people.supervisor, URL, {
        "title": "批示件", "kind": "urgent_instruction", "source": "leader_instruction", "received_on": "2026-11-23",
        "instructing_leader": "leader",
    })
    assert created.status_code == 201, created.content
    assert created.json()["received_on"] == "2026-11-23"
    assigned = act(people.dispatcher, created.json()["id"], "assign", {"lead_unit": "340402"})
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["sign_due"] == "2026-11-24"
    assert assigned.json()["handle_due"] == "2026-11-30"  # 5 working days from 11-23
    assert assigned.json()["alert"] == "overdue"  # the sign-for deadline has passed already
    client_for(people.dispatcher)
    before = fingerprint()
    future = post(people.dispatcher, URL, {
        "title": "x", "kind": "consultation", "source": "visit", "received_on": "2026-11-26",
    })
    assert future.status_code == 422
    assert fields_of(future) == ["received_on"]
    assert fingerprint() == before


def test_the_three_admins_and_leaders_cannot_create(people: People, make_user: Any) -> None:
    body = {"title": "x", "kind": "consultation", "source": "visit"}
    assert post(people.sysadmin, URL, body).status_code == 403
    assert post(people.leader, URL, body).status_code == 403
    assert client_for(people.sysadmin).get(URL).status_code == 403


# ---- scope ---------------------------------------------------------------------------------


def test_AC_03_another_county_sees_nothing(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ASSIGNED)
    outsider = client_for(people.outsider)
    client_for(people.other_portal)
    assert outsider.get(f"{URL}/{matter.pk}").status_code == 404
    before = fingerprint()
    assert act(people.outsider, matter.pk, "accept", {}).status_code == 404
    assert act(people.outsider, matter.pk, "return", {"reason": "x", "suggested_unit": "dept-fgw"}).status_code == 404
    assert outsider.patch(f"{URL}/{matter.pk}", data="{}", content_type="application/json").status_code == 404
    assert fingerprint() == before
    listing = outsider.get(URL).json()
    assert listing == {"count": 0, "count_capped": False, "items": []}
    other_portal = client_for(people.other_portal)
    assert other_portal.get(f"{URL}/{matter.pk}").status_code == 404
    assert client_for(people.lead).get(URL).json()["count"] == 1


def test_missing_matter_is_404(people: People) -> None:
    assert client_for(people.dispatcher).get(f"{URL}/999999").status_code == 404
    assert act(people.dispatcher, 999999, "assign", {}).status_code == 404


# ---- list, filters, alert ------------------------------------------------------------------------


def test_list_filters_and_bad_parameters(people: People, make_matter: MakeMatter) -> None:
    a = make_matter(State.ASSIGNED)
    b = make_matter(State.DRAFT, lead="county_b", co=())
    Matter.objects.filter(pk=b.pk).update(
        title="人才公寓申请", kind="talent_demand", source="talent_demand",
        search_text=matter_search_text(b.code, "人才公寓申请", b.requester_name),
    )
    client = client_for(people.dispatcher)

    def ids(**params: str) -> list[int]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return sorted(m["id"] for m in response.json()["items"])

    assert ids() == sorted([a.pk, b.pk])
    assert ids(state="draft") == [b.pk]
    assert ids(lead_unit="340400") == sorted([a.pk, b.pk])  # the city includes both counties
    assert ids(lead_unit="340402") == [a.pk]
    assert ids(q="人才") == [b.pk]
    assert ids(q=a.code.lower()) == [a.pk]
    assert ids(kind="talent_demand", source="talent_demand") == [b.pk]
    assert ids(listed="false") == sorted([a.pk, b.pk])
    response = client.get(URL, {"state": "open", "alert": "red", "lead_unit": "nowhere", "sort": "secret"})
    assert response.status_code == 422
    assert set(fields_of(response)) == {"state", "alert", "lead_unit", "sort"}


def test_the_alert_is_judged_on_the_day(
    people: People, make_matter: MakeMatter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pinned on Friday 2026-11-27: Monday 11-30 is the one working day left → approaching;
    Tuesday 12-01 is two → normal; Thursday 11-26 has passed → overdue."""
    day = dt.date(2026, 11, 27)
    monkeypatch.setattr(clocks, "today", lambda now=None: day)
    overdue = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 11, 26))
    near = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 11, 30))
    later = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 12, 1))
    signing = make_matter(State.ASSIGNED, sign_deadline=dt.date(2026, 11, 27), handle_deadline=dt.date(2026, 11, 1))
    reported = make_matter(State.REPORTED, handle_deadline=dt.date(2026, 11, 1))
    client = client_for(people.dispatcher)
    shown = {m["id"]: m["alert"] for m in client.get(URL).json()["items"]}
    assert shown == {
        overdue.pk: "overdue", near.pk: "approaching", later.pk: "normal", signing.pk: "approaching",
        reported.pk: "normal",
    }
    for alert in ("overdue", "approaching", "normal"):
        ids = {m["id"] for m in client.get(URL, {"alert": alert}).json()["items"]}
        assert ids == {pk for pk, value in shown.items() if value == alert}, alert
    assert client.get(f"{URL}/{overdue.pk}").json()["alert"] == "overdue"


def test_list_queries_do_not_grow_with_the_matters(people: People, make_matter: MakeMatter) -> None:
    client = client_for(people.dispatcher)

    def grow(n: int) -> None:
        while Matter.objects.count() < n:
            make_matter(State.ACCEPTED, co=("dept", "park_a"))

    assert_constant_queries(grow=grow, run=lambda: client.get(URL, {"page_size": "100"}), sizes=(3, 12))


# ---- notices ---------------------------------------------------------------------------------------


def test_notices_of_a_matter(people: People, make_matter: MakeMatter, org_tree: dict[str, OrgUnit]) -> None:
    from zhaoyin.matters.models import MatterNotice

    matter = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 11, 2))
    MatterNotice.objects.create(
        matter=matter, kind="urge", clock="handling", deadline=dt.date(2026, 11, 2), due_on=dt.date(2026, 11, 3),
        lead_unit=org_tree["county_a"], scan_token="t1",
    )
    MatterNotice.objects.create(
        matter=matter, kind="supervise", clock="handling", deadline=dt.date(2026, 11, 2),
        due_on=dt.date(2026, 11, 9), lead_unit=org_tree["county_a"], scan_token="t2",
    )
    response = client_for(people.lead).get(f"{URL}/{matter.pk}/notices")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == 2
    assert [(n["kind"], n["clock"], n["deadline"], n["due_on"]) for n in data["items"]] == [
        ("urge", "handling", "2026-11-02", "2026-11-03"),
        ("supervise", "handling", "2026-11-02", "2026-11-09"),
    ]
    assert data["items"][0]["lead_unit"]["code"] == "340402"
    assert client_for(people.outsider).get(f"{URL}/{matter.pk}/notices").status_code == 404
    assert client_for(people.sysadmin).get(f"{URL}/{matter.pk}/notices").status_code == 403


# ---- flowchart -----------------------------------------------------------------------------------


def test_the_flowchart_is_svg_with_every_state_in_chinese(people: People) -> None:
    for user in (people.requester, people.leader, people.lead, people.co):
        response = client_for(user).get(f"{URL}/flowchart.svg")
        assert response.status_code == 200, (user.username, response.content[:200])
        assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own output, parsed to check it)
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    with translation.override("zh-hans"):
        labels = [str(label) for _code, label in STATES]
    for label in labels:
        assert not label.isascii(), label  # translated
        assert label in text, label
    assert client_for(people.sysadmin).get(f"{URL}/flowchart.svg").status_code == 403


def test_the_flowchart_follows_the_language() -> None:
    from zhaoyin.matters.api import flowchart_svg

    english = flowchart_svg("en")
    assert "Registered" in english
    assert "已登记" not in english
    assert "已登记" in flowchart_svg("zh-hans")


def test_the_openapi_document_lists_the_operations(people: People) -> None:
    doc = client_for(people.dispatcher).get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for action in ("assign", "accept", "return", "report", "approve", "reject", "rate", "reopen", "cancel",
                   "extend", "extend_approve", "extend_refuse", "reassign", "progress", "list", "unlist"):
        assert f"/api/v1/matters/{{id}}/actions/{action}" in paths, action
    assert "/api/v1/matters/flowchart.svg" in paths
    assert "/api/v1/matters/{id}/notices" in paths


def test_one_bad_value_through_the_api_is_named_in_chinese_and_changes_nothing(
    people: People, make_matter: MakeMatter
) -> None:
    """The action's input model is the body: the same verdict as the page, our message (never
    pydantic's English), and nothing written."""
    matter = make_matter(State.REPORTED)
    client_for(people.dispatcher)
    before = fingerprint()
    with translation.override("zh-hans"):
        response = act(people.dispatcher, matter.pk, "reject", {"reason": "材料不全", "handle_days": "abc"})
        missing = act(people.dispatcher, matter.pk, "reject", {"handle_days": 3})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "handle_days", "message": "请输入整数个工作日。"}]
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"field": "reason", "message": "此项为必填项。"}]
    assert fingerprint() == before


def test_the_openapi_document_states_the_required_fields_of_the_bodies() -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert schemas["ReturnInput"]["required"] == ["reason", "suggested_unit"]
    assert schemas["MatterCreateInput"]["required"] == ["title", "source", "kind"]
    assert "required" not in schemas["NoteInput"]
    assert "(required)" not in json.dumps(doc)
