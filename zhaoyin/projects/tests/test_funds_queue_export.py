"""The verifier queue's export (待核查到位资金, issue 16 item 2): the page's rows under the same
filter, every page of them, Chinese headers and file name, audited, bad filter refused."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import export_sheet
from zhaoyin.projects import services
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.inputs import FundEntryInput
from zhaoyin.projects.models import FundEntry
from zhaoyin.projects.tests.helpers import MakeProject, web_client

pytestmark = pytest.mark.django_db
PAGE, EXPORT = "/projects/funds/to-verify/", "/projects/funds/to-verify/export/"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_funds_queue_export_is_the_filtered_queue(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    admin = make_user(Role.CITY_ADMIN, "city")
    big = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("1000"))
    other = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("1000"))
    small = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("100000"))
    # A large share of the total in one month is flagged; a small one is not.
    for project, month, amount in ((big, "2026-02", "600"), (other, "2026-03", "700"), (big, "2026-04", "10")):
        services.fund_entry_add(acting_user=staff, project=project,
                                data=FundEntryInput.of(month=month, amount_wan=amount, source="foreign"))
    services.fund_entry_add(acting_user=staff, project=small,
                            data=FundEntryInput.of(month="2026-02", amount_wan="5", source="foreign"))
    client = web_client(admin)
    query = "?flagged=1&page_size=1"
    page = client.get(PAGE + query)
    assert f'href="{EXPORT}?flagged=1&amp;page_size=1"' in page.content.decode()
    flagged = list(page.context["page_obj"].paginator.object_list)
    assert len(flagged) == 2  # two flagged entries; the page shows one, the export both
    rows = export_sheet(client.get(EXPORT + query))
    assert rows[0][:3] == ("月份", "项目编号", "项目")
    assert [(r[0], r[1], Decimal(str(r[5]))) for r in rows[1:]] == [
        (e.month.strftime("%Y-%m"), e.project.code, e.amount_wan) for e in flagged
    ]
    assert all(r[7] for r in rows[1:])  # the flags, in words
    detail = json.loads(AuditRecord.objects.filter(action="fund_entry.export").latest("id").detail)
    assert detail["filter"] == {"flagged": "1"}
    assert detail["rows"] == 2
    assert len(export_sheet(client.get(EXPORT))) - 1 == FundEntry.objects.count() == 4
    response = client.get(EXPORT + "?month=2026-13")
    assert response.status_code == 302
    assert response["Location"] == PAGE
    day = timezone.localdate().isoformat()
    assert quote(f"待核查到位资金_{day}.xlsx") in client.get(EXPORT)["Content-Disposition"]
    assert web_client(staff).get(EXPORT).status_code == 403
