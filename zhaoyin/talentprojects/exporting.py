"""Excel export of the talent-project list (XLS-02, XLS-03).

The rows are exactly the list page's: the same scoped selector, the same filter declaration
(``filters.TalentProjectFilter``) and the same order, so an export never holds a project the
list would not show. Text is written as string cells (no formula injection,
``zhaoyin.lib.xlsx_write``), the unit code as text, amounts (万元) as numbers. The file is built
outside any transaction; every export is audited ("talent_project.export") with its filter and
row count.
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
from zhaoyin.talentprojects.filters import TalentProjectFilter
from zhaoyin.talentprojects.models import TalentProject
from zhaoyin.talentprojects.selectors import project_list_visible_to

CHUNK = 2000
#: Columns written as text: the unit code.
TEXT_COLUMNS = frozenset({6})
WIDTHS = [8, 24, 16, 8, 14, 28, 12, 16, 36, 12, 12, 12, 12, 12, 12, 12, 12, 40]


def export_headers() -> list[str]:
    return [
        _("Id"),
        _("Programme"),
        _("Round"),
        _("Year"),
        _("Talent"),
        _("Employer"),
        _("Org unit code"),
        _("Org unit"),
        _("Project title"),
        _("Requested (10k yuan)"),
        _("Approved (10k yuan)"),
        _("Funded (10k yuan)"),
        _("State"),
        _("Applied on"),
        _("Recommended on"),
        _("Approved on"),
        _("Declined or withdrawn on"),
        _("Reason"),
    ]


def export_row(p: TalentProject) -> list[Any]:
    return [
        p.pk,
        p.round.programme.name,
        p.round.name,
        p.round.year,
        p.talent.name,
        p.employer_name,
        p.org_unit.code,
        p.org_unit.name,
        p.title,
        p.requested_wan,
        p.approved_wan,
        p.funded_wan,
        p.get_state_display(),
        p.applied_on,
        p.recommended_on,
        p.approved_on,
        p.decided_on,
        p.reason,
    ]


def _rows(qs: QuerySet[TalentProject]) -> Iterator[list[Any]]:
    for project in qs.iterator(chunk_size=CHUNK):
        yield export_row(project)


def talent_project_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """Write the user's scoped, filtered talent-project list to ``out`` as .xlsx (the list's
    order); return the row count. Bad filter parameters raise ``InvalidInput`` before anything
    is written."""
    flt = TalentProjectFilter.parse(params)
    qs = flt.apply(project_list_visible_to(acting_user)).order_by("-applied_on", "-pk")
    count = write_xlsx(
        out,
        [SheetSpec(title=_("Talent projects"), headers=export_headers(), rows=_rows(qs), text_columns=TEXT_COLUMNS,
                   widths=WIDTHS)],
    )
    # The file is built outside any transaction (SQLite has one writer); the audit record
    # is written in audit_write's own short one.
    audit_write(
        action="talent_project.export",
        user=acting_user,
        object_type="talentprojects.talentproject",
        detail=json.dumps({"filter": flt.params, "rows": count}, ensure_ascii=False, sort_keys=True),
    )
    return count


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Talent project applications"))
