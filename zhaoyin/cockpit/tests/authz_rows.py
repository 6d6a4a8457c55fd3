"""Matrix rows for the cockpit (tests/authz_matrix.py): read by the pipeline's readers, each
within its own scope (same readers as the target pages)."""

from __future__ import annotations

from tests.authz_matrix import MATRIX, READERS, web
from zhaoyin.core.roles import Role

READERS_OF_PIPELINE = READERS - {Role.SERVICE_MEMBER}

MATRIX += [
    web("cockpit:index", allowed=READERS_OF_PIPELINE, query="?year=2026&as_of=2026-09-30"),
    # Issue 16 item 2: the cockpit's figures as .xlsx, the page's readers.
    web("cockpit:export", allowed=READERS_OF_PIPELINE, query="?year=2026&as_of=2026-09-30"),
]
