"""Excel export of the enterprise list (issue 2 item 8, XLS-02, XLS-03).

The rows are exactly the list page's: the same scoped selector, then the same filter parser
and applier (``zhaoyin.enterprises.filters``), so an export can never contain an enterprise
the list would not show. The columns are the import template's, so an exported file imports
back with every row unchanged. Text is written as string cells (no formula injection), the
USCC and other codes as text, amounts as numbers. The workbook is streamed to a temporary
file (openpyxl write-only mode: memory does not grow with the row count) and every export is
audited with its filter and row count.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write
from zhaoyin.core.export_pages import timestamped_filename
from zhaoyin.enterprises.filters import EnterpriseFilter
from zhaoyin.enterprises.importing import ENTERPRISE_COLUMNS, IDENTIFIER_INDEXES, SIZE_LABELS
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.enterprises.selectors import enterprise_list_visible_to
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

CHUNK = 2000


def export_row(e: Enterprise) -> list[Any]:
    """One enterprise in template column order (qualifications must be prefetched)."""
    return [
        e.name,
        e.uscc,
        e.org_unit.code,
        e.industry.name,
        e.legal_representative,
        e.address,
        SIZE_LABELS.get(e.size_class, e.size_class),
        e.founded_on,
        e.employees,
        e.land_mu,
        "、".join(q.name for q in e.qualifications.all()),
        e.service_group.code if e.service_group is not None else None,
    ]


def _rows(qs: Any) -> Iterator[list[Any]]:
    for enterprise in qs.prefetch_related("qualifications").iterator(chunk_size=CHUNK):
        yield export_row(enterprise)


def enterprise_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """Write the user's scoped, filtered enterprise list to ``out`` as .xlsx; return the row
    count. Bad filter parameters raise ``InvalidInput`` before anything is written. The export
    is audited ("enterprise.export") with the filter and the count of rows in the file."""
    flt = EnterpriseFilter.parse(params)
    qs = flt.apply(enterprise_list_visible_to(acting_user))
    count = write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Enterprises"),
                headers=[c.label for c in ENTERPRISE_COLUMNS],
                rows=_rows(qs),
                text_columns=IDENTIFIER_INDEXES,
                widths=[c.width for c in ENTERPRISE_COLUMNS],
            )
        ],
    )
    # The file is built outside any transaction (SQLite has one writer); the audit record
    # is written in audit_write's own short one.
    audit_write(
        action="enterprise.export",
        user=acting_user,
        object_type="enterprises.enterprise",
        detail=json.dumps({"filter": flt.params, "rows": count}, ensure_ascii=False, sort_keys=True),
    )
    return count


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Enterprises"))


