"""我的待办 of the funds verification (``projects.todo``): a reported entry waits for the city's
verifier (city_admin) under 待核查到位资金 — never for the person who entered it, never for a
county or a reader — and leaves the list once verified or returned; the item opens the queue
filtered to the entry's unit and month. 我发起的 / 已办 show the entrant's and the verifier's
entries. A fixed number of queries whatever the number of entries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoyin.accounts.models import User
from zhaoyin.core import todo as core_todo
from zhaoyin.core.roles import Role
from zhaoyin.notifications.models import Notification
from zhaoyin.projects import fund_flow, services
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.inputs import FundEntryInput, FundRejectInput, FundVerifyInput
from zhaoyin.projects.models import Project
from zhaoyin.projects.tests.helpers import PDF_BYTES, MakeProject, api_client, upload, web_client
from zhaoyin.projects.todo import FundEntryTodo

pytestmark = pytest.mark.django_db

KIND = "funds_to_verify"


def _add(user: User, project: Project, month: str, amount: str = "100") -> Any:
    return services.fund_entry_add(acting_user=user, project=project,
                                   data=FundEntryInput.of(month=month, amount_wan=amount, source="foreign"))


def _fresh(user: User) -> User:
    # What a request loads: the roles and the unit (the tests count queries after it).
    return User.objects.select_related("org_unit").get(pk=user.pk)


def test_the_table_says_who_waits_on_a_reported_entry() -> None:
    assert {s: [(w.actor, w.todo) for w in ws] for s, ws in fund_flow.TABLE.waits.items()} == {
        fund_flow.State.REPORTED: [(Role.CITY_ADMIN.value, KIND)]
    }
    # Nobody is notified of a step: the badge is the verifier's signal (docs/targets.md).
    assert all(not r.notify for r in fund_flow.TABLE.rows)


def test_verifier_lists_reported_entries_until_checked(
    make_user: Any, make_project: MakeProject, evidence_root: Any
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    park_staff = make_user(Role.STAFF, "park_a")
    admin = make_user(Role.CITY_ADMIN, "city")
    other_admin = make_user(Role.CITY_ADMIN, "city")
    a = make_project("county_a", stage=Stage.SIGNED, total_investment_wan=Decimal("10000"))
    park = make_project("park_a", stage=Stage.SIGNED, total_investment_wan=Decimal("10000"))
    first = _add(staff, a, "2026-02")
    second = _add(park_staff, park, "2026-03")
    own = _add(admin, a, "2026-04")  # the admin entered it: not the admin's to verify

    provider = FundEntryTodo()
    assert provider.counts(_fresh(admin)) == {KIND: 2}
    assert provider.counts(_fresh(other_admin)) == {KIND: 3}
    items = provider.todo(_fresh(admin), limit=10)
    assert [(i.kind, i.code, i.unit) for i in items] == [
        (KIND, a.code, "大通区"), (KIND, park.code, "A园区"),
    ]
    assert items[0].link == "/projects/funds/to-verify/?org_unit=340402&month=2026-02"
    assert items[1].link == "/projects/funds/to-verify/?org_unit=park-a&month=2026-03"
    assert (items[0].since, items[0].deadline, items[0].light) == (first.entered_at, None, "")
    assert items[0].label == f"{a.name} · 2026-02 · 100.00 万元"
    # The link's queue lists that entry.
    queue = web_client(admin).get(items[0].link).content.decode()
    assert a.code in queue
    assert park.code not in queue

    # The county, a reader and a unit administrator owe no verification: no heading, no items.
    for role, unit in ((Role.STAFF, "county_a"), (Role.UNIT_ADMIN, "county_a"), (Role.LEADER, "city"),
                       (Role.SUPERVISOR, "city")):
        user = _fresh(make_user(role, unit))
        assert provider.counts(user) == {}
        assert provider.todo(user, limit=10) == []

    # Verified and returned entries leave the list.
    services.fund_entry_verify(acting_user=admin, entry=first, data=FundVerifyInput.of(evidence_kind="bank_slip"),
                               files=[upload("到账凭证.pdf", PDF_BYTES, "application/pdf")])
    services.fund_entry_reject(acting_user=admin, entry=second, data=FundRejectInput.of(reason="凭证不符"))
    assert provider.counts(_fresh(admin)) == {}
    assert provider.counts(_fresh(other_admin)) == {KIND: 1}
    assert [i.link for i in provider.todo(_fresh(other_admin), limit=10)] == [
        "/projects/funds/to-verify/?org_unit=340402&month=2026-04"
    ]
    assert own.verification == "reported"

    # 已办 of the verifier: both checks, newest first, with the action; 我发起的 of the county
    # (the tests run in the zh-hans UI).
    done = [(t.code, t.what, t.state) for t in provider.done(_fresh(admin), limit=10)]
    assert done == [(park.code, "退回", "已退回"), (a.code, "核实", "已核实")]
    raised = [(t.code, t.state, t.link) for t in provider.raised(_fresh(staff), limit=10)]
    assert raised == [(a.code, "已核实", f"/projects/{a.pk}/#fund-entry-{first.pk}")]
    assert provider.done(_fresh(staff), limit=10) == []
    # No hand-off notice for an entry or a check (the count is the signal).
    assert not Notification.objects.exists()


def test_the_todo_page_api_and_badge_show_the_entries(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    admin = make_user(Role.CITY_ADMIN, "city")
    project = make_project("county_a", stage=Stage.SIGNED, total_investment_wan=Decimal("10000"))
    _add(staff, project, "2026-02")
    _add(staff, project, "2026-03")

    assert core_todo.todo_count(_fresh(admin)) >= 2
    page = web_client(admin).get("/todo/").content.decode()
    assert 'data-todo="funds_to_verify"' in page
    assert "/projects/funds/to-verify/?org_unit=340402&amp;month=2026-03" in page
    body = api_client(admin).get("/api/v1/me/todo").json()
    mine = [i for i in body["items"] if i["machine"] == "fund_entry"]
    assert [(i["kind"], i["code"]) for i in mine] == [(KIND, project.code)] * 2
    assert {"kind": KIND, "label": "待核查到位资金", "count": 2} in body["headings"]
    # The county sees its own entries under 我发起的, none under waiting.
    county = api_client(staff).get("/api/v1/me/todo").json()
    assert not [i for i in county["items"] if i["machine"] == "fund_entry"]
    assert [t["state"] for t in county["raised"] if t["machine"] == "fund_entry"] == ["已填报"] * 2


def test_the_provider_takes_a_fixed_number_of_queries(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    admin = make_user(Role.CITY_ADMIN, "city")

    def grow(n: int) -> None:
        for _i in range(n):
            project = make_project("county_a", stage=Stage.SIGNED, total_investment_wan=Decimal("10000"))
            _add(staff, project, "2026-02")
            _add(staff, project, "2026-03")

    def queries(user: User) -> int:
        provider = FundEntryTodo()
        with CaptureQueriesContext(connection) as ctx:
            provider.counts(user)
            provider.todo(user, limit=100)
            provider.raised(user, limit=20)
            provider.done(user, limit=20)
        return len(ctx.captured_queries)

    grow(1)
    few = {u.username: queries(_fresh(u)) for u in (staff, admin)}
    grow(6)
    many = {u.username: queries(_fresh(u)) for u in (staff, admin)}
    assert few == many
    # count, items, 我发起的, 已办 — and the user's roles, read once per request.
    assert many[admin.username] <= 5
