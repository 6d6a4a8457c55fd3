"""The search index of the matter list: bigrams of ``Matter.search_text`` (zhaoyin.core.search)."""

from __future__ import annotations

from zhaoyin.core.search import BigramIndex

SEARCH_INDEX = BigramIndex(
    table="matters_matter", column="search_text", name="matters_matter_search", unit_column="lead_unit_id"
)
