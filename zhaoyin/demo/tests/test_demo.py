"""The Huainan demo loader (issue 2 item 11): content, accounts, idempotency."""

from __future__ import annotations

import hashlib
import re
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from conftest import LoadDemo
from zhaoyin.accounts.models import OrgUnit, User, role_label
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.demo import data
from zhaoyin.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_account_lines
from zhaoyin.demo.selectors import demo_year
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure
from zhaoyin.lib.uscc import is_valid_uscc

YEAR = 2026


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a content hash of every table (rows in primary-key order)."""
    out: dict[str, tuple[int, str]] = {}
    for model in apps.get_models(include_auto_created=True):
        rows = [
            # PostgreSQL returns binary columns as memoryview, whose repr is its address.
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model._default_manager.order_by("pk").values_list()
        ]
        out[model._meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


@pytest.mark.django_db
def test_demo_loads_twice_without_any_change(load_demo: LoadDemo) -> None:
    first = load_demo(YEAR)
    assert "created" in first
    before = fingerprint()
    second = load_demo(YEAR)  # on top of the demo: loads for real
    assert "nothing to do" in second
    assert fingerprint() == before


@pytest.mark.django_db
def test_demo_org_tree_codes_and_kinds(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    units = {u.code: u for u in OrgUnit.objects.all()}
    assert units["340400"].kind == "city"
    assert units["340400"].parent_id is None
    for code, name in [("340402", "大通区"), ("340403", "田家庵区"), ("340404", "谢家集区"), ("340405", "八公山区"),
                       ("340406", "潘集区"), ("340421", "凤台县"), ("340422", "寿县")]:
        assert units[code].name == name
        assert units[code].kind == "county"
    assert {u.code for u in units.values() if u.kind == "park"} == {
        "park-gxq", "park-jkq", "park-mhg", "park-xinqiao", "park-maoji"}
    assert units["park-xinqiao"].parent_id == units["340422"].pk
    assert units["park-xinqiao"].path.startswith(units["340422"].path)
    departments = {u.name for u in units.values() if u.kind == "department"}
    # The departments policies and reform measures name (issue 15 item 9), the old codes kept.
    assert {"经济和信息化局", "科学技术局", "财政局", "税务局", "市场监督管理局", "商务局", "数据资源管理局",
            "地方金融监督管理局", "人社局", "教育局", "住建局", "自然资源和规划局", "供电公司"} <= departments
    assert len(departments) == 16
    assert units["dept-jxj"].name == "经济和信息化局"
    groups = sorted((u for u in units.values() if u.kind == "service_group"), key=lambda u: u.code)
    assert groups[0].name == "第一服务组"
    assert len([u for u in units.values() if u.kind == "service_group"]) == 10
    assert units["station-csj"].location == "上海"
    assert units["station-g60"].name == "G60科创走廊人才飞地"


@pytest.mark.django_db
def test_demo_has_98_enterprises_with_valid_huainan_usccs_in_every_group(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    firms = list(Enterprise.objects.select_related("org_unit", "service_group"))
    assert len(firms) == 98
    assert len({f.uscc for f in firms}) == 98
    for firm in firms:
        assert is_valid_uscc(firm.uscc), firm.uscc
        assert firm.uscc[:2] == "91"
        assert firm.uscc[2:6] == "3404"
        assert firm.org_unit.kind in ("county", "park")
        assert firm.service_group is not None
        assert firm.service_group.kind == "service_group"
    per_group: dict[str, int] = {}
    for firm in firms:
        assert firm.service_group is not None
        per_group[firm.service_group.code] = per_group.get(firm.service_group.code, 0) + 1
    assert sorted(per_group) == [f"sg-{i:02d}" for i in range(1, 11)]
    assert all(9 <= n <= 11 for n in per_group.values())
    # Every place of the tree has enterprises, and the industries span the six emerging ones.
    assert {f.org_unit.code for f in firms} == {p.code for p in data.PLACES}
    assert {n for n, _c in data.EMERGING_INDUSTRIES} <= {f.industry.name for f in firms}


@pytest.mark.django_db
def test_demo_named_firms_and_figures(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    hanbang = Enterprise.objects.get(name=data.HANBANG)
    assert hanbang.org_unit.code == "park-xinqiao"
    saiwei = Enterprise.objects.get(name=data.SAIWEI)
    assert saiwei.org_unit.code == "park-mhg"
    assert saiwei.industry.name == "新材料"
    assert Enterprise.objects.get(name=data.BEIKE).industry.name == "新一代信息技术"
    assert EnterpriseFigure.objects.count() == 98 * 2
    assert set(EnterpriseFigure.objects.values_list("year", flat=True)) == {YEAR - 2, YEAR - 1}
    fig = EnterpriseFigure.objects.get(enterprise=hanbang, year=YEAR - 1)
    assert fig.revenue_wan is not None
    assert fig.revenue_wan > 0
    assert demo_year() == YEAR


@pytest.mark.django_db
def test_demo_writes_through_audited_services_on_the_cli_channel(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"org_unit.create", "enterprise.create", "enterprise.figures", "user.create", "demo.load"} <= actions
    assert set(AuditRecord.objects.values_list("channel", flat=True)) == {"cli"}
    assert AuditRecord.objects.filter(action="enterprise.create").count() == 98


@pytest.mark.django_db
def test_demo_another_year_adds_only_that_years_figures(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    load_demo(YEAR + 1)  # on top of YEAR's demo: loads for real
    assert Enterprise.objects.count() == 98
    assert set(EnterpriseFigure.objects.values_list("year", flat=True)) == {YEAR - 2, YEAR - 1, YEAR}
    assert demo_year() == YEAR + 1


@pytest.mark.django_db
def test_demo_one_account_per_role(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    assert len(users) == len(Role) == 13
    assert {a.role for a in DEMO_ACCOUNTS} == set(Role)
    for account in DEMO_ACCOUNTS:
        user = users[account.username]
        assert user.role_codes == frozenset({account.role.value})
        assert user.check_password(DEMO_PASSWORD)
        assert user.org_unit is not None
        assert user.org_unit.code == account.unit
        assert user.needs_second_factor == (account.role in {
            Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDITOR, Role.CITY_ADMIN})
    enterprise_user = users["demo_enterprise"]
    assert enterprise_user.enterprise is not None
    assert enterprise_user.enterprise.name == data.HANBANG


@pytest.mark.django_db
def test_demo_password_satisfies_the_password_rules() -> None:
    validate_password(DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        validate_password(DEMO_PASSWORD, User(username=account.username))


@pytest.mark.django_db
def test_demo_account_lines_tell_how_to_sign_in(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    text = "\n".join(demo_account_lines())
    assert DEMO_PASSWORD in text
    for account in DEMO_ACCOUNTS:
        assert account.username in text
    for name in ("demo_sysadmin", "demo_security_admin", "demo_auditor", "demo_city_admin"):
        assert f"zhaoyin users otp-code {name}" in text
        assert f"otpauth://totp/Zhaoyin:{name}" in text
    assert "otp-code demo_leader" not in text
    assert text.count("otpauth://") == 4
    # Roles by their Chinese names (issue 16), never by their codes.
    assert "市双招双引办管理员" in text
    for account in DEMO_ACCOUNTS:
        line = next(line for line in text.splitlines() if line.strip().startswith(account.username + " "))
        assert role_label(account.role.value) in line
        assert account.role.value not in line.replace(account.username, "")


@pytest.mark.django_db
def test_demo_prints_a_progress_line_per_stage(load_demo: LoadDemo) -> None:
    """Issue 16 item 8: the load says what it is doing on stderr; ``-v 0`` keeps it quiet."""
    load_demo(YEAR)
    out, err = StringIO(), StringIO()
    call_command("demo", "--year", str(YEAR), stdout=out, stderr=err)
    lines = [line for line in err.getvalue().splitlines() if line.startswith("demo: ")]
    stages = [line.removeprefix("demo: ").split("  ")[0].strip() for line in lines]
    for stage in ("units", "enterprises", "users", "projects and targets", "matters", "visits", "policies",
                  "talents", "payouts", "apartments", "mu evaluation"):
        assert stage in stages
    assert all(re.search(r"\b0 created\s+\d+\.\d s$", line) for line in lines)  # a second load creates nothing
    assert "nothing to do" in out.getvalue()
    quiet = StringIO()
    call_command("demo", "--year", str(YEAR), "-v", "0", stdout=StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""


@pytest.mark.django_db
def test_demo_refused_in_production_without_force(settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError) as excinfo:
        call_command("demo", stdout=StringIO())
    assert excinfo.value.returncode == 2
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_demo_bad_year_exits_2() -> None:
    with override_settings(PRODUCTION=False), pytest.raises(CommandError) as excinfo:
        call_command("demo", "--year", "1800", stdout=StringIO())
    assert excinfo.value.returncode == 2
    assert OrgUnit.objects.count() == 0
