"""Talent policy matching against the database (人才政策匹配, issue 13): stored verdicts of
every talent × in-force talent policy, and explanations on request.

The same engine as for enterprises (``lib.eligibility``, subject ``talent``): the trees are
parsed with ``talents.facts.talent_vocabulary()`` and compiled once (``engine.compile_tree``),
the talents are read as flat rows by ``talents.facts.iter_facts`` (no model instances at
province scale). ``TalentPolicyMatch`` holds the ``eligible`` and ``possible`` verdicts and is
kept current:

- ``refresh_talent_matches`` after talents change (``talents.signals.talents_changed``);
- ``refresh_talent_policy_matches`` after a policy's status, tree or beneficiary changes;
- ``refresh_all_talents`` nightly (the ``policies-match-refresh`` job) and on ``zhaoyin match``
  (ages and years since arrival move with the date).

Each refresh writes only the difference with what is stored (``swap_rows``).

Only talents still in the city (``status=active``) are matched: a departed talent is paid no
more (the payout ledger stops their schedules) and appears in no 免申即享 list.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from zhaoyin.lib import eligibility as engine
from zhaoyin.matching.models import MatchVerdict, TalentPolicyMatch
from zhaoyin.matching.verdicts import CompiledPolicy, PolicyExplanation, compile_policy, parsed_tree
from zhaoyin.policies.models import Beneficiary, Policy, PolicyStatus
from zhaoyin.talents.facts import MATCHED_FIELDS, FactTables, iter_facts, talent_facts, talent_vocabulary
from zhaoyin.talents.models import Talent, TalentStatus

log = logging.getLogger(__name__)

#: Talents evaluated per transaction of a bulk refresh (bounded memory, short write locks).
CHUNK = 5000
#: Above this many talents a re-match is queued for ``zhaoyin worker`` (an import).
INLINE_LIMIT = 2000
_VERDICT_ORDER = {engine.MET: 0, engine.UNKNOWN: 1, engine.UNMET: 2}


def today() -> dt.date:
    """The matching date (ages and years since arrival are counted to it)."""
    return timezone.localdate()


def touches_matching(changed: Iterable[str]) -> bool:
    """Whether a change of these talent fields can change a verdict (``facts.MATCHED_FIELDS``)."""
    return not MATCHED_FIELDS.isdisjoint(changed)


def talent_policies_in_force() -> list[Policy]:
    """The talent policies in force (the ones talents are matched against), by id."""
    return list(
        Policy.objects.filter(status=PolicyStatus.IN_FORCE, beneficiary=Beneficiary.TALENT).order_by("pk")
    )


def _compiled(policies: Iterable[Policy], vocab: engine.Vocabulary) -> list[CompiledPolicy]:
    compiled = (compile_policy(p, vocab) for p in policies)
    return [c for c in compiled if c is not None]


def matchable_talents() -> QuerySet[Talent]:
    """The talents verdicts are stored for: those still in the city."""
    return Talent.objects.filter(status=TalentStatus.ACTIVE)


def evaluate(
    compiled: Sequence[CompiledPolicy], facts: Iterable[tuple[int, engine.TalentFacts]]
) -> list[tuple[int, int, str]]:
    """(policy, talent, verdict) rows of the eligible and possible pairs."""
    rows: list[tuple[int, int, str]] = []
    append = rows.append
    met, unknown = engine.MET, engine.UNKNOWN
    eligible, possible = MatchVerdict.ELIGIBLE.value, MatchVerdict.POSSIBLE.value
    checks = [(c.pk, c.verdict) for c in compiled]
    for talent_id, fact in facts:
        for pk, verdict in checks:
            result = verdict(fact)  # type: ignore[arg-type]  # a talent tree reads TalentFacts
            if result == met:
                append((pk, talent_id, eligible))
            elif result == unknown:
                append((pk, talent_id, possible))
    return rows


def insert_rows(rows: list[tuple[int, int, str]], *, table: str = TalentPolicyMatch._meta.db_table) -> None:
    """Insert (policy, talent, verdict) rows without model instances: COPY on PostgreSQL, one
    executemany on SQLite (as ``verdicts._insert_matches`` does for enterprises). ``table``
    is another table of the same columns only for the benchmark's storing floor."""
    if not rows:
        return
    table = connection.ops.quote_name(table)
    columns = "(policy_id, talent_id, verdict)"
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


def swap_rows(existing: QuerySet[TalentPolicyMatch], rows: list[tuple[int, int, str]]) -> int:
    """Make the stored verdicts selected by ``existing`` equal ``rows`` (policy, talent,
    verdict), writing only the difference: rows whose verdict is unchanged stay, the others are
    deleted, the new ones inserted. The nightly refresh changes few verdicts, so it mostly
    reads (issue 13 benchmark: rewriting 700 000 unchanged rows cost more than matching them).
    Run inside the caller's transaction; returns the rows written."""
    fresh = {(p, t): v for p, t, v in rows}
    stale: list[int] = []
    for pk, policy_id, talent_id, verdict in existing.values_list("pk", "policy_id", "talent_id", "verdict").iterator(
        chunk_size=20000
    ):
        if fresh.get((policy_id, talent_id)) == verdict:
            del fresh[(policy_id, talent_id)]
        else:
            stale.append(pk)
    for start in range(0, len(stale), 900):
        TalentPolicyMatch.objects.filter(pk__in=stale[start : start + 900]).delete()
    insert_rows([(p, t, v) for (p, t), v in fresh.items()])
    return len(stale) + len(fresh)


#: Above any id (PostgreSQL's bigint maximum; SQLite's integer is as wide).
_NO_END = 2**63 - 1


def _ranges(ids: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Chunks of ``CHUNK`` talents as id ranges that together cover every id: the first
    starts at 0, each next one just after the last, the last has no end. Stored rows of a
    talent deleted in between (no database key holds them: ``TalentPolicyMatch``) fall in a
    range and are removed with the others that no longer hold."""
    low = 0
    for start in range(0, len(ids), CHUNK):
        high = ids[start + CHUNK - 1] if start + CHUNK < len(ids) else _NO_END
        yield low, high
        low = high + 1
    if not ids:
        yield 0, _NO_END



@dataclass(frozen=True)
class TalentRefreshStats:
    """What a full talent refresh did."""

    talents: int
    policies: int
    rows: int


def refresh_all_talents() -> TalentRefreshStats:
    """Rebuild every stored talent verdict: all talents in the city × all talent policies in
    force. One short transaction per chunk of ``CHUNK`` talents (the chunk's verdicts are
    computed before it opens), so concurrent writers wait at most one chunk's swap."""
    tables = FactTables.load()
    compiled = _compiled(talent_policies_in_force(), talent_vocabulary())
    TalentPolicyMatch.objects.exclude(policy_id__in=[c.pk for c in compiled]).delete()
    on = today()
    ids = list(Talent.objects.order_by("pk").values_list("pk", flat=True))
    talents = written = 0
    for first, last in _ranges(ids):
        chunk = matchable_talents().filter(pk__gte=first, pk__lte=last)
        facts = list(iter_facts(chunk, on=on, tables=tables))
        rows = evaluate(compiled, facts) if compiled else []
        with transaction.atomic():
            swap_rows(TalentPolicyMatch.objects.filter(talent_id__gte=first, talent_id__lte=last), rows)
        talents += len(facts)
        written += len(rows)
    Policy.objects.filter(pk__in=[c.pk for c in compiled]).update(matched_at=timezone.now())
    return TalentRefreshStats(talents=talents, policies=len(compiled), rows=written)


def refresh_talent_matches(talent_ids: Iterable[int]) -> int:
    """Re-match the given talents against every talent policy in force; returns rows written.
    A departed (or deleted) talent's rows are removed."""
    ids = sorted(set(talent_ids))
    if not ids:
        return 0
    tables = FactTables.load()
    compiled = _compiled(talent_policies_in_force(), talent_vocabulary())
    on = today()
    written = 0
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        rows = evaluate(compiled, iter_facts(matchable_talents().filter(pk__in=part), on=on, tables=tables))
        with transaction.atomic():
            swap_rows(TalentPolicyMatch.objects.filter(talent_id__in=part), rows)
        written += len(rows)
    return written


def refresh_talent_policy_matches(policy: Policy) -> int:
    """Re-match one policy against every talent (no rows unless it is a talent policy in force
    with a tree that parses)."""
    serves = policy.status == PolicyStatus.IN_FORCE and policy.beneficiary == Beneficiary.TALENT
    compiled = compile_policy(policy, talent_vocabulary()) if serves else None
    written = 0
    if compiled is None:
        TalentPolicyMatch.objects.filter(policy_id=policy.pk).delete()
        return 0
    tables = FactTables.load()
    on = today()
    ids = list(Talent.objects.order_by("pk").values_list("pk", flat=True))
    for first, last in _ranges(ids):
        chunk = matchable_talents().filter(pk__gte=first, pk__lte=last)
        rows = evaluate([compiled], iter_facts(chunk, on=on, tables=tables))
        with transaction.atomic():
            swap_rows(
                TalentPolicyMatch.objects.filter(policy_id=policy.pk, talent_id__gte=first, talent_id__lte=last), rows
            )
        written += len(rows)
    Policy.objects.filter(pk=policy.pk).update(matched_at=timezone.now())
    return written


@task()
def rematch_talents_task(talent_ids: list[int]) -> int:
    """The queued form of ``refresh_talent_matches`` (large imports)."""
    return refresh_talent_matches(talent_ids)


def rematch_talents_changed(
    sender: object, *, changes: Mapping[int, Collection[str] | None], **kwargs: object
) -> None:
    """The receiver of ``talents.signals.talents_changed`` (connected in ``matching.apps``):
    re-match, after the commit, the new talents and those whose matched fields changed — in
    the request for a few, queued beyond ``INLINE_LIMIT``. ``robust``: a failure is logged and
    repaired by the nightly refresh, never undoes the committed write."""
    ids = sorted(pk for pk, fields in changes.items() if fields is None or touches_matching(fields))
    if not ids:
        return
    if len(ids) <= INLINE_LIMIT:
        transaction.on_commit(lambda: refresh_talent_matches(ids), robust=True)
    else:
        transaction.on_commit(lambda: rematch_talents_task.enqueue(ids), robust=True)


def rematch_policy_both(sender: object, *, policy: Policy, **kwargs: object) -> None:
    """The receiver of ``policies.signals.policy_matching_changed`` (connected in
    ``matching.apps``): once the policy's write commits, its stored verdicts are recomputed on
    both sides — the enterprises' (``verdicts.refresh_policy_matches``: none unless an enterprise
    policy in force) and the talents' (none unless a talent policy in force), so a policy whose
    beneficiary changed loses the other side's rows. ``robust``: a failure is logged, never
    turns the committed change into an error; the nightly refresh repairs the verdicts."""
    from zhaoyin.matching.verdicts import refresh_policy_matches

    def refresh() -> None:
        refresh_policy_matches(policy)
        refresh_talent_policy_matches(policy)

    transaction.on_commit(refresh, robust=True)


def explain_talent(
    talent: Talent, *, policies: Sequence[Policy] | None = None, on: dt.date | None = None
) -> list[PolicyExplanation]:
    """Every in-force talent policy (or ``policies``) explained for one talent the caller has
    fetched through ``talents.selectors``: eligible first, then possible, then the rest, each
    by title. Policies whose tree no longer parses are left out."""
    vocab = talent_vocabulary()
    facts = talent_facts(talent, on=on or today())
    out: list[PolicyExplanation] = []
    for policy in policies if policies is not None else talent_policies_in_force():
        if not policy.eligibility or policy.beneficiary != Beneficiary.TALENT:
            continue
        try:
            node = parsed_tree(policy, vocab)
        except engine.TreeError:
            continue
        out.append(PolicyExplanation(policy=policy, explanation=engine.explain(node, facts, vocab)))
    out.sort(key=lambda e: (_VERDICT_ORDER[e.explanation.verdict], e.policy.title, e.policy.pk))
    return out


def explain_talents(policy: Policy, talents: Sequence[Talent]) -> dict[int, engine.Explanation]:
    """One talent policy explained for a page of talents (already scoped by the caller)."""
    if not policy.eligibility or not talents or policy.beneficiary != Beneficiary.TALENT:
        return {}
    vocab = talent_vocabulary()
    try:
        node = parsed_tree(policy, vocab)
    except engine.TreeError:
        return {}
    tables = FactTables.load()
    on = today()
    return {t.pk: engine.explain(node, talent_facts(t, on=on, tables=tables), vocab) for t in talents}


def run_nightly_job() -> None:
    """The nightly ``policies-match-refresh`` job: enterprises, then talents (each logged)."""
    from zhaoyin.matching import verdicts

    verdicts.run_refresh_job()
    run_refresh_job()


def run_refresh_job() -> None:
    """The talent half of the nightly ``policies-match-refresh`` job, logged."""
    import time

    started = time.perf_counter()
    stats = refresh_all_talents()
    log.info(
        "talent policy matching: %d talents × %d policies → %d rows in %.1f s",
        stats.talents, stats.policies, stats.rows, time.perf_counter() - started,
    )
