"""The recognition list's export (issue 16 item 2): the page's rows under the same filter,
every page, scoped like the page, audited, bad filter refused, Chinese file name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.testing import export_sheet
from zhaoyin.recognition.tests.fixtures import RecWorld, rec_world_fixture
from zhaoyin.recognition.tests.test_views import web
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db
rec_world = rec_world_fixture


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_recognition_export_is_the_filtered_page_in_scope(rec_world: RecWorld) -> None:
    w = rec_world
    w.apply(w.talent_a)
    w.apply(w.talent_b, tier="C")
    for n in range(3):
        w.apply(make_talent(org_unit=w.units["county_a"], name=f"认定人才{n}"), tier="D")
    query = "?tier=D&page_size=2"
    client = web(w.office)
    page = client.get("/recognition/" + query)
    assert f'href="/recognition/export/{query.replace("&", "&amp;")}"' in page.content.decode()
    expected = [r.talent.name for r in page.context["page_obj"].paginator.object_list]
    assert len(expected) == 3
    rows = export_sheet(client.get("/recognition/export/" + query))
    assert rows[0][:2] == ("人才", "单位")
    assert [r[0] for r in rows[1:]] == expected
    assert {r[2] for r in rows[1:]} == {"D"}
    detail = json.loads(AuditRecord.objects.filter(action="recognition.export").latest("id").detail)
    assert detail == {"filter": {"tier": "D"}, "rows": 3}
    county_a = export_sheet(web(w.admin_a).get("/recognition/export/"))
    assert w.talent_b.name not in {r[0] for r in county_a[1:]}
    assert len(county_a) - 1 == 4
    assert client.get("/recognition/export/?year=abc").status_code == 302
    day = timezone.localdate().isoformat()
    assert quote(f"人才认定_{day}.xlsx") in client.get("/recognition/export/")["Content-Disposition"]


def test_rule_set_export_is_the_pages_rows(rec_world: RecWorld) -> None:
    from zhaoyin.recognition import services
    from zhaoyin.recognition.inputs import RuleSetCreateInput
    from zhaoyin.recognition.tests.fixtures import RULES

    w = rec_world
    services.rule_set_create(acting_user=w.office, data=RuleSetCreateInput.of(year=2026, rules=RULES, note="修订稿"))
    client = web(w.office)
    page = client.get("/recognition/rules/")
    assert 'href="/recognition/rules/export/?"' in page.content.decode()
    expected = [(s.year, f"v{s.number}", s.get_status_display()) for s in page.context["rows"]]
    assert len(expected) == 2
    rows = export_sheet(client.get("/recognition/rules/export/"))
    assert rows[0][:3] == ("年份", "版本", "状态")
    assert [tuple(r[:3]) for r in rows[1:]] == expected
    assert AuditRecord.objects.filter(action="tier_rule_set.export").exists()
