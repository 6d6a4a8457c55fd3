"""The demo's ranking groups (issue 15 item 2): how 淮南 ranks its units.

- 县区: the seven counties and 毛集实验区 (a park of the org tree, under the city, that the city
  ranks among the counties);
- 开发区/园区: 高新区, 经开区, 现代煤化工园区 and 寿县新桥国际产业园 — 新桥 lies inside 寿县 in the
  tree but is ranked among the parks only, so its figures leave 寿县's ranked row (no double
  count; ``rolls_up`` False);
- 市直部门: the departments.

Each group needs 3 matters in a period for a KPI rank. Written through
``accounts.ranking.ranking_group_save`` by the demo's city admin (audited); a second run
writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhaoyin.accounts.models import RankingGroup, User
from zhaoyin.accounts.ranking import RankingGroupInput, ranking_group_save
from zhaoyin.demo import data

if TYPE_CHECKING:
    from zhaoyin.demo.services import LoadResult

CITY_ADMIN = "demo_city_admin"
MIN_MATTERS = 3
#: Parks ranked on their own only: their figures are not part of their county's ranked row.
OWN_RANK_ONLY = frozenset({"park-xinqiao"})
COUNTY_PARKS = ("park-maoji",)


#: (code, name, order, member codes)
GroupSpec = tuple[str, str, int, list[str]]


def _groups() -> list[GroupSpec]:
    """The groups in the order they are written: the parks first, so 毛集 (a park of the default
    groups an older install may hold) is free before the 县区 take it."""
    parks = [s.code for s in data.PARKS if s.code not in COUNTY_PARKS]
    counties = [s.code for s in data.COUNTIES] + list(COUNTY_PARKS)
    departments = [s.code for s in data.DEPARTMENTS]

    return [
        ("parks", "开发区/园区", 20, parks),
        ("counties", "县区", 10, counties),
        ("departments", "市直部门", 30, departments),
    ]


def _current(code: str) -> dict[str, object] | None:
    group = RankingGroup.objects.filter(code=code).first()
    if group is None:
        return None
    return {
        "code": group.code,
        "name": group.name,
        "order": group.order,
        "min_matters": group.min_matters,
        "members": sorted((m.org_unit.code, m.rolls_up) for m in group.members.select_related("org_unit")),
    }


def ranking_groups_ensure(*, result: LoadResult) -> None:
    """Configure 淮南's ranking groups (see the module docstring); unchanged groups are left alone."""
    admin = User.objects.get(username=CITY_ADMIN)
    for code, name, order, codes in _groups():
        members = [(c, c not in OWN_RANK_ONLY) for c in codes]
        wanted = {"code": code, "name": name, "order": order, "min_matters": MIN_MATTERS, "members": sorted(members)}
        if _current(code) == wanted:
            continue
        data = RankingGroupInput.parse(
            {**wanted, "members": [{"org_unit": c, "rolls_up": rolls} for c, rolls in members]}
        )
        ranking_group_save(acting_user=admin, data=data)
        result.add("ranking_groups")
