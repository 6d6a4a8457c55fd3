"""The matter list's Excel export (issue 16 item 2): exactly the rows the page lists under the
same filter, Chinese headers and file name, formulas inert (XLS-02), scoped (XLS-03), audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.testing import assert_constant_queries, export_sheet
from zhaoyin.matters import clocks
from zhaoyin.matters.flow import STATE_LABELS, State
from zhaoyin.matters.models import Matter
from zhaoyin.matters.tests.conftest import MakeMatter, People
from zhaoyin.matters.tests.test_views import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def page_codes(body: str) -> list[str]:
    ids = [int(pk) for pk in re.findall(r'data-matter="(\d+)"', body)]
    codes = dict(Matter.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [codes[pk] for pk in ids]


def test_export_rows_are_the_filtered_pages_rows(people: People, make_matter: MakeMatter) -> None:
    today = clocks.today()
    make_matter(State.ASSIGNED, sign_deadline=today - dt.timedelta(days=10))  # overdue
    make_matter(State.ASSIGNED, sign_deadline=today - dt.timedelta(days=3))  # overdue
    make_matter(State.ACCEPTED, handle_deadline=today + dt.timedelta(days=60))
    make_matter(State.DRAFT)
    make_matter(State.ASSIGNED, lead="county_b", co=(), sign_deadline=today - dt.timedelta(days=10))  # not lead's
    client = client_for(people.lead)
    query = "?alert=overdue&state=assigned&page_size=100"
    page = client.get(reverse("matters:list") + query)
    expected = page_codes(page.content.decode())
    rows = export_sheet(client.get(reverse("matters:export") + query))
    assert rows[0][:3] == ("编号", "标题", "企业")
    assert [r[0] for r in rows[1:]] == expected
    assert len(expected) == 2
    assert {r[7] for r in rows[1:]} == {str(STATE_LABELS[State.ASSIGNED])}
    assert {r[10] for r in rows[1:]} == {"红灯"}
    audit = AuditRecord.objects.filter(action="matter.export").latest("id")
    assert audit.actor == people.lead.username
    detail = json.loads(audit.detail)
    assert detail["rows"] == 2
    assert detail["filter"]["state"] == "assigned"


def test_export_is_scoped_like_the_list(people: People, make_matter: MakeMatter) -> None:
    make_matter(State.ASSIGNED)
    make_matter(State.ASSIGNED, lead="county_b", co=())
    lead_rows = export_sheet(client_for(people.lead).get(reverse("matters:export")))
    outsider_rows = export_sheet(client_for(people.outsider).get(reverse("matters:export")))
    city_rows = export_sheet(client_for(people.dispatcher).get(reverse("matters:export")))
    assert len(lead_rows) == len(outsider_rows) == 2
    assert lead_rows[1][0] != outsider_rows[1][0]
    assert len(city_rows) == 3


def test_XLS_02_export_keeps_formulas_inert(people: People, make_matter: MakeMatter) -> None:
    matter = make_matter(State.ASSIGNED)
    Matter.objects.filter(pk=matter.pk).update(title='=HYPERLINK("http://evil.example","x")')
    response = client_for(people.dispatcher).get(reverse("matters:export"))
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws is not None
    cell = ws.cell(row=2, column=2)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","x")'


def test_export_bad_filter_goes_back_with_the_reason(people: People) -> None:
    response = client_for(people.dispatcher).get(reverse("matters:export") + "?state=nonsense")
    assert response.status_code == 302
    assert response["Location"] == reverse("matters:list")
    assert not AuditRecord.objects.filter(action="matter.export").exists()


def test_export_file_name_is_chinese(people: People) -> None:
    response = client_for(people.dispatcher).get(reverse("matters:export"))
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"export_{day}.xlsx\"; filename*=UTF-8''{quote(f'交办事项_{day}.xlsx')}"
    )


def test_list_page_links_the_export_with_its_filter(people: People, make_matter: MakeMatter) -> None:
    make_matter(State.ASSIGNED)
    body = client_for(people.dispatcher).get(reverse("matters:list") + "?state=assigned&page=1").content.decode()
    assert f'href="{reverse("matters:export")}?state=assigned"' in body


def test_export_query_count_is_constant(people: People, make_matter: MakeMatter) -> None:
    states = [State.DRAFT, State.ASSIGNED, State.ACCEPTED, State.REPORTED, State.CLOSED]

    def grow(n: int) -> None:
        for i in range(Matter.objects.count(), n):
            make_matter(states[i % len(states)], lead="county_a" if i % 2 else "park_a")

    client = client_for(people.dispatcher)
    assert_constant_queries(grow=grow, run=lambda: export_sheet(client.get(reverse("matters:export"))), sizes=(5, 30))


def test_the_workbook_is_built_outside_any_transaction(
    people: People, make_matter: MakeMatter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite has one writer: every list export goes through core.export_pages.write_audited_export,
    which writes the workbook at atomic depth 0 and the audit record in audit_write's own short
    transaction (none held while the file is built)."""
    from zhaoyin.audit import services as audit_services
    from zhaoyin.core import export_pages
    from zhaoyin.core.testing import atomic_depths

    make_matter(State.ASSIGNED)
    depths = atomic_depths(monkeypatch, (export_pages, "write_xlsx"), (audit_services, "audit_write"))
    assert client_for(people.lead).get(reverse("matters:export")).status_code == 200
    assert depths["write_xlsx"] == [0]
    assert depths["audit_write"] == [0]
