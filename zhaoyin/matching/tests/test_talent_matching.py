"""Talent policy matching (issue 13 item 3): talents are judged against talent policies only,
with the same three verdicts and per-condition reasons as enterprises; the stored verdicts follow
talent and policy changes; the pages and API are scoped like the talent records (AC-03)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.roles import Role
from zhaoyin.matching import talent_verdicts, verdicts
from zhaoyin.matching.models import PolicyMatch, TalentPolicyMatch
from zhaoyin.matching.tests.support import ABOVE_TREE, api_client, make_enterprise, make_policy, web_client
from zhaoyin.matching.tests.talent_support import DOCTOR_TREE, make_talent_policy
from zhaoyin.talents.inputs import DepartInput, TalentUpdateInput
from zhaoyin.talents.models import Education, Talent, TalentStatus
from zhaoyin.talents.services import talent_depart, talent_update
from zhaoyin.talents.signals import send_talents_changed
from zhaoyin.talents.testing import make_talent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _doctor(unit: OrgUnit, name: str, **fields: Any) -> Talent:
    values: dict[str, Any] = {
        "education": Education.DOCTORATE,
        "birth": dt.date(1990, 5, 1),
        "arrival_date": dt.date(2024, 3, 1),
        "employer_name": "淮南市环境监测研究院",
        "contract_start": dt.date(2024, 3, 1),
        "contract_end": TODAY.replace(year=TODAY.year + 3),
    }
    values.update(fields)
    return make_talent(org_unit=unit, name=name, **values)


@pytest.fixture
def world(org_tree: dict[str, OrgUnit]) -> dict[str, Any]:
    """A talent policy (博士生活补贴), an enterprise policy; talents in both counties."""
    doctor = make_talent_policy(org_tree["city"], DOCTOR_TREE)
    above = make_policy(org_tree["city"], ABOVE_TREE, title="规上企业稳增长奖励")
    a_met = _doctor(org_tree["county_a"], "甲县博士")
    a_possible = _doctor(org_tree["county_a"], "甲县待补合同博士", contract_start=None, contract_end=None)
    a_master = _doctor(org_tree["county_a"], "甲县硕士", education=Education.MASTER)
    b_met = _doctor(org_tree["county_b"], "乙县博士")
    gone = _doctor(org_tree["county_a"], "已离开博士", status=TalentStatus.DEPARTED, departed_on=TODAY)
    make_enterprise(org_tree["county_a"], size_class="above")
    talent_verdicts.refresh_all_talents()
    verdicts.refresh_all()
    return {
        "doctor": doctor, "above": above, "a_met": a_met, "a_possible": a_possible, "a_master": a_master,
        "b_met": b_met, "gone": gone,
    }


def _stored(policy_id: int) -> dict[int, str]:
    return dict(TalentPolicyMatch.objects.filter(policy_id=policy_id).values_list("talent_id", "verdict"))


# ---- stored verdicts ----------------------------------------------------------------------------


def test_talents_are_matched_against_talent_policies_only(world: dict[str, Any]) -> None:
    assert _stored(world["doctor"].pk) == {
        world["a_met"].pk: "eligible", world["a_possible"].pk: "possible", world["b_met"].pk: "eligible",
    }
    # The talent policy matches no enterprise, the enterprise policy no talent (issue 13: a
    # doctor's subsidy was judged on the employer's 高企 status).
    assert not PolicyMatch.objects.filter(policy=world["doctor"]).exists()
    assert PolicyMatch.objects.filter(policy=world["above"]).exists()
    assert not TalentPolicyMatch.objects.filter(policy=world["above"]).exists()


def test_a_departed_talent_is_matched_no_more(world: dict[str, Any]) -> None:
    assert world["gone"].pk not in _stored(world["doctor"].pk)


def test_a_talent_change_rematches_after_the_commit(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    talent = world["a_master"]
    talent.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        # The talents' own service sends the signal: the match follows a real change.
        talent_update(
            acting_user=None, talent=talent, data=TalentUpdateInput.parse({"education": Education.DOCTORATE.value})
        )
    assert _stored(world["doctor"].pk)[talent.pk] == "eligible"


def test_a_change_of_unmatched_fields_does_not_rematch(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_talents_changed({world["a_met"].pk: {"email"}})
    assert callbacks == []


def test_departure_removes_the_talents_verdicts(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    talent = world["a_met"]
    talent.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        talent_depart(acting_user=None, talent=talent, data=DepartInput.parse({"departed_on": TODAY.isoformat()}))
    assert talent.pk not in _stored(world["doctor"].pk)


def test_turning_a_policy_into_an_enterprise_policy_drops_its_talent_rows(world: dict[str, Any]) -> None:
    policy = world["doctor"]
    policy.beneficiary = "enterprise"
    policy.save()
    talent_verdicts.refresh_talent_policy_matches(policy)
    assert _stored(policy.pk) == {}


# ---- the talent's page and API ------------------------------------------------------------------


def test_api_talent_policy_matches_contract(world: dict[str, Any], make_user: Any) -> None:
    client = api_client(make_user(Role.TALENT_OFFICE))
    response = client.get(f"/api/v1/talents/{world['a_possible'].pk}/policy-matches")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["policy"]["title"], i["verdict"]) for i in items] == [("博士研究生生活补贴", "possible")]
    conditions = items[0]["conditions"]
    assert [c["result"] for c in conditions] == ["met", "met", "unknown"]
    assert all(c["reason"] for c in conditions)
    assert items[0]["missing"]


def test_api_talent_policy_matches_says_why_not(world: dict[str, Any], make_user: Any) -> None:
    client = api_client(make_user(Role.STAFF, "county_a"))
    items = client.get(f"/api/v1/talents/{world['a_master'].pk}/policy-matches").json()["items"]
    assert [i["verdict"] for i in items] == ["ineligible"]
    assert items[0]["conditions"][0]["result"] == "unmet"


def test_AC_03_talent_matches_out_of_scope_404(world: dict[str, Any], make_user: Any) -> None:
    staff_a = make_user(Role.STAFF, "county_a")
    assert api_client(staff_a).get(f"/api/v1/talents/{world['b_met'].pk}/policy-matches").status_code == 404
    assert api_client(staff_a).get("/api/v1/talents/99999999/policy-matches").status_code == 404
    assert web_client(staff_a).get(f"/talents/{world['b_met'].pk}/policies/").status_code == 404


def test_AC_03_portal_talent_sees_own_matches_only(world: dict[str, Any], make_user: Any) -> None:
    portal = make_user(Role.TALENT, "county_a")
    Talent.objects.filter(pk=world["a_met"].pk).update(account=portal)
    web: Client = web_client(portal)
    response = web.get("/my-talent-policies/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/talents/{world['a_met'].pk}/policies/")
    page = web.get(f"/talents/{world['a_met'].pk}/policies/")
    assert page.status_code == 200
    assert "博士研究生生活补贴" in page.content.decode()
    assert f"/policies/{world['doctor'].pk}/" not in page.content.decode()  # no link into the library
    assert web.get(f"/talents/{world['a_possible'].pk}/policies/").status_code == 404
    assert api_client(portal).get(f"/api/v1/talents/{world['a_possible'].pk}/policy-matches").status_code == 404
    # A talent policy's list of talents is the government's working list.
    assert web.get(f"/policies/{world['doctor'].pk}/eligible-talents/").status_code == 403


def test_talent_page_groups_policies_with_reasons(world: dict[str, Any], make_user: Any) -> None:
    body = web_client(make_user(Role.TALENT_OFFICE)).get(f"/talents/{world['a_met'].pk}/policies/").content.decode()
    eligible = body[body.index('id="eligible"'):body.index('id="possible"')]
    assert "博士研究生生活补贴" in eligible
    assert 'data-result="met"' in eligible


# ---- a talent policy's list of talents ------------------------------------------------------------


def test_api_eligible_talents_is_scoped(world: dict[str, Any], make_user: Any) -> None:
    url = f"/api/v1/policies/{world['doctor'].pk}/eligible-talents"
    office = api_client(make_user(Role.TALENT_OFFICE)).get(url).json()
    assert office["count"] == 2
    assert {i["name"] for i in office["items"]} == {"甲县博士", "乙县博士"}
    county = api_client(make_user(Role.STAFF, "county_a")).get(url).json()
    assert [i["name"] for i in county["items"]] == ["甲县博士"]
    item = county["items"][0]
    assert set(item) == {"id", "name", "org_unit", "education", "tier", "employer", "verdict", "missing"}
    assert item["education"] == "doctorate"
    assert item["employer"] == "淮南市环境监测研究院"


def test_api_eligible_talents_possible_names_the_missing_data(world: dict[str, Any], make_user: Any) -> None:
    url = f"/api/v1/policies/{world['doctor'].pk}/eligible-talents?verdict=possible"
    body = api_client(make_user(Role.TALENT_OFFICE)).get(url).json()
    assert [i["name"] for i in body["items"]] == ["甲县待补合同博士"]
    assert body["items"][0]["missing"]


def test_api_eligible_talents_bad_verdict_422(world: dict[str, Any], make_user: Any) -> None:
    url = f"/api/v1/policies/{world['doctor'].pk}/eligible-talents?verdict=maybe"
    before = TalentPolicyMatch.objects.count()
    response = api_client(make_user(Role.TALENT_OFFICE)).get(url)
    assert response.status_code == 422
    assert "verdict" in response.content.decode()
    assert TalentPolicyMatch.objects.count() == before


def test_eligible_talents_page_lists_and_counts(world: dict[str, Any], make_user: Any) -> None:
    response = web_client(make_user(Role.STAFF, "county_a")).get(f"/policies/{world['doctor'].pk}/eligible-talents/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲县博士" in body
    assert "乙县博士" not in body


def test_an_enterprise_policy_is_not_the_talent_offices(world: dict[str, Any], make_user: Any) -> None:
    client = api_client(make_user(Role.TALENT_OFFICE))
    assert client.get(f"/api/v1/policies/{world['above'].pk}/eligible-talents").status_code == 404


def test_a_repeated_refresh_writes_only_the_difference(world: dict[str, Any]) -> None:
    before = dict(TalentPolicyMatch.objects.values_list("pk", "verdict"))
    talent_verdicts.refresh_all_talents()
    assert dict(TalentPolicyMatch.objects.values_list("pk", "verdict")) == before  # the same rows, untouched
    Talent.objects.filter(pk=world["a_possible"].pk).update(contract_start=dt.date(2024, 3, 1))
    talent_verdicts.refresh_all_talents()
    after = _stored(world["doctor"].pk)
    assert after[world["a_possible"].pk] == "eligible"
    assert after[world["a_met"].pk] == "eligible"


def test_a_full_refresh_removes_rows_of_talents_that_are_gone(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored verdicts carry no database key (a cache the refresh rebuilds, see the
    model): a row left for a talent that no longer exists — below the first id, between two
    chunks, above the last — goes at the next full refresh."""
    monkeypatch.setattr(talent_verdicts, "CHUNK", 2)
    ids = sorted(Talent.objects.values_list("pk", flat=True))
    between = world["a_master"].pk
    Talent.objects.filter(pk=between).delete()
    policy = world["doctor"].pk
    orphans = [0, between, ids[-1] + 50]
    TalentPolicyMatch.objects.bulk_create(
        [TalentPolicyMatch(policy_id=policy, talent_id=pk, verdict="eligible") for pk in orphans]
    )
    kept = _stored(policy)
    talent_verdicts.refresh_all_talents()
    after = _stored(policy)
    assert not set(orphans) & set(after)
    assert after == {pk: v for pk, v in kept.items() if pk not in orphans}
    assert after[world["a_met"].pk] == "eligible"
    assert after[world["b_met"].pk] == "eligible"
