"""The talent-project list's filters, declared once (``core.filtering``) for the page and the
API: ``q`` (words of the title or the talent's name), ``state``, ``year`` (the round's),
``round`` and ``talent`` (ids)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.filtering import Choice, FilterSet, Integer, Search
from zhaoyin.talentprojects.models import ProjectState
from zhaoyin.talentprojects.selectors import round_list

_ID = _("Must be an id (a whole number).")


class TalentProjectFilter(FilterSet):
    """Talent projects: text, state, year, round, talent."""

    q = Search(
        words=False,
        where=lambda text: Q(title__contains=text) | Q(talent__name__contains=text),
        label=_("Search"),
        doc="Substring of the project title or the talent's name",
    )
    state = Choice(ProjectState.choices, label=_("State"), blank=_("All states"), doc="A state of the table")
    year = Integer(
        message=_("Must be a year from %(low)d to %(high)d."),
        minimum=2000,
        maximum=2100,
        column="round__year",
        label=_("Year"),
        attrs={"maxlength": 4, "inputmode": "numeric", "placeholder": "2026"},
        doc="The round's year",
    )
    round = Integer(
        message=_ID,
        column="round_id",
        label=_("Round"),
        blank=_("All rounds"),
        options=lambda user: [(str(r.pk), str(r)) for r in round_list()],
        doc="Round id",
    )
    talent = Integer(message=_ID, column="talent_id", doc="Talent id")
