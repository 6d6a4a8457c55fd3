"""One bad value, three channels (issue 11 item 1): the page, the API and the month funds
import build the same input model (``projects.inputs.FundEntryInput``), so the amount "十万"
gets the same message on the same field everywhere, and nothing is written."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook

from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.projects.funds_import import funds_month_import
from zhaoyin.projects.inputs import FundEntryInput, StageChangeInput
from zhaoyin.projects.tests.helpers import MakeProject, api_client, fingerprint, web_client

pytestmark = pytest.mark.django_db
BAD = "十万"


def _verdict() -> str:
    with pytest.raises(InvalidInput) as exc:
        FundEntryInput.of(month="2025-09", amount_wan=BAD, source="outside_city")
    assert [e["field"] for e in exc.value.errors] == ["amount_wan"]
    return exc.value.errors[0]["message"]


def test_the_page_gives_the_models_verdict(make_user: Any, make_project: MakeProject) -> None:
    project = make_project()
    client = web_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    response = client.post(
        reverse("projects:fund_add", args=[project.pk]),
        {"month": "2025-09", "amount_wan": BAD, "source": "outside_city", "kind": "fixed_asset"},
    )
    assert response.status_code == 400
    assert response.context["fund_form"].errors["amount_wan"] == [_verdict()]
    assert fingerprint() == before


def test_the_api_gives_the_models_verdict(make_user: Any, make_project: MakeProject) -> None:
    project = make_project()
    client = api_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    body = {"month": "2025-09", "amount_wan": BAD, "source": "outside_city"}
    response = client.post(
        f"/api/v1/projects/{project.pk}/funds", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "amount_wan", "message": _verdict()}]
    assert fingerprint() == before


def test_the_import_gives_the_models_verdict(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(unit="county_a")
    staff = make_user(Role.STAFF, "county_a")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["项目编号", "金额(万元)", "来源", "类型"])
    sheet.append([project.code, BAD, "市外", "固定资产"])
    out = io.BytesIO()
    book.save(out)
    before = fingerprint()
    result = funds_month_import(acting_user=staff, data=out.getvalue(), month="2025-09")
    assert not result.committed
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(2, "金额(万元)", _verdict())]
    assert fingerprint() == before


def test_a_stage_change_body_is_typed_and_translated() -> None:
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as exc:
        StageChangeInput.of(stage="moon", date="2026-02-30")
    messages = {e["field"]: e["message"] for e in exc.value.errors}
    assert set(messages) == {"stage", "date"}
    with translation.override("zh-hans"):
        assert messages["stage"] == gettext("Unknown stage.") != "Unknown stage."
        assert messages["date"] == gettext("must be a date in the form YYYY-MM-DD")
