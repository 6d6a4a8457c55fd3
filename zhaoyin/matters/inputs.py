"""The input of each matter use case: registration, editing a draft and every action of the
transition table (``zhaoyin.core.inputs``).

The API takes these models as its bodies, the pages build them from the posted form
(``core.forms.bind_input``), visits build ``MatterCreateInput`` for each demand. A model
decides what a value is (text within its length, a date, a whole number of working days, a
code of the flow's choices, which fields are required); the services decide the rest: who
may act, the state, whether a unit is within the user's scope, whether a deadline is past.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self

from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field, model_validator

from zhaoyin.core.errors import REFERENCE_RULE
from zhaoyin.core.inputs import (
    Input,
    choice,
    day,
    described,
    from_cleaner,
    judged,
    must,
    optional_text,
    refuse,
    text,
    yes_no,
)
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import DemandCategory, MatterKind, MatterSource, Rating
from zhaoyin.matters.flow import Action

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_REASON = 2000
MAX_NAME = 100
MAX_CO_UNITS = 20
#: Longest org unit code (``OrgUnit.code``) and project reference accepted.
MAX_CODE = 32
MAX_PROJECT_REF = 40
#: Largest record number and version a lookup is tried with (beyond: unknown, never a 500).
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


def _project_ref(value: Any) -> str | None:
    """A project by record number (a number) or by code (text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return optional_text(MAX_PROJECT_REF)(value)


def _record_ref(message: Any) -> Any:
    """A record by number; a number given as text (a form's box) too; anything else is refused
    with ``message`` (the words of an unknown record, so a malformed value is no oracle)."""

    def clean(value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
            return value
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 9:
            return int(value.strip())
        raise refuse(message)

    return clean


_enterprise_ref = _record_ref(_("Unknown enterprise."))
#: A talent by record number (人才诉求): the service looks it up in the caller's talent scope.
_talent_ref = _record_ref(_("Unknown talent."))


described(
    _project_ref,
    {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": MAX_PROJECT_REF, "pattern": r"^[^\x00]*$"}]},
    nullable=True,
    rule=REFERENCE_RULE,
)
for _ref in (_enterprise_ref, _talent_ref):
    described(
        _ref,
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                {"type": "string", "pattern": r"^\s*\d{0,9}\s*$"},
            ]
        },
        nullable=True,
        rule=REFERENCE_RULE,
    )


def _unit_codes(value: Any) -> list[str] | None:
    """Org unit codes as a list (blank codes dropped, repeats kept once); None is "not given"."""
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        raise refuse(_("Give a list of org unit codes."))
    clean = optional_text(MAX_CODE)
    codes = [c for c in (clean(v) for v in value) if c]
    unique = list(dict.fromkeys(codes))
    if len(unique) > MAX_CO_UNITS:
        raise refuse(_("At most %(n)d co-units.") % {"n": MAX_CO_UNITS})
    return unique


_UNIT_CODE = {"type": "string", "maxLength": MAX_CODE, "pattern": r"^[^\x00]*$"}
described(
    _unit_codes,
    {"type": "array", "items": {"anyOf": [_UNIT_CODE, {"type": "null"}]}},
    nullable=True,
    rule=REFERENCE_RULE + f"; at most {MAX_CO_UNITS} distinct codes",
)
#: A deadline the flow judges against today and the clocks.
_DEADLINE_RULE = "not before today"


Title = Annotated[str, BeforeValidator(text(MAX_TITLE, required=True)), Field(max_length=MAX_TITLE)]
LongText = Annotated[str, BeforeValidator(text(MAX_TEXT)), Field(max_length=MAX_TEXT)]
RequiredLongText = Annotated[str, BeforeValidator(text(MAX_TEXT, required=True)), Field(max_length=MAX_TEXT)]
Reason = Annotated[str, BeforeValidator(text(MAX_REASON, required=True)), Field(max_length=MAX_REASON)]
Name = Annotated[str, BeforeValidator(text(MAX_NAME)), Field(max_length=MAX_NAME)]
# No pydantic constraints on the optional types: they would be applied to None (a 500); the
# cleaners hold the limits.
UnitCode = Annotated[str | None, BeforeValidator(optional_text(MAX_CODE)), judged()]
RequiredUnitCode = Annotated[
    str, BeforeValidator(must(optional_text(MAX_CODE))), Field(max_length=MAX_CODE), judged()
]
UnitCodes = Annotated[list[str] | None, BeforeValidator(_unit_codes)]
Day = Annotated[dt.date | None, BeforeValidator(day)]
HandleDays = Annotated[
    int | None,
    BeforeValidator(
        described(
            from_cleaner(clocks.clean_handle_days),
            {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^\s*\d{0,9}\s*$"}]},
            nullable=True,
            rule="at most the configured number of working days (MAX_HANDLE_DAYS)",
        )
    ),
]
Deadline = Annotated[dt.date | None, BeforeValidator(day), judged(_DEADLINE_RULE)]
Received = Annotated[dt.date | None, BeforeValidator(day), judged("not in the future")]
#: Which sources and kinds a caller may use depends on its role and the source (matters.origins).
_ORIGIN_RULE = "allowed by the caller's role and the source (docs/matters.md, sources and kinds by role)"
Source = Annotated[
    MatterSource, BeforeValidator(must(choice(MatterSource, _("Unknown source.")))), judged(_ORIGIN_RULE)
]
Kind = Annotated[MatterKind, BeforeValidator(must(choice(MatterKind, _("Unknown kind.")))), judged(_ORIGIN_RULE)]
EnterpriseRef = Annotated[int | None, BeforeValidator(_enterprise_ref)]
TalentRef = Annotated[int | None, BeforeValidator(_talent_ref)]
#: Only a talent demand has a category (the model's check below).
_CATEGORY_RULE = "only with source talent_demand"
Category = Annotated[
    DemandCategory | None,
    BeforeValidator(choice(DemandCategory, _("Unknown demand category."))),
    judged(_CATEGORY_RULE),
]
ProjectRef = Annotated[str | None, BeforeValidator(_project_ref)]
#: A leader by username (领导批示): the service looks the account up among the active leaders.
LeaderRef = Annotated[str | None, BeforeValidator(optional_text(MAX_NAME)), judged()]

_NOTE = "A note recorded with the event"
_FUTURE = "YYYY-MM-DD, not in the past"


class MatterCreateInput(Input):
    """登记: register a matter (draft)."""

    title: Title
    source: Source = Field(description="enterprise_demand, project_obstacle, talent_demand, leader_instruction, "
                                       "meeting_decision, reform_measure or visit")
    kind: Kind = Field(description="consultation, coordination, talent_demand, urgent_instruction, instruction "
                                   "or reform")
    description: LongText = ""
    enterprise: EnterpriseRef = Field(None, description="Id of the enterprise the matter concerns")
    project: ProjectRef = Field(None, description="Id or code of the project it concerns")
    lead_unit: UnitCode = Field(None, description="Org unit code")
    co_units: UnitCodes = Field(None, description="Org unit codes")
    requester_name: Name = ""
    dispatcher_unit: UnitCode = Field(None, description="Org unit code (default: the registering unit)")
    received_on: Received = Field(
        None, description="收文日期, YYYY-MM-DD, not in the future: the clocks count from the next day when the "
                          "matter is first assigned (default: the day of assignment)"
    )
    talent: TalentRef = Field(
        None, description="Id of the talent a talent demand serves (a talent portal user: their own, the default)"
    )
    demand_category: Category = Field(
        None, description="A talent demand's category: housing, schooling, spouse_employment, project_application, "
                          "medical or other; it routes the demand to its department when no lead unit is given"
    )
    instructing_leader: LeaderRef = Field(
        None, description="Username of the leader whose instruction a leader_instruction matter is: required when "
                          "the supervision office registers it; a leader registering it is the leader"
    )

    @model_validator(mode="after")
    def _talent_fields(self) -> Self:
        if self.demand_category is not None and self.source != MatterSource.TALENT_DEMAND:
            raise refuse(_("Only a talent demand has a demand category."), field="demand_category")
        return self


class TalentDemandInput(Input):
    """提出人才诉求: what a talent (or staff, for a talent) raises in the talent pages. The
    service makes it a ``talent_demand`` matter of kind ``talent_demand`` (10 working days),
    routed by its category."""

    demand_category: Annotated[
        DemandCategory, BeforeValidator(must(choice(DemandCategory, _("Unknown demand category."))))
    ] = Field(description="housing, schooling, spouse_employment, project_application, medical or other")
    description: RequiredLongText = Field(description="What the talent needs")
    title: Annotated[str, BeforeValidator(text(MAX_TITLE)), Field(max_length=MAX_TITLE)] = Field(
        "", description="A short title (default: the category and the start of the description)"
    )
    talent: TalentRef = Field(None, description="Id of the talent (a talent portal user: their own, the default)")


def _json_integer(value: object) -> int | None:
    """A JSON integer: a number without a fraction (``7`` or ``7.0``, which JSON Schema's
    ``integer`` includes); text and booleans are refused, as the document's type says; null
    is "not given"."""
    if value is None:
        return None
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_VERSION:
        number = int(value)
    if number is None:
        raise refuse(_("Enter a whole number."))
    if not 1 <= number <= MAX_VERSION:  # the bounds the document states (described below)
        raise refuse(_("Enter a whole number from 1 to %(n)d.") % {"n": MAX_VERSION})
    return number


described(_json_integer, {"type": "integer", "minimum": 1, "maximum": MAX_VERSION}, nullable=True)


class MatterUpdateInput(Input):
    """Edit a draft: only the fields sent change (``given()``)."""

    title: Annotated[str | None, BeforeValidator(text(MAX_TITLE, required=True))] = None
    description: LongText = ""
    kind: Annotated[
        MatterKind | None, BeforeValidator(must(choice(MatterKind, _("Unknown kind.")))), judged(_ORIGIN_RULE)
    ] = None
    source: Annotated[
        MatterSource | None, BeforeValidator(must(choice(MatterSource, _("Unknown source.")))), judged(_ORIGIN_RULE)
    ] = None
    lead_unit: UnitCode = Field(None, description="Org unit code (null: none yet)")
    co_units: UnitCodes = Field(None, description="Org unit codes")
    enterprise: EnterpriseRef = None
    project: ProjectRef = None
    requester_name: Name = ""
    instructing_leader: LeaderRef = Field(
        None, description="Username of the leader whose instruction a leader_instruction matter is"
    )
    version: Annotated[int | None, BeforeValidator(_json_integer)] = Field(
        None, description="The version read; a different current version → 409"
    )


class AssignInput(Input):
    """交办 (and the base of 改派): the lead unit, co-units, the date of receipt, the clock."""

    lead_unit: UnitCode = Field(None, description="Org unit code (default: the draft's)")
    co_units: UnitCodes = Field(None, description="Org unit codes (default: the draft's)")
    handle_days: HandleDays = Field(None, description="Handling working days (default: the kind's)")
    handle_deadline: Deadline = Field(None, description="A handling deadline date instead, " + _FUTURE)
    received_on: Received = Field(None, description="收文日期, YYYY-MM-DD (default: today)")
    note: LongText = Field("", description=_NOTE)


class ReassignInput(AssignInput):
    """改派: as ``AssignInput``, the new lead unit required."""

    lead_unit: RequiredUnitCode = Field(description="Org unit code of the new lead unit")


class NoteInput(Input):
    """An action with an optional note: 签收, 审核办结, 挂牌, 摘牌 (and the API's extension answers)."""

    note: LongText = Field("", description=_NOTE)


class ReturnInput(Input):
    """退回: why, and the unit believed responsible."""

    reason: Reason = Field(description="Why the unit is not responsible")
    suggested_unit: RequiredUnitCode = Field(description="Org unit code of the unit believed responsible")
    note: LongText = Field("", description=_NOTE)


class ProgressInput(Input):
    """进展反馈: the progress."""

    note: RequiredLongText = Field(description="The progress")


class ExtensionRequestInput(Input):
    """延期申请: more working days or a later date (one of them), with a reason."""

    reason: Reason = Field(description="Why")
    days: Annotated[HandleDays, judged("either days or requested_deadline, not both")] = Field(
        None, description="More working days after the current deadline"
    )
    requested_deadline: Deadline = Field(None, description="Or the deadline date wanted, " + _FUTURE)

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.days is None) == (self.requested_deadline is None):
            raise refuse(_("Give either a number of working days or the requested deadline."), field="days")
        return self


class AnswerExtensionInput(Input):
    """延期审批: approve or refuse the pending request."""

    approve: Annotated[bool, BeforeValidator(must(yes_no))]
    note: LongText = Field("", description=_NOTE)


class ReportInput(Input):
    """办结反馈: the result."""

    summary: RequiredLongText = Field(description="The result")


class NewClockInput(Input):
    """退办 / 重办: a reason and the new handling clock (default: as many days as before)."""

    reason: Reason = Field(description="Why")
    handle_deadline: Deadline = Field(None, description="The new handling deadline, " + _FUTURE)
    handle_days: HandleDays = Field(None, description="Or working days from today (default: as before)")


class RateInput(Input):
    """回访评价: the verdict and a comment — the reason, required for 不满意 (issue 15)."""

    rating: Annotated[
        Rating, BeforeValidator(must(choice(Rating, _("Choose satisfied, basically_satisfied or dissatisfied."))))
    ] = Field(description="satisfied, basically_satisfied or dissatisfied")
    comment: Annotated[LongText, judged("required when rating is dissatisfied")] = Field(
        "", description="A comment; for dissatisfied, the reason, which the dispatcher verifies"
    )

    @model_validator(mode="after")
    def _reason_for_dissatisfied(self) -> Self:
        if self.rating == Rating.DISSATISFIED and not self.comment:
            raise refuse(_("Say why the handling is unsatisfactory."), field="comment")
        return self


class ReasonInput(Input):
    """撤销: a reason."""

    reason: Reason = Field(description="Why")


# ---- 督查室 powers (issue 15 item 4) -------------------------------------------------------

MAX_USERNAME = 150
RequiredDeadline = Annotated[dt.date, BeforeValidator(must(day)), judged(_DEADLINE_RULE)]
RequiredLeaderRef = Annotated[
    str, BeforeValidator(must(optional_text(MAX_USERNAME))), Field(max_length=MAX_USERNAME), judged()
]


class UrgeInput(Input):
    """催办 by hand: what the lead unit is urged to do."""

    note: RequiredLongText = Field(description="What the lead unit is urged to do (sent in the notice)")


class SuperviseInput(Input):
    """督办 by hand: the problem and the requirement (the 督办单's text), and a 限期."""

    note: RequiredLongText = Field(description="The problem and the requirement (the 督办单's text)")
    deadline: Deadline = Field(
        None, description="限期 of the 督办单, " + _FUTURE + " (default: the running clock's deadline)"
    )


class ListInput(Input):
    """挂牌督办: the supervising leader, the 限期 and a note (the 督办单's requirement)."""

    leader: RequiredLeaderRef = Field(description="Username of the supervising city leader (role leader)")
    deadline: RequiredDeadline = Field(description="限期, " + _FUTURE)
    note: LongText = Field("", description=_NOTE)
class InstructInput(Input):
    """批示: a leader's instruction on a matter (issue 15) — the text, the leader (a leader acting
    is the leader; the supervision office names one), the day it was given."""

    text: RequiredLongText = Field(description="The instruction (批示内容)")
    leader: LeaderRef = Field(
        None, description="Username of the leader who gave it: required when the supervision office records it "
                          "(a leader acting is the leader)"
    )
    instructed_on: Received = Field(None, description="The day it was given, YYYY-MM-DD (default: today)")


#: The input of each action (the pages' forms and the API's bodies build these).
ACTION_INPUTS: dict[Action, type[Input]] = {
    Action.ASSIGN: AssignInput,
    Action.REASSIGN: ReassignInput,
    Action.ACCEPT: NoteInput,
    Action.RETURN: ReturnInput,
    Action.PROGRESS: ProgressInput,
    Action.REQUEST_EXTENSION: ExtensionRequestInput,
    Action.ANSWER_EXTENSION: AnswerExtensionInput,
    Action.REPORT: ReportInput,
    Action.APPROVE: NoteInput,
    Action.REJECT: NewClockInput,
    Action.RATE: RateInput,
    Action.REOPEN: NewClockInput,
    Action.CANCEL: ReasonInput,
    Action.LIST: ListInput,
    Action.UNLIST: NoteInput,
    # 督查室 powers (issue 15 item 4).
    Action.URGE: UrgeInput,
    Action.SUPERVISE: SuperviseInput,
    Action.INSTRUCT: InstructInput,
    Action.CONFIRM_DISPUTE: NewClockInput,
    Action.DISMISS_DISPUTE: ReasonInput,
}
