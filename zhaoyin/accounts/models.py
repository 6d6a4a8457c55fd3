"""The org tree, accounts and their roles, and the records the security rules keep."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoyin.core.roles import ADMIN_ROLES, PRIVILEGED_ROLES, SECOND_FACTOR_ROLES, Role

#: Display names of the roles (DESIGN 1); the codes stay the public interface.
ROLE_LABELS: dict[str, Any] = {
    Role.CITY_ADMIN.value: _("City administrator"),
    Role.LEADER.value: _("City leader"),
    Role.SUPERVISOR.value: _("Supervision office"),
    Role.UNIT_ADMIN.value: _("Unit administrator"),
    Role.STAFF.value: _("Staff"),
    Role.SERVICE_MEMBER.value: _("Service group member"),
    Role.ENTERPRISE.value: _("Enterprise user"),
    Role.TALENT.value: _("Talent user"),
    Role.TALENT_OFFICE.value: _("Talent office"),
    Role.MU_OFFICE.value: _("Land-efficiency office"),
    Role.SYSADMIN.value: _("System administrator"),
    Role.SECURITY_ADMIN.value: _("Security administrator"),
    Role.AUDITOR.value: _("Audit administrator"),
}


def role_label(code: str) -> str:
    """The translated name of a role code (the code itself when unknown)."""
    return str(ROLE_LABELS.get(code, code))


class OrgUnitKind(models.TextChoices):
    """The kinds of org unit of DESIGN 2."""

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
    """The default manager; accounts are created only through ``services.user_create``."""


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
    # Bumped to end every web session of the account at once (SESS-05/06): a session
    # remembers the epoch it started in and ends when the account's epoch has moved on.
    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects: ClassVar[ZhaoyinUserManager] = ZhaoyinUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(admin_role="") | Q(admin_role__in=sorted(r.value for r in ADMIN_ROLES)),
                name="user_admin_role_valid",
            ),
            # One identity per login name whatever its case (AUTH-01).
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
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
            elif "role_assignments" in getattr(self, "_prefetched_objects_cache", {}):
                # A list page prefetched the roles: no query per row.
                cached = frozenset(a.role for a in self.role_assignments.all())
            else:
                cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_codes = cached
        return cached

    def has_role(self, *roles: Role | str) -> bool:
        """Whether the account holds at least one of ``roles`` (``Role`` members or their codes;
        pass a role set as ``*ROLES``). The one way the code asks "may this role …"."""
        return not self.role_codes.isdisjoint(roles)

    @property
    def needs_second_factor(self) -> bool:
        """True for the roles that sign in with a TOTP code as well (AUTH-05)."""
        return self.has_role(*SECOND_FACTOR_ROLES)

    @property
    def is_privileged(self) -> bool:
        """True for the roles with the short idle timeout and a single session (SESS-01/06)."""
        return self.has_role(*PRIVILEGED_ROLES)

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
                condition=~Q(role__in=sorted(r.value for r in ADMIN_ROLES)),
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

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


class LoginFailure(models.Model):
    """A failed sign-in from one client address, for per-IP throttling (AUTH-04)."""

    ip = models.GenericIPAddressField(_("client IP"), null=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")
        indexes = [models.Index(fields=["ip", "at"], name="login_failure_ip_at")]

    def __str__(self) -> str:
        return f"{self.ip}@{self.at:%Y-%m-%d %H:%M}"


class ThrottledSignIns(models.Model):
    """Sign-ins the per-IP throttle refused, counted per client address and window (AUTH-04).

    A flood from one address writes one audit row per window (at its first refusal) and only
    counts the rest here, so the audit log does not grow with every refused request.
    """

    ip = models.GenericIPAddressField(_("client IP"))
    window_start = models.DateTimeField(_("window start"))
    refused = models.PositiveIntegerField(_("refused attempts"), default=0)
    last_at = models.DateTimeField(_("last refused at"))

    class Meta:
        verbose_name = _("throttled sign-ins")
        verbose_name_plural = _("throttled sign-ins")
        constraints = [models.UniqueConstraint(fields=["ip", "window_start"], name="throttled_signins_ip_window")]

    def __str__(self) -> str:
        return f"{self.ip}@{self.window_start:%Y-%m-%d %H:%M}: {self.refused}"


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

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"


class ServiceGroupMembership(models.Model):
    """A user's place in a service group (服务组, 百家企业行): their scope as a service member
    is the enterprises assigned to their groups. ``is_leader`` marks the 组长.

    ``zhaoyin users add … --role service_member --unit <group code>`` makes the first
    membership; more are added on the service groups' pages.
    """

    group = models.ForeignKey(
        OrgUnit, verbose_name=_("service group"), on_delete=models.CASCADE, related_name="memberships",
        limit_choices_to={"kind": "service_group"},
    )
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="group_memberships"
    )
    is_leader = models.BooleanField(_("group leader"), default=False)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("service group membership")
        verbose_name_plural = _("service group memberships")
        ordering = ["group", "-is_leader", "user"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="service_group_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.user_id}"


class RankingGroup(models.Model):
    """A set of org units the city ranks together (排名分组: 县区, 开发区/园区, 市直部门) in the
    target progress, the matters KPIs and both 通报 (docs/targets.md, "Ranking groups").

    ``min_matters`` is the smallest number of matters a unit of the group needs in a period
    for a composite KPI score to rank it; fewer is listed 样本不足, unranked. Edited by the city
    admin (``accounts.ranking.ranking_group_save``, audited).
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    min_matters = models.PositiveSmallIntegerField(_("minimum matters for a rank"), default=1)

    class Meta:
        verbose_name = _("ranking group")
        verbose_name_plural = _("ranking groups")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class RankingGroupMember(models.Model):
    """One unit's place in a ranking group; a unit is in at most one group.

    ``rolls_up`` says whether the unit's figures count in its parent unit's figures for the
    parent's completion and rank (a park inside a county). False: the park is ranked on its
    own only and its records and target are taken out of the county's ranked row.
    """

    group = models.ForeignKey(
        RankingGroup, verbose_name=_("ranking group"), on_delete=models.CASCADE, related_name="members"
    )
    org_unit = models.OneToOneField(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="ranking_membership"
    )
    rolls_up = models.BooleanField(_("counts in its parent unit"), default=True)

    class Meta:
        verbose_name = _("ranking group member")
        verbose_name_plural = _("ranking group members")
        ordering = ["group", "org_unit__sort_order", "org_unit__path"]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.org_unit_id}"
