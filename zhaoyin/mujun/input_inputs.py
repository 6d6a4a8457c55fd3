"""The input of each use case of the bureaus' figures (``core.inputs``): an import's
parameters (source, year, dry run) and a bonus or deduction (加分 / 减分).

A model decides what a value is; the services decide the rest (who may act, the firm's scope).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field

from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY
from zhaoyin.core.inputs import Input, choice, described, must, refuse, text, whole_number, yes_no
from zhaoyin.mujun.input_importing import YEAR_MIN, year_max
from zhaoyin.mujun.sources import Source

#: A bonus or deduction is at most this many points either way (docs/mujun.md).
POINTS_MAX = Decimal(20)
REASON_MAX = 200


def _year(value: Any) -> int:
    number = whole_number(value)
    if number is None:
        raise refuse(_("This field is required."))
    high = year_max()
    if not YEAR_MIN <= number <= high:
        raise refuse(_("Must be a year from %(low)d to %(high)d.") % {"low": YEAR_MIN, "high": high})
    return number


described(_year, {"type": "integer", "minimum": YEAR_MIN, "maximum": 2100},
          rule="from 2000 to the current year")


def _points(value: Any) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise refuse(_("This field is required."))
    if isinstance(value, bool):
        raise refuse(_("Enter a number of points, e.g. 2 or -1.5."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise refuse(_("Enter a number of points, e.g. 2 or -1.5.")) from None
    if not number.is_finite():
        raise refuse(_("Enter a number of points, e.g. 2 or -1.5."))
    if number != number.quantize(Decimal("0.01")):
        raise refuse(_("At most 2 decimal places."))
    if number == 0:
        raise refuse(_("A bonus is above 0 and a deduction below 0; 0 changes nothing."))
    if abs(number) > POINTS_MAX:
        raise refuse(_("At most %(n)s points either way.") % {"n": POINTS_MAX})
    return number.quantize(Decimal("0.01"))


described(_points, {"anyOf": [
    {"type": "number", "minimum": -20, "maximum": 20, "not": {"const": 0}},
    {"type": "string", "pattern": r"^\s*-?\d{1,2}(?:\.\d{1,2})?\s*$"},
]}, rule="non-zero, at most 20 either way, 2 decimal places")

Year = Annotated[int, BeforeValidator(_year)]
Points = Annotated[Decimal, BeforeValidator(_points)]
Reason = Annotated[str, BeforeValidator(text(REASON_MAX, required=True))]
SourceCode = Annotated[Source, BeforeValidator(must(choice(Source)))]
DryRun = Annotated[bool, BeforeValidator(lambda v: True if yes_no(v) is None else yes_no(v))]


class AdjustmentInput(Input):
    """A bonus (加分, positive points) or deduction (减分, negative) of a firm in a year."""

    year: Year = Field(description="The evaluation year")
    points: Points = Field(description="Positive: a bonus (加分); negative: a deduction (减分)")
    reason: Reason = Field(description="Why the points are given or taken")


class AdjustmentCreateInput(AdjustmentInput):
    """The same with the firm named (the API's body)."""

    enterprise: int = Field(
        description="Enterprise id", json_schema_extra={RULE_KEY: REFERENCE_RULE}, ge=1, le=2_147_483_647
    )


class ImportInput(Input):
    """An import's parameters beside the file: the source, the year, whether a dry run."""

    source: SourceCode = Field(description="The bureau's import: " + ", ".join(s.value for s in Source))
    year: Year = Field(description="The year the figures are for")
    dry_run: DryRun = Field(default=True, description="Only check the file (default); false: check and commit")
