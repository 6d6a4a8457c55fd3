"""Fixtures of the project tests, shared from ``helpers`` (so test modules need not import them)."""

from zhaoyin.projects.tests.helpers import evidence_root, make_project

__all__ = ["evidence_root", "make_project"]
