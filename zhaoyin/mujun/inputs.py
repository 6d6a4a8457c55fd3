"""The input of each use case of a 亩均 run (``core.inputs``): making a run, a step of
``flow.RUN_TABLE``, a grade change (调档) and its decision, a firm's objection (异议) and its
answer with the corrected figures.

A model decides what a value is (a grade, a reason within its length, the corrections as
figures of ``lib.mujun.FIGURES`` with values of 0 or more); the services decide the rest (who
may act, the state, the publicity's dates, whether a reason is needed, whether an upheld
objection has corrections).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field

from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY
from zhaoyin.core.inputs import Input, choice, described, from_cleaner, must, refuse, refuse_all, text, whole_number
from zhaoyin.lib import mujun

NOTE_MAX = 500
OBJECTION_MAX = 2000
#: The most a corrected figure may be (the model's DecimalField: 20 digits, 4 places).
CORRECTION_MAX = Decimal("9999999999999999")


class Grade(StrEnum):
    """A grade of the evaluation (A best)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


Version = Annotated[int | None, BeforeValidator(whole_number)]
Note = Annotated[str, BeforeValidator(text(NOTE_MAX))]
RequiredNote = Annotated[str, BeforeValidator(text(NOTE_MAX, required=True))]
GradeCode = Annotated[Grade, BeforeValidator(must(choice(Grade)))]
ObjectionText = Annotated[str, BeforeValidator(text(OBJECTION_MAX, required=True))]


def _positive_id(value: Any) -> int | None:
    number = whole_number(value)
    if number is not None and number < 1:
        raise ValueError(_("Enter a whole number of 1 or more."))
    return number


SchemeRef = Annotated[int, BeforeValidator(must(from_cleaner(described(
    _positive_id, {"type": "integer", "minimum": 1, "maximum": 999_999_999}, nullable=True,
    rule=REFERENCE_RULE))))]


def _corrections(value: Any) -> dict[str, str]:
    """Figure code → its corrected value (a decimal text at the engine's places); each refusal
    named by its place (``corrections.tax``)."""
    if value is None or value == "" or value == {}:
        return {}
    if not isinstance(value, dict):
        raise refuse(_("Give the corrected figures as an object: figure code → value."))
    errors: list[dict[str, str]] = []
    out: dict[str, str] = {}
    for key, raw in value.items():
        where = f"corrections.{key}"
        if key not in mujun.FIGURES:
            errors.append({"field": where, "message": _("Unknown figure; known: %(known)s.")
                           % {"known": ", ".join(mujun.FIGURES)}})
            continue
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
            errors.append({"field": where, "message": str(_("Enter a number."))})
            continue
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            errors.append({"field": where, "message": str(_("Enter a number."))})
            continue
        if not number.is_finite():
            errors.append({"field": where, "message": str(_("Enter a number."))})
        elif number < 0:
            errors.append({"field": where, "message": str(_("Must not be negative."))})
        elif number > CORRECTION_MAX:
            errors.append({"field": where, "message": str(_("Too large."))})
        else:
            # The snapshot keeps figures at 4 places and land at 2, as the inputs store them.
            places = Decimal("0.01") if key == "land_mu" else mujun.VALUE_PLACES
            out[key] = str(number.quantize(places))
    if errors:
        raise refuse_all(errors)
    return dict(sorted(out.items()))


CORRECTIONS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"enum": list(mujun.FIGURES)},
    "additionalProperties": {
        "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*$"}]
    },
}
Corrections = Annotated[dict[str, str], BeforeValidator(described(
    _corrections, CORRECTIONS_SCHEMA, nullable=True,
    rule="required to uphold; each figure of lib.mujun.FIGURES, 0 or more; errors named corrections.<figure>"))]


class RunCreateInput(Input):
    """初评: run the evaluation of a scheme's year under that scheme."""

    scheme: SchemeRef = Field(description="Id of the scheme (评价办法)")


class StepInput(Input):
    """A step of ``RUN_TABLE`` (recompute, start_publicity, publish, discard): the reason
    (required to discard) and the run's version read."""

    note: Note = Field("", description="The note, or the reason (required to discard)",
                       json_schema_extra={RULE_KEY: "required by the transition table to discard"})
    version: Version = Field(None, description="The run's version read; a different current version → 409")


class GradeProposeInput(Input):
    """调档: the result, the grade proposed and why (a second evaluator decides)."""

    result: Annotated[int, BeforeValidator(must(from_cleaner(described(
        _positive_id, {"type": "integer", "minimum": 1, "maximum": 999_999_999}, nullable=True,
        rule=REFERENCE_RULE))))] = Field(description="Id of the firm's result in this run")
    to_grade: GradeCode = Field(description="A, B, C or D")
    reason: RequiredNote = Field(description="Why the grade is changed")
    version: Version = Field(None, description="The run's version read; a different current version → 409")


class GradeDecideInput(Input):
    """The second evaluator's decision on a grade change: a note (required to reject)."""

    note: Note = Field("", description="The note, or the reason (required to reject)",
                       json_schema_extra={RULE_KEY: "required to reject"})


class ObjectionInput(Input):
    """异议: what the firm objects to (the evidence comes as uploads: the page's or the API's
    multipart ``files``)."""

    text: ObjectionText = Field(
        description="The objection: which figure is wrong and what it should be")


class AnswerInput(Input):
    """The evaluators' answer to an objection: the reason, and to uphold it the corrected
    figures the run is computed again with."""

    reason: RequiredNote = Field(description="The answer given to the firm")
    corrections: Corrections = Field(default_factory=dict, description="Figure code → corrected value (uphold)")
    version: Version = Field(None, description="The run's version read; a different current version → 409")
