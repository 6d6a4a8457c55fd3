"""The tailored 政策服务清单: the real PDF (pdftotext) and Word (python-docx) files carry the
enterprise, the policies with their conditions and reasons, the contact; scope (AC-03) on the
pages and the API; every export audited."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from docx import Document

from zhaoyin.accounts.models import ServiceGroupMembership, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.tests.office_files import assert_page_numbers
from zhaoyin.matching.policy_list_docs import policy_list_build, policy_list_docx, policy_list_pdf
from zhaoyin.payouts.tests.fixtures import PayoutWorld, make_policy, payout_world_fixture  # noqa: F401
from zhaoyin.policies.models import PolicyStatus

pytestmark = pytest.mark.django_db


def web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, int]:
    path = tmp_path / "list.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return text, pages


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    parts.extend(p.text for p in doc.sections[0].footer.paragraphs)
    return "\n".join(parts)


@pytest.fixture
def listed(payout_world: PayoutWorld) -> PayoutWorld:
    """Enterprise A: eligible for the world's policy; possible for one asking 2025 R&D data;
    not eligible for one asking 规下; the group has a leader."""
    w = payout_world
    make_policy(
        w.units["city"],
        "淮南市研发费用加计扣除奖励",
        eligibility={"all": [{"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte", "value": 0.03}]},
        doc_no="淮科〔2025〕8号",
        contact_office="市税务局",
    )
    make_policy(
        w.units["city"],
        "小微企业扶持政策",
        eligibility={"all": [{"field": "size_class", "op": "eq", "value": "below"}]},
    )
    make_policy(w.units["city"], "已废止政策", status=PolicyStatus.WITHDRAWN)
    leader = w.make_user("service_member", "group_1", full_name="张组长", phone="13955440001")
    ServiceGroupMembership.objects.filter(user=leader).update(is_leader=True)
    return w


def test_build_orders_eligible_then_possible_with_reasons(listed: PayoutWorld) -> None:
    data = policy_list_build(listed.ent_a)
    assert [e.policy.title for e in data.eligible] == ["淮南市研发投入奖补政策"]
    assert [e.policy.title for e in data.possible] == ["淮南市研发费用加计扣除奖励"]
    assert [e.number for e in [*data.eligible, *data.possible]] == [1, 2]
    eligible = data.eligible[0]
    assert [c.mark for c in eligible.conditions] == ["✓", "✓"]
    assert "3000" in eligible.conditions[0].reason
    assert data.possible[0].missing
    assert "2025" in data.possible[0].missing[0]
    assert (data.contact.unit, data.contact.person, data.contact.phone) == ("第一服务组", "张组长", "13955440001")


def test_pdf_carries_the_enterprise_policies_reasons_and_page_numbers(listed: PayoutWorld, tmp_path: Path) -> None:
    pdf = policy_list_pdf(policy_list_build(listed.ent_a))
    assert pdf.startswith(b"%PDF")
    text, pages = pdf_text(pdf, tmp_path)
    assert listed.ent_a.name in text
    assert listed.ent_a.uscc in text
    assert "淮南市研发投入奖补政策" in text
    assert "淮南市研发费用加计扣除奖励" in text
    assert "小微企业扶持政策" not in text  # not eligible: not listed
    assert "已废止政策" not in text
    assert "3000" in text  # the reason of the revenue condition
    assert "✓" in text
    assert "淮府〔2025〕12号" in text
    assert "淮科〔2025〕8号" in text
    assert "0554-6661234" in text
    assert "淮南市田家庵区洞山中路1号" in text
    assert "登录惠企政策平台" in text  # how to apply
    assert "张组长" in text
    assert "13955440001" in text
    flat = text.replace(" ", "")
    assert "第1页/共" + str(pages) + "页" in flat
    assert "第" + str(pages) + "页/共" + str(pages) + "页" in flat


def test_docx_carries_the_enterprise_policies_reasons_and_a_chinese_font(listed: PayoutWorld) -> None:
    data = policy_list_docx(policy_list_build(listed.ent_a))
    text = docx_text(data)
    assert listed.ent_a.name in text
    assert listed.ent_a.uscc in text
    assert "淮南市研发投入奖补政策" in text
    assert "淮南市研发费用加计扣除奖励" in text
    assert "小微企业扶持政策" not in text
    assert "3000" in text
    assert "✓" in text
    assert "?" in text
    assert "张组长" in text
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    assert section.page_width is not None
    assert section.page_height is not None
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert b"NUMPAGES" in doc.sections[0].footer._element.xml.encode()
    assert_page_numbers(data, official=False)  # not a 公文: 第 N 页 / 共 M 页, centred
    first = doc.paragraphs[0].runs[0]._element.xml
    assert 'w:eastAsia="黑体"' in first


def test_download_from_the_page_and_the_api_is_audited(listed: PayoutWorld, tmp_path: Path) -> None:
    w = listed
    response = web(w.staff_a).get(f"/enterprises/{w.ent_a.pk}/policy-list.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text, _pages = pdf_text(response.content, tmp_path)
    assert w.ent_a.name in text
    response = api(w.member).get(f"/api/v1/enterprises/{w.ent_a.pk}/policy-list.docx")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "淮南市研发投入奖补政策" in docx_text(response.content)
    records = AuditRecord.objects.filter(action="policy_list.export", object_id=str(w.ent_a.pk))
    assert records.count() == 2


def test_AC_03_another_county_enterprise_list_is_404(listed: PayoutWorld) -> None:
    w = listed
    assert web(w.staff_a).get(f"/enterprises/{w.ent_b.pk}/policy-list.docx").status_code == 404
    assert api(w.admin_a).get(f"/api/v1/enterprises/{w.ent_b.pk}/policy-list.pdf").status_code == 404
    assert api(w.member).get(f"/api/v1/enterprises/{w.ent_b.pk}/policy-list.pdf").status_code == 404
    assert not AuditRecord.objects.filter(action="policy_list.export").exists()


def test_the_portal_user_gets_only_their_own_list(listed: PayoutWorld) -> None:
    w = listed
    assert api(w.portal_a).get(f"/api/v1/enterprises/{w.ent_a.pk}/policy-list.docx").status_code == 200
    assert api(w.portal_a).get(f"/api/v1/enterprises/{w.ent_b.pk}/policy-list.docx").status_code == 404


def test_an_enterprise_without_matches_gets_a_list_that_says_so(listed: PayoutWorld) -> None:
    text = docx_text(policy_list_docx(policy_list_build(listed.ent_b)))
    assert listed.ent_b.name in text
    assert "第二服务组" in text
