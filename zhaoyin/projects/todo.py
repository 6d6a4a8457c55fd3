"""The funds-in-place entries' part of 我的待办, from ``fund_flow.TABLE``'s ``waits``.

Who owes what (docs/targets.md, "Funds verification"):

- a wait's actor is a role code (``fund_flow.VERIFIERS``: the city's 招商服务中心, ``city_admin``):
  a reported active entry waits under 待核查到位资金 for everyone holding it — less the person
  who entered the entry (four eyes: they may not verify it, so it is not their work);
- 我发起的: the entries the user entered, with where each stands (填报 / 已核实 / 已退回), so
  a county sees its returned figure; 已办: the entries the user verified or returned.

An item opens the verifier's queue filtered to the entry's unit and month — the county reports a
month at once, and the queue shows that report's entries with their flags and totals, each a
click from its verify form. Nobody is notified of a new entry (the table's rows say
``notify=()``): a month's report or import brings dozens of entries at once, and the count on
the menu badge is the verifier's signal (the decision is in docs/targets.md).

Registered in ``ProjectsConfig.ready``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.todo import TodoItem, TrackedItem
from zhaoyin.projects import fund_flow
from zhaoyin.projects.choices import FundVerification
from zhaoyin.projects.flow import EDITORS
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.projects.selectors import project_scope_q

NAME = "fund_entry"


def _describe(entry: FundEntry) -> str:
    # Grouped as on the pages (``wan``: 12,345.60); the amount is stored with 2 places.
    amount = _("%(amount)s ten thousand yuan") % {"amount": f"{entry.amount_wan:,.2f}"}
    return f"{entry.project.name} · {entry.month:%Y-%m} · {amount}"


def queue_link(entry: FundEntry) -> str:
    """The verifier's queue, filtered to the entry's unit (with the units below) and month."""
    query = urlencode({"org_unit": entry.project.org_unit.code, "month": f"{entry.month:%Y-%m}"})
    return f"{reverse('projects:funds_queue')}?{query}"


def entry_link(entry: FundEntry) -> str:
    """The entry on its project's page (the funds section)."""
    return reverse("projects:detail", kwargs={"pk": entry.project_id}) + f"#fund-entry-{entry.pk}"


def _state_q(state: fund_flow.State) -> Q:
    """The entries in ``state`` (the inverse of ``fund_flow.state_of``)."""
    if state == fund_flow.State.REJECTED:
        return Q(verification=FundVerification.REJECTED)
    if state == fund_flow.State.SUPERSEDED:
        return Q(superseded_at__isnull=False) & ~Q(verification=FundVerification.REJECTED)
    return Q(superseded_at__isnull=True, verification=state.value)


def waiting_q(user: User) -> dict[str, Q]:
    """Heading code → the entries listed under it for ``user``, from the table's waits: the
    wait's role held, the project in the user's scope, not an entry the user entered."""
    out: dict[str, Q] = {}
    if not user.is_authenticated or user.admin_role:
        return out
    for state, waits in fund_flow.TABLE.waits.items():
        for wait in waits:
            if not user.has_role(wait.actor):
                continue
            q = _state_q(state) & ~Q(entered_by_id=user.pk)
            out[wait.todo] = out[wait.todo] | q if wait.todo in out else q
    if out:
        # The projects the user may see (the same rule as the queue): a subquery, no extra query.
        scope = entries_in_scope_q(user)
        out = {kind: q & scope for kind, q in out.items()}
    return out


def entries_in_scope_q(user: User) -> Q:
    """The entries of the projects ``user`` may see (``project_scope_q`` through the entry)."""
    return Q(project__in=Project.objects.filter(project_scope_q(user)).values("pk"))


def _tracked_state(entry: FundEntry) -> str:
    return str(fund_flow.TABLE.label_of(fund_flow.state_of(entry)))


class FundEntryTodo:
    """The funds entries' ``TodoProvider``: 待核查到位资金 for the verifier. No deadline runs
    (the month's report is checked when it comes; its age shows in "waiting since")."""

    name = NAME

    def headings(self) -> dict[str, Any]:
        return fund_flow.TABLE.todo_labels

    def counts(self, user: User) -> dict[str, int]:
        conditions = waiting_q(user)
        if not conditions:
            return {}
        found = FundEntry.objects.aggregate(**{kind: Count("pk", filter=q) for kind, q in conditions.items()})
        return {kind: n for kind, n in found.items() if n}

    def todo(self, user: User, *, limit: int) -> list[TodoItem]:
        labels = fund_flow.TABLE.todo_labels
        items: list[TodoItem] = []
        for kind, q in waiting_q(user).items():
            rows = (
                FundEntry.objects.filter(q)
                .select_related("project", "project__org_unit")
                .order_by("entered_at", "pk")[:limit]
            )
            items += [
                TodoItem(
                    kind=kind, heading=str(labels[kind]), machine=self.name, code=e.project.code,
                    label=_describe(e), link=queue_link(e), since=e.entered_at, unit=e.project.org_unit.name,
                )
                for e in rows
            ]
        return items

    def raised(self, user: User, *, limit: int) -> list[TrackedItem]:
        """我发起的: the entries the user entered, latest first (only editors enter funds: no
        query for anyone else)."""
        if not user.has_role(*EDITORS):
            return []
        rows = (
            FundEntry.objects.filter(entries_in_scope_q(user), entered_by_id=user.pk)
            .select_related("project")
            .order_by("-entered_at", "-pk")[:limit]
        )
        return [
            TrackedItem(machine=self.name, code=e.project.code, label=_describe(e), link=entry_link(e),
                        state=_tracked_state(e), at=e.verified_at or e.entered_at)
            for e in rows
        ]

    def done(self, user: User, *, limit: int) -> list[TrackedItem]:
        """已办: the entries the user verified or returned, latest first (only verifiers check
        entries)."""
        if not user.has_role(*fund_flow.VERIFIERS):
            return []
        rows = (
            FundEntry.objects.filter(entries_in_scope_q(user), verified_by_id=user.pk,
                                     verified_at__isnull=False)
            .select_related("project")
            .order_by("-verified_at", "-pk")[:limit]
        )
        verify, reject = (fund_flow.TABLE.by_action[a] for a in (fund_flow.Action.VERIFY, fund_flow.Action.REJECT))
        return [
            TrackedItem(machine=self.name, code=e.project.code, label=_describe(e), link=entry_link(e),
                        state=_tracked_state(e), at=e.verified_at or e.entered_at,
                        what=str((reject if e.verification == FundVerification.REJECTED else verify).label))
            for e in rows
        ]

