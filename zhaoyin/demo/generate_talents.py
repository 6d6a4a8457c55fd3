"""Generator of talent records (issue 13: 50 000 talents at province scale), registered with
``zhaoyin generate`` after the enterprises.

Talents read like a city's register: most work for a generated enterprise (its place and
industry are theirs), weighted towards the six emerging industries; the rest for an
institution in one of the places. About one in six arrived through one of the talent
stations. ID numbers are valid resident IDs (GB 11643) drawn from the seed; a number whose
blind index is already stored is skipped, so a repeated run adds nothing. The personal data
is encrypted and indexed exactly as the services store it (``talents.crypto``). No tier is
set: tiers come from recognition decisions (the recognition generator's business).
Bulk-inserted, without per-row audit (see ``zhaoyin.demo.generate``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.core.search import search_fold
from zhaoyin.demo import data
from zhaoyin.demo.generate import BATCH_SIZE, GenContext, batched, register
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.lib.idcard import make_resident
from zhaoyin.talents.crypto import id_fields, phone_fields
from zhaoyin.talents.models import Channel, Education, IdType, Talent, TalentStatus, Title

#: Areas of registration of the generated resident IDs (淮南, 合肥, 上海, 江苏, 浙江 …).
AREAS = ("340402", "340403", "340404", "340405", "340406", "340421", "340422", "340104", "340111",
         "310104", "310115", "320102", "320505", "330106", "420111", "370102", "510107", "410105")
EDUCATION = ((Education.DOCTORATE, 12), (Education.MASTER, 34), (Education.BACHELOR, 42),
             (Education.COLLEGE, 10), (Education.OTHER, 2))
TITLES = ((Title.SENIOR, 5), (Title.ASSOCIATE, 12), (Title.INTERMEDIATE, 30), (Title.JUNIOR, 23), (Title.NONE, 30))
CHANNELS = ((Channel.CAMPUS, 25), (Channel.REFERRAL, 12), (Channel.EMPLOYER, 40), (Channel.OTHER, 6))
INSTITUTIONS = ("大学", "职业技术学院", "人民医院", "中医院", "研究院", "检验检测中心", "中学")
SCHOOLS = ("中国科学技术大学", "合肥工业大学", "安徽大学", "安徽理工大学", "上海交通大学", "复旦大学", "南京大学",
           "浙江大学", "东南大学", "中国矿业大学", "淮南师范学院", "安徽医科大学", "华中科技大学", "同济大学")
MAJORS = ("计算机科学与技术", "材料科学与工程", "电气工程", "机械工程", "临床医学", "食品科学与工程", "化学工程",
          "软件工程", "车辆工程", "生物工程", "工商管理", "采矿工程")


def _weighted(rng: Any, table: tuple[tuple[Any, int], ...]) -> Any:
    roll = rng.randrange(sum(weight for _value, weight in table))
    for value, weight in table:
        roll -= weight
        if roll < 0:
            return value
    return table[-1][0]


def _talent_rows(ctx: GenContext, count: int) -> Iterator[Talent]:
    """The seed's first ``count`` talents (unsaved)."""
    rng = ctx.rng("talents")
    today = timezone.localdate()
    # A province's firms: (id, place, industry), emerging ones drawn three times as often.
    firms = list(Enterprise.objects.order_by("pk").values_list("pk", "org_unit_id", "industry_id", "name"))
    emerging = {i.pk for i in ctx.industries if i.emerging}
    weighted_firms = [f for f in firms for _n in range(3 if f[2] in emerging else 1)]
    stations = list(OrgUnit.objects.filter(kind=OrgUnitKind.STATION).order_by("code"))
    emerging_industries = [i for i in ctx.industries if i.emerging] or ctx.industries
    seen: set[str] = set()
    produced = 0
    while produced < count:
        female = rng.random() < 0.42
        born = dt.date(rng.randint(1962, 2001), rng.randint(1, 12), rng.randint(1, 28))
        sequence = rng.randrange(500) * 2 + (0 if female else 1)
        number = make_resident(rng.choice(AREAS), born, sequence)
        if number in seen:
            continue
        seen.add(number)
        produced += 1
        talent = Talent(
            name=rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES),
            birth_date=born,
            sex="female" if female else "male",
            education=_weighted(rng, EDUCATION),
            title=_weighted(rng, TITLES),
            school=rng.choice(SCHOOLS),
            major=rng.choice(MAJORS),
            **id_fields(IdType.RESIDENT, number),
            **phone_fields(f"1{rng.choice((35, 38, 39, 58, 86))}{rng.randrange(100_000_000):08d}"),
        )
        if weighted_firms and rng.random() < 0.8:
            firm_id, place_id, industry_id, employer = rng.choice(weighted_firms)
            talent.employer_id = firm_id
            talent.org_unit_id = place_id
            talent.industry_id = industry_id
        else:
            place = rng.choice(ctx.places)
            talent.org_unit = place
            employer = talent.employer_name = f"淮南{place.name}{rng.choice(INSTITUTIONS)}"
            talent.industry = rng.choice(emerging_industries) if rng.random() < 0.6 else None
        # What ``refresh_search_text`` writes, without loading each employer row.
        parts = (talent.name, employer, talent.school, talent.major)
        talent.search_text = search_fold(" ".join(parts))[:400]
        roll = rng.random()
        if stations and roll < 0.16:
            talent.station = stations[0] if roll < 0.1 or len(stations) == 1 else stations[1]
            talent.channel = Channel.STATION if talent.station.code == "station-csj" else Channel.ENCLAVE
        else:
            talent.channel = _weighted(rng, CHANNELS)
        first = max(dt.date(today.year - 10, 1, 1), dt.date(born.year + 22, 7, 1))
        span = max((today - first).days, 0)
        talent.arrival_date = first + dt.timedelta(days=rng.randint(0, span)) if first <= today else today
        talent.contract_start = talent.arrival_date
        talent.contract_end = talent.arrival_date + dt.timedelta(days=365 * rng.choice((3, 3, 5, 5, 8)))
        months = (today.year - talent.arrival_date.year) * 12 + today.month - talent.arrival_date.month
        talent.social_insurance_months = max(0, months - rng.randint(0, 3))
        if rng.random() < 0.05:
            talent.status = TalentStatus.DEPARTED
            talent.departed_on = talent.arrival_date + dt.timedelta(days=rng.randint(0, span // 2 + 30))
            talent.departed_on = min(talent.departed_on, today)
        yield talent


@register("talents", city=3_000, province=50_000)
def generate_talents(ctx: GenContext, count: int) -> int:
    existing = set(Talent.objects.values_list("id_index", flat=True))
    created = 0
    for batch in batched(_talent_rows(ctx, count), BATCH_SIZE):
        fresh = [t for t in batch if t.id_index not in existing]
        Talent.objects.bulk_create(fresh, batch_size=BATCH_SIZE)
        created += len(fresh)
    return created
