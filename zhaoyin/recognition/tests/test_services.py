"""The recognition services: tier rules as data, the workflow's table, compare-and-set, the
publicity on the working-day calendar, objections, and the tier a recognition grants."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.testing import refused
from zhaoyin.recognition import services
from zhaoyin.recognition.flow import RECOGNITION_TABLE, STEP_ACTIONS, Action, State
from zhaoyin.recognition.inputs import (
    AnswerInput,
    ObjectionInput,
    RuleSetActivateInput,
    RuleSetChangeInput,
    RuleSetCreateInput,
)
from zhaoyin.recognition.models import Recognition, RuleSetStatus, TierRuleSet
from zhaoyin.recognition.tests.fixtures import RULES, RecWorld, rec_world_fixture, step

pytestmark = pytest.mark.django_db
rec_world = rec_world_fixture


def _on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(services, "today", lambda: day)


# ---- tier rules ---------------------------------------------------------------------------------


def test_a_tier_rule_that_does_not_parse_is_named_by_its_place_and_nothing_is_saved(rec_world: RecWorld) -> None:
    bad = [RULES[0], {"tier": "B", "tree": {"all": [{"field": "education", "op": "eq", "value": "phd"}]}}]
    with refused(InvalidInput, fields=["rules[1].tree.all[0].value"]) as info:
        services.rule_set_create(acting_user=rec_world.office, data=RuleSetCreateInput.of(year=2026, rules=bad))
    assert "phd" in info.value.errors[0]["message"]
    assert TierRuleSet.objects.count() == 1


def test_an_enterprise_leaf_is_refused_in_a_tier_rule(rec_world: RecWorld) -> None:
    bad = [{"tier": "A", "tree": {"figure": "revenue_wan", "year": 2025, "op": "gte", "value": 1}}]
    with refused(InvalidInput) as info:
        RuleSetCreateInput.of(year=2026, rules=bad)
    assert info.value.errors[0]["field"].startswith("rules[0].tree")


def test_a_tier_twice_is_refused(rec_world: RecWorld) -> None:
    with refused(InvalidInput, fields=["rules[1].tier"]):
        RuleSetCreateInput.of(year=2026, rules=[RULES[1], RULES[1]])


def test_rules_are_edited_by_the_office_and_city_admins_only(rec_world: RecWorld) -> None:
    for user in (rec_world.admin_a, rec_world.leader, rec_world.portal):
        with refused(PermissionDenied):
            services.rule_set_create(acting_user=user, data=RuleSetCreateInput.of(year=2027, rules=RULES))
    created = services.rule_set_create(acting_user=rec_world.city_admin,
                                       data=RuleSetCreateInput.of(year=2027, rules=RULES))
    assert (created.year, created.number, created.status) == (2027, 1, RuleSetStatus.DRAFT)


def test_activating_a_new_version_retires_the_old_and_applications_keep_theirs(rec_world: RecWorld) -> None:
    old = rec_world.rule_set
    r = rec_world.apply()
    draft = services.rule_set_create(acting_user=rec_world.office, data=RuleSetCreateInput.of(year=2026, rules=RULES))
    assert draft.number == 2
    services.rule_set_activate(acting_user=rec_world.office, rule_set=draft,
                               data=RuleSetActivateInput.of(version=draft.version))
    old.refresh_from_db()
    draft.refresh_from_db()
    assert (old.status, draft.status) == (RuleSetStatus.RETIRED, RuleSetStatus.ACTIVE)
    r.refresh_from_db()
    assert r.rule_set_id == old.pk
    assert TierRuleSet.objects.filter(year=2026, status="active").count() == 1


def test_only_a_draft_changes_and_a_stale_version_is_409(rec_world: RecWorld) -> None:
    active = rec_world.rule_set
    with refused(Conflict):
        services.rule_set_change(acting_user=rec_world.office, rule_set=active,
                                 data=RuleSetChangeInput.of(note="x", version=active.version))
    draft = services.rule_set_create(acting_user=rec_world.office, data=RuleSetCreateInput.of(year=2026, rules=RULES))
    with refused(Conflict):
        services.rule_set_change(acting_user=rec_world.office, rule_set=draft,
                                 data=RuleSetChangeInput.of(note="x", version=draft.version + 1))
    changed = services.rule_set_change(acting_user=rec_world.office, rule_set=draft,
                                       data=RuleSetChangeInput.of(publicity_days=7, version=draft.version))
    assert changed.publicity_days == 7


def test_the_suggestion_is_the_highest_tier_met_with_reasons(rec_world: RecWorld) -> None:
    r = rec_world.apply(tier="A")
    assert r.suggested_tier == "B"
    tiers = {t["tier"]: t for t in r.suggestion["tiers"]}
    assert tiers["A"]["verdict"] == "ineligible"
    assert tiers["B"]["verdict"] == "eligible"
    assert any(reason["result"] == "unmet" for reason in tiers["A"]["reasons"])
    assert r.suggestion["needs_data"] == []


def test_missing_data_lists_the_tier_as_needing_data(rec_world: RecWorld) -> None:
    talent = rec_world.talent_b
    talent.education = "bachelor"
    talent.save()
    r = rec_world.apply(talent)  # D needs social insurance months: known 0 → unmet
    assert r.suggested_tier == ""
    rules = [{"tier": "A", "tree": {"field": "age_at_arrival", "op": "lte", "value": 45}}, RULES[2]]
    from zhaoyin.recognition.rules import judge
    from zhaoyin.talents.facts import talent_facts, talent_vocabulary

    facts = talent_facts(talent, on=dt.date(2026, 3, 2))
    suggestion = judge([(x["tier"], "", x["tree"]) for x in rules], facts, on=dt.date(2026, 3, 2),
                       vocab=talent_vocabulary())
    assert suggestion.tier is None
    assert suggestion.needs_data == ("A",)


# ---- the workflow -------------------------------------------------------------------------------


def _to_publicity(w: RecWorld, monkeypatch: pytest.MonkeyPatch, day: dt.date) -> Recognition:
    _on(monkeypatch, day)
    r = w.apply()
    step(r, "first_pass", w.admin_a, note="材料齐全")
    return step(r, "second_pass", w.office, note="同意公示")


def test_each_step_is_taken_by_its_actors_only(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply()
    # 初审: county A's unit roles (and city admins); not county B, not the office, not the talent.
    for outsider in (w.admin_b, w.office, w.portal, w.leader):
        with refused(PermissionDenied):
            step(r, "first_pass", outsider)
    step(r, "first_pass", w.staff_a, note="ok")
    # 复审: the office; not the unit.
    with refused(PermissionDenied):
        step(r, "second_pass", w.admin_a)
    r = step(r, "second_pass", w.office)
    assert r.state == State.PUBLICITY
    # Withdrawing is the applicant's (here the office applied on the talent's behalf).
    with refused(PermissionDenied):
        step(r, "withdraw", w.admin_a)


def test_the_applicant_returns_and_resubmits(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply(w.talent_own, by=w.portal, tier="D")
    with refused(InvalidInput, fields=["note"]):
        step(r, "first_return", w.admin_a)
    r = step(r, "first_return", w.admin_a, note="补充社保证明")
    assert (r.state, r.return_reason) == (State.RETURNED, "补充社保证明")
    with refused(PermissionDenied):
        step(r, "resubmit", w.other_portal)
    r = step(r, "resubmit", w.portal, note="已补充")
    assert (r.state, r.return_reason, r.suggested_tier) == (State.FIRST_REVIEW, "", "D")
    r = step(r, "withdraw", w.portal)
    assert r.state == State.WITHDRAWN


def test_a_step_from_the_wrong_state_and_a_stale_version_are_409(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply()
    with refused(Conflict):
        step(r, "second_pass", w.office)
    stale = Recognition.objects.get(pk=r.pk)
    step(r, "first_pass", w.admin_a)
    from zhaoyin.recognition.inputs import StepInput

    with refused(Conflict):
        services.recognition_step(acting_user=w.office, recognition=stale, action="second_pass",
                                  data=StepInput.of(version=stale.version))


def test_a_second_open_application_is_409(rec_world: RecWorld) -> None:
    rec_world.apply()
    with refused(Conflict):
        rec_world.apply()


def test_refusals_need_a_reason_and_record_it(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply()
    with refused(InvalidInput, fields=["note"]):
        step(r, "first_refuse", w.admin_a)
    r = step(r, "first_refuse", w.admin_a, note="不符合条件")
    assert (r.state, r.refusal_reason, r.decided_on) == (State.REFUSED, "不符合条件", dt.date(2026, 3, 2))


def test_the_publicity_counts_working_days_across_the_national_day(
    rec_world: RecWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opened on Wednesday 30 September 2026: the five working days counted from the next day skip
    # 1–7 October (国庆 and 中秋) and count Thursday 8, Friday 9, Saturday 10 October (a make-up
    # working day of the State Council's notice), Monday 12 and Tuesday 13 October. Calendar
    # days would have ended it on 5 October, weekdays alone on 7 October.
    r = _to_publicity(rec_world, monkeypatch, dt.date(2026, 9, 30))
    assert (r.publicity_start, r.publicity_end) == (dt.date(2026, 9, 30), dt.date(2026, 10, 13))


def test_the_publicity_cannot_close_before_its_end_date(rec_world: RecWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = rec_world
    r = _to_publicity(w, monkeypatch, dt.date(2026, 9, 30))
    _on(monkeypatch, dt.date(2026, 10, 13))
    with refused(Conflict) as info:
        step(r, "recognize", w.office)
    assert "2026-10-13" in str(info.value)
    assert "2026-10-14" in str(info.value)
    _on(monkeypatch, dt.date(2026, 10, 14))
    r = step(r, "recognize", w.office)
    assert r.state == State.RECOGNIZED


def test_every_objection_is_answered_before_the_next_step(
    rec_world: RecWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = rec_world
    r = _to_publicity(w, monkeypatch, dt.date(2026, 3, 2))
    with refused(InvalidInput, fields=["received_on"]):
        services.objection_record(acting_user=w.office, recognition=r, data=ObjectionInput.of(
            text="学历存疑", received_on="2026-03-03", version=r.version))
    with refused(PermissionDenied):
        services.objection_record(acting_user=w.admin_a, recognition=r, data=ObjectionInput.of(
            text="学历存疑", received_on="2026-03-02", version=r.version))
    objection = services.objection_record(acting_user=w.office, recognition=r, data=ObjectionInput.of(
        text="学历存疑", received_on="2026-03-02", version=r.version))
    _on(monkeypatch, dt.date(2026, 3, 20))
    with refused(Conflict):
        step(r, "recognize", w.office)
    r.refresh_from_db()
    services.objection_answer(acting_user=w.office, recognition=r, objection=objection,
                              data=AnswerInput.of(answer="经核实学历属实", version=r.version))
    r.refresh_from_db()
    with refused(Conflict):
        services.objection_answer(acting_user=w.office, recognition=r, objection=objection,
                                  data=AnswerInput.of(answer="again", version=r.version))
    assert step(r, "recognize", w.office).state == State.RECOGNIZED


def test_recognized_sets_the_talent_tier_with_a_certificate_and_is_audited(
    rec_world: RecWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = rec_world
    r = _to_publicity(w, monkeypatch, dt.date(2026, 3, 2))
    _on(monkeypatch, dt.date(2026, 3, 20))
    r = step(r, "recognize", w.office)
    assert (r.tier, r.certificate_no, r.valid_until) == ("B", "HNRC2026-00001", dt.date(2029, 3, 20))
    talent = w.talent_a
    talent.refresh_from_db()
    assert (talent.tier, talent.tier_valid_until) == ("B", dt.date(2029, 3, 20))
    record = AuditRecord.objects.filter(action="talent.set_tier", object_id=str(talent.pk)).get()
    assert set(record.after or {}) >= {"tier", "tier_valid_until"}
    assert AuditRecord.objects.filter(action="recognition.recognize", object_id=str(r.pk)).exists()
    # The next certificate of the year follows.
    second = _to_publicity_for(w, monkeypatch, w.talent_b, "C")
    _on(monkeypatch, dt.date(2026, 3, 20))
    assert step(second, "recognize", w.office).certificate_no == "HNRC2026-00002"


def _to_publicity_for(w: RecWorld, monkeypatch: pytest.MonkeyPatch, talent: object, tier: str) -> Recognition:
    _on(monkeypatch, dt.date(2026, 3, 2))
    r = w.apply(talent, tier=tier)  # type: ignore[arg-type]
    step(r, "first_pass", w.admin_b)
    return step(r, "second_pass", w.office, tier=tier)


def test_the_second_review_names_a_tier_when_the_rules_suggest_none(rec_world: RecWorld) -> None:
    w = rec_world
    talent = w.talent_b
    talent.education = "college"
    talent.save()
    r = w.apply(talent, tier="E")
    step(r, "first_pass", w.admin_b)
    with refused(InvalidInput, fields=["tier"]):
        step(r, "second_pass", w.office)
    assert step(r, "second_pass", w.office, tier="E").tier == "E"


def test_every_step_action_is_a_row_of_the_one_table() -> None:
    assert set(STEP_ACTIONS) | {"object", "answer"} == {r.action.value for r in RECOGNITION_TABLE.rows}
    assert RECOGNITION_TABLE.transition_for(Action.RECOGNIZE, State.SECOND_REVIEW) is None


def test_the_hand_off_tells_the_unit_of_an_application(
    rec_world: RecWorld, django_capture_on_commit_callbacks: object
) -> None:
    from zhaoyin.notifications.models import Notification

    w = rec_world
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        w.apply(w.talent_own, by=w.portal, tier="D")
    told = set(Notification.objects.filter(kind="recognition.apply").values_list("recipient_id", flat=True))
    assert {w.admin_a.pk, w.staff_a.pk} <= told
    assert w.admin_b.pk not in told


def test_the_to_do_lists_the_first_review_for_the_unit(rec_world: RecWorld) -> None:
    from zhaoyin.core.todo import todo_for

    w = rec_world
    w.apply()
    kinds = {i.kind for i in todo_for(w.admin_a).items}
    assert "to_first_review" in kinds
    assert "to_first_review" not in {i.kind for i in todo_for(w.admin_b).items}
