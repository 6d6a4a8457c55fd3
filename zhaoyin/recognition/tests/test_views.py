"""The recognition pages: the staff queue (scoped, filtered, with state counts), the detail with
its steps and objections, the rule-set pages, the publicity list and its export, and the talent
portal (apply with documents, follow the status; never the internal fields)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from zhaoyin.accounts.models import User
from zhaoyin.recognition import services
from zhaoyin.recognition.models import Recognition, RecognitionFile, TierRuleSet
from zhaoyin.recognition.tests.fixtures import RULES, RecWorld, rec_world_fixture, step

pytestmark = pytest.mark.django_db
rec_world = rec_world_fixture

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def web(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def _on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(services, "today", lambda: day)


# ---- the staff queue and detail -----------------------------------------------------------------


def test_AC_03_the_queue_lists_the_county_s_applications_only_with_counts(rec_world: RecWorld) -> None:
    w = rec_world
    w.apply(w.talent_a)
    w.apply(w.talent_b, tier="C")
    page = web(w.admin_a).get("/recognition/").content.decode()
    assert w.talent_a.name in page
    assert w.talent_b.name not in page
    office = web(w.office).get("/recognition/?state=first_review").content.decode()
    assert w.talent_a.name in office
    assert w.talent_b.name in office
    assert 'id="recognition-counts"' in office


def test_a_bad_filter_is_named_and_lists_nothing(rec_world: RecWorld) -> None:
    rec_world.apply()
    response = web(rec_world.office).get("/recognition/?year=abc")
    assert response.status_code == 400
    assert rec_world.talent_a.name not in response.content.decode()


def test_AC_03_another_county_s_application_is_404(rec_world: RecWorld) -> None:
    r = rec_world.apply(rec_world.talent_b, tier="C")
    assert web(rec_world.admin_a).get(f"/recognition/{r.pk}/").status_code == 404
    assert web(rec_world.admin_a).post(f"/recognition/{r.pk}/first_pass/", {"version": r.version}).status_code == 404
    assert web(rec_world.admin_b).get(f"/recognition/{r.pk}/").status_code == 200


def test_the_detail_shows_the_steps_the_user_may_take_and_the_rules_verdicts(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply()
    page = web(w.admin_a).get(f"/recognition/{r.pk}/").content.decode()
    assert 'id="action-first_pass"' in page
    assert 'id="action-first_return"' in page
    assert 'id="verdict-B"' in page
    assert "<svg" in page
    office_page = web(w.office).get(f"/recognition/{r.pk}/").content.decode()
    assert 'id="action-first_pass"' not in office_page


def test_a_step_through_the_page_and_a_missing_reason_names_the_field(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply()
    client = web(w.admin_a)
    refused = client.post(f"/recognition/{r.pk}/first_return/", {"version": r.version, "note": ""})
    assert refused.status_code == 400
    assert "<code>note</code>" in refused.content.decode()
    r.refresh_from_db()
    assert (r.state, r.version) == ("first_review", 1)
    done = client.post(f"/recognition/{r.pk}/first_pass/", {"version": r.version, "note": "材料齐全"})
    assert done.status_code == 302
    r.refresh_from_db()
    assert (r.state, r.first_note, r.first_reviewer_id) == ("second_review", "材料齐全", w.admin_a.pk)


def test_a_stale_version_on_the_page_is_409_and_changes_nothing(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply()
    response = web(w.admin_a).post(f"/recognition/{r.pk}/first_pass/", {"version": r.version + 1})
    assert response.status_code == 409
    r.refresh_from_db()
    assert r.state == "first_review"


def test_the_office_records_and_answers_an_objection_on_the_page(
    rec_world: RecWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = rec_world
    _on(monkeypatch, dt.date(2026, 3, 2))
    r = w.apply()
    step(r, "first_pass", w.admin_a)
    r = step(r, "second_pass", w.office)
    client = web(w.office)
    bad = client.post(f"/recognition/{r.pk}/objections/", {"text": "学历存疑", "received_on": "2026-02-01",
                                                          "version": r.version})
    assert bad.status_code == 400
    assert "<code>received_on</code>" in bad.content.decode()
    assert not r.objections.exists()
    ok = client.post(f"/recognition/{r.pk}/objections/", {"text": "学历存疑", "received_on": "2026-03-02",
                                                         "version": r.version})
    assert ok.status_code == 302
    objection = r.objections.get()
    r.refresh_from_db()
    answered = client.post(f"/recognition/{r.pk}/objections/{objection.pk}/answer/",
                           {"answer": "经核实属实", "version": r.version})
    assert answered.status_code == 302
    objection.refresh_from_db()
    assert objection.answer == "经核实属实"


def test_the_publicity_list_and_its_export(rec_world: RecWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = rec_world
    _on(monkeypatch, dt.date(2026, 3, 2))
    r = w.apply()
    step(r, "first_pass", w.admin_a)
    step(r, "second_pass", w.office)
    page = web(w.office).get("/recognition/publicity/").content.decode()
    assert w.talent_a.name in page
    assert "2026-03-09" in page
    response = web(w.office).get("/recognition/publicity/export/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    values = list(rows[1])
    assert w.talent_a.name in values
    assert "2026-03-09" in values


# ---- rule sets ----------------------------------------------------------------------------------


def test_a_rule_that_does_not_parse_stays_on_the_form_naming_its_place(rec_world: RecWorld) -> None:
    bad = [RULES[0], {"tier": "B", "tree": {"field": "education", "op": "eq", "value": "phd"}}]
    client = web(rec_world.office)
    response = client.post("/recognition/rules/new/", {"year": "2027", "publicity_days": "5", "valid_years": "3",
                                                        "rules": json.dumps(bad)})
    assert response.status_code == 400
    assert "rules[1].tree.value" in response.content.decode()
    assert not TierRuleSet.objects.filter(year=2027).exists()
    not_json = client.post("/recognition/rules/new/", {"year": "2027", "rules": "[{"})
    assert not_json.status_code == 400
    assert "<code>rules</code>" in not_json.content.decode()
    ok = client.post("/recognition/rules/new/", {"year": "2027", "publicity_days": "7", "valid_years": "3",
                                                  "rules": json.dumps(RULES)})
    assert ok.status_code == 302
    created = TierRuleSet.objects.get(year=2027)
    assert (created.status, created.publicity_days, created.rules.count()) == ("draft", 7, 4)
    activated = client.post(f"/recognition/rules/{created.pk}/activate/", {"version": created.version})
    assert activated.status_code == 302
    created.refresh_from_db()
    assert created.status == "active"


def test_rule_pages_are_read_by_units_and_written_by_the_office_only(rec_world: RecWorld) -> None:
    w = rec_world
    unit = web(w.admin_a)
    assert unit.get("/recognition/rules/").status_code == 200
    page = unit.get(f"/recognition/rules/{w.rule_set.pk}/?talent={w.talent_a.pk}").content.decode()
    assert 'id="suggested-tier"' in page
    assert "<strong>B</strong>" in page
    assert unit.get(f"/recognition/rules/{w.rule_set.pk}/?talent={w.talent_b.pk}").status_code == 400
    assert unit.get("/recognition/rules/new/").status_code == 403
    assert unit.post("/recognition/rules/new/", {"year": "2027", "rules": json.dumps(RULES)}).status_code == 403
    assert not TierRuleSet.objects.filter(year=2027).exists()


def test_an_active_rule_set_is_not_edited(rec_world: RecWorld) -> None:
    w = rec_world
    response = web(w.office).post(f"/recognition/rules/{w.rule_set.pk}/edit/", {
        "note": "x", "rules": json.dumps(RULES), "version": w.rule_set.version,
    })
    assert response.status_code == 409
    w.rule_set.refresh_from_db()
    assert w.rule_set.note == ""


# ---- the talent portal --------------------------------------------------------------------------


def test_the_talent_applies_with_a_document_and_follows_the_status(rec_world: RecWorld) -> None:
    w = rec_world
    client = web(w.portal)
    assert 'id="my-apply"' in client.get("/recognition/mine/").content.decode()
    response = client.post("/recognition/mine/apply/", {
        "claimed_tier": "D", "statement": "本科，社保一年",
        "files": [SimpleUploadedFile("degree.pdf", PDF, content_type="application/pdf")],
    })
    assert response.status_code == 302, response.content
    r = Recognition.objects.get(talent=w.talent_own)
    assert (r.state, r.suggested_tier, r.applied_by_id) == ("first_review", "D", w.portal.pk)
    stored = RecognitionFile.objects.get(recognition=r)
    assert client.get(f"/recognition/mine/files/{stored.pk}/").status_code == 200
    # The other talent sees neither the application nor its document.
    other = web(w.other_portal)
    assert other.get(f"/recognition/mine/{r.pk}/").status_code == 404
    assert other.get(f"/recognition/mine/files/{stored.pk}/").status_code == 404


def test_a_bad_upload_names_the_files_field_and_saves_nothing(rec_world: RecWorld) -> None:
    w = rec_world
    response = web(w.portal).post("/recognition/mine/apply/", {
        "claimed_tier": "D", "files": [SimpleUploadedFile("degree.pdf", b"<html>not a pdf</html>")],
    })
    assert response.status_code == 400
    assert "<code>files</code>" in response.content.decode()
    assert not Recognition.objects.filter(talent=w.talent_own).exists()
    no_tier = web(w.portal).post("/recognition/mine/apply/", {"claimed_tier": "Z"})
    assert no_tier.status_code == 400
    assert "<code>claimed_tier</code>" in no_tier.content.decode()
    assert not Recognition.objects.filter(talent=w.talent_own).exists()


def test_the_portal_never_shows_the_first_review_note_or_the_reviewer(
    rec_world: RecWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = rec_world
    _on(monkeypatch, dt.date(2026, 3, 2))
    r = w.apply(w.talent_own, by=w.portal, tier="D")
    w.admin_a.full_name = "审核员甲"
    w.admin_a.save()
    step(r, "first_pass", w.admin_a, note="内部意见：学历需复核")
    r = step(r, "second_pass", w.office, note="复审内部意见")
    page = web(w.portal).get(f"/recognition/mine/{r.pk}/").content.decode()
    assert "内部意见" not in page
    assert "复审内部意见" not in page
    assert "审核员甲" not in page
    assert w.admin_a.username not in page
    assert 'id="my-deadline"' in page
    assert "2026年3月9日" in page  # dates people read: DATE_FORMAT (issue 16)
    # The internal page is not the talent's.
    assert web(w.portal).get(f"/recognition/{r.pk}/").status_code == 403


def test_the_talent_withdraws_their_own_application(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply(w.talent_own, by=w.portal, tier="D")
    assert web(w.other_portal).post(f"/recognition/mine/{r.pk}/withdraw/", {"version": r.version}).status_code == 404
    response = web(w.portal).post(f"/recognition/mine/{r.pk}/withdraw/", {"version": r.version})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.state == "withdrawn"


def test_the_notice_link_opens_the_right_page(rec_world: RecWorld) -> None:
    w = rec_world
    r = w.apply(w.talent_own, by=w.portal, tier="D")
    assert web(w.portal).get(f"/recognition/{r.pk}/open/")["Location"] == f"/recognition/mine/{r.pk}/"
    assert web(w.admin_a).get(f"/recognition/{r.pk}/open/")["Location"] == f"/recognition/{r.pk}/"
    assert web(w.admin_b).get(f"/recognition/{r.pk}/open/").status_code == 404
