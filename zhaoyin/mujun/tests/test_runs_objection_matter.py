"""An objection is a matter with a deadline (issue 14): registered for the firm, handed at once
to the 经信局 (``ZHAOYIN_MU_LEAD_UNIT``, else the city) with the answer's due date as its
handling deadline, and closed through the matters' own rows when the evaluators answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.core.errors import Conflict
from zhaoyin.core.roles import Role
from zhaoyin.matters.inputs import NoteInput, ReturnInput
from zhaoyin.matters.models import Matter, MatterEvent
from zhaoyin.matters.services import matter_accept, matter_return
from zhaoyin.mujun import services
from zhaoyin.mujun.inputs import AnswerInput, ObjectionInput
from zhaoyin.mujun.models import MuObjection, MuResult, MuRun
from zhaoyin.mujun.tests.runs_fixtures import MuWorld, mu_world_fixture, step
from zhaoyin.notifications.models import Notification

mu_world = mu_world_fixture


def _jxj(w: MuWorld) -> OrgUnit:
    return OrgUnit.objects.create(code="dept-jxj", name="经济和信息化局", kind=OrgUnitKind.DEPARTMENT,
                                  parent=w.units["city"])


def _object(w: MuWorld, monkeypatch: pytest.MonkeyPatch) -> tuple[MuRun, MuObjection]:
    run = step(w.run(), "start_publicity", w.office)
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 3, 5))
    result = MuResult.objects.get(run=run, enterprise=w.firms[0])
    objection = services.objection_submit(acting_user=w.portal, result=result,
                                          data=ObjectionInput.of(text="实缴税金漏报了一笔，应为 480 万元"))
    return run, objection


def _matter(objection: MuObjection) -> Matter:
    assert objection.matter_id is not None
    return Matter.objects.get(pk=objection.matter_id)


def _actions(matter: Matter) -> list[str]:
    return list(MatterEvent.objects.filter(matter=matter).order_by("at", "pk").values_list("action", flat=True))


def test_the_objection_is_handed_to_the_lead_unit_with_its_deadline(
    mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    w = mu_world
    jxj = _jxj(w)
    staff = w.make_user(Role.STAFF, "city")
    staff.org_unit = jxj
    staff.save()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _run, objection = _object(w, monkeypatch)
    matter = _matter(objection)
    assert matter.state == "assigned"
    assert matter.lead_unit_id == jxj.pk
    assert matter.requester_id == w.portal.pk
    assert matter.enterprise_id == w.firms[0].pk
    assert matter.received_on == dt.date(2026, 3, 5)
    assert matter.handle_deadline == objection.due_on == dt.date(2026, 3, 12)
    assert matter.sign_deadline is not None
    assert _actions(matter) == ["create", "assign"]
    # The lead unit is told, as for any assigned matter.
    assert Notification.objects.filter(recipient=staff, kind="matter.assign").exists()


def test_without_the_lead_unit_the_city_answers(mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = mu_world
    with override_settings(ZHAOYIN_MU_LEAD_UNIT="no-such-unit"):
        _run, objection = _object(w, monkeypatch)
    matter = _matter(objection)
    assert matter.state == "assigned"
    assert matter.lead_unit_id == w.units["city"].pk


def test_dismissing_records_the_answer_and_closes_the_matter(
    mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    w = mu_world
    _jxj(w)
    _run, objection = _object(w, monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.objection_answer(acting_user=w.office, objection=objection, action="dismiss",
                                  data=AnswerInput.of(reason="数据以税务部门为准"))
    matter = _matter(objection)
    assert matter.state == "closed"
    assert matter.closed_at is not None
    assert _actions(matter) == ["create", "assign", "accept", "report", "approve"]
    report = MatterEvent.objects.get(matter=matter, action="report")
    assert "数据以税务部门为准" in report.note
    assert report.actor_id == w.office.pk
    # Only the closing tells anybody: the firm, to rate it; nobody is asked to review a report.
    assert Notification.objects.filter(recipient=w.portal, kind="matter.approve").exists()
    assert not Notification.objects.filter(kind__in=["matter.report", "matter.accept"]).exists()


def test_upholding_a_signed_for_objection_closes_it_with_the_new_grade(
    mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = mu_world
    _run, objection = _object(w, monkeypatch)  # no 经信局 here: the city is the lead unit
    matter = _matter(objection)
    matter_accept(acting_user=w.make_user(Role.STAFF, "city"), matter=matter, data=NoteInput.of(note="已签收"))
    services.objection_answer(acting_user=w.office2, objection=objection, action="uphold",
                              data=AnswerInput.of(reason="经核实，按完税证明更正", corrections={"tax": "4800"}))
    matter.refresh_from_db()
    assert matter.state == "closed"
    assert _actions(matter) == ["create", "assign", "accept", "report", "approve"]
    report = MatterEvent.objects.get(matter=matter, action="report")
    assert "经核实" in report.note
    assert "A → A" in report.note


def test_a_returned_matter_is_cancelled_by_the_answer(mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = mu_world
    _run, objection = _object(w, monkeypatch)
    matter = _matter(objection)
    matter_return(acting_user=w.make_user(Role.STAFF, "city"), matter=matter,
                  data=ReturnInput.of(reason="不属本单位职责", suggested_unit="340402"))
    services.objection_answer(acting_user=w.office, objection=objection, action="dismiss",
                              data=AnswerInput.of(reason="数据以税务部门为准"))
    matter.refresh_from_db()
    assert matter.state == "cancelled"
    assert MatterEvent.objects.get(matter=matter, action="cancel").reason.endswith("数据以税务部门为准")


def test_a_refused_answer_leaves_the_matter_open(mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = mu_world
    run, objection = _object(w, monkeypatch)
    run.refresh_from_db()
    with pytest.raises(Conflict):
        services.objection_answer(acting_user=w.office, objection=objection, action="uphold",
                                  data=AnswerInput.of(reason="成立", corrections={"tax": "4800"},
                                                      version=run.version - 1))
    matter = _matter(objection)
    assert matter.state == "assigned"
    assert _actions(matter) == ["create", "assign"]
    objection.refresh_from_db()
    assert objection.state == "open"
