"""Ranking groups (排名分组, issue 15 item 2): which org units the city ranks together, read by
the target progress, the matters KPIs and both 通报, and written by the city admin.

Reads: ``load_grouping()`` is one query (the members with their groups). A unit in no group
ranks with the other ungrouped units of its kind, in a group named after the kind, so a unit
created after the groups were set up (and every test database, whose units are made after
the migration) ranks as before the groups existed, until the city admin places it.

Writes: ``ranking_group_save`` / ``ranking_group_delete`` (city admin, atomic, audited as
``ranking_group.save`` / ``ranking_group.delete``). A unit listed twice in a group, or a unit
already in another group, is refused naming ``members.<i>.org_unit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field, WithJsonSchema

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, RankingGroup, RankingGroupMember, User
from zhaoyin.audit.services import audit_write
from zhaoyin.core.errors import RULE_KEY, Errors, InvalidInput
from zhaoyin.core.inputs import Input, described, refuse, whole_number
from zhaoyin.core.roles import Role

#: Who edits the groups.
EDITOR_ROLES = frozenset({Role.CITY_ADMIN})
#: The kinds of unit a group may hold (units that are ranked).
RANKABLE_KINDS = (OrgUnitKind.COUNTY, OrgUnitKind.PARK, OrgUnitKind.DEPARTMENT)
#: Order of the fallback (by-kind) groups: after every configured group.
FALLBACK_ORDER = 10_000
#: The fallback groups' names: the default groups' (the 通报 are Chinese documents whatever
#: the reader's language, so these are data, not UI strings).
FALLBACK_NAMES = {OrgUnitKind.COUNTY: "县区", OrgUnitKind.PARK: "开发区/园区", OrgUnitKind.DEPARTMENT: "市直部门"}


@dataclass(frozen=True)
class Group:
    """A ranking group as the rankings use it (a configured one, or the fallback of a kind)."""

    code: str
    name: str
    order: int
    min_matters: int


@dataclass
class Grouping:
    """Every unit's group and which units do not count in their parent's ranked figures."""

    groups: dict[str, Group] = field(default_factory=dict)
    unit_group: dict[int, str] = field(default_factory=dict)
    not_rolled: set[int] = field(default_factory=set)

    def group_of(self, unit: OrgUnit) -> Group:
        """The unit's group; a unit in no group is in its kind's fallback group."""
        code = self.unit_group.get(unit.pk)
        if code is not None:
            return self.groups[code]
        code = f"kind-{unit.kind}"
        if code not in self.groups:
            known = unit.kind in OrgUnitKind.values
            name = FALLBACK_NAMES.get(OrgUnitKind(unit.kind), unit.kind) if known else unit.kind
            place = OrgUnitKind.values.index(unit.kind) if known else len(OrgUnitKind.values)
            self.groups[code] = Group(code, name, FALLBACK_ORDER + place, default_min_matters())
        return self.groups[code]

    def rolls_up(self, unit_id: int) -> bool:
        return unit_id not in self.not_rolled


def default_min_matters() -> int:
    """The smallest sample of a fallback group: ``ZHAOYIN_RANKING_MIN_MATTERS`` (1: as before)."""
    return int(getattr(settings, "ZHAOYIN_RANKING_MIN_MATTERS", 1))


def load_grouping() -> Grouping:
    """The configured groups of every grouped unit (one query)."""
    grouping = Grouping()
    for member in RankingGroupMember.objects.select_related("group").order_by():
        g = member.group
        grouping.groups[g.code] = Group(g.code, g.name, g.order, g.min_matters)
        grouping.unit_group[member.org_unit_id] = g.code
        if not member.rolls_up:
            grouping.not_rolled.add(member.org_unit_id)
    return grouping


def groups_with_members() -> list[RankingGroup]:
    """Every configured group with its members and their units (two queries), for the pages."""
    return list(RankingGroup.objects.prefetch_related("members__org_unit").order_by("order", "code"))


def rankable_units() -> list[OrgUnit]:
    """The active units a group may hold, in the tree's order (for the editor)."""
    return list(OrgUnit.objects.filter(is_active=True, kind__in=RANKABLE_KINDS).order_by("sort_order", "path"))


# ---- input ------------------------------------------------------------------------------------


def _code(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 32 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in text):
        raise refuse(_("Enter a code of letters, digits, hyphens or underscores (at most 32)."))
    return text


def _name(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 50:
        raise refuse(_("Enter a name of at most 50 characters."))
    return text


def _small_number(value: Any) -> int:
    try:
        number = whole_number(value)
    except ValueError:
        number = None
    if number is None or not 0 <= number <= 1000:
        raise refuse(_("Enter a whole number from 0 to 1000."))
    return number


described(_small_number, {"type": "integer", "minimum": 0, "maximum": 1000})


def _members(value: Any) -> list[tuple[str, bool]]:
    """[{"org_unit": code, "rolls_up": bool}, …] → [(code, rolls_up)]; each refusal names
    ``members.<i>.org_unit``; the same unit twice is refused on its second place."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise refuse(_("Give the members as a list."))
    out: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = f"members.{i}.org_unit"
        if isinstance(item, tuple) and len(item) == 2:
            # Already parsed (the API's body given again with the path's code).
            item = {"org_unit": item[0], "rolls_up": item[1]}
        if not isinstance(item, dict):
            raise refuse(_("Give each member as an org unit code and whether it rolls up."), field=f"members.{i}")
        code = item.get("org_unit")
        code = code.strip() if isinstance(code, str) else ""
        if not code:
            raise refuse(_("Enter an org unit code."), field=where)
        if code in seen:
            raise refuse(_("This unit is listed twice in the group."), field=where)
        seen.add(code)
        rolls = item.get("rolls_up", True)
        if not isinstance(rolls, bool):
            raise refuse(_("Enter true or false."), field=f"members.{i}.rolls_up")
        out.append((code, rolls))
    return out


#: How the members are written in JSON (the model keeps them as (code, rolls_up) pairs).
MEMBERS_SCHEMA: dict[str, Any] = {
    # null reads as no members (the group ranks nobody until members are named).
    "type": ["array", "null"],
    "items": {
        "type": "object",
        "properties": {
            "org_unit": {
                "type": "string", "minLength": 1, "maxLength": 32, "pattern": r"\S",
                RULE_KEY: "an active county's, park's or department's code, at most once, in one group only",
            },
            "rolls_up": {"type": "boolean"},
        },
        "required": ["org_unit"],
        "additionalProperties": False,
    },
}


class RankingGroupFields(Input):
    """A ranking group's content: its name, order, minimum sample and members (the API's
    body; the code is the path's)."""

    name: Annotated[str, BeforeValidator(_name), Field(min_length=1, max_length=50, pattern=r"\S")] = Field(
        description="The group's name, e.g. 县区"
    )
    order: Annotated[int, BeforeValidator(_small_number)] = Field(0, description="Place among the groups, 0–1000")
    min_matters: Annotated[int, BeforeValidator(_small_number)] = Field(
        1, description="Matters a unit needs in a period for a KPI rank (fewer: 样本不足), 0–1000"
    )
    members: Annotated[list[tuple[str, bool]], BeforeValidator(_members), WithJsonSchema(MEMBERS_SCHEMA)] = Field(
        default_factory=list,
        description='[{"org_unit": code, "rolls_up": true}, …]; a unit at most once, in one group only',
    )


class RankingGroupInput(RankingGroupFields):
    """Create or replace a ranking group: its code and content."""

    code: Annotated[str, BeforeValidator(_code)] = Field(description="Letters, digits, - or _ (at most 32)")


# ---- writes -----------------------------------------------------------------------------------


def can_edit_groups(user: User) -> bool:
    return user.has_role(*EDITOR_ROLES) and not user.admin_role


def _snapshot(group: RankingGroup | None) -> dict[str, Any]:
    if group is None:
        return {}
    return {
        "code": group.code,
        "name": group.name,
        "order": group.order,
        "min_matters": group.min_matters,
        "members": [
            {"org_unit": m.org_unit.code, "rolls_up": m.rolls_up}
            for m in group.members.select_related("org_unit").order_by("org_unit__code")
        ],
    }


def _resolve_members(group_code: str, members: Iterable[tuple[str, bool]]) -> list[tuple[OrgUnit, bool]]:
    """The members' units; unknown, unrankable or already grouped units → InvalidInput."""
    wanted = list(members)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[c for c, _r in wanted])}
    elsewhere = dict(
        RankingGroupMember.objects.filter(org_unit__code__in=[c for c, _r in wanted])
        .exclude(group__code=group_code)
        .values_list("org_unit__code", "group__name")
    )
    errors = Errors()
    out: list[tuple[OrgUnit, bool]] = []
    for i, (code, rolls) in enumerate(wanted):
        where = f"members.{i}.org_unit"
        unit = units.get(code)
        if unit is None:
            errors.add(where, _("Unknown org unit."))
        elif unit.kind not in RANKABLE_KINDS:
            errors.add(where, _("Only counties, parks and departments are ranked."))
        elif code in elsewhere:
            errors.add(where, _("This unit is already in the group %(group)s.") % {"group": elsewhere[code]})
        else:
            out.append((unit, rolls))
    errors.raise_if_any()
    return out


@transaction.atomic
def ranking_group_save(*, acting_user: User, data: RankingGroupInput) -> RankingGroup:
    """Create the group ``data.code`` or replace its name, order, minimum sample and members.
    Audited as ``ranking_group.save`` with before/after."""
    if not can_edit_groups(acting_user):
        raise PermissionDenied
    group = RankingGroup.objects.select_for_update().filter(code=data.code).first()
    before = _snapshot(group)
    members = _resolve_members(data.code, data.members)
    if group is None:
        group = RankingGroup(code=data.code)
    group.name, group.order, group.min_matters = data.name, data.order, data.min_matters
    group.save()
    group.members.all().delete()
    RankingGroupMember.objects.bulk_create(
        [RankingGroupMember(group=group, org_unit=unit, rolls_up=rolls) for unit, rolls in members]
    )
    audit_write(action="ranking_group.save", user=acting_user, obj=group, before=before, after=_snapshot(group))
    return group


@transaction.atomic
def ranking_group_delete(*, acting_user: User, group: RankingGroup) -> None:
    """Remove a group; its units fall back to ranking by kind. Audited as ``ranking_group.delete``."""
    if not can_edit_groups(acting_user):
        raise PermissionDenied
    before = _snapshot(group)
    audit_write(action="ranking_group.delete", user=acting_user, obj=group, before=before, after={})
    group.delete()


def group_get(code: str) -> RankingGroup:
    """The group ``code``; an unknown one is 404."""
    group = RankingGroup.objects.filter(code=code).first()
    if group is None:
        raise Http404
    return group


__all__ = [
    "EDITOR_ROLES",
    "Group",
    "Grouping",
    "InvalidInput",
    "RankingGroupFields",
    "RankingGroupInput",
    "can_edit_groups",
    "group_get",
    "groups_with_members",
    "load_grouping",
    "rankable_units",
    "ranking_group_delete",
    "ranking_group_save",
]
