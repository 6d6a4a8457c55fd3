"""The 亩均 run process through the API (DESIGN §5): run → 调档 (four-eyes) → 公示 → a firm's
objection → after the 公示 409 → uphold → publish; verify; the firm's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.mujun import services
from zhaoyin.mujun.inputs import StepInput
from zhaoyin.mujun.models import MuObjection, MuResult, MuRun
from zhaoyin.mujun.tests.runs_fixtures import MuWorld, mu_world_fixture

mu_world = mu_world_fixture


def _client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def _post(user: User, path: str, body: dict[str, Any]) -> Any:
    return _client(user).post(f"/api/v1{path}", body, content_type="application/json")


def _get(user: User, path: str) -> Any:
    return _client(user).get(f"/api/v1{path}")


def test_the_process_through_the_api(mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = mu_world
    made = _post(w.office, "/mu-runs", {"scheme": w.scheme.pk})
    assert made.status_code == 201, made.content
    run = made.json()
    assert run["status"] == "initial"
    assert run["firms"] == 8
    assert len(run["digest"]) == 64
    page = _get(w.office, f"/mu-runs/{run['id']}/results?grade=A").json()
    assert page["count"] == 2
    item = page["items"][0]
    assert item["enterprise"]["id"] == w.firms[0].pk
    assert item["grade"] == "A"
    assert item["rank"] == 1
    assert item["indicators"][0]["code"] == "tax_per_mu"
    assert item["list"] == "all"
    verify = _get(w.leader, f"/mu-runs/{run['id']}/verify").json()
    assert verify["identical"] is True
    assert verify["recomputed"] == run["digest"]

    third = MuResult.objects.get(run_id=run["id"], enterprise=w.firms[2])
    proposed = _post(w.office, f"/mu-runs/{run['id']}/grade-changes",
                     {"result": third.pk, "to_grade": "A", "reason": "上调"})
    assert proposed.status_code == 201
    assert proposed.json()["status"] == "proposed"
    change = proposed.json()["id"]
    same = _post(w.office, f"/mu-grade-changes/{change}/actions/approve_grade", {})
    assert same.status_code == 403
    assert MuResult.objects.get(pk=third.pk).grade == "B"
    approved = _post(w.office2, f"/mu-grade-changes/{change}/actions/approve_grade", {"note": "同意"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"

    current = _get(w.office, f"/mu-runs/{run['id']}").json()
    opened = _post(w.office, f"/mu-runs/{run['id']}/actions/start_publicity", {"version": current["version"]})
    assert opened.status_code == 200
    assert opened.json()["status"] == "publicity"

    own = MuResult.objects.get(run_id=run["id"], enterprise=w.firms[0])
    mine = _get(w.portal, "/me/mu-results").json()
    assert [r["id"] for r in mine] == [own.pk]
    objected = _post(w.portal, f"/me/mu-results/{own.pk}/objections", {"text": "税金少计"})
    assert objected.status_code == 201
    assert objected.json()["status"] == "open"
    # Another firm's result: 404, nothing stored.
    other = MuResult.objects.get(run_id=run["id"], enterprise=w.firms[7])
    assert _post(w.portal, f"/me/mu-results/{other.pk}/objections", {"text": "x"}).status_code == 404
    # After the 公示: 409.
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 3, 10))
    late = _post(w.portal_b, f"/me/mu-results/{other.pk}/objections", {"text": "晚了"})
    assert late.status_code == 409
    assert "2026-03-09" in late.json()["detail"]
    assert MuObjection.objects.count() == 1

    bad = _post(w.office, f"/mu-objections/{objected.json()['id']}/actions/uphold",
                {"reason": "成立", "corrections": {"tax": "-1"}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "corrections.tax"
    upheld = _post(w.office, f"/mu-objections/{objected.json()['id']}/actions/uphold",
                   {"reason": "成立", "corrections": {"tax": "500"}})
    assert upheld.status_code == 200, upheld.content
    assert upheld.json()["status"] == "upheld"
    assert upheld.json()["corrections"] == {"tax": "500.0000"}
    after = _get(w.office, f"/mu-runs/{run['id']}").json()
    assert after["revision"] == 1
    assert after["digest"] != run["digest"]

    published = _post(w.office, f"/mu-runs/{run['id']}/actions/publish", {"version": after["version"]})
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert MuRun.objects.get(pk=run["id"]).scheme.status == "frozen"
    # A second evaluation of the same snapshot is byte-identical.
    assert _get(w.office, f"/mu-runs/{run['id']}/verify").json()["identical"] is True


def test_a_firm_reads_only_its_own_results(mu_world: MuWorld) -> None:
    w = mu_world
    run = w.run()
    # Not public yet: the firm sees nothing.
    assert _get(w.portal, "/me/mu-results").json() == []
    assert _get(w.portal, f"/enterprises/{w.firms[0].pk}/mu-results").json() == []
    services.run_step(acting_user=w.office, run=run, action="start_publicity",
                      data=StepInput.of(version=run.version))
    assert len(_get(w.portal, f"/enterprises/{w.firms[0].pk}/mu-results").json()) == 1
    assert _get(w.portal, f"/enterprises/{w.firms[1].pk}/mu-results").status_code == 404
    # A unit role sees its subtree's firms only.
    assert _get(w.admin_a, f"/enterprises/{w.firms[7].pk}/mu-results").status_code == 404
    county_a = _get(w.admin_a, f"/mu-runs/{run.pk}/results").json()
    assert county_a["count"] == 6
    assert _get(w.admin_a, f"/mu-runs/{run.pk}/results?org_unit=park-a").json()["count"] == 2


def test_run_refusals_through_the_api(mu_world: MuWorld) -> None:
    w = mu_world
    assert _post(w.office, "/mu-runs", {"scheme": "abc"}).json()["errors"][0]["field"] == "scheme"
    assert _post(w.leader, "/mu-runs", {"scheme": w.scheme.pk}).status_code == 403
    run = w.run()
    assert _post(w.office, f"/mu-runs/{run.pk}/actions/discard", {}).json()["errors"][0]["field"] == "note"
    assert _post(w.office, f"/mu-runs/{run.pk}/actions/publish", {}).status_code == 409
    assert _get(w.office, f"/mu-runs/{run.pk}/results?grade=E").status_code == 422
    assert not MuObjection.objects.exists()
