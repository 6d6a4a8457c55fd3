"""The apartment lists' exports (issue 16 item 2): units, applications and tenancies, each the
page's rows under the same filter (every page), scoped, audited, with a Chinese file name."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from zhaoyin.apartments.models import UnitState
from zhaoyin.apartments.tests.conftest import Housing
from zhaoyin.apartments.tests.test_views import web
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.testing import export_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_unit_export_is_the_filtered_page_in_scope(housing: Housing) -> None:
    for n in range(5):
        housing.unit(f"10{n}", state=UnitState.MAINTENANCE if n % 2 else UnitState.AVAILABLE)
    housing.unit("201", building=housing.building_b)
    query = f"?building={housing.building_a.pk}&state=available&page_size=10&sort=-number"
    client = web(housing.office)
    page = client.get("/apartments/units/" + query)
    assert f'href="/apartments/units/export/{query.replace("&", "&amp;")}"' in page.content.decode()
    expected = [u.number for u in page.context["page_obj"].object_list]
    assert expected == ["104", "102", "100"]
    rows = export_sheet(client.get("/apartments/units/export/" + query))
    assert rows[0][:2] == ("楼栋", "房号")
    assert [r[1] for r in rows[1:]] == expected
    # County A's staff see county A's building only.
    staff = export_sheet(web(housing.staff_a).get("/apartments/units/export/"))
    assert {r[0] for r in staff[1:]} == {housing.building_a.name}
    detail = json.loads(AuditRecord.objects.filter(action="apartment_unit.export").latest("id").detail)
    assert detail["rows"] == len(staff) - 1 == 5


def test_application_and_tenancy_exports_are_the_pages_rows(housing: Housing) -> None:
    today = timezone.localdate()
    housing.waitlisted(housing.talent_a)
    housing.waitlisted(housing.talent_b)
    housing.apply(housing.own)
    housing.contracted(housing.talent("丁博士"), housing.unit("701"), start=today - dt.timedelta(days=300),
                       end=today + dt.timedelta(days=20))
    housing.contracted(housing.talent("戊硕士"), housing.unit("702"), start=today, end=today + dt.timedelta(days=365))
    client = web(housing.office)
    query = "?state=waitlisted"
    page = client.get("/apartments/applications/" + query)
    listed = list(page.context["page_obj"].object_list)
    positions = page.context["positions"]
    rows = export_sheet(client.get("/apartments/applications/export/" + query))
    assert [r[0] for r in rows[1:]] == [a.talent.name for a in listed]
    assert sorted(r[0] for r in rows[1:]) == sorted(["甲博士", "乙硕士"])
    assert [r[4] for r in rows[1:]] == [positions[a.pk] for a in listed]  # the place on the waitlist
    page = client.get("/apartments/tenancies/?expiring=1")
    expected = [t.talent.name for t in page.context["page_obj"].object_list]
    rows = export_sheet(client.get("/apartments/tenancies/export/?expiring=1"))
    assert [r[0] for r in rows[1:]] == expected == ["丁博士"]
    assert client.get("/apartments/tenancies/export/?expiring=maybe").status_code == 302
    day = timezone.localdate().isoformat()
    assert quote(f"人才公寓租赁合同_{day}.xlsx") in client.get("/apartments/tenancies/export/")["Content-Disposition"]
