"""The visit list's Excel export (issue 16 item 2): the rows the page lists under the same
filter, Chinese headers and file name, scoped, audited, formulas inert (XLS-02)."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.testing import export_sheet
from zhaoyin.matters import clocks
from zhaoyin.visits import services
from zhaoyin.visits.inputs import VisitCreateInput
from zhaoyin.visits.models import Visit
from zhaoyin.visits.tests.conftest import Service, fresh
from zhaoyin.visits.tests.test_views import web

pytestmark = pytest.mark.django_db


def _visits(svc: Service) -> tuple[Visit, Visit]:
    v1 = services.visit_create(
        acting_user=fresh(svc.member_1),
        data=VisitCreateInput.of(enterprise=svc.ent_1.pk, date=clocks.today(), notes="=1+2 走访记录"),
    )
    v2 = services.visit_create(
        acting_user=fresh(svc.member_2),
        data=VisitCreateInput.of(enterprise=svc.ent_2.pk, date=clocks.today(), notes="n"),
    )
    return v1, v2


def test_export_rows_are_the_filtered_pages_rows(svc: Service) -> None:
    _visits(svc)
    client = web(svc.admin)
    for query in ("", "?group=sg-02", f"?enterprise={svc.ent_1.pk}", "?quarter=2001-Q1"):
        page = client.get(reverse("visits:visit_list") + query)
        expected = [(v.visited_on, v.enterprise.name) for v in page.context["page_obj"].object_list]
        rows = export_sheet(client.get(reverse("visits:visit_export") + query))
        assert rows[0][:4] == ("走访日期", "企业", "统一社会信用代码", "服务组")
        assert [(r[0].date(), r[1]) for r in rows[1:]] == expected, query
    audit = AuditRecord.objects.filter(action="visit.export").latest("id")
    detail = json.loads(audit.detail)
    assert (list(detail["filter"]), detail["rows"]) == (["quarter"], 0)
    assert len(export_sheet(client.get(reverse("visits:visit_export") + "?group=sg-02"))) == 2


def test_export_is_scoped_and_keeps_formulas_inert(svc: Service) -> None:
    v1, _v2 = _visits(svc)
    rows = export_sheet(web(svc.member_1).get(reverse("visits:visit_export")))
    assert len(rows) == 2
    assert rows[1][1] == v1.enterprise.name
    assert rows[1][7] == "=1+2 走访记录"
    response = web(svc.member_1).get(reverse("visits:visit_export"))
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    assert ws is not None
    assert ws.cell(row=2, column=8).data_type == "s"


def test_export_refuses_a_bad_filter_and_names_the_file_in_chinese(svc: Service) -> None:
    _visits(svc)
    client = web(svc.admin)
    assert client.get(reverse("visits:visit_export") + "?quarter=nope").status_code == 302
    assert not AuditRecord.objects.filter(action="visit.export").exists()
    day = timezone.localdate().isoformat()
    disposition = client.get(reverse("visits:visit_export"))["Content-Disposition"]
    assert disposition.endswith("filename*=UTF-8''" + quote(f"企业走访_{day}.xlsx"))
    assert f'filename="export_{day}.xlsx"' in disposition
    body = client.get(reverse("visits:visit_list") + "?group=sg-02&page=1").content.decode()
    assert f'href="{reverse("visits:visit_export")}?group=sg-02"' in body
