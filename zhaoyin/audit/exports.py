"""The audit log as an .xlsx workbook (AUD-07). Every text value is a string cell (XLS-02):
audit records carry user input (object names, details) that must never become a formula.
Each record passes ``redaction.for_reader`` as on the auditor's pages (issue 12 D4)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.audit.models import AuditRecord
from zhaoyin.audit.redaction import for_reader
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

#: An export larger than this is refused: narrow the time range instead.
MAX_EXPORT_ROWS = 200_000


def _rows(records: QuerySet[AuditRecord]) -> Iterator[list[Any]]:
    outcomes = dict(AuditRecord._meta.get_field("outcome").flatchoices)
    for r in records.iterator(chunk_size=2000):
        shown = for_reader(r)
        yield [
            r.pk,
            timezone.localtime(r.at).isoformat(timespec="seconds"),
            r.actor, r.roles, r.unit, r.channel, r.client_ip or "", r.request_id, r.action,
            str(outcomes.get(r.outcome, r.outcome)), r.object_type, r.object_id, shown.object_repr,
            json.dumps(shown.before, ensure_ascii=False, sort_keys=True) if shown.before is not None else "",
            json.dumps(shown.after, ensure_ascii=False, sort_keys=True) if shown.after is not None else "",
            shown.detail, r.hash,
        ]


def write_audit_xlsx(target: IO[bytes], records: QuerySet[AuditRecord]) -> int:
    """Write ``records`` to ``target``; return the number of rows written."""
    headers = [
        _("ID"), _("Time"), _("Actor"), _("Roles"), _("Org unit"), _("Channel"), _("Client IP"),
        _("Request id"), _("Action"), _("Outcome"), _("Object type"), _("Object id"), _("Object"),
        _("Before"), _("After"), _("Detail"), _("Hash"),
    ]
    # Every column but the record id is text: ids, IPs and times must not be reinterpreted.
    text_columns = frozenset(range(1, len(headers)))
    widths = [8, 22, 16, 16, 12, 8, 16, 34, 22, 10, 22, 12, 24, 40, 40, 40, 20]
    return write_xlsx(
        target,
        [SheetSpec(title=_("Audit log"), headers=headers, rows=_rows(records),
                   text_columns=text_columns, widths=widths)],
    )
