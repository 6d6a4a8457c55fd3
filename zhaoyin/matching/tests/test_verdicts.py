"""Matching against the database: stored verdicts, the hooks that keep them current, the
``zhaoyin match`` command, and the acceptance cases (zero denominator, broken tree)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.context import acting
from zhaoyin.core.roles import Role
from zhaoyin.enterprises import services as enterprise_services
from zhaoyin.enterprises.inputs import EnterpriseInput, EnterpriseUpdateInput, FiguresInput
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.matching import verdicts
from zhaoyin.matching.models import PolicyMatch
from zhaoyin.matching.tests.support import (
    ABOVE_TREE,
    HIGH_TECH_TREE,
    api_client,
    make_enterprise,
    make_policy,
    set_figures,
    web_client,
)
from zhaoyin.policies.models import PolicyStatus

pytestmark = pytest.mark.django_db


def _verdicts(policy_id: int) -> dict[int, str]:
    return dict(PolicyMatch.objects.filter(policy_id=policy_id).values_list("enterprise_id", "verdict"))


@pytest.fixture
def high_tech(org_tree: dict[str, OrgUnit]) -> Any:
    return make_policy(org_tree["city"], HIGH_TECH_TREE)


def test_refresh_all_stores_eligible_and_possible_only(org_tree: dict[str, OrgUnit], high_tech: Any) -> None:
    met = make_enterprise(org_tree["county_a"], quals=("高新技术企业",))
    set_figures(met, revenue_wan=3000, rd_wan=120)
    unknown = make_enterprise(org_tree["county_a"], quals=("高新技术企业",))  # no figures: possible
    unmet = make_enterprise(org_tree["county_b"])  # holds no qualification: unmet
    stats = verdicts.refresh_all()
    assert stats.policies == 1
    assert stats.enterprises == 3
    assert _verdicts(high_tech.pk) == {met.pk: "eligible", unknown.pk: "possible"}
    assert unmet.pk not in _verdicts(high_tech.pk)
    high_tech.refresh_from_db()
    assert high_tech.matched_at is not None


def test_refresh_skips_policies_not_in_force(org_tree: dict[str, OrgUnit]) -> None:
    draft = make_policy(org_tree["city"], ABOVE_TREE, status=PolicyStatus.DRAFT)
    make_enterprise(org_tree["county_a"], size_class="above")
    assert verdicts.refresh_all().rows == 0
    assert not PolicyMatch.objects.filter(policy=draft).exists()


def test_figure_change_flips_the_stored_verdict(
    org_tree: dict[str, OrgUnit], high_tech: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The hook: posting figures re-matches the enterprise once the write commits."""
    staff = make_user(Role.STAFF, "county_a")
    enterprise = make_enterprise(org_tree["county_a"], quals=("高新技术企业",))
    set_figures(enterprise, revenue_wan=3000, rd_wan=30)  # 1 %: unmet
    verdicts.refresh_all()
    assert enterprise.pk not in _verdicts(high_tech.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, acting(channel="web"):
        enterprise_services.enterprise_figures_set(
            acting_user=staff, enterprise=enterprise, data=FiguresInput.parse({"year": 2025, "rd_wan": "150"})
        )
    assert len(callbacks) == 1
    assert _verdicts(high_tech.pk) == {enterprise.pk: "eligible"}
    with django_capture_on_commit_callbacks(execute=True), acting(channel="web"):
        enterprise_services.enterprise_figures_set(
            acting_user=staff, enterprise=enterprise, data=FiguresInput.parse({"year": 2025, "revenue_wan": "1000"})
        )
    assert _verdicts(high_tech.pk) == {}


def test_figures_posted_through_the_api_flip_the_verdict(
    org_tree: dict[str, OrgUnit], high_tech: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    enterprise = make_enterprise(org_tree["county_a"], quals=("高新技术企业",))
    client = api_client(make_user(Role.STAFF, "county_a"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/enterprises/{enterprise.pk}/figures",
            {"year": 2025, "revenue_wan": "2500", "rd_wan": "100"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert _verdicts(high_tech.pk) == {enterprise.pk: "eligible"}


def test_profile_change_and_create_rematch(
    org_tree: dict[str, OrgUnit], make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    policy = make_policy(org_tree["city"], ABOVE_TREE)
    admin = make_user(Role.UNIT_ADMIN, "county_a")
    with django_capture_on_commit_callbacks(execute=True), acting(channel="web"):
        created = enterprise_services.enterprise_create(
            acting_user=admin,
            data=EnterpriseInput.parse(
                {
                    "name": "新建匹配企业有限公司",
                    "uscc": make_uscc("340400", "MA000001"),
                    "org_unit": "340402",
                    "industry": "it",
                    "size_class": "above",
                }
            ),
        )
    assert _verdicts(policy.pk) == {created.pk: "eligible"}
    with django_capture_on_commit_callbacks(execute=True), acting(channel="web"):
        enterprise_services.enterprise_update(
            acting_user=admin, enterprise=created, data=EnterpriseUpdateInput.parse({"size_class": "below"})
        )
    assert _verdicts(policy.pk) == {}


def test_unchanged_update_schedules_no_rematch(
    org_tree: dict[str, OrgUnit], make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    enterprise = make_enterprise(org_tree["county_a"], size_class="above")
    admin = make_user(Role.UNIT_ADMIN, "county_a")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, acting(channel="web"):
        enterprise_services.enterprise_update(
            acting_user=admin, enterprise=enterprise, data=EnterpriseUpdateInput.parse({"size_class": "above"})
        )
    assert callbacks == []


def test_a_change_no_condition_reads_schedules_no_rematch(
    org_tree: dict[str, OrgUnit], make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Renaming an enterprise or moving its address cannot change a verdict; its land area can."""
    enterprise = make_enterprise(org_tree["county_a"], size_class="above")
    admin = make_user(Role.UNIT_ADMIN, "county_a")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, acting(channel="web"):
        enterprise_services.enterprise_update(
            acting_user=admin,
            enterprise=enterprise,
            data=EnterpriseUpdateInput.parse({"name": "改名后的企业有限公司", "address": "新地址1号"}),
        )
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks, acting(channel="web"):
        enterprise_services.enterprise_update(
            acting_user=admin, enterprise=enterprise, data=EnterpriseUpdateInput.parse({"land_mu": "12.5"})
        )
    assert len(callbacks) == 1


def test_excel_import_rematches_once_with_every_id(
    org_tree: dict[str, OrgUnit],
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One re-match per committed import, naming every created and changed enterprise."""
    from zhaoyin.core.importing import import_commit, import_preview
    from zhaoyin.enterprises.importing import EnterpriseImport
    from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

    policy = make_policy(org_tree["city"], ABOVE_TREE)
    admin = make_user(Role.UNIT_ADMIN, "county_a")
    existing = make_enterprise(org_tree["county_a"], size_class="below")
    from zhaoyin.enterprises.importing import ENTERPRISE_COLUMNS

    headers = [c.label for c in ENTERPRISE_COLUMNS]

    def row(name: str, uscc: str, size: str) -> list[Any]:
        values = {"name": name, "uscc": uscc, "org_unit": "340402", "industry": "it", "size_class": size}
        return [values.get(c.key) for c in ENTERPRISE_COLUMNS]

    rows = [
        row(existing.name, existing.uscc, "规上"),
        row("导入匹配企业一有限公司", make_uscc("340400", "MA000002"), "规上"),
        row("导入匹配企业二有限公司", make_uscc("340400", "MA000003"), "规下"),
    ]
    out = io.BytesIO()
    write_xlsx(out, [SheetSpec(title="企业", headers=headers, rows=rows, text_columns=frozenset({1, 2}))])
    calls: list[list[int]] = []
    real = verdicts.refresh_enterprise_matches

    def spy(ids: Any) -> int:
        calls.append(sorted(ids))
        return real(ids)

    monkeypatch.setattr(verdicts, "refresh_enterprise_matches", spy)
    with acting(channel="web"):
        batch, _plan = import_preview(
            acting_user=admin, spec=EnterpriseImport(admin), data=out.getvalue(), filename="e.xlsx"
        )
        with django_capture_on_commit_callbacks(execute=True):
            import_commit(acting_user=admin, spec=EnterpriseImport(admin), batch=batch)
    new_ids = set(Enterprise.objects.filter(uscc__in=[rows[1][1], rows[2][1]]).values_list("pk", flat=True))
    assert len(calls) == 1
    assert set(calls[0]) == new_ids | {existing.pk}
    above_new = Enterprise.objects.get(uscc=rows[1][1])
    assert _verdicts(policy.pk) == {existing.pk: "eligible", above_new.pk: "eligible"}


def test_refresh_policy_matches_follows_its_status(org_tree: dict[str, OrgUnit]) -> None:
    policy = make_policy(org_tree["city"], ABOVE_TREE)
    enterprise = make_enterprise(org_tree["county_b"], size_class="above")
    assert verdicts.refresh_policy_matches(policy) == 1
    assert _verdicts(policy.pk) == {enterprise.pk: "eligible"}
    policy.status = PolicyStatus.WITHDRAWN
    policy.save()
    assert verdicts.refresh_policy_matches(policy) == 0
    assert _verdicts(policy.pk) == {}


# ---- acceptance: bad data at match time ---------------------------------------------------


def test_zero_denominator_is_unknown_not_a_crash(org_tree: dict[str, OrgUnit], make_user: Any) -> None:
    """A ratio whose denominator is 0 at match time → unknown (possible), through the API."""
    tree = {
        "all": [
            {"qualification": "高新技术企业"},
            {"ratio": ["rd_wan", "revenue_wan"], "year": 2025, "op": "gte", "value": 0.03},
        ]
    }
    policy = make_policy(org_tree["city"], tree)
    enterprise = make_enterprise(org_tree["county_a"], quals=("高新技术企业",))
    set_figures(enterprise, revenue_wan=0, rd_wan=50)
    assert verdicts.refresh_all().rows == 1
    assert _verdicts(policy.pk) == {enterprise.pk: "possible"}
    response = api_client(make_user(Role.STAFF, "county_a")).get(f"/api/v1/enterprises/{enterprise.pk}/policy-matches")
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["verdict"] == "possible"
    qualification, ratio = item["conditions"]
    assert qualification["result"] == "met"
    assert ratio["condition"]["ratio"] == ["rd_wan", "revenue_wan"]
    assert ratio["result"] == "unknown"
    assert ratio["reason"] == "2025年营业收入为 0，无法计算比例"
    assert item["missing"] == [ratio["reason"]]


def test_broken_tree_matches_nobody_and_the_page_says_so(org_tree: dict[str, OrgUnit], make_user: Any) -> None:
    """A stored tree that no longer parses (a qualification removed from the dictionary after
    publication) matches nobody; its list says why; the enterprise page leaves it out."""
    broken = make_policy(org_tree["city"], {"all": [{"qualification": "已撤销的资质"}]}, title="失效条件政策")
    enterprise = make_enterprise(org_tree["county_a"], size_class="above")
    assert verdicts.refresh_all().policies == 0
    assert not PolicyMatch.objects.exists()
    staff = make_user(Role.STAFF, "county_a")
    page = web_client(staff).get(f"/policies/{broken.pk}/eligible/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="match-state"' in body
    assert "已撤销的资质" in body
    matches = web_client(staff).get(f"/enterprises/{enterprise.pk}/policies/")
    assert matches.status_code == 200
    assert "失效条件政策" not in matches.content.decode()
    api = api_client(staff).get(f"/api/v1/enterprises/{enterprise.pk}/policy-matches")
    assert api.json() == {"items": []}


# ---- the command ----------------------------------------------------------------------------


def test_match_command_prints_counts_and_seconds(org_tree: dict[str, OrgUnit]) -> None:
    make_policy(org_tree["city"], ABOVE_TREE)
    make_enterprise(org_tree["county_a"], size_class="above")
    make_enterprise(org_tree["county_b"], size_class="below")
    out = io.StringIO()
    call_command("match", stdout=out)
    text = out.getvalue()
    assert "2 enterprises × 1 policies: 1 matches stored in " in text
    assert text.strip().endswith(" s")


def test_match_command_one_policy_and_enterprises(org_tree: dict[str, OrgUnit]) -> None:
    policy = make_policy(org_tree["city"], ABOVE_TREE)
    enterprise = make_enterprise(org_tree["county_a"], size_class="above")
    out = io.StringIO()
    call_command("match", "--policy", str(policy.pk), stdout=out)
    assert f"policy {policy.pk}: 1 matches stored" in out.getvalue()
    out = io.StringIO()
    call_command("match", "--enterprise", str(enterprise.pk), stdout=out)
    assert "1 enterprises: 1 matches stored" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "abc"], "--policy: 'abc' is not an id"),
        (["--policy", "999999"], "--policy: no policy with id 999999"),
        (["--enterprise", "0"], "--enterprise: '0' is not an id"),
        (["--enterprise", "999998"], "--enterprise: no enterprise with id 999998"),
    ],
)
def test_match_command_bad_input_exits_2(org_tree: dict[str, OrgUnit], args: list[str], message: str) -> None:
    make_policy(org_tree["city"], ABOVE_TREE)
    make_enterprise(org_tree["county_a"], size_class="above")
    with pytest.raises(CommandError) as caught:
        call_command("match", *args)
    assert caught.value.returncode == 2
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not PolicyMatch.objects.exists()


def test_nightly_refresh_is_registered() -> None:
    from zhaoyin.core import periodic

    job = next(j for j in periodic.registered() if j.name == "policies-match-refresh")
    assert job.every_seconds == 24 * 3600
    # Enterprises and talents (issue 13) in the one nightly job.
    from zhaoyin.matching import talent_verdicts

    assert job.fn is talent_verdicts.run_nightly_job


def test_a_large_rematch_is_queued_for_the_worker_not_run_in_the_request(
    org_tree: dict[str, OrgUnit], django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond INLINE_LIMIT enterprises the re-match goes to the task queue (the tests' immediate
    backend runs it at once, the database backend in ``zhaoyin worker``) and still writes the
    verdicts; below it, it runs after the commit in the request."""
    policy = make_policy(org_tree["city"], ABOVE_TREE)
    firms = [make_enterprise(org_tree["county_a"], size_class="above") for _ in range(3)]
    queued: list[list[int]] = []
    real_task = verdicts.rematch_enterprises_task

    class SpyTask:
        def enqueue(self, ids: list[int]) -> Any:
            queued.append(list(ids))
            return real_task.enqueue(ids)

    monkeypatch.setattr(verdicts, "rematch_enterprises_task", SpyTask())
    monkeypatch.setattr(verdicts, "INLINE_LIMIT", 2)
    with django_capture_on_commit_callbacks(execute=True):
        verdicts.refresh_after_commit([f.pk for f in firms])
    assert queued == [sorted(f.pk for f in firms)]
    assert _verdicts(policy.pk) == {f.pk: "eligible" for f in firms}

    PolicyMatch.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        verdicts.refresh_after_commit([firms[0].pk])
    assert len(queued) == 1
    assert _verdicts(policy.pk) == {firms[0].pk: "eligible"}
