"""The project catalog list's export (issue 16 item 2): the page's rows under the same filter,
every page, phones masked as on the page, audited, Chinese file name, bad filter refused."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.utils import timezone

from conftest import MakeUser
from zhaoyin.audit.models import AuditRecord
from zhaoyin.catalog.tests.conftest import MakeItem, web_client
from zhaoyin.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_catalog_export_is_the_filtered_page(make_user: MakeUser, make_item: MakeItem) -> None:
    for n in range(3):
        make_item(name=f"新材料项目{n}")
    make_item(name="煤化工项目")  # not matched by the search
    client = web_client(make_user(Role.STAFF, unit="county_a"))
    query = "?park=park-a&q=新材料&page_size=2"
    page = client.get("/catalog/" + query)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'href="/catalog/export/?park=park-a&amp;q=' in body
    expected = [item.name for item in page.context["page_obj"].paginator.object_list]
    assert len(expected) == 3
    response = client.get("/catalog/export/" + query)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "项目名称"
    assert [r[0] for r in rows[1:]] == expected
    assert all("13855443322" not in str(r[6]) for r in rows[1:])  # masked, as on the page
    detail = json.loads(AuditRecord.objects.filter(action="catalog_item.export").latest("id").detail)
    assert detail["rows"] == 3
    assert detail["filter"]["park"] == "park-a"
    assert client.get("/catalog/export/?q=%18").status_code == 302
    day = timezone.localdate().isoformat()
    assert quote(f"招商项目册_{day}.xlsx") in client.get("/catalog/export/")["Content-Disposition"]
