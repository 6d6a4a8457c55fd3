"""The org-unit filter lists share: a unit named by its code, with the units below it or
alone, and the filter bar's options indented by depth (``core.filtering.Ref``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.accounts.selectors import org_unit_by_code
from zhaoyin.core.filtering import Ref


def unit_options(units: Iterable[OrgUnit]) -> list[tuple[str, str]]:
    """Units as options by code, indented by their depth in the tree (one id per level)."""
    units = list(units)
    top = min((u.path.count("/") for u in units), default=0)
    return [(u.code, "\u3000" * (u.path.count("/") - top) + u.name) for u in units]


def org_unit_filter(
    units: Callable[[Any], Iterable[OrgUnit]],
    *,
    label: Any = None,
    blank: Any = None,
    column: str = "",
    min_options: int = 2,
) -> Ref[OrgUnit]:
    """A unit by its code and every unit below it; ``units(user)``: the bar's options (the
    box is left out with fewer than ``min_options``); the box reads "Org unit" unless
    ``label`` says otherwise."""
    return Ref(
        org_unit_by_code,
        message=_("Unknown org unit code."),
        subtree=True,
        column=column,
        label=label or _("Org unit"),
        blank=blank or _("All units"),
        options=lambda user: unit_options(units(user)),
        min_options=min_options,
        doc="Org unit code; includes the units below it",
    )


def service_group_by_code(code: str) -> OrgUnit | None:
    """The active service group with this code, or None (another kind of unit is not one)."""
    unit = org_unit_by_code(code)
    return unit if unit is not None and unit.kind == OrgUnitKind.SERVICE_GROUP else None
