"""Phones in the field (issue 16 item 4): the service member's home leads to 记录走访 and lists
the firms of their groups not yet visited this quarter (quarters turn at local midnight); the
visit form's photo input opens the camera; the visit list's cells carry their column's name
for the phone's cards. No location is asked for."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.matters.clocks import SHANGHAI, today
from zhaoyin.visits import services
from zhaoyin.visits.inputs import VisitCreateInput
from zhaoyin.visits.models import Visit, VisitFile
from zhaoyin.visits.selectors import member_not_visited
from zhaoyin.visits.tests.conftest import PNG, Service, fresh, make_enterprise

pytestmark = pytest.mark.django_db


def web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def visit(svc: Service, enterprise_pk: int, day: dt.date) -> None:
    services.visit_create(
        acting_user=fresh(svc.member_1),
        data=VisitCreateInput.of(enterprise=enterprise_pk, date=day.isoformat(), notes="走访", demands=[]),
    )


def test_member_home_offers_record_a_visit_and_the_firms_not_visited_this_quarter(svc: Service) -> None:
    with time_machine.travel(dt.datetime(2026, 5, 20, 10, tzinfo=SHANGHAI), tick=False):
        visit(svc, svc.ent_1.pk, dt.date(2026, 3, 30))  # last quarter: still to visit this one
        visit(svc, svc.ent_1b.pk, dt.date(2026, 4, 2))  # this quarter: done
        response = web(svc.member_1).get(reverse("core:home"))
    html = response.content.decode()
    assert response.status_code == 200
    create = reverse("visits:visit_create")
    assert f'id="home-visit-new" href="{create}"' in html
    panel = html.split('id="home-not-visited"', 1)[1].split("</ul>", 1)[0]
    assert svc.ent_1.name in panel
    assert "2026-03-30" in panel
    assert f"{create}?enterprise={svc.ent_1.pk}" in panel
    assert svc.ent_1b.name not in panel  # visited this quarter
    assert svc.ent_2.name not in panel  # another group's firm (scope)
    assert "geolocation" not in html


def test_other_roles_get_no_visit_panel(svc: Service) -> None:
    html = web(svc.staff_a).get(reverse("core:home")).content.decode()
    assert 'id="home-visit-new"' not in html
    assert 'id="home-not-visited' not in html


def test_the_quarter_turns_at_local_midnight(svc: Service) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI), tick=False):
        visit(svc, svc.ent_1.pk, dt.date(2026, 3, 31))
        member = fresh(svc.member_1)
        # 2026-03-31 23:30 in Shanghai is 15:30 UTC: still Q1, the visit counts.
        first = member_not_visited(user=member, today=today())
    # 2026-04-01 00:30 in Shanghai is still 03-31 in UTC: already Q2, the visit no longer counts.
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        second = member_not_visited(user=member, today=today())
    assert (first.year, first.quarter) == (2026, 1)
    assert svc.ent_1.pk not in {e.pk for e, _ in first.firms}
    assert (second.year, second.quarter) == (2026, 2)
    assert svc.ent_1.pk in {e.pk for e, _ in second.firms}


def test_member_panel_query_count_does_not_grow_with_the_firms(svc: Service, org_tree: dict[str, OrgUnit]) -> None:
    def count() -> int:
        member = fresh(svc.member_1)
        with CaptureQueriesContext(connection) as queries:
            todo = member_not_visited(user=member, today=dt.date(2026, 5, 20))
            assert todo.firms
        return len(queries.captured_queries)

    few = count()
    for n in range(20, 40):
        e = make_enterprise(org_tree["county_a"], svc.group_1, n)
        visit(svc, e.pk, dt.date(2025, 12, 1))
    assert count() == few
    todo = member_not_visited(user=fresh(svc.member_1), today=dt.date(2026, 5, 20))
    assert todo.total == 22
    assert len(todo.firms) == 12
    assert all(last is not None for e, last in todo.firms if e.name.startswith("走访测试企业2"))


def test_visit_form_photo_input_opens_the_camera_and_its_photos_are_kept(svc: Service) -> None:
    client = web(svc.member_1)
    html = client.get(reverse("visits:visit_create")).content.decode()
    before, after = html.split('name="photos"', 1)
    photo = before.rsplit("<input", 1)[1] + after.split(">", 1)[0]
    assert 'accept="image/*"' in photo
    assert 'capture="environment"' in photo
    response = client.post(reverse("visits:visit_create"), {
        "enterprise": str(svc.ent_1.pk), "date": today().isoformat(), "notes": "现场",
        "photos": [SimpleUploadedFile("camera.png", PNG, content_type="image/png")],
        "evidence": [SimpleUploadedFile("附件.png", PNG, content_type="image/png")],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert VisitFile.objects.filter(visit=Visit.objects.get()).count() == 2


def test_visit_list_cells_name_their_column_for_the_phone_cards(svc: Service) -> None:
    visit(svc, svc.ent_1.pk, today())
    html = web(svc.member_1).get(reverse("visits:visit_list")).content.decode()
    assert 'class="table table-sm table-striped table-hover zy-table zy-cards mb-0" id="visit-table"' in html
    row = html.split("data-visit=", 1)[1].split("</tr>", 1)[0]
    assert row.count("data-label=") == 5


def test_visit_form_speaks_once_a_bad_field_and_a_bad_demand_together(svc: Service) -> None:
    from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint

    tables = {"sessions.session", "audit.auditrecord", "audit.auditchainhead"}
    client = web(svc.member_1)
    before = db_fingerprint(exclude=tables)
    response = client.post(reverse("visits:visit_create"), {
        "enterprise": "", "date": today().isoformat(), "notes": "走访",
        "demand-0-title": "用电增容", "demand-0-kind": "bogus", "demand-0-description": "",
    })
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["enterprise"]  # the form's own check (a required drop-down) …
    rows = response.context["demand_rows"]
    assert rows[0].errors.get("kind")  # … and the model's verdict on the demand row, in the same answer
    assert_fingerprint_unchanged(before, db_fingerprint(exclude=tables))
