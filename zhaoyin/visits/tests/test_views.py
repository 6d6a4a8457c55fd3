"""The pages: the visit form (with its repeated demand rows, also without JavaScript), the
list and detail, the groups (managed by the city administration, read by their leader),
coverage and its drill-down, and the visits section of an enterprise's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, ServiceGroupMembership, User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matters import clocks
from zhaoyin.matters.models import Matter
from zhaoyin.visits import services
from zhaoyin.visits.inputs import VisitCreateInput
from zhaoyin.visits.models import Visit, VisitFile
from zhaoyin.visits.tests.conftest import PNG, Service, fresh

pytestmark = pytest.mark.django_db

SESSION_TABLES = {"sessions.session", "audit.auditrecord", "audit.auditchainhead"}


def web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def _form(svc: Service, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "enterprise": str(svc.ent_1.pk),
        "date": clocks.today().isoformat(),
        "notes": "了解企业生产经营情况",
        "participants": ["colleague_1"],
        "demand-0-title": "扩产用电增容协调",
        "demand-0-kind": "coordination",
        "demand-0-description": "变压器容量不足",
        "demand-3-title": "",
        "demand-3-kind": "consultation",
        "demand-3-description": "",
    }
    data.update(extra)
    return data


def test_visit_form_offers_only_the_members_enterprises_and_one_demand_row(svc: Service) -> None:
    response = web(svc.member_1).get(reverse("visits:visit_create") + f"?enterprise={svc.ent_1.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert svc.ent_1.name in html
    assert svc.ent_1b.name in html
    assert svc.ent_2.name not in html
    assert 'name="demand-0-title"' in html
    assert 'id="demand-template"' in html
    assert clocks.today().isoformat() in html  # the date defaults to today
    assert "<script>" not in html
    assert 'style="' not in html


def test_visit_form_records_the_visit_its_files_and_its_demands(svc: Service) -> None:
    extra = {"demand-5-title": "人才公寓申请", "demand-5-kind": "talent_demand", "demand-5-description": ""}
    data = _form(svc, **extra)
    data["evidence"] = [SimpleUploadedFile("现场.png", PNG, content_type="image/png")]
    response = web(svc.member_1).post(reverse("visits:visit_create"), data)
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert response["Location"] == reverse("visits:visit_detail", args=[visit.pk])
    assert sorted(d.matter.title for d in visit.demands.all()) == ["人才公寓申请", "扩产用电增容协调"]
    assert VisitFile.objects.filter(visit=visit).count() == 1
    page = web(svc.member_1).get(response["Location"]).content.decode()
    for d in visit.demands.all():
        assert d.matter.code in page
        assert reverse("matters:detail", args=[d.matter_id]) in page


def test_visit_form_bad_demand_marks_its_row_and_writes_nothing(svc: Service) -> None:
    client = web(svc.member_1)
    before = db_fingerprint(exclude=SESSION_TABLES)
    response = client.post(reverse("visits:visit_create"), _form(svc, **{"demand-0-kind": "bogus"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown kind of matter." in html or "未知" in html
    assert 'name="demand-0-title" value="扩产用电增容协调"' in html  # the row is kept
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=SESSION_TABLES))


@pytest.mark.parametrize(
    ("change", "field"),
    [({"date": (clocks.today() + dt.timedelta(days=400)).isoformat()}, "date"), ({"enterprise": "0"}, "enterprise")],
)
def test_visit_form_bad_field_is_shown_on_it(svc: Service, change: dict[str, str], field: str) -> None:
    client = web(svc.member_1)
    before = db_fingerprint(exclude=SESSION_TABLES)
    response = client.post(reverse("visits:visit_create"), _form(svc, **change))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=SESSION_TABLES))


def test_visit_list_filters_and_scope(svc: Service) -> None:
    v1 = services.visit_create(
        acting_user=fresh(svc.member_1),
        data=VisitCreateInput.of(enterprise=svc.ent_1.pk, date=clocks.today(), notes="n"),
    )
    v2 = services.visit_create(
        acting_user=fresh(svc.member_2),
        data=VisitCreateInput.of(enterprise=svc.ent_2.pk, date=clocks.today(), notes="n"),
    )
    url = reverse("visits:visit_list")

    def shown(user: User, query: str = "") -> set[int]:
        response = web(user).get(url + query)
        assert response.status_code == 200
        return {v.pk for v in response.context["page_obj"].object_list}

    assert shown(svc.admin) == {v1.pk, v2.pk}
    assert shown(svc.admin, "?group=sg-02") == {v2.pk}
    assert shown(svc.admin, f"?enterprise={svc.ent_1.pk}") == {v1.pk}
    q = clocks.today()
    assert shown(svc.admin, f"?quarter={q.year}-Q{(q.month - 1) // 3 + 1}") == {v1.pk, v2.pk}
    assert shown(svc.admin, "?quarter=2001-Q1") == set()
    assert shown(svc.member_1) == {v1.pk}
    assert web(svc.admin).get(url + "?quarter=nope").status_code == 400
    assert web(svc.member_1).get(reverse("visits:visit_detail", args=[v2.pk])).status_code == 404


def test_enterprise_page_shows_the_visits_and_the_follow_up_of_their_matters(svc: Service) -> None:
    visit = services.visit_create(
        acting_user=fresh(svc.member_1),
        data=VisitCreateInput.of(
            enterprise=svc.ent_1.pk,
            date=clocks.today(),
            notes="n",
            demands=[{"title": "招工难问题", "kind": "coordination", "description": ""}],
        ),
    )
    matter = visit.demands.get().matter
    html = web(svc.staff_a).get(reverse("enterprises:detail", args=[svc.ent_1.pk])).content.decode()
    assert 'id="enterprise-visits"' in html
    assert matter.code in html
    assert 'data-state="draft"' in html
    # The member who raised it may open the matter, and may record another visit from here.
    html = web(svc.member_1).get(reverse("enterprises:detail", args=[svc.ent_1.pk])).content.decode()
    assert reverse("matters:detail", args=[matter.pk]) in html
    assert reverse("visits:visit_create") + f"?enterprise={svc.ent_1.pk}" in html


# ---- groups ---------------------------------------------------------------------------------


def test_group_list_shows_members_counts_and_coverage(svc: Service) -> None:
    services.visit_create(
        acting_user=fresh(svc.member_1),
        data=VisitCreateInput.of(enterprise=svc.ent_1.pk, date=clocks.today(), notes="n"),
    )
    response = web(svc.admin).get(reverse("visits:group_list"))
    assert response.status_code == 200
    rows = {r.group.code: r for r in response.context["rows"]}
    assert (rows["sg-01"].assigned, rows["sg-01"].visited) == (2, 1)
    assert [m.user.username for m in rows["sg-01"].members] == ["member_1", "colleague_1"]
    assert "50.0%" in response.content.decode()
    # A member lists their own groups only.
    assert [r.group.code for r in web(svc.member_2).get(reverse("visits:group_list")).context["rows"]] == ["sg-02"]


def test_group_page_for_the_admin_and_the_leader_only(svc: Service) -> None:
    url = reverse("visits:group_detail", args=[svc.group_1.pk])
    assert web(svc.admin).get(url).status_code == 200
    assert web(svc.member_1).get(url).status_code == 200  # the leader
    assert web(svc.colleague_1).get(url).status_code == 404  # a member who does not lead
    assert web(svc.member_2).get(url).status_code == 404  # another group's


def test_group_member_add_refuses_an_account_without_the_role_on_user(svc: Service) -> None:
    url = reverse("visits:group_member_add", args=[svc.group_1.pk])
    client = web(svc.admin)
    before = db_fingerprint(exclude=SESSION_TABLES)
    response = client.post(url, {"user": "staff_a"})
    assert response.status_code == 400
    assert response.context["member_form"].errors["user"]
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=SESSION_TABLES))
    assert client.post(url, {"user": "member_2", "is_leader": "on"}).status_code == 302
    assert ServiceGroupMembership.objects.get(group=svc.group_1, user=svc.member_2).is_leader


def test_group_member_remove_assign_and_unassign(svc: Service, make_user: MakeUser) -> None:
    client = web(svc.admin)
    pk = svc.group_1.pk
    assert client.post(reverse("visits:group_member_remove", args=[pk]), {"user": "colleague_1"}).status_code == 302
    assert not ServiceGroupMembership.objects.filter(group=svc.group_1, user=svc.colleague_1).exists()
    assert client.post(reverse("visits:group_member_remove", args=[pk]), {"user": "nobody"}).status_code == 400
    response = client.post(reverse("visits:group_assign", args=[pk]), {"enterprise": svc.ent_none.uscc})
    assert response.status_code == 302
    assert Enterprise.objects.get(pk=svc.ent_none.pk).service_group == svc.group_1
    response = client.post(reverse("visits:group_assign", args=[pk]), {"enterprise": "91340400MA0000000X"})
    assert response.status_code == 400
    assert response.context["assign_form"].errors["enterprise"]
    unassign = reverse("visits:group_unassign", args=[pk])
    assert client.post(unassign, {"enterprise": str(svc.ent_1.pk)}).status_code == 302
    assert Enterprise.objects.get(pk=svc.ent_1.pk).service_group is None
    # Not in this group: refused, nothing changed.
    assert client.post(unassign, {"enterprise": str(svc.ent_2.pk)}).status_code == 400
    assert Enterprise.objects.get(pk=svc.ent_2.pk).service_group == svc.group_2
    assert AuditRecord.objects.filter(action="enterprise.assign_group").count() == 2
    # Digits Python calls digits but int() refuses, or no id at all: refused, never a 500.
    for odd in ("²", "１２", "", "99999999999999999999"):
        assert client.post(unassign, {"enterprise": odd}).status_code == 400
    assert Enterprise.objects.get(pk=svc.ent_2.pk).service_group == svc.group_2


def test_a_deactivated_group_takes_no_members_or_enterprises(svc: Service) -> None:
    """A group switched off is not a place to write to (as the imports say): 404 before any change."""
    OrgUnit.objects.filter(pk=svc.group_1.pk).update(is_active=False)
    client = web(svc.admin)
    before = AuditRecord.objects.count()
    response = client.post(reverse("visits:group_assign", args=[svc.group_1.pk]), {"enterprise": svc.ent_none.uscc})
    assert response.status_code == 404
    assert Enterprise.objects.get(pk=svc.ent_none.pk).service_group_id is None
    assert AuditRecord.objects.count() == before


def test_odd_digits_in_list_and_coverage_parameters_are_refused_not_500(svc: Service) -> None:
    client = web(svc.admin)
    assert client.get(reverse("visits:visit_list") + "?enterprise=²").status_code == 400
    assert client.get(reverse("visits:coverage") + "?year=²⁰²⁶").status_code == 400
    from zhaoyin.visits.tests.test_api import client_for

    response = client_for(svc.member_1).get("/api/v1/visits?enterprise=²")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["enterprise"]


# ---- coverage -------------------------------------------------------------------------------


def test_coverage_table_and_drill_down(svc: Service) -> None:
    services.visit_create(
        acting_user=fresh(svc.member_1),
        data=VisitCreateInput.of(enterprise=svc.ent_1.pk, date=clocks.today(), notes="n"),
    )
    today = clocks.today()
    quarter = (today.month - 1) // 3 + 1
    response = web(svc.admin).get(reverse("visits:coverage"))
    assert response.status_code == 200
    assert response.context["table"].cell(svc.group_1.pk, quarter).visited == 1
    gaps = web(svc.admin).get(reverse("visits:coverage_gaps", args=[svc.group_1.pk, today.year, quarter]))
    assert [e.pk for e, _last in gaps.context["enterprises"]] == [svc.ent_1b.pk]
    # A member sees their own group's coverage only.
    assert (
        web(svc.member_2).get(reverse("visits:coverage_gaps", args=[svc.group_1.pk, today.year, quarter])).status_code
        == 404
    )
    assert [g.code for g in web(svc.member_2).get(reverse("visits:coverage")).context["table"].groups] == ["sg-02"]
    assert web(svc.admin).get(reverse("visits:coverage") + "?year=abc").status_code == 400
    assert web(svc.admin).get(reverse("visits:coverage_gaps", args=[svc.group_1.pk, today.year, 5])).status_code == 404


def test_matters_raised_on_a_visit_are_drafts_for_the_dispatcher(svc: Service) -> None:
    web(svc.member_1).post(reverse("visits:visit_create"), _form(svc))
    matter = Matter.objects.get()
    assert (matter.state, matter.source, matter.enterprise_id) == ("draft", "visit", svc.ent_1.pk)
    assert web(svc.admin).get(reverse("matters:detail", args=[matter.pk])).status_code == 200


def test_group_member_add_several_at_once_all_or_none(svc: Service, make_user: MakeUser) -> None:
    """Issue 16: several members as chips; one refused account adds none, the error names it."""
    url = reverse("visits:group_member_add", args=[svc.group_1.pk])
    client = web(svc.admin)
    third = make_user(Role.SERVICE_MEMBER, "group_2", username="member_3")
    body = client.get(reverse("visits:group_detail", args=[svc.group_1.pk])).content.decode()
    assert "data-zy-picker-multiple" in body
    before = db_fingerprint(exclude=SESSION_TABLES)
    response = client.post(url, {"user": ["member_2", "staff_a", "member_3"]})
    assert response.status_code == 400
    [message] = response.context["member_form"].errors["user"]
    assert "staff_a" in message
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=SESSION_TABLES))
    # A leader among several is refused on is_leader.
    response = client.post(url, {"user": ["member_2", "member_3"], "is_leader": "on"})
    assert response.status_code == 400
    assert response.context["member_form"].errors["is_leader"]
    # The chips and a username typed into the box beside them.
    assert client.post(url, {"user": ["member_2"], "user__text": "member_3"}).status_code == 302
    assert set(ServiceGroupMembership.objects.filter(group=svc.group_1).values_list("user__username", flat=True)) >= {
        "member_2", third.username,
    }


def test_group_assign_several_firms_at_once_all_or_none(svc: Service) -> None:
    url = reverse("visits:group_assign", args=[svc.group_1.pk])
    client = web(svc.admin)
    before = db_fingerprint(exclude=SESSION_TABLES)
    response = client.post(url, {"enterprise": [str(svc.ent_none.pk), str(svc.ent_2.pk), "91340400MA0000000X"]})
    assert response.status_code == 400
    [message] = response.context["assign_form"].errors["enterprise"]
    assert "91340400MA0000000X" in message
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=SESSION_TABLES))
    # Picked ids and a credit code typed beside them.
    response = client.post(url, {"enterprise": [str(svc.ent_none.pk)], "enterprise__text": svc.ent_2.uscc})
    assert response.status_code == 302
    assert set(Enterprise.objects.filter(service_group=svc.group_1).values_list("pk", flat=True)) >= {
        svc.ent_none.pk, svc.ent_2.pk,
    }
