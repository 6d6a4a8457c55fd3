"""Matrix rows (tests/authz_matrix.py) for the bureaus' figures of the 亩均 evaluation.

Readers of the reconciliation and a firm's inputs: the 亩均 office, the city-wide roles, the
unit roles within their subtree (county B's firm: 404) and the enterprise persona for its own
firm only (another: 404). Imports and bonuses / deductions: the 亩均 office and the city
administrator. The batch list: the city-level readers. A batch's result and error report: its
uploader only (another evaluator: 404).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.authz_matrix import MATRIX, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.core.models import ImportBatch, ImportStatus
from zhaoyin.core.roles import Role
from zhaoyin.mujun.input_selectors import INPUT_EDITOR_ROLES, INPUT_READER_ROLES
from zhaoyin.mujun.models import MuAdjustment, MuInput
from zhaoyin.mujun.selectors import CITY_READER_ROLES

YEAR = timezone.localdate().year - 1
EDITORS = INPUT_EDITOR_ROLES
READERS = INPUT_READER_ROLES
#: County B's firm for county A's unit personas and for firm A's portal account.
OTHER_FIRM: dict[Role, Any] = {**dict.fromkeys(UNIT_SCOPED, 404), Role.ENTERPRISE: 404}


@world_builder
def mu_inputs(w: World) -> None:
    office = w.user(Role.MU_OFFICE)
    batch = ImportBatch.objects.create(
        kind=f"mu_tax_{YEAR}", sha256="0" * 64, filename="tax.xlsx", uploaded_by=office,
        status=ImportStatus.COMMITTED, committed_at=timezone.now(), rows_in=2, created=2,
        errors=[[3, "统一社会信用代码", "示例"]],
    )
    for firm, value in ((w.enterprise_a, 120), (w.enterprise_b, 80)):
        MuInput.objects.create(enterprise=firm, year=YEAR, figure="tax", value=value, source="tax", batch=batch)
    w.extra["mu_batch"] = batch
    w.extra["mu_adjustment"] = MuAdjustment.objects.create(
        enterprise=w.enterprise_a, year=YEAR, points=2, reason="省级智能工厂", created_by=office)


def _firm(key: str) -> Any:
    return lambda w: {"enterprise_id": getattr(w, key).pk}


def _batch(w: World) -> dict[str, Any]:
    return {"pk": w.extra["mu_batch"].pk}


#: Only the uploader (the 亩均 office persona) reaches its batch; the city admin gets 404.
OWN_BATCH = {Role.CITY_ADMIN: 404}

MATRIX += [
    web("mujun:inputs", allowed=READERS, query=f"?year={YEAR}"),
    web("mujun:inputs_export", allowed=READERS, query=f"?year={YEAR}"),
    web("mujun:inputs_firm", allowed=READERS, kwargs=_firm("enterprise_a"), label="own region / own firm"),
    web("mujun:inputs_firm", allowed=READERS, kwargs=_firm("enterprise_b"), scope=OTHER_FIRM,
        label="county B"),
    web("mujun:adjustment_add", "POST", allowed=EDITORS, ok=302, kwargs=_firm("enterprise_a"),
        data=lambda w: {"year": str(YEAR), "points": "1.5", "reason": "专精特新"}),
    web("mujun:adjustment_delete", "POST", allowed=EDITORS, ok=302,
        kwargs=lambda w: {"pk": w.extra["mu_adjustment"].pk}),
    web("mujun:batches", allowed=CITY_READER_ROLES),
    web("mujun:import", allowed=EDITORS, kwargs=lambda w: {"source": "tax"}),
    web("mujun:import", "POST", allowed=EDITORS, ok=400, kwargs=lambda w: {"source": "tax"},
        data=lambda w: {"year": str(YEAR)}, label="no file: 400"),
    web("mujun:import_template", allowed=EDITORS, kwargs=lambda w: {"source": "land"}),
    web("mujun:import_commit", "POST", allowed=EDITORS, ok=400, label="no batch: 400"),
    web("mujun:import_result", allowed=EDITORS, kwargs=_batch, scope=OWN_BATCH),
    web("mujun:import_errors", allowed=EDITORS, kwargs=_batch, scope=OWN_BATCH),
    api("POST", "/api/v1/mu-inputs/imports", allowed=EDITORS, ok=422, label="no file: 422"),
    api("GET", "/api/v1/mu-inputs", allowed=READERS, query=f"?year={YEAR}"),
    api("GET", "/api/v1/enterprises/{id}/mu-inputs", allowed=READERS, query=f"?year={YEAR}",
        kwargs=lambda w: {"id": w.enterprise_a.pk}, label="own region / own firm"),
    api("GET", "/api/v1/enterprises/{id}/mu-inputs", allowed=READERS, query=f"?year={YEAR}",
        kwargs=lambda w: {"id": w.enterprise_b.pk}, scope=OTHER_FIRM, label="county B"),
    api("POST", "/api/v1/mu-adjustments", allowed=EDITORS, ok=201,
        data=lambda w: {"enterprise": w.enterprise_a.pk, "year": YEAR, "points": -1, "reason": "环保处罚"}),
    api("DELETE", "/api/v1/mu-adjustments/{id}", allowed=EDITORS, ok=204,
        kwargs=lambda w: {"id": w.extra["mu_adjustment"].pk}),
]
