"""Password rules (AUTH-02, AUTH-03): length, character classes, context words, history.

Django ships the common-password list; the rest is ours. Each validator raises a
``ValidationError`` with a translated message naming the rule.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CONTEXT_WORDS = ("zhaoyin", "huainan", "admin", "password")


class LengthValidator:
    """At least ``min_length`` characters; no upper limit below 128 (pasting long ones works)."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "The password must have at least %(n)d character.",
                    "The password must have at least %(n)d characters.",
                    self.min_length,
                )
                % {"n": self.min_length},
                code="password_too_short",
            )
        if len(password) > 128:
            raise ValidationError(_("The password must have at most 128 characters."), code="password_too_long")

    def get_help_text(self) -> str:
        return _("At least %(n)d characters.") % {"n": self.min_length}


def character_classes(password: str) -> int:
    """How many of the four classes (lower, upper, digit, other) the password uses."""
    return sum(
        bool(re.search(p, password))
        for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
    )


class CharacterClassValidator:
    """At least ``min_classes`` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(n)d of: lower case, upper case, digits, symbols.")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("Mix at least %(n)d of: lower case, upper case, digits, symbols.") % {"n": self.min_classes}


class ContextWordValidator:
    """Not containing the username, the phone number, or the platform's and city's names."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        words = list(CONTEXT_WORDS)
        if user is not None:
            for attr in ("username", "phone"):
                value = str(getattr(user, attr, "") or "").lower()
                if len(value) >= 3:
                    words.append(value)
        for word in words:
            if word and word in lowered:
                raise ValidationError(
                    _("The password must not contain your username, phone number or the platform's name."),
                    code="password_contains_context",
                )

    def get_help_text(self) -> str:
        return _("Not your username, phone number or the platform's name.")


#: The keyboard's rows (the US layout Chinese keyboards share), for walks such as 1qaz2wsx.
KEY_ROWS = ("1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./")
#: What a shifted key types → the key, so ``1qaz@WSX`` reads as the walk ``1qaz2wsx``.
UNSHIFT = str.maketrans(dict(zip('!@#$%^&*()_+{}:"<>?', "1234567890-=[];',./", strict=True)))
#: Look-alikes → letters, so ``P@ssw0rd`` reads as ``password``. ``1`` is tried as i and as l.
LEET = {"@": "a", "4": "a", "0": "o", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t", "+": "t",
        "|": "l", "8": "b", "9": "g", "2": "z", "6": "g"}
#: Fewer characters than this outside walks, sequences and repeats make a password predictable.
MIN_UNPREDICTABLE = 4


def _key_positions() -> dict[str, tuple[int, float]]:
    # Each row starts half a key further right than the one above.
    return {ch: (row, col + row * 0.5) for row, keys in enumerate(KEY_ROWS) for col, ch in enumerate(keys)}


KEY_POSITIONS = _key_positions()


def _linked(a: str, b: str) -> bool:
    """Neighbours on the keyboard, neighbours in the alphabet or digits, or the same character."""
    if a == b or (a.isalnum() and b.isalnum() and abs(ord(a) - ord(b)) == 1):
        return True
    pa, pb = KEY_POSITIONS.get(a), KEY_POSITIONS.get(b)
    return pa is not None and pb is not None and abs(pa[0] - pb[0]) <= 1 and abs(pa[1] - pb[1]) <= 1


def unpredictable_characters(password: str) -> int:
    """How many characters lie outside runs of 3+ linked characters (walks, sequences, repeats),
    reading the password straight and as two interleaved halves (``q1w2e3r4`` = qwer + 1234)."""
    text = password.lower().translate(UNSHIFT)
    return min(_outside_runs(text), _outside_runs(text[0::2]) + _outside_runs(text[1::2]))


def _outside_runs(text: str) -> int:
    covered = [False] * len(text)
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not _linked(text[i - 1], text[i]):
            if i - start >= 3:
                covered[start:i] = [True] * (i - start)
            start = i
    return covered.count(False)


def disguised_words(password: str) -> set[str]:
    """The readings of a password with its padding dropped and look-alikes turned into letters.

    ``P@ssw0rd1234`` gives ``password`` among others; each reading is also taken with its
    remaining non-letters removed (``p@ss-w0rd`` → ``password``).
    """
    lowered = password.lower()
    pad = r"[^a-z]+"
    bodies = {
        lowered,
        re.sub(f"^{pad}|{pad}$", "", lowered),  # 2026!Password1234 → password
        re.sub(f"{pad}$", "", lowered),  # @dmin2026 → @dmin
        re.sub(f"^{pad}", "", lowered),
    }
    tables = [str.maketrans("".join(LEET) + "1", "".join(LEET.values()) + one) for one in ("i", "l")]
    readings: set[str] = set()
    for body in bodies:
        for table in tables:
            word = body.translate(table)
            readings.update({word, re.sub("[^a-z]", "", word)})
    return {r for r in readings if len(r) >= 4}


@functools.cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


class PredictablePasswordValidator:
    """Not a keyboard walk or sequence (``1qaz@WSX3edc``, ``Qwerty123456!``), and not a common
    password or context word in disguise (``P@ssw0rd1234``): the blocklist of Django's 20 000
    common passwords and our context words, read through padding and leetspeak (issue 12)."""

    def validate(self, password: str, user: Any = None) -> None:
        predictable = unpredictable_characters(password) < MIN_UNPREDICTABLE
        if not predictable:
            common = _common_passwords()
            readings = disguised_words(password)
            predictable = any(r in common or any(w in r for w in CONTEXT_WORDS) for r in readings)
        if predictable:
            raise ValidationError(
                _("The password must not be a keyboard pattern, a sequence or a common password in disguise."),
                code="password_predictable",
            )

    def get_help_text(self) -> str:
        return _("Not a keyboard pattern, a sequence, or a common password with letters swapped for digits or symbols.")


class HistoryValidator:
    """Not one of the account's last ``depth`` passwords, the current one included (AUTH-03).

    With depth 5 the current password and the four before it are refused; the one used six
    changes ago is allowed again. Only hashes are kept (``PasswordHistory``).
    """

    def __init__(self, depth: int = 5) -> None:
        self.depth = depth

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        hashes = [user.password] if user.password else []
        previous = user.password_history.values_list("password", flat=True)
        hashes += list(previous[: max(self.depth - 1, 0)])
        for encoded in hashes:
            if encoded and check_password(password, encoded):
                raise ValidationError(
                    _("The password must differ from your last %(n)d passwords.") % {"n": self.depth},
                    code="password_reused",
                )

    def get_help_text(self) -> str:
        return _("Different from your last %(n)d passwords.") % {"n": self.depth}
