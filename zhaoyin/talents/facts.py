"""Talents as the eligibility engine sees them (``lib.eligibility.TalentFacts``).

The engine is pure; this module reads what it needs from the database in a few flat queries:
the vocabulary of a talent tree (industry and unit codes, ``subject=talent``), the unit
ancestry and industry codes once per run (``FactTables``), and the talents' columns as plain
values, so that matching 50 000 talents builds no model instances. Recognition's tier rules
and the talent policies both read talents through here, so a tier and a subsidy are judged
on the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.enterprises.models import Industry
from zhaoyin.lib import eligibility as engine
from zhaoyin.talents.models import Talent

#: The columns ``facts_of`` reads (``values()`` rows; no model instances).
FACT_COLUMNS: tuple[str, ...] = (
    "id", "org_unit_id", "industry_id", "education", "title", "tier", "tier_valid_until", "channel", "birth_date",
    "arrival_date", "contract_start", "contract_end", "employer_id", "employer_name", "social_insurance_months",
    "status",
)
#: Fields whose change can change a talent's verdicts (anything else — name, phone — cannot).
MATCHED_FIELDS: frozenset[str] = frozenset(c.removesuffix("_id") for c in FACT_COLUMNS) - {"id"}


def talent_vocabulary() -> engine.Vocabulary:
    """The codes a talent tree may use: industry codes and unit codes."""
    return engine.Vocabulary(
        industries=dict(Industry.objects.values_list("code", "name")),
        units=dict(OrgUnit.objects.values_list("code", "name")),
        qualifications=frozenset(),
        subject=engine.TALENT,
    )


@dataclass(frozen=True)
class FactTables:
    """Small dictionaries loaded once per run: each unit's code chain (city first) and each
    industry's code and emerging flag."""

    unit_chain: Mapping[int, tuple[str, ...]]
    industry: Mapping[int, tuple[str, bool]]

    @classmethod
    def load(cls) -> FactTables:
        units = {pk: (code, parent) for pk, code, parent in OrgUnit.objects.values_list("pk", "code", "parent_id")}
        chains: dict[int, tuple[str, ...]] = {}

        def chain(pk: int) -> tuple[str, ...]:
            if pk not in chains:
                code, parent = units[pk]
                chains[pk] = (*chain(parent), code) if parent is not None and parent in units else (code,)
            return chains[pk]

        for pk in units:
            chain(pk)
        rows = Industry.objects.values_list("pk", "code", "emerging")
        industry = {pk: (code, emerging) for pk, code, emerging in rows}
        return cls(unit_chain=chains, industry=industry)


def whole_years(start: dt.date, end: dt.date) -> int:
    """Completed years from ``start`` to ``end`` (a birthday on 29 February counts on 1 March)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def _contract_in_city(row: Mapping[str, Any], on: dt.date) -> bool | None:
    """Whether a labour contract with an employer in the city runs on ``on``.

    Every employer of the record is in the city (an enterprise of 一企一档, or a named
    institution); no employer at all is a known "no", an employer without contract dates
    unknown.
    """
    if row["employer_id"] is None and not row["employer_name"]:
        return False
    start, end = row["contract_start"], row["contract_end"]
    if start is None:
        return None
    return start <= on and (end is None or end >= on)


def facts_of(row: Mapping[str, Any], *, on: dt.date, tables: FactTables) -> engine.TalentFacts:
    """One talent's facts on the day ``on`` from a ``values(*FACT_COLUMNS)`` row."""
    industry = tables.industry.get(row["industry_id"]) if row["industry_id"] is not None else None
    birth, arrival = row["birth_date"], row["arrival_date"]
    start, end = row["contract_start"], row["contract_end"]
    # A tier counts while it is valid; an expired recognition is no tier.
    tier = row["tier"] or None
    if tier is not None and row["tier_valid_until"] is not None and row["tier_valid_until"] < on:
        tier = None
    return engine.TalentFacts(
        industry=industry[0] if industry else None,
        emerging=industry[1] if industry else None,
        units=tables.unit_chain.get(row["org_unit_id"], ()),
        education=row["education"] or None,
        title=row["title"] or None,
        tier=tier,
        channel=row["channel"] or None,
        age_years=whole_years(birth, on) if birth else None,
        age_at_arrival=whole_years(birth, arrival) if birth and arrival else None,
        years_since_arrival=whole_years(arrival, on) if arrival and arrival <= on else (0 if arrival else None),
        contract_years=whole_years(start, end) if start and end else None,
        contract_in_city=_contract_in_city(row, on),
        social_insurance_months=row["social_insurance_months"],
    )


def talent_facts(talent: Talent, *, on: dt.date, tables: FactTables | None = None) -> engine.TalentFacts:
    """The facts of one talent (a page's explanation)."""
    row = {c: getattr(talent, c) for c in FACT_COLUMNS}
    return facts_of(row, on=on, tables=tables or FactTables.load())


def iter_facts(
    talents: QuerySet[Talent] | Iterable[Mapping[str, Any]], *, on: dt.date, tables: FactTables, chunk: int = 5000
) -> Iterator[tuple[int, engine.TalentFacts]]:
    """(talent id, facts) for many talents, read in chunks of plain rows (bounded memory)."""
    rows: Iterable[Mapping[str, Any]] = (
        talents.values(*FACT_COLUMNS).iterator(chunk_size=chunk) if isinstance(talents, QuerySet) else talents
    )
    for row in rows:
        yield row["id"], facts_of(row, on=on, tables=tables)
