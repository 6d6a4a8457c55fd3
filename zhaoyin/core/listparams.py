"""Reading list parameters (search, sort, paging) the same way on every list, page, API and
export: bad values are collected as field errors and raised together as ``InvalidInput``, so a
querystring never becomes a 500. Each app's ``filters.py`` adds its own filters on top."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import F
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

from zhaoyin.core.errors import Errors

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
#: Longest search text accepted; the folded search columns are 500 characters.
MAX_QUERY_LENGTH = 100
#: At most this many whitespace-separated terms; each must occur (AND).
MAX_TERMS = 5
PAGING_PARAMS = ("page", "page_size")
#: Characters no filter value may contain (PostgreSQL refuses NUL in text outright).
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


#: The field errors of one request's parameters, raised together at the end: the project's
#: one collector (``core.errors.Errors``), under the name the list parsers know.
ParamErrors = Errors


def first_param(params: Mapping[str, Any], name: str) -> str:
    """One parameter as stripped text ('' when absent); QueryDicts give their last value."""
    value = params.get(name)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value).strip()


def read_params(params: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    return {name: first_param(params, name) for name in names}


def positive_int(text: str) -> int | None:
    """A whole number written in ASCII digits (at most 9), else None — never an exception."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def parse_terms(q: str, errors: ParamErrors, fold: Callable[[str], str]) -> tuple[str, ...]:
    """The distinct search terms of ``q``, folded the way the search column is."""
    if len(q) > MAX_QUERY_LENGTH:
        errors.fail("q", _("Search text must be at most %(n)d characters.") % {"n": MAX_QUERY_LENGTH})
        return ()
    if CONTROL_CHARS.search(q):
        errors.fail("q", _("Search text contains control characters."))
        return ()
    terms = tuple(dict.fromkeys(fold(q).split()))
    if len(terms) > MAX_TERMS:
        errors.fail("q", _("Search with at most %(n)d words.") % {"n": MAX_TERMS})
        return ()
    return terms


def parse_sort(raw: str, columns: Mapping[str, str], default: str, errors: ParamErrors) -> str:
    """A sort key of ``columns``, ``-`` for descending."""
    sort = raw or default
    if sort.removeprefix("-") not in columns:
        errors.fail("sort", _("Sort by one of: %(keys)s.") % {"keys": ", ".join(columns)})
        return default
    return sort


def parse_paging(raw: Mapping[str, str], errors: ParamErrors, maximum: int = MAX_PAGE_SIZE) -> tuple[int, int]:
    """``page`` (≥ 1) and ``page_size`` (1 … ``maximum``)."""
    page = 1
    if raw.get("page"):
        parsed = positive_int(raw["page"])
        if parsed is None or parsed < 1:
            errors.fail("page", _("Page must be a whole number of at least 1."))
        else:
            page = parsed
    page_size = DEFAULT_PAGE_SIZE
    if raw.get("page_size"):
        parsed = positive_int(raw["page_size"])
        if parsed is None or not 1 <= parsed <= maximum:
            errors.fail("page_size", _("Page size must be a whole number from 1 to %(n)d.") % {"n": maximum})
        else:
            page_size = parsed
    return page, page_size


def ordering(sort: str, columns: Mapping[str, str], nullable: Iterable[str] = ()) -> list[OrderBy | str]:
    """ORDER BY for a sort key with ``id`` breaking ties (stable paging). A NOT NULL column
    sorts as ``col, id`` so the (col, id) index is walked either way; a nullable column puts
    its missing values last in both directions."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    tie = "-id" if descending else "id"
    if key not in set(nullable):
        return ["-" + columns[key] if descending else columns[key], tie]
    column = F(columns[key])
    return [column.desc(nulls_last=True) if descending else column.asc(nulls_last=True), tie]
