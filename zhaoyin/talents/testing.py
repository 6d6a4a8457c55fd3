"""Building talents in tests of any app (not a service: no audit, no checks)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.talents.crypto import id_fields, phone_fields
from zhaoyin.talents.models import Talent

_serial = itertools.count(1)


def resident_id(birth: dt.date, serial: int, *, female: bool = False) -> str:
    """A valid 18-digit resident ID (GB 11643 check digit) born on ``birth`` in 淮南 (3404xx)."""
    seq = (serial % 500) * 2 + (0 if female else 1)
    body = f"340402{birth:%Y%m%d}{seq:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def make_talent(
    *, org_unit: OrgUnit, name: str = "测试人才", birth: dt.date = dt.date(1990, 5, 1), female: bool = False,
    account: User | None = None, phone: str = "", **fields: Any,
) -> Talent:
    """A talent with a valid, unique resident ID; ``fields`` override any other column."""
    number = resident_id(birth, next(_serial), female=female)
    values: dict[str, Any] = {
        "name": name, "org_unit": org_unit, "birth_date": birth, "sex": "female" if female else "male",
        "account": account, **id_fields("resident", number), **phone_fields(phone),
    }
    values.update(fields)
    talent = Talent(**values)
    talent.refresh_search_text()
    talent.save()
    return talent
