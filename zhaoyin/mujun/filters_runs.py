"""The filters of a run's results, declared once (``core.filtering``) for the run page and the
API: search (the firm's name or USCC), result list, grade (after 调档), org unit with the units
below it; sorted by rank (the firms not graded last; filter by list for one list's ranking), score or list."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.filters import org_unit_filter
from zhaoyin.core.filtering import Choice, FilterSet, Integer, Search, Sort, Text
from zhaoyin.core.search import search_fold
from zhaoyin.enterprises.selectors import org_units_for_filter
from zhaoyin.mujun.models import GRADE_CHOICES, ChangeState, ObjectionState

R = TypeVar("R", bound=Model)


class ResultFilter(FilterSet):
    """A run's results: search, list, grade, org unit (subtree)."""

    q = Search("enterprise__search_text__contains", fold=search_fold, label=_("Search"),
               doc="Substring of the firm's name or credit code")
    # The page offers the run's own lists (FilterBarForm.offer); the API takes any code.
    list = Text(column="list_code", max_length=32, label=_("Result list"), blank=_("All result lists"),
                pattern=r"^[A-Za-z0-9_-]{0,32}$",
                message=_("A result list's code: letters, digits, _ or -."), doc="A result list's code")
    grade = Choice(GRADE_CHOICES, label=_("Grade"), blank=_("All grades"), doc="A, B, C or D (after grade changes)")
    org_unit = org_unit_filter(org_units_for_filter, column="org_unit", min_options=2)
    # ``rank`` sorts on the rank's never-NULL key (models.MuResult.order_key): the firms not
    # ranked last, walked on the (run, order_key, id) index; ``-rank`` see ``apply``.
    order = Sort({"rank": "order_key", "score": "score", "list": "list_code"}, default="rank",
                 nullable=frozenset({"score"}))

    def apply(self, qs: QuerySet[R], **context: Any) -> QuerySet[R]:
        """As every filter set; ``-rank`` (the worst ranks first) keeps the firms not ranked
        last too, on its own key and index (``order_key_desc``, ties by ``-id`` as before)."""
        qs = super().apply(qs, **context)
        if self.sort == "-rank":
            return qs.order_by("order_key_desc", "-id")
        return qs


def _run_filter() -> Integer:
    return Integer(column="run_id", message=_("Enter a run id."), label=_("Run"), doc="A run's id")


class GradeChangeFilter(FilterSet):
    """调档 requests (the API list, issue 16 item 9): by run and state, oldest first per run."""

    run = _run_filter()
    state = Choice(ChangeState.choices, label=_("Status"), blank=_("All statuses"),
                   doc="proposed, approved or rejected")
    order = ("run", "proposed_at", "pk")


class ObjectionFilter(FilterSet):
    """异议 (the API list, issue 16 item 9): by run and state, oldest first per run."""

    run = _run_filter()
    state = Choice(ObjectionState.choices, label=_("Status"), blank=_("All statuses"), doc="open, upheld or dismissed")
    order = ("run", "submitted_at", "pk")
