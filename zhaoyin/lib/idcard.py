"""ID documents of talents: the checks of each kind, and what a number says about its holder.

Pure Python (no Django): the talent inputs call it and put its codes into words.

- 居民身份证 (GB 11643-1999): 18 characters — a 6-digit area code, the birth date as
  YYYYMMDD, a 3-digit sequence (odd for men, even for women), and a check character computed
  over the first 17 digits (ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, check
  ``(12 - sum mod 11) mod 11`` with 10 written as ``X``).
- 港澳台居民居住证: the same structure and check character; the area code is 810000 (Hong
  Kong), 820000 (Macao) or 830000 (Taiwan).
- 外国人永久居留身份证: the 2017 form is 18 digits starting with 9 (2 digits of the accepting
  province, 3 of the nationality, the birth date, a sequence, the GB 11643 check character);
  the older form is 15 characters, 3 letters of the nationality and 12 digits.
- 护照: letters and digits only, 5 to 17 of them (passports of different countries differ).

Errors are ``IdNumberError`` with a stable ``code`` (``LENGTH``, ``CHARACTERS``, ``AREA``,
``BIRTH_DATE``, ``CHECK_DIGIT``, ``PREFIX``) that the caller turns into a message.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

RESIDENT = "resident"
PASSPORT = "passport"
HMT_RESIDENCE = "hmt_residence"
FOREIGN_PERMANENT = "foreign_permanent"
ID_TYPES = (RESIDENT, PASSPORT, HMT_RESIDENCE, FOREIGN_PERMANENT)

#: ISO 7064 MOD 11-2 weights of the first 17 digits (2^(17-i) mod 11).
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: The check character for each remainder of the weighted sum mod 11.
CHECK_CHARACTERS = "10X98765432"
#: Province-level codes of GB/T 2260 that issue resident ID cards (the mainland's 31).
RESIDENT_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
)
#: The area codes of residence permits for residents of Hong Kong, Macao and Taiwan.
HMT_PREFIXES = ("810000", "820000", "830000")
#: Birth dates before this are not plausible for a living person's document.
EARLIEST_BIRTH = dt.date(1900, 1, 1)

_DIGITS17 = re.compile(r"^\d{17}[\dX]$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
_OLD_PERMANENT = re.compile(r"^[A-Z]{3}\d{12}$")


#: China Standard Time: "today" for a birth date when the caller gives none.
CST = dt.timezone(dt.timedelta(hours=8))


def _today() -> dt.date:
    return dt.datetime.now(CST).date()


class IdNumberError(ValueError):
    """A number that is not a valid document of its kind; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IdFacts:
    """What a document number says about its holder (None where the kind does not say)."""

    birth_date: dt.date | None = None
    sex: str | None = None  # "male" or "female"


def normalise(number: str) -> str:
    """Full-width forms folded (NFKC), no whitespace anywhere, upper case (a lower-case
    check ``x`` is ``X``)."""
    return "".join(unicodedata.normalize("NFKC", str(number)).split()).upper()


def check_character(body: str) -> str:
    """The GB 11643 check character of 17 digits."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise IdNumberError("CHARACTERS")
    total = sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def _birth(text: str, today: dt.date) -> dt.date:
    try:
        born = dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdNumberError("BIRTH_DATE") from None
    if born < EARLIEST_BIRTH or born > today:
        raise IdNumberError("BIRTH_DATE")
    return born


def _eighteen(number: str, today: dt.date) -> IdFacts:
    """The checks shared by the 18-character forms: characters, birth date, check character."""
    if len(number) != 18:
        raise IdNumberError("LENGTH")
    if not _DIGITS17.match(number):
        raise IdNumberError("CHARACTERS")
    born = _birth(number[6:14], today)
    if check_character(number[:17]) != number[17]:
        raise IdNumberError("CHECK_DIGIT")
    return IdFacts(birth_date=born, sex="male" if int(number[16]) % 2 else "female")


def parse_resident(number: str, *, today: dt.date | None = None) -> IdFacts:
    """A 居民身份证 number (GB 11643): its holder's birth date and sex, or ``IdNumberError``."""
    number = normalise(number)
    if len(number) != 18:
        raise IdNumberError("LENGTH")
    if not _DIGITS17.match(number):
        raise IdNumberError("CHARACTERS")
    if number[:2] not in RESIDENT_PROVINCES or number[2:6] == "0000":
        # An area code names a province and, below it, a prefecture and a county: ``xx0000``
        # is a whole province, never a place of registration.
        raise IdNumberError("AREA")
    return _eighteen(number, today or _today())


def parse_hmt_residence(number: str, *, today: dt.date | None = None) -> IdFacts:
    """A 港澳台居民居住证 number: 810000/820000/830000, then as GB 11643."""
    number = normalise(number)
    if len(number) != 18:
        raise IdNumberError("LENGTH")
    if not number.startswith(HMT_PREFIXES):
        raise IdNumberError("PREFIX")
    return _eighteen(number, today or _today())


def parse_foreign_permanent(number: str, *, today: dt.date | None = None) -> IdFacts:
    """A 外国人永久居留身份证 number: the 2017 form (18, starting 9, GB 11643 check) says the
    birth date and sex; the old form (3 letters + 12 digits) is checked for its shape only."""
    number = normalise(number)
    if len(number) == 15:
        if not _OLD_PERMANENT.match(number):
            raise IdNumberError("CHARACTERS")
        return IdFacts()
    if len(number) != 18:
        raise IdNumberError("LENGTH")
    if not number.startswith("9"):
        raise IdNumberError("PREFIX")
    return _eighteen(number, today or _today())


def parse_passport(number: str) -> IdFacts:
    """A passport number: 5 to 17 letters and digits (it says nothing about the holder)."""
    number = normalise(number)
    if not 5 <= len(number) <= 17:
        raise IdNumberError("LENGTH")
    if not _PASSPORT.match(number):
        raise IdNumberError("CHARACTERS")
    return IdFacts()


def parse_id(id_type: str, number: str, *, today: dt.date | None = None) -> IdFacts:
    """Check ``number`` as a document of ``id_type`` (one of ``ID_TYPES``)."""
    if id_type == RESIDENT:
        return parse_resident(number, today=today)
    if id_type == HMT_RESIDENCE:
        return parse_hmt_residence(number, today=today)
    if id_type == FOREIGN_PERMANENT:
        return parse_foreign_permanent(number, today=today)
    if id_type == PASSPORT:
        return parse_passport(number)
    raise IdNumberError("TYPE")


def make_resident(area: str, born: dt.date, sequence: int) -> str:
    """A valid resident ID number (test and demo data): area code, birth date, sequence 0–999."""
    body = f"{area}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + check_character(body)
