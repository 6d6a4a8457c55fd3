"""Matrix rows (tests/authz_matrix.py) for talent recognition (人才认定) and the tier rules.

Readers of applications: the city-wide roles, the talent office and the unit roles within
their subtree (county A's unit personas get 404 for county B's); the talent portal user reads
only their own, through ``/recognition/mine/`` and ``/api/v1/me/recognitions`` (the internal
routes answer 403 to them, another talent's application 404). The tier rules are read by every
reader and written by the talent office and the city admin only. A step's route admits the
roles that may hold one of the table's actors; the service then refuses (403, audited) a user
who holds none for that step — the talent office at 初审, for instance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.authz_matrix import MATRIX, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.recognition import services
from zhaoyin.recognition.inputs import ApplyInput
from zhaoyin.recognition.models import Recognition, RecognitionObjection, TierRule, TierRuleSet
from zhaoyin.talents.models import Talent
from zhaoyin.talents.testing import make_talent

READERS = frozenset({Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF})
EDITORS = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE})
OFFICE = EDITORS
APPLICANTS = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF})
TALENT = frozenset({Role.TALENT})
#: County B's applications do not exist for county A's unit personas.
OTHER_COUNTY: dict[Role, Any] = dict.fromkeys(UNIT_SCOPED, 404)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TREE_B = {"field": "education", "op": "eq", "value": "doctorate"}


@world_builder
def recognition(w: World) -> None:
    today = timezone.localdate()
    active = TierRuleSet.objects.create(year=today.year, number=1, status="active", activated_at=timezone.now())
    TierRule.objects.create(rule_set=active, tier="B", label="拔尖人才", tree=TREE_B)
    draft = TierRuleSet.objects.create(year=today.year, number=2, status="draft")
    TierRule.objects.create(rule_set=draft, tier="B", label="拔尖人才", tree=TREE_B)
    w.extra["rec_rule_set"], w.extra["rec_rule_draft"] = active, draft

    county_a, county_b = w.units["county_a"], w.units["county_b"]
    free_a = make_talent(org_unit=county_a, name="矩阵人才甲", education="doctorate")
    talent_a = make_talent(org_unit=county_a, name="矩阵人才乙", education="doctorate")
    talent_b = make_talent(org_unit=county_b, name="矩阵人才丙", education="master")
    talent_p = make_talent(org_unit=county_a, name="矩阵人才丁", education="doctorate")
    free_b = make_talent(org_unit=county_b, name="矩阵人才戊", education="master")
    w.extra["rec_free_a"], w.extra["rec_free_b"] = free_a, free_b

    def recognition_of(talent: Talent, state: str, **fields: Any) -> Recognition:
        return Recognition.objects.create(talent=talent, rule_set=active, state=state, claimed_tier="B",
                                          suggested_tier="B", **fields)

    w.extra["rec_a"] = recognition_of(talent_a, "first_review")
    w.extra["rec_second"] = recognition_of(
        make_talent(org_unit=county_a, name="矩阵人才己", education="doctorate"), "second_review")
    w.extra["rec_closing"] = recognition_of(
        make_talent(org_unit=county_a, name="矩阵人才庚", education="doctorate"), "publicity", tier="B",
        publicity_start=today - dt.timedelta(days=12), publicity_end=today - dt.timedelta(days=1))
    w.extra["rec_withdraw"] = recognition_of(
        make_talent(org_unit=county_a, name="矩阵人才辛", education="doctorate"), "first_review",
        applied_by=w.user(Role.STAFF))
    w.extra["rec_b"] = recognition_of(talent_b, "first_review")
    publicity = recognition_of(talent_p, "publicity", tier="B", publicity_start=today - dt.timedelta(days=3),
                               publicity_end=today + dt.timedelta(days=5))
    w.extra["rec_publicity"] = publicity
    w.extra["rec_objection"] = RecognitionObjection.objects.create(
        recognition=publicity, text="矩阵异议", received_on=today - dt.timedelta(days=1))

    # The talent persona's own record (the talents helper's ``talent_own`` when it is there)
    # and an application under way, with a document, made through the service.
    portal = w.user(Role.TALENT)
    own = Talent.objects.filter(account=portal).first() or make_talent(
        org_unit=county_a, name="矩阵本人", education="bachelor", account=portal)
    w.extra.setdefault("talent_own", own)
    w.extra["rec_own"] = services.recognition_apply(
        acting_user=portal, talent=own, data=ApplyInput.of(claimed_tier="D"),
        files=[SimpleUploadedFile("degree.pdf", PDF, content_type="application/pdf")],
    )
    w.extra["rec_own_file"] = w.extra["rec_own"].files.get()
    # Returned to complete: the talent may resubmit or withdraw it.
    Recognition.objects.filter(pk=w.extra["rec_own"].pk).update(state="returned", return_reason="补充材料")
    w.extra["rec_own"].refresh_from_db()


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _version(key: str) -> Any:
    return lambda w: {"version": w.extra[key].version}


def _rule_form(w: World) -> dict[str, Any]:
    return {"year": str(timezone.localdate().year + 1), "publicity_days": "5", "valid_years": "3",
            "rules": '[{"tier": "B", "tree": {"field": "education", "op": "eq", "value": "doctorate"}}]'}


def _objection(w: World) -> dict[str, Any]:
    return {"text": "又一条异议", "received_on": timezone.localdate().isoformat(),
            "version": w.extra["rec_publicity"].version}


#: The talent reaches their own application's notice link (302) and not another's (404).
OWN_LINK = {Role.TALENT: 302}
OTHER_LINK = {Role.TALENT: 404}

MATRIX += [
    # ---- tier rule sets (pages)
    web("recognition:rule_set_list", allowed=READERS),
    web("recognition:rule_set_detail", allowed=READERS, kwargs=_pk("rec_rule_set")),
    web("recognition:rule_set_create", allowed=EDITORS),
    web("recognition:rule_set_create", "POST", allowed=EDITORS, ok=302, data=_rule_form),
    web("recognition:rule_set_edit", allowed=EDITORS, kwargs=_pk("rec_rule_draft")),
    web("recognition:rule_set_edit", "POST", allowed=EDITORS, ok=302, kwargs=_pk("rec_rule_draft"),
        data=lambda w: {"note": "改", "version": w.extra["rec_rule_draft"].version,
                        "rules": '[{"tier": "B", "tree": {"field": "education", "op": "eq", "value": "master"}}]'}),
    web("recognition:rule_set_activate", "POST", allowed=EDITORS, ok=302, kwargs=_pk("rec_rule_draft"),
        data=_version("rec_rule_draft")),
    # ---- applications (internal pages)
    web("recognition:list", allowed=READERS),
    # Issue 16 item 2: the exports of the list and of the rule sets (their pages' roles; the
    # selector scopes the list's rows).
    web("recognition:export", allowed=READERS),
    web("recognition:rule_set_export", allowed=READERS),
    web("recognition:publicity", allowed=READERS),
    web("recognition:publicity_export", allowed=READERS),
    web("recognition:detail", allowed=READERS, kwargs=_pk("rec_a"), label="county A"),
    web("recognition:detail", allowed=READERS, kwargs=_pk("rec_b"), scope=OTHER_COUNTY, label="county B"),
    web("recognition:open", allowed=READERS, ok=302, kwargs=_pk("rec_own"), scope=OWN_LINK, label="own"),
    web("recognition:open", allowed=READERS, ok=302, kwargs=_pk("rec_b"), scope={**OTHER_COUNTY, **OTHER_LINK},
        label="county B"),
    web("recognition:file", allowed=READERS, kwargs=_pk("rec_own_file")),
    # 初审 of county A: its unit roles and the city admin; the office holds no actor there.
    web("recognition:action", "POST", allowed={Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF}, ok=302,
        kwargs=lambda w: {"pk": w.extra["rec_a"].pk, "action": "first_pass"}, data=_version("rec_a"),
        label="first pass county A"),
    web("recognition:action", "POST", allowed={Role.CITY_ADMIN}, ok=302,
        kwargs=lambda w: {"pk": w.extra["rec_b"].pk, "action": "first_pass"}, data=_version("rec_b"),
        scope=OTHER_COUNTY, label="first pass county B"),
    *[web("recognition:action", "POST", allowed={Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF}, ok=302,
          kwargs=lambda w, a=a: {"pk": w.extra["rec_a"].pk, "action": a},
          data=lambda w: {"version": w.extra["rec_a"].version, "note": "理由"}, label=f"{a} county A")
      for a in ("first_return", "first_refuse")],
    *[web("recognition:action", "POST", allowed=OFFICE, ok=302,
          kwargs=lambda w, a=a: {"pk": w.extra["rec_second"].pk, "action": a},
          data=lambda w: {"version": w.extra["rec_second"].version, "note": "理由"}, label=a)
      for a in ("second_pass", "second_return", "second_refuse")],
    *[web("recognition:action", "POST", allowed=OFFICE, ok=302,
          kwargs=lambda w, a=a: {"pk": w.extra["rec_closing"].pk, "action": a},
          data=lambda w: {"version": w.extra["rec_closing"].version, "note": "理由"}, label=f"{a} after publicity")
      for a in ("recognize", "refuse")],
    # The publicity is not over: the office is admitted and the service answers 409.
    web("recognition:action", "POST", allowed=OFFICE, ok=409,
        kwargs=lambda w: {"pk": w.extra["rec_publicity"].pk, "action": "recognize"},
        data=_version("rec_publicity"), label="recognize during publicity"),
    # Withdrawing is the applicant's: here the staff member who applied on the talent's behalf.
    web("recognition:action", "POST", allowed={Role.STAFF}, ok=302,
        kwargs=lambda w: {"pk": w.extra["rec_withdraw"].pk, "action": "withdraw"}, data=_version("rec_withdraw"),
        label="withdraw by the applicant"),
    web("recognition:mine_action", "POST", allowed=TALENT, ok=302,
        kwargs=lambda w: {"pk": w.extra["rec_own"].pk, "action": "resubmit"}, data=_version("rec_own"),
        label="resubmit own"),
    web("recognition:objection_add", "POST", allowed=OFFICE, ok=302, kwargs=_pk("rec_publicity"), data=_objection),
    web("recognition:objection_answer", "POST", allowed=OFFICE, ok=302,
        kwargs=lambda w: {"pk": w.extra["rec_publicity"].pk, "objection_id": w.extra["rec_objection"].pk},
        data=lambda w: {"answer": "已核实", "version": w.extra["rec_publicity"].version}),
    # ---- the talent portal
    web("recognition:mine", allowed=TALENT),
    web("recognition:mine_apply", allowed=TALENT),
    # The talent's application is under way: the route admits them and the service answers 409.
    web("recognition:mine_apply", "POST", allowed=TALENT, ok=409, data=lambda w: {"claimed_tier": "D"}),
    web("recognition:mine_detail", allowed=TALENT, kwargs=_pk("rec_own"), label="own"),
    web("recognition:mine_detail", allowed=TALENT, kwargs=_pk("rec_a"), scope={Role.TALENT: 404}, label="another's"),
    web("recognition:mine_file", allowed=TALENT, kwargs=_pk("rec_own_file")),
    web("recognition:mine_action", "POST", allowed=TALENT, ok=302,
        kwargs=lambda w: {"pk": w.extra["rec_own"].pk, "action": "withdraw"}, data=_version("rec_own"), label="own"),
    web("recognition:mine_action", "POST", allowed=TALENT, ok=302,
        kwargs=lambda w: {"pk": w.extra["rec_a"].pk, "action": "withdraw"}, data=_version("rec_a"),
        scope={Role.TALENT: 404}, label="another's"),
    # ---- API: tier rule sets
    api("GET", "/api/v1/tier-rule-sets", allowed=READERS),
    api("GET", "/api/v1/tier-rule-sets/{id}", allowed=READERS, kwargs=_id("rec_rule_set")),
    api("POST", "/api/v1/tier-rule-sets", allowed=EDITORS, ok=201,
        data=lambda w: {"year": timezone.localdate().year + 1, "rules": [{"tier": "B", "tree": TREE_B}]}),
    api("PATCH", "/api/v1/tier-rule-sets/{id}", allowed=EDITORS, kwargs=_id("rec_rule_draft"),
        data=lambda w: {"note": "改", "version": w.extra["rec_rule_draft"].version}),
    api("POST", "/api/v1/tier-rule-sets/{id}/activate", allowed=EDITORS, kwargs=_id("rec_rule_draft"),
        data=_version("rec_rule_draft")),
    # ---- API: recognitions
    api("GET", "/api/v1/recognitions", allowed=READERS),
    api("POST", "/api/v1/recognitions", allowed=APPLICANTS, ok=201,
        data=lambda w: {"talent": w.extra["rec_free_a"].pk, "claimed_tier": "B"}, label="county A"),
    api("POST", "/api/v1/recognitions", allowed={Role.CITY_ADMIN, Role.TALENT_OFFICE}, ok=201,
        data=lambda w: {"talent": w.extra["rec_free_b"].pk, "claimed_tier": "C"},
        scope=dict.fromkeys(UNIT_SCOPED, 422), label="county B"),
    api("GET", "/api/v1/recognitions/{id}", allowed=READERS, kwargs=_id("rec_a"), label="county A"),
    api("GET", "/api/v1/recognitions/{id}", allowed=READERS, kwargs=_id("rec_b"), scope=OTHER_COUNTY,
        label="county B"),
    api("GET", "/api/v1/talents/{id}/recognitions", allowed=READERS, kwargs=_id("rec_free_a"), label="county A"),
    api("GET", "/api/v1/talents/{id}/recognitions", allowed=READERS, kwargs=_id("rec_free_b"), scope=OTHER_COUNTY,
        label="county B"),
    api("POST", "/api/v1/talents/{id}/recognitions", allowed=APPLICANTS, ok=201, kwargs=_id("rec_free_a"),
        data=lambda w: {"claimed_tier": "B"}, label="county A"),
    api("POST", "/api/v1/talents/{id}/recognitions", allowed={Role.CITY_ADMIN, Role.TALENT_OFFICE}, ok=201,
        kwargs=_id("rec_free_b"), data=lambda w: {"claimed_tier": "C"}, scope=OTHER_COUNTY, label="county B"),
    api("POST", "/api/v1/recognitions/{id}/actions/{action}", allowed={Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF},
        kwargs=lambda w: {"id": w.extra["rec_a"].pk, "action": "first_pass"}, data=_version("rec_a"),
        label="first pass county A"),
    api("POST", "/api/v1/recognitions/{id}/actions/{action}", allowed={Role.CITY_ADMIN},
        kwargs=lambda w: {"id": w.extra["rec_b"].pk, "action": "first_pass"}, data=_version("rec_b"),
        scope=OTHER_COUNTY, label="first pass county B"),
    api("POST", "/api/v1/recognitions/{id}/actions/{action}", allowed=OFFICE,
        kwargs=lambda w: {"id": w.extra["rec_second"].pk, "action": "second_pass"}, data=_version("rec_second"),
        label="second pass"),
    api("POST", "/api/v1/recognitions/{id}/actions/{action}", allowed=OFFICE,
        kwargs=lambda w: {"id": w.extra["rec_closing"].pk, "action": "recognize"}, data=_version("rec_closing"),
        label="recognize after publicity"),
    api("POST", "/api/v1/me/recognitions/{id}/actions/{action}", allowed=TALENT,
        kwargs=lambda w: {"id": w.extra["rec_own"].pk, "action": "resubmit"}, data=_version("rec_own"),
        label="resubmit own"),
    api("POST", "/api/v1/recognitions/{id}/objections", allowed=OFFICE, ok=201, kwargs=_id("rec_publicity"),
        data=_objection),
    api("POST", "/api/v1/recognitions/{id}/objections/{objection_id}/answer", allowed=OFFICE,
        kwargs=lambda w: {"id": w.extra["rec_publicity"].pk, "objection_id": w.extra["rec_objection"].pk},
        data=lambda w: {"answer": "已核实", "version": w.extra["rec_publicity"].version}),
    # ---- API: the talent portal
    api("GET", "/api/v1/me/recognitions", allowed=TALENT),
    api("POST", "/api/v1/me/recognitions", allowed=TALENT, ok=409, data=lambda w: {"claimed_tier": "D"}),
    api("GET", "/api/v1/me/recognitions/{id}", allowed=TALENT, kwargs=_id("rec_own"), label="own"),
    api("GET", "/api/v1/me/recognitions/{id}", allowed=TALENT, kwargs=_id("rec_a"), scope={Role.TALENT: 404},
        label="another's"),
    api("POST", "/api/v1/me/recognitions/{id}/actions/{action}", allowed=TALENT,
        kwargs=lambda w: {"id": w.extra["rec_own"].pk, "action": "withdraw"}, data=_version("rec_own"), label="own"),
    api("POST", "/api/v1/me/recognitions/{id}/actions/{action}", allowed=TALENT,
        kwargs=lambda w: {"id": w.extra["rec_a"].pk, "action": "withdraw"}, data=_version("rec_a"),
        scope={Role.TALENT: 404}, label="another's"),
]
