"""Password rules (AUTH-02, AUTH-03): length, character classes, context words, history.

Django ships the common-password list; the rest is ours. Each validator raises a
``ValidationError`` with a translated message naming the rule.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.hashers import check_password
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
