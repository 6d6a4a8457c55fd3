"""Excel export of the policy list (XLS-02, XLS-03).

The rows are exactly the list page's: the same scoped selector, then the same filter parser
and applier, so an export never holds a policy the list would not show. Text is written as
string cells (no formula injection, ``zhaoyin.lib.xlsx_write``); every export is audited
("policy.export") with its filter and row count. The eligibility column carries the tree's
JSON, so an exported file can be edited and imported again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write
from zhaoyin.core.export_pages import timestamped_filename
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.policies.filters import PolicyFilter
from zhaoyin.policies.models import Policy
from zhaoyin.policies.selectors import policy_list_visible_to

CHUNK = 2000
#: Columns written as text: the document number and the unit code.
TEXT_COLUMNS = frozenset({3, 8})
WIDTHS = [8, 40, 20, 20, 10, 10, 14, 10, 12, 16, 12, 12, 10, 14, 40, 40, 20, 20, 16, 60]


def export_headers() -> list[str]:
    return [
        _("Id"),
        _("Title"),
        _("Issuer"),
        _("Document number"),
        _("Level"),
        _("Category"),
        _("Delivery"),
        _("Beneficiary"),
        _("Org unit code"),
        _("Kept by"),
        _("Valid from"),
        _("Valid to"),
        _("Status"),
        _("Maximum amount (10k yuan)"),
        _("Summary"),
        _("Benefits"),
        _("Contact office"),
        _("Contact phone"),
        _("Application period"),
        _("Eligibility (JSON)"),
    ]


def export_row(p: Policy) -> list[Any]:
    return [
        p.pk,
        p.title,
        p.issuer,
        p.doc_no,
        p.get_level_display(),
        p.get_category_display(),
        p.get_delivery_display(),
        p.get_beneficiary_display(),
        p.org_unit.code,
        p.org_unit.name,
        p.valid_from,
        p.valid_to,
        p.get_status_display(),
        p.max_amount_wan,
        p.summary,
        p.benefits,
        p.contact_office,
        p.contact_phone,
        p.apply_deadline,
        json.dumps(p.eligibility, ensure_ascii=False) if p.eligibility else "",
    ]


def _rows(qs: QuerySet[Policy]) -> Iterator[list[Any]]:
    for policy in qs.iterator(chunk_size=CHUNK):
        yield export_row(policy)


def policy_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """Write the user's visible, filtered policy list to ``out`` as .xlsx; return the row
    count. Bad filter parameters raise ``InvalidInput`` before anything is written."""
    flt = PolicyFilter.parse(params)
    qs = flt.apply(policy_list_visible_to(acting_user))
    count = write_xlsx(
        out,
        [SheetSpec(title=_("Policies"), headers=export_headers(), rows=_rows(qs), text_columns=TEXT_COLUMNS,
                   widths=WIDTHS)],
    )
    # The file is built outside any transaction (SQLite has one writer); the audit record
    # is written in audit_write's own short one.
    audit_write(
        action="policy.export",
        user=acting_user,
        object_type="policies.policy",
        detail=json.dumps({"filter": flt.params, "rows": count}, ensure_ascii=False, sort_keys=True),
    )
    return count


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Policies"))
