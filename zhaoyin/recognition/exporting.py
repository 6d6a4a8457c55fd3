"""Excel export of the recognition list (人才认定, issue 16 item 2): the page's rows under the
same filter (RecognitionFilter over the scoped selector, every page), Chinese headers and
file name, audited ("recognition.export")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoyin.accounts.models import User
from zhaoyin.core.export_pages import filtered_list_export, timestamped_filename
from zhaoyin.recognition import selectors
from zhaoyin.recognition.filters import RecognitionFilter


def recognition_export(*, acting_user: User, params: Mapping[str, Any], out: IO[bytes]) -> int:
    """The recognition list's rows: talent, unit, claimed/suggested/decided tier, state, dates."""
    columns = [
        (_("Talent"), lambda r: r.talent.name),
        (_("Org unit"), lambda r: r.talent.org_unit.name),
        (_("Claimed tier"), lambda r: r.claimed_tier or None),
        (_("Suggested tier"), lambda r: r.suggested_tier or None),
        (_("Tier"), lambda r: r.tier or None),
        (_("State"), lambda r: r.get_state_display()),
        (_("Publicity end"), lambda r: r.publicity_end),
        (_("Applied"), lambda r: r.applied_at),
    ]
    return filtered_list_export(
        acting_user=acting_user, params=params, filters=RecognitionFilter,
        queryset=selectors.recognition_list_visible_to(acting_user), columns=columns,
        title=_("Talent recognitions"), action="recognition.export", widths=[14, 20, 10, 10, 8, 10, 12, 18], out=out,
    )


def export_filename() -> str:
    return timestamped_filename(pgettext("export file", "Talent recognitions"))
