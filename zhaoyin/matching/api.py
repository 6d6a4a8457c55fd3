"""API: policy matching (DESIGN 5.1).

- ``GET /api/v1/enterprises/{id}/policy-matches`` — every in-force policy judged for one
  enterprise: ``{"items":[{"policy","verdict","conditions":[{"condition","result","reason",
  "label","path"}],"missing"}]}``, eligible first, then possible, then ineligible.
- ``GET /api/v1/policies/{id}/eligible-enterprises?verdict=eligible|possible&page=&page_size=``
  — the 免申即享 list in the caller's scope: ``{"count","items":[{"id","name","uscc",
  "org_unit","industry","verdict","missing"}]}`` (``missing``: the data a possible verdict
  waits for; empty for eligible ones). The enterprise list's filters (``q``, ``org_unit``,
  ``industry`` …) narrow it the same way.

- ``GET /api/v1/talents/{id}/policy-matches`` — every in-force talent policy judged for one
  talent (issue 13), the same shape as an enterprise's;
- ``GET /api/v1/policies/{id}/eligible-talents?verdict=&q=&page=&page_size=`` — a talent
  policy's 免申即享 list of talents in the caller's scope:
  ``{"count","items":[{"id","name","org_unit","education","tier","employer","verdict","missing"}]}``.

One router mounted at the API root (config/api.py) because its paths sit under both the
enterprises' and the policies' collections, whose routers other modules own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import api_allow
from zhaoyin.core.fields import IndustryRef, OrgUnitRef
from zhaoyin.core.outputs import DecimalText, IsoDate, OutSchema
from zhaoyin.enterprises import selectors as enterprise_selectors
from zhaoyin.enterprises.filters import EnterpriseFilter, enterprise_page
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.matching import selectors, talent_selectors
from zhaoyin.matching.models import MatchVerdict
from zhaoyin.matching.selectors import PolicyMatchView
from zhaoyin.matching.talent_selectors import EligibleTalentFilter
from zhaoyin.policies.selectors import READER_ROLES as POLICY_READERS
from zhaoyin.policies.selectors import policy_get_for_user
from zhaoyin.talents.models import Talent
from zhaoyin.talents.selectors import talent_get_for_user

router = Router(tags=["policy matching"])

MAX_ID = 2**63 - 1
EnterpriseId = Annotated[int, Path(ge=1, le=MAX_ID, description="Enterprise id.")]
PolicyId = Annotated[int, Path(ge=1, le=MAX_ID, description="Policy id.")]


class MatchPolicyOut(OutSchema):
    """The fields of a policy a match shows (read from the policy)."""

    id: int
    title: str
    issuer: str
    level: str
    doc_no: str
    category: str
    delivery: str = Field(description="no_application (免申即享), quick_application or application")
    benefits: str
    max_amount_wan: DecimalText | None = Field(description="万元, a decimal string")
    valid_from: IsoDate
    valid_to: IsoDate | None


class ConditionOut(OutSchema):
    """One leaf condition judged for the enterprise (``selectors.ConditionView``)."""

    condition: dict[str, object] = Field(description="The leaf condition as written in the tree")
    result: str = Field(description="met, unmet or unknown")
    reason: str = Field(description="Why, in the request's language (Chinese by default)")
    label: str = Field(description="The condition in words")
    path: str = Field(description="Where the condition sits in the tree, e.g. all[1].any[0]")


class PolicyMatchOut(OutSchema):
    """One in-force policy judged for the enterprise (``selectors.PolicyMatchView``)."""

    policy: MatchPolicyOut
    verdict: str = Field(description="eligible, possible or ineligible")
    conditions: list[ConditionOut]
    missing: list[str] = Field(description="For a possible verdict, the data still missing")


class PolicyMatchListOut(OutSchema):
    items: list[PolicyMatchOut]


@dataclass(frozen=True)
class EligibleRow:
    """An enterprise of a policy's list with the verdict the list shows and, for a possible
    one, the data it waits for (the row ``EligibleEnterpriseOut`` reads)."""

    enterprise: Enterprise
    verdict: str
    missing: list[str]


class EligibleEnterpriseOut(OutSchema):
    """An enterprise of a policy's 免申即享 list (an ``EligibleRow``)."""

    id: int = Field(validation_alias="enterprise.pk")
    name: str = Field(validation_alias="enterprise.name")
    uscc: str = Field(validation_alias="enterprise.uscc")
    org_unit: OrgUnitRef = Field(validation_alias="enterprise.org_unit")
    industry: IndustryRef = Field(validation_alias="enterprise.industry")
    verdict: str = Field(description="eligible or possible")
    missing: list[str] = Field(description="For a possible verdict, the data still missing")


class EligibleEnterprisePageOut(OutSchema):
    count: int
    items: list[EligibleEnterpriseOut]


#: The eligible-enterprises list's parameters: the verdict, then the enterprise list's filters.
ELIGIBLE_PARAMETERS = {
    "parameters": [
        {"name": "verdict", "in": "query", "required": False, "description": "eligible (default) or possible",
         "schema": {"type": "string", "enum": ["eligible", "possible"]}},
        *EnterpriseFilter.openapi()["parameters"],
    ]
}


@router.get("/enterprises/{id}/policy-matches", response=PolicyMatchListOut)
@api_allow(enterprise_selectors.READER_ROLES)
def enterprise_policy_matches(request: HttpRequest, id: EnterpriseId) -> dict[str, list[PolicyMatchView]]:
    """Every in-force policy judged for the enterprise, each condition met / unmet / unknown
    with its reason; 404 when the enterprise lies outside the caller's scope."""
    enterprise = enterprise_selectors.enterprise_get_for_user(user=request_user(request), pk=id)
    return {"items": selectors.enterprise_matches(enterprise).items}


@router.get(
    "/policies/{id}/eligible-enterprises", response=EligibleEnterprisePageOut, openapi_extra=ELIGIBLE_PARAMETERS
)
@api_allow(POLICY_READERS)
def policy_eligible_enterprises(request: HttpRequest, id: PolicyId) -> dict[str, Any]:
    """The policy's eligible (免申即享) or possibly eligible enterprises in the caller's scope,
    paged; a bad parameter → 422 naming it; an invisible policy → 404."""
    user = request_user(request)
    policy = policy_get_for_user(user=user, pk=id)
    verdict = selectors.parse_verdict(request.GET)
    flt = EnterpriseFilter.parse(request.GET)
    qs = flt.apply(selectors.policy_enterprises(user, policy, verdict))
    total, rows = enterprise_page(qs, flt)
    missing = (
        selectors.explain_page(policy, rows)
        if verdict == MatchVerdict.POSSIBLE and rows
        else {}
    )
    return {"count": total, "items": [EligibleRow(e, verdict, missing.get(e.pk, [])) for e in rows]}


# ---- talents (issue 13): a talent's talent policies, a talent policy's talents ----------------

TalentId = Annotated[int, Path(ge=1, le=MAX_ID, description="Talent id.")]


@dataclass(frozen=True)
class EligibleTalentRow:
    """A talent of a talent policy's list with the verdict and, for a possible one, the data
    it waits for (the row ``EligibleTalentOut`` reads)."""

    talent: Talent
    verdict: str
    missing: list[str]


class EligibleTalentOut(OutSchema):
    """A talent of a talent policy's 免申即享 list (an ``EligibleTalentRow``)."""

    id: int = Field(validation_alias="talent.pk")
    name: str = Field(validation_alias="talent.name")
    org_unit: OrgUnitRef = Field(validation_alias="talent.org_unit")
    education: str = Field(validation_alias="talent.education", description="doctorate, master, bachelor, …")
    tier: str = Field(validation_alias="talent.tier", description="A–E, or empty when not recognized")
    employer: str = Field(validation_alias="talent.employer_display")
    verdict: str = Field(description="eligible or possible")
    missing: list[str] = Field(description="For a possible verdict, the data still missing")


class EligibleTalentPageOut(OutSchema):
    count: int
    items: list[EligibleTalentOut]


#: The eligible-talents list's parameters: the verdict, then the list's search and paging.
ELIGIBLE_TALENT_PARAMETERS = {
    "parameters": [
        {"name": "verdict", "in": "query", "required": False, "description": "eligible (default) or possible",
         "schema": {"type": "string", "enum": ["eligible", "possible"]}},
        *EligibleTalentFilter.openapi()["parameters"],
    ]
}


@router.get("/talents/{id}/policy-matches", response=PolicyMatchListOut)
@api_allow(talent_selectors.TALENT_MATCH_READERS)
def talent_policy_matches(request: HttpRequest, id: TalentId) -> dict[str, list[PolicyMatchView]]:
    """Every in-force talent policy judged for the talent, each condition met / unmet / unknown
    with its reason (the enterprise side's shape); 404 when the talent lies outside the
    caller's scope (a portal user: any record but their own)."""
    talent = talent_get_for_user(user=request_user(request), pk=id)
    return {"items": talent_selectors.talent_matches(talent).items}


@router.get(
    "/policies/{id}/eligible-talents", response=EligibleTalentPageOut, openapi_extra=ELIGIBLE_TALENT_PARAMETERS
)
@api_allow(talent_selectors.ELIGIBLE_TALENT_READERS)
def policy_eligible_talents(request: HttpRequest, id: PolicyId) -> dict[str, Any]:
    """The talent policy's eligible (免申即享) or possibly eligible talents in the caller's scope,
    by name, paged; a bad parameter → 422 naming it; an invisible policy → 404."""
    user = request_user(request)
    policy = policy_get_for_user(user=user, pk=id)
    verdict = selectors.parse_verdict(request.GET)
    flt = EligibleTalentFilter.parse(request.GET)
    qs = flt.apply(talent_selectors.policy_talents(user, policy, verdict))
    total = qs.count()
    start = (flt.page - 1) * flt.page_size
    rows = list(qs[start : start + flt.page_size]) if start < total else []
    missing = talent_selectors.explain_talent_page(policy, rows) if verdict == MatchVerdict.POSSIBLE and rows else {}
    return {"count": total, "items": [EligibleTalentRow(t, verdict, missing.get(t.pk, [])) for t in rows]}
