"""Issue 15 items 3 and 5: sources and kinds by role, the leader's 批示, ratings.

Each refusal names its field and changes nothing (the fingerprint of every table and the audit
count); each channel — the API, the pages, a draft edit — gets the same verdict from the service.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from docx import Document

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.roles import Role
from zhaoyin.matters import clocks, inputs, kpis, services
from zhaoyin.matters.bulletin import INSTRUCTION_HEADING, bulletin_build, bulletin_docx
from zhaoyin.matters.flow import Action, State
from zhaoyin.matters.models import Matter, MatterEvent, MatterInstruction
from zhaoyin.matters.tests.conftest import MakeMatter, People, fingerprint
from zhaoyin.notifications.models import Notification

pytestmark = pytest.mark.django_db

URL = "/api/v1/matters"


@pytest.fixture(autouse=True)
def _fresh_clients() -> Any:
    _clients.clear()
    yield
    _clients.clear()


_clients: dict[int, Client] = {}


def client_for(user: User) -> Client:
    if user.pk not in _clients:
        _clients[user.pk] = Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})
    return _clients[user.pk]


def post(user: User, url: str, body: Any) -> Any:
    return client_for(user).post(url, data=json.dumps(body), content_type="application/json")


def act(user: User, matter_id: int, action: str, body: Any) -> Any:
    return post(user, f"{URL}/{matter_id}/actions/{action}", body)


def warm(*users: User) -> None:
    """Issue the API tokens first: a token issued inside a fingerprint's window is a write."""
    for user in users:
        client_for(user)


def fields_of(response: Any) -> list[str]:
    return sorted({e["field"] for e in response.json()["errors"]})


@pytest.fixture
def talent(make_user: MakeUser) -> User:
    return make_user(Role.TALENT, "city", username="talent_portal")


# ---------------------------------------------------------------- sources and kinds by role


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source": "leader_instruction", "kind": "urgent_instruction"}, "source"),
        ({"source": "leader_instruction", "kind": "coordination"}, "source"),
        ({"source": "project_obstacle", "kind": "coordination"}, "source"),
        ({"source": "enterprise_demand", "kind": "urgent_instruction"}, "kind"),
        ({"source": "enterprise_demand", "kind": "reform"}, "kind"),
    ],
)
def test_AC_02_an_enterprise_user_raises_only_its_own_kind_of_demand(
    people: People, body: dict[str, str], field: str
) -> None:
    warm(*[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    response = post(people.requester, URL, {"title": "紧急批示", **body})
    assert response.status_code == 422, response.content
    assert field in fields_of(response)
    assert fingerprint() == before


def test_AC_02_a_talent_portal_user_cannot_file_a_leaders_urgent_instruction(people: People, talent: User) -> None:
    warm(talent, *[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    response = post(talent, URL, {"title": "紧急批示", "source": "leader_instruction", "kind": "urgent_instruction"})
    assert response.status_code == 422
    assert fields_of(response) == ["kind", "source"]
    assert fingerprint() == before
    own = post(talent, URL, {"title": "子女入学咨询", "source": "talent_demand", "kind": "consultation"})
    assert own.status_code == 201, own.content
    assert (own.json()["source"], own.json()["kind"]) == ("talent_demand", "consultation")


def test_AC_02_the_registration_page_offers_and_accepts_only_the_users_sources(people: People) -> None:
    page = Client()
    page.force_login(people.requester)
    form = page.get("/matters/new/").content.decode()
    assert 'value="enterprise_demand"' in form
    assert 'value="leader_instruction"' not in form
    assert 'value="urgent_instruction"' not in form
    warm(*[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    response = page.post("/matters/new/", {"title": "紧急批示", "source": "leader_instruction", "kind": "coordination"})
    assert response.status_code == 400
    assert "source" in response.context["form"].errors
    assert fingerprint() == before


def test_AC_02_a_leaders_instruction_is_registered_by_the_supervision_office_naming_the_leader(
    people: People,
) -> None:
    body = {"title": "关于加快项目开工的批示", "source": "leader_instruction", "kind": "instruction"}
    warm(*[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    by_admin = post(people.dispatcher, URL, body)
    assert (by_admin.status_code, fields_of(by_admin)) == (422, ["source"])
    unnamed = post(people.supervisor, URL, body)
    assert (unnamed.status_code, fields_of(unnamed)) == (422, ["instructing_leader"])
    not_a_leader = post(people.supervisor, URL, {**body, "instructing_leader": people.lead.username})
    assert (not_a_leader.status_code, fields_of(not_a_leader)) == (422, ["instructing_leader"])
    named_elsewhere = post(people.supervisor, URL,
                           {**body, "source": "meeting_decision", "instructing_leader": "leader"})
    assert (named_elsewhere.status_code, fields_of(named_elsewhere)) == (422, ["instructing_leader"])
    assert fingerprint() == before
    created = post(people.supervisor, URL, {**body, "instructing_leader": people.leader.username})
    assert created.status_code == 201, created.content
    assert created.json()["instructing_leader"] == people.leader.username
    assert Matter.objects.get(pk=created.json()["id"]).instructing_leader == people.leader


def test_AC_02_a_portal_user_cannot_turn_its_draft_into_a_leaders_instruction(
    people: People, make_matter: MakeMatter
) -> None:
    draft = make_matter(State.DRAFT)
    warm(*[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    response = client_for(people.requester).patch(
        f"{URL}/{draft.pk}", data=json.dumps({"source": "leader_instruction", "kind": "urgent_instruction"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert fields_of(response) == ["kind", "source"]
    assert fingerprint() == before


def test_a_visit_demand_is_never_an_urgent_instruction(people: People, make_user: MakeUser) -> None:
    member = make_user(Role.SERVICE_MEMBER, "city", username="member")
    warm(member, *[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    response = post(member, URL, {"title": "走访诉求", "source": "visit", "kind": "urgent_instruction"})
    assert response.status_code == 422
    assert fields_of(response) == ["kind"]
    assert fingerprint() == before


def test_the_openapi_document_states_the_new_fields_and_enums() -> None:
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["InstructInput"]["required"] == ["text"]
    assert set(schemas["InstructInput"]["properties"]) == {"text", "leader", "instructed_on"}
    assert "instructing_leader" in schemas["MatterCreateInput"]["properties"]
    assert schemas["RateInput"]["required"] == ["rating"]
    assert {"assessment", "instructing_leader"} <= set(schemas["MatterOut"]["properties"])


# ---------------------------------------------------------------- the leader's 批示


def test_a_leader_writes_an_instruction_on_the_timeline_and_the_lead_unit_is_told(
    people: People, make_matter: MakeMatter, django_capture_on_commit_callbacks: Any
) -> None:
    matter = make_matter(State.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(people.leader, matter.pk, "instruct", {"text": "请市直有关部门全力支持，月底前解决。"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"  # the state stays
    event = response.json()["events"][-1]
    assert (event["action"], event["by"]) == ("instruct", "leader")
    assert event["note"] == "请市直有关部门全力支持，月底前解决。"
    assert event["data"]["leader"] == "leader"
    stored = MatterInstruction.objects.get(matter=matter)
    assert (stored.leader, stored.recorded_by, stored.instructed_on) == (people.leader, people.leader, clocks.today())
    told = sorted(Notification.objects.filter(kind="matter.instruct").values_list("recipient__username", flat=True))
    assert told == ["lead", "lead_admin"]
    page = Client()
    page.force_login(people.lead)
    timeline = page.get(f"/matters/{matter.pk}/").content.decode()
    assert "请市直有关部门全力支持，月底前解决。" in timeline


def test_the_supervision_office_records_an_instruction_naming_the_leader(
    people: People, make_matter: MakeMatter
) -> None:
    matter = make_matter(State.CLOSED)
    warm(*[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    unnamed = act(people.supervisor, matter.pk, "instruct", {"text": "抓紧办理"})
    assert (unnamed.status_code, fields_of(unnamed)) == (422, ["leader"])
    future = act(people.supervisor, matter.pk, "instruct", {
        "text": "抓紧办理", "leader": "leader", "instructed_on": (clocks.today() + dt.timedelta(days=2)).isoformat()})
    assert (future.status_code, fields_of(future)) == (422, ["instructed_on"])
    assert fingerprint() == before
    day = clocks.today() - dt.timedelta(days=1)
    done = act(people.supervisor, matter.pk, "instruct", {"text": "抓紧办理", "leader": "leader",
                                                          "instructed_on": day.isoformat()})
    assert done.status_code == 200, done.content
    stored = MatterInstruction.objects.get(matter=matter)
    assert (stored.leader, stored.recorded_by, stored.instructed_on) == (people.leader, people.supervisor, day)
    assert done.json()["events"][-1]["data"]["on_behalf"] is True


def test_AC_02_only_a_leader_or_the_supervision_office_instructs(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    cancelled = make_matter(State.CANCELLED)
    warm(*[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    assert act(people.dispatcher, matter.pk, "instruct", {"text": "x", "leader": "leader"}).status_code == 403
    assert act(people.lead, matter.pk, "instruct", {"text": "x"}).status_code == 403
    assert act(people.requester, matter.pk, "instruct", {"text": "x"}).status_code == 403
    assert act(people.outsider, matter.pk, "instruct", {"text": "x"}).status_code == 404
    assert act(people.leader, cancelled.pk, "instruct", {"text": "x"}).status_code == 409
    other = act(people.leader, matter.pk, "instruct", {"text": "x", "leader": "supervisor"})
    assert (other.status_code, fields_of(other)) == (422, ["leader"])
    assert fingerprint()[0] == before[0]  # the refusals wrote nothing but their audit records


def test_the_bulletin_lists_the_months_instructions(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    services.matter_instruct(acting_user=people.leader, matter=matter,
                             data=inputs.InstructInput.of(text="要求月底前办结"))
    today = clocks.today()
    b = bulletin_build(people.supervisor, year=today.year, month=today.month, today=today)
    assert [i.text for i in b.instructions] == ["要求月底前办结"]
    doc = Document(io.BytesIO(bulletin_docx(b)))
    texts = [p.text for p in doc.paragraphs]
    assert INSTRUCTION_HEADING in texts
    assert "五、工作要求" in texts
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "要求月底前办结" in cells
    assert f"{matter.code} {matter.title}" in cells


# ---------------------------------------------------------------- ratings


def test_VAL_01_dissatisfied_without_a_reason_is_refused(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.CLOSED)
    warm(*[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    response = act(people.requester, matter.pk, "rate", {"rating": "dissatisfied", "comment": "  "})
    assert response.status_code == 422
    assert fields_of(response) == ["comment"]
    assert fingerprint() == before


def test_a_requester_rates_only_after_the_dispatcher_approved_the_report(
    people: People, make_matter: MakeMatter
) -> None:
    reported = make_matter(State.REPORTED)
    warm(*[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    assert act(people.requester, reported.pk, "rate", {"rating": "satisfied"}).status_code == 409
    assert act(people.dispatcher, reported.pk, "rate", {"rating": "satisfied"}).status_code == 409
    assert fingerprint() == before
    assert Matter.objects.get(pk=reported.pk).state == State.REPORTED


def test_a_dismissed_dissatisfaction_stays_rated_and_counts(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.CLOSED, closed_at=dt.datetime(2026, 11, 9, 10, tzinfo=clocks.SHANGHAI))
    services.matter_rate(acting_user=people.requester, matter=matter,
                         data=inputs.RateInput.of(rating="dissatisfied", comment="答复不清楚"))
    warm(*[u for u in vars(people).values() if isinstance(u, User)])
    before = fingerprint()
    missing = act(people.supervisor, matter.pk, "dismiss_dispute", {})
    assert (missing.status_code, fields_of(missing)) == (422, ["reason"])
    assert act(people.requester, matter.pk, "dismiss_dispute", {"reason": "x"}).status_code == 403
    assert fingerprint()[0] == before[0]
    done = act(people.supervisor, matter.pk, "dismiss_dispute", {"reason": "已按政策规定答复，诉求不属于政策范围"})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["rating"]) == ("rated", "dissatisfied")
    dismissal = MatterEvent.objects.filter(matter=matter, action=Action.DISMISS_DISPUTE.value).get()
    assert dismissal.reason.startswith("已按")


def test_an_internal_task_is_assessed_by_the_dispatcher_outside_the_satisfaction_rate(
    people: People, org_tree: dict[str, OrgUnit]
) -> None:
    """A reform measure rated 不满意 by its dispatcher (考核) and an enterprise demand rated 满意
    by its requester, both assigned this month: the unit's 满意率 is 100 %."""
    reform = services.matter_create(acting_user=people.dispatcher, data=inputs.MatterCreateInput.of(
        title="推行企业开办一日办结", source="reform_measure", kind="reform"))
    demand = services.matter_create(acting_user=people.requester, data=inputs.MatterCreateInput.of(
        title="用电增容协调", source="enterprise_demand", kind="coordination"))
    for m in (reform, demand):
        services.matter_assign(acting_user=people.dispatcher, matter=m,
                               data=inputs.AssignInput.of(lead_unit=org_tree["county_a"].code, handle_days=10))
        services.matter_accept(acting_user=people.lead, matter=m, data=inputs.NoteInput.of())
        services.matter_report(acting_user=people.lead, matter=m, data=inputs.ReportInput.of(summary="已办结"))
        services.matter_approve(acting_user=people.dispatcher, matter=m, data=inputs.NoteInput.of())
    with pytest.raises(PermissionDenied):
        services.matter_rate(acting_user=people.requester, matter=Matter.objects.get(pk=reform.pk),
                             data=inputs.RateInput.of(rating="satisfied"))
    services.matter_rate(acting_user=people.dispatcher, matter=Matter.objects.get(pk=reform.pk),
                         data=inputs.RateInput.of(rating="dissatisfied", comment="进度滞后于方案要求"))
    services.matter_rate(acting_user=people.requester, matter=Matter.objects.get(pk=demand.pk),
                         data=inputs.RateInput.of(rating="satisfied"))
    stored = Matter.objects.get(pk=reform.pk)
    assert (stored.rating, stored.assessment, stored.state) == ("", "dissatisfied", State.DISPUTED)
    assert MatterEvent.objects.get(matter=reform, action="rate").data["kind"] == "assessment"
    today = clocks.today()
    report = kpis.kpi_report(people.dispatcher, year=today.year, month=today.month, today=today)
    [row] = [r for r in report.rows if r.unit == org_tree["county_a"]]
    assert (row.kpis.rated, row.kpis.satisfied) == (1, 1)
    assert row.kpis.satisfaction_rate == 1
