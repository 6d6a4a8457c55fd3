"""Enterprise use cases: create, change, yearly figures, published grades. The only writers of enterprise data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write, diff, snapshot
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.enterprises.inputs import EnterpriseInput, EnterpriseUpdateInput, FiguresInput
from zhaoyin.enterprises.models import GRADES, Enterprise, EnterpriseFigure, EnterpriseGrade, GradeKind, Qualification
from zhaoyin.enterprises.selectors import can_create_in_unit, can_edit_enterprise
from zhaoyin.enterprises.signals import send_changed
from zhaoyin.enterprises.validation import CleanEnterprise, Lookups, clean_enterprise, clean_figures


def enterprise_audit_snapshot(enterprise: Enterprise) -> dict[str, Any]:
    data = snapshot(enterprise)
    data["qualifications"] = sorted(q.name for q in enterprise.qualifications.all()) if enterprise.pk else []
    return data


def _differs(enterprise: Enterprise, cleaned: CleanEnterprise, before: Mapping[str, object]) -> bool:
    """True when ``cleaned`` would change anything stored on ``enterprise``."""
    for key, value in cleaned.items():
        if key == "qualifications":
            if sorted(q.name for q in cleaned["qualifications"]) != before.get("qualifications", []):
                return True
        elif getattr(enterprise, key) != value:
            return True
    return False


def _apply(enterprise: Enterprise, cleaned: CleanEnterprise) -> list[Qualification] | None:
    """Set ``cleaned`` on ``enterprise`` (not saved); the qualifications to set after saving."""
    quals = None
    for key, value in cleaned.items():
        if key == "qualifications":
            quals = cleaned["qualifications"]
        else:
            setattr(enterprise, key, value)
    enterprise.refresh_search_text()
    return quals


@transaction.atomic
def enterprise_create(
    *, acting_user: User | None, data: EnterpriseInput, lookups: Lookups | None = None
) -> Enterprise:
    """Register an enterprise. The USCC must be valid and not yet registered; the references
    are looked up among what ``acting_user`` may use (``lookups``: loaded for it already)."""
    cleaned = clean_enterprise(data.values(), lookups=lookups or Lookups.load(acting_user))
    unit = cleaned["org_unit"]
    if acting_user is not None and not can_create_in_unit(acting_user, unit.path):
        # Callers passing lookups of their own are judged again, in the words of an unknown
        # unit (AC-03: an out-of-scope unit answers like an unknown one).
        raise InvalidInput.field("org_unit", _("unknown org unit code"))
    if Enterprise.objects.filter(uscc=cleaned["uscc"]).exists():
        raise InvalidInput.field("uscc", _("An enterprise with this credit code is already registered."))
    enterprise = Enterprise()
    quals = _apply(enterprise, cleaned)
    enterprise.save()
    if quals:
        enterprise.qualifications.set(quals)
    audit_write(
        action="enterprise.create", user=acting_user, obj=enterprise, after=enterprise_audit_snapshot(enterprise)
    )
    send_changed({enterprise.pk: None})
    return enterprise


@transaction.atomic
def enterprise_update(
    *,
    acting_user: User | None,
    enterprise: Enterprise,
    data: EnterpriseUpdateInput,
    lookups: Lookups | None = None,
) -> Enterprise:
    """Change an enterprise (PATCH semantics). ``data.version`` guards against lost updates
    (CONC-01)."""
    if acting_user is not None and not can_edit_enterprise(acting_user, enterprise):
        raise PermissionDenied
    version = data.version
    cleaned = clean_enterprise(
        data.values(), lookups=lookups or Lookups.load(acting_user, keep=enterprise.org_unit), partial=True
    )
    if (
        "org_unit" in cleaned
        and acting_user is not None
        and cleaned["org_unit"] != enterprise.org_unit
        and not can_create_in_unit(acting_user, cleaned["org_unit"].path)
    ):
        raise InvalidInput.field("org_unit", _("unknown org unit code"))
    if "uscc" in cleaned and Enterprise.objects.filter(uscc=cleaned["uscc"]).exclude(pk=enterprise.pk).exists():
        raise InvalidInput.field("uscc", _("An enterprise with this credit code is already registered."))
    before = enterprise_audit_snapshot(enterprise)
    if not _differs(enterprise, cleaned, before):
        # Saving what is already stored changes nothing: no new version, no audit record
        # (an import of the same file twice leaves the database as it was).
        return enterprise
    current_version = enterprise.version if version is None else version
    quals = _apply(enterprise, cleaned)
    enterprise.updated_at = timezone.now()
    update_fields = [k for k in cleaned if k != "qualifications"] + ["search_text", "updated_at"]
    values = {f: getattr(enterprise, f) for f in update_fields}
    changed = Enterprise.objects.filter(pk=enterprise.pk, version=current_version).update(
        version=current_version + 1, **values
    )
    if changed != 1:
        raise Conflict(_("This enterprise was changed by someone else; reload it and apply your change again."))
    enterprise.version = current_version + 1
    if quals is not None:
        enterprise.qualifications.set(quals)
    old, new = diff(before, enterprise_audit_snapshot(enterprise))
    if old or new:
        audit_write(action="enterprise.update", user=acting_user, obj=enterprise, before=old, after=new)
    if new:
        send_changed({enterprise.pk: frozenset(new)})
    return enterprise


@transaction.atomic
def enterprise_figures_set(
    *, acting_user: User | None, enterprise: Enterprise, data: FiguresInput, clear_empty: bool = False
) -> EnterpriseFigure:
    """Create or update one year of figures (re-posting a year updates it).

    Fields left out keep their stored value; with ``clear_empty`` an empty field clears it
    (see ``validation.clean_figures``). Re-posting identical values writes nothing.
    """
    if acting_user is not None and not can_edit_enterprise(acting_user, enterprise):
        raise PermissionDenied
    cleaned = clean_figures(data.values(), clear_empty=clear_empty)
    year = cleaned.pop("year")
    figure, created = EnterpriseFigure.objects.select_for_update().get_or_create(enterprise=enterprise, year=year)
    before = {} if created else snapshot(figure)
    if not created and all(getattr(figure, key) == value for key, value in cleaned.items()):
        return figure
    for key, value in cleaned.items():
        setattr(figure, key, value)
    figure.updated_at = timezone.now()
    figure.save()
    old, new = diff(before, snapshot(figure))
    # The year is named on both sides even when unchanged, so the record says which year it was.
    audit_write(
        action="enterprise.figures",
        user=acting_user,
        obj=enterprise,
        object_repr=f"{enterprise.name} {year}",
        before={**old, "year": year} if old else None,
        after={**new, "year": year},
    )
    send_changed({enterprise.pk: None})
    return figure


@transaction.atomic
def enterprise_grades_replace(
    *, acting_user: User | None, year: int, grades: Mapping[int, str], kind: str = GradeKind.MU
) -> int:
    """Make ``grades`` (enterprise id → A–D) the year's grades of ``kind``: new ones are added,
    changed ones updated, and a firm no longer graded loses the year's grade. The evaluation
    above this app calls it when a run is published (``mujun.grades``), inside its transaction.

    One audit record for the year (counts only: grades are not personal data but a list of a
    thousand changes belongs in the evaluation's own records), and ``enterprises_changed`` for
    every firm whose grade moved, so matching re-matches them after the commit. Returns how
    many grades changed (added, updated or removed)."""
    bad = sorted(str(g) for g in set(grades.values()) if g not in GRADES)
    if bad:
        raise InvalidInput.field("grades", _("Unknown grade: %(grades)s.") % {"grades": ", ".join(bad)})
    stored = dict(
        EnterpriseGrade.objects.select_for_update().filter(kind=kind, year=year).values_list("enterprise_id", "grade")
    )
    now = timezone.now()
    added = [pk for pk in grades if pk not in stored]
    changed = [pk for pk, g in grades.items() if pk in stored and stored[pk] != g]
    removed = [pk for pk in stored if pk not in grades]
    if removed:
        EnterpriseGrade.objects.filter(kind=kind, year=year, enterprise_id__in=removed).delete()
    for pk in changed:
        EnterpriseGrade.objects.filter(kind=kind, year=year, enterprise_id=pk).update(grade=grades[pk], updated_at=now)
    EnterpriseGrade.objects.bulk_create(
        [EnterpriseGrade(enterprise_id=pk, year=year, kind=kind, grade=grades[pk], updated_at=now) for pk in added],
        batch_size=2000,
    )
    moved = [*added, *changed, *removed]
    if moved:
        audit_write(
            action="enterprise.grades_replace",
            user=acting_user,
            object_type="enterprises.enterprisegrade",
            after={"kind": kind, "year": year, "count": len(grades)},
            detail=f"{kind} {year}: +{len(added)} ~{len(changed)} -{len(removed)}",
        )
        send_changed({pk: frozenset({"mu_grade"}) for pk in moved})
    return len(moved)
