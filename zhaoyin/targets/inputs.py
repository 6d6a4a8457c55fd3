"""The input of setting a target (``zhaoyin.core.inputs``): the year, the indicator, the annual
value and an optional cumulative monthly plan.

The editor page builds ``TargetSetInput`` from its form (``core.forms.bind_input``, the plan's
twelve boxes gathered by the form), the target import from each row. The model decides what a
value is (a year in range, a known indicator, a positive amount, a plan that only grows and
stays within the annual value); the service decides who may set targets. The org unit is
resolved by the caller (the form's choice, the import's code) and given to the service.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Self

from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field, model_validator

from zhaoyin.core.inputs import Input, from_cleaner, refuse, whole_number
from zhaoyin.core.validation import clean_decimal
from zhaoyin.targets.indicators import REGISTRY
from zhaoyin.targets.selectors import MAX_YEAR, MIN_YEAR


def _year(value: Any) -> int:
    """A target's year, 2000–2100."""
    try:
        year = whole_number(value)
    except ValueError:
        year = None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise refuse(_("Enter a year between 2000 and 2100."))
    return year


def _indicator(value: Any) -> str:
    """The code of an indicator of ``targets.indicators.REGISTRY``."""
    code = value.strip() if isinstance(value, str) else ""
    if code not in REGISTRY:
        raise refuse(_("Unknown indicator."))
    return code


def _amount(value: Any) -> Decimal:
    """A positive amount with at most 2 places (text or a number; floats through their text)."""
    amount = from_cleaner(clean_decimal)(value if value is not None else "")
    if amount <= 0:
        raise refuse(_("must be greater than zero"))
    return Decimal(amount)


def _plan(value: Any) -> dict[int, Decimal] | None:
    """Month (1–12) → planned cumulative value; a blank month is left out. Each refusal names
    ``month_plan.<month>``."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise refuse(_("Give the plan as month → planned cumulative value."))
    plan: dict[int, Decimal] = {}
    for key, raw in value.items():
        if raw is None or raw == "":
            continue
        field = f"month_plan.{key}"
        month = key if isinstance(key, int) and not isinstance(key, bool) else None
        if isinstance(key, str) and key.strip().isascii() and key.strip().isdigit():
            month = int(key.strip())
        if month is None or not 1 <= month <= 12:
            raise refuse(_("A month is a number from 1 to 12."), field=field)
        try:
            plan[month] = clean_decimal(raw)
        except ValueError as exc:
            raise refuse(str(exc), field=field) from None
    previous = Decimal(0)
    for month, planned in sorted(plan.items()):
        if planned < previous:
            raise refuse(_("The monthly plan is cumulative: it cannot decrease."), field=f"month_plan.{month}")
        previous = planned
    return plan


class TargetSetInput(Input):
    """Set the target of a unit for an indicator in a year (and optionally its monthly plan)."""

    year: Annotated[int, BeforeValidator(_year)] = Field(description="2000–2100")
    indicator: Annotated[str, BeforeValidator(_indicator)] = Field(description="An indicator code")
    value: Annotated[Decimal, BeforeValidator(_amount)] = Field(description="The annual target, greater than zero")
    month_plan: Annotated[dict[int, Decimal] | None, BeforeValidator(_plan)] = Field(
        None,
        description="Month (1–12) → planned cumulative value, never decreasing, at most the annual target; "
        "an empty mapping removes the plan, none keeps it",
    )

    @model_validator(mode="after")
    def _plan_within_value(self) -> Self:
        """A planned value is never above the annual target."""
        for month, planned in sorted((self.month_plan or {}).items()):
            if planned > self.value:
                raise refuse(_("A planned value cannot exceed the annual target."), field=f"month_plan.{month}")
        return self
