"""Policy matching against the database: facts of enterprises, stored verdicts, explanations.

The rules live in the pure engine ``zhaoyin.lib.eligibility`` (no Django). This module feeds
it: the vocabulary (industry, unit and qualification names), the facts of enterprises loaded
in bulk with a few flat queries, and it keeps ``PolicyMatch`` (the ``eligible`` and
``possible`` verdicts of every in-force policy) current:

- ``refresh_enterprise_matches`` after an enterprise's profile, figures or qualifications change;
- ``refresh_policy_matches`` after a policy's status or tree changes;
- ``refresh_all`` (``zhaoyin match``, and nightly in the worker) rebuilds everything, e.g.
  after ``age_years`` conditions move with the date.

Explanations (each condition met / unmet / unknown and why) are not stored: a page explains
one enterprise against the in-force policies, or one policy against a page of enterprises, on
request.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure, EnterpriseGrade, GradeKind, Industry, Qualification
from zhaoyin.lib import eligibility as engine
from zhaoyin.matching.models import MatchVerdict, PolicyMatch
from zhaoyin.policies.models import Beneficiary, Policy, PolicyStatus
from zhaoyin.policies.validation import policy_vocabulary

#: The figure columns the engine knows, in the model's names.
FIGURE_COLUMNS: tuple[str, ...] = (
    "revenue_wan", "tax_wan", "output_wan", "value_added_wan", "energy_tce", "emissions_t", "rd_wan",
    "employees", "electricity_kwh",
)
#: The enterprise fields ``load_facts`` reads: a change to any other (name, address, service
#: group …) cannot change a verdict, so it needs no re-match.
MATCHED_FIELDS: frozenset[str] = frozenset(
    {"industry", "size_class", "org_unit", "land_mu", "employees", "founded_on", "qualifications", "mu_grade"}
)


def touches_matching(changed: Iterable[str]) -> bool:
    """Whether a change of these enterprise fields can change a verdict."""
    return not MATCHED_FIELDS.isdisjoint(changed)


#: Enterprises loaded per round of the bulk refresh (bounded memory at province scale).
CHUNK = 5000

_VERDICT_ORDER = {engine.MET: 0, engine.UNKNOWN: 1, engine.UNMET: 2}


def vocabulary() -> engine.Vocabulary:
    """The names the trees may use (``policies.validation.policy_vocabulary``)."""
    return policy_vocabulary()


def today() -> dt.date:
    """The matching date (``age_years`` is counted to it)."""
    return timezone.localdate()


@dataclass(frozen=True)
class _Tables:
    """Small dictionaries loaded once per refresh or page (three queries): unit ancestry,
    industry codes, qualification names, and the engine's vocabulary built from the same rows."""

    unit_chain: dict[int, tuple[str, ...]]
    industry: dict[int, tuple[str, bool]]
    qualification: dict[int, str]
    vocab: engine.Vocabulary

    @classmethod
    def load(cls) -> _Tables:
        units = list(OrgUnit.objects.values_list("pk", "code", "path", "name"))
        code_of = {pk: code for pk, code, _path, _name in units}
        chain = {
            pk: tuple(code_of[int(part)] for part in path.strip("/").split("/") if part and int(part) in code_of)
            for pk, _code, path, _name in units
        }
        industries = list(Industry.objects.values_list("pk", "code", "emerging", "name"))
        qualifications = dict(Qualification.objects.values_list("pk", "name"))
        return cls(
            unit_chain=chain,
            industry={pk: (code, emerging) for pk, code, emerging, _name in industries},
            qualification=qualifications,
            vocab=engine.Vocabulary(
                industries={code: name for _pk, code, _emerging, name in industries},
                units={code: name for _pk, code, _path, name in units},
                qualifications=frozenset(qualifications.values()),
            ),
        )


def _age(founded: dt.date | None, on: dt.date) -> int | None:
    if founded is None:
        return None
    years = on.year - founded.year - ((on.month, on.day) < (founded.month, founded.day))
    return max(years, 0)


def load_facts(
    ids: Sequence[int], *, years: Iterable[int] | None = None, on: dt.date | None = None,
    tables: _Tables | None = None,
) -> dict[int, engine.Facts]:
    """The engine's facts for the given enterprises, in four flat queries (the latest 亩均 grade the fourth).

    ``years`` limits the yearly figures loaded to those some tree asks for (None: all).
    Qualifications are always *known* for a registered enterprise: an empty set means it
    holds none, which makes a qualification condition unmet (DESIGN 5.1).
    """
    if not ids:
        return {}
    return _load_facts(
        {"pk__in": ids}, {"enterprise_id__in": ids}, years=years, on=on or today(), tables=tables or _Tables.load()
    )


def _load_facts_range(
    first: int, last: int, *, years: Iterable[int] | None, on: dt.date, tables: _Tables
) -> dict[int, engine.Facts]:
    """The facts of every enterprise with ``first <= id <= last`` (the bulk refresh: a range
    walks the primary key instead of binding thousands of ids per query)."""
    return _load_facts(
        {"pk__gte": first, "pk__lte": last},
        {"enterprise_id__gte": first, "enterprise_id__lte": last},
        years=years, on=on, tables=tables,
    )


def _load_facts(
    own: dict[str, Any], related: dict[str, Any], *, years: Iterable[int] | None, on: dt.date, tables: _Tables
) -> dict[int, engine.Facts]:
    quals: dict[int, list[str]] = defaultdict(list)
    through = Enterprise.qualifications.through
    qual_names = tables.qualification
    for ent_id, qual_id in through.objects.filter(**related).values_list("enterprise_id", "qualification_id"):
        quals[ent_id].append(qual_names[qual_id])
    figures: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    fig_qs = EnterpriseFigure.objects.filter(**related)
    if years is not None:
        fig_qs = fig_qs.filter(year__in=sorted(set(years)))
    columns = FIGURE_COLUMNS
    for row in fig_qs.values_list("enterprise_id", "year", *columns):
        figures[row[0]][row[1]] = dict(zip(columns, row[2:], strict=True))
    # The latest published 亩均 grade of each (rows in year order: the last one wins).
    grades: dict[int, tuple[str, int]] = {}
    for ent_id, year, grade in (
        EnterpriseGrade.objects.filter(kind=GradeKind.MU, **related).order_by("year").values_list(
            "enterprise_id", "year", "grade"
        )
    ):
        grades[ent_id] = (grade, year)
    # Enterprises share a handful of qualification sets: one frozenset per distinct set.
    shared: dict[tuple[str, ...], frozenset[str]] = {(): frozenset()}
    facts: dict[int, engine.Facts] = {}
    rows = Enterprise.objects.filter(**own).values_list(
        "pk", "industry_id", "size_class", "org_unit_id", "land_mu", "employees", "founded_on"
    )
    no_figures: dict[int, dict[str, Any]] = {}
    for pk, industry_id, size_class, unit_id, land_mu, employees, founded_on in rows:
        industry = tables.industry.get(industry_id)
        key = tuple(sorted(quals.get(pk, ())))
        held = shared.get(key)
        if held is None:
            held = shared[key] = frozenset(key)
        facts[pk] = engine.Facts(
            industry=industry[0] if industry else None,
            emerging=industry[1] if industry else None,
            size_class=size_class or None,
            units=tables.unit_chain.get(unit_id, ()),
            land_mu=land_mu,
            employees=employees,
            age_years=_age(founded_on, on),
            qualifications=held,
            figures=figures.get(pk, no_figures),
            mu_grade=grades[pk][0] if pk in grades else None,
            mu_grade_year=grades[pk][1] if pk in grades else None,
        )
    return facts


#: Parsed trees by policy id, with the tree and the vocabulary they were parsed against: a
#: page explaining 200 policies parses none of them again while neither changed.
_PARSED: dict[int, tuple[Any, engine.Vocabulary, engine.Node]] = {}


def parsed_tree(policy: Policy, vocab: engine.Vocabulary) -> engine.Node:
    """``engine.parse_tree`` of the policy's tree, cached per process (raises TreeError)."""
    cached = _PARSED.get(policy.pk)
    if cached is not None and cached[0] == policy.eligibility and cached[1] == vocab:
        return cached[2]
    node = engine.parse_tree(policy.eligibility, vocab)
    _PARSED[policy.pk] = (copy.deepcopy(policy.eligibility), vocab, node)
    return node


@dataclass(frozen=True)
class CompiledPolicy:
    """An in-force policy with its tree parsed and compiled once."""

    pk: int
    node: engine.Node
    verdict: Callable[[engine.Facts], int]
    years: frozenset[int]


def _tree_years(tree: object) -> set[int]:
    """Every ``year`` a canonical tree mentions (to load only those figures)."""
    found: set[int] = set()
    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            year = node.get("year")
            if isinstance(year, int):
                found.add(year)
            stack.extend(v for v in node.values() if isinstance(v, list | dict))
        elif isinstance(node, list):
            stack.extend(node)
    return found


def compile_policy(policy: Policy, vocab: engine.Vocabulary) -> CompiledPolicy | None:
    """The policy's tree compiled, or None when it has none or it no longer parses (a code
    removed from a dictionary after publication): such a policy matches nobody until fixed."""
    if not policy.eligibility:
        return None
    try:
        node = parsed_tree(policy, vocab)
    except engine.TreeError:
        return None
    return CompiledPolicy(
        pk=policy.pk, node=node, verdict=engine.compile_tree(node), years=frozenset(_tree_years(policy.eligibility))
    )


def in_force_policies() -> list[Policy]:
    """The policies enterprises are matched against: enterprise policies in force (talent
    policies match talents: ``matching.talent_verdicts``)."""
    return list(
        Policy.objects.filter(status=PolicyStatus.IN_FORCE, beneficiary=Beneficiary.ENTERPRISE).order_by("pk")
    )


def _compiled_in_force(vocab: engine.Vocabulary) -> list[CompiledPolicy]:
    compiled = (compile_policy(p, vocab) for p in in_force_policies())
    return [c for c in compiled if c is not None]


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _insert_matches(rows: list[tuple[int, int, str]]) -> None:
    """Insert (policy, enterprise, verdict) rows without model instances (a full refresh
    writes millions): PostgreSQL takes them through COPY (one stream; executemany ran one
    statement per row, ≈ 80 s for 1.7 M rows), SQLite through one executemany in-process."""
    if not rows:
        return
    table = connection.ops.quote_name(PolicyMatch._meta.db_table)
    columns = "(policy_id, enterprise_id, verdict)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {table} {columns} VALUES (%s, %s, %s)",  # noqa: S608 - table name from the model
            rows,
        )


def _evaluate(
    compiled: Sequence[CompiledPolicy], facts: dict[int, engine.Facts]
) -> list[tuple[int, int, str]]:
    rows: list[tuple[int, int, str]] = []
    append = rows.append
    met, unknown = engine.MET, engine.UNKNOWN
    eligible, possible = MatchVerdict.ELIGIBLE.value, MatchVerdict.POSSIBLE.value
    for policy in compiled:
        verdict = policy.verdict
        pk = policy.pk
        for ent_id, fact in facts.items():
            result = verdict(fact)
            if result == met:
                append((pk, ent_id, eligible))
            elif result == unknown:
                append((pk, ent_id, possible))
    return rows


def refresh_enterprise_matches(enterprise_ids: Iterable[int]) -> int:
    """Re-match the given enterprises against every in-force policy; returns rows written.

    One transaction per chunk of ``CHUNK`` enterprises (see ``refresh_all``)."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return 0
    tables = _Tables.load()
    compiled = _compiled_in_force(tables.vocab)
    years = set().union(*(c.years for c in compiled)) if compiled else set()
    written = 0
    for part in _chunks(ids, CHUNK):
        rows = _evaluate(compiled, load_facts(part, years=years, tables=tables))
        with transaction.atomic():
            PolicyMatch.objects.filter(enterprise_id__in=part).delete()
            _insert_matches(rows)
        written += len(rows)
    return written


def _all_ranges() -> Iterator[tuple[int, int]]:
    """Consecutive (first id, last id) ranges of ``CHUNK`` enterprises each, in id order."""
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    for part in _chunks(ids, CHUNK):
        yield part[0], part[-1]


def _in_range(first: int, last: int) -> dict[str, int]:
    return {"enterprise_id__gte": first, "enterprise_id__lte": last}


def refresh_policy_matches(policy: Policy) -> int:
    """Re-match one policy against every enterprise (none when it is not in force or serves
    talents).

    One short transaction per chunk of enterprises (see ``refresh_all``), each chunk's
    verdicts computed before its transaction opens; run after the policy's write commits
    (``rematch_policy``), never inside it."""
    tables = _Tables.load()
    serves = policy.status == PolicyStatus.IN_FORCE and policy.beneficiary == Beneficiary.ENTERPRISE
    compiled = compile_policy(policy, tables.vocab) if serves else None
    written = 0
    if compiled is None:
        PolicyMatch.objects.filter(policy_id=policy.pk).delete()
    else:
        on = today()
        for first, last in _all_ranges():
            rows = _evaluate([compiled], _load_facts_range(first, last, years=compiled.years, on=on, tables=tables))
            with transaction.atomic():
                PolicyMatch.objects.filter(policy_id=policy.pk, **_in_range(first, last)).delete()
                _insert_matches(rows)
            written += len(rows)
    Policy.objects.filter(pk=policy.pk).update(matched_at=timezone.now())
    return written


@dataclass(frozen=True)
class RefreshStats:
    """What a full refresh did."""

    enterprises: int
    policies: int
    rows: int


def refresh_all() -> RefreshStats:
    """Rebuild every stored verdict: all enterprises × all in-force policies.

    One transaction per chunk of ``CHUNK`` enterprises (their old rows deleted, the new
    written), not one for the whole run: SQLite has one writer at a time and a 20 s busy
    timeout, so a 30–40 s transaction at province scale would make every concurrent write
    fail. Readers see each enterprise's verdicts either before or after, never half.
    """
    tables = _Tables.load()
    compiled = _compiled_in_force(tables.vocab)
    years = set().union(*(c.years for c in compiled)) if compiled else set()
    # Rows of policies that no longer match (withdrawn, expired, a tree that no longer parses).
    PolicyMatch.objects.exclude(policy_id__in=[c.pk for c in compiled]).delete()
    on = today()
    enterprises = written = 0
    for first, last in _all_ranges():
        # Read and evaluate outside the write transaction: SQLite's write lock is held only
        # while the chunk's rows are swapped (a change meanwhile re-matches on its own hook).
        facts = _load_facts_range(first, last, years=years, on=on, tables=tables)
        rows = _evaluate(compiled, facts) if compiled else []
        with transaction.atomic():
            PolicyMatch.objects.filter(**_in_range(first, last)).delete()
            _insert_matches(rows)
        enterprises += len(facts)
        written += len(rows)
    Policy.objects.filter(pk__in=[c.pk for c in compiled]).update(matched_at=timezone.now())
    return RefreshStats(enterprises=enterprises, policies=len(compiled), rows=written)


def run_refresh_job() -> None:
    """The worker's nightly job: a full refresh, logged."""
    import logging
    import time

    started = time.perf_counter()
    stats = refresh_all()
    logging.getLogger(__name__).info(
        "policy matching: %d enterprises × %d policies → %d rows in %.1f s",
        stats.enterprises, stats.policies, stats.rows, time.perf_counter() - started,
    )


#: Above this many enterprises a re-match is queued for ``zhaoyin worker`` instead of running
#: in the request that committed the write (≈ 0.25 ms an enterprise × 200 policies: a 100 000-row
#: import would otherwise hold its request ≈ 25 s).
INLINE_LIMIT = 2000


@task()
def rematch_enterprises_task(enterprise_ids: list[int]) -> int:
    """The queued form of ``refresh_enterprise_matches`` (large imports)."""
    return refresh_enterprise_matches(enterprise_ids)


def refresh_after_commit(enterprise_ids: Iterable[int]) -> None:
    """Re-match ``enterprise_ids`` once the current transaction commits (the write hooks of
    enterprises, figures and imports): in the request for a few, queued for the worker beyond
    ``INLINE_LIMIT``. ``robust``: a failure is logged, never undoes or fails the committed
    write; the nightly refresh repairs the verdicts."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    if len(ids) <= INLINE_LIMIT:
        transaction.on_commit(lambda: refresh_enterprise_matches(ids), robust=True)
    else:
        transaction.on_commit(lambda: rematch_enterprises_task.enqueue(ids), robust=True)


def rematch_changed(sender: object, *, changes: Mapping[int, Collection[str] | None], **kwargs: object) -> None:
    """The receiver of ``enterprises.signals.enterprises_changed`` (connected in
    ``matching.apps``): re-match, after the commit, the new enterprises, those whose figures
    changed and those where a field the matcher reads changed."""
    refresh_after_commit(pk for pk, fields in changes.items() if fields is None or touches_matching(fields))


def rematch_policy(sender: object, *, policy: Policy, **kwargs: object) -> None:
    """The receiver of ``policies.signals.policy_matching_changed`` (connected in
    ``matching.apps``): recompute the policy's stored matches once the policy's write commits.
    ``robust``: a failure is logged, never turns the committed change into an error; the
    nightly refresh repairs the verdicts."""
    transaction.on_commit(lambda: refresh_policy_matches(policy), robust=True)


@dataclass(frozen=True)
class PolicyExplanation:
    """One policy explained for one enterprise: the verdict and every condition's result."""

    policy: Policy
    explanation: engine.Explanation

    @property
    def verdict(self) -> str:
        return engine.VERDICT_NAMES[self.explanation.verdict]


def explain_enterprise(
    enterprise: Enterprise, *, policies: Sequence[Policy] | None = None, include_ineligible: bool = True,
) -> list[PolicyExplanation]:
    """Every in-force policy (or ``policies``) explained for one enterprise the caller has
    already fetched through its scoped selector; eligible first, then possible, then the
    rest, each by title. Policies without a valid tree are left out."""
    tables = _Tables.load()
    vocab = tables.vocab
    facts = load_facts([enterprise.pk], tables=tables)[enterprise.pk]
    out: list[PolicyExplanation] = []
    for policy in policies if policies is not None else in_force_policies():
        if not policy.eligibility:
            continue
        try:
            node = parsed_tree(policy, vocab)
        except engine.TreeError:
            continue
        explanation = engine.explain(node, facts, vocab)
        if include_ineligible or explanation.verdict != engine.UNMET:
            out.append(PolicyExplanation(policy=policy, explanation=explanation))
    out.sort(key=lambda e: (_VERDICT_ORDER[e.explanation.verdict], e.policy.title, e.policy.pk))
    return out


def explain_enterprises(
    policy: Policy, enterprises: Sequence[Enterprise]
) -> dict[int, engine.Explanation]:
    """One policy explained for a page of enterprises (already scoped by the caller)."""
    if not policy.eligibility or not enterprises:
        return {}
    tables = _Tables.load()
    vocab = tables.vocab
    try:
        node = parsed_tree(policy, vocab)
    except engine.TreeError:
        return {}
    facts = load_facts([e.pk for e in enterprises], years=_tree_years(policy.eligibility), tables=tables)
    return {pk: engine.explain(node, fact, vocab) for pk, fact in facts.items()}



def verdict_of(policy: Policy, enterprise_id: int) -> str | None:
    """The verdict name ("eligible", "possible", "ineligible") of ``policy`` for one enterprise,
    from its current facts, or None when the policy has no tree that parses. Registered as the
    library's verdict provider (``policies.extensions``), which the payout ledger reads."""
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        return None
    found = explain_enterprises(policy, [enterprise]).get(enterprise_id)
    return engine.VERDICT_NAMES[found.verdict] if found is not None else None
