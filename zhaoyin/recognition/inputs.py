"""The input of each recognition use case (``core.inputs``): a tier rule set (create, change),
an application, each step of ``RECOGNITION_TABLE`` and the objections.

A model decides what a value is (a tier code, a date, a note within its length, a rule set's
trees as the engine parses them); the services decide the rest (who may act, the state, the
scope, the publicity's dates, whether a reason is needed).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field, StrictInt

from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY, InvalidInput
from zhaoyin.core.inputs import Input, choice, day, described, from_cleaner, must, refuse_all, text, whole_number
from zhaoyin.recognition.rules import TIERS, parse_rules
from zhaoyin.talents.models import Tier

NOTE_MAX = 1000
RULE_SET_NOTE_MAX = 500
YEAR_MIN, YEAR_MAX = 2000, 2100
PUBLICITY_DAYS_MAX = 30
VALID_YEARS_MAX = 10

TierCode = Annotated[Tier, BeforeValidator(must(choice(Tier)))]
OptionalTier = Annotated[Tier | None, BeforeValidator(choice(Tier))]
Note = Annotated[str, BeforeValidator(text(NOTE_MAX))]
RequiredNote = Annotated[str, BeforeValidator(text(NOTE_MAX, required=True))]


Version = Annotated[int | None, BeforeValidator(whole_number)]


def _bounded(low: int, high: int, *, required: bool) -> Any:
    def clean(value: Any) -> int | None:
        number = whole_number(value)
        if number is None:
            if required:
                raise ValueError(_("This field is required."))
            return None
        if not low <= number <= high:
            raise ValueError(_("Must be from %(low)d to %(high)d.") % {"low": low, "high": high})
        return number

    schema = {"type": "integer", "minimum": low, "maximum": high}
    return described(clean, schema, nullable=not required)


def _rules(value: Any) -> list[dict[str, Any]]:
    """The rules as the engine reads them; each refusal named by its place (``rules[1].tree…``),
    not by the field as a whole."""
    try:
        parsed = parse_rules(value)
    except InvalidInput as exc:
        raise refuse_all(exc.errors) from None
    return [{"tier": r.tier, "label": r.label, "tree": r.tree} for r in parsed]


#: The rules' schema in the API document (the engine judges each tree beyond it).
RULES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": len(TIERS),
    "items": {
        "type": "object",
        "properties": {
            "tier": {"type": "string", "enum": list(TIERS)},
            "label": {"type": "string", "maxLength": 200},
            "tree": {"type": "object", "description": "An eligibility tree over a talent's fields"},
        },
        "required": ["tier", "tree"],
        "additionalProperties": False,
    },
}
RULES_RULE = "each tree is parsed with the talent vocabulary; a tier once; errors named rules[i].tree.<path>"
described(_rules, RULES_SCHEMA, rule=RULES_RULE)

Rules = Annotated[list[dict[str, Any]], BeforeValidator(_rules)]


def _optional_rules(value: Any) -> list[dict[str, Any]] | None:
    """A change's rules: null (or absent) keeps them, a list replaces them (checked as above)."""
    return None if value is None else _rules(value)


OptionalRules = Annotated[
    list[dict[str, Any]] | None,
    BeforeValidator(described(_optional_rules, RULES_SCHEMA, nullable=True, rule=RULES_RULE)),
]
Year = Annotated[int, BeforeValidator(from_cleaner(_bounded(YEAR_MIN, YEAR_MAX, required=True)))]
PublicityDays = Annotated[int | None, BeforeValidator(from_cleaner(_bounded(1, PUBLICITY_DAYS_MAX, required=False)))]
ValidYears = Annotated[int | None, BeforeValidator(from_cleaner(_bounded(1, VALID_YEARS_MAX, required=False)))]
RuleSetNote = Annotated[str, BeforeValidator(text(RULE_SET_NOTE_MAX))]


class RuleSetCreateInput(Input):
    """A new tier rule set (a draft): its year, its rules, the publicity's length in working
    days and the years a recognition lasts."""

    year: Year = Field(description="The year the standard applies to")
    rules: Rules = Field(description="One rule per tier: {tier, label, tree}")
    note: RuleSetNote = ""
    publicity_days: PublicityDays = Field(None, description="Working days of publicity (default 5)")
    valid_years: ValidYears = Field(None, description="Years a recognition stays valid (default 3)")


class RuleSetChangeInput(Input):
    """A change of a draft rule set (PATCH: only the fields given), with the version read."""

    rules: OptionalRules = Field(None, description="Replaces every rule")
    note: RuleSetNote | None = None
    publicity_days: PublicityDays = None
    valid_years: ValidYears = None
    version: Version = Field(None, description="The version read; a different current version → 409")


class RuleSetActivateInput(Input):
    """Activating a rule set (it retires the year's active one)."""

    version: Version = Field(None, description="The version read; a different current version → 409")


class ApplyInput(Input):
    """申请: the tier the talent claims and a statement (the documents come as uploads)."""

    claimed_tier: TierCode = Field(description="A, B, C, D or E")
    statement: Note = ""


class ApplyBody(ApplyInput):
    """The API's body of an application for a talent (the talent is the path's id)."""


class StepInput(Input):
    """A step of ``RECOGNITION_TABLE``: the note or reason, the tier put to publicity (复审通过,
    default the suggested tier), the version read."""

    note: Note = Field(
        "",
        description="The review note, or the reason (required to return or refuse)",
        json_schema_extra={RULE_KEY: "required by the transition table to return or refuse"},
    )
    tier: OptionalTier = Field(
        None,
        description="second_pass only: the tier put to publicity (default: the suggested tier)",
        json_schema_extra={RULE_KEY: "required to pass the second review when the rules suggest no tier"},
    )
    version: Version = Field(None, description="The version read; a different current version → 409")


class ObjectionInput(Input):
    """异议: what was objected and the day it was received (not in the future, not before the
    publicity started)."""

    text: RequiredNote = Field(description="The objection")
    received_on: Annotated[dt.date, BeforeValidator(must(day))] = Field(
        description="YYYY-MM-DD", json_schema_extra={RULE_KEY: "within the publicity, not in the future"}
    )
    version: Version = Field(None, description="The recognition's version read; a different one → 409")


class AnswerInput(Input):
    """The office's answer to an objection."""

    answer: RequiredNote = Field(description="The answer")
    version: Version = Field(None, description="The recognition's version read; a different one → 409")


class TalentRefBody(Input):
    """A talent named by id (the rule check preview)."""

    talent: StrictInt = Field(description="Talent id", json_schema_extra={RULE_KEY: REFERENCE_RULE})
