"""The payout pages: ledger (filters, totals, export), totals per policy / unit / industry with
the drill-down chart, the register form and the action buttons; scope on every one (AC-03)."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.testing import assert_constant_queries, assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.payouts.inputs import PayoutRegisterInput
from zhaoyin.payouts.models import Payout, PayoutStatus, PolicyApprovers
from zhaoyin.payouts.services import payout_approve, payout_register
from zhaoyin.payouts.tests.fixtures import PayoutWorld, make_enterprise, payout_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def _seed(w: PayoutWorld) -> tuple[Payout, Payout]:
    a = payout_register(
        acting_user=w.staff_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025-Q1", amount_wan="10.10"),
    )
    payout_approve(acting_user=w.reviewer, payout=a)
    b = payout_register(
        acting_user=w.city_admin, policy=w.policy, enterprise=w.ent_b,
        data=PayoutRegisterInput.of(period="2025", amount_wan="7"),
    )
    return a, b


def test_AC_03_ledger_shows_own_county_only_with_the_totals(payout_world: PayoutWorld) -> None:
    w = payout_world
    _seed(w)
    page = web(w.staff_a).get("/payouts/").content.decode()
    assert w.ent_a.name in page
    assert w.ent_b.name not in page
    assert 'id="payout-approved-total">10.10<' in page
    page = web(w.city_admin).get("/payouts/?status=pending").content.decode()
    assert w.ent_b.name in page
    assert w.ent_a.name not in page
    assert 'id="payout-pending-total">7.00<' in page


def test_ledger_refuses_bad_filters_with_400(payout_world: PayoutWorld) -> None:
    response = web(payout_world.city_admin).get("/payouts/?period=2025-Q7")
    assert response.status_code == 400
    assert "2025-Q1" in response.content.decode()  # the message says what is expected


def test_AC_03_export_is_the_scoped_filtered_list_and_audited(payout_world: PayoutWorld) -> None:
    w = payout_world
    _seed(w)
    response = web(w.staff_a).get("/payouts/export/?year=2025")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert len(rows) == 2
    assert rows[1][1] == w.ent_a.name
    assert AuditRecord.objects.filter(action="payout.export").count() == 1


def test_AC_03_totals_page_has_a_drill_down_chart_of_own_scope(payout_world: PayoutWorld) -> None:
    w = payout_world
    _seed(w)
    page = web(w.admin_a).get("/payouts/totals/?year=2025&by=unit").content.decode()
    found = re.search(r'<script id="payout-totals-data" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    data = json.loads(found[1])
    assert [i["name"] for i in data["items"]] == ["大通区"]
    assert data["items"][0]["url"] == "/payouts/?unit=340402&year=2025&granted=true"
    assert "田家庵区" not in page
    page = web(w.city_admin).get("/payouts/totals/?year=2025&by=policy").content.decode()
    assert f"/payouts/?policy={w.policy.pk}&amp;year=2025&amp;granted=true" in page
    assert web(w.city_admin).get("/payouts/totals/?by=bogus").status_code == 400
    assert web(w.city_admin).get("/payouts/totals/?year=12").status_code == 400


def test_totals_export_is_the_pages_table_in_scope(payout_world: PayoutWorld) -> None:
    """Issue 16 item 2: the totals table of the same year and grouping, scoped like the page."""
    w = payout_world
    _seed(w)
    client = web(w.admin_a)
    page = client.get("/payouts/totals/?year=2025&by=unit")
    assert 'href="/payouts/totals/export/?year=2025&amp;by=unit"' in page.content.decode()
    expected = [(r.name, r.approved_count, r.paid_count) for r, _url in page.context["rows"]]
    assert expected
    response = client.get("/payouts/totals/export/?year=2025&by=unit")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "按单位"
    assert [(r[0], r[2]) for r in rows[1:]] == [(name, n) for name, n, _paid in expected]
    assert "田家庵区" not in {r[0] for r in rows[1:]}
    detail = json.loads(AuditRecord.objects.filter(action="payout.totals_export").latest("id").detail)
    assert detail["filter"] == {"by": "unit", "year": "2025"}
    refused = client.get("/payouts/totals/export/?by=bogus")
    assert refused.status_code == 302
    assert refused["Location"] == "/payouts/totals/"
    # Both parameters wrong: both named in the one refusal, nothing written or audited.
    audited = AuditRecord.objects.filter(action="payout.totals_export").count()
    shown = client.get("/payouts/totals/export/?year=abc&by=bogus", follow=True).content.decode()
    assert "年份：须为" in shown
    assert "统计维度：请选择" in shown
    assert AuditRecord.objects.filter(action="payout.totals_export").count() == audited


def test_register_from_the_enterprise_page(payout_world: PayoutWorld) -> None:
    w = payout_world
    client = web(w.staff_a)
    page = client.get(f"/payouts/new/?enterprise={w.ent_a.pk}").content.decode()
    assert w.ent_a.uscc in page
    assert w.draft.title not in page  # drafts grant nothing
    response = client.post(
        "/payouts/new/", {"enterprise": w.ent_a.uscc, "policy": w.policy.pk, "period": "2025-03", "amount_wan": "6"}
    )
    assert response.status_code == 302
    payout = Payout.objects.get()
    assert response["Location"] == f"/payouts/{payout.pk}/"
    before = db_fingerprint()
    response = client.post(
        "/payouts/new/", {"enterprise": str(w.ent_a.pk), "policy": w.policy.pk, "period": "2025-03", "amount_wan": "6"}
    )
    assert response.status_code == 409
    assert "2025-03" in response.content.decode()
    response = client.post(
        "/payouts/new/", {"enterprise": w.ent_a.uscc, "policy": w.policy.pk, "period": "x", "amount_wan": "0"}
    )
    assert response.status_code == 400
    response = client.post(
        "/payouts/new/", {"enterprise": w.ent_b.uscc, "policy": w.policy.pk, "period": "2025", "amount_wan": "1"}
    )
    assert response.status_code == 400  # county B's enterprise does not exist for county A
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_detail_buttons_follow_the_table_and_four_eyes(payout_world: PayoutWorld) -> None:
    w = payout_world
    # Roles as data: county A reviews this policy (its administrators approve, four-eyes apart).
    PolicyApprovers.objects.create(policy=w.policy, review_unit=w.units["county_a"], payment_unit=w.units["finance"])
    payout = payout_register(
        acting_user=w.admin_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025", amount_wan="3"),
    )
    page = web(w.admin_a).get(f"/payouts/{payout.pk}/").content.decode()
    assert 'id="payout-approve"' not in page
    assert "双人复核" in page
    page = web(w.admin_a2).get(f"/payouts/{payout.pk}/").content.decode()
    assert 'id="payout-approve"' in page
    assert 'id="payout-reject"' in page
    assert 'id="payout-resubmit"' not in page
    assert web(w.staff_a).get(f"/payouts/{payout.pk}/").content.decode().count("payout-approve") == 0
    assert web(w.admin_b).get(f"/payouts/{payout.pk}/").status_code == 404


def test_actions_from_the_page(payout_world: PayoutWorld) -> None:
    w = payout_world
    payout = payout_register(
        acting_user=w.staff_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025", amount_wan="3"),
    )
    admin, staff = web(w.reviewer), web(w.staff_a)
    before = db_fingerprint()
    response = admin.post(f"/payouts/{payout.pk}/reject/", {"reason": "", "version": "1"})
    assert response.status_code == 400
    response = admin.post(f"/payouts/{payout.pk}/approve/", {"version": "7"})
    assert response.status_code == 409
    response = staff.post(f"/payouts/{payout.pk}/approve/", {"version": "1"})
    assert response.status_code == 403
    assert_fingerprint_unchanged(before, db_fingerprint())
    response = admin.post(f"/payouts/{payout.pk}/reject/", {"reason": "材料不全", "version": "1"})
    assert response.status_code == 302
    response = staff.post(f"/payouts/{payout.pk}/resubmit/", {"amount_wan": "2.5", "version": "2"})
    assert response.status_code == 302
    response = admin.post(f"/payouts/{payout.pk}/approve/", {"version": "3"})
    assert response.status_code == 302
    assert Payout.objects.get().status == PayoutStatus.APPROVED


def test_ledger_page_has_constant_queries(payout_world: PayoutWorld) -> None:
    w = payout_world
    client = web(w.admin_a)
    made = [0]

    def grow(n: int) -> Any:
        while made[0] < n:
            ent = make_enterprise(w.units["county_a"], w.industry, 200 + made[0], f"台账企业{made[0]:03d}")
            payout_register(
                acting_user=w.staff_a, policy=w.policy, enterprise=ent,
                data=PayoutRegisterInput.of(period="2025", amount_wan="2", override_reason="按专项审计结果兑现"),
            )
            made[0] += 1

    assert_constant_queries(grow=grow, run=lambda: client.get("/payouts/?page_size=200"), sizes=(3, 12))
    assert_constant_queries(grow=grow, run=lambda: client.get("/payouts/totals/?year=2025&by=unit"), sizes=(12, 20))


def test_enterprise_page_links_the_policy_list_and_shows_its_payouts(payout_world: PayoutWorld) -> None:
    w = payout_world
    a, _b = _seed(w)
    pending = payout_register(
        acting_user=w.staff_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025-Q4", amount_wan="4"),
    )
    page = web(w.staff_a).get(f"/enterprises/{w.ent_a.pk}/").content.decode()
    assert f"/enterprises/{w.ent_a.pk}/policy-list.pdf" in page
    assert f"/enterprises/{w.ent_a.pk}/policy-list.docx" in page
    assert f"/payouts/{a.pk}/" in page
    assert f"/payouts/{pending.pk}/" in page
    assert f"/payouts/new/?enterprise={w.ent_a.pk}" in page
    portal = web(w.portal_a).get(f"/enterprises/{w.ent_a.pk}/").content.decode()
    assert f"/payouts/{a.pk}/" in portal
    assert f"/payouts/{pending.pk}/" not in portal  # pending entries are not the portal's business
    assert "/payouts/new/" not in portal


def test_register_from_the_policy_page_preselects_the_policy(payout_world: PayoutWorld) -> None:
    w = payout_world
    page = web(w.staff_a).get(f"/payouts/new/?policy={w.policy.pk}").content.decode()
    assert f'<option value="{w.policy.pk}" selected>' in page


def test_policy_page_links_to_register_a_payout_for_registrars_only(payout_world: PayoutWorld) -> None:
    """The link comes from this app through policies.extensions (the policies app imports no
    payouts): a registrar sees it on a published policy, not on a draft; a leader never."""
    w = payout_world
    page = web(w.staff_a).get(f"/policies/{w.policy.pk}/").content.decode()
    assert f'href="/payouts/new/?policy={w.policy.pk}" id="payout-link"' in page
    page = web(w.city_admin).get(f"/policies/{w.draft.pk}/").content.decode()
    assert 'id="payout-link"' not in page
    response = web(w.leader).get(f"/policies/{w.policy.pk}/")
    assert response.status_code == 200
    assert 'id="eligible-link"' in response.content.decode()
    assert 'id="payout-link"' not in response.content.decode()
