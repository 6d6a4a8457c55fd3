"""The recognition API contract: /api/v1/tier-rule-sets, /api/v1/recognitions,
/api/v1/talents/{id}/recognitions and the portal's /api/v1/me/recognitions — shapes,
201/403/404/409/422, scope (AC-03), and the whole path to a tier."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.recognition import services
from zhaoyin.recognition.inputs import RuleSetCreateInput
from zhaoyin.recognition.models import Recognition, TierRuleSet
from zhaoyin.recognition.tests.fixtures import RULES, RecWorld, rec_world_fixture, step

pytestmark = pytest.mark.django_db
rec_world = rec_world_fixture


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(services, "today", lambda: day)


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


# ---- tier rule sets -----------------------------------------------------------------------------


def test_a_rule_set_is_created_as_a_draft_and_activated(rec_world: RecWorld) -> None:
    client = api(rec_world.office)
    created = post(client, "/api/v1/tier-rule-sets", {"year": 2027, "rules": RULES, "publicity_days": 7})
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["year"], data["number"], data["status"], data["publicity_days"]) == (2027, 1, "draft", 7)
    assert [r["tier"] for r in data["rules"]] == ["A", "B", "C", "D"]
    stale = post(client, f"/api/v1/tier-rule-sets/{data['id']}/activate", {"version": data["version"] + 1})
    assert stale.status_code == 409
    done = post(client, f"/api/v1/tier-rule-sets/{data['id']}/activate", {"version": data["version"]})
    assert done.status_code == 200
    assert done.json()["status"] == "active"
    listed = client.get("/api/v1/tier-rule-sets?year=2027").json()
    assert [s["id"] for s in listed["items"]] == [data["id"]]


def test_a_tier_rule_that_does_not_parse_is_422_naming_it_and_nothing_changes(rec_world: RecWorld) -> None:
    bad = [RULES[0], {"tier": "B", "tree": {"all": [{"field": "no_such_field", "op": "eq", "value": 1}]}}]
    client = api(rec_world.office)
    before = db_fingerprint()
    response = post(client, "/api/v1/tier-rule-sets", {"year": 2027, "rules": bad})
    assert response.status_code == 422
    assert any(f.startswith("rules[1].tree.all[0]") for f in _fields(response))
    assert_fingerprint_unchanged(before, db_fingerprint())
    assert not TierRuleSet.objects.filter(year=2027).exists()


def test_an_active_rule_set_is_not_patched(rec_world: RecWorld) -> None:
    w = rec_world
    response = api(w.office).patch(f"/api/v1/tier-rule-sets/{w.rule_set.pk}",
                                   data=json.dumps({"note": "x", "version": w.rule_set.version}),
                                   content_type="application/json")
    assert response.status_code == 409


def test_units_read_the_rules_and_may_not_write_them(rec_world: RecWorld) -> None:
    client = api(rec_world.admin_a)
    assert client.get(f"/api/v1/tier-rule-sets/{rec_world.rule_set.pk}").status_code == 200
    assert post(client, "/api/v1/tier-rule-sets", {"year": 2027, "rules": RULES}).status_code == 403
    assert api(rec_world.portal).get("/api/v1/tier-rule-sets").status_code == 403


# ---- recognitions -------------------------------------------------------------------------------


def test_the_whole_path_through_the_api_sets_the_tier(rec_world: RecWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = rec_world
    _on(monkeypatch, dt.date(2026, 9, 30))
    created = post(api(w.office), f"/api/v1/talents/{w.talent_a.pk}/recognitions", {"claimed_tier": "B"})
    assert created.status_code == 201, created.content
    r = created.json()
    assert (r["state"], r["suggested_tier"], r["suggestion"]["tier"]) == ("first_review", "B", "B")
    rid = r["id"]
    r = post(api(w.admin_a), f"/api/v1/recognitions/{rid}/actions/first_pass",
             {"note": "材料齐全", "version": r["version"]}).json()
    assert (r["state"], r["first_note"], r["first_reviewer"]) == ("second_review", "材料齐全", w.admin_a.username)
    r = post(api(w.office), f"/api/v1/recognitions/{rid}/actions/second_pass", {"version": r["version"]}).json()
    assert (r["state"], r["tier"], r["publicity_end"]) == ("publicity", "B", "2026-10-13")
    _on(monkeypatch, dt.date(2026, 10, 13))
    early = post(api(w.office), f"/api/v1/recognitions/{rid}/actions/recognize", {"version": r["version"]})
    assert early.status_code == 409
    _on(monkeypatch, dt.date(2026, 10, 14))
    done = post(api(w.office), f"/api/v1/recognitions/{rid}/actions/recognize", {"version": r["version"]})
    assert done.status_code == 200, done.content
    r = done.json()
    assert (r["state"], r["certificate_no"], r["valid_until"]) == ("recognized", "HNRC2026-00001", "2029-10-14")
    w.talent_a.refresh_from_db()
    assert w.talent_a.tier == "B"
    history = api(w.admin_a).get(f"/api/v1/talents/{w.talent_a.pk}/recognitions").json()
    assert [x["id"] for x in history] == [rid]


def test_post_recognitions_names_the_talent_alike_for_unknown_and_out_of_scope(rec_world: RecWorld) -> None:
    w = rec_world
    client = api(w.admin_a)
    before = db_fingerprint()
    other = post(client, "/api/v1/recognitions", {"talent": w.talent_b.pk, "claimed_tier": "C"})
    unknown = post(client, "/api/v1/recognitions", {"talent": 999999, "claimed_tier": "C"})
    assert (other.status_code, unknown.status_code) == (422, 422)
    assert other.json() == unknown.json()
    assert _fields(other) == {"talent"}
    assert_fingerprint_unchanged(before, db_fingerprint())
    created = post(client, "/api/v1/recognitions", {"talent": w.talent_a.pk, "claimed_tier": "B"})
    assert created.status_code == 201
    again = post(client, "/api/v1/recognitions", {"talent": w.talent_a.pk, "claimed_tier": "B"})
    assert again.status_code == 409


def test_a_bad_claimed_tier_is_422_naming_it(rec_world: RecWorld) -> None:
    client = api(rec_world.office)
    before = db_fingerprint()
    response = post(client, f"/api/v1/talents/{rec_world.talent_a.pk}/recognitions",
                    {"claimed_tier": "F"})
    assert response.status_code == 422
    assert _fields(response) == {"claimed_tier"}
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_AC_03_the_list_and_the_talent_route_are_scoped(rec_world: RecWorld) -> None:
    w = rec_world
    a = w.apply(w.talent_a)
    b = w.apply(w.talent_b, tier="C")
    items = api(w.admin_a).get("/api/v1/recognitions").json()
    assert [x["id"] for x in items["items"]] == [a.pk]
    assert items["count"] == 1
    assert api(w.admin_a).get(f"/api/v1/recognitions/{b.pk}").status_code == 404
    assert api(w.admin_a).get(f"/api/v1/talents/{w.talent_b.pk}/recognitions").status_code == 404
    office = api(w.office).get("/api/v1/recognitions?state=first_review&tier=C").json()
    assert [x["id"] for x in office["items"]] == [b.pk]
    bad = api(w.office).get("/api/v1/recognitions?state=nope")
    assert bad.status_code == 422


def test_a_step_by_the_wrong_actor_is_403_and_a_missing_reason_422(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply()
    office, unit = api(w.office), api(w.admin_a)
    before = db_fingerprint()
    assert post(office, f"/api/v1/recognitions/{r.pk}/actions/first_pass", {}).status_code == 403
    refused = post(unit, f"/api/v1/recognitions/{r.pk}/actions/first_refuse", {"version": r.version})
    assert refused.status_code == 422
    assert _fields(refused) == {"note"}
    wrong_state = post(office, f"/api/v1/recognitions/{r.pk}/actions/recognize", {"version": r.version})
    assert wrong_state.status_code == 409
    assert post(office, f"/api/v1/recognitions/{r.pk}/actions/bogus", {}).status_code == 422
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_objections_through_the_api(rec_world: RecWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = rec_world
    _on(monkeypatch, dt.date(2026, 3, 2))
    r = w.apply()
    step(r, "first_pass", w.admin_a)
    r = step(r, "second_pass", w.office)
    future = post(api(w.office), f"/api/v1/recognitions/{r.pk}/objections",
                  {"text": "学历存疑", "received_on": "2026-03-03", "version": r.version})
    assert future.status_code == 422
    assert _fields(future) == {"received_on"}
    made = post(api(w.office), f"/api/v1/recognitions/{r.pk}/objections",
                {"text": "学历存疑", "received_on": "2026-03-02", "version": r.version})
    assert made.status_code == 201, made.content
    r.refresh_from_db()
    answer = post(api(w.office), f"/api/v1/recognitions/{r.pk}/objections/{made.json()['id']}/answer",
                  {"answer": "属实", "version": r.version})
    assert answer.status_code == 200
    assert answer.json()["answer"] == "属实"
    detail = api(w.office).get(f"/api/v1/recognitions/{r.pk}").json()
    assert [o["answer"] for o in detail["objections"]] == ["属实"]


# ---- the portal ---------------------------------------------------------------------------------

INTERNAL = {"first_note", "first_reviewer", "second_note", "second_reviewer", "objections", "suggestion",
            "applied_by", "decided_by", "first_unit"}


def test_the_talent_applies_and_sees_no_internal_field(rec_world: RecWorld) -> None:
    w = rec_world
    client = api(w.portal)
    created = post(client, "/api/v1/me/recognitions", {"claimed_tier": "D", "statement": "本科"})
    assert created.status_code == 201, created.content
    assert not INTERNAL & set(created.json())
    r = Recognition.objects.get(pk=created.json()["id"])
    step(r, "first_return", w.admin_a, note="补充社保证明")
    mine = client.get("/api/v1/me/recognitions").json()
    assert [(x["state"], x["return_reason"]) for x in mine] == [("returned", "补充社保证明")]
    assert not INTERNAL & set(mine[0])
    r.refresh_from_db()
    again = post(client, f"/api/v1/me/recognitions/{r.pk}/actions/resubmit", {"version": r.version})
    assert again.status_code == 200
    assert again.json()["state"] == "first_review"


def test_a_talent_never_reaches_another_s_application_or_the_internal_routes(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply(w.talent_own, by=w.portal, tier="D")
    other = api(w.other_portal)
    assert other.get(f"/api/v1/me/recognitions/{r.pk}").status_code == 404
    assert post(other, f"/api/v1/me/recognitions/{r.pk}/actions/withdraw", {}).status_code == 404
    assert other.get("/api/v1/me/recognitions").json() == []
    assert api(w.portal).get("/api/v1/recognitions").status_code == 403
    assert api(w.portal).get(f"/api/v1/recognitions/{r.pk}").status_code == 403
    assert post(api(w.portal), f"/api/v1/talents/{w.talent_own.pk}/recognitions",
                {"claimed_tier": "D"}).status_code == 403


def test_a_whole_number_with_a_zero_fraction_is_a_whole_number_and_a_fraction_is_422(rec_world: RecWorld) -> None:
    draft = services.rule_set_create(acting_user=rec_world.office,
                                     data=RuleSetCreateInput.of(year=2027, rules=RULES))
    client = api(rec_world.office)
    ok = client.patch(f"/api/v1/tier-rule-sets/{draft.pk}", data='{"valid_years": 2.0, "version": 1.0}',
                      content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["valid_years"] == 2
    bad = client.patch(f"/api/v1/tier-rule-sets/{draft.pk}", data='{"valid_years": 2.5}',
                       content_type="application/json")
    assert bad.status_code == 422
    assert _fields(bad) == {"valid_years"}
