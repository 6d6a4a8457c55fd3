"""Account use cases: create users, grant roles, sign in under the lockout rules, change
passwords, end sessions, issue API tokens. The only writers of accounts data; each one is
audited in the same transaction as its change (AUD-01)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts import totp
from zhaoyin.accounts.models import (
    ApiToken,
    LoginFailure,
    OrgUnit,
    OrgUnitKind,
    PasswordHistory,
    RoleAssignment,
    ServiceGroupMembership,
    ThrottledSignIns,
    User,
)
from zhaoyin.audit.models import Outcome
from zhaoyin.audit.services import audit_write, snapshot
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import ADMIN_ROLES, SECOND_FACTOR_ROLES, Role

PHONE_RE = re.compile(r"^[0-9+\- ]{0,20}$")


def security(name: str) -> int:
    """One of the ``ZHAOYIN_SECURITY`` parameters (settings.py)."""
    value: int = settings.ZHAOYIN_SECURITY[name]
    return value


class SignInRefused(Exception):
    """Sign-in refused. The message is the same whatever the reason (no enumeration)."""

    def __init__(self, reason: str, *, needs_otp: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason  # internal: recorded in the audit log, never shown
        self.needs_otp = needs_otp


def generate_password(length: int = 20) -> str:
    """A random password meeting every rule: all four classes, no context words.

    Used by ``zhaoyin users add`` without --password-stdin and by the security admin's
    reset. The alphabet leaves out look-alikes (0/O, 1/l/I) because people copy it by hand.
    """
    lower, upper, digits, symbols = "abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "-_.!@#%+="
    alphabet = lower + upper + digits + symbols
    while True:
        chars = [secrets.choice(c) for c in (lower, upper, digits, symbols)]
        chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        if all(any(ch in cls for ch in candidate) for cls in (lower, upper, digits, symbols)):
            return candidate


def generate_password_for(user: User) -> str:
    """A generated password that also passes the account-specific rules (context, history)."""
    while True:
        candidate = generate_password()
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate


def _check_role_combination(roles: set[Role]) -> None:
    admin = roles & ADMIN_ROLES
    if len(admin) > 1 or (admin and len(roles) > 1):
        raise InvalidInput.field(
            "roles",
            _(
                "The system, security and audit administrator roles are exclusive: "
                "an account holding one holds no other role."
            ),
        )


def _parse_roles(roles: Iterable[str]) -> set[Role]:
    out: set[Role] = set()
    for r in roles:
        try:
            out.add(Role(str(r).strip()))
        except ValueError:
            raise InvalidInput.field("roles", _("Unknown role: %(role)s") % {"role": r}) from None
    if not out:
        raise InvalidInput.field("roles", _("At least one role is required."))
    return out


def _validate_password(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            "; ".join(exc.messages), [{"field": field, "message": m} for m in exc.messages]
        ) from None


@transaction.atomic
def org_unit_create(
    *, acting_user: User | None, code: str, name: str, kind: str, parent: OrgUnit | None, location: str = ""
) -> OrgUnit:
    """Create one org unit under ``parent`` (audited as "org_unit.create").

    The tree path is set by ``OrgUnit.save``; the unit is re-read so the returned instance
    carries it. Used by the demo loader (``acting_user=None``, the command line).
    """
    unit = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent, location=location)
    unit.refresh_from_db()
    audit_write(action="org_unit.create", user=acting_user, obj=unit, after=snapshot(unit))
    return unit


def user_create(
    *,
    acting_user: User | None,
    username: str,
    password: str,
    roles: Iterable[str],
    org_unit: OrgUnit | None,
    full_name: str = "",
    phone: str = "",
    enterprise_id: int | None = None,
    must_change_password: bool = False,
    password_hash: str = "",
) -> tuple[User, str | None]:
    """Create an account. Returns it and, for roles with a second factor, its otpauth URI.

    ``acting_user`` is None for the command line and the demo loader (the audit record then
    carries the channel, e.g. ``cli``). Nothing is written when any input is refused.
    The password's rules and its hash (PBKDF2, slow by design) are worked out before the
    write transaction opens. ``password_hash``, an already computed hash of ``password``, is
    for the demo loader only: its forty-odd accounts share one published password, and hashing
    it once instead of for each account saves 15 s of every ``make run``.
    """
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise InvalidInput.field("username", _("A username of 1 to 150 characters is required."))
    try:
        User.username_validator(username)
    except ValidationError:
        raise InvalidInput.field(
            "username", _("A username may contain only letters, digits and @ . + - _ characters.")
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput.field("username", _("This username is taken."))
    if org_unit is None or not org_unit.is_active:
        raise InvalidInput.field("org_unit", _("An active org unit is required."))
    phone = (phone or "").strip()
    if not PHONE_RE.match(phone):
        raise InvalidInput.field("phone", _("Enter a phone number of digits only."))
    role_set = _parse_roles(roles)
    _check_role_combination(role_set)
    admin = role_set & ADMIN_ROLES
    user = User(
        username=username,
        org_unit=org_unit,
        full_name=(full_name or "").strip()[:60],
        phone=phone,
        enterprise_id=enterprise_id,
        admin_role=next(iter(admin)).value if admin else "",
        must_change_password=must_change_password,
    )
    _validate_password(password, user, "password")
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    with transaction.atomic():
        # Again under the write lock: the name may have been taken since the check above.
        if User.objects.filter(username__iexact=username).exists():
            raise InvalidInput.field("username", _("This username is taken."))
        user.password_changed_at = timezone.now()
        user.save()
        for role in sorted(role_set - ADMIN_ROLES):
            RoleAssignment.objects.create(user=user, role=role.value, granted_by=acting_user)
        if Role.SERVICE_MEMBER in role_set and org_unit.kind == OrgUnitKind.SERVICE_GROUP:
            # A service member registered in a group belongs to it; other groups are added on
            # the service groups' pages.
            ServiceGroupMembership.objects.create(group=org_unit, user=user)
        uri = None
        if role_set & SECOND_FACTOR_ROLES:
            secret = totp.set_new_secret(user)
            user.save(update_fields=["totp_secret_enc", "totp_last_step"])
            uri = totp.provisioning_uri(user, secret)
        user._role_codes = frozenset(r.value for r in role_set)
        after = snapshot(user) | {"roles": sorted(r.value for r in role_set)}
        audit_write(action="user.create", user=acting_user, obj=user, after=after)
    return user, uri


def _refuse_self(acting_user: User | None, user: User, action: str, message: str) -> None:
    """Refuse an administrator acting on their own account, and record the attempt.

    The denial is written outside any business transaction so that it survives (AUD-01).
    """
    if acting_user is not None and acting_user.pk == user.pk:
        audit_write(action=action, user=acting_user, outcome=Outcome.DENIED, obj=user, detail="self")
        raise PermissionDenied(message)


def user_set_roles(*, acting_user: User, user: User, roles: Iterable[str]) -> User:
    """Replace an account's roles (AC-05/AC-06).

    Nobody changes their own roles: the attempt raises ``PermissionDenied`` and is audited
    as denied. Role combinations breaking 三员分立 raise ``InvalidInput``. The change takes
    effect at the account's next request because roles are read fresh for every request.
    A role that needs a second factor does not issue one here: ``user_totp_reset`` does,
    so that the security admin sees the secret exactly once; until then sign-in fails closed.
    """
    _refuse_self(acting_user, user, "user.roles", _("You cannot change your own roles."))
    return _user_set_roles(acting_user=acting_user, user=user, roles=roles)


@transaction.atomic
def _user_set_roles(*, acting_user: User, user: User, roles: Iterable[str]) -> User:
    role_set = _parse_roles(roles)
    _check_role_combination(role_set)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = sorted(user.role_codes)
    admin = role_set & ADMIN_ROLES
    user.admin_role = next(iter(admin)).value if admin else ""
    user.version += 1
    user.save(update_fields=["admin_role", "version"])
    wanted = {r.value for r in role_set - ADMIN_ROLES}
    RoleAssignment.objects.filter(user=user).exclude(role__in=wanted).delete()
    for role in sorted(wanted):
        RoleAssignment.objects.get_or_create(user=user, role=role, defaults={"granted_by": acting_user})
    # A membership means nothing without the role (the scope, the group pages and the
    # participant lists read it), so losing the role ends the memberships, recorded below.
    left_groups: list[str] = []
    if Role.SERVICE_MEMBER.value not in wanted:
        memberships = ServiceGroupMembership.objects.filter(user=user)
        left_groups = sorted(memberships.values_list("group__code", flat=True))
        memberships.delete()
    user._role_codes = frozenset(r.value for r in role_set)
    after: dict[str, object] = {"roles": sorted(user.role_codes)}
    if left_groups:
        after["left_service_groups"] = left_groups
    audit_write(action="user.roles", user=acting_user, obj=user, before={"roles": before}, after=after)
    return user


def _record_password(user: User, old_hash: str) -> None:
    if old_hash:
        PasswordHistory.objects.create(user=user, password=old_hash)
        keep = list(user.password_history.values_list("id", flat=True)[: security("PASSWORD_HISTORY")])
        user.password_history.exclude(id__in=keep).delete()


def _revoke_tokens(user: User, now: dt.datetime) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)


def password_change(*, acting_user: User, user: User, new_password: str, force_change: bool = False) -> User:
    """Set a new password: the account's own change, or a reset by the security admin.

    A reset (``acting_user`` is someone else) is refused for one's own account and forces a
    change at the next sign-in. Either way the rules of AUTH-02/03 apply, the old hash goes
    to the history, the account's API tokens are revoked and, because Django binds each
    session to the password hash, every other session ends (SESS-05). A refused password
    leaves the stored hash untouched.
    """
    return _password_change(acting_user=acting_user, user=user, new_password=new_password,
                            force_change=force_change)


def _password_change(*, acting_user: User, user: User, new_password: str, force_change: bool) -> User:
    # The rules and the new hash are worked out before the write transaction opens: the
    # history rule alone hashes the candidate once per kept password (PBKDF2, about half a
    # second each), which inside a transaction would hold SQLite's one write lock.
    _validate_password(new_password, user, "new_password")
    old_hash = user.password
    user.set_password(new_password)
    with transaction.atomic():
        now = timezone.now()
        _record_password(user, old_hash)
        user.password_changed_at = now
        user.must_change_password = force_change
        user.version += 1
        user.save(update_fields=["password", "password_changed_at", "must_change_password", "version"])
        revoked = _revoke_tokens(user, now)
        action = "user.password_reset" if acting_user.pk != user.pk else "user.password_change"
        audit_write(action=action, user=acting_user, obj=user,
                    detail=f"api tokens revoked: {revoked}" if revoked else "")
    return user


def user_password_reset(*, acting_user: User, user: User) -> tuple[User, str]:
    """The security admin's reset: a generated password, changed by its owner at next sign-in.

    Returns the account and the new password, shown once to the security admin.
    """
    _refuse_self(acting_user, user, "user.password_reset", _("Use the password change page for your own account."))
    new_password = generate_password_for(user)
    user = _password_change(acting_user=acting_user, user=user, new_password=new_password, force_change=True)
    return user, new_password


@transaction.atomic
def user_unlock(*, acting_user: User | None, user: User) -> User:
    """Lift a lockout (AUTH-04) before its time runs out; audited."""
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit_write(action="user.unlock", user=acting_user, obj=user, before=before,
                after={"failed_logins": 0, "locked_until": None})
    return user


unlock = user_unlock


def user_set_active(*, acting_user: User, user: User, active: bool) -> User:
    """Deactivate or reactivate an account. Deactivation ends its sessions at once (SESS-04):
    the session backend restores only active accounts, and API tokens of inactive accounts
    are refused. Nothing is deleted, so the person's records and audit trail remain."""
    _refuse_self(acting_user, user, "user.deactivate" if not active else "user.activate",
                 _("You cannot disable your own account."))
    return _user_set_active(acting_user=acting_user, user=user, active=active)


@transaction.atomic
def _user_set_active(*, acting_user: User, user: User, active: bool) -> User:
    before = {"is_active": user.is_active}
    user.is_active = active
    user.version += 1
    user.save(update_fields=["is_active", "version"])
    if not active:
        _revoke_tokens(user, timezone.now())
    audit_write(action="user.activate" if active else "user.deactivate", user=acting_user, obj=user,
                before=before, after={"is_active": active})
    return user


@transaction.atomic
def user_sessions_end(*, acting_user: User | None, user: User) -> User:
    """End every web session and API token of an account (SESS-05: admins can terminate them)."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(session_epoch=user.session_epoch + 1)
    user.session_epoch += 1
    revoked = _revoke_tokens(user, now)
    audit_write(action="user.sessions_end", user=acting_user, obj=user, detail=f"api tokens revoked: {revoked}")
    return user


def user_totp_reset(*, acting_user: User | None, user: User) -> tuple[User, str]:
    """Issue a new TOTP secret (a lost phone, or a role that newly needs one) and return the
    otpauth URI, shown once. The old secret stops working at once; audited (AUTH-05)."""
    _refuse_self(acting_user, user, "user.totp_reset", _("You cannot reset your own second factor."))
    return _user_totp_reset(acting_user=acting_user, user=user)


@transaction.atomic
def _user_totp_reset(*, acting_user: User | None, user: User) -> tuple[User, str]:
    if not user.needs_second_factor:
        raise InvalidInput.field("roles", _("This account's roles do not use a second factor."))
    secret = totp.set_new_secret(user)
    user.save(update_fields=["totp_secret_enc", "totp_last_step"])
    audit_write(action="user.totp_reset", user=acting_user, obj=user)
    return user, totp.provisioning_uri(user, secret)


def password_expired(user: User, now: dt.datetime | None = None) -> bool:
    """True when the account must change its password before doing anything else (AUTH-03)."""
    now = now or timezone.now()
    if user.must_change_password:
        return True
    if user.password_changed_at is None:
        return False
    return now - user.password_changed_at > dt.timedelta(days=security("PASSWORD_MAX_AGE_DAYS"))


def _lock_address(ip: str) -> None:
    """Serialise the throttle's count-and-reserve for one client address until the commit.

    SQLite needs nothing: its IMMEDIATE transactions already hold the one write lock. On
    PostgreSQL a transaction-scoped advisory lock keyed by the address does it, so attempts
    from other addresses do not wait.
    """
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(b"zhaoyin.sign-in-ip:" + ip.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _reserve_ip_attempt(ip: str, now: dt.datetime) -> int | None:
    """Take one of the address's remaining attempts before the credentials are checked.

    The attempt is counted as a failure at once (a ``LoginFailure`` row, removed again if the
    sign-in succeeds), in a short transaction that counts and inserts under ``_lock_address``:
    parallel attempts with k left in the window evaluate exactly k (issue 12 D6; counting
    before the transaction let 12 of 30 through with 5 left). Returns the row's id, or None
    when the window is full.
    """
    window = now - dt.timedelta(minutes=security("IP_THROTTLE_WINDOW_MINUTES"))
    horizon = now - dt.timedelta(minutes=2 * security("IP_THROTTLE_WINDOW_MINUTES"))
    with transaction.atomic():
        _lock_address(ip)
        if LoginFailure.objects.filter(ip=ip, at__gte=window).count() >= security("IP_THROTTLE_FAILURES"):
            return None
        reservation = LoginFailure.objects.create(ip=ip, at=now)
        # Forget failures no window needs any more.
        LoginFailure.objects.filter(at__lt=horizon).delete()
    return reservation.pk


def _refuse_throttled(ip: str, username: str, now: dt.datetime) -> None:
    """Count a refusal of the throttle; only the first of each window per address is audited.

    Windows are fixed slices of IP_THROTTLE_WINDOW_MINUTES. The first refusal in a slice
    writes the ``auth.login`` / ``denied`` / ``ip_throttled`` row; the others only raise the
    slice's ``ThrottledSignIns.refused``, so a flood cannot grow the audit log without bound.
    """
    minutes = security("IP_THROTTLE_WINDOW_MINUTES")
    slice_seconds = 60 * minutes
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // slice_seconds * slice_seconds, tz=dt.UTC)
    with transaction.atomic():
        counted = ThrottledSignIns.objects.filter(ip=ip, window_start=start).update(
            refused=F("refused") + 1, last_at=now
        )
        if counted:
            return
        try:
            with transaction.atomic():
                ThrottledSignIns.objects.create(ip=ip, window_start=start, refused=1, last_at=now)
        except IntegrityError:  # another refusal opened the slice at the same moment
            ThrottledSignIns.objects.filter(ip=ip, window_start=start).update(refused=F("refused") + 1, last_at=now)
            return
        # The counts are kept as long as the audit log keeps its rows.
        retention = dt.timedelta(days=security("AUDIT_RETENTION_DAYS"))
        ThrottledSignIns.objects.filter(window_start__lt=start - retention).delete()
        audit_write(action="auth.login", outcome=Outcome.DENIED, object_type="accounts.user",
                    object_repr=username, detail="ip_throttled")


def _count_failure(user: User, now: dt.datetime, detail: str) -> None:
    """One more consecutive failure; the fifth locks the account for LOCKOUT_MINUTES."""
    user.failed_logins += 1
    locked = user.failed_logins >= security("LOCKOUT_THRESHOLD")
    if locked:
        user.locked_until = now + dt.timedelta(minutes=security("LOCKOUT_MINUTES"))
        user.failed_logins = 0
    user.save(update_fields=["failed_logins", "locked_until"])
    audit_write(action="auth.login", outcome=Outcome.FAILURE, obj=user, object_repr=user.username, detail=detail)
    if locked:
        audit_write(action="auth.lockout", outcome=Outcome.SUCCESS, obj=user, object_repr=user.username,
                    detail=str(security("LOCKOUT_MINUTES")))


def sign_in(*, username: str, password: str, otp: str | None, ip: str | None) -> User:
    """Check credentials under the throttle, lockout and second-factor rules (AUTH-04/05).

    Every outcome is audited. Failures raise ``SignInRefused`` whose ``reason`` is internal;
    callers show one generic message whatever it is. A privileged account's successful
    sign-in moves its session epoch on, ending its other web sessions (SESS-06).
    """
    now = timezone.now()
    username = (username or "").strip()[:150]
    # No address (CLI, tests): not throttled; the per-account lockout still applies.
    reservation = _reserve_ip_attempt(ip, now) if ip is not None else None
    if ip is not None and reservation is None:
        _refuse_throttled(ip, username, now)
        raise SignInRefused("ip_throttled")
    # The password is checked before the write transaction opens: PBKDF2 takes about half a
    # second by design, and on SQLite a transaction holds the one write lock, so every
    # sign-in would stall every writer (docs/architecture.md, "Transactions"). Every path
    # hashes once, so the timing does not reveal whether the account exists or is locked.
    found = User.objects.filter(username__iexact=username).first()
    if found is None or not found.is_active:
        User().set_password(password or "x")
        checked_hash, password_ok = None, False
    else:
        password_ok = found.check_password(password or "")
        checked_hash = found.password  # after check_password's upgrade of an old hash, if any
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username__iexact=username).first()
        if user is not None and user.is_active and user.password != checked_hash:
            # The account or its password changed meanwhile (rare): check what is stored now.
            password_ok = user.check_password(password or "")
        if user is None or not user.is_active:
            audit_write(action="auth.login", outcome=Outcome.FAILURE, object_type="accounts.user",
                        object_repr=username, detail="unknown_or_inactive")
            failure = "unknown_user"
        elif user.is_locked(now):
            # A correct password does not lift the lock.
            audit_write(action="auth.login", outcome=Outcome.DENIED, obj=user, object_repr=user.username,
                        detail="locked")
            failure = "locked"
        elif not password_ok:
            _count_failure(user, now, "bad_password")
            failure = "bad_password"
        elif user.needs_second_factor and not totp.verify_and_consume(user, otp or ""):
            if otp and totp.is_replay(user, otp):
                # The right password with a code already used in its window: the account's own
                # holder signing in again too soon. Refused like any failure (same message), but
                # not counted towards the lockout: it guesses nothing (docs/security.md).
                audit_write(action="auth.login", outcome=Outcome.FAILURE, obj=user, object_repr=user.username,
                            detail="otp_reused")
            else:
                _count_failure(user, now, "otp_missing" if not otp else "otp_invalid")
            failure = "otp"
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login = now
            fields = ["failed_logins", "locked_until", "last_login", "totp_last_step"]
            if user.is_privileged:
                user.session_epoch += 1
                fields.append("session_epoch")
            user.save(update_fields=fields)
            # A success is no failure: give the address its attempt back.
            if reservation is not None:
                LoginFailure.objects.filter(pk=reservation).delete()
            audit_write(action="auth.login", user=user, obj=user)
            return user
    raise SignInRefused(failure, needs_otp=failure == "otp")


def token_digest(raw: str) -> str:
    """The stored form of a bearer token: its SHA-256 (the token itself has 256 random bits)."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User) -> str:
    """A new bearer token; only its digest is stored. Expires after API_TOKEN_HOURS.

    A privileged account keeps one live token: issuing a new one revokes the others (SESS-06).
    """
    now = timezone.now()
    if user.is_privileged:
        _revoke_tokens(user, now)
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, digest=token_digest(raw), created_at=now,
        expires_at=now + dt.timedelta(hours=security("API_TOKEN_HOURS")),
    )
    audit_write(action="auth.token_issue", user=user, obj=user, detail=f"token {token.pk}")
    return raw


@transaction.atomic
def api_token_revoke(*, acting_user: User, token: ApiToken) -> ApiToken:
    """Revoke one bearer token; audited."""
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_write(action="auth.token_revoke", user=acting_user, obj=token.user, detail=f"token {token.pk}")
    return token


def api_token_user(raw: str) -> User | None:
    """The active account behind a bearer token, or None (expired, revoked, inactive)."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__org_unit")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user


def logout_record(*, user: User) -> None:
    """Audit a sign-out (the session itself is flushed by the view)."""
    audit_write(action="auth.logout", user=user, obj=user)


def session_expired_record(*, user: User, reason: str) -> None:
    """Audit a session ended by the idle, absolute or single-session rule (SESS-01/02/06)."""
    audit_write(action="auth.session_end", user=user, obj=user, detail=reason)


__all__ = [
    "SignInRefused",
    "api_token_issue",
    "api_token_revoke",
    "api_token_user",
    "generate_password",
    "generate_password_for",
    "logout_record",
    "password_change",
    "password_expired",
    "security",
    "session_expired_record",
    "sign_in",
    "token_digest",
    "unlock",
    "user_create",
    "user_password_reset",
    "user_sessions_end",
    "user_set_active",
    "user_set_roles",
    "user_totp_reset",
    "user_unlock",
]
