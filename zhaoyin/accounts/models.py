"""The org tree, accounts and their roles, and the records the security rules keep."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.roles import ADMIN_ROLES, Role


class OrgUnitKind(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    PARK = "park", _("Park / development zone")
    DEPARTMENT = "department", _("City department")
    SERVICE_GROUP = "service_group", _("Service group")
    STATION = "station", _("Talent station")


class OrgUnit(models.Model):
    """A node of the org tree (DESIGN 2). Scope follows the tree through ``path``.

    ``path`` is the materialised chain of ids (``/1/4/``), so "this unit and its
    descendants" is one indexed prefix match instead of a recursive walk.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=255, db_index=True, editable=False, default="")
    location = models.CharField(_("location"), max_length=100, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The path needs our own id, so a new unit is saved twice; units are few and rarely made.
        super().save(*args, **kwargs)
        parent_path = self.parent.path if self.parent_id and self.parent else "/"
        new_path = f"{parent_path}{self.pk}/"
        if new_path != self.path:
            self.path = new_path
            OrgUnit.objects.filter(pk=self.pk).update(path=new_path)

    def descendants_q(self, field: str = "org_unit") -> Q:
        """A filter for records whose ``field`` unit is this unit or below it."""
        return Q(**{f"{field}__path__startswith": self.path})


class ZhaoyinUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """An account. Business roles live in ``RoleAssignment``; a 三员 role in ``admin_role``.

    Keeping the three administrator roles in one column makes it impossible in the data
    model for an account to hold two of them (AC-05); ``role_assign`` also refuses to give a
    business role to an administrator or the reverse.
    """

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="users",
        null=True, blank=True,
    )
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    admin_role = models.CharField(
        _("administrator role"), max_length=16, blank=True, default="",
        choices=[(r.value, r.value) for r in sorted(ADMIN_ROLES)],
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise (portal account)"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="portal_users",
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    failed_logins = models.PositiveIntegerField(_("consecutive failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    totp_secret_enc = models.BinaryField(_("TOTP secret (encrypted)"), null=True, blank=True, editable=False)
    totp_last_step = models.BigIntegerField(_("last TOTP time step used"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ZhaoyinUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(admin_role="") | Q(admin_role__in=[r.value for r in ADMIN_ROLES]),
                name="user_admin_role_valid",
            ),
        ]

    @property
    def role_codes(self) -> frozenset[str]:
        """The account's roles, cached on the instance for the request it was loaded in."""
        cached: frozenset[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            if self.admin_role:
                cached = frozenset({self.admin_role})
            elif self.pk is None:
                cached = frozenset()
            else:
                cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_codes = cached
        return cached

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_codes & {r.value for r in roles})

    def is_locked(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now


class RoleAssignment(models.Model):
    """One business role held by one account (DESIGN 1). Changes are audited by the service."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(
        _("role"), max_length=16,
        choices=[(r.value, r.value) for r in Role if r not in ADMIN_ROLES],
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique"),
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in ADMIN_ROLES]),
                name="role_assignment_business_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class PasswordHistory(models.Model):
    """Hashes of an account's previous passwords, for the no-reuse rule (AUTH-03)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("password history entry")
        verbose_name_plural = _("password history")
        ordering = ["-created_at", "-id"]


class LoginFailure(models.Model):
    """A failed sign-in from one client address, for per-IP throttling (AUTH-04)."""

    ip = models.GenericIPAddressField(_("client IP"), null=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")
        indexes = [models.Index(fields=["ip", "at"], name="login_failure_ip_at")]


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
