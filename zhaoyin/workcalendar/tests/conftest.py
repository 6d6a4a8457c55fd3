"""Fixtures of the calendar tests: a sysadmin, notice workbooks, a clean calendar cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from conftest import MakeUser
from zhaoyin.accounts.models import User
from zhaoyin.core.roles import Role
from zhaoyin.lib.tests.xlsx_fixtures import workbook_bytes
from zhaoyin.workcalendar import selectors

D = dt.date

#: A plausible 2027 notice (made up for the tests: the real one is not published yet).
NOTICE_2027: list[list[Any]] = [
    ["日期", "类型", "名称"],
    [D(2027, 1, 1), "放假", "元旦"],
    [D(2027, 2, 5), "放假", "春节"],
    [D(2027, 2, 6), "休", "春节"],
    [D(2027, 2, 7), "休", "春节"],
    [D(2027, 2, 8), "放假", "春节"],
    [D(2027, 2, 9), "放假", "春节"],
    [D(2027, 2, 10), "放假", "春节"],
    [D(2027, 2, 11), "放假", "春节"],
    [D(2027, 2, 12), "放假", "春节"],
    ["2027-02-20", "上班", "春节"],
    [D(2027, 4, 5), "放假", "清明节"],
    [D(2027, 5, 1), "放假", "劳动节"],
    [D(2027, 5, 2), "放假", "劳动节"],
    [D(2027, 5, 3), "放假", "劳动节"],
    [D(2027, 4, 25), "班", "劳动节"],
]


def notice_bytes(rows: Sequence[Any] | None = None) -> bytes:
    return workbook_bytes(rows if rows is not None else NOTICE_2027)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    selectors.clear_cache()
    yield
    selectors.clear_cache()


@pytest.fixture
def sysadmin(make_user: MakeUser) -> User:
    return make_user(Role.SYSADMIN, unit="city", username="sys1")
