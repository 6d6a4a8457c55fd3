"""Matrix rows (tests/authz_matrix.py) for the subsidy applications (人才补贴申请).

Staff pages and the staff API are read by the city-wide roles, the talent office and the unit
roles (the talents of their scope: county A's personas get 404 for county B's application);
acting — accept, return, reject, applying on a talent's behalf — is for the reviewers (city
admin, talent office, unit admin, staff), never the leader or the supervisor. The talent
persona has its own pages and ``/me`` operations: its own applications only (404 for any
other; 403 on the staff routes). Documents download for whoever reads the application.

The talent persona's own record: helper "talents" links ``w.extra["talent_own"]`` to the
persona's account in its builder; we import that builder first when it exists and reuse the
record (else we create one), so the account is never linked twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import importlib.util
from decimal import Decimal
from typing import Any

from tests.authz_matrix import MATRIX, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.files import file_dir
from zhaoyin.core.roles import Role
from zhaoyin.matching.tests.talent_support import make_talent_policy
from zhaoyin.payouts.applications import FILE_AREA
from zhaoyin.payouts.models import SubsidyApplication, SubsidyApplicationFile, SubsidySchedule
from zhaoyin.talents.models import Education, Talent
from zhaoyin.talents.testing import make_talent

if importlib.util.find_spec("zhaoyin.talents.tests.authz_rows") is not None:
    importlib.import_module("zhaoyin.talents.tests.authz_rows")  # its builder first: talent_own

#: Who reads applications on the staff pages and API (application_selectors.APPLICATION_READERS).
READERS = frozenset({Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.TALENT_OFFICE, Role.UNIT_ADMIN,
                     Role.STAFF})
#: Who reviews and applies on a talent's behalf (applications.REVIEWER_ROLES).
REVIEWERS = frozenset({Role.CITY_ADMIN, Role.TALENT_OFFICE, Role.UNIT_ADMIN, Role.STAFF})
#: Who downloads documents and follows a notice's link (the talent: their own).
FILE_READERS = frozenset(READERS | {Role.TALENT})
NOT_IN_A: dict[Role, Any] = dict.fromkeys(UNIT_SCOPED, 404)
#: Arrived aged 40 at most: the matrix's doctors arrived in 2025 (eligible); the persona's own
#: record has no arrival date (possible: it may apply, the documents would tell).
TREE = {"all": [{"field": "age_at_arrival", "op": "lte", "value": 40}]}
_PDF = b"%PDF-1.4\n% subsidy applications matrix\n"


def _file(w: World, key: str, application: SubsidyApplication) -> None:
    # A fixed stored name: the file is rewritten identically on each run, never accumulates.
    stored_name = hashlib.sha256(f"subsidy-matrix-{key}".encode()).hexdigest()[:32]
    directory = file_dir(FILE_AREA)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored_name).write_bytes(_PDF)
    w.extra[f"sub_file_{key}"] = SubsidyApplicationFile.objects.create(
        application=application, original_name="学历证明.pdf", stored_name=stored_name,
        content_type="application/pdf", size=len(_PDF), sha256=hashlib.sha256(_PDF).hexdigest(),
    )


def _doctor(unit: OrgUnit, name: str) -> Talent:
    return make_talent(org_unit=unit, name=name, education=Education.DOCTORATE, arrival_date=dt.date(2025, 1, 1))


@world_builder
def subsidy_applications(w: World) -> None:
    policy = make_talent_policy(w.units["city"], TREE, title="矩阵博士生活补贴")
    SubsidySchedule.objects.create(policy=policy, frequency="monthly", instalments=12, amount_wan=Decimal("0.30"))
    other = make_talent_policy(w.units["city"], TREE, title="矩阵博士安家补贴")
    SubsidySchedule.objects.create(policy=other, frequency="yearly", instalments=3, amount_wan=Decimal("5.00"))
    w.extra["sub_policy"] = policy
    for region in ("a", "b"):
        talent = _doctor(w.units[f"county_{region}"], f"矩阵补贴申请人{region.upper()}")
        application = SubsidyApplication.objects.create(talent=talent, policy=policy, verdict="eligible",
                                                        statement="矩阵", staff_note="矩阵内部备注")
        w.extra[f"sub_app_{region}"] = application
        _file(w, region, application)
    w.extra["sub_free_a"] = _doctor(w.units["county_a"], "矩阵补贴待申请")
    persona = w.user(Role.TALENT)
    own = Talent.objects.filter(account=persona).first() or make_talent(
        org_unit=w.units["county_a"], name="矩阵补贴本人", account=persona)
    # The persona's own application is returned (it may resubmit or withdraw it), under the
    # other policy, so that applying for the first one is not a second open application.
    w.extra["sub_app_own"] = application = SubsidyApplication.objects.create(
        talent=own, policy=other, state="returned", verdict="possible", applied_by=persona, reason="请补充材料",
    )
    _file(w, "own", application)


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _action(key: str, action: str, name: str = "pk") -> Any:
    return lambda w: {name: w.extra[key].pk, "action": action}


def _version(key: str, **more: Any) -> Any:
    return lambda w: {"version": w.extra[key].version, **more}


def _file_kwargs(key: str) -> Any:
    return lambda w: {"pk": w.extra[f"sub_app_{key}"].pk, "file_pk": w.extra[f"sub_file_{key}"].pk}


def _policy(w: World) -> dict[str, Any]:
    return {"policy": w.extra["sub_policy"].pk}


#: The talent persona on someone else's application: unknown.
NOT_THE_TALENTS: dict[Role, Any] = {Role.TALENT: 404}

MATRIX += [
    # ---- staff pages ---------------------------------------------------------------------------
    web("payouts:application_list", allowed=READERS),
    # Issue 16 item 2: the list's export, its roles (the selector scopes the rows).
    web("payouts:application_export", allowed=READERS),
    web("payouts:application_detail", allowed=READERS, kwargs=_pk("sub_app_a"), label="own region"),
    web("payouts:application_detail", allowed=READERS, kwargs=_pk("sub_app_b"), scope=NOT_IN_A,
        label="other region"),
    web("payouts:application_open", allowed=FILE_READERS, ok=302, kwargs=_pk("sub_app_a"), scope=NOT_THE_TALENTS,
        label="own region"),
    web("payouts:application_open", allowed=FILE_READERS, ok=302, kwargs=_pk("sub_app_b"),
        scope={**NOT_IN_A, **NOT_THE_TALENTS}, label="other region"),
    web("payouts:application_open", allowed=FILE_READERS, ok=302, kwargs=_pk("sub_app_own"),
        label="the talent's own"),
    web("payouts:application_file", allowed=FILE_READERS, kwargs=_file_kwargs("a"), scope=NOT_THE_TALENTS,
        label="own region"),
    web("payouts:application_file", allowed=FILE_READERS, kwargs=_file_kwargs("b"),
        scope={**NOT_IN_A, **NOT_THE_TALENTS}, label="other region"),
    web("payouts:application_file", allowed=FILE_READERS, kwargs=_file_kwargs("own"), label="the talent's own"),
    web("payouts:application_action", "POST", allowed=REVIEWERS, ok=302, kwargs=_action("sub_app_a", "accept"),
        data=_version("sub_app_a"), label="accept, own region"),
    web("payouts:application_action", "POST", allowed=REVIEWERS, ok=302, kwargs=_action("sub_app_b", "accept"),
        data=_version("sub_app_b"), scope=NOT_IN_A, label="accept, other region"),
    web("payouts:application_action", "POST", allowed=REVIEWERS, ok=302, kwargs=_action("sub_app_a", "return"),
        data=_version("sub_app_a", reason="请补充劳动合同"), label="return"),
    web("payouts:application_action", "POST", allowed=REVIEWERS, ok=302, kwargs=_action("sub_app_a", "reject"),
        data=_version("sub_app_a", reason="不符合条件"), label="reject"),
    # Withdrawing is the applicant's: a reviewer who did not apply is refused by the service.
    web("payouts:application_action", "POST", allowed=(), kwargs=_action("sub_app_a", "withdraw"),
        data=_version("sub_app_a"), label="withdraw (not the reviewer's)"),
    # ---- applying ------------------------------------------------------------------------------
    web("payouts:application_apply", allowed=REVIEWERS | {Role.TALENT}, kwargs=lambda w: {"policy": w.extra[
        "sub_policy"].pk}),
    web("payouts:application_apply", "POST", allowed={Role.TALENT}, ok=302,
        kwargs=lambda w: {"policy": w.extra["sub_policy"].pk}, data=lambda w: {"statement": "矩阵本人申请"},
        scope=dict.fromkeys(REVIEWERS, 400), label="for themself (staff must name a talent)"),
    # The portal's form has no talent box: the talent persona applies for themself whatever it posts.
    web("payouts:application_apply", "POST", allowed=REVIEWERS | {Role.TALENT}, ok=302,
        kwargs=lambda w: {"policy": w.extra["sub_policy"].pk},
        data=lambda w: {"talent": w.extra["sub_free_a"].pk, "statement": "代为申请"}, label="for a talent"),
    # ---- the talent's pages --------------------------------------------------------------------
    web("payouts:application_mine", allowed={Role.TALENT}),
    web("payouts:application_mine_action", "POST", allowed={Role.TALENT}, ok=302,
        kwargs=_action("sub_app_own", "withdraw"), data=_version("sub_app_own"), label="withdraw, own"),
    web("payouts:application_mine_action", "POST", allowed={Role.TALENT}, ok=302,
        kwargs=_action("sub_app_own", "resubmit"), data=_version("sub_app_own", statement="已补充"),
        label="resubmit, own"),
    web("payouts:application_mine_action", "POST", allowed=(), kwargs=_action("sub_app_a", "withdraw"),
        data=_version("sub_app_a"), scope=NOT_THE_TALENTS, label="withdraw, someone else's"),
    # ---- API -----------------------------------------------------------------------------------
    api("GET", "/api/v1/me/subsidy-applications", allowed={Role.TALENT}),
    api("POST", "/api/v1/me/subsidy-applications", allowed={Role.TALENT}, ok=201, data=_policy),
    api("POST", "/api/v1/me/subsidy-applications/{id}/actions/{action}", allowed={Role.TALENT},
        kwargs=_action("sub_app_own", "withdraw", "id"), data=_version("sub_app_own"), label="withdraw, own"),
    api("POST", "/api/v1/me/subsidy-applications/{id}/actions/{action}", allowed={Role.TALENT},
        kwargs=_action("sub_app_own", "resubmit", "id"), data=_version("sub_app_own"), label="resubmit, own"),
    api("POST", "/api/v1/me/subsidy-applications/{id}/actions/{action}", allowed=(),
        kwargs=_action("sub_app_a", "withdraw", "id"), data=_version("sub_app_a"), scope=NOT_THE_TALENTS,
        label="withdraw, someone else's"),
    api("GET", "/api/v1/subsidy-applications", allowed=READERS),
    api("GET", "/api/v1/subsidy-applications/{id}", allowed=READERS, kwargs=_id("sub_app_a"), label="own region"),
    api("GET", "/api/v1/subsidy-applications/{id}", allowed=READERS, kwargs=_id("sub_app_b"), scope=NOT_IN_A,
        label="other region"),
    api("POST", "/api/v1/subsidy-applications", allowed=REVIEWERS, ok=201,
        data=lambda w: {**_policy(w), "talent": w.extra["sub_free_a"].pk, "statement": "代为申请"}),
    api("POST", "/api/v1/subsidy-applications/{id}/actions/{action}", allowed=REVIEWERS,
        kwargs=_action("sub_app_a", "accept", "id"), data=_version("sub_app_a", first_period="2026-01"),
        label="accept, own region"),
    api("POST", "/api/v1/subsidy-applications/{id}/actions/{action}", allowed=REVIEWERS,
        kwargs=_action("sub_app_b", "accept", "id"), data=_version("sub_app_b"), scope=NOT_IN_A,
        label="accept, other region"),
    api("POST", "/api/v1/subsidy-applications/{id}/actions/{action}", allowed=REVIEWERS,
        kwargs=_action("sub_app_a", "return", "id"), data=_version("sub_app_a", reason="请补充劳动合同"),
        label="return"),
]
