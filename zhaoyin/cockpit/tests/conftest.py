"""Fixtures of the cockpit tests: the project/fund factories of the target tests."""

from __future__ import annotations

from zhaoyin.targets.tests.conftest import industry, project

__all__ = ["industry", "project"]
