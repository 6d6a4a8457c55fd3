"""Bulk fixture data for benchmarks (DESIGN 8): ``zhaoyin generate --scale city|province``.

Deterministic from the seed: each model's generator draws from its own ``Random`` seeded
with ``(seed, generator name)``, so adding a generator later does not change what the
existing ones produce. The records are spread over the demo org tree (created first when
missing, through the audited demo loader).

This deliberately BYPASSES the services and their per-row audit: writing 100 000 enterprises
one audited service call at a time would take many minutes and fill the audit log with
fixture noise. Instead it ``bulk_create``s in batches inside one transaction and writes ONE
audit record (action ``generate``) with the seed, the scale and the counts. Never run it on a
production database.

A generator produces "the first N records of the seed's sequence": records whose natural key
(e.g. the USCC) already exists are skipped, so a repeated run adds nothing, and a larger N
after a smaller one adds only the difference.

Later modules register their own generators (projects, fund entries, matters, talents) with
``@register("name", city=…, province=…)``; they run in registration order, so a generator may
use what an earlier one made (``GenContext.created``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.audit.services import audit_write
from zhaoyin.demo import data
from zhaoyin.demo.services import LoadResult, dictionaries_ensure, org_tree_ensure
from zhaoyin.enterprises.models import Enterprise, Industry, Qualification
from zhaoyin.lib.uscc import make_uscc

SCALES = ("city", "province")
BATCH_SIZE = 2000
#: The letters a generated organisation body may use (both USCC and GB 11714 alphabets).
BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

T = TypeVar("T")


@dataclass
class GenContext:
    """What every generator gets: the seed, the demo tree and dictionaries, and the results."""

    seed: int
    places: list[OrgUnit]
    groups: list[OrgUnit]
    industries: list[Industry]
    qualifications: list[Qualification]
    created: dict[str, int] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")  # noqa: S311 - fixture data, not security


GeneratorFn = Callable[[GenContext, int], int]


@dataclass(frozen=True)
class Generator:
    """One model's generator and how many records each scale asks for."""

    name: str
    fn: GeneratorFn
    counts: dict[str, int]


GENERATORS: dict[str, Generator] = {}


def register(name: str, *, city: int, province: int) -> Callable[[GeneratorFn], GeneratorFn]:
    """Register ``fn(ctx, count) -> created`` as the generator called ``name``."""

    def wrap(fn: GeneratorFn) -> GeneratorFn:
        GENERATORS[name] = Generator(name=name, fn=fn, counts={"city": city, "province": province})
        return fn

    return wrap


def batched(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- enterprises ----------------------------------------------------------------------

#: Name parts by industry name: generated names read like real registrations
#: (淮南 + 字号 + 行业词 + 有限公司) and contain the usual search terms (电子, 智能装备 …).
TRADE_WORDS: dict[str, list[str]] = {
    data.IT: ["电子科技", "信息技术", "光电科技", "智能显示", "软件开发", "数据科技", "电子", "通信技术"],
    data.MAT: ["新材料科技", "材料科技", "高分子材料", "新型材料", "复合材料"],
    data.NEV: ["汽车零部件", "新能源科技", "动力电池", "汽车电子", "电驱科技"],
    data.EQP: ["智能装备", "精密机械", "装备制造", "机电设备", "智能装备制造", "数控设备"],
    data.HLT: ["生物医药", "医疗器械", "健康科技", "制药", "卫生用品"],
    data.FOOD: ["食品", "农业科技", "粮油", "生态农业", "食品科技"],
    data.COAL: ["煤业", "矿业", "矿山服务", "煤炭物流"],
    data.POWER: ["电力", "能源", "新能源", "热电"],
    data.CHEM: ["化工", "化学", "精细化工", "气体"],
    data.BLD: ["建材", "新型建材", "混凝土", "装配式建筑"],
    data.TEX: ["纺织", "服饰", "制衣", "针织"],
    data.APPL: ["家电配件", "电器", "塑业", "家电部件"],
}
#: Two-character trade names (字号), written as one run of pairs.
_FIRM_PAIRS = (
    "恒瑞华信瑞丰鑫泰天启宏达金禾博瑞中联振宇联创星图云海讯达锦程盛世安达德润泰和顺通"
    "新源汇通国泰嘉禾永盛正阳淮海楚风舜耕八公寿春东辰西岭南湖北辰宏图弘毅聚力同创卓越"
    "精诚协力广源丰泽龙腾凤鸣金石银河华夏晨光明远思源立信诚达万邦众成合力兴业启航远景"
)
FIRM_WORDS = [_FIRM_PAIRS[i : i + 2] for i in range(0, len(_FIRM_PAIRS), 2)]
PREFIXES = ("淮南", "淮南市", "安徽", "安徽淮南")
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")


def _enterprise_rows(ctx: GenContext, count: int) -> Iterator[tuple[Enterprise, list[int]]]:
    """The seed's first ``count`` enterprises (unsaved) with their qualification ids."""
    rng = ctx.rng("enterprises")
    seen: set[str] = set()
    quals = [q.pk for q in ctx.qualifications]
    produced = 0
    while produced < count:
        place = rng.choice(ctx.places)
        industry = rng.choice(ctx.industries)
        # An all-"MA" body keeps generated codes apart from the demo's all-digit bodies.
        body = "MA" + "".join(rng.choice(BODY_ALPHABET) for _ in range(6))
        region = data.REGION_OF.get(place.code, data.CITY_CODE)
        uscc = make_uscc(region, body)
        if uscc in seen:
            continue
        seen.add(uscc)
        produced += 1
        words = TRADE_WORDS.get(industry.name) or ["科技", "实业", "贸易"]
        name = rng.choice(PREFIXES) + rng.choice(FIRM_WORDS) + rng.choice(words) + rng.choice(SUFFIXES)
        above = rng.random() < 0.3
        enterprise = Enterprise(
            name=name,
            uscc=uscc,
            legal_representative=rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES),
            org_unit=place,
            service_group=rng.choice(ctx.groups),
            address=f"安徽省淮南市{place.name}{rng.choice(data.ROADS)}{rng.randint(1, 999)}号",
            industry=industry,
            size_class="above" if above else "below",
            employees=rng.randint(100, 3000) if above else rng.randint(5, 99),
            land_mu=Decimal(rng.randint(200, 40000)) / 100,
        )
        enterprise.refresh_search_text()
        n_quals = rng.choice((0, 0, 0, 0, 1, 1, 2))
        yield enterprise, (rng.sample(quals, k=n_quals) if quals else [])


@register("enterprises", city=5_000, province=100_000)
def generate_enterprises(ctx: GenContext, count: int) -> int:
    existing = set(Enterprise.objects.values_list("uscc", flat=True))
    link = Enterprise.qualifications.through
    created = 0
    pending: list[tuple[Enterprise, list[int]]] = []

    def flush() -> None:
        Enterprise.objects.bulk_create([e for e, _ in pending], batch_size=BATCH_SIZE)
        links = [
            link(enterprise_id=e.pk, qualification_id=q)
            for e, qs in pending
            for q in qs
        ]
        link.objects.bulk_create(links, batch_size=BATCH_SIZE)
        pending.clear()

    for enterprise, quals in _enterprise_rows(ctx, count):
        if enterprise.uscc in existing:
            continue
        pending.append((enterprise, quals))
        created += 1
        if len(pending) >= BATCH_SIZE:
            flush()
    if pending:
        flush()
    return created


# --- the command's entry point ------------------------------------------------------------


def counts_for(scale: str, overrides: dict[str, int] | None = None) -> dict[str, int]:
    """How many records each generator makes at ``scale``, with per-generator overrides."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    counts = {name: gen.counts[scale] for name, gen in GENERATORS.items()}
    counts.update(overrides or {})
    return counts


def _context(seed: int) -> GenContext:
    result = LoadResult()
    units = org_tree_ensure(result=result)
    dictionaries_ensure(result=result)
    places = [units[p.code] for p in data.PLACES]
    groups = [u for u in units.values() if u.kind == OrgUnitKind.SERVICE_GROUP]
    groups.sort(key=lambda u: u.code)
    return GenContext(
        seed=seed,
        places=places,
        groups=groups,
        industries=list(Industry.objects.order_by("code")),
        qualifications=list(Qualification.objects.order_by("name")),
    )


def generate(*, scale: str, seed: int, overrides: dict[str, int] | None = None) -> dict[str, Any]:
    """Run every registered generator for ``scale``; return the counts created.

    Run under ``acting(channel="cli")``: one audit record ``generate`` describes the run.
    """
    counts = counts_for(scale, overrides)
    with transaction.atomic():
        ctx = _context(seed)
    for name, gen in GENERATORS.items():
        # One transaction per generator: fast on SQLite (one fsync) and all-or-nothing per model.
        with transaction.atomic():
            ctx.created[name] = gen.fn(ctx, counts[name])
    summary: dict[str, Any] = {"scale": scale, "seed": seed, "requested": counts, "created": dict(ctx.created)}
    audit_write(action="generate", object_type="generate", object_repr=f"{scale} seed={seed}", after=summary)
    return summary

# Registered after the enterprises, in this order: projects, their funds, the matters, talents, apartment units.
from zhaoyin.demo import generate_matters, generate_projects  # noqa: E402, F401, I001
from zhaoyin.demo import generate_talents  # noqa: E402, F401
from zhaoyin.demo import generate_apartments  # noqa: E402, F401
