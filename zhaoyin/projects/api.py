"""API: /projects (DESIGN 5.1) — list, detail, register, change, stage changes, funds in place.

Handlers parse, fetch through the selectors (out of scope → 404; read-only → 403), call one
service and shape the answer. Input schemas are strict (unknown fields → 422). Amounts are
Decimal end to end: accepted as a JSON string or number, a number re-read from the body's own
text (the enterprises API's ``Amount`` and ``exact_amounts``), answered as decimal strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Path, Router, Status

from zhaoyin.accounts.request import request_user
from zhaoyin.core import files as files_core
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.fields import MAX_ID, IndustryRef, OrgUnitRef, exact_amounts
from zhaoyin.core.inputs import Input
from zhaoyin.core.outputs import DecimalText, IsoDate, IsoDateTime, MonthText, OutSchema, Username
from zhaoyin.core.roles import Role
from zhaoyin.projects import selectors, services
from zhaoyin.projects.filters import ProjectFilter
from zhaoyin.projects.fund_flow import VERIFIERS
from zhaoyin.projects.inputs import (
    FundEntryInput,
    FundRejectInput,
    FundVerifyInput,
    ProjectInput,
    ProjectUpdateInput,
    StageChangeInput,
)
from zhaoyin.projects.models import EvidenceFile, FundEntry, FundEvidenceFile, Project, StageEvent

router = Router(tags=["projects"])

EDITORS = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.STAFF)




ProjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="Project id.")]


# ---- output ---------------------------------------------------------------------------------


class EvidenceOut(OutSchema):
    id: int
    name: str = Field(validation_alias="original_name")
    content_type: str
    size: int
    url: str = Field(description="Download through the web session (scoped)")

    @staticmethod
    def resolve_url(f: EvidenceFile) -> str:
        return reverse("projects:evidence", args=[f.pk])


class StageEventOut(OutSchema):
    id: int
    from_stage: str
    to_stage: str
    kind: str = Field(description="advance, skip, correction, hold, resume, terminate or reopen")
    date: IsoDate = Field(validation_alias="stage_on", description="The date of the stage, YYYY-MM-DD")
    note: str
    reason: str
    recorded_by: Username = Field(validation_alias="created_by")
    recorded_at: IsoDateTime = Field(validation_alias="created_at")
    files: list[EvidenceOut]


class FundEvidenceOut(OutSchema):
    id: int
    name: str = Field(validation_alias="original_name")
    content_type: str
    size: int
    url: str = Field(description="Download through the web session (scoped)")

    @staticmethod
    def resolve_url(f: FundEvidenceFile) -> str:
        return reverse("projects:fund_evidence", args=[f.pk])


class FundEntryOut(OutSchema):
    id: int
    month: MonthText = Field(description="YYYY-MM")
    amount_wan: DecimalText = Field(description="万元, a decimal string")
    source: str = Field(description="outside_city, outside_province or foreign")
    kind: str = Field(description="fixed_asset or other")
    note: str
    replaces: int | None = Field(validation_alias="replaces_id", description="The entry this one corrects")
    superseded: bool
    entered_at: IsoDateTime
    verification: str = Field(
        description="reported (填报, not counted yet), verified (核实: counted in targets and rankings) or "
                    "rejected (退回 with the reason; no longer active)"
    )
    flags: list[str] = Field(
        description="Plausibility flags for the verifier: over_total (cumulative funds above the total "
                    "investment, with over_total_reason), month_share (one month above the configured share)"
    )
    over_total_reason: str
    checked_by: Username = Field(validation_alias="verified_by", description="Who verified or returned it")
    checked_at: IsoDateTime | None = Field(validation_alias="verified_at")
    evidence_kind: str = Field(description="bank_slip or capital_verification ('' before verification)")
    verification_note: str = Field(description="The verifier's note, or the reason it was returned")
    files: list[FundEvidenceOut] = Field(description="The 到账凭证 files")

    @staticmethod
    def resolve_superseded(f: FundEntry) -> bool:
        return f.superseded_at is not None

    @staticmethod
    def resolve_flags(f: FundEntry) -> list[str]:
        return [str(code) for code in (f.flags or [])]

    @staticmethod
    def resolve_files(f: FundEntry) -> list[FundEvidenceFile]:
        return list(f.files.all())


class ProjectOut(OutSchema):
    id: int
    code: str
    name: str
    investor: int | None = Field(validation_alias="investor_id", description="Id of the registered investor enterprise")
    investor_name: str
    source_region: str
    industry: IndustryRef
    org_unit: OrgUnitRef
    total_investment_wan: DecimalText = Field(description="万元, a decimal string")
    construction_content: str
    land_mu: DecimalText | None
    attraction_method: str
    lead_official: str
    staff: Username = Field(description="Username of the staff member in charge")
    first_contact_on: IsoDate | None
    planned_sign_on: IsoDate | None
    planned_start_on: IsoDate | None
    planned_production_on: IsoDate | None
    stage: str
    stage_on: IsoDate | None
    version: int = Field(description="Send it back with PATCH to detect a concurrent change (409)")
    updated_at: IsoDateTime


class ProjectDetailOut(ProjectOut):
    """A project with its funds and stage history (each read through the selectors)."""

    funds_total_wan: DecimalText = Field(description="Funds in place so far (active entries), 万元")
    funds: list[FundEntryOut]
    events: list[StageEventOut]

    @staticmethod
    def resolve_funds_total_wan(p: Project) -> Decimal:
        return selectors.project_fund_total(p)

    @staticmethod
    def resolve_funds(p: Project) -> list[FundEntry]:
        return selectors.fund_entries(p)

    @staticmethod
    def resolve_events(p: Project) -> list[StageEvent]:
        return selectors.stage_events(p)


class ProjectPageOut(OutSchema):
    count: int
    items: list[ProjectOut]


# ---- input ----------------------------------------------------------------------------------


# The bodies are the use cases' input models (zhaoyin.projects.inputs): the same verdict per
# value as the pages and the imports.
AMOUNTS = ["total_investment_wan", "land_mu"]


def _exact(request: HttpRequest, payload: Input, names: list[str]) -> dict[str, Any]:
    """The fields sent, with amounts that arrived as JSON numbers read again from the body's
    own text (a float once parsed), to be built into the input once more."""
    return exact_amounts(request, payload.model_dump(exclude_unset=True), names)


def _page(qs: Any, page: int, page_size: int) -> tuple[int, list[Project]]:
    """Total and one page; the page's ids are read first (cheap on deep pages)."""
    total = qs.count()
    start = (page - 1) * page_size
    if start >= total:
        return total, []
    ids = list(qs.values_list("pk", flat=True)[start : start + page_size])
    rows = {p.pk: p for p in qs.filter(pk__in=ids)}
    return total, [rows[pk] for pk in ids if pk in rows]


def _detail(user: Any, project: Project) -> Project:
    """The project as the caller sees it now (ProjectDetailOut reads its funds and history)."""
    return selectors.project_get_for_user(user=user, pk=project.pk)


# ---- operations -----------------------------------------------------------------------------


@router.get("", response=ProjectPageOut, openapi_extra=ProjectFilter.openapi())
@api_allow(selectors.READER_ROLES)
def project_list(request: HttpRequest) -> dict[str, Any]:
    """Projects in the caller's scope, filtered, sorted and paged: ``{"count", "items"}``."""
    user = request_user(request)
    flt = ProjectFilter.parse(request.GET)
    qs = flt.apply(selectors.project_list_visible_to(user))
    total, items = _page(qs, flt.page, flt.page_size)
    return {"count": total, "items": items}


@router.get("/{id}", response=ProjectDetailOut)
@api_allow(selectors.READER_ROLES)
def project_detail(request: HttpRequest, id: ProjectId) -> Project:
    """One project with its stage history and funds; 404 outside the caller's scope."""
    user = request_user(request)
    return _detail(user, selectors.project_get_for_user(user=user, pk=id))


@router.post("", response={201: ProjectDetailOut, 409: ErrorOut})
@api_allow(*EDITORS)
def project_create(request: HttpRequest, payload: ProjectInput) -> Status[Project]:
    """Register a project at stage ``lead``; the code is generated."""
    user = request_user(request)
    data = ProjectInput.parse(_exact(request, payload, AMOUNTS))
    project = services.project_create(acting_user=user, data=data)
    return Status(201, _detail(user, project))


@router.patch("/{id}", response={200: ProjectDetailOut, 409: ErrorOut})
@api_allow(*EDITORS)
def project_update(request: HttpRequest, id: ProjectId, payload: ProjectUpdateInput) -> Project:
    """Change the fields sent (not the stage). With ``version``, a change made meanwhile → 409."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=id, action="change")
    data = ProjectUpdateInput.parse(_exact(request, payload, AMOUNTS))
    services.project_update(acting_user=user, project=project, data=data)
    return _detail(user, project)


@router.post("/{id}/stages", response={201: StageEventOut, 409: ErrorOut})
@api_allow(*EDITORS)
def project_stage_change(request: HttpRequest, id: ProjectId, payload: StageChangeInput) -> Status[StageEvent]:
    """Change the stage: 201 with the recorded event; 409 when the transition table forbids
    the change; 422 for an unknown stage, a bad date or a missing reason."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=id, action="change")
    event = services.project_change_stage(acting_user=user, project=project, data=payload)
    return Status(201, event)


@router.post("/{id}/funds", response={201: FundEntryOut})
@api_allow(*EDITORS)
def project_fund_add(request: HttpRequest, id: ProjectId, payload: FundEntryInput) -> Status[FundEntry]:
    """Record a month's funds in place for the project (201); 422 for a bad amount or month,
    or when an active entry for that month, source and kind exists (correct it instead)."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=id, action="change")
    # A JSON number is a float once parsed: the amount is read again from the body's own text.
    data = FundEntryInput.parse(_exact(request, payload, ["amount_wan"]))
    entry = services.fund_entry_add(acting_user=user, project=project, data=data)
    return Status(201, entry)


# ---- funds verification (核查) -------------------------------------------------------------

EntryId = Annotated[int, Path(ge=1, le=MAX_ID, description="Funds entry id (of this project).")]
#: Who 核查s: the city's 招商服务中心 (``fund_flow.VERIFIERS``).
VERIFIER_ROLES = tuple(Role(code) for code in sorted(VERIFIERS))
_VERIFY_JSON = FundVerifyInput.model_json_schema()
FILES_FIELD = "files"
_VERIFY_FORM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["evidence_kind", FILES_FIELD],
    "properties": {
        **_VERIFY_JSON["properties"],
        FILES_FIELD: {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "minItems": 1,
            "maxItems": files_core.MAX_FILES,
            "description": "到账凭证: a bank slip or a 验资 report — PDF, OFD, JPEG, PNG, Word (doc, docx, wps), "
                           "Excel (xls, xlsx, et) or PowerPoint (ppt, pptx), "
                           "at most 20 MB each, judged by their bytes (none or a bad one → 422 naming files, "
                           "nothing stored)",
        },
    },
}


def _verify_sent(request: HttpRequest) -> tuple[FundVerifyInput, list[files_core.Upload]]:
    """The verification as sent in ``multipart/form-data``: the fields and the ``files``;
    an unknown field → 422 naming it."""
    allowed = set(_VERIFY_JSON["properties"])
    unknown = sorted((set(request.FILES) - {FILES_FIELD}) | (set(request.POST) - allowed))
    if unknown:
        errors = [{"field": name, "message": gettext("Unknown field.")} for name in unknown]
        raise InvalidInput(f"{unknown[0]}: {errors[0]['message']}", errors)
    fields = {name: request.POST.get(name) for name in request.POST}
    return FundVerifyInput.parse(fields), request.FILES.getlist(FILES_FIELD)


@router.post(
    "/{id}/funds/{entry_id}/verify",
    response={200: FundEntryOut, 409: ErrorOut},
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": _VERIFY_FORM}}}},
)
@api_allow(*VERIFIER_ROLES)
def project_fund_verify(request: HttpRequest, id: ProjectId, entry_id: EntryId) -> FundEntry:
    """核实 a reported funds entry with its 到账凭证 (``multipart/form-data``: ``evidence_kind``,
    ``note``, ``files``): from now on it counts in targets and rankings. 403 for the person
    who entered it (or a role that does not verify); 409 when it is no longer reported; 422
    without a file or with a bad one (``files``), or a bad ``evidence_kind``."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=id)
    entry = selectors.fund_entry_get(project, entry_id)
    data, uploads = _verify_sent(request)
    services.fund_entry_verify(acting_user=user, entry=entry, data=data, files=uploads)
    return selectors.fund_entry_get(project, entry_id)


@router.post("/{id}/funds/{entry_id}/reject", response={200: FundEntryOut, 409: ErrorOut})
@api_allow(*VERIFIER_ROLES)
def project_fund_reject(
    request: HttpRequest, id: ProjectId, entry_id: EntryId, payload: FundRejectInput
) -> FundEntry:
    """退回 a reported funds entry with ``reason``: it stops being active and stays in the
    history; the county may enter the month again. 403/409 as for verify; 422 without a reason."""
    user = request_user(request)
    project = selectors.project_get_for_user(user=user, pk=id)
    entry = selectors.fund_entry_get(project, entry_id)
    services.fund_entry_reject(acting_user=user, entry=entry, data=payload)
    return selectors.fund_entry_get(project, entry_id)
