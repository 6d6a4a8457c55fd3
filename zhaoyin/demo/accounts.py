"""The demo accounts: one per role, all with one documented password.

``demo_account_lines()`` is what ``make run`` prints so a person can sign in. The four roles
with a second factor (sysadmin, security_admin, auditor, city_admin) also need the current
6-digit TOTP code: ``zhaoyin users otp-code <username>`` prints it, or the otpauth URI can be
added to an authenticator app.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from zhaoyin.core.roles import SECOND_FACTOR_ROLES, Role
from zhaoyin.demo.data import HANBANG, NAME_OF

#: The demo password (README): 13 characters, four classes, no context word. Demo only —
#: `zhaoyin demo` refuses to run in production unless forced.
DEMO_PASSWORD = "Demo#Pass2026"  # noqa: S105 - the documented demo password


@cache
def demo_password_hash() -> str:
    """The demo password hashed once per process: every demo account shares it (the password
    is published in the README, so one salt among them hides nothing a salt each would)."""
    return make_password(DEMO_PASSWORD)


@dataclass(frozen=True)
class DemoAccount:
    """One demo account: its role, the org unit it sits in, and for ``enterprise`` the firm."""

    username: str
    role: Role
    unit: str
    full_name: str
    enterprise: str | None = None


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("demo_city_admin", Role.CITY_ADMIN, "dept-zsfw", "招商服务中心 管理员"),
    DemoAccount("demo_leader", Role.LEADER, "340400", "市领导"),
    DemoAccount("demo_supervisor", Role.SUPERVISOR, "340400", "督查室"),
    DemoAccount("demo_unit_admin", Role.UNIT_ADMIN, "340403", "田家庵区 管理员"),
    DemoAccount("demo_staff", Role.STAFF, "340422", "寿县 招商员"),
    DemoAccount("demo_service_member", Role.SERVICE_MEMBER, "sg-01", "第一服务组 成员"),
    DemoAccount("demo_enterprise", Role.ENTERPRISE, "park-xinqiao", "汉邦日化 联络员", enterprise=HANBANG),
    DemoAccount("demo_talent", Role.TALENT, "station-csj", "长三角引进人才"),
    DemoAccount("demo_talent_office", Role.TALENT_OFFICE, "dept-rck", "市委组织部人才科 经办人"),
    DemoAccount("demo_mu_office", Role.MU_OFFICE, "dept-jxj", "经信局 亩均办 经办人"),
    DemoAccount("demo_sysadmin", Role.SYSADMIN, "340400", "系统管理员"),
    DemoAccount("demo_security_admin", Role.SECURITY_ADMIN, "340400", "安全管理员"),
    DemoAccount("demo_auditor", Role.AUDITOR, "340400", "审计管理员"),
]


def demo_account_lines() -> list[str]:
    """Lines telling a person how to sign in to each demo account (printed by ``make run``).

    Reads the accounts' TOTP secrets to show their otpauth URIs, so it needs the database;
    accounts not (yet) loaded are listed without a URI.
    """
    from zhaoyin.accounts import totp
    from zhaoyin.accounts.models import User, role_label

    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    lines = [_("Demo accounts (password for all: %(password)s):") % {"password": DEMO_PASSWORD}]
    for account in DEMO_ACCOUNTS:
        # The role by its name, not its code (issue 16): a person picks an account by what it does.
        place = NAME_OF.get(account.unit, account.unit)
        lines.append(f"  {account.username:<22} {role_label(account.role.value)}（{place}）")
        if account.role in SECOND_FACTOR_ROLES:
            lines.append(
                "    " + _("second factor: run `zhaoyin users otp-code %(username)s` for the current 6-digit code")
                % {"username": account.username}
            )
            user = users.get(account.username)
            secret = totp.secret_of(user) if user is not None else None
            if user is not None and secret:
                lines.append("    " + _("or add to an authenticator app: %(uri)s")
                             % {"uri": totp.provisioning_uri(user, secret)})
    return lines
