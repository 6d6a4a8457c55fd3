"""The 亩均 run process through its services: 初评 → 调档 (four-eyes) → 公示 → 异议 → 发布,
reproducibility, re-runs, and the refusals (each names the field or the conflict and changes
nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.todo import todo_for
from zhaoyin.lib import mujun
from zhaoyin.matters.models import Matter
from zhaoyin.mujun import services
from zhaoyin.mujun.inputs import (
    AnswerInput,
    GradeDecideInput,
    GradeProposeInput,
    ObjectionInput,
    RunCreateInput,
    StepInput,
)
from zhaoyin.mujun.models import MuGradeChange, MuObjection, MuResult, MuRun, MuScheme
from zhaoyin.mujun.tests.runs_fixtures import YEAR, MuWorld, mu_world_fixture, put_inputs, step
from zhaoyin.notifications.models import Notification

mu_world = mu_world_fixture

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _result(run: MuRun, w: MuWorld, n: int) -> MuResult:
    return MuResult.objects.get(run=run, enterprise=w.firms[n])


def _at(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(services, "today", lambda: day)


def _propose(w: MuWorld, run: MuRun, result: MuResult, grade: str, by: User | None = None) -> MuGradeChange:
    run.refresh_from_db()
    return services.grade_change_propose(acting_user=by or w.office, run=run, data=GradeProposeInput.of(
        result=result.pk, to_grade=grade, reason="省级专精特新，按办法上调一档", version=run.version))


def test_run_stores_every_firm_with_its_indicators_and_digests(mu_world: MuWorld) -> None:
    w = mu_world
    run = w.run()
    assert run.state == "initial"
    assert run.firms == 8
    assert run.revision == 0
    assert run.engine_version == mujun.ENGINE_VERSION
    assert len(run.digest) == 64
    rows = list(MuResult.objects.filter(run=run).order_by("rank"))
    assert len(rows) == 8
    assert [r.grade for r in rows] == ["A", "A", "B", "B", "B", "C", "C", "D"]
    best = _result(run, w, 0)
    assert best.rank == 1
    assert best.initial_grade == best.grade == "A"
    code, formula, value, benchmark, weight, _points, _note = best.indicators[0]
    assert (code, formula, value, weight) == ("tax_per_mu", "tax / land_mu", "20.0000", "60")
    # The list's average 亩均税收: Σ tax ÷ Σ land.
    assert Decimal(benchmark) == (Decimal("1520.5") / Decimal(235)).quantize(Decimal("0.0001"))
    assert run.benchmarks["all"]["tax_per_mu"] == benchmark
    assert AuditRecord.objects.filter(action="mu_run.run", object_id=str(run.pk)).exists()


def test_a_run_reproduces_byte_identically(mu_world: MuWorld) -> None:
    w = mu_world
    run = w.run()
    # Inputs change after the run: the stored snapshot still gives the same bytes.
    put_inputs(w.firms[7], "999", "9999", "50")
    verdict = services.run_verify(run)
    assert verdict == {"digest": run.digest, "recomputed": run.digest, "identical": True, "scheme_unchanged": True}
    # A second run over the same inputs gives the same digest as a fresh run of the same snapshot.
    again = services.evaluate(run.scheme, list(MuRun.objects.get(pk=run.pk).snapshot))
    assert again.digest == run.digest


def test_verify_notices_a_tampered_result_set(mu_world: MuWorld) -> None:
    run = mu_world.run()
    MuRun.objects.filter(pk=run.pk).update(digest="0" * 64)
    verdict = services.run_verify(run)
    assert verdict["identical"] is False
    assert verdict["recomputed"] == run.digest


def test_run_refuses_a_scheme_that_does_not_validate_naming_the_field(mu_world: MuWorld) -> None:
    w = mu_world
    bad = dict(w.scheme.definition)
    bad["lists"] = [dict(bad["lists"][0], indicators=[dict(bad["lists"][0]["indicators"][0], benchmark="0"),
                                                      bad["lists"][0]["indicators"][1]])]
    scheme = MuScheme.objects.create(year=YEAR, number=2, name="坏办法", definition=bad, created_by=w.office)
    with pytest.raises(InvalidInput) as caught:
        services.run_create(acting_user=w.office, data=RunCreateInput.of(scheme=scheme.pk))
    assert "definition.lists[0].indicators[0].benchmark" in {e["field"] for e in caught.value.errors}
    assert not MuRun.objects.exists()


def test_run_refuses_a_year_without_inputs_and_an_unknown_scheme(mu_world: MuWorld) -> None:
    w = mu_world
    empty = MuScheme.objects.create(year=2030, number=1, name="2030", definition=w.scheme.definition,
                                    created_by=w.office)
    with pytest.raises(InvalidInput) as caught:
        services.run_create(acting_user=w.office, data=RunCreateInput.of(scheme=empty.pk))
    assert caught.value.errors[0]["field"] == "scheme"
    with pytest.raises(InvalidInput) as caught:
        services.run_create(acting_user=w.office, data=RunCreateInput.of(scheme=999999))
    assert caught.value.errors[0]["field"] == "scheme"
    with pytest.raises(InvalidInput) as caught:
        RunCreateInput.of(scheme="x")
    assert caught.value.errors[0]["field"] == "scheme"
    assert not MuRun.objects.exists()


def test_only_evaluators_run(mu_world: MuWorld) -> None:
    w = mu_world
    for user in (w.admin_a, w.leader, w.portal):
        with pytest.raises(PermissionDenied):
            services.run_create(acting_user=user, data=RunCreateInput.of(scheme=w.scheme.pk))
    assert not MuRun.objects.exists()
    assert AuditRecord.objects.filter(action="mu_run.run_denied").count() == 3


def test_the_whole_process(
    mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    w = mu_world
    commit = django_capture_on_commit_callbacks
    run = w.run()
    third = _result(run, w, 2)
    assert third.grade == "B"
    # 调档: proposed by one evaluator …
    change = _propose(w, run, third, "A")
    assert change.from_grade == "B"
    assert change.state == "proposed"
    assert "to_decide_grade_change" in {i.kind for i in todo_for(w.office2).items}
    assert "to_decide_grade_change" not in {i.kind for i in todo_for(w.office).items}
    # … the same evaluator may not approve it (403, audited, nothing changed) …
    with pytest.raises(PermissionDenied, match="另一名评价人员"):
        services.grade_change_decide(acting_user=w.office, change=change, action="approve_grade",
                                     data=GradeDecideInput.of())
    assert AuditRecord.objects.filter(action="mu_run.approve_grade_denied").exists()
    change.refresh_from_db()
    assert change.state == "proposed"
    # … and the 公示 waits for the decision.
    with pytest.raises(Conflict):
        step(run, "start_publicity", w.office)
    services.grade_change_decide(acting_user=w.office2, change=change, action="approve_grade",
                                 data=GradeDecideInput.of(note="同意"))
    third.refresh_from_db()
    assert (third.initial_grade, third.grade) == ("B", "A")

    # 公示: from the next working day, five working days.
    with commit(execute=True):
        run = step(run, "start_publicity", w.office)
    assert run.state == "publicity"
    assert (run.publicity_start, run.publicity_end) == (dt.date(2026, 3, 3), dt.date(2026, 3, 9))
    assert Notification.objects.filter(recipient=w.portal, kind="mujun_run.start_publicity").exists()
    assert Notification.objects.filter(recipient=w.portal_b, kind="mujun_run.start_publicity").exists()

    # 异议: the firm objects with evidence; a matter with a deadline.
    _at(monkeypatch, dt.date(2026, 3, 5))
    seventh = _result(run, w, 0)
    with commit(execute=True):
        objection = services.objection_submit(
            acting_user=w.portal, result=seventh, data=ObjectionInput.of(text="实缴税金漏报了一笔，应为 480 万元"),
            files=[SimpleUploadedFile("完税证明.pdf", PDF, content_type="application/pdf")])
    assert objection.state == "open"
    assert objection.files.count() == 1
    assert objection.due_on == dt.date(2026, 3, 12)
    assert objection.matter_id is not None
    matter = Matter.objects.get(pk=objection.matter_id)
    assert matter.enterprise_id == w.firms[0].pk
    assert matter.requester_id == w.portal.pk
    assert Notification.objects.filter(recipient=w.office, kind="mujun_run.object").exists()
    assert "to_answer_mu_objection" in {i.kind for i in todo_for(w.office).items}
    # Publishing waits for the end of the 公示 and for the answer.
    with pytest.raises(Conflict):
        step(run, "publish", w.office)
    _at(monkeypatch, dt.date(2026, 3, 10))
    with pytest.raises(Conflict, match="异议答复后"):
        step(run, "publish", w.office)
    # An objection after the 公示: 409, nothing stored.
    with pytest.raises(Conflict, match="公示期已结束"):
        services.objection_submit(acting_user=w.portal_b, result=_result(run, w, 7),
                                  data=ObjectionInput.of(text="太晚了"))
    assert MuObjection.objects.count() == 1

    # Upheld with corrections: the whole run again, recorded.
    run.refresh_from_db()
    old_digest, old_inputs = run.digest, run.inputs_digest
    weakest_before = _result(run, w, 7).indicators[0][3]
    with commit(execute=True):
        answered = services.objection_answer(
            acting_user=w.office2, objection=objection, action="uphold",
            data=AnswerInput.of(reason="经核实，按完税证明更正", corrections={"tax": "4800"}))
    assert answered.state == "upheld"
    assert answered.corrections == {"tax": "4800.0000"}
    assert (answered.grade_before, answered.grade_after) == ("A", "A")
    run.refresh_from_db()
    assert run.revision == 1
    assert run.digest != old_digest
    assert run.inputs_digest != old_inputs
    # The average benchmark moved, and with it another firm's benchmark.
    assert _result(run, w, 7).indicators[0][3] != weakest_before
    # The approved 调档 stays applied (its firm's initial grade is still B).
    assert _result(run, w, 2).grade == "A"
    record = AuditRecord.objects.get(action="mu_run.uphold")
    before, after = record.before or {}, record.after or {}
    assert before["digest"] == old_digest
    assert after["digest"] == run.digest
    assert Notification.objects.filter(recipient=w.portal, kind="mujun_run.uphold").exists()
    assert not Notification.objects.filter(recipient=w.portal_b, kind="mujun_run.uphold").exists()
    assert services.run_verify(run)["identical"] is True

    # 发布: final; the scheme is frozen.
    run = step(run, "publish", w.office)
    assert run.state == "published"
    assert run.published_at is not None
    w.scheme.refresh_from_db()
    assert w.scheme.status == "frozen"
    assert w.scheme.frozen_at is not None


def test_upholding_needs_corrections_named_by_figure(mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = mu_world
    run = step(w.run(), "start_publicity", w.office)
    objection = services.objection_submit(acting_user=w.portal, result=_result(run, w, 0),
                                          data=ObjectionInput.of(text="数据有误"))
    with pytest.raises(InvalidInput) as caught:
        services.objection_answer(acting_user=w.office, objection=objection, action="uphold",
                                  data=AnswerInput.of(reason="成立"))
    assert caught.value.errors[0]["field"] == "corrections"
    with pytest.raises(InvalidInput) as caught:
        AnswerInput.of(reason="成立", corrections={"profit": "1", "tax": "-3"})
    assert {e["field"] for e in caught.value.errors} == {"corrections.profit", "corrections.tax"}
    objection.refresh_from_db()
    assert objection.state == "open"
    run.refresh_from_db()
    assert run.revision == 0
    dismissed = services.objection_answer(acting_user=w.office, objection=objection, action="dismiss",
                                          data=AnswerInput.of(reason="数据以税务部门为准"))
    assert dismissed.state == "dismissed"
    assert not dismissed.corrections
    with pytest.raises(Conflict):
        services.objection_answer(acting_user=w.office, objection=objection, action="dismiss",
                                  data=AnswerInput.of(reason="再答"))


def test_a_firm_objects_only_to_its_own_result_in_publicity(mu_world: MuWorld) -> None:
    w = mu_world
    run = w.run()
    own = _result(run, w, 0)
    # Not in 公示 yet: the table refuses (409).
    with pytest.raises(Conflict):
        services.objection_submit(acting_user=w.portal, result=own, data=ObjectionInput.of(text="有误"))
    run = step(run, "start_publicity", w.office)
    with pytest.raises(PermissionDenied):
        services.objection_submit(acting_user=w.portal, result=_result(run, w, 7), data=ObjectionInput.of(text="x"))
    with pytest.raises(InvalidInput) as caught:
        ObjectionInput.of(text="  ")
    assert caught.value.errors[0]["field"] == "text"
    with pytest.raises(InvalidInput) as caught:
        services.objection_submit(acting_user=w.portal, result=own, data=ObjectionInput.of(text="有误"),
                                  files=[SimpleUploadedFile("a.pdf", b"MZ not a pdf", content_type="application/pdf")])
    assert caught.value.errors[0]["field"] == "files"
    assert not MuObjection.objects.exists()
    assert not Matter.objects.exists()


def test_grade_change_refusals(mu_world: MuWorld) -> None:
    w = mu_world
    run = w.run()
    result = _result(run, w, 2)
    with pytest.raises(InvalidInput) as caught:
        _propose(w, run, result, "B")
    assert caught.value.errors[0]["field"] == "to_grade"
    with pytest.raises(InvalidInput) as caught:
        GradeProposeInput.of(result=result.pk, to_grade="E", reason="x")
    assert caught.value.errors[0]["field"] == "to_grade"
    with pytest.raises(InvalidInput) as caught:
        GradeProposeInput.of(result=result.pk, to_grade="A", reason=" ")
    assert caught.value.errors[0]["field"] == "reason"
    _propose(w, run, result, "A")
    with pytest.raises(Conflict):
        _propose(w, run, result, "C", by=w.office2)
    with pytest.raises(PermissionDenied):
        _propose(w, run, result, "C", by=w.admin_a)
    change = MuGradeChange.objects.get()
    with pytest.raises(InvalidInput) as caught:
        services.grade_change_decide(acting_user=w.office2, change=change, action="reject_grade",
                                     data=GradeDecideInput.of())
    assert caught.value.errors[0]["field"] == "note"
    rejected = services.grade_change_decide(acting_user=w.office2, change=change, action="reject_grade",
                                            data=GradeDecideInput.of(note="理由不足"))
    assert rejected.state == "rejected"
    result.refresh_from_db()
    assert result.grade == "B"
    # A stale version is refused.
    with pytest.raises(Conflict):
        services.run_step(acting_user=w.office, run=run, action="discard",
                          data=StepInput.of(note="重来", version=1))


def test_recompute_reads_the_current_inputs_and_reapplies_a_change_on_the_same_grade(mu_world: MuWorld) -> None:
    w = mu_world
    run = w.run()
    change = _propose(w, run, _result(run, w, 2), "A")
    with pytest.raises(Conflict):
        step(run, "recompute", w.office)
    services.grade_change_decide(acting_user=w.office2, change=change, action="approve_grade",
                                 data=GradeDecideInput.of())
    weakest = _propose(w, run, _result(run, w, 7), "C")
    services.grade_change_decide(acting_user=w.office2, change=weakest, action="approve_grade",
                                 data=GradeDecideInput.of())
    # Firm 7 becomes the best: its initial grade is no longer D, its 调档 is not applied again.
    put_inputs(w.firms[7], "5000", "50000", "50")
    run = step(run, "recompute", w.office)
    assert run.revision == 1
    assert _result(run, w, 7).initial_grade == "A"
    assert _result(run, w, 7).grade == "A"
    assert _result(run, w, 2).initial_grade == "B"
    assert _result(run, w, 2).grade == "A"
    record = AuditRecord.objects.get(action="mu_run.recompute")
    assert record.after is not None
    assert record.after["dropped_grade_changes"] == [weakest.pk]
    assert MuResult.objects.filter(run=run).count() == 8
    assert services.run_verify(run)["identical"] is True


def test_discard_needs_a_reason_and_one_published_run_per_year(
    mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = mu_world
    run = w.run()
    with pytest.raises(InvalidInput) as caught:
        step(run, "discard", w.office)
    assert caught.value.errors[0]["field"] == "note"
    run = step(run, "start_publicity", w.office)
    _at(monkeypatch, dt.date(2026, 3, 10))
    step(run, "publish", w.office)
    other = w.run()
    other = step(other, "start_publicity", w.office)
    _at(monkeypatch, dt.date(2026, 3, 20))
    with pytest.raises(Conflict, match="已有另一次评价发布"):
        step(other, "publish", w.office)
    other.refresh_from_db()
    assert other.state == "publicity"
    discarded = w.run()
    assert step(discarded, "discard", w.office, note="口径调整").state == "discarded"


def test_cli_runs_a_scheme_and_refuses_bad_input(mu_world: MuWorld) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    w = mu_world
    out = StringIO()
    call_command("mu", "run", "--scheme", str(w.scheme.pk), "--user", w.office.username, stdout=out)
    run = MuRun.objects.get()
    assert f"run {run.pk}: year {YEAR}, 8 firms" in out.getvalue()
    assert run.digest in out.getvalue()
    for args, reason in ((["--scheme", str(w.scheme.pk)], "user:"),
                         (["--scheme", "x", "--user", w.office.username], "scheme:"),
                         (["--scheme", str(w.scheme.pk), "--user", w.leader.username], "user:")):
        with pytest.raises(CommandError, match=reason):
            call_command("mu", "run", *args)
    assert MuRun.objects.count() == 1
