"""THE transition table of a catalog edition (招商项目册), one ``core.transitions.TransitionTable``.

An edition is drafted (its items chosen and ordered), published once, and may later be
withdrawn; nothing moves it back to draft (a new edition is made instead). Each row is one
service of ``catalog.services`` (the action's name after ``edition_``), which looks its move
up here with ``TABLE.transition_for`` and refuses what the table does not list; the edition's
detail page draws its buttons from ``TABLE.manual_rows_from``.

- ``publish``: draft → published, by the curator (the city admin). The service also refuses
  an edition without items.
- ``withdraw``: published → withdrawn, by the curator: readers no longer see it.

Nobody waits on an edition, so the table has no ``waits`` and its rows notify nobody.
No Django here beyond ``gettext_lazy`` for the labels.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import TransitionTable, row


class Status(StrEnum):
    """The statuses of an edition (the values of ``models.EditionStatus``)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    """What can happen to an edition; ``edition_<action>`` is its service and URL name."""

    PUBLISH = "publish"
    WITHDRAW = "withdraw"


#: Who curates the catalog (``selectors.is_curator``).
CURATORS: frozenset[str] = frozenset({Role.CITY_ADMIN.value})

TABLE: TransitionTable[Status, Action] = TransitionTable(
    name="catalog_edition",
    states=(
        (Status.DRAFT, _("Draft")),
        (Status.PUBLISHED, _("Published")),
        (Status.WITHDRAWN, _("Withdrawn")),
    ),
    initial=Status.DRAFT,
    terminal=frozenset({Status.WITHDRAWN}),
    rows=(
        row(Action.PUBLISH, {Status.DRAFT}, Status.PUBLISHED, CURATORS, _("Publish"), style="primary"),
        row(Action.WITHDRAW, {Status.PUBLISHED}, Status.WITHDRAWN, CURATORS, _("Withdraw"), style="outline-danger"),
    ),
)

#: The icon (bootstrap-icons) of each action's button on the edition page.
ICONS: dict[Action, str] = {Action.PUBLISH: "send", Action.WITHDRAW: "archive"}
