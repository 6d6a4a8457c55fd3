"""TOTP second factor (RFC 6238: SHA-1, 30 s, 6 digits) with single use of each code (AUTH-05).

The secret is stored SM4-GCM encrypted under a key derived from ZHAOYIN_FIELD_KEY.
"""

from __future__ import annotations

import time

import pyotp
from cryptography.exceptions import InvalidTag
from django.conf import settings

from zhaoyin.accounts.models import User
from zhaoyin.lib.crypto import derive_key, sm4_gcm_decrypt, sm4_gcm_encrypt

ISSUER = "Zhaoyin"
STEP_SECONDS = 30


def _key() -> bytes:
    return derive_key(settings.FIELD_KEY, "zhaoyin-totp-secret")


def set_new_secret(user: User) -> str:
    """Give the account a fresh secret (not saved here) and return it in base32."""
    secret = pyotp.random_base32()
    user.totp_secret_enc = sm4_gcm_encrypt(_key(), secret.encode(), associated=str(user.pk or 0).encode())
    user.totp_last_step = 0
    return secret


def secret_of(user: User) -> str | None:
    if not user.totp_secret_enc:
        return None
    blob = bytes(user.totp_secret_enc)
    # The secret is bound to the account id when it has one; a brand-new account binds to 0.
    for associated in (str(user.pk).encode(), b"0"):
        try:
            return sm4_gcm_decrypt(_key(), blob, associated=associated).decode()
        except InvalidTag:  # a wrong binding fails authentication: try the next one
            continue
    return None


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def current_code(secret: str, at: float | None = None) -> str:
    return pyotp.TOTP(secret).at(at if at is not None else time.time())


def _window(user: User, code: str, at: float | None) -> tuple[pyotp.TOTP, list[int]] | None:
    """The account's TOTP and the steps ``code`` may belong to now (±1 step), or None when the
    account has no secret or ``code`` is not six digits (refused without a comparison)."""
    secret = secret_of(user)
    code = (code or "").strip()
    if not secret or not code.isdigit() or len(code) != 6:
        return None
    step_now = int((at if at is not None else time.time()) // STEP_SECONDS)
    return pyotp.TOTP(secret), [step_now - 1, step_now, step_now + 1]


def verify_and_consume(user: User, code: str, at: float | None = None) -> bool:
    """True when ``code`` is valid now (±1 step) and newer than the last code used.

    The caller saves ``user.totp_last_step``; a replayed code within its window is refused.
    """
    window = _window(user, code, at)
    if window is None:
        return False
    totp, steps = window
    for step in steps:
        if step > user.totp_last_step and pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code.strip()):
            user.totp_last_step = step
            return True
    return False


def is_replay(user: User, code: str, at: float | None = None) -> bool:
    """True when ``code`` is one this account has already used and is still inside its window.

    Only asked after ``verify_and_consume`` refused the code and the password was right: such a
    refusal is a person signing in twice within one 30-second step (a second tab, a second
    device), not a guess, so the caller does not count it towards the lockout (docs/security.md).
    """
    window = _window(user, code, at)
    if window is None:
        return False
    totp, steps = window
    return any(
        step <= user.totp_last_step and pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code.strip())
        for step in steps
    )
