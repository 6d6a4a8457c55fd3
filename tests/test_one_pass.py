"""The ``one_pass`` mark (root conftest): with both passes of ``make test`` running, a marked
test runs in its database's pass only; a mark that names no known database or gives no reason
stops the run instead of dropping the test from both passes."""

from __future__ import annotations

import pytest

from conftest import one_pass_keeps
from tests import test_api_fuzz


def test_a_marked_test_runs_in_the_pass_of_its_database_only() -> None:
    mark = pytest.mark.one_pass("sqlite", reason="its own SQLite file").mark
    assert one_pass_keeps(mark, "sqlite")
    assert not one_pass_keeps(mark, "postgresql")
    mark = pytest.mark.one_pass("postgresql", reason="once per make test").mark
    assert one_pass_keeps(mark, "postgresql")
    assert not one_pass_keeps(mark, "sqlite")


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {"reason": "why"}), (("postgres",), {"reason": "why"}), (("sqlite",), {}), (("sqlite",), {"reason": " "})],
)
def test_a_mark_without_a_known_database_or_a_reason_stops_the_run(
    args: tuple[str, ...], kwargs: dict[str, str]
) -> None:
    mark = pytest.mark.one_pass(*args, **kwargs).mark
    for vendor in ("sqlite", "postgresql"):
        with pytest.raises(pytest.UsageError, match="one_pass needs a vendor"):
            one_pass_keeps(mark, vendor)


def test_the_api_fuzz_runs_each_token_in_exactly_one_pass() -> None:
    tokens = {
        "city": test_api_fuzz.test_VAL_01_api_as_documented_city_token,
        "county": test_api_fuzz.test_VAL_01_api_as_documented_county_token,
    }
    passes = {}
    for token, test in tokens.items():
        marks = [m for m in getattr(test, "pytestmark", []) if m.name == "one_pass"]
        assert len(marks) == 1, token
        passes[token] = marks[0].args[0]
    # Between them the two passes fuzz with both tokens.
    assert sorted(passes.values()) == ["postgresql", "sqlite"]
