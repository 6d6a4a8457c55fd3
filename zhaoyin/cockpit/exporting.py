"""The cockpit's figures as one .xlsx (issue 16 item 2): a sheet per panel, Chinese headers.

The figures are read by the page's own selectors (``cockpit_for``, ``talent_panel_for``, the
亩均 distribution of the latest published run) with the page's parameters (``year``, ``as_of``,
``basis``), so each sheet holds what the panel of the same name draws, in the page's order:
amounts in 亿元 as exact Decimals (the charts round them to 2 places), completion and time
progress in percent. A panel the user does not see (talents, 亩均) has no sheet. Audited as
"cockpit.export" with the parameters and the row count of the first sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.cockpit import selectors
from zhaoyin.core.export_pages import timestamped_filename, write_audited_export
from zhaoyin.lib.xlsx_write import SheetSpec
from zhaoyin.targets.selectors import SPANS, parse_basis

HUNDRED = Decimal(100)


def _percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * HUNDRED).quantize(Decimal("0.01"))


def _sheet(title: str, headers: list[str], rows: list[list[Any]], widths: list[int] | None = None) -> SheetSpec:
    return SheetSpec(title=title, headers=headers, rows=rows, widths=widths or [28] + [16] * (len(headers) - 1))


def cockpit_sheets(user: User, *, year: int, as_of: Any, basis: str) -> list[SheetSpec]:
    """The cockpit panels ``user`` sees for the period, one SheetSpec each (page order)."""
    c = selectors.cockpit_for(user, year=year, as_of=as_of, basis=basis)
    talent = selectors.talent_panel_for(user, year=year, as_of=as_of)
    city = c.progress.city
    figure, value = _("Indicator"), _("Value")
    kpis: list[list[Any]] = [
        [_("External funds (100M yuan)"), city.actual if city else None],
        [_("Target") + " " + _("(100M yuan)"), city.target if city else None],
        [_("Completion") + " (%)", _percent(city.completion) if city else None],
        [_("Time progress") + " (%)", _percent(c.progress.time_progress)],
        [_("Projects"), c.project_count],
        [_("Red projects"), c.red],
        [_("Yellow projects"), c.yellow],
    ]
    if talent is not None:
        nt = talent.new_talents.city
        kpis += [
            [_("Talents in the city"), talent.talents],
            [_("New recognized talents in %(year)s") % {"year": year}, nt.actual if nt else None],
            [_("Talent subsidies paid, %(year)s (10k yuan)") % {"year": year}, talent.subsidies_wan],
            [_("Apartment units in use"), talent.units_occupied],
            [_("Apartment units"), talent.units_total],
            [_("Open talent demands"), talent.demands_open],
            [_("Closed talent demands"), talent.demands_closed],
        ]
    sheets = [_sheet(_("Key figures"), [figure, value], kpis, [40, 18])]
    sheets.append(_sheet(
        _("Target progress by unit"),
        [_("Unit"), _("Target"), _("Actual"), _("Completion") + " (%)", _("Time progress") + " (%)"],
        [
            [r.unit.name, r.target, r.actual, _percent(r.completion), _percent(r.time_progress)]
            for r in c.progress.items if r.completion is not None
        ],
    ))
    sheets.append(_sheet(
        _("Pipeline"), [_("Stage"), _("Projects")], [[label, n] for _code, label, n in (*c.funnel, *c.stopped)]
    ))
    funds = _("Funds in place (100M yuan)")
    sheets.append(_sheet(
        _("Funds in place by month (100M yuan)"), [_("Month"), funds], [[f"{m.month}月", v] for m, v in c.months]
    ))
    sheets.append(_sheet(_("By industry"), [_("Industry"), funds], [[name, v] for _code, name, v in c.by_industry]))
    sheets.append(_sheet(_("By source"), [_("Source"), funds], [[label, v] for _code, label, v in c.by_source]))
    sheets.append(_sheet(
        _("Red and yellow projects"),
        [_("Project number"), _("Project"), _("Unit"), _("Stage"), _("Light"), _("Reasons")],
        [
            [a.project.code, a.project.name, a.project.org_unit.name, a.project.get_stage_display(),
             _("Red") if a.level == "red" else _("Yellow"), "；".join(a.reasons)]
            for a in c.alerts
        ],
        [16, 36, 20, 12, 8, 60],
    ))
    span_labels = {
        "contact_to_signing": _("Contact to signing"),
        "signing_to_start": _("Signing to start"),
        "start_to_production": _("Start to production"),
    }
    cycle_headers = [_("Unit")]
    for span in SPANS:
        label = span_labels[span]
        cycle_headers += [f"{label} {_('lower quartile')}", f"{label} {_('median')}",
                          f"{label} {_('upper quartile')}", f"{label} {_('sample size')}"]
    sheets.append(_sheet(
        _("Cycle times"),
        cycle_headers,
        [[g.name, *(v for d in g.cells for v in (d.p25, d.median, d.p75, d.count))] for g in c.cycles],
    ))
    if talent is not None:
        sheets += [
            _sheet(_("Talents by tier"), [_("Tier"), _("Talents")], [[label, n] for _c, label, n in talent.by_tier]),
            _sheet(_("Talents by industry"), [_("Industry"), _("Talents")],
                   [[name, n] for _c, name, n in talent.by_industry]),
            _sheet(_("Talent demands by state"), [_("State"), _("Talent demands")],
                   [[label, n] for _c, label, n in talent.demands_by_state]),
            _sheet(_("Apartment occupancy by building"), [_("Building"), _("Occupied"), _("Units")],
                   [[b.label, b.occupied, b.total] for b in talent.occupancy]),
        ]
    mujun = _mujun_counts(user)
    if mujun is not None:
        sheets.append(_sheet(_("Enterprises by grade"), [_("Grade"), _("Enterprises")], mujun))
    return sheets


def _mujun_counts(user: User) -> list[list[Any]] | None:
    """The 亩均 panel's bars (grade, enterprises), or None when the page shows no panel."""
    from zhaoyin.lib.mujun import GRADES
    from zhaoyin.mujun import reports
    from zhaoyin.mujun.selectors import READER_ROLES as MU_READERS

    if not user.has_role(*MU_READERS):
        return None
    run = reports.latest_published_run(user)
    if run is None:
        return None
    counts = reports.distribution(user, run, by="county").total.counts
    return [[g, counts.get(g, 0)] for g in GRADES]


def cockpit_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """Write the cockpit of ``params`` (year, as_of, basis; bad ones raise ``InvalidInput``
    before anything is written) to ``out``; audited as "cockpit.export"."""
    year, as_of = selectors.parse_params(params.get("year"), params.get("as_of"), today=timezone.localdate())
    basis = parse_basis(params.get("basis"))
    sheets = cockpit_sheets(acting_user, year=year, as_of=as_of, basis=basis)
    return write_audited_export(
        acting_user=acting_user, out=out, sheets=sheets, action="cockpit.export", object_type="targets.progress",
        params={"year": year, "as_of": as_of.isoformat(), "basis": basis},
    )


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Cockpit"))
