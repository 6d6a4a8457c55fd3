"""Writes of targets (DESIGN 3.3): only the city admin sets them; every write is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.services import audit_write
from zhaoyin.targets.indicators import REGISTRY
from zhaoyin.targets.inputs import TargetSetInput
from zhaoyin.targets.models import Target, TargetMonthPlan
from zhaoyin.targets.selectors import can_edit_targets


def _snapshot(target: Target | None) -> dict[str, Any]:
    if target is None:
        return {}
    return {
        "year": target.year,
        "indicator": target.indicator,
        "org_unit": target.org_unit.code,
        "value": str(target.value),
        "month_plan": {str(p.month): str(p.cumulative) for p in target.month_plans.order_by("month")},
    }


@transaction.atomic
def target_set(*, acting_user: User, org_unit: OrgUnit, data: TargetSetInput) -> Target:
    """Create or change the target of ``org_unit`` (resolved by the caller) for
    ``data.indicator`` in ``data.year``.

    ``data.month_plan`` (month → planned cumulative value) replaces the monthly plan when
    given; an empty mapping removes it; None keeps it. Audited as ``target.set``.
    """
    if not can_edit_targets(acting_user):
        raise PermissionDenied
    year, indicator, amount, plan = data.year, data.indicator, data.value, data.month_plan
    ind = REGISTRY[indicator]
    target = Target.objects.select_for_update().filter(year=year, indicator=indicator, org_unit=org_unit).first()
    before = _snapshot(target)
    if target is None:
        target = Target(year=year, indicator=indicator, org_unit=org_unit, unit=ind.unit)
    target.value = amount
    target.unit = ind.unit
    target.updated_by = acting_user
    target.updated_at = timezone.now()
    target.save()
    if plan is not None:
        target.month_plans.all().delete()
        TargetMonthPlan.objects.bulk_create(
            [TargetMonthPlan(target=target, month=m, cumulative=v) for m, v in sorted(plan.items())]
        )
    audit_write(action="target.set", user=acting_user, obj=target, before=before, after=_snapshot(target))
    return target
