"""The only writers of 评价办法 (schemes) and of projects' 亩均 conditions (履约).

Schemes: the evaluators (``selectors.EVALUATOR_ROLES``: the 亩均 office and the city
administrator) create, change, copy and delete them; everyone else is refused (403, audited as
denied). A change is compared and set on ``version`` (stale → 409) and refused on a frozen
scheme (409: a published run uses it — copy it as the next version instead). A draft no run
uses may be deleted. ``scheme_freeze`` is the runs' publish step's (no user check: it runs
inside the publish, which has checked its actor). The definition was judged by the input model
(``scheme_inputs.normalize_definition``): a bad one never reaches here.

Conditions: a project's editors (``projects.selectors.can_edit_project``: the city
administrator, the project's unit roles) add and remove them and turn a breach into a matter,
once (``matters.services.matter_create``, source 项目推进问题, lead unit the project's unit).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_denied, audit_write, diff, snapshot
from zhaoyin.core.errors import Conflict
from zhaoyin.matters.choices import MatterKind, MatterSource
from zhaoyin.matters.inputs import MatterCreateInput
from zhaoyin.matters.models import Matter
from zhaoyin.matters.services import matter_create
from zhaoyin.mujun.models import DEFAULT_PUBLICITY_DAYS, MuCondition, MuScheme, SchemeStatus
from zhaoyin.mujun.scheme_conditions import ConditionStatus, condition_status
from zhaoyin.mujun.scheme_inputs import ConditionInput, SchemeChangeInput, SchemeCopyInput, SchemeCreateInput
from zhaoyin.mujun.selectors import is_evaluator
from zhaoyin.projects.models import Project
from zhaoyin.projects.selectors import can_edit_project

# ---- schemes --------------------------------------------------------------------------------------


def _refuse_unless_evaluator(user: User, action: str, target: str) -> None:
    if not is_evaluator(user):
        audit_denied(user=user, action=f"mu_scheme.{action}_denied", target=target)
        raise PermissionDenied(
            _("Only the land-efficiency office and city administrators change the evaluation schemes."))


def _next_number(year: int) -> int:
    return (MuScheme.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0) + 1


def _create_numbered(values: dict[str, Any]) -> MuScheme:
    """Insert with the year's next number; a concurrent insert of the same number → 409."""
    values["number"] = _next_number(values["year"])
    try:
        with transaction.atomic():
            return MuScheme.objects.create(**values)
    except IntegrityError:
        raise Conflict(_("Another version of this year's scheme was created meanwhile; try again.")) from None


def scheme_create(*, acting_user: User, data: SchemeCreateInput) -> MuScheme:
    """A new draft scheme for ``data.year``, numbered the year's next version. Audited as
    "mu_scheme.create"."""
    _refuse_unless_evaluator(acting_user, "create", f"mu scheme {data.year}")
    with transaction.atomic():
        scheme = _create_numbered({
            "year": data.year, "name": data.name, "definition": data.definition, "note": data.note,
            "publicity_days": data.publicity_days or DEFAULT_PUBLICITY_DAYS, "created_by": acting_user,
        })
        audit_write(action="mu_scheme.create", user=acting_user, obj=scheme, after=snapshot(scheme))
    return scheme


def _locked(scheme: MuScheme, version: int | None) -> MuScheme:
    current = MuScheme.objects.select_for_update().get(pk=scheme.pk)
    if current.version != (scheme.version if version is None else version):
        raise Conflict(_("Someone else changed this scheme meanwhile; reload it and try again."))
    return current


def _frozen() -> Conflict:
    return Conflict(_("This scheme is frozen: a published run uses it. Copy it as a new version to change it."))


def scheme_change(*, acting_user: User, scheme: MuScheme, data: SchemeChangeInput) -> MuScheme:
    """Change a draft (only the fields given). A frozen scheme → 409; a stale version → 409.
    Runs not yet published that use the draft keep their digest of the definition they ran
    on (``MuRun.scheme_digest``) and take the new one when re-computed. Audited as
    "mu_scheme.change"."""
    _refuse_unless_evaluator(acting_user, "change", f"mu scheme {scheme.pk}")
    with transaction.atomic():
        current = _locked(scheme, data.version)
        if current.is_frozen:
            raise _frozen()
        given = data.given()
        before = snapshot(current)
        if "name" in given and data.name is not None:
            current.name = data.name
        if "publicity_days" in given and data.publicity_days is not None:
            current.publicity_days = data.publicity_days
        if "note" in given and data.note is not None:
            current.note = data.note
        if "definition" in given and data.definition is not None:
            current.definition = data.definition
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        old, new = diff(before, snapshot(current))
        audit_write(action="mu_scheme.change", user=acting_user, obj=current, before=old, after=new)
    return current


def scheme_copy(*, acting_user: User, scheme: MuScheme, data: SchemeCopyInput) -> MuScheme:
    """A draft copy of ``scheme`` as its year's next version (the way a frozen scheme is
    changed). Audited as "mu_scheme.copy"."""
    _refuse_unless_evaluator(acting_user, "copy", f"mu scheme {scheme.pk}")
    with transaction.atomic():
        source = MuScheme.objects.get(pk=scheme.pk)
        copy = _create_numbered({
            "year": source.year, "name": data.name or source.name, "definition": source.definition,
            "publicity_days": source.publicity_days, "note": source.note, "created_by": acting_user,
        })
        audit_write(action="mu_scheme.copy", user=acting_user, obj=copy,
                    after=snapshot(copy) | {"copied_from": source.pk})
    return copy


def scheme_delete(*, acting_user: User, scheme: MuScheme, version: int | None = None) -> None:
    """Delete a draft that no run uses (a frozen scheme or one a run uses → 409: the runs keep
    the scheme they ran on). Audited as "mu_scheme.delete"."""
    _refuse_unless_evaluator(acting_user, "delete", f"mu scheme {scheme.pk}")
    with transaction.atomic():
        current = _locked(scheme, version)
        if current.is_frozen:
            raise _frozen()
        if current.runs.exists():
            raise Conflict(_("A run uses this scheme; it is kept with the run."))
        before = snapshot(current)
        audit_write(action="mu_scheme.delete", user=acting_user, obj=current, before=before)
        current.delete()


def scheme_freeze(scheme: MuScheme, *, acting_user: User | None = None) -> MuScheme:
    """Freeze ``scheme`` — called by the runs part when a run that uses it is published, inside
    that transaction. Already frozen: nothing changes. Audited as "mu_scheme.freeze"."""
    with transaction.atomic():
        current = MuScheme.objects.select_for_update().get(pk=scheme.pk)
        if current.is_frozen:
            return current
        now = timezone.now()
        current.status, current.frozen_at, current.updated_at = SchemeStatus.FROZEN, now, now
        current.version += 1
        current.save(update_fields=["status", "frozen_at", "updated_at", "version"])
        audit_write(action="mu_scheme.freeze", user=acting_user, obj=current,
                    after={"status": current.status, "version": current.version})
    return current


# ---- 履约 conditions -------------------------------------------------------------------------------


def _refuse_unless_project_editor(user: User, project: Project, action: str) -> None:
    if user.admin_role or not can_edit_project(user, project):
        audit_denied(user=user, action=f"mu_condition.{action}_denied", target=f"project {project.pk}")
        raise PermissionDenied(_("Only the project's editors change its agreement conditions."))


def condition_create(*, acting_user: User, project: Project, data: ConditionInput) -> MuCondition:
    """Add a 亩均 condition of the project's investment agreement. Audited as
    "mu_condition.create"."""
    _refuse_unless_project_editor(acting_user, project, "create")
    name, formula = data.resolved()
    with transaction.atomic():
        condition = MuCondition.objects.create(
            project=project, name=name, formula=formula, threshold=data.threshold, from_year=data.from_year,
            note=data.note, created_by=acting_user,
        )
        audit_write(action="mu_condition.create", user=acting_user, obj=condition, after=snapshot(condition))
    return condition


def condition_delete(*, acting_user: User, condition: MuCondition) -> None:
    """Remove a condition (entered by mistake). One that became a matter is kept with it (409).
    Audited as "mu_condition.delete"."""
    _refuse_unless_project_editor(acting_user, condition.project, "delete")
    with transaction.atomic():
        current = MuCondition.objects.select_for_update().get(pk=condition.pk)
        if current.matter_id is not None:
            raise Conflict(_("This condition's breach became a matter; it is kept with it."))
        audit_write(action="mu_condition.delete", user=acting_user, obj=current, before=snapshot(current))
        current.delete()


def condition_raise_matter(*, acting_user: User, condition: MuCondition) -> Matter:
    """Turn a breached condition into a matter (项目推进问题, lead unit the project's unit,
    linked to the project and its enterprise), once: a condition that has its matter, or is
    not breached on the latest published result, → 409. The matter is a draft the dispatcher
    assigns. Audited as "mu_condition.matter"."""
    project = condition.project
    _refuse_unless_project_editor(acting_user, project, "matter")
    with transaction.atomic():
        # Lock the condition's row only (the investor is an outer join PostgreSQL will not lock).
        current = MuCondition.objects.select_for_update(of=("self",)).select_related(
            "project__org_unit", "project__investor").get(pk=condition.pk)
        if current.matter_id is not None:
            raise Conflict(_("This condition's breach is already a matter."))
        status = condition_status(current)
        if status.state != ConditionStatus.BREACHED:
            raise Conflict(_("Only a breached condition becomes a matter."))
        description = _(
            "%(project)s: the investment agreement requires %(name)s of at least %(threshold)s from %(from)s; "
            "the %(year)s evaluation gives %(value)s. Clause: %(clause)s"
        ) % {
            "project": current.project.name, "name": current.name, "threshold": current.threshold,
            "from": current.from_year, "year": status.year, "value": status.value, "clause": current.note or "—",
        }
        matter = matter_create(acting_user=acting_user, data=MatterCreateInput.of(
            title=_("Land-efficiency condition breached: %(name)s") % {"name": current.project.name[:80]},
            source=MatterSource.PROJECT_OBSTACLE.value,
            kind=MatterKind.COORDINATION.value,
            description=description,
            project=str(current.project.pk),
            enterprise=current.project.investor_id,
            lead_unit=current.project.org_unit.code,
        ))
        current.matter = matter
        current.save(update_fields=["matter"])
        audit_write(action="mu_condition.matter", user=acting_user, obj=current, after={"matter": matter.pk})
    return matter
