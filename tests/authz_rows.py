"""Matrix rows for the foundation's routes: core, accounts, audit, calendar, enterprises, API.

Expectations follow DESIGN §1 (see tests/authz_matrix.py): who may call a route is decided
by the role; which object by the org tree (county A personas get 404 for county B's
enterprise, the service member for an enterprise its group does not serve, the enterprise
user for any enterprise but its own). Talents have no enterprise function: 403.
"""

from __future__ import annotations

from typing import Any

from tests.authz_matrix import (
    AUDIT,
    COMMON,
    EVERYONE,
    LOGIN,
    MATRIX,
    PUBLIC,
    READERS,
    SIGN_IN_STATE,
    SYSTEM,
    UNIT_SCOPED,
    USER_ADMIN,
    WRITERS,
    api,
    everyone,
    web,
)
from tests.world import World
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import BUSINESS_ROLES, Role
from zhaoyin.lib.uscc import make_uscc

#: Who reads enterprise profiles: government readers and the portal user (own one only).
ENTERPRISE_READERS = READERS | {Role.ENTERPRISE}
#: Personas that must not learn county B's enterprise exists.
NOT_IN_SCOPE_OF_B = {r: 404 for r in (*UNIT_SCOPED, Role.SERVICE_MEMBER, Role.ENTERPRISE)}
NOT_IN_SCOPE_OF_B_WRITE = {r: 404 for r in UNIT_SCOPED}


def _a(w: World) -> dict[str, Any]:
    return {"pk": w.enterprise_a.pk}


def _b(w: World) -> dict[str, Any]:
    return {"pk": w.enterprise_b.pk}


def _staff(w: World) -> dict[str, Any]:
    return {"pk": w.user(Role.STAFF).pk}


def _self_security_admin(w: World) -> dict[str, Any]:
    return {"pk": w.user(Role.SECURITY_ADMIN).pk}


def _city_admin(w: World) -> dict[str, Any]:
    return {"pk": w.user(Role.CITY_ADMIN).pk}


def _audit_record(w: World) -> dict[str, Any]:
    record = AuditRecord.objects.order_by("pk").first()
    assert record is not None, "the world's account creation should have been audited"
    return {"pk": record.pk}


def _import_batch_of_staff(w: World) -> dict[str, Any]:
    from zhaoyin.core.models import ImportBatch
    from zhaoyin.enterprises.importing import EnterpriseImport

    batch = ImportBatch.objects.create(kind=EnterpriseImport.kind, sha256="0" * 64, uploaded_by=w.user(Role.STAFF))
    return {"pk": batch.pk}


def _edit_form(w: World, which: str = "a") -> dict[str, Any]:
    from zhaoyin.enterprises.forms import initial_from

    data = initial_from(w.enterprise_a if which == "a" else w.enterprise_b)
    data["employees"] = "42"
    return data


def _new_enterprise_form(w: World) -> dict[str, Any]:
    return {
        "name": "大通矩阵测试有限公司", "uscc": make_uscc("340402", "00000077"), "org_unit": "340402",
        "industry": "it", "size_class": "below",
    }


def _new_enterprise_json(w: World) -> dict[str, Any]:
    return {
        "name": "大通矩阵接口有限公司", "uscc": make_uscc("340402", "00000078"), "org_unit": "340402", "industry": "it",
    }


def _figures(w: World) -> dict[str, Any]:
    return {"year": "2025", "source": "statistics", "revenue_wan": "1200.50"}


MATRIX += [
    # --- core ---------------------------------------------------------------------------
    web("core:home", allowed=EVERYONE, kind=COMMON),
    # 我的待办: every business role has one (the 三员 hold no business work).
    web("core:todo", allowed=BUSINESS_ROLES),
    api("GET", "/api/v1/me/todo", allowed=BUSINESS_ROLES),
    everyone("core:healthz"),
    everyone("core:set_language", "POST", 302, data=lambda w: {"language": "en", "next": "/"}),
    everyone("core:set_language", "GET", 405),
    # --- accounts: own session and password ----------------------------------------------
    # Sign-in is public; a signed-in account is sent on to the home page.
    web("accounts:login", allowed=EVERYONE, ok=302, anonymous=200, kind=PUBLIC),
    everyone(
        "accounts:login", "POST", 200, data=lambda w: {"username": "nobody", "password": "Wrong-pass-123"},
        may_change=SIGN_IN_STATE,
    ),
    # Signing out redirects to the sign-in page: LOGIN for everyone.
    web("accounts:logout", "POST", allowed=EVERYONE, ok=LOGIN, kind=COMMON),
    web("accounts:logout", "GET", allowed=EVERYONE, ok=405, kind=COMMON),
    web("accounts:password_change", allowed=EVERYONE, kind=COMMON),
    # --- accounts: user administration, the security admin only (AC-05) -----------------
    web("accounts:user_list", allowed={Role.SECURITY_ADMIN}, kind=USER_ADMIN),
    web("accounts:user_create", allowed={Role.SECURITY_ADMIN}, kind=USER_ADMIN),
    web("accounts:user_create", "POST", allowed={Role.SECURITY_ADMIN}, kind=USER_ADMIN,
        data=lambda w: {"username": "matrix_new", "roles": ["staff"], "org_unit": w.units["county_a"].pk,
                        "password": ""}),
    web("accounts:user_detail", allowed={Role.SECURITY_ADMIN}, kind=USER_ADMIN, kwargs=_staff),
    web("accounts:user_roles", "POST", allowed={Role.SECURITY_ADMIN}, ok=302, kind=USER_ADMIN, kwargs=_staff,
        data=lambda w: {"roles": ["staff", "unit_admin"]}),
    # No self-escalation: the security admin changing their own roles is refused (AC-05).
    web("accounts:user_roles", "POST", allowed=set(), kind=USER_ADMIN, kwargs=_self_security_admin,
        data=lambda w: {"roles": ["city_admin"]}, label="own roles"),
    web("accounts:user_unlock", "POST", allowed={Role.SECURITY_ADMIN}, ok=302, kind=USER_ADMIN, kwargs=_staff),
    web("accounts:user_password_reset", "POST", allowed={Role.SECURITY_ADMIN}, kind=USER_ADMIN, kwargs=_staff),
    web("accounts:user_set_active", "POST", allowed={Role.SECURITY_ADMIN}, ok=302, kind=USER_ADMIN,
        kwargs=_staff, data=lambda w: {"active": "0"}),
    web("accounts:user_sessions_end", "POST", allowed={Role.SECURITY_ADMIN}, ok=302, kind=USER_ADMIN,
        kwargs=_staff),
    web("accounts:user_totp_reset", "POST", allowed={Role.SECURITY_ADMIN}, kind=USER_ADMIN, kwargs=_city_admin),
    # --- audit: the auditor only (AC-05, AUD-07) -----------------------------------------
    web("audit:list", allowed={Role.AUDITOR}, kind=AUDIT),
    web("audit:detail", allowed={Role.AUDITOR}, kind=AUDIT, kwargs=_audit_record),
    web("audit:export", allowed={Role.AUDITOR}, kind=AUDIT),
    # --- calendar administration: the sysadmin -------------------------------------------
    web("workcalendar:index", allowed={Role.SYSADMIN}, kind=SYSTEM),
    # (the calendar's other rows are in zhaoyin/workcalendar/tests/authz_rows.py)
    # --- enterprises: read by government readers (scoped) and the portal user (own only) --
    web("enterprises:list", allowed=ENTERPRISE_READERS),
    web("enterprises:export", allowed=ENTERPRISE_READERS),
    web("enterprises:detail", allowed=ENTERPRISE_READERS, kwargs=_a, label="county A, group 1, portal's own"),
    web("enterprises:detail", allowed=ENTERPRISE_READERS, kwargs=_b, scope=NOT_IN_SCOPE_OF_B, label="county B"),
    # ... and changed by the city admin and the unit roles within their unit (leader read-only).
    web("enterprises:create", allowed=WRITERS),
    web("enterprises:create", "POST", allowed=WRITERS, ok=302, data=_new_enterprise_form),
    web("enterprises:edit", allowed=WRITERS, kwargs=_a, label="county A"),
    web("enterprises:edit", allowed=WRITERS, kwargs=_b, scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("enterprises:edit", "POST", allowed=WRITERS, ok=302, kwargs=_a, data=_edit_form, label="county A"),
    web("enterprises:edit", "POST", allowed=WRITERS, ok=302, kwargs=_b, data=lambda w: _edit_form(w, "b"),
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("enterprises:figures", "POST", allowed=WRITERS, ok=302, kwargs=_a, data=_figures, label="county A"),
    web("enterprises:figures", "POST", allowed=WRITERS, ok=302, kwargs=_b, data=_figures,
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    web("enterprises:import", allowed=WRITERS),
    web("enterprises:import", "POST", allowed=WRITERS, ok=400, label="no file"),
    web("enterprises:import_template", allowed=WRITERS),
    web("enterprises:import_commit", "POST", allowed=WRITERS, ok=400, label="nothing to commit"),
    # An import batch is its uploader's: another editor gets 404.
    web("enterprises:import_result", allowed=WRITERS, kwargs=_import_batch_of_staff,
        scope={Role.CITY_ADMIN: 404, Role.UNIT_ADMIN: 404}, label="staff's batch"),
    web("enterprises:import_errors", allowed=WRITERS, kwargs=_import_batch_of_staff,
        scope={Role.CITY_ADMIN: 404, Role.UNIT_ADMIN: 404}, label="staff's batch"),
    # --- API ------------------------------------------------------------------------------
    # The OpenAPI document is public (it describes, it holds no data); the root answers 404.
    everyone("api:openapi-json"),
    everyone("api:api-root", status=404),
    everyone(
        "/api/v1/auth/token", "POST", 401, data=lambda w: {"username": "nobody", "password": "Wrong-pass-123"},
        may_change=SIGN_IN_STATE,
    ),
    api("GET", "/api/v1/me", allowed=EVERYONE, kind=COMMON),
    api("GET", "/api/v1/org-units", allowed=EVERYONE, kind=COMMON),
    api("GET", "/api/v1/enterprises", allowed=ENTERPRISE_READERS),
    api("GET", "/api/v1/enterprises/{id}", allowed=ENTERPRISE_READERS, kwargs=lambda w: {"id": w.enterprise_a.pk},
        label="county A"),
    api("GET", "/api/v1/enterprises/{id}", allowed=ENTERPRISE_READERS, kwargs=lambda w: {"id": w.enterprise_b.pk},
        scope=NOT_IN_SCOPE_OF_B, label="county B"),
    api("POST", "/api/v1/enterprises", allowed=WRITERS, ok=201, data=_new_enterprise_json),
    api("PATCH", "/api/v1/enterprises/{id}", allowed=WRITERS, kwargs=lambda w: {"id": w.enterprise_a.pk},
        data=lambda w: {"employees": 42}, label="county A"),
    api("PATCH", "/api/v1/enterprises/{id}", allowed=WRITERS, kwargs=lambda w: {"id": w.enterprise_b.pk},
        data=lambda w: {"employees": 42}, scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
    api("GET", "/api/v1/enterprises/{id}/figures", allowed=ENTERPRISE_READERS,
        kwargs=lambda w: {"id": w.enterprise_a.pk}, label="county A"),
    api("GET", "/api/v1/enterprises/{id}/figures", allowed=ENTERPRISE_READERS,
        kwargs=lambda w: {"id": w.enterprise_b.pk}, scope=NOT_IN_SCOPE_OF_B, label="county B"),
    api("POST", "/api/v1/enterprises/{id}/figures", allowed=WRITERS, ok=201,
        kwargs=lambda w: {"id": w.enterprise_a.pk}, data=lambda w: {"year": 2025, "revenue_wan": "1200.50"},
        label="county A"),
    api("POST", "/api/v1/enterprises/{id}/figures", allowed=WRITERS, ok=201,
        kwargs=lambda w: {"id": w.enterprise_b.pk}, data=lambda w: {"year": 2025, "revenue_wan": "1200.50"},
        scope=NOT_IN_SCOPE_OF_B_WRITE, label="county B"),
]
