"""The recognition list's filters, declared once (``core.filtering``) for the list page, the API
list and the publicity list: search (the talent's name, employer, school), state, tier (the tier
claimed or granted), the year applied."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.filtering import Choice, FilterSet, Integer, Search, Sort
from zhaoyin.core.search import search_fold
from zhaoyin.recognition.flow import STATES
from zhaoyin.talents.models import Tier

YEAR_MIN, YEAR_MAX = 2000, 2100


class RecognitionFilter(FilterSet):
    """Recognitions: search, state, tier, year."""

    q = Search("talent__search_text__contains", fold=search_fold, label=_("Search"), doc="Talent name or employer")
    state = Choice(STATES, label=_("State"), blank=_("All states"),
                   doc="first_review, returned, second_review, publicity, recognized, refused or withdrawn")
    tier = Choice(
        Tier.choices, label=_("Tier"), blank=_("All tiers"),
        where=lambda tier: Q(tier=tier) | Q(tier="", claimed_tier=tier),
        doc="The tier granted or put to publicity, else the tier claimed: A … E",
    )
    year = Integer(
        message=_("Must be a year from %(low)d to %(high)d."), minimum=YEAR_MIN, maximum=YEAR_MAX,
        where=lambda year: Q(applied_at__year=year), label=_("Year"),
        attrs={"maxlength": 4, "inputmode": "numeric", "placeholder": "2026"}, doc="The year applied",
    )
    order = Sort({"applied_at": "applied_at", "publicity_end": "publicity_end", "state": "state"},
                 default="-applied_at", nullable=frozenset({"publicity_end"}))
