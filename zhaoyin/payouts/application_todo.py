"""The subsidy applications' hand-off notices and their part of 我的待办, from
``applications.APPLICATION_TABLE`` (registered in ``PayoutsConfig.ready``).

- ``reviewer``: the talent office's accounts and the unit admins and staff whose unit is the
  talent's org unit or above it — told of a new or resubmitted application; 我的待办 lists the
  submitted applications of the talents in the user's scope ("subsidy applications to review")
  for every reviewer role (city admins included: they may act on any);
- ``applicant``: the talent's portal account and whoever applied on the talent's behalf — told
  of the decision (accepted, returned with the reason, rejected with the reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.roles import UNIT_ROLES, Role
from zhaoyin.core.todo import TodoItem, TrackedItem
from zhaoyin.core.transitions import Transition
from zhaoyin.notifications.handoff import Notice
from zhaoyin.payouts.application_selectors import application_scope_q
from zhaoyin.payouts.applications import APPLICANT, APPLICATION_TABLE, REVIEWER, REVIEWER_ROLES, ApplicationAction
from zhaoyin.payouts.models import APPLICATION_TYPE, SubsidyApplication


def _describe(a: SubsidyApplication) -> str:
    return f"{a.talent.name} · {a.policy.title}"


class SubsidyApplicationResolver:
    """The subsidy application machine's ``HandoffResolver``."""

    actors = frozenset({APPLICANT, REVIEWER})

    def load(self, pk: int) -> SubsidyApplication | None:
        return SubsidyApplication.objects.filter(pk=pk).select_related("talent__org_unit", "policy").first()

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        a: SubsidyApplication = obj
        base = User.objects.filter(is_active=True, admin_role="")
        if actor == APPLICANT:
            ids = {pk for pk in (a.talent.account_id, a.applied_by_id) if pk is not None}
            return list(base.filter(pk__in=ids).order_by("pk"))
        if actor == REVIEWER:
            above = [int(part) for part in a.talent.org_unit.path.strip("/").split("/") if part]
            return list(
                base.filter(
                    Q(role_assignments__role=Role.TALENT_OFFICE.value)
                    | Q(role_assignments__role__in=[r.value for r in UNIT_ROLES], org_unit_id__in=above)
                ).distinct().order_by("pk")
            )
        return []

    def may_see(self, user: User, obj: Any) -> bool:
        return SubsidyApplication.objects.filter(application_scope_q(user), pk=obj.pk).exists()

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        a: SubsidyApplication = obj
        params = {"what": _describe(a), "reason": a.reason}
        if row.action == ApplicationAction.ACCEPT:
            title = _("Subsidy application accepted: %(what)s") % params
            body = _("The payment schedule starts with %(period)s.") % {"period": a.first_period}
        elif row.action == ApplicationAction.RETURN:
            title = _("Subsidy application returned to complete: %(what)s") % params
            body = _("What to complete: %(reason)s") % params
        elif row.action == ApplicationAction.REJECT:
            title = _("Subsidy application rejected: %(what)s") % params
            body = _("Reason: %(reason)s") % params
        else:  # apply, resubmit: the reviewers' work
            title = _("Subsidy application to review: %(what)s") % params
            body = title
        return Notice(
            title=str(title)[:200], body=str(body), link=reverse("payouts:application_open", kwargs={"pk": a.pk}),
            object_type=APPLICATION_TYPE, object_id=str(a.pk),
        )

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        """Nothing else to record: no scan sends these notices."""


def waiting_q(user: User) -> dict[str, Q]:
    """Heading code → the applications listed under it for ``user``, from the table's waits."""
    out: dict[str, Q] = {}
    if not user.is_authenticated or user.admin_role or not user.has_role(*REVIEWER_ROLES):
        return out
    for state, waits in APPLICATION_TABLE.waits.items():
        for wait in waits:
            if wait.actor == REVIEWER:
                q = Q(state=state) & application_scope_q(user)
                out[wait.todo] = out[wait.todo] | q if wait.todo in out else q
    return out


def _link(pk: int) -> str:
    return reverse("payouts:application_detail", kwargs={"pk": pk})


class SubsidyApplicationTodo:
    """The subsidy application machine's ``TodoProvider``."""

    name = "subsidy_application"

    def headings(self) -> dict[str, Any]:
        return APPLICATION_TABLE.todo_labels

    def counts(self, user: User) -> dict[str, int]:
        conditions = waiting_q(user)
        if not conditions:
            return {}
        found = SubsidyApplication.objects.aggregate(
            **{kind: Count("pk", filter=q) for kind, q in conditions.items()}
        )
        return {kind: n for kind, n in found.items() if n}

    def todo(self, user: User, *, limit: int) -> list[TodoItem]:
        labels = APPLICATION_TABLE.todo_labels
        items: list[TodoItem] = []
        for kind, q in waiting_q(user).items():
            rows = SubsidyApplication.objects.filter(q).select_related("talent__org_unit", "policy")
            for a in rows.order_by("updated_at", "pk")[:limit]:
                items.append(TodoItem(
                    kind=kind, heading=str(labels[kind]), machine=self.name, code=a.talent.name, label=_describe(a),
                    link=_link(a.pk), since=a.updated_at, unit=a.talent.org_unit.name,
                ))
        return items

    def raised(self, user: User, *, limit: int) -> list[TrackedItem]:
        """我发起的: the applications staff made on a talent's behalf, latest first (a talent
        follows their own on the portal page)."""
        if not user.has_role(*REVIEWER_ROLES):
            return []
        rows = SubsidyApplication.objects.filter(applied_by_id=user.pk).select_related("talent", "policy")
        return [TrackedItem(machine=self.name, code=a.talent.name, label=_describe(a), link=_link(a.pk),
                            state=str(a.get_state_display()), at=a.updated_at)
                for a in rows.order_by("-updated_at", "-pk")[:limit]]

    def done(self, user: User, *, limit: int) -> list[TrackedItem]:
        """已办: the applications the user decided, latest first."""
        rows = SubsidyApplication.objects.filter(decided_by_id=user.pk).select_related("talent", "policy")
        return [TrackedItem(machine=self.name, code=a.talent.name, label=_describe(a), link=_link(a.pk),
                            state=str(a.get_state_display()), at=a.decided_at or a.updated_at)
                for a in rows.order_by("-decided_at", "-pk")[:limit]]
