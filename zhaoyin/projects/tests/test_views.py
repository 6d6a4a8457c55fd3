"""Project pages: list, detail, create/edit, stage change, funds (issue 3 items 1–3).

Status codes, scope (404 for another county), read-only roles (403 on writes, nothing
changed), bad input (400 naming the field, nothing changed), constant query counts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoyin.core.roles import Role
from zhaoyin.projects.choices import FundSource, Stage
from zhaoyin.projects.models import FundEntry, Project, StageEvent
from zhaoyin.projects.tests.helpers import MakeProject, fingerprint, web_client

pytestmark = pytest.mark.django_db

#: Codes of the root conftest's org tree.
COUNTY_A = "340402"
COUNTY_B = "340403"


def _project_form(**overrides: Any) -> dict[str, str]:
    from zhaoyin.enterprises.models import Industry

    industry = Industry.objects.order_by("sort_order", "code").first()
    assert industry is not None
    data = {
        "name": "新能源电池项目",
        "investor_name": "某某新能源有限公司",
        "source_region": "yangtze_delta",
        "industry": industry.code,
        "org_unit": COUNTY_A,
        "total_investment_wan": "120000.50",
        "attraction_method": "chain_leader",
        "first_contact_on": "2026-01-10",
    }
    data.update(overrides)
    return data




# ------------------------------------------------------------------------------------ list


def test_list_shows_own_scope_with_count_and_sum(make_user: Any, make_project: MakeProject) -> None:
    mine = make_project(unit="county_a", total_investment_wan=Decimal("100.10"))
    make_project(unit="park_a", total_investment_wan=Decimal("0.20"))
    other = make_project(unit="county_b", total_investment_wan=Decimal("999"))
    response = web_client(make_user(Role.STAFF, "county_a")).get(reverse("projects:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert mine.name in body
    assert other.name not in body
    assert response.context["total_count"] == 2
    assert response.context["total_investment"] == Decimal("100.30")


def test_list_filters_by_stage_and_investment(make_user: Any, make_project: MakeProject) -> None:
    signed = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("50000"))
    make_project(stage=Stage.LEAD, total_investment_wan=Decimal("50000"))
    make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("10"))
    client = web_client(make_user(Role.CITY_ADMIN, "city"))
    response = client.get(reverse("projects:list"), {"stage": "signed", "min_investment": "10000"})
    assert response.status_code == 200
    assert [p.pk for p in response.context["page_obj"].object_list] == [signed.pk]
    assert response.context["total_investment"] == Decimal("50000")


def test_list_bad_filter_is_400_naming_it(make_user: Any) -> None:
    client = web_client(make_user(Role.CITY_ADMIN, "city"))
    response = client.get(reverse("projects:list"), {"stage": "nonsense", "sort": "password"})
    assert response.status_code == 400
    form = response.context["form"]
    assert len(form.problems) == 2
    assert "stage" in form.errors


def _list_queries(client: Any) -> int:
    client.get(reverse("projects:list"))  # warm per-process caches (content types, session)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    client = web_client(make_user(Role.CITY_ADMIN, "city"))
    for i in range(5):
        make_project(staff=staff if i % 2 else None)
    with_5 = _list_queries(client)
    for i in range(45):
        make_project(staff=staff if i % 2 else None)
    with_50 = _list_queries(client)
    assert with_5 == with_50
    # Eight of the page's own, and the menu badge's one COUNT per to-do provider that concerns
    # a city admin (six since issue 13's talent projects and subsidy applications, seven since
    # issue 14's 亩均 runs, eight since issue 15's funds entries to verify).
    assert with_50 <= 16


def test_list_new_button_only_for_editors(make_user: Any) -> None:
    new_url = reverse("projects:create")
    editor = web_client(make_user(Role.STAFF, "county_a")).get(reverse("projects:list"))
    leader = web_client(make_user(Role.LEADER, "city")).get(reverse("projects:list"))
    assert new_url in editor.content.decode()
    assert new_url not in leader.content.decode()


# ---------------------------------------------------------------------------------- detail


def test_detail_shows_timeline_funds_and_cycle_times(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(first_contact_on=dt.date(2026, 1, 1))
    StageEvent.objects.create(project=project, from_stage="", to_stage="lead", kind="advance",
                              stage_on=dt.date(2026, 1, 1), note="首次接洽")
    StageEvent.objects.create(project=project, from_stage="lead", to_stage="signed", kind="skip",
                              stage_on=dt.date(2026, 3, 2), reason="一次谈成")
    FundEntry.objects.create(project=project, month=dt.date(2026, 3, 1), amount_wan=Decimal("12.34"),
                             source=FundSource.OUTSIDE_CITY)
    response = web_client(staff).get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "首次接洽" in body
    assert "一次谈成" in body
    assert "12.34" in body
    assert response.context["cycle"].contact_to_signing == 60
    assert response.context["stage_form"] is not None


def test_detail_other_county_is_404(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(unit="county_b")
    client = web_client(make_user(Role.STAFF, "county_a"))
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 404


def test_detail_for_leader_has_no_forms(make_user: Any, make_project: MakeProject) -> None:
    project = make_project()
    response = web_client(make_user(Role.LEADER, "city")).get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    assert "stage_form" not in response.context
    assert 'id="stage-form"' not in response.content.decode()


def test_funds_history_toggle_shows_superseded(make_user: Any, make_project: MakeProject) -> None:
    project = make_project()
    old = FundEntry.objects.create(project=project, month=dt.date(2026, 2, 1), amount_wan=Decimal("7.00"),
                                   source=FundSource.FOREIGN, superseded_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    FundEntry.objects.create(project=project, month=dt.date(2026, 2, 1), amount_wan=Decimal("8.00"),
                             source=FundSource.FOREIGN, replaces=old)
    client = web_client(make_user(Role.STAFF, "county_a"))
    url = reverse("projects:detail", args=[project.pk])
    assert "7.00" not in client.get(url).content.decode()
    assert "7.00" in client.get(url, {"history": "1"}).content.decode()


# ------------------------------------------------------------------------- create and edit


def test_create_registers_and_redirects(make_user: Any) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    response = client.post(reverse("projects:create"), _project_form())
    assert response.status_code == 302
    project = Project.objects.get(name="新能源电池项目")
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.total_investment_wan == Decimal("120000.50")
    assert "新能源" in project.search_text


@pytest.mark.parametrize(
    ("field", "value"),
    [("total_investment_wan", "-5"), ("total_investment_wan", "abc"), ("name", ""), ("source_region", "mars")],
)
def test_create_bad_input_is_400_naming_the_field(make_user: Any, field: str, value: str) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    response = client.post(reverse("projects:create"), _project_form(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert fingerprint() == before


def test_create_in_another_county_refused(make_user: Any) -> None:
    client = web_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    response = client.post(reverse("projects:create"), _project_form(org_unit=COUNTY_B))
    assert response.status_code == 400
    assert fingerprint() == before


def test_leader_cannot_create_or_edit(make_user: Any, make_project: MakeProject) -> None:
    project = make_project()
    client = web_client(make_user(Role.LEADER, "city"))
    before = fingerprint()
    assert client.post(reverse("projects:create"), _project_form()).status_code == 403
    assert client.post(reverse("projects:edit", args=[project.pk]), _project_form()).status_code == 403
    project_rows = fingerprint()[0]
    assert project_rows == before[0]


def test_edit_saves_and_stale_version_is_409_keeping_input(make_user: Any, make_project: MakeProject) -> None:
    project = make_project()
    client = web_client(make_user(Role.STAFF, "county_a"))
    url = reverse("projects:edit", args=[project.pk])
    assert client.get(url).status_code == 200
    ok = client.post(url, _project_form(name="改过的名字", version=str(project.version)))
    assert ok.status_code == 302
    project.refresh_from_db()
    assert project.name == "改过的名字"
    stale = client.post(url, _project_form(name="过期的输入", version="1"))
    assert stale.status_code == 409
    assert "过期的输入" in stale.content.decode()
    project.refresh_from_db()
    assert project.name == "改过的名字"


# ---------------------------------------------------------------------------- stage change


def test_stage_advance_records_event(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(stage=Stage.LEAD)
    client = web_client(make_user(Role.STAFF, "county_a"))
    response = client.post(
        reverse("projects:stage_change", args=[project.pk]),
        {"stage": "negotiating", "date": "2026-02-01", "note": "第一次洽谈"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    event = StageEvent.objects.get(project=project)
    assert event.note == "第一次洽谈"
    assert event.kind == "advance"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"stage": "flying", "date": "2026-02-01"}, "stage"),
        ({"stage": "started", "date": "2026-02-01"}, "reason"),
        ({"stage": "negotiating", "date": "2026/02/31"}, "date"),
    ],
)
def test_stage_bad_input_is_400_naming_the_field(
    make_user: Any, make_project: MakeProject, data: dict[str, str], field: str
) -> None:
    project = make_project(stage=Stage.LEAD)
    client = web_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    response = client.post(reverse("projects:stage_change", args=[project.pk]), data)
    assert response.status_code == 400
    assert field in response.context["stage_form"].errors
    assert fingerprint() == before


def test_stage_change_refused_to_leader_and_other_county(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(stage=Stage.LEAD)
    url = reverse("projects:stage_change", args=[project.pk])
    data = {"stage": "negotiating", "date": "2026-02-01"}
    before = fingerprint()[:4]
    assert web_client(make_user(Role.LEADER, "city")).post(url, data).status_code == 403
    assert web_client(make_user(Role.STAFF, "county_b")).post(url, data).status_code == 404
    assert fingerprint()[:4] == before


def test_stage_forbidden_change_is_409(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(stage=Stage.ON_HOLD, resume_stage=Stage.SIGNED)
    client = web_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    response = client.post(
        reverse("projects:stage_change", args=[project.pk]), {"stage": "started", "date": "2026-02-01", "reason": "x"}
    )
    assert response.status_code == 409
    assert fingerprint() == before


# ----------------------------------------------------------------------------------- funds


def test_fund_add_and_correct(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(stage=Stage.SIGNED)
    client = web_client(make_user(Role.STAFF, "county_a"))
    response = client.post(
        reverse("projects:fund_add", args=[project.pk]),
        {"month": "2026-03", "amount_wan": "1234.56", "source": "outside_province", "kind": "fixed_asset"},
    )
    assert response.status_code == 302
    entry = FundEntry.objects.get(project=project)
    assert entry.amount_wan == Decimal("1234.56")
    response = client.post(
        reverse("projects:fund_correct", args=[project.pk]),
        {"entry": str(entry.pk), "amount_wan": "1200.00", "note": "报表更正"},
    )
    assert response.status_code == 302
    active = FundEntry.objects.get(project=project, superseded_at__isnull=True)
    assert active.amount_wan == Decimal("1200.00")
    assert FundEntry.objects.filter(project=project).count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"month": "2026-03", "amount_wan": "-1"}, "amount_wan"),
        ({"month": "2026-03", "amount_wan": "十万"}, "amount_wan"),
        ({"month": "2026/3", "amount_wan": "5"}, "month"),
        ({"month": "2026-13", "amount_wan": "5"}, "month"),
    ],
)
def test_fund_bad_input_is_400_naming_the_field(
    make_user: Any, make_project: MakeProject, data: dict[str, str], field: str
) -> None:
    project = make_project()
    client = web_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    response = client.post(
        reverse("projects:fund_add", args=[project.pk]), {"source": "outside_city", "kind": "fixed_asset", **data}
    )
    assert response.status_code == 400
    assert field in response.context["fund_form"].errors
    assert fingerprint() == before


def test_fund_entry_for_another_countys_project_refused(make_user: Any, make_project: MakeProject) -> None:
    project = make_project(unit="county_b")
    before = fingerprint()[:4]
    response = web_client(make_user(Role.STAFF, "county_a")).post(
        reverse("projects:fund_add", args=[project.pk]),
        {"month": "2026-03", "amount_wan": "5", "source": "outside_city", "kind": "fixed_asset"},
    )
    assert response.status_code == 404
    assert fingerprint()[:4] == before


def test_fund_correct_of_unknown_entry_is_400(make_user: Any, make_project: MakeProject) -> None:
    project = make_project()
    other = make_project()
    entry = FundEntry.objects.create(project=other, month=dt.date(2026, 2, 1), amount_wan=Decimal("7.00"),
                                     source=FundSource.FOREIGN)
    client = web_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    response = client.post(
        reverse("projects:fund_correct", args=[project.pk]), {"entry": str(entry.pk), "amount_wan": "1"}
    )
    assert response.status_code == 400
    assert fingerprint() == before


def test_FILE_stage_change_with_evidence_links_it_on_the_timeline(
    make_user: Any, make_project: MakeProject, evidence_root: Any
) -> None:
    from zhaoyin.projects.models import EvidenceFile
    from zhaoyin.projects.tests.helpers import PDF_BYTES, upload

    project = make_project(stage=Stage.LEAD)
    client = web_client(make_user(Role.STAFF, "county_a"))
    response = client.post(
        reverse("projects:stage_change", args=[project.pk]),
        {"stage": "negotiating", "date": "2026-02-01", "evidence": [upload("协议.pdf", PDF_BYTES)]},
    )
    assert response.status_code == 302
    stored = EvidenceFile.objects.get(event__project=project)
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("projects:evidence", args=[stored.pk]) in body
    assert "协议.pdf" in body


def test_FILE_bad_evidence_is_400_on_the_file_field(
    make_user: Any, make_project: MakeProject, evidence_root: Any
) -> None:
    from zhaoyin.projects.tests.helpers import upload

    project = make_project(stage=Stage.LEAD)
    client = web_client(make_user(Role.STAFF, "county_a"))
    before = fingerprint()
    response = client.post(
        reverse("projects:stage_change", args=[project.pk]),
        {"stage": "negotiating", "date": "2026-02-01", "evidence": [upload("x.exe", b"MZ\x90\x00" * 10)]},
    )
    assert response.status_code == 400
    assert "evidence" in response.context["stage_form"].errors
    assert fingerprint() == before
