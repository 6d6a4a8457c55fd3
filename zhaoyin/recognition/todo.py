"""Recognition's hand-off notices and its part of 我的待办, from ``flow.RECOGNITION_TABLE``.

Who is told (``notify``) and who owes the next step (``waits``):

- ``unit_reviewer``: the unit administrators and staff whose unit is the talent's org unit or
  above it (the county, park or department of the employer) — 待初审;
- ``office``: the talent office's accounts — 待复审, 异议待答复 (while an objection is open),
  公示期满待认定 (once the publicity's end date has passed);
- ``applicant``: the talent's portal account and whoever made the application — 待补正.

Both are registered in ``RecognitionConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.accounts.scope import subtree_ids
from zhaoyin.core.roles import UNIT_ROLES, Role
from zhaoyin.core.todo import TodoItem, TrackedItem
from zhaoyin.core.transitions import Transition
from zhaoyin.notifications.handoff import Notice
from zhaoyin.recognition.flow import RECOGNITION_TABLE, Action, Actor, State
from zhaoyin.recognition.models import Recognition, RecognitionObjection
from zhaoyin.recognition.selectors import recognition_scope_q

OBJECT_TYPE = "recognition.recognition"


def _portal_user(user: User) -> bool:
    return user.has_role(Role.TALENT) and not user.has_role(*(set(Role) - {Role.TALENT}))


def link_for(user: User, pk: int) -> str:
    """The application's page for ``user``: the portal's for a talent, the internal one else."""
    if _portal_user(user):
        return reverse("recognition:mine_detail", kwargs={"pk": pk})
    return reverse("recognition:detail", kwargs={"pk": pk})


def _describe(r: Recognition) -> str:
    return f"{r.talent.name} · {r.get_claimed_tier_display()}"


class RecognitionResolver:
    """The recognition machine's ``HandoffResolver``."""

    actors = frozenset({Actor.UNIT_REVIEWER.value, Actor.OFFICE.value, Actor.APPLICANT.value})

    def load(self, pk: int) -> Recognition | None:
        return Recognition.objects.filter(pk=pk).select_related("talent__org_unit", "applied_by").first()

    def recipients(self, obj: Any, actor: str) -> Iterable[User]:
        r: Recognition = obj
        base = User.objects.filter(is_active=True, admin_role="").select_related("org_unit")
        if actor == Actor.APPLICANT:
            ids = {pk for pk in (r.talent.account_id, r.applied_by_id) if pk is not None}
            return list(base.filter(pk__in=ids).order_by("pk"))
        if actor == Actor.OFFICE:
            return list(base.filter(role_assignments__role=Role.TALENT_OFFICE.value).distinct().order_by("pk"))
        if actor == Actor.UNIT_REVIEWER:
            above = [int(part) for part in r.talent.org_unit.path.strip("/").split("/") if part]
            return list(
                base.filter(role_assignments__role__in=[x.value for x in UNIT_ROLES], org_unit_id__in=above)
                .distinct().order_by("pk")
            )
        return []

    def may_see(self, user: User, obj: Any) -> bool:
        r: Recognition = obj
        if _portal_user(user):
            return r.talent.account_id == user.pk
        return Recognition.objects.filter(recognition_scope_q(user), pk=r.pk).exists()

    def notice(self, obj: Any, row: Transition[Any, Any], source: str) -> Notice:
        r: Recognition = obj
        params = {"what": _describe(r), "state": r.get_state_display()}
        if row.action == "apply" or row.action == Action.RESUBMIT:
            title = _("Recognition to review: %(what)s") % params
            body = _("The recognition application %(what)s waits for its first review.") % params
        elif row.action == Action.SECOND_PASS:
            title = _("Recognition in publicity: %(what)s") % params
            body = _("The application %(what)s is in publicity until %(end)s.") % (
                params | {"end": r.publicity_end.isoformat() if r.publicity_end else ""}
            )
        elif row.action == Action.RECOGNIZE:
            title = _("Recognized: %(what)s") % params
            until = r.valid_until.isoformat() if r.valid_until else ""
            body = _("Recognized as tier %(tier)s, certificate %(no)s, valid until %(until)s.") % {
                "tier": r.tier, "no": r.certificate_no or "", "until": until,
            }
        elif row.action in (Action.FIRST_REFUSE, Action.SECOND_REFUSE, Action.REFUSE):
            title = _("Not recognized: %(what)s") % params
            body = _("The application %(what)s was not recognized: %(reason)s") % (
                params | {"reason": r.refusal_reason}
            )
        elif row.action == Action.FIRST_RETURN:
            title = _("Recognition returned to complete: %(what)s") % params
            body = _("The application %(what)s was returned: %(reason)s") % (params | {"reason": r.return_reason})
        else:
            title = _("Recognition: %(what)s is now %(state)s") % params
            body = title
        return Notice(title=str(title)[:200], body=str(body), link=reverse("recognition:open", kwargs={"pk": r.pk}),
                      object_type=OBJECT_TYPE, object_id=str(r.pk))

    def issued(self, obj: Any, row: Transition[Any, Any], people: Sequence[User]) -> None:
        """Nothing else to record: no scan sends recognition notices."""


def actor_q(user: User, actor: str) -> Q | None:
    """The applications for which ``user`` owes work as ``actor`` (None: none)."""
    if actor == Actor.UNIT_REVIEWER and user.has_role(*UNIT_ROLES) and user.org_unit_id is not None:
        return Q(talent__org_unit_id__in=subtree_ids(user))
    if actor == Actor.OFFICE and user.has_role(Role.TALENT_OFFICE):
        return Q()
    if actor == Actor.APPLICANT:
        return Q(talent__account_id=user.pk) | Q(applied_by_id=user.pk)
    return None


def _condition(when: str) -> Q:
    if when == "objection_open":
        return Q(Exists(RecognitionObjection.objects.filter(recognition=OuterRef("pk"), answered_at__isnull=True)))
    if when == "publicity_over":
        return Q(publicity_end__lt=timezone.localdate())
    return Q()


def waiting_q(user: User) -> dict[str, Q]:
    """Heading code → the applications listed under it for ``user``, from the table's waits."""
    out: dict[str, Q] = {}
    if not user.is_authenticated or user.admin_role:
        return out
    for state, waits in RECOGNITION_TABLE.waits.items():
        for wait in waits:
            holder = actor_q(user, wait.actor)
            if holder is not None:
                q = Q(state=state.value) & holder & _condition(wait.when)
                out[wait.todo] = out[wait.todo] | q if wait.todo in out else q
    return out


class RecognitionTodo:
    """The recognition machine's ``TodoProvider``."""

    name = "recognition"

    def headings(self) -> dict[str, Any]:
        return RECOGNITION_TABLE.todo_labels

    def counts(self, user: User) -> dict[str, int]:
        conditions = waiting_q(user)
        if not conditions:
            return {}
        found = Recognition.objects.aggregate(**{kind: Count("pk", filter=q) for kind, q in conditions.items()})
        return {kind: n for kind, n in found.items() if n}

    def todo(self, user: User, *, limit: int) -> list[TodoItem]:
        conditions = waiting_q(user)
        labels = RECOGNITION_TABLE.todo_labels
        items: list[TodoItem] = []
        for kind, q in conditions.items():
            for r in Recognition.objects.filter(q).select_related("talent__org_unit").order_by("updated_at", "pk")[
                :limit
            ]:
                deadline = r.publicity_end if r.state == State.PUBLICITY.value else None
                items.append(TodoItem(
                    kind=kind, heading=str(labels[kind]), machine=self.name, code=r.talent.name, label=_describe(r),
                    link=link_for(user, r.pk), deadline=deadline, since=r.updated_at, unit=r.talent.org_unit.name,
                ))
        return items

    def raised(self, user: User, *, limit: int) -> list[TrackedItem]:
        """我发起的: the applications the user made, latest first."""
        rows = Recognition.objects.filter(applied_by_id=user.pk).select_related("talent").order_by("-updated_at")[
            :limit
        ]
        return [TrackedItem(machine=self.name, code=r.talent.name, label=_describe(r), link=link_for(user, r.pk),
                            state=str(r.get_state_display()), at=r.updated_at) for r in rows]

    def done(self, user: User, *, limit: int) -> list[TrackedItem]:
        """已办: the applications the user reviewed or decided, latest first."""
        rows = (
            Recognition.objects.filter(Q(first_reviewer_id=user.pk) | Q(second_reviewer_id=user.pk)
                                       | Q(decided_by_id=user.pk))
            .select_related("talent").order_by("-updated_at")[:limit]
        )
        return [TrackedItem(machine=self.name, code=r.talent.name, label=_describe(r), link=link_for(user, r.pk),
                            state=str(r.get_state_display()), at=r.updated_at) for r in rows]
