"""Loading the Huainan demo (DESIGN 9) — idempotently, through the domain services.

Every record is written by the same service a person's action would use (org_unit_create,
enterprise_create, enterprise_figures_set, user_create) with ``acting_user=None``; the caller runs this under
``acting(channel="cli")`` so each write is audited as coming from the command line. Records
that exist already (by natural key: org unit code, industry/qualification name, USCC,
enterprise × year, username) are skipped, so a second run writes nothing at all.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import org_unit_create, user_create
from zhaoyin.audit.services import audit_write, snapshot
from zhaoyin.demo import data
from zhaoyin.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_password_hash
from zhaoyin.demo.apartments_demo import apartments_ensure
from zhaoyin.demo.demands_demo import demands_ensure
from zhaoyin.demo.matters import matters_ensure
from zhaoyin.demo.models import DemoYear
from zhaoyin.demo.mujun_demo import mujun_ensure
from zhaoyin.demo.payouts_demo import payouts_ensure
from zhaoyin.demo.pipeline import pipeline_ensure
from zhaoyin.demo.policies import policies_ensure
from zhaoyin.demo.ranking_demo import ranking_groups_ensure
from zhaoyin.demo.recognition_demo import recognition_ensure
from zhaoyin.demo.talentpolicy_demo import talentpolicy_ensure
from zhaoyin.demo.talentprojects_demo import talentprojects_ensure
from zhaoyin.demo.talents_demo import talents_ensure
from zhaoyin.demo.visits_demo import visits_ensure
from zhaoyin.enterprises.inputs import EnterpriseInput, FiguresInput
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure, Industry, Qualification
from zhaoyin.enterprises.services import enterprise_create, enterprise_figures_set
from zhaoyin.enterprises.validation import Lookups
from zhaoyin.lib.uscc import make_uscc
from zhaoyin.matching.verdicts import refresh_all

CENT = Decimal("0.01")


@dataclass
class LoadResult:
    """How many records of each kind a load created (all zero on a repeated run)."""

    created: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n

    @property
    def total(self) -> int:
        return sum(self.created.values())


def org_tree_ensure(*, result: LoadResult | None = None) -> dict[str, OrgUnit]:
    """Create the units of the demo tree that are missing; return every demo unit by code."""
    result = result or LoadResult()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[s.code for s in data.ORG_TREE])}
    for order, spec in enumerate(data.ORG_TREE):
        if spec.code in units:
            continue
        parent = units[spec.parent] if spec.parent else None
        unit = org_unit_create(
            acting_user=None, code=spec.code, name=spec.name, kind=spec.kind, parent=parent, location=spec.location
        )
        if unit.sort_order != order:
            OrgUnit.objects.filter(pk=unit.pk).update(sort_order=order)
            unit.sort_order = order
        units[spec.code] = unit
        result.add("org_units")
    return units


@transaction.atomic
def dictionaries_ensure(*, result: LoadResult | None = None) -> None:
    """Make sure the industries and qualifications the demo uses exist (looked up by name).

    The enterprises app seeds its dictionaries in a data migration; this only fills gaps
    (e.g. a traditional industry the migration does not list), each addition audited.
    """
    result = result or LoadResult()
    industries = [(n, c, True) for n, c in data.EMERGING_INDUSTRIES] + [
        (n, c, False) for n, c in data.TRADITIONAL_INDUSTRIES
    ]
    existing = set(Industry.objects.values_list("name", flat=True))
    taken_codes = set(Industry.objects.values_list("code", flat=True))
    for order, (name, code, emerging) in enumerate(industries):
        if name in existing:
            continue
        if code in taken_codes:
            code = f"demo-{order:02d}"
        industry = Industry.objects.create(name=name, code=code, emerging=emerging, sort_order=100 + order)
        audit_write(action="industry.create", obj=industry, after=snapshot(industry))
        result.add("industries")
    existing = set(Qualification.objects.values_list("name", flat=True))
    for order, name in enumerate(data.QUALIFICATIONS):
        if name in existing:
            continue
        qual = Qualification.objects.create(name=name, sort_order=100 + order)
        audit_write(action="qualification.create", obj=qual, after=snapshot(qual))
        result.add("qualifications")


def demo_uscc(name: str, unit_code: str) -> str:
    """The demo firm's credit code: its place's region code and an all-digit body derived
    from its name (the generator's bodies start with ``MA``, so the two never collide)."""
    rng = random.Random("uscc:" + name)  # noqa: S311 - fixture data, not security
    body = str(rng.randrange(10_000_000, 100_000_000))
    return make_uscc(data.REGION_OF[unit_code], body)


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(rng.uniform(low, high))).quantize(CENT)


def enterprise_profile(index: int, name: str, industry: str, unit_code: str) -> dict[str, Any]:
    """The input ``enterprise_create`` receives for one demo firm (deterministic per name)."""
    rng = random.Random("profile:" + name)  # noqa: S311 - fixture data, not security
    above = rng.random() < 0.65 or name in (data.HANBANG, data.SAIWEI, data.BEIKE)
    quals = sorted(rng.sample(data.QUALIFICATIONS, k=rng.choice((0, 0, 1, 1, 2, 3))))
    if industry in (data.IT, data.MAT, data.EQP, data.HLT) and "高新技术企业" not in quals and rng.random() < 0.6:
        quals.append("高新技术企业")
    place = data.NAME_OF[unit_code]
    return {
        "name": name,
        "uscc": demo_uscc(name, unit_code),
        "org_unit": unit_code,
        "industry": industry,
        "service_group": f"sg-{index % 10 + 1:02d}",
        "legal_representative": rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES),
        "address": f"安徽省淮南市{place}{rng.choice(data.ROADS)}{rng.randint(1, 999)}号",
        "size_class": "above" if above else "below",
        "founded_on": dt.date(rng.randint(1995, 2021), rng.randint(1, 12), rng.randint(1, 28)),
        "employees": rng.randint(150, 2500) if above else rng.randint(12, 140),
        "land_mu": _money(rng, 30, 400) if above else _money(rng, 2, 40),
        "qualifications": sorted(quals),
    }


def enterprise_figures(name: str, industry: str, size_class: str, employees: int, year: int) -> dict[str, Any]:
    """One year of plausible figures (Decimal, 万元), deterministic per firm and year."""
    rng = random.Random(f"figures:{name}")  # noqa: S311 - fixture data, not security
    base = rng.uniform(2_000, 150_000) if size_class == "above" else rng.uniform(200, 1_900)
    growth = rng.uniform(0.04, 0.15)
    # The base is the firm's 2024 revenue; other years grow (or shrink) from it.
    scale = (1 + growth) ** (year - 2024)
    year_rng = random.Random(f"figures:{name}:{year}")  # noqa: S311 - fixture data, not security
    revenue = Decimal(str(base * scale * year_rng.uniform(0.97, 1.03))).quantize(CENT)
    output = (revenue * Decimal(str(year_rng.uniform(0.9, 1.1)))).quantize(CENT)
    value_added = (output * Decimal(str(year_rng.uniform(0.2, 0.35)))).quantize(CENT)
    energy = (output * Decimal(data.ENERGY_INTENSITY[industry]) * Decimal(str(year_rng.uniform(0.8, 1.2)))).quantize(
        CENT
    )
    figures: dict[str, Any] = {
        "year": year,
        "revenue_wan": revenue,
        "tax_wan": (revenue * Decimal(str(year_rng.uniform(0.02, 0.08)))).quantize(CENT),
        "output_wan": output,
        "value_added_wan": value_added,
        "energy_tce": energy,
        "emissions_t": (energy * Decimal(str(year_rng.uniform(0.05, 0.3)))).quantize(CENT),
        "rd_wan": (revenue * Decimal(str(year_rng.uniform(0.005, 0.06)))).quantize(CENT),
        "employees": max(1, int(employees * year_rng.uniform(0.92, 1.05))),
        "electricity_kwh": (energy * Decimal("8130") * Decimal(str(year_rng.uniform(0.9, 1.1)))).quantize(CENT),
        "source": "statistics" if size_class == "above" else "self_reported",
    }
    # Small firms report themselves and often leave R&D spend blank; drawn last so the other
    # figures stay what they were. Policies asking for it then say "possibly eligible".
    if size_class == "below" and year_rng.random() < 0.4:
        figures["rd_wan"] = None
    return figures


def _enterprises_ensure(*, year: int, result: LoadResult) -> dict[str, Enterprise]:
    lookups = Lookups.load()
    usccs = {
        name: demo_uscc(name, unit) for name, _industry, unit in data.ENTERPRISES
    }
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=list(usccs.values()))}
    firms: dict[str, Enterprise] = {}
    for index, (name, industry, unit) in enumerate(data.ENTERPRISES):
        profile = enterprise_profile(index, name, industry, unit)
        enterprise = existing.get(usccs[name])
        if enterprise is None:
            enterprise = enterprise_create(acting_user=None, data=EnterpriseInput.parse(profile), lookups=lookups)
            result.add("enterprises")
        firms[name] = enterprise
        have = set(EnterpriseFigure.objects.filter(enterprise=enterprise).values_list("year", flat=True))
        for fig_year in (year - 2, year - 1):
            if fig_year in have:
                continue
            figures = enterprise_figures(name, industry, profile["size_class"], profile["employees"], fig_year)
            enterprise_figures_set(acting_user=None, enterprise=enterprise, data=FiguresInput.parse(figures))
            result.add("enterprise_figures")
    return firms


def _accounts_ensure(*, units: dict[str, OrgUnit], firms: dict[str, Enterprise], result: LoadResult) -> None:
    existing = {u.lower() for u in User.objects.filter(
        username__in=[a.username for a in DEMO_ACCOUNTS]).values_list("username", flat=True)}
    for account in DEMO_ACCOUNTS:
        if account.username.lower() in existing:
            continue
        enterprise = firms[account.enterprise] if account.enterprise else None
        user_create(
            acting_user=None,
            username=account.username,
            password=DEMO_PASSWORD, password_hash=demo_password_hash(),
            roles=[account.role.value],
            org_unit=units[account.unit],
            full_name=account.full_name,
            enterprise_id=enterprise.pk if enterprise is not None else None,
        )
        result.add("users")


def _catalog_ensure(*, year: int, result: LoadResult) -> None:
    """The 61 reserved projects of the report in a published "<year>年招商项目册"."""
    from zhaoyin.catalog.demo import load_demo_catalog
    from zhaoyin.catalog.models import CatalogEdition, CatalogItem

    items, editions = CatalogItem.objects.count(), CatalogEdition.objects.count()
    load_demo_catalog(year)
    for name, before, model in (("catalog_items", items, CatalogItem), ("catalog_editions", editions, CatalogEdition)):
        if model.objects.count() > before:
            result.add(name, model.objects.count() - before)


#: A progress report: (stage label, records the stage created, seconds since the load began).
Progress = Callable[[str, int, float], None]


@transaction.atomic
def demo_load(*, year: int, progress: Progress | None = None) -> LoadResult:
    """Load the Huainan demo into ``year`` (figures for year-2 and year-1). Idempotent.

    All or nothing: a failure part-way rolls the whole load back. ``progress`` is told after
    each stage what it created and how long the load has run so far (the command prints it:
    a full load takes over a minute and should not look hung).
    """
    result = LoadResult()
    started = time.monotonic()

    def stage(label: str, step: Callable[[], object]) -> None:
        before = result.total
        step()
        if progress is not None:
            progress(label, result.total - before, time.monotonic() - started)

    units: dict[str, OrgUnit] = {}
    firms: dict[str, Enterprise] = {}
    stage("units", lambda: units.update(org_tree_ensure(result=result)))
    stage("dictionaries", lambda: dictionaries_ensure(result=result))
    stage("enterprises", lambda: firms.update(_enterprises_ensure(year=year, result=result)))
    stage("users", lambda: _accounts_ensure(units=units, firms=firms, result=result))
    stage("ranking groups", lambda: ranking_groups_ensure(result=result))
    stage("catalog", lambda: _catalog_ensure(year=year, result=result))
    stage("projects and targets", lambda: pipeline_ensure(year=year, result=result))
    stage("matters", lambda: matters_ensure(year=year, result=result))
    stage("visits", lambda: visits_ensure(year=year, result=result))
    stage("policies", lambda: policies_ensure(year=year, result=result))
    # The talent half (issue 13), in dependency order: records, their tiers (recognition), the
    # talent policies with schedules and paid entries (before the enterprise ledger, which must
    # not pay enterprises under policies that serve talents), the flats, the demands, projects.
    stage("talents", lambda: talents_ensure(year=year, result=result))
    stage("recognition", lambda: recognition_ensure(year=year, result=result))
    stage("talent policies", lambda: talentpolicy_ensure(year=year, result=result))
    stage("payouts", lambda: payouts_ensure(year=year, result=result))
    stage("apartments", lambda: apartments_ensure(year=year, result=result))
    stage("talent demands", lambda: demands_ensure(year=year, result=result))
    stage("talent projects", lambda: talentprojects_ensure(year=year, result=result))
    # 亩均论英雄 (issue 14): last year's evaluation, published, with its consequences.
    stage("mu evaluation", lambda: mujun_ensure(year=year, result=result))
    # The figures above are written without the services' re-match hooks: rebuild the stored
    # verdicts once the load has committed (cheap at 98 enterprises).
    transaction.on_commit(refresh_all)
    demo_year, created = DemoYear.objects.get_or_create(year=year)
    if created:
        result.add("demo_years")
    if result.total:
        audit_write(action="demo.load", obj=demo_year, after={"year": year, "created": result.created})
    return result
