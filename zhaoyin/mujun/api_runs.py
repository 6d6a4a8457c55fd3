"""The 亩均 API: runs and their process (mounted by config.api at "", full paths).

Internal (the evaluators write; every internal reader reads, results scoped to their subtree):

- ``GET /mu-runs?year=`` · ``POST /mu-runs`` (初评: ``{"scheme": id}``; a scheme that does not
  validate → 422 naming ``definition.<path>``) · ``GET /mu-runs/{id}`` (with ``status``) ·
  ``GET /mu-runs/{id}/results?q=&list=&grade=&org_unit=&sort=&page=&page_size=`` ·
  ``GET /mu-runs/{id}/verify`` (the stored snapshot evaluated again: ``identical``) ·
  ``POST /mu-runs/{id}/actions/{recompute|start_publicity|publish|discard}``;
- 调档: ``POST /mu-runs/{id}/grade-changes`` · ``POST /mu-grade-changes/{id}/actions/
  {approve_grade|reject_grade}`` (four-eyes: the proposer → 403);
- 异议: ``POST /mu-objections/{id}/actions/{uphold|dismiss}`` (uphold with ``corrections``);
- ``GET /enterprises/{id}/mu-results`` (a firm's results over the years; an enterprise account
  only its own, only in public runs; another firm → 404).

The enterprise portal: ``GET /me/mu-results`` · ``POST /me/mu-results/{id}/objections``
(during the 公示; after it → 409): JSON ``{"text"}``, or ``multipart/form-data`` with ``text``
and the evidence as ``files`` (checked by their bytes before anything is written: a bad one →
422 naming ``files``, nothing stored).
"""

from __future__ import annotations

import builtins
import json
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from zhaoyin.accounts.request import request_user
from zhaoyin.core import files as files_core
from zhaoyin.core.api import ErrorOut, api_allow
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.fields import MAX_ID, OrgUnitRef
from zhaoyin.core.inputs import FORM_CONTEXT
from zhaoyin.core.outputs import DecimalText, IsoDate, IsoDateTime, OutSchema, Username
from zhaoyin.core.paging import rows_by_ids
from zhaoyin.mujun import selectors, services
from zhaoyin.mujun.filters_runs import GradeChangeFilter, ObjectionFilter, ResultFilter
from zhaoyin.mujun.flow import STEP_ACTIONS
from zhaoyin.mujun.inputs import (
    AnswerInput,
    GradeDecideInput,
    GradeProposeInput,
    ObjectionInput,
    RunCreateInput,
    StepInput,
)
from zhaoyin.mujun.models import MuGradeChange, MuObjection, MuResult, MuRun

router = Router(tags=["mujun"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Id.")]
StepName = Literal["recompute", "start_publicity", "publish", "discard"]
DecideName = Literal["approve_grade", "reject_grade"]
AnswerName = Literal["uphold", "dismiss"]
assert set(StepName.__args__) == set(STEP_ACTIONS)  # type: ignore[attr-defined]

EVALUATORS = selectors.EVALUATOR_ROLES
READERS = selectors.READER_ROLES
PORTAL = selectors.PORTAL_ROLES
RunState = Literal["initial", "publicity", "published", "discarded"]
GradeOrBlank = Literal["A", "B", "C", "D", ""]


# ---- output -------------------------------------------------------------------------------------


class SchemeRefOut(OutSchema):
    id: int
    year: int
    number: int = Field(description="The scheme's version number")
    name: str


class RunOut(OutSchema):
    """A run: its state (``status``), the 公示's dates and the digests that make it reproducible."""

    id: int
    year: int
    scheme: SchemeRefOut
    status: RunState = Field(description="initial (初评), publicity (公示), published (发布) or discarded")
    firms: int = Field(description="Firms in the snapshot (those outside every list included)")
    outside: list[str] = Field(description="Credit codes of the firms no list admits")
    benchmarks: dict[str, dict[str, str | None]] = Field(description="List code → indicator code → benchmark")
    inputs_digest: str
    scheme_digest: str
    engine_version: str
    digest: str = Field(description="SHA-256 of the results (lib.mujun.Run.digest)")
    revision: int = Field(description="Re-runs so far (recompute, upheld objections)")
    publicity_start: IsoDate | None
    publicity_end: IsoDate | None = Field(description="The 公示's last day (working days on the calendar)")
    published_at: IsoDateTime | None
    created_by: Username
    created_at: IsoDateTime
    version: int = Field(description="Send it back with a step to detect a concurrent change (409)")

    @staticmethod
    def resolve_status(obj: MuRun) -> str:
        return obj.state


class RunPageOut(OutSchema):
    count: int
    items: list[RunOut]


class EnterpriseRefOut(OutSchema):
    id: int
    name: str
    uscc: str


class ResultIndicatorOut(Schema):
    code: str
    formula: str = Field(description="numerator / denominator over lib.mujun.FIGURES")
    value: str | None = Field(description="The firm's ratio at 4 places; null: data missing")
    benchmark: str | None
    weight: str
    points: str
    note: str = Field(description="How missing data was scored, when it was")


class ResultAdjustmentOut(Schema):
    points: str = Field(description="加分 positive, 减分 negative")
    reason: str


class ResultOut(OutSchema):
    """A firm's result in a run."""

    id: int
    run: int
    year: int
    enterprise: EnterpriseRefOut
    org_unit: OrgUnitRef
    rank: int | None
    score: DecimalText | None
    initial_grade: GradeOrBlank = Field(description="The run's grade (初评)")
    grade: GradeOrBlank = Field(description="The grade after 调档 (final once published); '' not graded")
    why: str = Field(description="Why not graded: exempt, incomplete, outside; '' graded")
    indicators: builtins.list[ResultIndicatorOut]
    adjustments: builtins.list[ResultAdjustmentOut]
    figures: dict[str, str] = Field(description="The firm's figures as the run read them")
    # Last: the field's name shadows the builtin for the annotations after it.
    list: str = Field(description="The result list's code; '' outside every list")

    @staticmethod
    def resolve_run(obj: MuResult) -> int:
        return obj.run_id

    @staticmethod
    def resolve_year(obj: MuResult) -> int:
        return obj.run.year

    @staticmethod
    def resolve_list(obj: MuResult) -> str:
        return obj.list_code

    @staticmethod
    def resolve_indicators(obj: MuResult) -> builtins.list[dict[str, Any]]:
        keys = ("code", "formula", "value", "benchmark", "weight", "points", "note")
        return [dict(zip(keys, row, strict=True)) for row in obj.indicators]

    @staticmethod
    def resolve_adjustments(obj: MuResult) -> builtins.list[dict[str, Any]]:
        return [{"points": p, "reason": r} for p, r in obj.adjustments]


class ResultPageOut(OutSchema):
    count: int
    items: list[ResultOut]


class VerifyOut(Schema):
    digest: str = Field(description="The stored results digest")
    recomputed: str = Field(description="The digest of the stored snapshot evaluated now")
    identical: bool
    scheme_unchanged: bool = Field(description="The scheme's definition is the one the run was made with")


class GradeChangeOut(OutSchema):
    id: int
    run: int
    result: int
    from_grade: GradeOrBlank
    to_grade: Literal["A", "B", "C", "D"]
    reason: str
    status: Literal["proposed", "approved", "rejected"]
    proposed_by: Username
    proposed_at: IsoDateTime
    decided_by: Username
    decided_at: IsoDateTime | None
    decision_note: str

    @staticmethod
    def resolve_run(obj: MuGradeChange) -> int:
        return obj.run_id

    @staticmethod
    def resolve_result(obj: MuGradeChange) -> int:
        return obj.result_id

    @staticmethod
    def resolve_status(obj: MuGradeChange) -> str:
        return obj.state


class ObjectionOut(OutSchema):
    id: int
    run: int
    result: int
    text: str
    status: Literal["open", "upheld", "dismissed"]
    matter: int | None = Field(description="The matter the objection was registered as")
    submitted_at: IsoDateTime
    due_on: IsoDate | None = Field(description="The answer is due by the end of this day")
    answer: str
    corrections: dict[str, str]
    answered_at: IsoDateTime | None
    grade_before: GradeOrBlank
    grade_after: GradeOrBlank

    @staticmethod
    def resolve_run(obj: MuObjection) -> int:
        return obj.run_id

    @staticmethod
    def resolve_result(obj: MuObjection) -> int:
        return obj.result_id

    @staticmethod
    def resolve_matter(obj: MuObjection) -> int | None:
        return obj.matter_id

    @staticmethod
    def resolve_status(obj: MuObjection) -> str:
        return obj.state


class RunCreateBody(RunCreateInput):
    """初评: the scheme to run."""


class RunStepBody(StepInput):
    """A step's body: the note or reason (discard), the version read."""


class GradeProposeBody(GradeProposeInput):
    """调档: the result, the grade proposed, the reason, the run's version read."""


class GradeDecideBody(GradeDecideInput):
    """The decision's note (required to reject)."""


class ObjectionBody(ObjectionInput):
    """异议: the objection's text (with ``multipart/form-data``, the evidence as ``files``)."""


class AnswerBody(AnswerInput):
    """The answer, the corrected figures (uphold) and the run's version read."""


class RunQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Only this year's runs")


# ---- runs ---------------------------------------------------------------------------------------


def _run(request: HttpRequest, pk: int) -> MuRun:
    return selectors.run_get_for_user(user=request_user(request), pk=pk)


@router.get("/mu-runs", response=RunPageOut)
@api_allow(READERS)
def run_list(request: HttpRequest, filters: Query[RunQuery]) -> dict[str, Any]:
    """Every run, latest first."""
    qs = selectors.run_list_visible_to(request_user(request)).select_related("created_by")
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    items = list(qs[:500])
    return {"count": len(items), "items": items}


@router.post("/mu-runs", response={201: RunOut, 409: ErrorOut})
@api_allow(EVALUATORS)
def run_create(request: HttpRequest, payload: RunCreateBody) -> Status[MuRun]:
    """初评: evaluate the scheme's year under it. An unknown scheme, a year without inputs → 422
    naming ``scheme``; a scheme that does not validate → 422 naming ``definition.<path>``."""
    user = request_user(request)
    created = services.run_create(acting_user=user, data=RunCreateInput.parse(payload.model_dump()))
    return Status(201, _run(request, created.pk))


@router.get("/mu-runs/{id}", response=RunOut)
@api_allow(READERS)
def run_detail(request: HttpRequest, id: Id) -> MuRun:
    """One run (its ``status``, dates and digests)."""
    return _run(request, id)


@router.get("/mu-runs/{id}/results", response=ResultPageOut, openapi_extra=ResultFilter.openapi())
@api_allow(READERS)
def run_results(request: HttpRequest, id: Id) -> dict[str, Any]:
    """The run's results in the caller's scope, filtered (q, list, grade, org_unit) and paged."""
    user = request_user(request)
    run = _run(request, id)
    flt = ResultFilter.parse(request.GET)
    qs = flt.apply(selectors.result_list_visible_to(user, run))
    total = selectors.result_count(user, run, qs, filtered=flt.is_filtered)
    start = (flt.page - 1) * flt.page_size
    ids = list(qs.values_list("pk", flat=True)[start : start + flt.page_size]) if start < total else []
    return {"count": total, "items": rows_by_ids(qs, ids)}


@router.get("/mu-runs/{id}/verify", response=VerifyOut)
@api_allow(READERS)
def run_verify(request: HttpRequest, id: Id) -> dict[str, Any]:
    """The stored snapshot evaluated again under the stored scheme: the digest is compared."""
    return services.run_verify(_run(request, id))


@router.post("/mu-runs/{id}/actions/{action}", response={200: RunOut, 409: ErrorOut})
@api_allow(EVALUATORS)
def run_action(
    request: HttpRequest, id: Id, action: Annotated[StepName, Path(description="A step of the run table")],
    payload: RunStepBody,
) -> MuRun:
    """Take a step. 409: not allowed from the current state, a stale ``version``, a grade change
    pending, the 公示 not over or an objection open (publish), another run of the year
    published; 422: a missing reason (discard)."""
    user = request_user(request)
    services.run_step(acting_user=user, run=_run(request, id), action=action, data=payload)
    return _run(request, id)


# ---- 调档 ----------------------------------------------------------------------------------------


@router.post("/mu-runs/{id}/grade-changes", response={201: GradeChangeOut, 409: ErrorOut})
@api_allow(EVALUATORS)
def grade_propose(request: HttpRequest, id: Id, payload: GradeProposeBody) -> Status[MuGradeChange]:
    """提出调档 (a second evaluator decides). A result not of this run → 422 naming ``result``;
    one already waiting, or the run past 初评 → 409."""
    user = request_user(request)
    change = services.grade_change_propose(acting_user=user, run=_run(request, id), data=payload)
    return Status(201, change)


class GradeChangePageOut(OutSchema):
    count: int
    items: list[GradeChangeOut]


class ObjectionPageOut(OutSchema):
    count: int
    items: list[ObjectionOut]


@router.get("/mu-grade-changes", response=GradeChangePageOut, openapi_extra=GradeChangeFilter.openapi())
@api_allow(EVALUATORS)
def grade_change_list(request: HttpRequest) -> dict[str, Any]:
    """调档 requests of the runs the caller sees (``run``, ``state``), paged: where a client
    learns the id it decides on (issue 16 item 9)."""
    flt = GradeChangeFilter.parse(request.GET)
    qs = flt.apply(selectors.grade_change_list_visible_to(request_user(request)))
    start = (flt.page - 1) * flt.page_size
    return {"count": qs.count(), "items": list(qs[start : start + flt.page_size])}


@router.get("/mu-objections", response=ObjectionPageOut, openapi_extra=ObjectionFilter.openapi())
@api_allow(EVALUATORS)
def objection_list(request: HttpRequest) -> dict[str, Any]:
    """异议 the caller sees (``run``, ``state``), paged: where a client learns the id it answers."""
    flt = ObjectionFilter.parse(request.GET)
    qs = flt.apply(selectors.objection_list_visible_to(request_user(request)))
    start = (flt.page - 1) * flt.page_size
    return {"count": qs.count(), "items": list(qs[start : start + flt.page_size])}


@router.post("/mu-grade-changes/{id}/actions/{action}", response={200: GradeChangeOut, 409: ErrorOut})
@api_allow(EVALUATORS)
def grade_decide(
    request: HttpRequest, id: Id, action: Annotated[DecideName, Path(description="approve_grade or reject_grade")],
    payload: GradeDecideBody,
) -> MuGradeChange:
    """同意 / 不同意调档: by another evaluator than the proposer (else 403); decided already → 409."""
    user = request_user(request)
    change = selectors.grade_change_list_visible_to(user).filter(pk=id).first()
    if change is None:
        raise Http404
    return services.grade_change_decide(acting_user=user, change=change, action=action, data=payload)


# ---- 异议 ----------------------------------------------------------------------------------------


@router.post("/mu-objections/{id}/actions/{action}", response={200: ObjectionOut, 409: ErrorOut})
@api_allow(EVALUATORS)
def objection_answer(
    request: HttpRequest, id: Id, action: Annotated[AnswerName, Path(description="uphold or dismiss")],
    payload: AnswerBody,
) -> MuObjection:
    """异议成立 (with ``corrections``: the run is computed again, recorded) or 不成立. Answered
    already, the run past 公示, a stale version → 409; uphold without corrections → 422."""
    user = request_user(request)
    objection = selectors.objection_list_visible_to(user).filter(pk=id).first()
    if objection is None:
        raise Http404
    return services.objection_answer(acting_user=user, objection=objection, action=action,
                                     data=AnswerInput.parse(payload.model_dump()))


# ---- a firm's results ---------------------------------------------------------------------------


@router.get("/enterprises/{id}/mu-results", response=list[ResultOut])
@api_allow(READERS | PORTAL)
def enterprise_results(request: HttpRequest, id: Id) -> list[MuResult]:
    """A firm's results over the years, latest first (an enterprise account: its own, in public
    runs; a firm outside the caller's scope → 404)."""
    user = request_user(request)
    if not selectors.enterprise_in_scope(user, id):
        raise Http404
    return list(selectors.result_list_visible_to(user).filter(enterprise_id=id).order_by("-run__year", "-run_id"))


@router.get("/me/mu-results", response=list[ResultOut])
@api_allow(PORTAL)
def my_results(request: HttpRequest) -> list[MuResult]:
    """The signed-in enterprise's results in runs in 公示 or published, latest first."""
    return list(selectors.result_list_visible_to(request_user(request)).order_by("-run__year", "-run_id"))


_OBJECTION_JSON = ObjectionBody.model_json_schema()
#: The field the evidence files come in (as on the portal page).
FILES_FIELD = "files"
_OBJECTION_FORM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text"],
    "properties": {
        "text": _OBJECTION_JSON["properties"]["text"],
        FILES_FIELD: {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": files_core.MAX_FILES,
            "description": "Evidence: PDF, OFD, JPEG, PNG, Word (doc, docx, wps), Excel (xls, xlsx, et) or "
                           "PowerPoint (ppt, pptx), at most 20 MB each, judged by their bytes "
                           "(a bad one → 422 naming files, nothing stored)",
        },
    },
}


def _objection_sent(request: HttpRequest) -> tuple[ObjectionBody, list[files_core.Upload]]:
    """The objection as sent: ``multipart/form-data`` (``text`` and the ``files``) or a JSON
    body ``{"text"}``; 422 naming each field at fault, as a declared body would be answered
    (ninja declares one media type per body, this operation takes both)."""
    if request.content_type == "multipart/form-data":
        unknown = sorted(set(request.FILES) - {FILES_FIELD})
        if unknown:
            errors = [{"field": name, "message": _("Unknown field.")} for name in unknown]
            raise InvalidInput(f"{unknown[0]}: {errors[0]['message']}", errors)
        fields = {name: request.POST.get(name) for name in request.POST}
        return ObjectionBody.parse(fields, context=FORM_CONTEXT), request.FILES.getlist(FILES_FIELD)
    raw = request.body.strip()
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        raise InvalidInput.field("body", _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidInput.field("body", _("The body is not valid JSON."))
    return ObjectionBody.parse(data), []


@router.post(
    "/me/mu-results/{id}/objections",
    response={201: ObjectionOut, 409: ErrorOut},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": _OBJECTION_JSON},
        "multipart/form-data": {"schema": _OBJECTION_FORM},
    }}},
)
@api_allow(PORTAL)
def my_objection(request: HttpRequest, id: Id) -> Status[MuObjection]:
    """提出异议 on one's own result during the 公示, with evidence files when sent as
    ``multipart/form-data`` (another firm's result → 404; after the 公示's last day → 409 "the
    publicity is over"; a file that is not a PDF, image, Word or Excel file, too large or too
    many → 422 naming ``files``, nothing stored)."""
    user = request_user(request)
    result = selectors.result_get_for_user(user=user, pk=id)
    data, uploads = _objection_sent(request)
    return Status(201, services.objection_submit(acting_user=user, result=result, data=data, files=uploads))
