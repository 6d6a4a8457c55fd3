"""The talent projects' hand-off notices and their part of 我的待办, from ``flow.TABLE``'s
``WAITS`` and rows' ``notify`` (registered in ``TalentProjectsConfig.ready``).

- ``recommender``: the unit admins and staff whose unit is the project's unit or above it (their
  scope holds it) and the talent office — told of a new application; 我的待办 lists the applied
  projects in the user's scope under 待推荐 for every role of ``flow.RECOMMENDERS`` (the city
  admin included: they may act on any, but are not told of each one);
- ``decider``: the talent office — told of a recommendation (待立项) and of an approval (待拨付,
  listed while part of the approved amount is unpaid); 我的待办 lists them for every role of
  ``flow.DECIDERS``;
- ``applicant``: the talent's portal account and whoever registered the application — told of
  each decision (recommended, not recommended, approved, not approved, a disbursement, a
  withdrawal by staff) with a link that opens the portal page for the talent and the staff
  page for staff.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import UNIT_ROLES, Role
from zhaoyin.core.todo import TodoItem, TrackedItem
from zhaoyin.core.transitions import Transition
from zhaoyin.notifications.handoff import Notice
from zhaoyin.talentprojects import flow
from zhaoyin.talentprojects.models import TalentProject
from zhaoyin.talentprojects.selectors import actors_of, project_scope_q

#: The audit records' object type of a project (``audit_write``'s model label).
OBJECT_TYPE = "talentprojects.talentproject"
#: The audited actions of the table (已办 reads them: the model keeps no "decided by").
_AUDITED = [f"talent_project.{a.value}" for a in flow.Action]


def _describe(p: TalentProject) -> str:
    return f"{p.title} · {p.talent.name}"


def link_to(pk: int) -> str:
    """A notice's link: the page that sends the talent to their portal page, staff to theirs."""
    return reverse("talentprojects:open", kwargs={"pk": pk})


class TalentProjectResolver:
    """The talent-project machine's ``HandoffResolver``."""

    actors = frozenset({flow.RECOMMENDER, flow.DECIDER, flow.APPLICANT})

    def load(self, pk: int) -> TalentProject | None:
        return TalentProject.objects.filter(pk=pk).select_related("talent", "org_unit", "round__programme").first()

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        p: TalentProject = obj
        base = User.objects.filter(is_active=True, admin_role="")
        if actor == flow.APPLICANT:
            ids = {pk for pk in (p.talent.account_id, p.created_by_id) if pk is not None}
            return list(base.filter(pk__in=ids).order_by("pk"))
        if actor == flow.RECOMMENDER:
            above = [int(part) for part in p.org_unit.path.strip("/").split("/") if part]
            return list(
                base.filter(
                    Q(role_assignments__role=Role.TALENT_OFFICE.value)
                    | Q(role_assignments__role__in=[r.value for r in UNIT_ROLES], org_unit_id__in=above)
                ).distinct().order_by("pk")
            )
        if actor == flow.DECIDER:
            return list(base.filter(role_assignments__role=Role.TALENT_OFFICE.value).distinct().order_by("pk"))
        return []

    def may_see(self, user: User, obj: Any) -> bool:
        return TalentProject.objects.filter(project_scope_q(user), pk=obj.pk).exists()

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        p: TalentProject = obj
        params = {"what": _describe(p), "reason": p.reason, "approved": p.approved_wan, "funded": p.funded_wan}
        if row.action == flow.Action.RECOMMEND:
            title = _("Talent project recommended: %(what)s") % params
            body = _("Next: approval (立项) by the talent office.")
        elif row.action == flow.Action.APPROVE:
            title = _("Talent project approved: %(what)s") % params
            body = _("Approved amount: %(approved)s 万元; the funds are paid in one or more disbursements.") % params
        elif row.action == flow.Action.FUND:
            title = _("Talent project funds paid: %(what)s") % params
            body = _("%(funded)s of the approved %(approved)s 万元 have been paid.") % params
        elif row.action == flow.Action.NOT_RECOMMEND:
            title = _("Talent project not recommended: %(what)s") % params
            body = _("Reason: %(reason)s") % params
        elif row.action == flow.Action.REJECT:
            title = _("Talent project not approved: %(what)s") % params
            body = _("Reason: %(reason)s") % params
        elif row.action == flow.Action.WITHDRAW:
            title = _("Talent project withdrawn: %(what)s") % params
            body = _("Reason: %(reason)s") % params
        else:  # the application (flow.APPLY): the recommenders' work
            title = _("Talent project to recommend: %(what)s") % params
            body = _("%(programme)s · %(round)s: %(wan)s 万元 requested.") % {
                "programme": p.round.programme.name, "round": p.round.name, "wan": p.requested_wan}
        return Notice(title=str(title)[:200], body=str(body), link=link_to(p.pk), object_type=OBJECT_TYPE,
                      object_id=str(p.pk))

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        """Nothing else to record: no scan sends these notices."""


def _held(user: User) -> set[str]:
    """The waiting actors ``user`` holds (by role; the scope is the selectors')."""
    roles = actors_of(user)
    return {actor for actor, codes in ((flow.RECOMMENDER, flow.RECOMMENDERS), (flow.DECIDER, flow.DECIDERS))
            if roles & codes}


def _condition(when: str) -> Q:
    if when == flow.FUNDS_LEFT:
        return Q(funded_wan__lt=F("approved_wan"))
    if when:
        raise ValueError(f"unknown wait condition {when!r}")
    return Q()


def waiting_q(user: User) -> dict[str, Q]:
    """Heading code → the projects listed under it for ``user``, from the table's waits."""
    out: dict[str, Q] = {}
    if not user.is_authenticated or user.admin_role:
        return out
    held = _held(user)
    if not held:
        return out
    scope = project_scope_q(user)
    for state, waits in flow.TABLE.waits.items():
        for wait in waits:
            if wait.actor in held:
                q = Q(state=state.value) & _condition(wait.when) & scope
                out[wait.todo] = out[wait.todo] | q if wait.todo in out else q
    return out


class TalentProjectTodo:
    """The talent-project machine's ``TodoProvider``."""

    name = "talent_project"

    def headings(self) -> dict[str, Any]:
        return flow.TABLE.todo_labels

    def counts(self, user: User) -> dict[str, int]:
        conditions = waiting_q(user)
        if not conditions:
            return {}
        found = TalentProject.objects.aggregate(**{kind: Count("pk", filter=q) for kind, q in conditions.items()})
        return {kind: n for kind, n in found.items() if n}

    def todo(self, user: User, *, limit: int) -> list[TodoItem]:
        labels = flow.TABLE.todo_labels
        items: list[TodoItem] = []
        for kind, q in waiting_q(user).items():
            rows = TalentProject.objects.filter(q).select_related("talent", "org_unit")
            for p in rows.order_by("updated_at", "pk")[:limit]:
                items.append(TodoItem(
                    kind=kind, heading=str(labels[kind]), machine=self.name, code=p.talent.name, label=p.title,
                    link=reverse("talentprojects:detail", args=[p.pk]), since=p.updated_at, unit=p.org_unit.name,
                ))
        return items

    def raised(self, user: User, *, limit: int) -> list[TrackedItem]:
        """我发起的: the applications the user registered for a talent, latest first (a talent
        follows their own on the portal page)."""
        if not actors_of(user):
            return []
        rows = TalentProject.objects.filter(project_scope_q(user), created_by_id=user.pk).select_related("talent")
        return [TrackedItem(machine=self.name, code=p.talent.name, label=p.title,
                            link=reverse("talentprojects:detail", args=[p.pk]), state=str(p.get_state_display()),
                            at=p.updated_at)
                for p in rows.order_by("-updated_at", "-pk")[:limit]]

    def done(self, user: User, *, limit: int) -> list[TrackedItem]:
        """已办: the user's latest steps on projects, from the audit trail (one query, two when
        there are steps)."""
        if not actors_of(user):
            return []
        # ``actor`` (the username) is indexed: the user's own records, not a scan of the log.
        steps = list(
            AuditRecord.objects.filter(actor=user.get_username(), actor_id=user.pk, action__in=_AUDITED,
                                       object_type=OBJECT_TYPE)
            .order_by("-at", "-pk").values_list("object_id", "action", "at")[:limit]
        )
        projects = TalentProject.objects.filter(project_scope_q(user)).select_related("talent").in_bulk(
            [int(pk) for pk, _action, _at in steps if pk.isdigit()]
        )
        out: list[TrackedItem] = []
        for pk, action, at in steps:
            p = projects.get(int(pk)) if pk.isdigit() else None
            rule = flow.TABLE.get(action.removeprefix("talent_project."))
            if p is None or rule is None:
                continue
            out.append(TrackedItem(machine=self.name, code=p.talent.name, label=p.title,
                                   link=reverse("talentprojects:detail", args=[p.pk]),
                                   state=str(p.get_state_display()), at=at, what=str(rule.label)))
        return out
