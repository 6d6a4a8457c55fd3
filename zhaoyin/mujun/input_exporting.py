"""The reconciliation page's Excel export (亩均数据): built outside any transaction — on SQLite a
transaction holds the one write lock —, the audit record written in ``audit_write``'s own short one
(docs/architecture.md, "Transactions")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.mujun.input_filters import InputFilter
from zhaoyin.mujun.input_importing import FIGURE_HEADERS
from zhaoyin.mujun.input_selectors import STATUS_CHOICES, firm_inputs, year_firms
from zhaoyin.mujun.input_services import default_year

LAND_HEADER = "用地面积（亩）"
STATUS_LABELS = dict(STATUS_CHOICES)



def inputs_export(*, acting_user: User, flt: InputFilter, out: IO[bytes]) -> int:
    """The reconciliation page's rows (the same scope and filters, every page) as .xlsx: the
    firm, its status, each figure's value (blank: missing) and the disputes. Bad filters raise
    ``InvalidInput`` in ``InputFilter.parse``, before this is called; audited
    (``mu_input.export``) with the count."""
    year = flt.year or default_year()
    qs = flt.apply(year_firms(acting_user, year), year=year)
    figures = [*FIGURE_HEADERS]

    def rows() -> Iterator[list[Any]]:
        ids = list(qs.values_list("pk", flat=True))
        for start in range(0, len(ids), 1000):
            chunk = list(Enterprise.objects.select_related("org_unit").filter(pk__in=ids[start:start + 1000])
                         .order_by(*qs.query.order_by))
            for firm in firm_inputs(chunk, year):
                e = firm.enterprise
                cells = [firm.cells[f] for f in (*figures, "land_mu")]
                disputes = sorted({r for c in cells for r in c.reasons})
                yield [
                    e.uscc, e.name, e.org_unit.name, e.get_size_class_display(),
                    str(STATUS_LABELS[firm.status]),
                    *[c.value if c.value is not None else None for c in cells],
                    "；".join(disputes),
                ]

    headers = ["统一社会信用代码", "企业名称", str(_("Org unit")), str(_("Size class")), str(_("Status")),
               *[FIGURE_HEADERS[f] for f in figures], LAND_HEADER, str(_("Disputed because"))]
    count = write_xlsx(out, [SheetSpec(
        title=str(year), headers=headers, rows=rows(), text_columns=frozenset({0}),
        widths=[22, 30, 14, 10, 8, *([14] * (len(figures) + 1)), 40],
    )])
    audit_write(
        action="mu_input.export", user=acting_user, object_type="mujun.muinput",
        detail=json.dumps({"year": year, "filter": flt.params, "rows": count}, sort_keys=True, ensure_ascii=False),
    )
    return count
