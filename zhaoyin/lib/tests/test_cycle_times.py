"""The cycle-time engine (issue 3 item 6): milestones from a replayed stage history."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from zhaoyin.lib import cycle_times as ct
from zhaoyin.lib.cycle_times import cycle_times, distribution, milestones

D = dt.date


def test_straight_line_gives_three_spans() -> None:
    events = [
        ("lead", D(2026, 1, 1)),
        ("negotiating", D(2026, 1, 20)),
        ("signed", D(2026, 3, 1)),
        ("registered", D(2026, 3, 15)),
        ("started", D(2026, 5, 1)),
        ("producing", D(2026, 12, 1)),
    ]
    ct = cycle_times(events)
    assert ct.contact_to_signing == 59
    assert ct.signing_to_start == 61
    assert ct.start_to_production == 214


def test_explicit_first_contact_wins_over_the_lead_event() -> None:
    ct = cycle_times([("lead", D(2026, 2, 1)), ("signed", D(2026, 2, 11))], first_contact_on=D(2026, 1, 1))
    assert ct.contact_to_signing == 41


def test_skip_reaches_the_skipped_stages_on_the_same_day() -> None:
    ct = cycle_times([("lead", D(2026, 1, 1)), ("started", D(2026, 4, 1))])
    assert ct.signed_on == D(2026, 4, 1)
    assert ct.signing_to_start == 0
    assert ct.producing_on is None
    assert ct.start_to_production is None


def test_correction_back_forgets_later_milestones() -> None:
    events = [
        ("lead", D(2026, 1, 1)),
        ("signed", D(2026, 2, 1)),
        ("started", D(2026, 3, 1)),
        ("signed", D(2026, 3, 5)),  # correction: the start had not happened
        ("started", D(2026, 6, 1)),
    ]
    ct = cycle_times(events)
    assert ct.signed_on == D(2026, 2, 1)
    assert ct.started_on == D(2026, 6, 1)


def test_hold_and_termination_change_no_milestone() -> None:
    reached = milestones([("lead", D(2026, 1, 1)), ("on_hold", D(2026, 2, 1)), ("terminated", D(2026, 3, 1))])
    assert reached == {"lead": D(2026, 1, 1)}


def test_end_before_start_is_not_a_negative_span() -> None:
    ct = cycle_times([("signed", D(2026, 1, 1))], first_contact_on=D(2026, 5, 1))
    assert ct.contact_to_signing is None


def test_no_history_no_spans() -> None:
    ct = cycle_times([])
    assert (ct.contact_to_signing, ct.signing_to_start, ct.start_to_production) == (None, None, None)


def test_distribution_quartiles_are_exact() -> None:
    d = distribution([10, None, 20, 30, 40])
    assert d.count == 4
    assert d.minimum == 10
    assert d.maximum == 40
    assert d.median == Decimal("25.0")
    assert d.p25 == Decimal("17.5")
    assert d.p75 == Decimal("32.5")
    assert distribution([None]).count == 0


def test_distribution_of_counts_equals_the_distribution_of_the_values() -> None:
    rng = random.Random(3)
    for size in (1, 2, 5, 17, 400):
        values = [rng.randint(0, 60) for _ in range(size)]
        expected = ct.distribution(values)
        assert ct.distribution_of_counts(Counter(values)) == expected
        ordered = sorted(values)
        assert (expected.count, expected.minimum, expected.maximum) == (size, ordered[0], ordered[-1])
    assert ct.distribution_of_counts({5: 0}).count == 0
