#!/usr/bin/env python3
"""Talent policy matching at province scale (issue 13 item 3 and its benchmarks).

Builds, in a throwaway database, ``--talents`` (default 50 000) talents spread over the
counties and industries (education, title, tier, channel, birth and arrival dates, a labour
contract for most, social insurance months; some fields blank) and ``--policies`` (default 60)
in-force talent policies whose trees (2–5 field leaves over a person's facts) vary ten
templates. The talents' ID numbers are placeholders (bench data: nothing here looks them up).
Then it measures:

- ``talentpolicy.refresh_all``: ``matching.talent_verdicts.refresh_all_talents`` — what
  ``zhaoyin match`` and the nightly job run: load the facts, evaluate every talent × policy,
  store the eligible / possible verdicts (target ≤ 30 s); ``…refresh_all_again`` the same
  over the stored verdicts;
- ``talentpolicy.evaluate``: the compiled trees over facts already loaded (nothing stored);
- ``talentpolicy.floor``: the evaluation floor — the same trees evaluated by a naive
  recursive evaluator over plain dicts (three-valued, as the engine), the same pairs;
- ``talentpolicy.store_floor``: the storing floor — the same verdict rows written in the same
  chunks, by the same bare method (COPY on PostgreSQL, one executemany on SQLite), into a
  scratch table of the same columns with no index, key or constraint.

Target: the refresh at most twice the FLOOR = evaluation floor + storing floor, the least
work that produces the same stored verdicts (storing alone is more than the evaluation floor
at this scale: talent trees are a few field tests). The ratio to the evaluation floor alone is
reported beside it.

One JSON line per measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import analyze, django_setup, run_per_database
from common import emit as emit_line

REFRESH_S = 30.0
FLOOR_RATIO = 2.0


def emit(record: dict[str, Any]) -> None:
    """One JSON line with the 1-minute load average (the machine is shared)."""
    emit_line({**record, "load1": round(os.getloadavg()[0], 2)})


# ---- the floor: a naive evaluator over plain dicts ------------------------------------------


def floor_eval(node: dict[str, Any], t: dict[str, Any]) -> int:
    """Three-valued (2 met, 1 unknown, 0 unmet), recursive, straight off the JSON tree."""
    if "all" in node:
        worst = 2
        for child in node["all"]:
            r = floor_eval(child, t)
            if r == 0:
                return 0
            worst = min(worst, r)
        return worst
    if "any" in node:
        best = 0
        for child in node["any"]:
            r = floor_eval(child, t)
            if r == 2:
                return 2
            best = max(best, r)
        return best
    field, op, value = node["field"], node["op"], node["value"]
    if field == "org_unit":
        units = t["units"]
        if not units:
            return 1
        wanted = value if isinstance(value, list) else [value]
        return 2 if any(u in units for u in wanted) else 0
    v = t[field]
    if v is None:
        return 1
    if op == "in":
        return 2 if v in value else 0
    if op == "eq":
        return 2 if v == value else 0
    return 2 if (v >= value if op == "gte" else v <= value) else 0


def plain(fact: Any) -> dict[str, Any]:
    """One talent's facts as a plain dict (what the floor evaluates)."""
    names = (
        "industry", "emerging", "education", "title", "tier", "channel", "age_years", "age_at_arrival",
        "years_since_arrival", "contract_years", "contract_in_city", "social_insurance_months",
    )
    return {**{n: getattr(fact, n) for n in names}, "units": set(fact.units)}


def store_floor(rows: list[tuple[int, int, str]], chunk_rows: int) -> float:
    """Seconds to write ``rows`` bare into an unindexed scratch table, chunk by chunk, each
    chunk in its own transaction (as the refresh commits per chunk of talents)."""
    from django.db import connection, transaction

    from zhaoyin.matching.talent_verdicts import insert_rows

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_store_floor")
        cursor.execute("CREATE TABLE bench_store_floor (policy_id bigint, talent_id bigint, verdict varchar(12))")
    started = time.perf_counter()
    for start in range(0, len(rows), chunk_rows):
        with transaction.atomic():
            insert_rows(rows[start : start + chunk_rows], table="bench_store_floor")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_store_floor")
    return seconds


# ---- the data ---------------------------------------------------------------------------------


def build_talents(n: int, seed: int) -> int:
    """``n`` talents, bulk inserted (fixture data: no audit, placeholder IDs)."""
    from django.db import transaction
    from django.utils import timezone

    from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
    from zhaoyin.enterprises.models import Industry
    from zhaoyin.talents.models import Talent

    rng = random.Random(f"{seed}:talents")
    counties = list(OrgUnit.objects.filter(kind=OrgUnitKind.COUNTY).order_by("code"))
    industries = list(Industry.objects.order_by("code"))
    today = timezone.localdate()
    educations = ["doctorate"] * 8 + ["master"] * 27 + ["bachelor"] * 50 + ["college"] * 12 + ["other"] * 3
    titles = ["senior"] * 5 + ["associate"] * 15 + ["intermediate"] * 30 + ["junior"] * 20 + ["none"] * 30
    tiers = [""] * 70 + ["E"] * 12 + ["D"] * 8 + ["C"] * 5 + ["B"] * 3 + ["A"] * 2
    channels = ["station", "enclave", "campus", "referral", "employer", "employer", "employer", "other"]
    now = timezone.now()
    batch: list[Talent] = []
    written = 0
    with transaction.atomic():
        for i in range(n):
            birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 13000))
            arrival = None if rng.random() < 0.05 else today - dt.timedelta(days=rng.randint(0, 3650))
            start = arrival if arrival and rng.random() < 0.85 else None
            end = start + dt.timedelta(days=365 * rng.choice((1, 3, 5, 8))) if start and rng.random() < 0.9 else None
            batch.append(Talent(
                name=f"基准人才{i + 1:06d}", id_number_enc=b"", id_index=f"bench{i + 1:059d}",
                id_masked="3404**********0000", birth_date=birth, sex=rng.choice(("male", "female")),
                education=rng.choice(educations), title=rng.choice(titles), employer_name="基准单位",
                org_unit=rng.choice(counties), industry=None if rng.random() < 0.1 else rng.choice(industries),
                arrival_date=arrival, channel=rng.choice(channels), contract_start=start, contract_end=end,
                social_insurance_months=rng.randint(0, 120), tier=rng.choice(tiers),
                tier_valid_until=today + dt.timedelta(days=rng.randint(-200, 1500)),
                search_text=f"基准人才{i + 1:06d}", created_at=now, updated_at=now,
            ))
            if len(batch) >= 5000:
                written += len(Talent.objects.bulk_create(batch))
                batch = []
        written += len(Talent.objects.bulk_create(batch))
    return written


def policy_trees(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` talent trees from ten templates, thresholds, industries and counties varied."""
    from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
    from zhaoyin.enterprises.models import Industry

    rng = random.Random(f"{seed}:policies")
    industries = list(Industry.objects.order_by("code").values_list("code", flat=True))
    counties = list(OrgUnit.objects.filter(kind=OrgUnitKind.COUNTY).order_by("code").values_list("code", flat=True))

    def some(items: list[str], k: tuple[int, int]) -> list[str]:
        return sorted(rng.sample(items, k=min(len(items), rng.randint(*k))))

    def f(field: str, op: str, value: Any) -> dict[str, Any]:
        return {"field": field, "op": op, "value": value}

    templates: list[Callable[[], dict[str, Any]]] = [
        lambda: {"all": [f("education", "eq", "doctorate"), f("age_at_arrival", "lte", rng.choice((35, 40, 45))),
                         f("contract_in_city", "eq", True)]},
        lambda: {"all": [f("education", "eq", "master"), f("age_at_arrival", "lte", rng.choice((30, 35))),
                         f("contract_years", "gte", rng.choice((3, 5)))]},
        lambda: {"all": [f("tier", "in", some(["A", "B", "C"], (1, 3))), f("years_since_arrival", "lte", 3)]},
        lambda: {"all": [f("tier", "in", some(["A", "B", "C", "D", "E"], (2, 5))),
                         f("social_insurance_months", "gte", rng.choice((6, 12, 24)))]},
        lambda: {"all": [f("emerging", "eq", True), f("education", "in", ["doctorate", "master"]),
                         f("contract_in_city", "eq", True)]},
        lambda: {"all": [f("industry", "in", some(industries, (2, 5))), f("title", "in", ["senior", "associate"])]},
        lambda: {"all": [f("org_unit", "in", some(counties, (1, 2))), f("age_years", "lte", rng.choice((35, 40))),
                         f("education", "in", ["doctorate", "master", "bachelor"])]},
        lambda: {"any": [f("tier", "in", ["A", "B"]), {"all": [f("education", "eq", "doctorate"),
                                                               f("title", "eq", "senior")]}]},
        lambda: {"all": [f("channel", "in", ["station", "enclave"]), f("years_since_arrival", "lte", 2),
                         f("contract_in_city", "eq", True), f("social_insurance_months", "gte", 6)]},
        lambda: {"all": [f("education", "in", ["doctorate", "master"]), f("age_years", "lte", 45),
                         f("contract_years", "gte", 3), f("social_insurance_months", "gte", 12),
                         f("years_since_arrival", "lte", 5)]},
    ]
    return [templates[i % len(templates)]() for i in range(n)]


def build_policies(n: int, seed: int) -> list[int]:
    """``n`` in-force talent policies with canonical trees (parsed with the talent vocabulary)."""
    from zhaoyin.accounts.models import OrgUnit
    from zhaoyin.lib import eligibility as engine
    from zhaoyin.policies.models import Beneficiary, Delivery, Policy, PolicyCategory, PolicyLevel, PolicyStatus
    from zhaoyin.talents.facts import talent_vocabulary

    vocab = talent_vocabulary()
    city = OrgUnit.objects.get(code="340400")
    policies = []
    for i, tree in enumerate(policy_trees(n, seed)):
        policy = Policy(
            title=f"基准人才政策第{i + 1:03d}号", issuer="中共淮南市委人才工作领导小组", level=PolicyLevel.CITY,
            category=PolicyCategory.TALENT, org_unit=city, valid_from=dt.date(2025, 1, 1),
            status=PolicyStatus.IN_FORCE, delivery=Delivery.APPLICATION, beneficiary=Beneficiary.TALENT,
            benefits="按规定给予补贴", eligibility=engine.tree_to_json(engine.parse_tree(tree, vocab)),
        )
        policy.refresh_search_text()
        policies.append(policy)
    Policy.objects.bulk_create(policies)
    return [p.pk for p in Policy.objects.filter(beneficiary=Beneficiary.TALENT).order_by("pk")]


# ---- the run --------------------------------------------------------------------------------


def child(args: argparse.Namespace) -> int:
    db = django_setup()
    from zhaoyin.core.context import acting
    from zhaoyin.demo.generate import GENERATORS, generate
    from zhaoyin.lib import eligibility as engine
    from zhaoyin.matching import talent_verdicts as tv
    from zhaoyin.matching.models import TalentPolicyMatch
    from zhaoyin.matching.verdicts import compile_policy
    from zhaoyin.talents.facts import FactTables, iter_facts, talent_vocabulary

    started = time.perf_counter()
    with acting(channel="cli"):
        # The org tree and the dictionaries only.
        generate(scale="city", seed=1, overrides=dict.fromkeys(GENERATORS, 0))
    talents = build_talents(args.talents, seed=1)
    policy_ids = build_policies(args.policies, seed=1)
    analyze()
    emit({"name": "talentpolicy.build", "db": db, "talents": talents, "policies": len(policy_ids),
          "build_s": round(time.perf_counter() - started, 1)})

    gc.collect()
    started = time.perf_counter()
    stats = tv.refresh_all_talents()
    refresh_s = time.perf_counter() - started
    stored = TalentPolicyMatch.objects.count()
    gc.collect()
    started = time.perf_counter()
    tv.refresh_all_talents()
    again_s = time.perf_counter() - started

    # evaluation alone, over facts loaded beforehand
    vocab = talent_vocabulary()
    compiled = [c for c in (compile_policy(p, vocab) for p in tv.talent_policies_in_force()) if c is not None]
    started = time.perf_counter()
    facts = list(iter_facts(tv.matchable_talents().order_by("pk"), on=tv.today(), tables=FactTables.load()))
    load_s = time.perf_counter() - started
    pairs = len(facts) * len(compiled)
    gc.collect()
    started = time.perf_counter()
    rows = tv.evaluate(compiled, facts)
    eval_s = time.perf_counter() - started
    n_rows = len(rows)
    gc.collect()
    # the refresh's chunks hold CHUNK talents each: the same number of rows per transaction
    store_s = store_floor(rows, max(1, n_rows * tv.CHUNK // max(1, len(facts))))
    del rows

    # the floor: the same trees and pairs, naive recursion over plain dicts
    trees = [engine.tree_to_json(engine.parse_tree(p.eligibility, vocab)) for p in tv.talent_policies_in_force()]
    dicts = [plain(f) for _pk, f in facts]
    del facts
    gc.collect()
    started = time.perf_counter()
    floor_rows = 0
    for tree in trees:
        for t in dicts:
            if floor_eval(tree, t):
                floor_rows += 1
    floor_s = time.perf_counter() - started

    floor_total = floor_s + store_s
    ok_refresh = refresh_s <= REFRESH_S and refresh_s <= FLOOR_RATIO * floor_total
    ok_again = again_s <= REFRESH_S and again_s <= FLOOR_RATIO * floor_total
    emit({"name": "talentpolicy.refresh_all", "db": db, "talents": stats.talents, "policies": stats.policies,
          "pairs": pairs, "rows": stats.rows, "stored": stored, "seconds": round(refresh_s, 1),
          "ratio_to_floor": round(refresh_s / floor_total, 2),
          "ratio_to_eval_floor": round(refresh_s / floor_s, 2), "ok": ok_refresh})
    emit({"name": "talentpolicy.refresh_all_again", "db": db, "pairs": pairs, "seconds": round(again_s, 1),
          "ratio_to_floor": round(again_s / floor_total, 2),
          "ratio_to_eval_floor": round(again_s / floor_s, 2), "ok": ok_again})
    emit({"name": "talentpolicy.store_floor", "db": db, "rows": n_rows, "seconds": round(store_s, 2),
          "ns_per_row": round(store_s / max(1, n_rows) * 1e9)})
    emit({"name": "talentpolicy.load_facts", "db": db, "talents": len(dicts), "seconds": round(load_s, 2)})
    emit({"name": "talentpolicy.evaluate", "db": db, "pairs": pairs, "rows": n_rows, "seconds": round(eval_s, 2),
          "ns_per_pair": round(eval_s / pairs * 1e9), "ratio_to_floor": round(eval_s / floor_s, 2)})
    emit({"name": "talentpolicy.floor", "db": db, "pairs": pairs, "rows": floor_rows, "seconds": round(floor_s, 2),
          "ns_per_pair": round(floor_s / pairs * 1e9), "agrees": floor_rows == n_rows})
    status = 0 if ok_refresh and ok_again and floor_rows == n_rows else 1
    return 0 if args.allow_slow else status


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--talents", type=int, default=50_000)
    parser.add_argument("--policies", type=int, default=60)
    parser.add_argument("--allow-slow", action="store_true", help="exit 0 even when a target is missed")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    extra = ["--talents", str(args.talents), "--policies", str(args.policies)]
    return run_per_database(__file__, extra + (["--allow-slow"] if args.allow_slow else []), args.db)


if __name__ == "__main__":
    sys.exit(main())
