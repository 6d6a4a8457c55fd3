"""The sysadmin's calendar pages: access, the year grid, add/remove, import, template."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord, Outcome
from zhaoyin.core.roles import Role
from zhaoyin.workcalendar.models import CalendarException, OfficialYear
from zhaoyin.workcalendar.notice import parse_notice
from zhaoyin.workcalendar.tests.conftest import notice_bytes

pytestmark = pytest.mark.django_db
BACKEND = "zhaoyin.accounts.backends.ZhaoyinBackend"
D = dt.date


@pytest.fixture
def sys_client(sysadmin: User) -> Client:
    client = Client()
    client.force_login(sysadmin, backend=BACKEND)
    return client


def upload(data: bytes, name: str = "notice.xlsx") -> Any:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_AC_05_sysadmin_sees_the_calendar(sys_client: Client) -> None:
    response = sys_client.get(reverse("workcalendar:index"), {"year": 2026})
    assert response.status_code == 200
    months = response.context["months"]
    assert len(months) == 12
    october = months[9]
    cells = {c.info.date: c for week in october.weeks for c in week if c}
    assert cells[D(2026, 10, 10)].info.kind == "makeup"
    assert cells[D(2026, 10, 1)].info.kind == "holiday"
    assert october.holidays == 7
    body = response.content.decode()
    assert 'data-date="2026-10-10" data-kind="makeup"' in body
    assert ' style="' not in body
    assert "<script>" not in body


def test_a_projected_year_is_shown_as_provisional(sys_client: Client) -> None:
    response = sys_client.get(reverse("workcalendar:index"), {"year": 2027})
    assert response.context["year_status"].status == "provisional"
    assert 'id="zy-year-status"' in response.content.decode()


def test_a_bad_year_falls_back_to_this_year(sys_client: Client) -> None:
    for year in ("abc", "1800", "2200"):
        assert sys_client.get(reverse("workcalendar:index"), {"year": year}).status_code == 200


@pytest.mark.parametrize("role", [Role.STAFF, Role.CITY_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
def test_AC_05_other_roles_get_403_and_the_refusal_is_audited(make_user: MakeUser, role: Role) -> None:
    client = Client()
    client.force_login(make_user(role, unit="city"), backend=BACKEND)
    assert client.get(reverse("workcalendar:index")).status_code == 403
    response = client.post(reverse("workcalendar:exception_add"), {"date": "2026-10-12", "kind": "holiday"})
    assert response.status_code == 403
    assert not CalendarException.objects.exists()
    assert AuditRecord.objects.filter(outcome=Outcome.DENIED, action="http.denied").count() == 2


def test_add_and_remove_an_exception(sys_client: Client) -> None:
    response = sys_client.post(reverse("workcalendar:exception_add"),
                               {"date": "2026-10-12", "kind": "holiday", "name": "临时放假", "source": "通知"})
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2026")
    exc = CalendarException.objects.get()
    assert (exc.date, exc.kind, exc.name) == (D(2026, 10, 12), "holiday", "临时放假")
    page = sys_client.get(reverse("workcalendar:index"), {"year": 2026})
    assert list(page.context["exceptions"]) == [exc]
    response = sys_client.post(reverse("workcalendar:exception_remove", args=[exc.pk]))
    assert response.status_code == 302
    assert not CalendarException.objects.exists()
    assert sys_client.post(reverse("workcalendar:exception_remove", args=[exc.pk])).status_code == 404


@pytest.mark.parametrize(("data", "field"), [
    ({"date": "2026-13-01", "kind": "holiday"}, "date"),
    ({"date": "2026-10-12", "kind": "rest"}, "kind"),
    ({"date": "1999-10-12", "kind": "holiday"}, "date"),
])
def test_VAL_bad_exception_form_is_400_and_changes_nothing(
    sys_client: Client, data: dict[str, str], field: str
) -> None:
    response = sys_client.post(reverse("workcalendar:exception_add"), data)
    assert response.status_code == 400
    assert response.context["add_form"].errors[field]
    assert not CalendarException.objects.exists()


def test_exception_pages_refuse_get(sys_client: Client) -> None:
    assert sys_client.get(reverse("workcalendar:exception_add")).status_code == 405


def test_notice_import_through_the_page(sys_client: Client) -> None:
    response = sys_client.post(reverse("workcalendar:notice_import"),
                               {"file": upload(notice_bytes()), "notice": "国办发明电〔2026〕1号"})
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2027")
    assert OfficialYear.objects.get().year == 2027
    page = sys_client.get(response["Location"])
    assert page.context["year_status"].status == "official"


def test_VAL_bad_notice_shows_every_row_error_and_imports_nothing(sys_client: Client) -> None:
    rows = [["日期", "类型", "名称"], ["2027-02-30", "放假", "春节"], [D(2027, 2, 9), "调休", ""]]
    response = sys_client.post(reverse("workcalendar:notice_import"), {"file": upload(notice_bytes(rows))})
    assert response.status_code == 400
    errors = response.context["import_errors"]
    assert [(e.row, e.column) for e in errors] == [(2, "日期"), (3, "类型")]
    assert 'id="zy-import-errors"' in response.content.decode()
    assert not CalendarException.objects.exists()
    assert not OfficialYear.objects.exists()


def test_FILE_02_html_renamed_xlsx_is_refused(sys_client: Client) -> None:
    response = sys_client.post(reverse("workcalendar:notice_import"),
                               {"file": upload(b"<html>hello</html>")})
    assert response.status_code == 400
    assert response.context["import_form"].errors["file"]
    assert not CalendarException.objects.exists()


def test_official_year_form(sys_client: Client) -> None:
    response = sys_client.post(reverse("workcalendar:official_year"), {"year": 2027, "notice": "x"})
    assert response.status_code == 302
    assert OfficialYear.objects.get().year == 2027
    response = sys_client.post(reverse("workcalendar:official_year"), {"year": 2027})
    assert response.status_code == 400
    assert response.context["official_form"].errors["year"]


def test_the_import_template_downloads_and_has_the_columns(sys_client: Client) -> None:
    response = sys_client.get(reverse("workcalendar:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    data = response.content
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = book.worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == ["日期", "类型", "名称", "备注"]
    # Filled in, the template imports.
    filled = openpyxl.load_workbook(io.BytesIO(data))
    ws = filled.worksheets[0]
    ws.append([D(2027, 1, 1), "放假", "元旦", ""])
    out = io.BytesIO()
    filled.save(out)
    assert [r.date for r in parse_notice(out.getvalue())] == [D(2027, 1, 1)]
