"""The registry of periodic jobs (DESIGN 6, CONC-05), kept in the kernel so that apps register
their jobs without importing ``ops``, which runs them (``ops.periodic.run_due`` in
``zhaoyin worker``). Apps register from their ``AppConfig.ready``::

    from zhaoyin.core import periodic
    periodic.register("deadline-scan", 300, scan_deadlines)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    """A registered job: its unique name, its period and the callable that does the work."""

    name: str
    every_seconds: int
    fn: Callable[[], object]


_registry: dict[str, PeriodicJob] = {}


def register(name: str, every_seconds: int, fn: Callable[[], object]) -> PeriodicJob:
    """Register (or replace) the job ``name`` to run every ``every_seconds`` seconds."""
    if not name or len(name) > 100:
        raise ValueError("a periodic job needs a name of 1 to 100 characters")
    if every_seconds < 1:
        raise ValueError("every_seconds must be at least 1")
    job = PeriodicJob(name=name, every_seconds=int(every_seconds), fn=fn)
    _registry[name] = job
    return job


def unregister(name: str) -> None:
    """Remove a job (tests register temporary ones)."""
    _registry.pop(name, None)


def registered() -> list[PeriodicJob]:
    """All registered jobs, by name."""
    return [_registry[name] for name in sorted(_registry)]
