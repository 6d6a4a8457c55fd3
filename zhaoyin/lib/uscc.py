"""统一社会信用代码 (GB 32100-2015) with its embedded organisation code (GB 11714-1997).

One validator shared by forms, the API and Excel import, and a generator for the demo.
Pure Python.
"""

from __future__ import annotations

import re
import unicodedata

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_VALUES = {c: i for i, c in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
#: ASCII digits only: another script's digit (not folded by NFKC) has no value in the checks.
SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")

ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class UsccError(ValueError):
    """Why a code is not a valid USCC; ``code`` is a stable reason code for import reports."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalize(raw: str) -> str:
    """NFKC (full-width → half-width), strip spaces, upper-case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    total = sum(ORG_ALPHABET.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def validate_uscc(raw: str) -> str:
    """Return the normalised code, or raise ``UsccError`` naming what is wrong."""
    code = normalize(raw)
    if len(code) != 18:
        raise UsccError("USCC_LENGTH", "must be 18 characters")
    if not SHAPE.match(code):
        raise UsccError("USCC_CHARACTERS", "contains characters a credit code cannot have (I, O, S, V, Z or symbols)")
    if uscc_check_char(code[:17]) != code[17]:
        raise UsccError("USCC_CHECKSUM", "the check character (18th) does not match")
    org = code[8:17]
    if any(c not in ORG_ALPHABET for c in org) or org_code_check_char(org[:8]) != org[8]:
        raise UsccError("USCC_ORG_CODE", "the embedded organisation code (characters 9-17) fails its check")
    return code


def is_valid_uscc(raw: str) -> bool:
    try:
        validate_uscc(raw)
    except UsccError:
        return False
    return True


def make_uscc(region: str, body8: str, registry: str = "9", category: str = "1") -> str:
    """Build a valid code from a 6-digit region code and an 8-character organisation body.

    ``body8`` uses digits and the USCC alphabet's letters; both check characters are computed.
    """
    org = body8 + org_code_check_char(body8)
    first17 = registry + category + region + org
    if not SHAPE.match(first17 + "0"):
        raise ValueError("body8 contains characters outside the USCC alphabet")
    return first17 + uscc_check_char(first17)
