"""Excel export of the subsidy applications list (issue 16 item 2): the page's rows under the
same filter (SubsidyApplicationFilter over the scoped selector, every page), with each
application's count of documents as the page shows it; Chinese headers and file name,
audited ("subsidy_application.export")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.core.export_pages import filtered_list_export, timestamped_filename
from zhaoyin.payouts import application_selectors as selectors
from zhaoyin.payouts.filters import SubsidyApplicationFilter
from zhaoyin.payouts.models import SubsidyApplicationFile


def _verdict(application: Any) -> str | None:
    labels = {"eligible": _("Eligible"), "possible": _("Possibly eligible")}
    label = labels.get(application.verdict)
    return None if label is None else str(label)


def application_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """The subsidy applications page's rows (every page), documents counted in the query."""
    files = (
        SubsidyApplicationFile.objects.filter(application_id=OuterRef("pk")).order_by()
        .values("application_id").annotate(n=Count("pk")).values("n")
    )
    queryset = selectors.application_list_visible_to(acting_user).annotate(
        n_files=Coalesce(Subquery(files, output_field=IntegerField()), 0)
    )
    columns = [
        (_("Talent"), lambda a: a.talent.name),
        (_("Org unit"), lambda a: a.talent.org_unit.name),
        (_("Policy"), lambda a: a.policy.title),
        (_("State"), lambda a: a.get_state_display()),
        (_("Verdict when applying"), _verdict),
        (_("Documents"), lambda a: a.n_files),
        (_("Applied"), lambda a: a.applied_at),
        (_("Updated"), lambda a: a.updated_at),
    ]
    return filtered_list_export(
        acting_user=acting_user, params=params, filters=SubsidyApplicationFilter, queryset=queryset,
        columns=columns, title=_("Subsidy applications"), action="subsidy_application.export",
        widths=[14, 20, 40, 10, 14, 8, 18, 18], out=out,
    )


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Subsidy applications"))
