"""Issue 13's whole path through /api/v1 only (acceptance: "the same through the API"): staff
register a doctor who arrived this year; the talent applies for recognition; the county passes
the 初审, the talent office the 复审 naming tier B; the 公示 runs its working days on the
calendar; 认定 sets tier B; the 博士研究生生活补贴 is then eligible with a reason per condition;
the schedule writes its monthly entries into the ledger; an entry is submitted and approved by a
second person (the submitter's own approval refused); the talent applies for an apartment, is
allocated a flat and contracted, and reads the contract. Every answer's status and body are
asserted (and checked against the OpenAPI document by the root conftest)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from tests.talent_path_support import (
    AMOUNT_WAN,
    BIRTH,
    EMPLOYER,
    INSTALMENTS,
    POLICY_TITLE,
    arrival_day,
    contract_days,
    make_flat,
    make_living_subsidy,
    this_month,
)
from tests.world import World
from zhaoyin.accounts.services import api_token_issue, user_create
from zhaoyin.core.roles import Role
from zhaoyin.lib.idcard import make_resident
from zhaoyin.payouts.models import Payout, PayoutStatus
from zhaoyin.recognition import services as recognition_services
from zhaoyin.talents import services as talent_services
from zhaoyin.talents.inputs import LinkAccountInput
from zhaoyin.talents.models import Talent

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_the_whole_talent_path_through_the_api(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = make_living_subsidy(world.units["city"])
    flat = make_flat(world.units["county_a"])
    office = world.api_client_for(Role.TALENT_OFFICE.value)
    county = world.api_client_for(Role.UNIT_ADMIN.value)  # 大通区: the talent's county
    staff = world.api_client_for(Role.STAFF.value)

    # Staff of the county register the doctor (201; the ID only masked in the answer).
    id_number = make_resident("340402", BIRTH, 321)
    start, end = contract_days()
    talent = ok(post(staff, "/api/v1/talents", {
        "name": "周博远", "id_type": "resident", "id_number": id_number, "org_unit": "340402",
        "education": "doctorate", "school": "中国科学技术大学", "major": "安全科学与工程", "title": "none",
        "channel": "employer", "employer_name": EMPLOYER, "arrival_date": arrival_day().isoformat(),
        "contract_start": start.isoformat(), "contract_end": end.isoformat(),
    }), 201)
    tid = talent["id"]
    assert (talent["education"], talent["tier"], talent["birth_date"]) == ("doctorate", "", BIRTH.isoformat())
    assert id_number not in json.dumps(talent)
    # The portal account is linked by the talent office's service: no page or API links one.
    portal, _uri = user_create(acting_user=None, username="path_talent", password=PASSWORD,
                               roles=[Role.TALENT.value], org_unit=world.units["station"])
    talent_services.talent_link_account(acting_user=world.user(Role.TALENT_OFFICE),
                                        talent=Talent.objects.get(pk=tid),
                                        data=LinkAccountInput.of(username=portal.username))
    me = Client(headers={"Authorization": f"Bearer {api_token_issue(user=portal)}"})

    # Before recognition the subsidy is not eligible: the tier condition is not met.
    before = ok(office.get(f"/api/v1/talents/{tid}/policy-matches"))
    living = next(m for m in before["items"] if m["policy"]["id"] == policy.pk)
    assert living["verdict"] != "eligible"

    # The talent applies in the portal (no internal field in their view).
    mine = ok(post(me, "/api/v1/me/recognitions", {"claimed_tier": "B", "statement": "博士学位，劳动合同三年。"}), 201)
    assert (mine["state"], mine["claimed_tier"]) == ("first_review", "B")
    assert "first_note" not in mine
    assert "suggestion" not in mine
    rid = mine["id"]

    # 初审 by the county, 复审 by the talent office naming tier B: the 公示 opens.
    r = ok(county.get(f"/api/v1/recognitions/{rid}"))
    assert (r["suggested_tier"], r["talent"]["id"]) == ("B", tid)
    r = ok(post(county, f"/api/v1/recognitions/{rid}/actions/first_pass",
                {"note": "学历学位已核验", "version": r["version"]}))
    assert (r["state"], r["first_note"]) == ("second_review", "学历学位已核验")
    refused = post(county, f"/api/v1/recognitions/{rid}/actions/second_pass", {"tier": "B", "version": r["version"]})
    assert refused.status_code == 403  # the county does not take the 复审
    r = ok(post(office, f"/api/v1/recognitions/{rid}/actions/second_pass", {"tier": "B", "version": r["version"]}))
    assert (r["state"], r["tier"]) == ("publicity", "B")
    publicity_end = dt.date.fromisoformat(r["publicity_end"])
    assert publicity_end == recognition_services.publicity_end(dt.date.fromisoformat(r["publicity_start"]), 5)

    # 认定: refused on the publicity's last day (409), taken the day after it.
    monkeypatch.setattr(recognition_services, "today", lambda: publicity_end)
    early = post(office, f"/api/v1/recognitions/{rid}/actions/recognize", {"version": r["version"]})
    assert early.status_code == 409, early.content
    decided = publicity_end + dt.timedelta(days=1)
    monkeypatch.setattr(recognition_services, "today", lambda: decided)
    r = ok(post(office, f"/api/v1/recognitions/{rid}/actions/recognize", {"version": r["version"]}))
    assert (r["state"], r["tier"], r["decided_on"]) == ("recognized", "B", decided.isoformat())
    assert r["certificate_no"].startswith(f"HNRC{decided.year}-")
    assert ok(me.get(f"/api/v1/me/recognitions/{rid}"))["certificate_no"] == r["certificate_no"]
    detail = ok(staff.get(f"/api/v1/talents/{tid}"))
    assert detail["tier"] == "B"

    # The 博士研究生生活补贴 is now eligible, every condition met with its reason.
    after = ok(me.get(f"/api/v1/talents/{tid}/policy-matches"))
    living = next(m for m in after["items"] if m["policy"]["id"] == policy.pk)
    assert (living["policy"]["title"], living["verdict"], living["missing"]) == (POLICY_TITLE, "eligible", [])
    assert [c["result"] for c in living["conditions"]] == ["met"] * 4
    assert all(c["reason"] for c in living["conditions"])

    # The schedule writes 36 monthly due entries into the ledger.
    first = this_month()
    scheduled = ok(post(office, "/api/v1/payouts/schedules/start",
                        {"policy": policy.pk, "talent": tid, "first_period": first}), 201)
    assert scheduled["count"] == INSTALMENTS
    assert [(e["instalment"], e["status"]) for e in scheduled["items"][:2]] == [(1, "due"), (2, "due")]
    assert {Decimal(e["amount_wan"]) for e in scheduled["items"]} == {AMOUNT_WAN}
    again = post(office, "/api/v1/payouts/schedules/start", {"policy": policy.pk, "talent": tid, "first_period": first})
    assert again.status_code == 409  # never paid twice for a period
    ledger = ok(county.get(f"/api/v1/payouts?policy={policy.pk}&page_size=100"))
    assert ledger["count"] == INSTALMENTS
    assert {e["talent"]["id"] for e in ledger["items"]} == {tid}
    entry = next(e for e in ledger["items"] if e["period"] == first)

    # Four eyes: the office submits; its own approval is refused; the county's admin approves.
    entry = ok(post(office, f"/api/v1/payouts/{entry['id']}/actions/submit", {"version": entry["version"]}))
    assert (entry["status"], entry["registered_by"]) == ("pending", world.user(Role.TALENT_OFFICE).username)
    own = post(office, f"/api/v1/payouts/{entry['id']}/actions/approve", {"version": entry["version"]})
    assert own.status_code == 403, own.content
    assert Payout.objects.get(pk=entry["id"]).status == PayoutStatus.PENDING
    entry = ok(post(county, f"/api/v1/payouts/{entry['id']}/actions/approve", {"version": entry["version"]}))
    assert (entry["status"], entry["decided_by"]) == ("approved", world.user(Role.UNIT_ADMIN).username)

    # The talent applies for an apartment; the office reviews, allocates, contracts.
    app = ok(post(me, "/api/v1/apartment-applications", {"preferred_layout": "one_bed", "reason": "新引进博士"}), 201)
    assert (app["state"], app["talent"]["id"]) == ("submitted", tid)
    aid = app["id"]
    app = ok(post(office, f"/api/v1/apartment-applications/{aid}/actions/review", {"version": app["version"]}))
    assert (app["state"], app["waitlist_position"]) == ("waitlisted", 1)
    app = ok(post(county, f"/api/v1/apartment-applications/{aid}/actions/allocate",
                  {"unit": flat.pk, "version": app["version"]}))
    assert (app["state"], app["unit"]["id"]) == ("allocated", flat.pk)
    bad = post(office, f"/api/v1/apartment-applications/{aid}/actions/contract",
               {"start": "2027-03-01", "end": "2027-02-01", "deposit": "1840", "version": app["version"]})
    assert bad.status_code == 422
    assert "end" in {e["field"] for e in bad.json()["errors"]}  # nothing changed: the same version signs below
    app = ok(post(office, f"/api/v1/apartment-applications/{aid}/actions/contract",
                  {"start": start.isoformat(), "end": end.isoformat(), "deposit": "1840", "version": app["version"]}))
    assert app["state"] == "contracted"

    # The talent reads the contract: tier B at signing, 80 % off the rent.
    tenancies = ok(me.get("/api/v1/tenancies"))
    assert tenancies["count"] == 1
    contract = tenancies["items"][0]
    assert (contract["monthly_rent"], contract["reduction_percent"], contract["rent_payable"]) == (
        "920.00", "80.00", "184.00")
    assert (contract["start"], contract["end"], contract["state"]) == (start.isoformat(), end.isoformat(), "active")
    assert ok(me.get(f"/api/v1/tenancies/{contract['id']}"))["unit"]["id"] == flat.pk
    other = world.extra["apt_tenancy_a"]
    assert me.get(f"/api/v1/tenancies/{other.pk}").status_code == 404  # only their own
