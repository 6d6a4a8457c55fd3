"""Cleaning functions shared by every app's forms, API and imports: numbers, amounts, dates.

One function per kind of value, so the same value gets the same verdict on every channel
(VAL-01). Each raises ``ValueError`` with a message that completes the sentence "<field> …";
the caller names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

#: The largest amount accepted: 15 significant digits. SQLite keeps a decimal column as an
#: 8-byte float, exact only up to 15 significant digits; a 16-digit value would come back
#: altered (and fail Django's decimal conversion), so the limit holds on every database.
MAX_DECIMAL = Decimal("9999999999999.99")
#: Land area in 亩: the land columns (``Enterprise.land_mu``, a project's land) have 12 digits, 2 decimals.
MAX_LAND_MU = Decimal("9999999999.99")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def clean_decimal(
    value: Any, *, places: int = 2, minimum: Decimal = Decimal(0), maximum: Decimal = MAX_DECIMAL
) -> Decimal:
    """A non-negative Decimal from text or a number; floats go through str (no binary noise)."""
    if isinstance(value, bool):
        raise ValueError(_("must be a number"))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(_("must be a number")) from None
    if not number.is_finite():
        raise ValueError(_("must be a number"))
    if number < minimum:
        raise ValueError(_("must not be negative"))
    if number > maximum:
        raise ValueError(_("is too large"))
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        raise ValueError(_("has too many decimal places"))
    return number.quantize(quantum)


def clean_date(value: Any) -> dt.date:
    """A date from a date, a datetime or ``YYYY-MM-DD`` text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        # Python 3.11 also reads 20250101 and 2025-W01-1; only the one documented form is taken.
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("must be a date in the form YYYY-MM-DD")) from None


def clean_int(value: Any, *, minimum: int = 0, maximum: int = 10_000_000) -> int:
    """A whole number in ``minimum … maximum`` from an int, an integral float or digits."""
    if isinstance(value, bool):
        raise ValueError(_("must be a whole number"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(_("must be a whole number")) from None
    if number < minimum or number > maximum:
        raise ValueError(_("is out of range"))
    return number
