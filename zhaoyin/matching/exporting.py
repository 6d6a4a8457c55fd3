"""Excel export of a policy's 免申即享 list (eligible or possibly eligible enterprises).

The rows are exactly the page's: the policy's stored verdicts narrowed by the user's
enterprise scope (``selectors.policy_enterprises``), then the enterprise list's own
filter parser and applier, so an export never holds an enterprise the page would not show.
For possible verdicts each row names the data still missing (explained chunk by chunk).
Text is written as string cells (no formula injection), codes as text; every export is audited.
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
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx
from zhaoyin.matching.models import MatchVerdict
from zhaoyin.matching.selectors import explain_page, parse_verdict, policy_enterprises
from zhaoyin.policies.models import Policy

CHUNK = 2000


def _rows(qs: Any, policy: Policy, verdict: str) -> Iterator[list[Any]]:
    label = str(MatchVerdict(verdict).label)
    chunk: list[Enterprise] = []

    def flush() -> Iterator[list[Any]]:
        missing = explain_page(policy, chunk) if verdict == MatchVerdict.POSSIBLE else {}
        for e in chunk:
            row = [e.name, e.uscc, e.org_unit.name, e.industry.name, label]
            if verdict == MatchVerdict.POSSIBLE:
                row.append("；".join(missing.get(e.pk, [])))
            yield row

    for enterprise in qs.iterator(chunk_size=CHUNK):
        chunk.append(enterprise)
        if len(chunk) >= CHUNK:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


def policy_eligible_export(*, acting_user: User, policy: Policy, params: Mapping[str, object], out: IO[bytes]) -> int:
    """Write the enterprises of ``policy`` (fetched through ``policy_get_for_user``) with the
    requested verdict, in ``acting_user``'s scope and filtered as the page is, to ``out`` as
    .xlsx; return the row count. Bad parameters raise ``InvalidInput`` before anything is
    written. Audited as ``policy.eligible_export`` with the verdict, filter and row count."""
    verdict = parse_verdict(params)
    flt = EnterpriseFilter.parse(params)
    qs = flt.apply(policy_enterprises(acting_user, policy, verdict))
    headers = [_("Enterprise"), _("Unified social credit code"), _("Org unit"), _("Industry"), _("Verdict")]
    widths = [32, 22, 16, 16, 12]
    if verdict == MatchVerdict.POSSIBLE:
        headers.append(_("Missing data"))
        widths.append(60)
    count = write_xlsx(
        out,
        [
            SheetSpec(
                title=str(MatchVerdict(verdict).label)[:31],
                headers=headers,
                rows=_rows(qs, policy, verdict),
                text_columns=frozenset({1}),
                widths=widths,
            )
        ],
    )
    # The file is built outside any transaction (SQLite has one writer); the audit record
    # is written in audit_write's own short one.
    audit_write(
        action="policy.eligible_export",
        user=acting_user,
        obj=policy,
        detail=json.dumps({"verdict": verdict, "filter": flt.params, "rows": count}, ensure_ascii=False,
                          sort_keys=True),
    )
    return count


def export_filename(policy: Policy) -> str:
    return timestamped_filename(pgettext("export file", "Eligible enterprises") + "-" + policy.title[:40])
