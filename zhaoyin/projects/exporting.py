"""Excel export of the project list (XLS-02, XLS-03).

The rows are exactly the list page's: the same scoped selector, then the same filter parser
and applier (``zhaoyin.projects.filters``), so an export never contains a project the list
would not show. Text is written as string cells (no formula injection, ``zhaoyin.lib
.xlsx_write``), codes as text, amounts as numbers. The workbook is streamed to an anonymous
temporary file, and every export is audited ("project.export") with its filter and row count.
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
from zhaoyin.core.money import fen_to_amount
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.projects.filters import ProjectFilter
from zhaoyin.projects.models import Project
from zhaoyin.projects.selectors import project_list_visible_to, with_verified_funds

CHUNK = 2000
#: Columns written as text: the project code and the unit code.
TEXT_COLUMNS = frozenset({0, 3, 4})


def export_headers() -> list[str]:
    return [
        _("Project code"),
        _("Project name"),
        _("Investor"),
        _("Investor credit code"),
        _("Org unit code"),
        _("Org unit"),
        _("Industry"),
        _("Total investment (10k yuan)"),
        # The basis is named in the header: the verified (核实) figure targets count.
        _("Funds in place (verified, 10k yuan)"),
        _("Stage"),
        _("Stage date"),
        _("Source region"),
        _("Attraction method"),
        _("Lead official"),
        _("Staff in charge"),
        _("First contact"),
        _("Planned signing"),
        _("Planned start"),
        _("Planned production"),
        _("Land need (mu)"),
        _("Construction content"),
    ]


WIDTHS = [14, 30, 28, 20, 12, 16, 16, 14, 14, 12, 12, 14, 14, 12, 12, 12, 12, 12, 12, 10, 40]


def export_row(p: Project) -> list[Any]:
    """One project in export column order (unit, industry, investor and staff joined)."""
    return [
        p.code,
        p.name,
        p.investor_name,
        p.investor.uscc if p.investor is not None else None,
        p.org_unit.code,
        p.org_unit.name,
        p.industry.name,
        p.total_investment_wan,
        fen_to_amount(getattr(p, "verified_funds_fen", None)),
        p.get_stage_display(),
        p.stage_on,
        p.get_source_region_display(),
        p.get_attraction_method_display(),
        p.lead_official,
        (p.staff.full_name or p.staff.username) if p.staff is not None else None,
        p.first_contact_on,
        p.planned_sign_on,
        p.planned_start_on,
        p.planned_production_on,
        p.land_mu,
        p.construction_content,
    ]


def _rows(qs: QuerySet[Project]) -> Iterator[list[Any]]:
    for project in qs.iterator(chunk_size=CHUNK):
        yield export_row(project)


def project_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """Write the user's scoped, filtered project list to ``out`` as .xlsx; return the row
    count. Bad filter parameters raise ``InvalidInput`` before anything is written. Audited
    as "project.export" with the filter and the count of rows in the file."""
    flt = ProjectFilter.parse(params)
    qs = with_verified_funds(flt.apply(project_list_visible_to(acting_user)))
    count = write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Projects"),
                headers=export_headers(),
                rows=_rows(qs),
                text_columns=TEXT_COLUMNS,
                widths=WIDTHS,
            )
        ],
    )
    # The file is built outside any transaction (SQLite has one writer); the audit record
    # is written in audit_write's own short one.
    audit_write(
        action="project.export",
        user=acting_user,
        object_type="projects.project",
        detail=json.dumps({"filter": flt.params, "rows": count}, ensure_ascii=False, sort_keys=True),
    )
    return count


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Projects"))


# ---- 待核查到位资金: the verifier's queue (issue 16 item 2) --------------------------------


def _flag_text(entry: Any) -> str:
    labels = {"over_total": _("Above the total investment"), "month_share": _("Large share in one month")}
    return "、".join(str(labels.get(flag, flag)) for flag in entry.flags or ())


def funds_queue_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """The verifier's queue as the page lists it (FundQueueFilter over ``funds_to_verify``),
    every page of it; audited as "fund_entry.export"."""
    from zhaoyin.core.export_pages import filtered_list_export
    from zhaoyin.projects.filters import FundQueueFilter
    from zhaoyin.projects.selectors import funds_to_verify

    columns = [
        (_("Month"), lambda e: e.month.strftime("%Y-%m")),
        (_("Project number"), lambda e: e.project.code),
        (_("Project"), lambda e: e.project.name),
        (_("Org unit"), lambda e: e.project.org_unit.name),
        (_("Source"), lambda e: e.get_source_display()),
        (_("Amount (10k yuan)"), lambda e: e.amount_wan),
        (_("Total investment (10k yuan)"), lambda e: e.project.total_investment_wan),
        (_("Flags"), _flag_text),
        (_("Reason"), lambda e: e.over_total_reason or None),
        (_("Entered by"), lambda e: (e.entered_by.full_name or e.entered_by.username) if e.entered_by else None),
        (_("Entered at"), lambda e: e.entered_at),
    ]
    return filtered_list_export(
        acting_user=acting_user, params=params, filters=FundQueueFilter, queryset=funds_to_verify(acting_user),
        columns=columns, title=_("Funds in place to verify"), action="fund_entry.export",
        text_columns=frozenset({0, 1}), widths=[10, 16, 36, 20, 14, 14, 16, 24, 30, 12, 18], out=out,
    )


def funds_queue_filename() -> str:
    return timestamped_filename(pgettext("export file", "Funds in place to verify"))
