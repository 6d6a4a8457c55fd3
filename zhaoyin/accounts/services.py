"""Account use cases: create users, grant roles, sign in under the lockout rules, change
passwords, issue API tokens. The only writers of accounts data; each one is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoyin.accounts import totp
from zhaoyin.accounts.models import ApiToken, LoginFailure, OrgUnit, PasswordHistory, RoleAssignment, User
from zhaoyin.audit.models import Outcome
from zhaoyin.audit.services import audit_write, snapshot
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.roles import ADMIN_ROLES, SECOND_FACTOR_ROLES, Role


def security(name: str) -> int:
    value: int = settings.ZHAOYIN_SECURITY[name]
    return value


class SignInRefused(Exception):
    """Sign-in refused. The message is the same whatever the reason (no enumeration)."""

    def __init__(self, reason: str, *, needs_otp: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason  # internal: recorded in the audit log, never shown
        self.needs_otp = needs_otp


def _check_role_combination(roles: set[Role]) -> None:
    admin = roles & ADMIN_ROLES
    if len(admin) > 1 or (admin and len(roles) > 1):
        raise InvalidInput.field(
            "roles",
            _("The system, security and audit administrator roles are exclusive: an account holding one holds no other role."),
        )


def _parse_roles(roles: Iterable[str]) -> set[Role]:
    out: set[Role] = set()
    for r in roles:
        try:
            out.add(Role(r))
        except ValueError:
            raise InvalidInput.field("roles", _("Unknown role: %(role)s") % {"role": r}) from None
    if not out:
        raise InvalidInput.field("roles", _("At least one role is required."))
    return out


@transaction.atomic
def user_create(
    *,
    acting_user: User | None,
    username: str,
    password: str,
    roles: Iterable[str],
    org_unit: OrgUnit,
    full_name: str = "",
    phone: str = "",
    enterprise_id: int | None = None,
    must_change_password: bool = False,
) -> tuple[User, str | None]:
    """Create an account. Returns it and, for roles with a second factor, its otpauth URI."""
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise InvalidInput.field("username", _("A username of 1 to 150 characters is required."))
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput.field("username", _("This username is taken."))
    role_set = _parse_roles(roles)
    _check_role_combination(role_set)
    admin = role_set & ADMIN_ROLES
    user = User(
        username=username,
        org_unit=org_unit,
        full_name=full_name,
        phone=phone,
        enterprise_id=enterprise_id,
        admin_role=next(iter(admin)).value if admin else "",
        must_change_password=must_change_password,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput("; ".join(exc.messages), [{"field": "password", "message": m} for m in exc.messages]) from None
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    for role in sorted(role_set - ADMIN_ROLES):
        RoleAssignment.objects.create(user=user, role=role.value, granted_by=acting_user)
    uri = None
    if role_set & SECOND_FACTOR_ROLES:
        secret = totp.set_new_secret(user)
        user.save(update_fields=["totp_secret_enc", "totp_last_step"])
        uri = totp.provisioning_uri(user, secret)
    user._role_codes = frozenset(r.value for r in role_set)
    after = snapshot(user) | {"roles": sorted(r.value for r in role_set)}
    audit_write(action="user.create", user=acting_user, obj=user, after=after)
    return user, uri


@transaction.atomic
def user_set_roles(*, acting_user: User, user: User, roles: Iterable[str]) -> User:
    """Replace an account's roles. The security admin cannot change their own (no self-grant)."""
    if acting_user.pk == user.pk:
        raise InvalidInput.field("roles", _("You cannot change your own roles."))
    role_set = _parse_roles(roles)
    _check_role_combination(role_set)
    before = sorted(user.role_codes)
    admin = role_set & ADMIN_ROLES
    user.admin_role = next(iter(admin)).value if admin else ""
    user.version += 1
    user.save(update_fields=["admin_role", "version"])
    RoleAssignment.objects.filter(user=user).exclude(role__in=[r.value for r in role_set]).delete()
    for role in role_set - ADMIN_ROLES:
        RoleAssignment.objects.get_or_create(user=user, role=role.value, defaults={"granted_by": acting_user})
    if admin and not user.totp_secret_enc:
        totp.set_new_secret(user)
        user.save(update_fields=["totp_secret_enc", "totp_last_step"])
    user._role_codes = frozenset(r.value for r in role_set)
    audit_write(action="user.roles", user=acting_user, obj=user, before={"roles": before},
                after={"roles": sorted(user.role_codes)})
    return user


def _record_password(user: User) -> None:
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = list(user.password_history.values_list("id", flat=True)[: security("PASSWORD_HISTORY")])
        user.password_history.exclude(id__in=keep).delete()


@transaction.atomic
def password_change(*, acting_user: User, user: User, new_password: str, force_change: bool = False) -> User:
    """Set a new password (own change, or a reset by the security admin with ``force_change``)."""
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput("; ".join(exc.messages), [{"field": "new_password", "message": m} for m in exc.messages]) from None
    _record_password(user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = force_change
    user.version += 1
    user.save(update_fields=["password", "password_changed_at", "must_change_password", "version"])
    action = "user.password_reset" if acting_user.pk != user.pk else "user.password_change"
    audit_write(action=action, user=acting_user, obj=user)
    return user


@transaction.atomic
def user_unlock(*, acting_user: User, user: User) -> User:
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit_write(action="user.unlock", user=acting_user, obj=user)
    return user


@transaction.atomic
def user_set_active(*, acting_user: User, user: User, active: bool) -> User:
    if acting_user.pk == user.pk:
        raise InvalidInput.field("is_active", _("You cannot disable your own account."))
    before = {"is_active": user.is_active}
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_write(action="user.activate" if active else "user.deactivate", user=acting_user, obj=user,
                before=before, after={"is_active": active})
    return user


def password_expired(user: User, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if user.must_change_password:
        return True
    if user.password_changed_at is None:
        return False
    return now - user.password_changed_at > dt.timedelta(days=security("PASSWORD_MAX_AGE_DAYS"))


def _ip_throttled(ip: str | None, now: dt.datetime) -> bool:
    window = now - dt.timedelta(minutes=security("IP_THROTTLE_WINDOW_MINUTES"))
    return LoginFailure.objects.filter(ip=ip, at__gte=window).count() >= security("IP_THROTTLE_FAILURES")


def sign_in(*, username: str, password: str, otp: str | None, ip: str | None) -> User:
    """Check credentials under the lockout, throttle and second-factor rules (AUTH-04/05).

    Every outcome is audited. Failures raise ``SignInRefused`` whose ``reason`` is internal;
    callers show one generic message whatever it is.
    """
    now = timezone.now()
    username = (username or "").strip()
    if _ip_throttled(ip, now):
        audit_write(action="auth.login", outcome=Outcome.DENIED, object_repr=username[:150], detail="ip_throttled")
        raise SignInRefused("ip_throttled")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username__iexact=username).first()
        if user is None or not user.is_active:
            LoginFailure.objects.create(ip=ip, at=now)
            # Spend the same time as a real check so timing does not reveal the account.
            User().set_password(password or "x")
            audit_write(action="auth.login", outcome=Outcome.FAILURE, object_repr=username[:150],
                        detail="unknown_or_inactive")
            failure = "unknown_user"
        elif user.is_locked(now):
            user.check_password(password or "")
            LoginFailure.objects.create(ip=ip, at=now)
            audit_write(action="auth.login", user=None, outcome=Outcome.DENIED, obj=user, detail="locked")
            failure = "locked"
        elif not user.check_password(password or ""):
            LoginFailure.objects.create(ip=ip, at=now)
            user.failed_logins += 1
            failure = "bad_password"
            detail = "bad_password"
            if user.failed_logins >= security("LOCKOUT_THRESHOLD"):
                user.locked_until = now + dt.timedelta(minutes=security("LOCKOUT_MINUTES"))
                user.failed_logins = 0
                detail = "locked_now"
            user.save(update_fields=["failed_logins", "locked_until"])
            audit_write(action="auth.login", outcome=Outcome.FAILURE, obj=user, detail=detail)
            if detail == "locked_now":
                audit_write(action="auth.lockout", outcome=Outcome.SUCCESS, obj=user,
                            detail=str(security("LOCKOUT_MINUTES")))
        elif user.role_codes & {r.value for r in SECOND_FACTOR_ROLES} and not totp.verify_and_consume(user, otp or ""):
            LoginFailure.objects.create(ip=ip, at=now)
            user.failed_logins += 1
            if user.failed_logins >= security("LOCKOUT_THRESHOLD"):
                user.locked_until = now + dt.timedelta(minutes=security("LOCKOUT_MINUTES"))
                user.failed_logins = 0
            user.save(update_fields=["failed_logins", "locked_until"])
            audit_write(action="auth.login", outcome=Outcome.FAILURE, obj=user,
                        detail="otp_missing" if not otp else "otp_invalid")
            failure = "otp"
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login = now
            user.save(update_fields=["failed_logins", "locked_until", "last_login", "totp_last_step"])
            audit_write(action="auth.login", user=user, obj=user)
            return user
    raise SignInRefused(failure, needs_otp=failure == "otp")


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User) -> str:
    """A new bearer token; only its digest is stored. Expires after API_TOKEN_HOURS."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, digest=token_digest(raw),
        expires_at=timezone.now() + dt.timedelta(hours=security("API_TOKEN_HOURS")),
    )
    audit_write(action="auth.token_issue", user=user, obj=user, detail=f"token {token.pk}")
    return raw


@transaction.atomic
def api_token_revoke(*, acting_user: User, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_write(action="auth.token_revoke", user=acting_user, obj=token.user, detail=f"token {token.pk}")
    return token


def api_token_user(raw: str) -> User | None:
    """The active account behind a bearer token, or None."""
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
    audit_write(action="auth.logout", user=user, obj=user)
