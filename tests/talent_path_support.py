"""What the two whole-path tests of issue 13 share (tests/test_talent_path_api.py and
tests/browser/test_talent_path.py): the doctor's facts, the 博士研究生生活补贴 talent policy with
its monthly schedule, and the apartment the talent ends up in. Test data, not test cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.apartments.models import ApartmentUnit, Building
from zhaoyin.matching.tests.talent_support import DOCTOR_TREE, make_talent_policy
from zhaoyin.payouts.models import SubsidySchedule
from zhaoyin.policies.models import Policy

POLICY_TITLE = "博士研究生生活补贴"
#: The policy's tree: a doctorate who arrived aged 35 at most, under a labour contract in the
#: city — and recognized as tier A or B, so the recognition decides the verdict.
PATH_TREE: dict[str, Any] = {"all": [*DOCTOR_TREE["all"], {"field": "tier", "op": "in", "value": ["A", "B"]}]}
#: 36 monthly instalments of 0.3 万元 (3 000 yuan a month).
INSTALMENTS, AMOUNT_WAN = 36, Decimal("0.30")
#: Born 1994: 30-something on arrival, under the age limit whatever the year the test runs.
BIRTH = dt.date(1994, 3, 1)
EMPLOYER = "淮南市安全监测装备研究院"


def arrival_day() -> dt.date:
    """A day of this year, in the past: the talent arrived this year."""
    today = timezone.localdate()
    return max(dt.date(today.year, 1, 1), today - dt.timedelta(days=60))


def contract_days() -> tuple[dt.date, dt.date]:
    """The labour contract with the employer in the city: from arrival, three years."""
    start = arrival_day()
    return start, start.replace(year=start.year + 3)


def this_month() -> str:
    """The first period of the schedule: the current month (already begun: it can be submitted)."""
    return timezone.localdate().strftime("%Y-%m")


def make_living_subsidy(city: OrgUnit) -> Policy:
    """The 博士研究生生活补贴 in force, with its schedule (no page writes a schedule yet)."""
    policy = make_talent_policy(city, PATH_TREE, title=POLICY_TITLE)
    SubsidySchedule.objects.create(policy=policy, frequency="monthly", instalments=INSTALMENTS, amount_wan=AMOUNT_WAN)
    return policy


def make_flat(unit: OrgUnit) -> ApartmentUnit:
    """A free one-bedroom flat of a building of ``unit`` (county A: its staff may allocate it)."""
    building = Building.objects.create(name="山南人才公寓", address="淮南市山南新区春申路66号", org_unit=unit,
                                       operator="城投住房租赁")
    return ApartmentUnit.objects.create(building=building, number="1203", layout="one_bed",
                                        area_m2=Decimal("48.50"), monthly_rent=Decimal("920.00"))
