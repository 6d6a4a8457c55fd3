"""Writes of targets (DESIGN 3.3): only the city admin sets them; every write is audited."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.audit.services import audit_write
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.validation import clean_decimal
from zhaoyin.targets.indicators import REGISTRY
from zhaoyin.targets.models import Target, TargetMonthPlan
from zhaoyin.targets.selectors import MAX_YEAR, MIN_YEAR, can_edit_targets


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


def _clean_plan(month_plan: Mapping[Any, Any], value: Decimal) -> dict[int, Decimal]:
    """Month → planned cumulative value: months 1–12, non-negative, never decreasing, not above
    the annual target."""
    plan: dict[int, Decimal] = {}
    for key, raw in month_plan.items():
        if raw in (None, ""):
            continue
        try:
            month = int(key)
        except (TypeError, ValueError):
            month = 0
        field = f"month_plan.{key}"
        if not 1 <= month <= 12:
            raise InvalidInput.field(field, _("A month is a number from 1 to 12."))
        try:
            plan[month] = clean_decimal(raw)
        except ValueError as exc:
            raise InvalidInput.field(field, exc) from None
        if plan[month] > value:
            raise InvalidInput.field(field, _("A planned value cannot exceed the annual target."))
    previous = Decimal(0)
    for month in sorted(plan):
        if plan[month] < previous:
            raise InvalidInput.field(f"month_plan.{month}", _("The monthly plan is cumulative: it cannot decrease."))
        previous = plan[month]
    return plan


@transaction.atomic
def target_set(
    *,
    acting_user: User,
    year: int,
    indicator: str,
    org_unit: OrgUnit,
    value: Any,
    month_plan: Mapping[Any, Any] | None = None,
) -> Target:
    """Create or change the target of ``org_unit`` for ``indicator`` in ``year``.

    ``month_plan`` (month → planned cumulative value) replaces the monthly plan when given;
    an empty mapping removes it; None keeps it. Audited as ``target.set``.
    """
    if not can_edit_targets(acting_user):
        raise PermissionDenied
    errors: list[dict[str, str]] = []
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors.append({"field": "year", "message": _("Enter a year between 2000 and 2100.")})
    ind = REGISTRY.get(indicator)
    if ind is None:
        errors.append({"field": "indicator", "message": _("Unknown indicator.")})
    amount = Decimal(0)
    try:
        amount = clean_decimal(value)
        if amount <= 0:
            raise ValueError(_("must be greater than zero"))
    except ValueError as exc:
        errors.append({"field": "value", "message": str(exc)})
    if errors:
        raise InvalidInput(errors[0]["message"], errors)
    assert ind is not None
    plan = _clean_plan(month_plan, amount) if month_plan is not None else None
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
