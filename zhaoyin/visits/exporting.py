"""Excel export of the visit list (走访, issue 16 item 2; XLS-02, XLS-03).

The rows are exactly the list page's: the same scoped selector (the visits of the
enterprises the user may see) and the same ``VisitFilter`` (group, enterprise, quarter), in
the page's order (newest first). Text goes in as string cells (``lib.xlsx_write``: no formula
injection), the credit code and matter numbers as text; the workbook streams from the
database in chunks (participants and demands prefetched per chunk) to an anonymous spool
file, and the export is audited ("visit.export") with its filter and row count.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.core.export_pages import timestamped_filename, write_audited_export
from zhaoyin.lib.xlsx_write import SheetSpec
from zhaoyin.matters.flow import STATE_LABELS, State
from zhaoyin.visits.filters import VisitFilter
from zhaoyin.visits.models import Visit, VisitDemand
from zhaoyin.visits.selectors import visit_list_visible_to

CHUNK = 1000
#: The credit code and the demands' matter numbers are text.
TEXT_COLUMNS = frozenset({2, 8})
WIDTHS = [12, 30, 22, 18, 24, 20, 16, 50, 30, 12, 18]


def export_headers() -> list[str]:
    return [
        _("Date of visit"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Service group"),
        _("Participants"),
        _("Other participants"),
        _("Enterprise contact"),
        _("Notes"),
        _("Demands"),
        _("Recorded by"),
        _("Recorded at"),
    ]


def _person(user: User | None) -> str | None:
    return (user.full_name or user.username) if user is not None else None


def _rows(qs: QuerySet[Visit]) -> Iterator[list[Any]]:
    matters = VisitDemand.objects.select_related("matter").only("visit_id", "matter__code", "matter__state")
    demands = Prefetch("demands", queryset=matters)
    people = Prefetch("participants", queryset=User.objects.order_by("username"))
    for v in qs.prefetch_related(demands, people).iterator(chunk_size=CHUNK):
        yield [
            v.visited_on,
            v.enterprise.name,
            v.enterprise.uscc,
            v.group.name,
            "、".join(p for p in (_person(u) for u in v.participants.all()) if p),
            v.other_participants,
            v.enterprise_contact,
            v.notes,
            "；".join(f"{d.matter.code} {STATE_LABELS[State(d.matter.state)]}" for d in v.demands.all()) or None,
            _person(v.created_by),
            v.created_at,
        ]


def visit_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """Write the user's scoped, filtered visit list to ``out`` as .xlsx; return the row count.
    Bad filter parameters raise ``InvalidInput`` before anything is written. Audited as
    "visit.export" with the filter and the count of rows in the file."""
    flt = VisitFilter.parse(params)
    qs = flt.apply(visit_list_visible_to(acting_user))
    sheet = SheetSpec(title=_("Enterprise visits"), headers=export_headers(), rows=_rows(qs),
                      text_columns=TEXT_COLUMNS, widths=WIDTHS)
    return write_audited_export(acting_user=acting_user, out=out, sheets=[sheet], action="visit.export",
                                object_type="visits.visit", params=flt.params)


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Enterprise visits"))
