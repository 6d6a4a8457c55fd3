"""API: /policies (DESIGN 5.1) — list, detail, register, change, publish / withdraw.

Handlers parse, fetch through the selectors (invisible → 404; not an editor of it → 403),
call one service and shape the answer. Input schemas are strict (unknown fields → 422); a
malformed eligibility tree → 422 with one error per bad node (``eligibility.all[1].op``);
an action the transition table forbids in the current status → 409.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict, StrictInt, StrictStr, ValidationError, WithJsonSchema

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import ErrorOut, StrictSchema, api_allow
from zhaoyin.core.errors import RULE_KEY, InvalidInput
from zhaoyin.core.fields import MAX_ID, exact_amounts
from zhaoyin.core.outputs import DecimalText, IsoDate, IsoDateTime, OutSchema
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.core.roles import Role
from zhaoyin.policies import flow, selectors, services
from zhaoyin.policies.filters import PolicyFilter
from zhaoyin.policies.inputs import PolicyBody, PolicyInput, PolicyPatchBody, PolicyUpdateInput
from zhaoyin.policies.models import Policy, PolicyFile
from zhaoyin.policies.services import MAX_REASON

router = Router(tags=["policies"])

EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN)
PolicyId = Annotated[int, Path(ge=1, le=MAX_ID, description="Policy id.")]
#: A person's action of the transition table (``flow.MANUAL_ACTIONS``); the service names an
#: unknown one.
PolicyAction = Annotated[
    str,
    Path(description=", ".join(flow.MANUAL_ACTIONS)),
    WithJsonSchema({"type": "string", "enum": list(flow.MANUAL_ACTIONS)}),
]


# ---- output ---------------------------------------------------------------------------------


class PolicyFileOut(OutSchema):
    id: int
    name: str = Field(validation_alias="original_name")
    content_type: str
    size: int
    url: str = Field(description="Download through the web session (scoped, audited)")

    @staticmethod
    def resolve_url(f: PolicyFile) -> str:
        return reverse("policies:file", args=[f.pk])


class PolicyOut(OutSchema):
    id: int
    title: str
    issuer: str
    level: str = Field(description="national, provincial, city or county")
    doc_no: str
    category: str = Field(description="funds, tax, talent, land, finance or other")
    org_unit: str = Field(validation_alias="org_unit.code", description="Code of the unit that keeps the policy")
    valid_from: IsoDate
    valid_to: IsoDate | None
    status: str = Field(description="draft, in_force, expired or withdrawn")
    delivery: str = Field(description="no_application (免申即享), quick_application or application")
    beneficiary: str = Field(description="enterprise or talent: whom the policy serves")
    summary: str
    benefits: str
    max_amount_wan: DecimalText | None = Field(description="万元, a decimal string")
    application_guide: str = Field(description="How to apply; always empty for a no_application (免申即享) policy")
    benefit_type: str = Field(
        description="cash, tax_reduction (减免) or super_deduction (加计扣除): a tax incentive is recorded as "
        "enjoyed (享受), not paid"
    )
    apply_deadline: str
    contact_office: str
    contact_phone: str
    contact_address: str
    eligibility: dict[str, Any] = Field(description="The canonical eligibility tree ({} for none)")
    version: int = Field(description="Send it back with PATCH to detect a concurrent change (409)")
    updated_at: IsoDateTime

    @staticmethod
    def resolve_eligibility(p: Policy) -> dict[str, Any]:
        return p.eligibility or {}

    @staticmethod
    def resolve_application_guide(p: Policy) -> str:
        # A 免申即享 policy never shows a guide (issue 15): nobody applies.
        return p.application_guide if p.shows_application_guide else ""


class PolicyDetailOut(PolicyOut):
    """A policy with its attachments (read through the selector)."""

    files: list[PolicyFileOut]

    @staticmethod
    def resolve_files(p: Policy) -> list[PolicyFile]:
        return selectors.policy_files(p)


class PolicyPageOut(OutSchema):
    count: int
    items: list[PolicyOut]


# ---- input ----------------------------------------------------------------------------------

#: Amounts that may come as JSON numbers (taken exactly from the body's text).
AMOUNTS = ["max_amount_wan"]


#: Publishing judges the stored policy, which no body can show: its eligibility tree against
#: today's dictionaries and its validity (a 422 naming ``eligibility`` or ``valid_to``).
PUBLISH_RULE = (
    "publish: the stored eligibility tree must be defined and valid against today's dictionaries and "
    "the validity not ended (422 naming eligibility or valid_to)"
)


class ActionIn(StrictSchema):
    model_config = ConfigDict(json_schema_extra={RULE_KEY: PUBLISH_RULE})

    reason: StrictStr | None = Field(
        None,
        description="Required to withdraw: one line",
        json_schema_extra={
            RULE_KEY: f"required by the transition table to withdraw; one line of at most {MAX_REASON} characters"
        },
    )
    version: StrictInt | None = Field(None, description="The version read; a different current version → 409")


# ---- operations -----------------------------------------------------------------------------


@router.get("", response=PolicyPageOut, openapi_extra=PolicyFilter.openapi())
@api_allow(selectors.READER_ROLES)
def policy_list(request: HttpRequest) -> dict[str, Any]:
    """Policies the caller may see, filtered, sorted and paged: ``{"count", "items"}``."""
    user = request_user(request)
    flt = PolicyFilter.parse(request.GET)
    qs = flt.apply(selectors.policy_list_visible_to(user))
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size]) if start < total else []
    return {"count": total, "items": rows_by_ids(qs, ids)}


@router.get("/{id}", response=PolicyDetailOut)
@api_allow(selectors.READER_ROLES)
def policy_detail(request: HttpRequest, id: PolicyId) -> Policy:
    """One policy with its attachments; 404 when the caller may not see it."""
    return selectors.policy_get_for_user(user=request_user(request), pk=id)


@router.post("", response={201: PolicyDetailOut})
@api_allow(*EDITORS)
def policy_create(request: HttpRequest, payload: PolicyBody) -> Status[Policy]:
    """Register a policy as a draft (publish it with ``actions/publish``)."""
    user = request_user(request)
    values = exact_amounts(request, payload.model_dump(exclude_unset=True), AMOUNTS)
    policy = services.policy_create(acting_user=user, data=PolicyInput.parse(values))
    return Status(201, selectors.policy_get_for_user(user=user, pk=policy.pk))


@router.patch("/{id}", response={200: PolicyDetailOut, 409: ErrorOut})
@api_allow(*EDITORS)
def policy_update(request: HttpRequest, id: PolicyId, payload: PolicyPatchBody) -> Policy:
    """Change the fields sent (not the status). With ``version``, a change made meanwhile → 409."""
    user = request_user(request)
    policy = selectors.policy_get_for_user(user=user, pk=id, action="change")
    values = exact_amounts(request, payload.model_dump(exclude_unset=True), AMOUNTS)
    version = values.pop("version", None)
    data = PolicyUpdateInput.parse(values)
    services.policy_update(acting_user=user, policy=policy, data=data, version=version)
    return selectors.policy_get_for_user(user=user, pk=id)


def _action_body(request: HttpRequest) -> ActionIn:
    """The action's optional JSON body (``{}`` or none at all for ``publish``), strictly read."""
    raw = request.body.strip()
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        raise InvalidInput.field("body", _("The body is not valid JSON.")) from None
    try:
        return ActionIn.model_validate(data)
    except ValidationError as exc:
        # Answered by the API's own validation handler, like a declared body (422, fields named).
        raise NinjaValidationError([dict(e) for e in exc.errors()]) from None


@router.post(
    "/{id}/actions/{action}",
    response={200: PolicyDetailOut, 409: ErrorOut},
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": ActionIn.model_json_schema()}},
        }
    },
)
@api_allow(*EDITORS)
def policy_action(request: HttpRequest, id: PolicyId, action: PolicyAction) -> Policy:
    """``publish`` (draft → in force; needs a valid tree and a validity not ended) or
    ``withdraw`` (body ``{"reason"}``); optional ``version``. 409 when the transition table
    forbids the action in the current status; 422 for an unknown action or a missing reason."""
    user = request_user(request)
    policy = selectors.policy_get_for_user(user=user, pk=id, action="change")
    body = _action_body(request)
    services.policy_transition(
        acting_user=user, policy=policy, action=action, reason=body.reason or "", version=body.version
    )
    return selectors.policy_get_for_user(user=user, pk=id)
