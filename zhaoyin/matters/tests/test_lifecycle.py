"""The whole life of a matter through the services: events, audit, clocks, files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.matters import clocks, inputs, services
from zhaoyin.matters.choices import ExtensionState
from zhaoyin.matters.clocks import SHANGHAI
from zhaoyin.matters.flow import Action, State
from zhaoyin.matters.models import ExtensionRequest, Matter, MatterEvent, MatterFile
from zhaoyin.matters.selectors import allowed_actions
from zhaoyin.matters.tests.conftest import MakeMatter, People

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MONDAY = dt.datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI)


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def events(matter: Matter) -> list[tuple[str, str, str, str]]:
    return [
        (e.action, e.from_state, e.to_state, e.actor.username if e.actor else "")
        for e in MatterEvent.objects.filter(matter=matter).select_related("actor").order_by("id")
    ]


def audits(matter: Matter) -> list[str]:
    return list(
        AuditRecord.objects.filter(object_type="matters.matter", object_id=str(matter.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_the_whole_lifecycle_assign_accept_report_approve_rate(
    people: People, org_tree: dict[str, OrgUnit], file_root: Path
) -> None:
    with at(MONDAY):
        matter = services.matter_create(acting_user=people.requester,
            data=inputs.MatterCreateInput.of(
                title="厂房用电增容",
                source="enterprise_demand",
                kind="consultation",
                description="申请增容至 2000 kVA。",
            ), files=[SimpleUploadedFile("申请.pdf", PDF, content_type="application/pdf")])
        assert matter.code == "JB2026-000001"
        assert matter.state == State.DRAFT
        assert matter.requester == people.requester
        assert matter.enterprise_id == people.requester.enterprise_id  # own enterprise
        assert matter.dispatcher_unit == org_tree["city"]
        assert allowed_actions(people.dispatcher, matter) == [Action.ASSIGN, Action.CANCEL]
        services.matter_assign(acting_user=people.dispatcher, matter=matter,
            data=inputs.AssignInput.of(lead_unit="340402", co_units=["dept-fgw"]))
        # Monday 2 November: sign-for 1 working day, consultation 3 working days, from the next day.
        assert (matter.state, matter.received_on) == (State.ASSIGNED, dt.date(2026, 11, 2))
        assert (matter.sign_deadline, matter.handle_deadline) == (dt.date(2026, 11, 3), dt.date(2026, 11, 5))
        assert matter.handle_days == 3
        assert not matter.deadlines_provisional
        assert [u.code for u in matter.co_units.all()] == ["dept-fgw"]
        assert allowed_actions(people.lead, matter) == [Action.ACCEPT, Action.RETURN]
        assert allowed_actions(people.co, matter) == []
        services.matter_accept(acting_user=people.lead, matter=matter, data=inputs.NoteInput.of())
        services.matter_progress(acting_user=people.co, matter=matter,
            data=inputs.ProgressInput.of(note="协办意见: 供电公司已排期。"))
        services.matter_report(acting_user=people.lead, matter=matter,
            data=inputs.ReportInput.of(summary="已完成增容。"), files=[SimpleUploadedFile("验收单.pdf", PDF)])
        services.matter_approve(acting_user=people.dispatcher, matter=matter, data=inputs.NoteInput.of())
        assert matter.closed_at is not None
        services.matter_rate(acting_user=people.requester, matter=matter,
            data=inputs.RateInput.of(rating="satisfied", comment="很及时"))
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.state, stored.rating, stored.version) == (State.RATED, "satisfied", matter.version)
    assert events(matter) == [
        ("create", "", "draft", "requester"),
        ("assign", "draft", "assigned", "dispatcher"),
        ("accept", "assigned", "accepted", "lead"),
        ("progress", "accepted", "accepted", "co"),
        ("report", "accepted", "reported", "lead"),
        ("approve", "reported", "closed", "dispatcher"),
        ("rate", "closed", "rated", "requester"),
    ]
    accept = MatterEvent.objects.get(matter=matter, action="accept")
    assert accept.data == {"on_time": True}
    assert accept.lead_unit == org_tree["county_a"]
    # One audit record per write, in the same order.
    assert audits(matter) == [
        "matter.create", "matter.assign", "matter.accept", "matter.progress", "matter.report", "matter.approve",
        "matter.rate",
    ]
    files = list(MatterFile.objects.filter(matter=matter).order_by("id"))
    assert [f.original_name for f in files] == ["申请.pdf", "验收单.pdf"]
    assert files[1].event == MatterEvent.objects.get(matter=matter, action="report")
    assert all((file_root / f.stored_name).read_bytes() == PDF for f in files)


def test_dissatisfied_rating_is_verified_then_reopens_with_a_new_clock(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.CLOSED, handle_days=15, closed_at=MONDAY)
    with at(dt.datetime(2026, 11, 19, 16, 0, tzinfo=SHANGHAI)):
        services.matter_rate(acting_user=people.requester, matter=matter,
            data=inputs.RateInput.of(rating="dissatisfied", comment="未解决"))
    stored = Matter.objects.get(pk=matter.pk)
    # 不满意 waits for the dispatcher's 核实 (issue 15): still closed, no new clock yet.
    assert (stored.state, stored.rating) == (State.DISPUTED, "dissatisfied")
    assert stored.closed_at is not None
    assert [e[:3] for e in events(matter)][-2:] == [("rate", "closed", "rated"), ("dispute", "rated", "disputed")]
    assert allowed_actions(people.dispatcher, stored) == [Action.CONFIRM_DISPUTE, Action.DISMISS_DISPUTE]
    assert allowed_actions(people.requester, stored) == []
    with at(dt.datetime(2026, 11, 20, 16, 0, tzinfo=SHANGHAI)):  # a Friday
        services.matter_confirm_dispute(acting_user=people.supervisor, matter=stored,
            data=inputs.NewClockInput.of(reason="企业反映属实"))
    stored = Matter.objects.get(pk=matter.pk)
    assert stored.state == State.ACCEPTED
    assert stored.closed_at is None
    # 15 working days counted from the day after the confirmation.
    assert (stored.handle_from, stored.handle_deadline) == (dt.date(2026, 11, 20), dt.date(2026, 12, 11))
    confirm = MatterEvent.objects.get(matter=matter, action="confirm_dispute")
    assert (confirm.from_state, confirm.to_state, confirm.reason) == ("disputed", "accepted", "企业反映属实")
    assert confirm.data["cause"] == "dissatisfied"
    assert audits(matter)[-3:] == ["matter.rate", "matter.dispute", "matter.confirm_dispute"]


def test_dispatcher_rates_on_behalf_of_the_requester(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.CLOSED)
    services.matter_rate(acting_user=people.supervisor, matter=matter,
        data=inputs.RateInput.of(rating="basically_satisfied"))
    event = MatterEvent.objects.get(matter=matter, action="rate")
    assert event.data == {"rating": "basically_satisfied", "on_behalf": True, "kind": "satisfaction"}
    assert Matter.objects.get(pk=matter.pk).state == State.RATED


def test_return_then_assign_again_to_the_suggested_unit(
    people: People, make_matter: MakeMatter, org_tree: dict[str, OrgUnit]
) -> None:
    matter = make_matter(State.ASSIGNED)
    services.matter_return(acting_user=people.lead, matter=matter,
        data=inputs.ReturnInput.of(reason="属地不符: 企业注册在田家庵区", suggested_unit="340403"))
    event = MatterEvent.objects.get(matter=matter, action="return")
    assert event.reason == "属地不符: 企业注册在田家庵区"
    assert event.data == {"suggested_unit": "340403", "suggested_unit_name": "田家庵区"}
    assert event.lead_unit == org_tree["county_a"]  # the unit that returned it
    with at(MONDAY):
        services.matter_assign(acting_user=people.dispatcher, matter=matter,
            data=inputs.AssignInput.of(lead_unit="340403", co_units=[]))
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.state, stored.lead_unit) == (State.ASSIGNED, org_tree["county_b"])
    assert list(stored.co_units.all()) == []
    assert MatterEvent.objects.filter(matter=matter, action="assign").get().lead_unit == org_tree["county_b"]


def test_reject_sends_the_report_back_with_a_new_deadline(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.REPORTED, reported_at=MONDAY)
    with at(MONDAY):
        services.matter_reject(acting_user=people.dispatcher, matter=matter,
            data=inputs.NewClockInput.of(reason="缺少供电公司回函", handle_deadline="2026-11-13"))
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.state, stored.handle_deadline, stored.handle_days) == (State.ACCEPTED, dt.date(2026, 11, 13), None)
    assert stored.reported_at is None
    event = MatterEvent.objects.get(matter=matter, action="reject")
    assert (event.from_state, event.to_state, event.reason) == ("reported", "accepted", "缺少供电公司回函")


def test_extension_requested_before_the_deadline_and_approved(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 11, 6))
    with at(MONDAY):
        request = services.matter_request_extension(acting_user=people.lead, matter=matter,
            data=inputs.ExtensionRequestInput.of(days=5, reason="需等待省厅批复"))
        assert request.requested_deadline == dt.date(2026, 11, 13)
        assert allowed_actions(people.lead, matter).count(Action.REQUEST_EXTENSION) == 0  # one pending at a time
        assert Action.ANSWER_EXTENSION in allowed_actions(people.dispatcher, matter)
        answered = services.matter_answer_extension(acting_user=people.dispatcher, matter=matter,
            data=inputs.AnswerExtensionInput.of(approve=True, note="同意"))
    assert answered.state == ExtensionState.APPROVED
    assert answered.answered_by == people.dispatcher
    stored = Matter.objects.get(pk=matter.pk)
    assert stored.handle_deadline == dt.date(2026, 11, 13)
    assert stored.state == State.ACCEPTED
    assert audits(matter)[-2:] == ["matter.request_extension", "matter.answer_extension"]


def test_refused_extension_keeps_the_deadline_and_pending_ones_lapse_on_report(
    people: People, make_matter: MakeMatter
) -> None:
    matter = make_matter(State.ACCEPTED, handle_deadline=dt.date(2026, 11, 6))
    with at(MONDAY):
        services.matter_request_extension(acting_user=people.lead, matter=matter,
            data=inputs.ExtensionRequestInput.of(requested_deadline="2026-11-20", reason="材料未齐"))
        services.matter_answer_extension(acting_user=people.dispatcher, matter=matter,
            data=inputs.AnswerExtensionInput.of(approve=False))
        assert Matter.objects.get(pk=matter.pk).handle_deadline == dt.date(2026, 11, 6)
        services.matter_request_extension(acting_user=people.lead, matter=matter,
            data=inputs.ExtensionRequestInput.of(requested_deadline="2026-11-20", reason="材料仍未齐"))
        services.matter_report(acting_user=people.lead, matter=matter, data=inputs.ReportInput.of(summary="已办结"))
    assert list(ExtensionRequest.objects.filter(matter=matter).order_by("id").values_list("state", flat=True)) == [
        ExtensionState.REFUSED, ExtensionState.LAPSED,
    ]


def test_a_leader_lists_and_unlists_a_matter(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ACCEPTED)
    assert allowed_actions(people.leader, matter) == [Action.LIST, Action.INSTRUCT]
    services.matter_list(
        acting_user=people.leader, matter=matter,
        data=inputs.ListInput.of(
            leader=people.leader.username, deadline=clocks.today() + dt.timedelta(days=30), note="请市发改委牵头"
        ),
    )
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.listed, stored.listed_by, stored.state) == (True, people.leader, State.ACCEPTED)
    assert allowed_actions(people.leader, matter) == [Action.UNLIST, Action.INSTRUCT]
    services.matter_unlist(acting_user=people.leader, matter=matter, data=inputs.NoteInput.of())
    assert not Matter.objects.get(pk=matter.pk).listed
    assert audits(matter)[-2:] == ["matter.list", "matter.unlist"]


def test_reassign_restarts_the_clocks_and_cancel_ends_it(
    people: People, make_matter: MakeMatter, org_tree: dict[str, OrgUnit]
) -> None:
    matter = make_matter(State.ACCEPTED)
    with at(MONDAY):
        services.matter_reassign(acting_user=people.dispatcher, matter=matter,
            data=inputs.ReassignInput.of(lead_unit="park-a", note="改由园区办理"))
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.state, stored.lead_unit, stored.accepted_at) == (State.ASSIGNED, org_tree["park_a"], None)
    assert stored.handle_deadline == dt.date(2026, 11, 23)  # 15 working days after 2 November
    services.matter_cancel(
        acting_user=people.requester, matter=stored, data=inputs.ReasonInput.of(reason="问题已自行解决")
    )
    assert Matter.objects.get(pk=matter.pk).state == State.CANCELLED


def test_draft_update_changes_the_given_fields_and_is_audited(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.DRAFT)
    services.matter_update(
        acting_user=people.dispatcher, matter=matter,
        data=inputs.MatterUpdateInput.parse(
            {"title": "新增用地指标", "kind": "urgent_instruction", "co_units": ["340403"]}
        ),
    )
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.title, stored.kind, stored.version) == ("新增用地指标", "urgent_instruction", 2)
    assert [u.code for u in stored.co_units.all()] == ["340403"]
    record = AuditRecord.objects.filter(action="matter.update").get()
    assert record.after is not None
    # The title is recorded as changed, not quoted; org-unit codes are kept (issue 12 D4).
    assert record.after["title"] == "***"
    assert record.after["kind"] == "urgent_instruction"
    assert record.after["co_units"] == ["340403"]


def test_codes_count_up_within_the_year(people: People) -> None:
    codes = [
        services.matter_create(acting_user=people.lead,
            data=inputs.MatterCreateInput.of(title=f"事项{i}", source="visit", kind="coordination")).code
        for i in range(3)
    ]
    year = dt.datetime.now(SHANGHAI).year
    assert codes == [f"JB{year}-000001", f"JB{year}-000002", f"JB{year}-000003"]
