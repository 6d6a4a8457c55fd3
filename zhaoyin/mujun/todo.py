"""The 亩均 run machine's hand-off notices and its part of 我的待办, from ``flow.RUN_TABLE``.

Who is told (``notify``) and who owes the next step (``waits``):

- ``evaluator``: the 亩均 office's accounts and the city administrators — 待审调档 (a grade
  change another evaluator proposed), 待公示, 异议待处理 (an objection open), 公示期满待发布
  (once the 公示's last day has passed);
- ``firm``: the portal accounts of the enterprises in the run — told when the 公示 opens and
  when the run is published, and of the answer to their own objection.

The objection rows (``uphold``, ``dismiss``) hand off the objection, not the run: its pk is
given negated, so one resolver serves the table and the answer reaches only the objecting
firm. Both are registered in ``MujunConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.core.roles import Role
from zhaoyin.core.todo import TodoItem, TrackedItem
from zhaoyin.core.transitions import Transition
from zhaoyin.mujun.flow import RUN_TABLE, Action, Actor, State
from zhaoyin.mujun.models import ChangeState, MuGradeChange, MuObjection, MuResult, MuRun, ObjectionState
from zhaoyin.mujun.selectors import EVALUATOR_ROLES, READER_ROLES, is_evaluator
from zhaoyin.notifications.handoff import Notice

OBJECT_TYPE = "mujun.murun"


@dataclass
class Subject:
    """What a notice is about: the run, and the objection for the objection rows."""

    run: MuRun
    objection: MuObjection | None = None
    #: The enterprises whose portal accounts may read the run (loaded once per notice).
    firms: set[int] = field(default_factory=set)


def _describe(run: MuRun) -> str:
    return _("%(year)d land-efficiency evaluation (run %(run)d)") % {"year": run.year, "run": run.pk}


def link_for(user: User, run: MuRun) -> str:
    """The run's page for staff; the firm's own results for a portal account."""
    if user.has_role(*READER_ROLES):
        return reverse("mujun:run_detail", kwargs={"pk": run.pk})
    return reverse("mujun:mine")


class RunResolver:
    """The run machine's ``HandoffResolver``."""

    actors = frozenset({Actor.EVALUATOR.value, Actor.FIRM.value})

    def load(self, pk: int) -> Subject | None:
        objection = None
        if pk < 0:
            objection = MuObjection.objects.filter(pk=-pk).select_related("run", "result").first()
            if objection is None:
                return None
            run = objection.run
        else:
            found = MuRun.objects.filter(pk=pk).defer("snapshot").first()
            if found is None:
                return None
            run = found
        return Subject(run=run, objection=objection)

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        s: Subject = obj
        base = User.objects.filter(is_active=True, admin_role="")
        if actor == Actor.EVALUATOR:
            return list(base.filter(role_assignments__role__in=[r.value for r in EVALUATOR_ROLES])
                        .distinct().order_by("pk"))
        if actor == Actor.FIRM:
            if s.objection is not None:
                firms = {s.objection.result.enterprise_id}
            else:
                firms = set(MuResult.objects.filter(run=s.run).values_list("enterprise_id", flat=True))
            s.firms = firms
            return list(base.filter(role_assignments__role=Role.ENTERPRISE.value, enterprise_id__in=firms)
                        .distinct().order_by("pk"))
        return []

    def may_see(self, user: User, obj: Any) -> bool:
        s: Subject = obj
        if user.has_role(*READER_ROLES):
            return True
        return (user.has_role(Role.ENTERPRISE) and s.run.state in (State.PUBLICITY, State.PUBLISHED)
                and user.enterprise_id in s.firms)

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        s: Subject = obj
        run = s.run
        params = {"what": _describe(run)}
        link = reverse("mujun:run_open", kwargs={"pk": run.pk})
        if row.action == Action.START_PUBLICITY:
            title = _("In publicity: %(what)s") % params
            body = _("The results of the %(what)s are in publicity until %(end)s; a firm may object until then.") % (
                params | {"end": run.publicity_end.isoformat() if run.publicity_end else ""})
        elif row.action == Action.PUBLISH:
            title = _("Published: %(what)s") % params
            body = _("The %(what)s is published: its grades are final.") % params
        elif row.action == Action.OBJECT:
            title = _("Objection to answer: %(what)s") % params
            body = _("A firm objected to its result in the %(what)s.") % params
        elif row.action in (Action.UPHOLD, Action.DISMISS) and s.objection is not None:
            o = s.objection
            title = (_("Objection upheld: %(what)s") if row.action == Action.UPHOLD
                     else _("Objection dismissed: %(what)s")) % params
            body = _("Your objection was answered: %(answer)s") % {"answer": o.answer}
            if row.action == Action.UPHOLD:
                body += " " + _("Grade before: %(before)s; after: %(after)s.") % {
                    "before": o.grade_before or "-", "after": o.grade_after or "-"}
            link = reverse("mujun:result", kwargs={"pk": o.result_id})
        elif row.action == Action.PROPOSE_GRADE:
            title = _("Grade change to decide: %(what)s") % params
            body = title
        else:
            title = _("%(what)s: %(action)s") % (params | {"action": row.label})
            body = title
        return Notice(title=str(title)[:200], body=str(body), link=link, object_type=OBJECT_TYPE,
                      object_id=str(run.pk))

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        """Nothing else to record: no scan sends run notices."""


def _condition(when: str, user: User) -> Q:
    if when == "grade_change_pending":
        # Four-eyes: the proposer does not owe the decision of their own proposal.
        return Q(Exists(MuGradeChange.objects.filter(run=OuterRef("pk"), state=ChangeState.PROPOSED)
                        .exclude(proposed_by_id=user.pk)))
    if when == "objection_open":
        return Q(Exists(MuObjection.objects.filter(run=OuterRef("pk"), state=ObjectionState.OPEN)))
    if when == "publicity_over":
        return Q(publicity_end__lt=timezone.localdate())
    return Q()


def waiting_q(user: User) -> dict[str, Q]:
    """Heading code → the runs listed under it for ``user``, from the table's waits."""
    out: dict[str, Q] = {}
    if not is_evaluator(user):
        return out
    for state, waits in RUN_TABLE.waits.items():
        for wait in waits:
            if wait.actor != Actor.EVALUATOR:
                continue
            q = Q(state=state.value) & _condition(wait.when, user)
            out[wait.todo] = out[wait.todo] | q if wait.todo in out else q
    return out


class RunTodo:
    """The run machine's ``TodoProvider``."""

    name = "mujun_run"

    def headings(self) -> dict[str, Any]:
        return RUN_TABLE.todo_labels

    def counts(self, user: User) -> dict[str, int]:
        conditions = waiting_q(user)
        if not conditions:
            return {}
        found = MuRun.objects.aggregate(**{kind: Count("pk", filter=q) for kind, q in conditions.items()})
        return {kind: n for kind, n in found.items() if n}

    def todo(self, user: User, *, limit: int) -> list[TodoItem]:
        labels = RUN_TABLE.todo_labels
        items: list[TodoItem] = []
        for kind, q in waiting_q(user).items():
            for run in MuRun.objects.filter(q).defer("snapshot").order_by("updated_at", "pk")[:limit]:
                deadline = run.publicity_end if run.state == State.PUBLICITY else None
                items.append(TodoItem(
                    kind=kind, heading=str(labels[kind]), machine=self.name, code=f"{run.year}-{run.pk}",
                    label=_describe(run), link=link_for(user, run), deadline=deadline, since=run.updated_at,
                    unit="",
                ))
        return items

    def raised(self, user: User, *, limit: int) -> list[TrackedItem]:
        """我发起的: the runs the user made, latest first (only evaluators make runs: no query
        for anyone else)."""
        if not is_evaluator(user):
            return []
        rows = MuRun.objects.filter(created_by_id=user.pk).defer("snapshot").order_by("-updated_at")[:limit]
        return [TrackedItem(machine=self.name, code=f"{r.year}-{r.pk}", label=_describe(r), link=link_for(user, r),
                            state=str(r.get_state_display()), at=r.updated_at) for r in rows]

    def done(self, user: User, *, limit: int) -> list[TrackedItem]:
        """已办: the runs whose grade changes or objections the user decided, latest first (only
        evaluators decide them)."""
        if not is_evaluator(user):
            return []
        ids = set(MuGradeChange.objects.filter(decided_by_id=user.pk).values_list("run_id", flat=True)[:limit])
        ids |= set(MuObjection.objects.filter(answered_by_id=user.pk).values_list("run_id", flat=True)[:limit])
        rows = MuRun.objects.filter(pk__in=ids).defer("snapshot").order_by("-updated_at")[:limit]
        return [TrackedItem(machine=self.name, code=f"{r.year}-{r.pk}", label=_describe(r), link=link_for(user, r),
                            state=str(r.get_state_display()), at=r.updated_at) for r in rows]
