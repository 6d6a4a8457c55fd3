"""Writes of the bureaus' figures: the imports (dry run, commit of the previewed bytes, the
command line's one-step apply), bonuses and deductions (加分 / 减分), and the reconciliation's
Excel export.

The evaluators (``input_selectors.INPUT_EDITOR_ROLES``: the 亩均 office and the city
administrator) import and adjust; anyone else is refused (403, audited). An import is parsed
outside its write transaction and written in bulk, audited once per batch with its counts
(``core.importing``); an adjustment is one audited row.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_denied, audit_write
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import (
    REJECTION_MESSAGES,
    ImportFileError,
    ImportPlan,
    import_apply,
    import_commit,
    import_preview,
    plan_import,
)
from zhaoyin.core.models import ImportBatch
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.xlsx_safety import XlsxRejected, check_xlsx_upload
from zhaoyin.mujun.input_importing import import_spec, parse_kind
from zhaoyin.mujun.input_inputs import AdjustmentInput, ImportInput
from zhaoyin.mujun.input_selectors import INPUT_EDITOR_ROLES
from zhaoyin.mujun.models import MuAdjustment
from zhaoyin.mujun.sources import Source

#: The headers of the reconciliation export beside the figures'.


def _require_editor(user: User, action: str) -> None:
    if user.admin_role or not user.has_role(*INPUT_EDITOR_ROLES):
        audit_denied(user=user, action=f"{action}_denied", target=action)
        raise PermissionDenied


def default_year() -> int:
    """The year a page shows when none is asked for: last year (figures are reported after it)."""
    return timezone.localdate().year - 1


# --------------------------------------------------------------------------- imports


def mu_import_preview(
    *, acting_user: User, data: ImportInput, content: bytes, filename: str
) -> tuple[ImportBatch, ImportPlan]:
    """Check and dry-run a bureau's workbook for ``data.year``; the file is kept for the commit.
    A refused file raises ``core.importing.ImportFileError`` (nothing stored)."""
    _require_editor(acting_user, "mu_input.import")
    spec = import_spec(data.source, data.year, acting_user)
    return import_preview(acting_user=acting_user, spec=spec, data=content, filename=filename)


def mu_import_commit(*, acting_user: User, batch: ImportBatch) -> tuple[ImportBatch, ImportPlan]:
    """Apply a previewed batch of ``acting_user``: the stored bytes re-read and re-checked,
    written all or nothing (``ImportBlocked`` with any row error). Another user's batch, or
    one of another kind, is 404."""
    _require_editor(acting_user, "mu_input.import")
    parsed = parse_kind(batch.kind)
    if parsed is None or batch.uploaded_by_id != acting_user.pk:
        raise Http404
    source, year = parsed
    return import_commit(acting_user=acting_user, spec=import_spec(source, year, acting_user), batch=batch)


def mu_import_check(*, acting_user: User | None, source: Source, year: int, content: bytes) -> ImportPlan:
    """Check a workbook as a commit would and write nothing (the command line's ``--dry-run``):
    the plan carries the counts and the row errors. A refused file raises ``ImportFileError``."""
    if acting_user is not None:
        _require_editor(acting_user, "mu_input.import")
    try:
        check_xlsx_upload(content, max_bytes=settings.MAX_UPLOAD_BYTES)
    except XlsxRejected as exc:
        raise ImportFileError(exc.code, str(REJECTION_MESSAGES.get(exc.code, exc.message))) from None
    # Reads only; the verdicts compare with the stored records as the commit's would.
    return plan_import(import_spec(source, year, acting_user), content, keep_cleaned=False)


def mu_import_apply(*, acting_user: User | None, source: Source, year: int, content: bytes) -> ImportPlan:
    """Apply a workbook at once, all or nothing (the command line): the returned plan carries
    the row errors when nothing was written. Audited as ``mu_input.import`` with the counts."""
    if acting_user is not None:
        _require_editor(acting_user, "mu_input.import")
    return import_apply(
        acting_user=acting_user, spec=import_spec(source, year, acting_user), data=content,
        action="mu_input.import", object_type="core.importbatch",
        detail=json.dumps({"source": source.value, "year": year}),
    )


# --------------------------------------------------------------------------- 加分 / 减分


def adjustment_add(*, acting_user: User, enterprise: Enterprise, data: AdjustmentInput) -> MuAdjustment:
    """Record a bonus (positive points) or deduction (negative) of a firm in a year, with its
    reason. A run made afterwards reads it through its snapshot; runs already made keep theirs."""
    _require_editor(acting_user, "mu_adjustment.add")
    with transaction.atomic():
        adjustment = MuAdjustment.objects.create(
            enterprise=enterprise, year=data.year, points=data.points, reason=data.reason, created_by=acting_user
        )
        audit_write(
            action="mu_adjustment.add", user=acting_user, obj=adjustment,
            after={"enterprise": enterprise.pk, "year": data.year, "points": str(data.points), "reason": data.reason},
        )
    return adjustment


def adjustment_remove(*, acting_user: User, adjustment: MuAdjustment) -> None:
    """Remove a bonus or deduction (audited with what it was)."""
    _require_editor(acting_user, "mu_adjustment.remove")
    with transaction.atomic():
        before = {"enterprise": adjustment.enterprise_id, "year": adjustment.year, "points": str(adjustment.points),
                  "reason": adjustment.reason}
        audit_write(action="mu_adjustment.remove", user=acting_user, obj=adjustment, before=before)
        deleted, _rows = MuAdjustment.objects.filter(pk=adjustment.pk).delete()
        if not deleted:
            raise Http404


__all__ = [
    "InvalidInput", "adjustment_add", "adjustment_remove", "default_year", "mu_import_apply",
    "mu_import_check", "mu_import_commit", "mu_import_preview",
]
