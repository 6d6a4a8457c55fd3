"""The run pages: the list, a new run, a run's results (filters, paging, a bounded number of
queries), a firm's result with the formula in words, and the portal's objection form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoyin.accounts.models import User
from zhaoyin.mujun import services
from zhaoyin.mujun.inputs import StepInput
from zhaoyin.mujun.models import MuObjection, MuResult, MuRun
from zhaoyin.mujun.tests.runs_fixtures import MuWorld, mu_world_fixture, put_inputs

mu_world = mu_world_fixture
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def test_new_run_page_runs_the_scheme(mu_world: MuWorld) -> None:
    w = mu_world
    client = _client(w.office)
    assert client.get(reverse("mujun:run_create")).status_code == 200
    bad = client.post(reverse("mujun:run_create"), {"scheme": ""})
    assert bad.status_code == 400
    assert "scheme" in bad.content.decode()
    assert not MuRun.objects.exists()
    made = client.post(reverse("mujun:run_create"), {"scheme": w.scheme.pk})
    run = MuRun.objects.get()
    assert made.status_code == 302
    assert made["Location"] == reverse("mujun:run_detail", args=[run.pk])
    page = client.get(reverse("mujun:run_list")).content.decode()
    assert reverse("mujun:run_detail", args=[run.pk]) in page


def test_run_page_filters_pages_and_keeps_its_queries_bounded(mu_world: MuWorld) -> None:
    w = mu_world
    run = w.run()
    client = _client(w.office)
    url = reverse("mujun:run_detail", args=[run.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert w.firms[0].name in body
    assert "action-start_publicity" in body
    assert "mu-run-flow" in body
    assert client.get(url, {"grade": "D"}).context["page_obj"].paginator.count == 1
    assert client.get(url, {"org_unit": "park-a"}).context["page_obj"].paginator.count == 2
    assert client.get(url, {"q": w.firms[3].uscc}).context["page_obj"].paginator.count == 1
    assert client.get(url, {"grade": "E"}).status_code == 400
    # The list box offers the run's own lists by name; the filter still judges what is sent.
    box = page.context["form"].fields["list"]
    codes = [value for value, _label in box.widget.choices]
    assert codes[0] == ""
    assert set(codes[1:]) == set(run.results.values_list("list_code", flat=True))
    one = codes[1]
    in_one = run.results.filter(list_code=one).count()
    assert client.get(url, {"list": one}).context["page_obj"].paginator.count == in_one
    assert client.get(url, {"list": "no such!"}).status_code == 400
    # The county A unit admin sees county A's firms only.
    assert _client(w.admin_a).get(url).context["page_obj"].paginator.count == 6
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"page_size": 2})
    for n in range(20):
        firm_inputs = ("10", "100", str(10 + n))
        from tests.world import make_enterprise

        firm = make_enterprise(w.units["county_a"], None, w.firms[0].industry, 950 + n, name=f"更多企业{n}")
        put_inputs(firm, *firm_inputs)
    bigger = w.run()
    url = reverse("mujun:run_detail", args=[bigger.pk])
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"page_size": 50})
    assert len(many.captured_queries) == len(few.captured_queries)


def test_result_page_explains_every_indicator(mu_world: MuWorld) -> None:
    w = mu_world
    run = w.run()
    result = MuResult.objects.get(run=run, enterprise=w.firms[5])
    body = _client(w.office).get(reverse("mujun:result", args=[result.pk])).content.decode()
    # 亩均税收 = 实缴税金 ÷ 用地面积 = 120.5 ÷ 35 = 3.4429 万元/亩
    assert "亩均税收 = 实缴税金 ÷ 用地面积 = 120.5 ÷ 35 = 3.4429 万元/亩" in body
    assert "亩均营收 = 主营业务收入 ÷ 用地面积 = 1500 ÷ 35 = 42.8571 万元/亩" in body
    assert "mu-propose-form" in body
    # The firm does not read its result before the 公示, nor another firm's.
    assert _client(w.portal).get(reverse("mujun:result", args=[result.pk])).status_code == 404


def test_capped_points_are_marked() -> None:
    """封顶: the page marks points the scheme's cap cut (2 × 30 = 60 of an uncapped 75), not
    points below it, nor a firm without the figure."""
    from zhaoyin.mujun.views_runs import capped

    assert capped("5.0000", "2.0000", "30", "60.00")
    assert not capped("5.0000", "2.0000", "30", "75.00")
    assert not capped("1.0000", "2.0000", "30", "15.00")
    assert not capped(None, "2.0000", "30", "10.00")
    assert not capped("5.0000", None, "30", "0.00")


def test_portal_objects_with_evidence_during_the_publicity(
    mu_world: MuWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = mu_world
    run = w.run()
    services.run_step(acting_user=w.office, run=run, action="start_publicity",
                      data=StepInput.of(version=run.version))
    own = MuResult.objects.get(run=run, enterprise=w.firms[0])
    client = _client(w.portal)
    mine = client.get(reverse("mujun:mine"))
    assert mine.status_code == 200
    assert reverse("mujun:result", args=[own.pk]) in mine.content.decode()
    form = client.get(reverse("mujun:mine_object", args=[own.pk]))
    assert "mu-object-form" in form.content.decode()
    empty = client.post(reverse("mujun:mine_object", args=[own.pk]), {"text": ""})
    assert empty.status_code == 400
    assert not MuObjection.objects.exists()
    sent = client.post(reverse("mujun:mine_object", args=[own.pk]), {
        "text": "用地面积应为 18 亩",
        "files": [SimpleUploadedFile("不动产证.pdf", PDF, content_type="application/pdf")]})
    assert sent.status_code == 302
    objection = MuObjection.objects.get()
    assert objection.files.count() == 1
    # The evaluators answer on the run page, upholding with a corrected figure.
    office = _client(w.office)
    run.refresh_from_db()
    answer: dict[str, Any] = {"reason": "成立", "figure": "land_mu", "value": "18", "version": run.version}
    done = office.post(reverse("mujun:objection_answer", args=[objection.pk, "uphold"]), answer)
    assert done.status_code == 302
    objection.refresh_from_db()
    assert objection.state == "upheld"
    assert objection.corrections == {"land_mu": "18.00"}
    # After the 公示: the page answers 409 with the reason, nothing stored.
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 3, 10))
    late = client.post(reverse("mujun:mine_object", args=[own.pk]), {"text": "再议"})
    assert late.status_code == 409
    assert "2026-03-09" in late.content.decode()
    assert MuObjection.objects.count() == 1
