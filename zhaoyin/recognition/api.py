"""API: tier rule sets and recognitions (人才认定, issue 13 item 2).

Internal (the talent office, city-wide roles, unit roles within their scope):

- ``GET /tier-rule-sets?year=`` · ``GET /tier-rule-sets/{id}`` · ``POST /tier-rule-sets`` (a
  draft; a tree that does not parse → 422 naming ``rules[i].tree.<path>``) ·
  ``PATCH /tier-rule-sets/{id}`` (drafts only, 409 else) · ``POST /tier-rule-sets/{id}/activate``;
- ``GET /talents/{id}/recognitions`` · ``POST /talents/{id}/recognitions`` (an application on
  the talent's behalf; an unknown or out-of-scope talent → 404) · ``POST /recognitions`` (the
  same with the talent in the body: → 422 naming ``talent``);
- ``GET /recognitions?state=&tier=&year=&q=`` · ``GET /recognitions/{id}`` ·
  ``POST /recognitions/{id}/actions/{action}`` · ``POST /recognitions/{id}/objections`` ·
  ``POST /recognitions/{id}/objections/{objection_id}/answer``.

The talent portal (the talent's own applications, without the internal fields: review notes,
reviewers, objections): ``GET /me/recognitions`` · ``POST /me/recognitions`` ·
``GET /me/recognitions/{id}`` · ``POST /me/recognitions/{id}/actions/{withdraw|resubmit}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import StrictInt

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.errors import REFERENCE_RULE, RULE_KEY, InvalidInput
from zhaoyin.core.fields import MAX_ID, OrgUnitRef
from zhaoyin.core.outputs import IsoDate, IsoDateTime, OutSchema, Username
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.core.roles import Role
from zhaoyin.recognition import selectors, services
from zhaoyin.recognition.filters import RecognitionFilter
from zhaoyin.recognition.flow import APPLICANT_ACTIONS, STEP_ACTIONS
from zhaoyin.recognition.inputs import (
    AnswerInput,
    ApplyBody,
    ApplyInput,
    ObjectionInput,
    RuleSetActivateInput,
    RuleSetChangeInput,
    RuleSetCreateInput,
    StepInput,
)
from zhaoyin.recognition.models import Recognition, TierRuleSet

router = Router(tags=["recognition"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Id.")]
StepName = Literal[
    "first_pass", "first_return", "first_refuse", "resubmit", "second_pass", "second_return", "second_refuse",
    "recognize", "refuse", "withdraw",
]
PortalStep = Literal["withdraw", "resubmit"]
assert set(StepName.__args__) == set(STEP_ACTIONS)  # type: ignore[attr-defined]
assert set(PortalStep.__args__) == set(APPLICANT_ACTIONS)  # type: ignore[attr-defined]

STAFF_APPLICANTS = tuple(selectors.APPLICANT_ROLES - {Role.TALENT})
STAFF_ACTORS = tuple(selectors.ACTOR_ROLES - {Role.TALENT})


# ---- output ---------------------------------------------------------------------------------------


class TierRuleOut(OutSchema):
    tier: str = Field(description="A … E")
    label: str
    tree: dict[str, Any] = Field(description="An eligibility tree over a talent's fields")


class TierRuleSetOut(OutSchema):
    id: int
    year: int
    number: int = Field(description="The version of the year's standard (1, 2 …)")
    status: Literal["draft", "active", "retired"]
    note: str
    publicity_days: int = Field(description="Working days of publicity")
    valid_years: int = Field(description="Years a recognition stays valid")
    rules: list[TierRuleOut]
    created_at: IsoDateTime
    activated_at: IsoDateTime | None
    retired_at: IsoDateTime | None
    version: int = Field(description="Send it back with a change to detect a concurrent one (409)")

    @staticmethod
    def resolve_rules(obj: TierRuleSet) -> list[Any]:
        return sorted(obj.rules.all(), key=lambda r: r.tier)


class TierRuleSetPageOut(OutSchema):
    count: int
    items: list[TierRuleSetOut]


class TierRuleSetRef(OutSchema):
    id: int
    year: int
    number: int


class RecognitionTalentRef(OutSchema):
    id: int
    name: str
    org_unit: OrgUnitRef


class TierReasonOut(Schema):
    label: str
    result: Literal["met", "unknown", "unmet"]
    reason: str


class TierVerdictOut(Schema):
    tier: str
    label: str
    verdict: Literal["eligible", "possible", "ineligible"]
    reasons: list[TierReasonOut]


class SuggestionOut(Schema):
    tier: str | None = Field(description="The highest tier whose rule is met; null: none")
    on: str = Field(description="The day the talent was judged")
    needs_data: list[str] = Field(description="Tiers above it that are possible once data is complete")
    tiers: list[TierVerdictOut]


class RecognitionObjectionOut(OutSchema):
    id: int
    text: str
    received_on: IsoDate
    recorded_by: Username
    answer: str
    answered_by: Username
    answered_at: IsoDateTime | None


class RecognitionFileOut(OutSchema):
    id: int
    original_name: str
    content_type: str
    size: int


State = Literal["first_review", "returned", "second_review", "publicity", "recognized", "refused", "withdrawn"]
TierCode = Literal["A", "B", "C", "D", "E"]


class RecognitionOut(OutSchema):
    """An application as the reviewers see it (internal fields included)."""

    id: int
    talent: RecognitionTalentRef
    rule_set: TierRuleSetRef
    state: State
    claimed_tier: TierCode
    suggested_tier: TierCode | Literal[""] = Field(description="The rules' tier when applied; '' none")
    suggestion: SuggestionOut | None
    tier: TierCode | Literal[""] = Field(description="The tier put to publicity and granted; '' not yet")
    statement: str
    applied_by: Username
    applied_at: IsoDateTime
    first_note: str
    first_reviewer: Username
    first_unit: OrgUnitRef | None
    first_at: IsoDateTime | None
    second_note: str
    second_reviewer: Username
    second_at: IsoDateTime | None
    publicity_start: IsoDate | None
    publicity_end: IsoDate | None = Field(description="The publicity's last day (working days on the calendar)")
    return_reason: str
    refusal_reason: str
    decided_by: Username
    decided_on: IsoDate | None
    certificate_no: str | None = Field(description="HNRC<year>-<sequence>, once recognized")
    valid_until: IsoDate | None
    objections: list[RecognitionObjectionOut]
    files: list[RecognitionFileOut]
    version: int = Field(description="Send it back with an action to detect a concurrent change (409)")

    @staticmethod
    def resolve_suggestion(obj: Recognition) -> dict[str, Any] | None:
        return obj.suggestion or None

    @staticmethod
    def resolve_objections(obj: Recognition) -> list[Any]:
        return list(obj.objections.select_related("recorded_by", "answered_by").all())

    @staticmethod
    def resolve_files(obj: Recognition) -> list[Any]:
        return list(obj.files.all())


class RecognitionPageOut(OutSchema):
    count: int
    items: list[RecognitionOut]


class PortalRecognitionOut(OutSchema):
    """An application as its talent sees it in the portal: no review notes, no reviewers, no
    objections."""

    id: int
    state: State
    claimed_tier: TierCode
    tier: TierCode | Literal[""]
    statement: str
    applied_at: IsoDateTime
    publicity_start: IsoDate | None
    publicity_end: IsoDate | None = Field(description="The publicity's last day")
    return_reason: str = Field(description="What to complete, when returned")
    refusal_reason: str
    decided_on: IsoDate | None
    certificate_no: str | None
    valid_until: IsoDate | None
    files: list[RecognitionFileOut]
    version: int

    @staticmethod
    def resolve_files(obj: Recognition) -> list[Any]:
        return list(obj.files.all())


class RecognitionApplyBody(ApplyBody):
    """An application's body: the tier claimed and a statement."""


class RecognitionStepBody(StepInput):
    """A step's body: the note or reason, the tier (second_pass), the version read."""


class RecognitionObjectionBody(ObjectionInput):
    """An objection's body: what was objected, the day received, the version read."""


class RecognitionAnswerBody(AnswerInput):
    """An answer's body: the answer and the version read."""


class ApplyForTalentBody(ApplyBody):
    """An application with the talent in the body (``POST /recognitions``)."""

    talent: StrictInt = Field(description="Talent id", json_schema_extra={RULE_KEY: REFERENCE_RULE})


class TierRuleSetQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Only this year's sets")


# ---- tier rule sets -------------------------------------------------------------------------------


@router.get("/tier-rule-sets", response=TierRuleSetPageOut)
@api_allow(selectors.RULE_READER_ROLES)
def rule_set_list(request: HttpRequest, filters: Query[TierRuleSetQuery]) -> dict[str, Any]:
    """Every tier rule set (the standards are not scoped), latest first."""
    qs = selectors.rule_set_list_visible_to(request_user(request))
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    items = list(qs)
    return {"count": len(items), "items": items}


@router.get("/tier-rule-sets/{id}", response=TierRuleSetOut)
@api_allow(selectors.RULE_READER_ROLES)
def rule_set_detail(request: HttpRequest, id: Id) -> TierRuleSet:
    return selectors.rule_set_get_for_user(user=request_user(request), pk=id)


@router.post("/tier-rule-sets", response={201: TierRuleSetOut, 409: ErrorOut})
@api_allow(selectors.RULE_EDITOR_ROLES)
def rule_set_create(request: HttpRequest, payload: RuleSetCreateInput) -> Status[TierRuleSet]:
    """A new draft rule set. A tree that does not parse → 422 naming its place
    (``rules[1].tree.all[0].value``), nothing saved."""
    user = request_user(request)
    created = services.rule_set_create(acting_user=user, data=payload)
    return Status(201, selectors.rule_set_get_for_user(user=user, pk=created.pk))


@router.patch("/tier-rule-sets/{id}", response={200: TierRuleSetOut, 409: ErrorOut})
@api_allow(selectors.RULE_EDITOR_ROLES)
def rule_set_change(request: HttpRequest, id: Id, payload: RuleSetChangeInput) -> TierRuleSet:
    """Change a draft (only the fields given); an active or retired set, or a stale version → 409."""
    user = request_user(request)
    rule_set = selectors.rule_set_get_for_user(user=user, pk=id)
    services.rule_set_change(acting_user=user, rule_set=rule_set, data=payload)
    return selectors.rule_set_get_for_user(user=user, pk=id)


@router.post("/tier-rule-sets/{id}/activate", response={200: TierRuleSetOut, 409: ErrorOut})
@api_allow(selectors.RULE_EDITOR_ROLES)
def rule_set_activate(request: HttpRequest, id: Id, payload: RuleSetActivateInput) -> TierRuleSet:
    """Make a draft the year's standard; the year's active set is retired. Not a draft → 409."""
    user = request_user(request)
    rule_set = selectors.rule_set_get_for_user(user=user, pk=id)
    services.rule_set_activate(acting_user=user, rule_set=rule_set, data=payload)
    return selectors.rule_set_get_for_user(user=user, pk=id)


# ---- recognitions (internal) ------------------------------------------------------------------------


def _reload(request: HttpRequest, pk: int) -> Recognition:
    return selectors.recognition_get_for_user(user=request_user(request), pk=pk)


@router.get("/talents/{id}/recognitions", response=list[RecognitionOut])
@api_allow(selectors.READER_ROLES)
def talent_recognitions(request: HttpRequest, id: Id) -> list[Recognition]:
    """A talent's applications, latest first; 404 for a talent outside the caller's scope."""
    user = request_user(request)
    from zhaoyin.talents.selectors import talent_get_for_user

    talent = talent_get_for_user(user=user, pk=id)
    return list(selectors.recognition_list_visible_to(user).filter(talent=talent))


@router.post("/talents/{id}/recognitions", response={201: RecognitionOut, 409: ErrorOut})
@api_allow(*STAFF_APPLICANTS)
def talent_apply(request: HttpRequest, id: Id, payload: RecognitionApplyBody) -> Status[Recognition]:
    """An application on the talent's behalf (documents: the pages). Unknown or out-of-scope
    talent → 404; no active rule set this year, or an application under way → 409."""
    user = request_user(request)
    talent = selectors.talent_for_application(user=user, pk=id)
    if talent is None:
        raise Http404
    created = services.recognition_apply(acting_user=user, talent=talent, data=ApplyInput.parse(payload.model_dump()))
    return Status(201, _reload(request, created.pk))


@router.get("/recognitions", response=RecognitionPageOut, openapi_extra=RecognitionFilter.openapi())
@api_allow(selectors.READER_ROLES)
def recognition_list(request: HttpRequest) -> dict[str, Any]:
    """Applications in the caller's scope, filtered (state, tier, year, q) and paged."""
    flt = RecognitionFilter.parse(request.GET)
    qs = flt.apply(selectors.recognition_list_visible_to(request_user(request)))
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size]) if start < total else []
    return {"count": total, "items": rows_by_ids(qs, ids)}


@router.post("/recognitions", response={201: RecognitionOut, 409: ErrorOut})
@api_allow(*STAFF_APPLICANTS)
def recognition_create(request: HttpRequest, payload: ApplyForTalentBody) -> Status[Recognition]:
    """An application with the talent named in the body: an unknown or out-of-scope talent →
    422 naming ``talent`` (alike)."""
    user = request_user(request)
    data = ApplyInput.parse(payload.model_dump(exclude={"talent"}))
    talent = selectors.talent_for_application(user=user, pk=payload.talent) if 1 <= payload.talent <= MAX_ID else None
    if talent is None:
        raise InvalidInput.field("talent", _("No such talent in your scope."))
    created = services.recognition_apply(acting_user=user, talent=talent, data=data)
    return Status(201, _reload(request, created.pk))


@router.get("/recognitions/{id}", response=RecognitionOut)
@api_allow(selectors.READER_ROLES)
def recognition_detail(request: HttpRequest, id: Id) -> Recognition:
    """One application; 404 outside the caller's scope."""
    return _reload(request, id)


@router.post("/recognitions/{id}/actions/{action}", response={200: RecognitionOut, 409: ErrorOut})
@api_allow(*STAFF_ACTORS)
def recognition_action(
    request: HttpRequest, id: Id, action: Annotated[StepName, Path(description="A step of the table")],
    payload: RecognitionStepBody,
) -> Recognition:
    """Take a step. 409: not allowed from the current state, a stale ``version``, an objection
    unanswered, or the publicity not over (认定); 403: the caller holds none of the step's actors;
    422: a missing reason, or no tier to publish."""
    user = request_user(request)
    recognition = selectors.recognition_get_for_user(user=user, pk=id)
    services.recognition_step(acting_user=user, recognition=recognition, action=action, data=payload)
    return _reload(request, id)


@router.post("/recognitions/{id}/objections", response={201: RecognitionObjectionOut, 409: ErrorOut})
@api_allow(selectors.OFFICE_ROLES)
def objection_record(request: HttpRequest, id: Id, payload: RecognitionObjectionBody) -> Status[Any]:
    """Record an objection during the publicity (not in publicity or a stale version → 409)."""
    user = request_user(request)
    recognition = selectors.recognition_get_for_user(user=user, pk=id)
    return Status(201, services.objection_record(acting_user=user, recognition=recognition, data=payload))


@router.post(
    "/recognitions/{id}/objections/{objection_id}/answer", response={200: RecognitionObjectionOut, 409: ErrorOut}
)
@api_allow(selectors.OFFICE_ROLES)
def objection_answer(request: HttpRequest, id: Id, objection_id: Id, payload: RecognitionAnswerBody) -> Any:
    """Answer an objection (once: again → 409)."""
    user = request_user(request)
    recognition = selectors.recognition_get_for_user(user=user, pk=id)
    objection = selectors.objection_get(recognition=recognition, pk=objection_id)
    return services.objection_answer(acting_user=user, recognition=recognition, objection=objection, data=payload)


# ---- the talent portal ----------------------------------------------------------------------------


@router.get("/me/recognitions", response=list[PortalRecognitionOut])
@api_allow(Role.TALENT)
def my_recognitions(request: HttpRequest) -> list[Recognition]:
    """The signed-in talent's own applications, latest first."""
    return list(selectors.portal_recognitions(request_user(request)))


@router.post("/me/recognitions", response={201: PortalRecognitionOut, 409: ErrorOut})
@api_allow(Role.TALENT)
def my_apply(request: HttpRequest, payload: RecognitionApplyBody) -> Status[Recognition]:
    """Apply for recognition for oneself. 409: the account is not linked to a talent record,
    no active rule set this year, or an application is under way."""
    from zhaoyin.core.errors import Conflict
    from zhaoyin.talents.selectors import own_talent

    user = request_user(request)
    talent = own_talent(user)
    if talent is None:
        raise Conflict(_("Your account is not linked to a talent record yet; ask the talent office."))
    created = services.recognition_apply(acting_user=user, talent=talent, data=ApplyInput.parse(payload.model_dump()))
    return Status(201, selectors.portal_recognition_get(user=user, pk=created.pk))


@router.get("/me/recognitions/{id}", response=PortalRecognitionOut)
@api_allow(Role.TALENT)
def my_recognition(request: HttpRequest, id: Id) -> Recognition:
    """One of the talent's own applications; another's → 404."""
    return selectors.portal_recognition_get(user=request_user(request), pk=id)


@router.post("/me/recognitions/{id}/actions/{action}", response={200: PortalRecognitionOut, 409: ErrorOut})
@api_allow(Role.TALENT)
def my_action(
    request: HttpRequest, id: Id, action: Annotated[PortalStep, Path(description="withdraw or resubmit")],
    payload: RecognitionStepBody,
) -> Recognition:
    """Withdraw an open application or resubmit a returned one (409 from another state)."""
    user = request_user(request)
    recognition = selectors.portal_recognition_get(user=user, pk=id)
    services.recognition_step(acting_user=user, recognition=recognition, action=action, data=payload)
    return selectors.portal_recognition_get(user=user, pk=id)
