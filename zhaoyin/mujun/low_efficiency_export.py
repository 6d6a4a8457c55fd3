"""The low-efficiency parcels (低效用地) of a year as Excel, per park (issue 14 item 5: 腾笼换鸟).

The rows are the page's (``reports.low_efficiency``, the user's scope and the same threshold),
one per parcel grouped by park with a subtotal row per park and a total; built outside any
transaction and audited ("mujun.low_efficiency_export").
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.mujun.exports import EXPORT_LANGUAGE, XLSX, ExportFile
from zhaoyin.mujun.reports import low_efficiency


def reason_words() -> dict[str, str]:
    return {
        "idle": _("Idle (no holder this year)"),
        "all_d": _("Every holder graded D"),
        "low_tax": _("Tax per mu below the threshold"),
    }


def low_efficiency_xlsx(*, acting_user: User, year: int, threshold: Decimal | None) -> ExportFile:
    """The year's low-efficiency parcels of the user's scope, per park, with area subtotals."""
    parks = low_efficiency(acting_user, year, threshold=threshold)
    rows: list[list[Any]] = []
    count = 0
    with translation.override(EXPORT_LANGUAGE):
        words = reason_words()
        no_park = _("No park")
        for park in parks:
            name = park.unit.name if park.unit is not None else no_park
            for item in park.parcels:
                count += 1
                rows.append([name, item.parcel.code, item.parcel.location, item.parcel.area_mu,
                             "、".join(item.holders), item.tax_per_mu, "；".join(words[r] for r in item.reasons)])
            rows.append([name, pgettext("mujun export", "Subtotal"), "", park.area, "", None, ""])
        rows.append([pgettext("mujun export", "Total"), "", "", sum((p.area for p in parks), Decimal(0)), "", None,
                     ""])
        spec = SheetSpec(
            title=pgettext("mujun export", "Low-efficiency land"),
            caption=pgettext("mujun export", "%(year)s low-efficiency industrial land by park") % {"year": year},
            headers=[
                pgettext("mujun export", "Park"),
                pgettext("mujun export", "Parcel code"),
                pgettext("mujun export", "Location"),
                pgettext("mujun export", "Area (mu)"),
                pgettext("mujun export", "Holders"),
                pgettext("mujun export", "Tax per mu (10k yuan)"),
                pgettext("mujun export", "Why"),
            ],
            rows=rows, text_columns=frozenset({1}), widths=[18, 16, 30, 12, 36, 16, 36],
        )
        out = io.BytesIO()
        write_xlsx(out, [spec])
    audit_write(
        action="mujun.low_efficiency_export", user=acting_user, object_type="mujun.parcel",
        detail=json.dumps({"year": year, "threshold": None if threshold is None else str(threshold), "rows": count},
                          sort_keys=True),
    )
    return ExportFile(out.getvalue(), f"mujun-{year}-low-efficiency.xlsx", XLSX, count)
