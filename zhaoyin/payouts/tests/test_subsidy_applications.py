"""人才补贴申请 (issue 13 item 9): a talent applies for a scheduled subsidy with documents in the
portal, staff accept it (the schedule's due entries are written in the same transaction),
return it for more documents or reject it; every bad input is refused naming its field with
nothing changed; out of scope is 404; notices and 我的待办 follow the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import refused
from zhaoyin.matching.tests.support import api_client, web_client
from zhaoyin.matching.tests.talent_support import DOCTOR_TREE, make_talent_policy
from zhaoyin.notifications.models import Notification
from zhaoyin.payouts import applications
from zhaoyin.payouts.application_todo import SubsidyApplicationTodo
from zhaoyin.payouts.inputs import SubsidyApplicationActionInput, SubsidyApplyInput
from zhaoyin.payouts.models import (
    Payout,
    PayoutStatus,
    SubsidyApplication,
    SubsidyApplicationFile,
    SubsidySchedule,
)
from zhaoyin.talents.models import Education, Talent
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db
Commit = Callable[..., Any]
TODAY = timezone.localdate()
#: A small but complete PDF (header, one empty page, cross-reference table, trailer).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
    b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
    b"startxref\n164\n%%EOF\n"
)
HTML = b"<html><script>alert(1)</script></html>"


def _pdf(name: str = "学历证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _facts(**more: Any) -> dict[str, Any]:
    return {
        "birth": dt.date(1991, 3, 1), "arrival_date": dt.date(2024, 1, 1), "employer_name": "淮南市监测研究院",
        "contract_start": dt.date(2024, 1, 1), "contract_end": TODAY.replace(year=TODAY.year + 3), **more,
    }


@pytest.fixture
def w(org_tree: dict[str, OrgUnit], make_user: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """A 博士生活补贴 (36 × 0.3 万元 monthly); a doctor with a portal account (eligible), a doctor
    whose arrival is unknown (possible), a master (ineligible), county B's doctor; reviewers."""
    settings.DATA_DIR = str(tmp_path)
    living = make_talent_policy(org_tree["city"], DOCTOR_TREE)
    SubsidySchedule.objects.create(policy=living, frequency="monthly", instalments=36, amount_wan=Decimal("0.30"))
    portal = make_user(Role.TALENT)
    other_portal = make_user(Role.TALENT)
    doctor = make_talent(org_unit=org_tree["county_a"], name="甲县博士", education=Education.DOCTORATE,
                         account=portal, **_facts())
    unknown = make_talent(org_unit=org_tree["county_a"], name="甲县博士待补", education=Education.DOCTORATE,
                          account=other_portal, **_facts(arrival_date=None))
    master = make_talent(org_unit=org_tree["county_a"], name="甲县硕士", education=Education.MASTER, **_facts())
    far = make_talent(org_unit=org_tree["county_b"], name="乙县博士", education=Education.DOCTORATE, **_facts())
    return {
        "living": living, "doctor": doctor, "unknown": unknown, "master": master, "far": far,
        "portal": portal, "other_portal": other_portal,
        "office": make_user(Role.TALENT_OFFICE), "admin": make_user(Role.CITY_ADMIN),
        "staff_a": make_user(Role.STAFF, "county_a"), "staff_b": make_user(Role.STAFF, "county_b"),
        "leader": make_user(Role.LEADER),
    }


def _apply(user: Any, policy: Any, *, talent: Talent | None = None, files: list[Any] | None = None,
           statement: str = "") -> SubsidyApplication:
    data = SubsidyApplyInput.parse({"policy": policy.pk, "talent": talent.pk if talent else None,
                                    "statement": statement})
    return applications.subsidy_apply(acting_user=user, data=data, uploads=files_core.read_uploads(files))


def _act(user: Any, application: SubsidyApplication, action: str, files: list[Any] | None = None,
         **data: Any) -> SubsidyApplication:
    body = SubsidyApplicationActionInput.parse({"version": application.version, **data})
    return applications.subsidy_application_transition(
        acting_user=user, application=application, action=action, data=body,
        uploads=files_core.read_uploads(files),
    )


# ---- the path ---------------------------------------------------------------------------------------


def test_the_talent_applies_with_a_pdf_in_the_portal_and_acceptance_starts_the_schedule(w: dict[str, Any]) -> None:
    talent_web = web_client(w["portal"])
    page = talent_web.get(f"/payouts/applications/apply/{w['living'].pk}/")
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()
    response = talent_web.post(
        f"/payouts/applications/apply/{w['living'].pk}/",
        {"statement": "博士学位，2024年来淮", "documents": [_pdf()]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    application = SubsidyApplication.objects.get()
    assert (application.talent, application.state, application.verdict) == (w["doctor"], "submitted", "eligible")
    stored = SubsidyApplicationFile.objects.get()
    assert (stored.content_type, stored.size, stored.original_name) == ("application/pdf", len(PDF), "学历证明.pdf")
    assert AuditRecord.objects.filter(action="subsidy_application.apply").count() == 1

    mine = talent_web.get("/payouts/applications/mine/").content.decode()
    assert "博士研究生生活补贴" in mine
    assert "学历证明.pdf" in mine
    download = talent_web.get(f"/payouts/applications/{application.pk}/files/{stored.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]

    staff_web = web_client(w["staff_a"])
    detail = staff_web.get(f"/payouts/applications/{application.pk}/").content.decode()
    assert 'id="action-accept"' in detail
    assert "学历证明.pdf" in detail
    month = f"{TODAY:%Y-%m}"
    accepted = staff_web.post(f"/payouts/applications/{application.pk}/accept/",
                              {"version": application.version, "first_period": month, "note": "材料齐全"})
    assert accepted.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.first_period, application.decided_by) == ("accepted", month, w["staff_a"])
    entries = Payout.objects.filter(talent=w["doctor"], policy=w["living"]).order_by("period")
    assert entries.count() == 36
    assert entries.first().period == month  # type: ignore[union-attr]
    assert {e.status for e in entries} == {PayoutStatus.DUE}
    assert {e.registered_by_id for e in entries} == {w["staff_a"].pk}
    # The talent reads the decision, never the internal note.
    mine = talent_web.get("/payouts/applications/mine/").content.decode()
    assert month in mine
    assert "材料齐全" not in mine
    assert "材料齐全" in staff_web.get(f"/payouts/applications/{application.pk}/").content.decode()


def test_the_talent_policies_page_offers_apply_for_scheduled_policies(w: dict[str, Any]) -> None:
    page = web_client(w["portal"]).get(f"/talents/{w['doctor'].pk}/policies/").content.decode()
    assert f"/payouts/applications/apply/{w['living'].pk}/" in page
    _apply(w["portal"], w["living"])
    page = web_client(w["portal"]).get(f"/talents/{w['doctor'].pk}/policies/").content.decode()
    assert f"/payouts/applications/apply/{w['living'].pk}/" not in page
    assert "/payouts/applications/mine/#application-" in page


def test_a_possible_verdict_may_apply_and_acceptance_then_needs_eligibility_now(w: dict[str, Any]) -> None:
    application = _apply(w["other_portal"], w["living"], statement="来淮时间见劳动合同")
    assert application.verdict == "possible"
    with refused(InvalidInput, fields=["talent"]) as info:
        _act(w["office"], application, "accept")
    assert "not eligible" in info.value.errors[0]["message"] or "不符合" in info.value.errors[0]["message"]
    application.refresh_from_db()
    assert application.state == "submitted"
    assert not Payout.objects.exists()


# ---- bad input: named, nothing changed --------------------------------------------------------------


def test_an_ineligible_talent_is_refused_naming_policy(w: dict[str, Any], make_user: Any) -> None:
    master_portal = make_user(Role.TALENT)
    Talent.objects.filter(pk=w["master"].pk).update(account=master_portal)
    with refused(InvalidInput, fields=["policy"]) as info:
        _apply(master_portal, w["living"])
    assert info.value.errors[0]["message"]
    response = api_client(master_portal).post(
        "/api/v1/me/subsidy-applications", {"policy": w["living"].pk}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "policy"
    assert not SubsidyApplication.objects.exists()


def test_a_file_that_is_not_what_it_claims_is_refused_by_its_bytes(w: dict[str, Any]) -> None:
    fake = SimpleUploadedFile("学历证明.pdf", HTML, content_type="application/pdf")
    with refused(InvalidInput, fields=["files"]):
        _apply(w["portal"], w["living"], files=[fake])
    fake.seek(0)
    response = web_client(w["portal"]).post(f"/payouts/applications/apply/{w['living'].pk}/",
                                            {"documents": [fake]})
    assert response.status_code == 400
    assert "学历证明.pdf" in response.content.decode()
    assert not SubsidyApplication.objects.exists()
    assert not SubsidyApplicationFile.objects.exists()


def test_a_second_open_application_is_409_naming_policy(w: dict[str, Any]) -> None:
    _apply(w["portal"], w["living"])
    with refused(Conflict, fields=["policy"]):
        _apply(w["portal"], w["living"])
    response = api_client(w["portal"]).post("/api/v1/me/subsidy-applications", {"policy": w["living"].pk},
                                            content_type="application/json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "policy"
    assert SubsidyApplication.objects.count() == 1


def test_a_policy_already_in_the_ledger_is_409_naming_policy(w: dict[str, Any]) -> None:
    Payout.objects.create(policy=w["living"], talent=w["doctor"], period="2025-01", amount_wan=Decimal("0.30"),
                          status=PayoutStatus.DUE, org_unit=w["doctor"].org_unit)
    with refused(Conflict, fields=["policy"]):
        _apply(w["portal"], w["living"])


def test_policies_that_take_no_application_are_refused_naming_policy(w: dict[str, Any], org_tree: Any) -> None:
    unscheduled = make_talent_policy(org_tree["city"], DOCTOR_TREE, title="无发放计划的政策")
    for pk in (unscheduled.pk, 999_999):
        with refused(InvalidInput, fields=["policy"]):
            _apply(w["portal"], type("P", (), {"pk": pk})())
    assert web_client(w["portal"]).get(f"/payouts/applications/apply/{unscheduled.pk}/").status_code == 404


def test_stale_version_and_wrong_state_are_409(w: dict[str, Any]) -> None:
    application = _apply(w["portal"], w["living"])
    stale = SubsidyApplicationActionInput.parse({"version": application.version + 1, "reason": "x"})
    with refused(Conflict):
        applications.subsidy_application_transition(acting_user=w["office"], application=application,
                                                    action="return", data=stale)
    _act(w["office"], application, "reject", reason="不符合条件")
    application.refresh_from_db()
    with refused(Conflict):
        _act(w["office"], application, "accept")
    response = api_client(w["office"]).post(
        f"/api/v1/subsidy-applications/{application.pk}/actions/return",
        {"version": application.version, "reason": "补材料"}, content_type="application/json")
    assert response.status_code == 409


def test_return_and_reject_need_a_reason(w: dict[str, Any]) -> None:
    application = _apply(w["portal"], w["living"])
    for action in ("return", "reject"):
        with refused(InvalidInput, fields=["reason"]):
            _act(w["office"], application, action)
    response = web_client(w["office"]).post(f"/payouts/applications/{application.pk}/return/",
                                            {"version": application.version})
    assert response.status_code == 400
    assert "须填写原因" in response.content.decode()
    application.refresh_from_db()
    assert application.state == "submitted"
    assert application.version == 1


def test_return_then_resubmit_with_more_documents(w: dict[str, Any]) -> None:
    application = _apply(w["portal"], w["living"], files=[_pdf()])
    _act(w["staff_a"], application, "return", reason="请补充劳动合同", note="内部：合同缺页")
    application.refresh_from_db()
    assert application.state == "returned"
    assert application.reason == "请补充劳动合同"
    talent_web = web_client(w["portal"])
    mine = talent_web.get("/payouts/applications/mine/").content.decode()
    assert "请补充劳动合同" in mine
    assert "合同缺页" not in mine
    assert 'id="resubmit-' in mine
    bad = SimpleUploadedFile("劳动合同.pdf", HTML)
    response = talent_web.post(f"/payouts/applications/mine/{application.pk}/resubmit/",
                               {"version": application.version, "documents": [bad]})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.state == "returned"
    assert application.files.count() == 1
    response = talent_web.post(f"/payouts/applications/mine/{application.pk}/resubmit/",
                               {"version": application.version, "statement": "已补充",
                                "documents": [_pdf("劳动合同.pdf")]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.statement, application.files.count()) == ("submitted", "已补充", 2)


def test_the_talent_withdraws_and_a_reviewer_may_not(w: dict[str, Any]) -> None:
    application = _apply(w["portal"], w["living"])
    with refused(PermissionDenied):
        _act(w["office"], application, "withdraw")
    response = api_client(w["portal"]).post(f"/api/v1/me/subsidy-applications/{application.pk}/actions/withdraw",
                                            {"version": application.version}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    # Withdrawn is closed: the talent may apply again.
    assert _apply(w["portal"], w["living"]).state == "submitted"


def test_staff_apply_on_behalf_of_a_talent_of_their_scope_only(w: dict[str, Any]) -> None:
    with refused(InvalidInput, fields=["talent"]):
        _apply(w["staff_a"], w["living"], talent=w["far"])
    with refused(PermissionDenied):
        _apply(w["leader"], w["living"], talent=w["doctor"])
    made = _apply(w["staff_a"], w["living"], talent=w["doctor"], files=[_pdf()])
    assert made.applied_by == w["staff_a"]
    response = api_client(w["staff_b"]).post("/api/v1/subsidy-applications",
                                             {"policy": w["living"].pk, "talent": w["doctor"].pk},
                                             content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "talent"


# ---- scope -------------------------------------------------------------------------------------------


def test_out_of_scope_applications_are_404_for_staff(w: dict[str, Any]) -> None:
    application = _apply(w["portal"], w["living"], files=[_pdf()])
    stored = application.files.get()
    web, api = web_client(w["staff_b"]), api_client(w["staff_b"])
    assert web.get(f"/payouts/applications/{application.pk}/").status_code == 404
    assert web.get(f"/payouts/applications/{application.pk}/files/{stored.pk}/").status_code == 404
    assert web.post(f"/payouts/applications/{application.pk}/accept/",
                    {"version": application.version}).status_code == 404
    assert api.get(f"/api/v1/subsidy-applications/{application.pk}").status_code == 404
    assert api.post(f"/api/v1/subsidy-applications/{application.pk}/actions/accept", {},
                    content_type="application/json").status_code == 404
    assert api.get("/api/v1/subsidy-applications").json()["count"] == 0
    application.refresh_from_db()
    assert application.state == "submitted"
    assert not Payout.objects.exists()


def test_another_talents_application_is_404_for_a_talent(w: dict[str, Any]) -> None:
    application = _apply(w["portal"], w["living"], files=[_pdf()])
    stored = application.files.get()
    web, api = web_client(w["other_portal"]), api_client(w["other_portal"])
    assert web.get(f"/payouts/applications/{application.pk}/files/{stored.pk}/").status_code == 404
    assert web.post(f"/payouts/applications/mine/{application.pk}/withdraw/",
                    {"version": application.version}).status_code == 404
    assert api.post(f"/api/v1/me/subsidy-applications/{application.pk}/actions/withdraw", {},
                    content_type="application/json").status_code == 404
    assert api.get("/api/v1/me/subsidy-applications").json() == []
    assert "甲县博士" not in web.get("/payouts/applications/mine/").content.decode().replace("甲县博士待补", "")
    # The staff routes are not the talent's (403), whatever the id.
    assert web.get(f"/payouts/applications/{application.pk}/").status_code == 403
    application.refresh_from_db()
    assert application.state == "submitted"


def test_the_portal_api_never_carries_internal_fields(w: dict[str, Any]) -> None:
    application = _apply(w["portal"], w["living"])
    _act(w["office"], application, "return", reason="补材料", note="内部备注")
    mine = api_client(w["portal"]).get("/api/v1/me/subsidy-applications").json()
    assert mine[0]["reason"] == "补材料"
    assert "staff_note" not in mine[0]
    assert "decided_by" not in mine[0]
    assert "内部备注" not in str(mine)
    staff = api_client(w["office"]).get(f"/api/v1/subsidy-applications/{application.pk}").json()
    assert staff["staff_note"] == "内部备注"
    assert staff["talent"]["id"] == w["doctor"].pk


def test_the_api_path_accepts_and_starts_the_schedule(w: dict[str, Any]) -> None:
    created = api_client(w["portal"]).post("/api/v1/me/subsidy-applications",
                                           {"policy": w["living"].pk, "statement": "申请"},
                                           content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    accepted = api_client(w["admin"]).post(f"/api/v1/subsidy-applications/{pk}/actions/accept",
                                           {"version": created.json()["version"], "first_period": "2026-01"},
                                           content_type="application/json")
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"
    assert Payout.objects.filter(talent=w["doctor"], policy=w["living"], status="due").count() == 36
    listed = api_client(w["office"]).get("/api/v1/subsidy-applications?state=accepted").json()
    assert [i["id"] for i in listed["items"]] == [pk]
    bad = api_client(w["office"]).get("/api/v1/subsidy-applications?state=nonsense")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "state"


def test_a_wrong_first_period_is_422_and_nothing_changes(w: dict[str, Any]) -> None:
    application = _apply(w["portal"], w["living"])
    with refused(InvalidInput, fields=["first_period"]):
        _act(w["office"], application, "accept", first_period="2026")
    application.refresh_from_db()
    assert application.state == "submitted"
    assert not Payout.objects.exists()


# ---- notices, to-do, list ------------------------------------------------------------------------------


def test_notices_and_the_reviewers_todo(w: dict[str, Any], django_capture_on_commit_callbacks: Commit) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(w["portal"], w["living"])
    told = set(Notification.objects.filter(kind="subsidy_application.submit").values_list("recipient_id", flat=True))
    assert w["office"].pk in told
    assert w["staff_a"].pk in told
    assert w["staff_b"].pk not in told
    assert SubsidyApplicationTodo().counts(w["staff_a"]) == {"subsidy_app_to_review": 1}
    assert SubsidyApplicationTodo().counts(w["staff_b"]) == {}
    assert [i.link for i in SubsidyApplicationTodo().todo(w["office"], limit=10)] == [
        f"/payouts/applications/{application.pk}/"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        _act(w["office"], application, "reject", reason="学历不符")
    note = Notification.objects.get(kind="subsidy_application.reject")
    assert note.recipient == w["portal"]
    assert "学历不符" in note.body
    assert web_client(w["portal"]).get(note.link).status_code == 302
    assert SubsidyApplicationTodo().counts(w["staff_a"]) == {}


def test_the_staff_list_filters_and_takes_a_fixed_number_of_queries(w: dict[str, Any], make_user: Any) -> None:
    def add(n: int) -> None:
        for i in range(n):
            talent = make_talent(org_unit=w["doctor"].org_unit, name=f"批量博士{SubsidyApplication.objects.count()}{i}",
                                 education=Education.DOCTORATE, **_facts())
            _apply(w["office"], w["living"], talent=talent, files=[_pdf()])

    web = web_client(w["staff_a"])
    add(2)
    web.get("/payouts/applications/")
    with CaptureQueriesContext(connection) as few:
        assert web.get("/payouts/applications/").status_code == 200
    add(8)
    with CaptureQueriesContext(connection) as many:
        page = web.get("/payouts/applications/")
    assert len(many) == len(few)
    assert page.content.decode().count("批量博士") == 10
    assert web.get("/payouts/applications/?state=accepted").content.decode().count("批量博士") == 0
    own_unit = web.get(f"/payouts/applications/?unit={w['doctor'].org_unit.code}").content.decode()
    assert own_unit.count("批量博士") == 10
    assert web.get("/payouts/applications/?state=nonsense").status_code == 400
    assert web_client(w["staff_b"]).get("/payouts/applications/").content.decode().count("批量博士") == 0


def test_the_demo_talent_has_one_submitted_application(load_demo: Any) -> None:
    load_demo(2026)
    from zhaoyin.demo.services import LoadResult
    from zhaoyin.demo.talentpolicy_demo import talentpolicy_ensure

    mine = SubsidyApplication.objects.filter(talent__account__username="demo_talent")
    assert [a.state for a in mine] == ["submitted"]
    application = mine.get()
    assert not Payout.objects.filter(talent=application.talent, policy=application.policy).exists()
    assert SubsidySchedule.objects.filter(policy=application.policy).exists()
    talentpolicy_ensure(year=2026, result=LoadResult())  # a second load adds nothing
    assert mine.count() == 1


def test_the_database_holds_one_open_application_per_talent_and_policy(w: dict[str, Any]) -> None:
    from django.db import IntegrityError, transaction

    first = SubsidyApplication.objects.create(talent=w["doctor"], policy=w["living"], state="submitted")
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyApplication.objects.create(talent=w["doctor"], policy=w["living"], state="returned")
    SubsidyApplication.objects.filter(pk=first.pk).update(state="withdrawn")
    # Closed ones do not count: a new open application is allowed again.
    SubsidyApplication.objects.create(talent=w["doctor"], policy=w["living"], state="submitted")
    assert SubsidyApplication.objects.filter(talent=w["doctor"]).count() == 2


def test_a_lost_race_gets_the_same_409(w: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    _apply(w["portal"], w["living"])
    # The service's own check sees no open application (as a concurrent one not yet committed):
    # the constraint refuses the insert and the answer is the same 409 naming the policy.
    monkeypatch.setattr(applications, "OPEN_APPLICATION_STATES", ())
    with refused(Conflict, fields=["policy"]):
        _apply(w["portal"], w["living"])


def test_the_staff_list_export_is_the_filtered_pages_rows(w: dict[str, Any]) -> None:
    """Issue 16 item 2: the export holds the page's rows under the same filter (every page),
    with the documents counted as the page counts them; scoped; audited; Chinese file name."""
    import io
    import json
    from urllib.parse import quote

    import openpyxl

    for i in range(3):
        talent = make_talent(org_unit=w["doctor"].org_unit, name=f"导出博士{i}", education=Education.DOCTORATE,
                             **_facts())
        _apply(w["office"], w["living"], talent=talent, files=[_pdf(f"证明{k}.pdf") for k in range(i + 1)])
    web = web_client(w["office"])
    query = f"?unit={w['doctor'].org_unit.code}&page_size=2"
    page = web.get("/payouts/applications/" + query)
    assert f'href="/payouts/applications/export/{query.replace("&", "&amp;")}"' in page.content.decode()
    listed = list(page.context["page_obj"].paginator.object_list)
    assert len(listed) == 3
    response = web.get("/payouts/applications/export/" + query)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "人才"
    assert [r[0] for r in rows[1:]] == [a.talent.name for a in listed]
    counts = {a.pk: a.files.count() for a in listed}
    assert [r[5] for r in rows[1:]] == [counts[a.pk] for a in listed]
    detail = json.loads(AuditRecord.objects.filter(action="subsidy_application.export").latest("id").detail)
    assert detail["rows"] == 3
    assert web_client(w["staff_b"]).get("/payouts/applications/export/").status_code == 200
    assert web.get("/payouts/applications/export/?state=nonsense").status_code == 302
    day = timezone.localdate().isoformat()
    assert quote(f"人才补贴申请_{day}.xlsx") in web.get("/payouts/applications/export/")["Content-Disposition"]
