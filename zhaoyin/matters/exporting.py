"""Excel export of the matter list (交办事项, issue 16 item 2; XLS-02, XLS-03).

The rows are exactly the list page's: the same scoped selector and the same ``MatterFilter``
(parsed from the same parameters, applied with the same ``today``), in the page's order. The
page's count of a search stops at ``selectors.SEARCH_COUNT_CAP``; the export writes every
matching matter. The alert light and 进展滞后 are judged on the day of the export, as the page
judges them. Text goes in as string cells (``lib.xlsx_write``: no formula injection), numbers
as text; the workbook streams from the database in chunks to an anonymous spool file, and
the export is audited ("matter.export") with its filter and row count.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.export_pages import timestamped_filename, write_audited_export
from zhaoyin.lib.xlsx_write import SheetSpec
from zhaoyin.matters import clocks
from zhaoyin.matters.choices import MatterKind, MatterSource
from zhaoyin.matters.filters import Alert, MatterFilter, matter_alert, matter_stale
from zhaoyin.matters.flow import STATE_LABELS, State
from zhaoyin.matters.models import Matter
from zhaoyin.matters.selectors import matter_list_visible_to
from zhaoyin.workcalendar.selectors import current_calendar

CHUNK = 2000
#: The matter number is text (never re-read as a number).
TEXT_COLUMNS = frozenset({0})
WIDTHS = [16, 40, 28, 12, 12, 18, 24, 10, 12, 12, 12, 14, 18, 18]


def export_headers() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("Enterprise"),
        _("Source"),
        _("Kind"),
        _("Lead unit"),
        _("Co-units"),
        _("State"),
        _("Sign-for by"),
        _("Handle by"),
        _("Light"),
        _("Slow progress"),
        _("Registered at"),
        _("Updated at"),
    ]


def _light(alert: str) -> str:
    return {Alert.OVERDUE.value: _("Red"), Alert.APPROACHING.value: _("Blue")}.get(alert, "")


def _rows(qs: QuerySet[Matter]) -> Iterator[list[Any]]:
    today, calendar = clocks.today(), current_calendar()
    sources, kinds = dict(MatterSource.choices), dict(MatterKind.choices)
    # The co-units come with each chunk (iterator + prefetch: one more query per chunk).
    units = Prefetch("co_units", queryset=OrgUnit.objects.order_by("path").only("pk", "name"))
    for m in qs.prefetch_related(units).iterator(chunk_size=CHUNK):
        yield [
            m.code,
            m.title,
            m.enterprise.name if m.enterprise is not None else None,
            str(sources.get(m.source, m.source)),
            str(kinds.get(m.kind, m.kind)),
            m.lead_unit.name if m.lead_unit is not None else None,
            "、".join(u.name for u in m.co_units.all()) or None,
            str(STATE_LABELS[State(m.state)]),
            m.sign_deadline,
            m.handle_deadline,
            _light(matter_alert(m, today, calendar)),
            _("Yes") if matter_stale(m, today, calendar) else "",
            m.created_at,
            m.updated_at,
        ]


def matter_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """Write the user's scoped, filtered matter list to ``out`` as .xlsx; return the row count.
    Bad filter parameters raise ``InvalidInput`` before anything is written. Audited as
    "matter.export" with the filter and the count of rows in the file."""
    flt = MatterFilter.parse(params)
    qs = flt.apply(matter_list_visible_to(acting_user), today=clocks.today())
    sheet = SheetSpec(title=_("Assigned matters"), headers=export_headers(), rows=_rows(qs),
                      text_columns=TEXT_COLUMNS, widths=WIDTHS)
    return write_audited_export(acting_user=acting_user, out=out, sheets=[sheet], action="matter.export",
                                object_type="matters.matter", params=flt.params)


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Assigned matters"))
