"""Funds verification (issue 15 item 1): 填报 by the county, 核查 by the city with a 到账凭证;
only verified entries count; plausibility rules refuse or flag on entry.

The acceptance case: as the county's staff, 100 亿元 (1 000 000 万) on a lead-stage project of
5 亿 is refused and nothing changes; on a signed project above the total without a reason it is
refused; with a reason it is accepted but reported, and the county's rank in
``targets/progress`` does not move until the city verifies it (then it does).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.projects import services
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.inputs import FundCorrectionInput, FundEntryInput, FundRejectInput, FundVerifyInput
from zhaoyin.projects.models import FundEntry, FundEvidenceFile
from zhaoyin.projects.tests.helpers import PDF_BYTES, MakeProject, api_client, fingerprint, upload
from zhaoyin.projects.tests.test_fund_rollup import assert_consistent
from zhaoyin.targets.models import Target

pytestmark = pytest.mark.django_db

HUNDRED_YI = "1000000"  # 100 亿元 in 万元
SEP30 = dt.date(2026, 9, 30)


def _rank(client: Client, code: str, basis: str = "") -> tuple[int | None, float]:
    query = f"/api/v1/targets/progress?year=2026&indicator=external_funds&as_of=2026-09-30{basis}"
    body = client.get(query).json()
    row = next(r for r in body["items"] if r["org_unit"] == code)
    return row["rank"], row["actual"]


def _slip() -> Any:
    return upload("到账凭证.pdf", PDF_BYTES, "application/pdf")


def test_acceptance_100_yi_is_refused_or_held_until_the_city_verifies(
    make_user: Any, make_project: MakeProject, org_tree: Any, evidence_root: Any
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    admin = make_user(Role.CITY_ADMIN, "city")
    for unit in ("county_a", "county_b"):
        Target.objects.create(year=2026, indicator="external_funds", org_unit=org_tree[unit], value=Decimal(10),
                              unit="亿元")
    # County B is ahead with a verified 1 亿; county A has nothing yet.
    b = make_project("county_b", stage=Stage.SIGNED, total_investment_wan=Decimal("50000"))
    FundEntry.objects.create(project=b, month=dt.date(2026, 3, 1), amount_wan=Decimal("10000"),
                             source="outside_city", verification="verified")
    reader = api_client(make_user(Role.LEADER, "city"))
    assert _rank(reader, "340402") == (2, 0.0)

    lead = make_project("county_a", stage=Stage.LEAD, total_investment_wan=Decimal("50000"))
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.fund_entry_add(acting_user=staff, project=lead,
                                data=FundEntryInput.of(month="2026-03", amount_wan=HUNDRED_YI, source="foreign"))
    assert [e["field"] for e in exc.value.errors] == ["month"]
    assert fingerprint() == before

    signed = make_project("county_a", stage=Stage.SIGNED, total_investment_wan=Decimal("50000"))
    client = api_client(staff)
    url = f"/api/v1/projects/{signed.pk}/funds"
    before = fingerprint()
    refused = client.post(url, {"month": "2026-03", "amount_wan": HUNDRED_YI, "source": "foreign"},
                          content_type="application/json")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["over_total_reason"]
    assert fingerprint() == before

    accepted = client.post(url, {"month": "2026-03", "amount_wan": HUNDRED_YI, "source": "foreign",
                                 "over_total_reason": "含关联方借款"}, content_type="application/json")
    assert accepted.status_code == 201, accepted.content
    body = accepted.json()
    assert (body["verification"], sorted(body["flags"])) == ("reported", ["month_share", "over_total"])
    assert _rank(reader, "340402") == (2, 0.0)  # reported only: the rank does not move
    assert _rank(reader, "340402", "&basis=reported") == (2, 100.0)  # the switch shows it, unranked
    assert_consistent()

    # The county cannot verify (403, its role), nor can the city verify what it entered itself.
    entry_id = body["id"]
    verify_url = f"/api/v1/projects/{signed.pk}/funds/{entry_id}/verify"
    assert client.post(verify_url, {"evidence_kind": "bank_slip", "files": [_slip()]}).status_code == 403
    verified = api_client(admin).post(verify_url, {"evidence_kind": "bank_slip", "note": "已核", "files": [_slip()]})
    assert verified.status_code == 200, verified.content
    assert verified.json()["verification"] == "verified"
    assert len(verified.json()["files"]) == 1
    assert _rank(reader, "340402") == (1, 100.0)  # now it counts
    assert_consistent()


def test_verify_rules_four_eyes_files_and_state(
    make_user: Any, make_project: MakeProject, evidence_root: Any
) -> None:
    admin = make_user(Role.CITY_ADMIN, "city")
    other_admin = make_user(Role.CITY_ADMIN, "city")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("1000"))
    own = services.fund_entry_add(acting_user=admin, project=project,
                                  data=FundEntryInput.of(month="2026-02", amount_wan="100", source="foreign"))
    with pytest.raises(PermissionDenied):  # the one who entered it never verifies it (the denial is audited)
        services.fund_entry_verify(acting_user=admin, entry=own, data=FundVerifyInput.of(evidence_kind="bank_slip"),
                                   files=[_slip()])
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:  # no proof of arrival
        services.fund_entry_verify(acting_user=other_admin, entry=own,
                                   data=FundVerifyInput.of(evidence_kind="bank_slip"), files=[])
    assert [e["field"] for e in exc.value.errors] == ["files"]
    with pytest.raises(InvalidInput) as exc:  # not a PDF or image by its bytes
        services.fund_entry_verify(acting_user=other_admin, entry=own,
                                   data=FundVerifyInput.of(evidence_kind="bank_slip"),
                                   files=[upload("slip.pdf", b"MZ\x90\x00 not a pdf")])
    assert [e["field"] for e in exc.value.errors] == ["files"]
    with pytest.raises(InvalidInput) as exc:
        FundVerifyInput.of(evidence_kind="photo")
    assert [e["field"] for e in exc.value.errors] == ["evidence_kind"]
    assert fingerprint() == before
    assert not FundEvidenceFile.objects.exists()
    services.fund_entry_verify(acting_user=other_admin, entry=own,
                               data=FundVerifyInput.of(evidence_kind="capital_verification"), files=[_slip()])
    with pytest.raises(Conflict):  # verified once
        services.fund_entry_verify(acting_user=other_admin, entry=own,
                                   data=FundVerifyInput.of(evidence_kind="bank_slip"), files=[_slip()])
    assert_consistent()


def test_reject_keeps_the_history_and_the_county_enters_the_month_again(
    make_user: Any, make_project: MakeProject, evidence_root: Any
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    admin = make_user(Role.CITY_ADMIN, "city")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("1000"))
    entry = services.fund_entry_add(acting_user=staff, project=project,
                                    data=FundEntryInput.of(month="2026-02", amount_wan="300", source="foreign"))
    with pytest.raises(InvalidInput) as exc:
        FundRejectInput.of(reason="  ")
    assert [e["field"] for e in exc.value.errors] == ["reason"]
    with pytest.raises(PermissionDenied):
        services.fund_entry_reject(acting_user=staff, entry=entry, data=FundRejectInput.of(reason="x"))
    services.fund_entry_reject(acting_user=admin, entry=entry, data=FundRejectInput.of(reason="凭证金额不符"))
    entry.refresh_from_db()
    assert (entry.verification, entry.verification_note) == ("rejected", "凭证金额不符")
    assert entry.superseded_at is not None
    assert_consistent()
    again = services.fund_entry_add(acting_user=staff, project=project,
                                    data=FundEntryInput.of(month="2026-02", amount_wan="280", source="foreign"))
    assert again.replaces_id == entry.pk
    # A correction of a verified entry starts again as reported (checked again).
    services.fund_entry_verify(acting_user=admin, entry=again, data=FundVerifyInput.of(evidence_kind="bank_slip"),
                               files=[_slip()])
    again.refresh_from_db()
    corrected = services.fund_entry_correct(acting_user=staff, entry=again,
                                            data=FundCorrectionInput.of(amount_wan="290", note="更正"))
    assert corrected.verification == "reported"
    assert_consistent()
    # The history shows the returned entry with its reason, the queue lists the correction.
    page = api_client(staff).get(f"/api/v1/projects/{project.pk}").json()
    assert [(f["amount_wan"], f["verification"]) for f in page["funds"]] == [("290.00", "reported")]
    from zhaoyin.projects.selectors import funds_to_verify

    assert list(funds_to_verify(admin)) == [corrected]
    # Four eyes in the queue too: an entry the verifier entered is not offered to it.
    own = services.fund_entry_add(acting_user=admin, project=project,
                                  data=FundEntryInput.of(month="2026-03", amount_wan="10", source="foreign"))
    assert list(funds_to_verify(admin)) == [corrected]
    assert own in list(funds_to_verify(make_user(Role.CITY_ADMIN, "city")))


def test_month_share_flag_is_a_setting(make_user: Any, make_project: MakeProject, settings: Any) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("1000"))
    settings.ZHAOYIN_FUNDS_MONTH_SHARE_FLAG = "0.2"
    flagged = services.fund_entry_add(acting_user=staff, project=project,
                                      data=FundEntryInput.of(month="2026-02", amount_wan="300", source="foreign"))
    assert flagged.flags == ["month_share"]
    settings.ZHAOYIN_FUNDS_MONTH_SHARE_FLAG = "0.5"
    calm = services.fund_entry_add(acting_user=staff, project=project,
                                   data=FundEntryInput.of(month="2026-03", amount_wan="300", source="foreign"))
    assert calm.flags == []


def test_queue_page_filters_and_verify_page(make_user: Any, make_project: MakeProject, evidence_root: Any) -> None:
    from zhaoyin.projects.tests.helpers import web_client

    staff = make_user(Role.STAFF, "county_a")
    admin = make_user(Role.CITY_ADMIN, "city")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("1000"))
    entry = services.fund_entry_add(acting_user=staff, project=project,
                                    data=FundEntryInput.of(month="2026-02", amount_wan="600", source="foreign"))
    client = web_client(admin)
    assert project.code in client.get("/projects/funds/to-verify/?flagged=1").content.decode()
    assert project.code not in client.get("/projects/funds/to-verify/?flagged=0").content.decode()
    assert project.code not in client.get("/projects/funds/to-verify/?month=2026-03").content.decode()
    assert client.get("/projects/funds/to-verify/?month=2026-13").status_code == 400
    assert web_client(staff).get("/projects/funds/to-verify/").status_code == 403
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="fund-verify-form"' in detail
    response = client.post(f"/projects/{project.pk}/funds/verify/",
                           {"entry": str(entry.pk), "evidence_kind": "bank_slip", "evidence": _slip()})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.verification == "verified"
    file_id = entry.files.get().pk
    assert client.get(f"/projects/funds/evidence/{file_id}/").status_code == 200


def test_month_import_applies_the_rules_per_row(make_user: Any, make_project: MakeProject) -> None:
    from zhaoyin.projects.funds_import import funds_month_import
    from zhaoyin.projects.tests.test_funds_import import workbook

    staff = make_user(Role.STAFF, "county_a")
    lead = make_project(stage=Stage.LEAD)
    small = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("100"))
    before = fingerprint()
    result = funds_month_import(acting_user=staff, month="2026-02", data=workbook(
        [[lead.code, "10", "市外", ""], [small.code, "101", "市外", ""]]
    ))
    assert not result.committed
    assert sorted((e.row, e.column) for e in result.errors) == [(2, "项目编号"), (3, "金额(万元)")]
    assert fingerprint() == before


def test_verify_and_reject_keep_both_rollup_sums_exact(
    make_user: Any, make_project: MakeProject, evidence_root: Any
) -> None:
    from zhaoyin.projects.models import FundRollup

    staff = make_user(Role.STAFF, "county_a")
    admin = make_user(Role.CITY_ADMIN, "city")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=Decimal("1000"))
    a = services.fund_entry_add(acting_user=staff, project=project,
                                data=FundEntryInput.of(month="2026-02", amount_wan="100.01", source="foreign"))
    b = services.fund_entry_add(acting_user=staff, project=project,
                                data=FundEntryInput.of(month="2026-02", amount_wan="50", source="foreign",
                                                       kind="other"))
    row = FundRollup.objects.get(month=dt.date(2026, 2, 1), source="foreign")
    assert (row.fen, row.entries, row.verified_fen, row.verified_entries) == (15001, 2, 0, 0)
    services.fund_entry_verify(acting_user=admin, entry=a, data=FundVerifyInput.of(evidence_kind="bank_slip"),
                               files=[_slip()])
    services.fund_entry_reject(acting_user=admin, entry=b, data=FundRejectInput.of(reason="无凭证"))
    row.refresh_from_db()
    assert (row.fen, row.entries, row.verified_fen, row.verified_entries) == (10001, 1, 10001, 1)
    a.refresh_from_db()
    services.fund_entry_correct(acting_user=staff, entry=a, data=FundCorrectionInput.of(amount_wan="90", note="更正"))
    row.refresh_from_db()
    assert (row.fen, row.entries, row.verified_fen, row.verified_entries) == (9000, 1, 0, 0)
    assert_consistent()
