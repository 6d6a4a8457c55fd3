"""Stage dates follow the timeline (issue 16 item 5): a stage is dated on or after the stage it
leaves and not in the future; a refusal names the date field and the stage and date it must
follow, on the page and in the API alike, and changes nothing. An empty fund source (a
required drop-down) says it is required."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.inputs import FORM_CONTEXT
from zhaoyin.core.roles import Role
from zhaoyin.projects import services
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.inputs import FundEntryInput, StageChangeInput
from zhaoyin.projects.models import StageEvent
from zhaoyin.projects.tests.helpers import MakeProject, api_client, fingerprint, web_client

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 10, 10, tzinfo=dt.UTC)


def _api_post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@time_machine.travel(NOW, tick=False)
def test_service_refuses_a_date_before_the_current_stage_naming_it(make_project: MakeProject) -> None:
    project = make_project(stage=Stage.LEAD, stage_on=dt.date(2026, 3, 1))
    before = fingerprint()
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as exc:
        services.project_change_stage(
            acting_user=None, project=project, data=StageChangeInput.of(stage="negotiating", date="2026-02-28")
        )
    assert [e["field"] for e in exc.value.errors] == ["date"]
    message = exc.value.errors[0]["message"]
    assert "2026-03-01" in message
    assert str(Stage.LEAD.label) in message
    assert fingerprint() == before
    assert not StageEvent.objects.filter(project=project).exists()
    # The same day as the stage before, and any later day up to today, are fine.
    services.project_change_stage(
        acting_user=None, project=project, data=StageChangeInput.of(stage="negotiating", date="2026-03-01")
    )
    with pytest.raises(InvalidInput) as again:
        services.project_change_stage(
            acting_user=None, project=project, data=StageChangeInput.of(stage="signed", date="2026-02-01")
        )
    assert again.value.errors[0]["field"] == "date"


@time_machine.travel(NOW, tick=False)
def test_a_future_date_is_refused_by_the_model() -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as exc:
        StageChangeInput.of(stage="negotiating", date=tomorrow)
    assert exc.value.errors[0]["field"] == "date"


@time_machine.travel(NOW, tick=False)
def test_page_names_the_date_and_changes_nothing(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(stage=Stage.NEGOTIATING, stage_on=dt.date(2026, 4, 15))
    client = web_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    response = client.post(
        reverse("projects:stage_change", args=[project.pk]), {"stage": "signed", "date": "2026-04-14"}
    )
    assert response.status_code == 400
    errors = response.context["stage_form"].errors["date"]
    assert len(errors) == 1
    assert "2026-04-15" in errors[0]
    assert fingerprint() == before


@time_machine.travel(NOW, tick=False)
def test_api_names_the_date_and_changes_nothing(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(stage=Stage.NEGOTIATING, stage_on=dt.date(2026, 4, 15))
    client = api_client(make_user(Role.STAFF, "county_a"))
    url = f"/api/v1/projects/{project.pk}/stages"
    before = fingerprint()
    response = _api_post(client, url, {"stage": "signed", "date": "2026-04-01"})
    assert response.status_code == 422
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["date"]
    assert "2026-04-15" in body["errors"][0]["message"]
    future = _api_post(client, url, {"stage": "signed", "date": "2026-06-11"})
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "date"
    assert fingerprint() == before
    assert _api_post(client, url, {"stage": "signed", "date": "2026-04-15"}).status_code == 201


def test_an_empty_fund_source_is_required_not_unknown() -> None:
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as exc:
        FundEntryInput.parse({"month": "2026-01", "amount_wan": "10", "source": ""}, context=FORM_CONTEXT)
    assert {e["field"]: e["message"] for e in exc.value.errors}["source"] == "此项为必填项。"
