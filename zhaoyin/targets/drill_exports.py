"""The cockpit's and the progress table's drill-downs as .xlsx (issue 16 item 2).

Each export is the drill-down page's rows, read by the same selector with the same
parameters (``org_unit``, ``year``, ``as_of``, ``basis``, ``indicator``, ``ranked``): the
fund entries behind a unit's external_funds (every page of them), the projects counted in a
count indicator with the day each reached it, the talents counted in a talent indicator.
Audited ("targets.drill_export") with the parameters and the row count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.core.export_pages import timestamped_filename, write_audited_export
from zhaoyin.lib.xlsx_write import SheetSpec
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.talents.models import Talent
from zhaoyin.targets.indicators import Indicator

CHUNK = 2000


def _params(**values: Any) -> dict[str, str]:
    return {k: str(v) for k, v in values.items() if v not in (None, "", False)}


def _fund_rows(entries: Any) -> Iterator[list[Any]]:
    for e in entries.iterator(chunk_size=CHUNK):
        assert isinstance(e, FundEntry)
        yield [e.month.strftime("%Y-%m"), e.project.code, e.project.name, e.project.org_unit.name,
               e.get_source_display(), e.get_kind_display(), e.amount_wan]


def funds_export(
    *, acting_user: User, entries: Any, org_unit: str, year: int, as_of: dt.date, basis: str, ranked: bool,
    out: IO[bytes],
) -> int:
    """The fund entries of the funds drill-down (``entries``: the page's queryset, all pages)."""
    sheet = SheetSpec(
        title=_("Funds in place"),
        headers=[_("Month"), _("Project number"), _("Project"), _("Org unit"), _("Source"), _("Type"),
                 _("Amount (10k yuan)")],
        rows=_fund_rows(entries),
        text_columns=frozenset({0, 1}),
        widths=[10, 16, 36, 20, 14, 12, 16],
    )
    return write_audited_export(
        acting_user=acting_user, out=out, sheets=[sheet], action="targets.drill_export",
        object_type="targets.progress",
        params=_params(indicator="external_funds", org_unit=org_unit, year=year, as_of=as_of.isoformat(),
                       basis=basis, ranked=ranked),
    )


def projects_export(
    *, acting_user: User, rows: list[tuple[Project, dt.date]], indicator: Indicator, org_unit: str, year: int,
    as_of: dt.date, ranked: bool, out: IO[bytes],
) -> int:
    """The projects of the count drill-down and the day each reached the indicator."""
    sheet = SheetSpec(
        title=str(indicator.label)[:31],
        headers=[_("Project number"), _("Project"), _("Org unit"), _("Total investment (100M yuan)"), _("Reached on")],
        rows=[
            [p.code, p.name, p.org_unit.name, p.total_investment_wan.scaleb(-4), on]
            for p, on in rows
        ],
        text_columns=frozenset({0}),
        widths=[16, 36, 20, 16, 12],
    )
    return write_audited_export(
        acting_user=acting_user, out=out, sheets=[sheet], action="targets.drill_export",
        object_type="targets.progress",
        params=_params(indicator=indicator.code, org_unit=org_unit, year=year, as_of=as_of.isoformat(), ranked=ranked),
    )


def talents_export(
    *, acting_user: User, rows: list[Talent], indicator: Indicator, org_unit: str, year: int, as_of: dt.date,
    ranked: bool, out: IO[bytes],
) -> int:
    """The talents of the talent drill-down, by arrival."""
    sheet = SheetSpec(
        title=str(indicator.label)[:31],
        headers=[_("Full name"), _("Tier"), _("Org unit"), _("Employer"), _("Arrival date")],
        rows=[[t.name, t.get_tier_display(), t.org_unit.name, t.employer_display or None, t.arrival_date]
              for t in rows],
        widths=[14, 10, 20, 30, 12],
    )
    return write_audited_export(
        acting_user=acting_user, out=out, sheets=[sheet], action="targets.drill_export",
        object_type="targets.progress",
        params=_params(indicator=indicator.code, org_unit=org_unit, year=year, as_of=as_of.isoformat(), ranked=ranked),
    )


def funds_filename() -> str:
    return timestamped_filename(pgettext("export file", "Funds in place behind the figure"))


def counted_filename(indicator: Indicator) -> str:
    return timestamped_filename(str(indicator.label))
