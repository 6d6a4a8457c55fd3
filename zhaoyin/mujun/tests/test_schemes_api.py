"""The scheme API (/mu-schemes) and the conditions API (/projects/{id}/mu-conditions): typed
definition in and out, 422 naming the field path, 409 on a frozen scheme, scope on projects."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.services import api_token_issue
from zhaoyin.mujun.models import MuCondition, MuScheme
from zhaoyin.mujun.scheme_data_templates import anhui_template
from zhaoyin.mujun.tests.schemes_support import SchemeWorld, make_project, project_of, publish_run, scheme_world

pytestmark = pytest.mark.django_db
__all__ = ["make_project", "scheme_world"]


def api(user: Any) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def test_the_openapi_document_describes_the_definition() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    body = document["paths"]["/api/v1/mu-schemes"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    ref = body["$ref"].split("/")[-1]
    definition = document["components"]["schemas"][ref]["properties"]["definition"]
    indicator = definition["properties"]["lists"]["items"]["properties"]["indicators"]["items"]
    assert set(indicator["required"]) == {"code", "name", "formula", "weight", "benchmark"}
    assert "x-zhaoyin-rule" in definition


def test_create_read_change_copy_delete(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    client = api(w.office)
    created = client.post("/api/v1/mu-schemes", {"year": 2026, "name": "2026 办法", "definition": anhui_template(2026)},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["status"], body["runs"]) == (1, "draft", 0)
    assert body["definition"]["lists"][0]["indicators"][0] == {
        "code": "tax_per_mu", "name": "亩均税收", "formula": "tax / land_mu", "weight": "30", "benchmark": "average",
        "cap": "60"}
    listed = api(w.admin_a).get("/api/v1/mu-schemes?year=2026").json()
    assert listed["count"] == 1
    changed = client.patch(f"/api/v1/mu-schemes/{body['id']}", {"publicity_days": 7, "version": body["version"]},
                           content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["publicity_days"] == 7
    copied = client.post(f"/api/v1/mu-schemes/{body['id']}/copy", {}, content_type="application/json")
    assert copied.status_code == 201
    assert copied.json()["number"] == 2
    assert client.delete(f"/api/v1/mu-schemes/{copied.json()['id']}").status_code == 204
    assert not MuScheme.objects.filter(pk=copied.json()["id"]).exists()


def test_422_names_the_field_path_and_nothing_is_saved(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    definition = copy.deepcopy(anhui_template(2025))
    definition["lists"][0]["indicators"][2]["benchmark"] = 0
    answer = api(w.office).post("/api/v1/mu-schemes", {"year": 2025, "name": "x", "definition": definition},
                                content_type="application/json")
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["definition.lists[0].indicators[2].benchmark"]
    assert MuScheme.objects.count() == 1


def test_409_when_the_scheme_is_frozen(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    MuScheme.objects.filter(pk=w.scheme.pk).update(status="frozen")
    answer = api(w.office).patch(f"/api/v1/mu-schemes/{w.scheme.pk}", {"name": "改"}, content_type="application/json")
    assert answer.status_code == 409
    assert MuScheme.objects.get(pk=w.scheme.pk).name == w.scheme.name
    assert api(w.office).delete(f"/api/v1/mu-schemes/{w.scheme.pk}").status_code == 409


def test_readers_read_and_only_evaluators_write(scheme_world: SchemeWorld) -> None:
    w = scheme_world
    assert api(w.leader).get(f"/api/v1/mu-schemes/{w.scheme.pk}").status_code == 200
    assert api(w.admin_a).patch(f"/api/v1/mu-schemes/{w.scheme.pk}", {"name": "x"},
                                content_type="application/json").status_code == 403
    assert api(w.enterprise_user).get("/api/v1/mu-schemes").status_code == 403


def test_conditions_through_the_api(scheme_world: SchemeWorld, make_project: Any) -> None:
    w = scheme_world
    project = project_of(make_project, w.firm)
    client = api(w.admin_a)
    created = client.post(f"/api/v1/projects/{project.pk}/mu-conditions",
                          {"indicator": "tax_per_mu", "threshold": "30", "from_year": 2025},
                          content_type="application/json")
    assert created.status_code == 201
    assert created.json()["status"] == "no_result"
    bad = client.post(f"/api/v1/projects/{project.pk}/mu-conditions",
                      {"name": "亩均", "formula": "tax / acres", "threshold": "30", "from_year": 2025},
                      content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "formula"
    publish_run(w.scheme, 2025, w.firm, {"tax": "310", "land_mu": "10"}, by=w.office)
    rows = api(w.leader).get(f"/api/v1/projects/{project.pk}/mu-conditions").json()
    assert [(r["status"], r["value"], r["year"]) for r in rows] == [("met", "31.0000", 2025)]
    assert api(w.staff_b).get(f"/api/v1/projects/{project.pk}/mu-conditions").status_code == 404
    not_breached = client.post(f"/api/v1/mu-conditions/{rows[0]['id']}/matter")
    assert not_breached.status_code == 409
    assert client.delete(f"/api/v1/mu-conditions/{rows[0]['id']}").status_code == 204
    assert not MuCondition.objects.exists()
