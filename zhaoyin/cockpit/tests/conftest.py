"""Fixtures of the cockpit tests: the project/fund factories of the target tests."""

from __future__ import annotations

from zhaoyin.targets.tests.conftest import _fresh_cache, industry, project

__all__ = ["_fresh_cache", "industry", "project"]
