"""Where a talent demand (人才诉求) goes: its category → the owning department (主办单位).

Routing is data, not code paths: ``DEFAULT_ROUTES`` names, per category, the org unit codes
to try in order (the first active one is the lead unit), and
``settings.ZHAOYIN_MATTERS["TALENT_DEMAND_ROUTES"]`` replaces the list of any category it
names — an installation whose 卫健委 has another code, or which sends housing to the talent
office instead of 住建局, changes a setting, not the program. A category whose units are all
unknown or inactive has no route: the draft waits for its dispatcher to choose the lead unit,
as any other matter does (docs/talent.md, "Talent demands").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from django.conf import settings

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.matters.choices import DemandCategory

#: The demo's codes (DESIGN 3.8, the report's departments): 教育局 for schooling, 人社局 for a
#: spouse's job, 住建局 for housing, the talent office (市委组织部人才科) for project
#: applications and whatever has no department of its own; 医疗 to a 卫健委 where there is one.
DEFAULT_ROUTES: Final[Mapping[str, tuple[str, ...]]] = {
    DemandCategory.HOUSING.value: ("dept-zjj", "dept-rck"),
    DemandCategory.SCHOOLING.value: ("dept-jyj", "dept-rck"),
    DemandCategory.SPOUSE_EMPLOYMENT.value: ("dept-rsj", "dept-rck"),
    DemandCategory.PROJECT_APPLICATION.value: ("dept-rck",),
    DemandCategory.MEDICAL.value: ("dept-wjw", "dept-rck"),
    DemandCategory.OTHER.value: ("dept-rck",),
}


def routes() -> dict[str, tuple[str, ...]]:
    """The routes in force: ``DEFAULT_ROUTES`` with the setting's categories replaced (a code
    given as one string is a list of one)."""
    configured = (getattr(settings, "ZHAOYIN_MATTERS", {}) or {}).get("TALENT_DEMAND_ROUTES") or {}
    merged = dict(DEFAULT_ROUTES)
    for category, codes in configured.items():
        merged[str(category)] = (codes,) if isinstance(codes, str) else tuple(str(c) for c in codes)
    return merged


def route_unit(category: str) -> OrgUnit | None:
    """The lead unit of a new demand of ``category``: the first active unit of its route (one
    query), None when the category has no route in this installation."""
    codes: Sequence[str] = routes().get(category, ())
    if not codes:
        return None
    found = {u.code: u for u in OrgUnit.objects.filter(code__in=codes, is_active=True)}
    return next((found[c] for c in codes if c in found), None)
