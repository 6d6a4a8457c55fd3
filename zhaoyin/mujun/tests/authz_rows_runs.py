"""Matrix rows (tests/authz_matrix.py) for the 亩均 runs and their process.

Readers of runs and results: the city-wide roles, the 亩均 office and the unit roles — these
see only the results of the firms in their subtree (county B's firm → 404 for county A's unit
personas). The evaluators (亩均 office, city admin) write: run, steps, 调档, answers. An
enterprise account reads its own results in runs in 公示 or published and objects to them
(another firm's result, or a run not public → 404). 调档 is four-eyes: the city admin proposed
the world's pending change, so only the 亩均 office may decide it (the proposer → 403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.authz_matrix import MATRIX, UNIT_SCOPED, api, web
from tests.world import World, world_builder
from zhaoyin.core.roles import Role
from zhaoyin.mujun import services
from zhaoyin.mujun.inputs import ObjectionInput, RunCreateInput, StepInput
from zhaoyin.mujun.models import MuGradeChange, MuResult, MuRun, MuScheme
from zhaoyin.mujun.tests.runs_fixtures import DEFINITION, put_inputs

READERS = frozenset({Role.CITY_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.MU_OFFICE, Role.UNIT_ADMIN, Role.STAFF})
EVALUATORS = frozenset({Role.CITY_ADMIN, Role.MU_OFFICE})
FIRM = frozenset({Role.ENTERPRISE})
OTHER_COUNTY: dict[Role, Any] = dict.fromkeys(UNIT_SCOPED, 404)
NOT_OWN: dict[Role, Any] = {Role.ENTERPRISE: 404}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


#: The runs' year: the reports' rows publish a run of 2024 in the same world, and a year has one
#: published run (the publish rows would meet that one and answer 409).
YEAR = 2025


@world_builder
def mu_runs(w: World) -> None:
    office = w.user(Role.MU_OFFICE)
    put_inputs(w.enterprise_a, "300", "3000", "20", year=YEAR)
    put_inputs(w.enterprise_b, "100", "1500", "30", year=YEAR)
    scheme = MuScheme.objects.create(year=YEAR, number=90, name="矩阵评价办法", definition=DEFINITION,
                                     created_by=office)
    w.extra["mu_scheme"] = scheme

    def run() -> MuRun:
        return services.run_create(acting_user=office, data=RunCreateInput.of(scheme=scheme.pk))

    def result(r: MuRun, firm: Any) -> MuResult:
        return MuResult.objects.get(run=r, enterprise=firm)

    initial = run()
    w.extra["mu_run_initial"] = initial
    w.extra["mu_result_initial_a"] = result(initial, w.enterprise_a)
    # A run with a grade change the city admin proposed (the 亩均 office decides it).
    changes = run()
    w.extra["mu_change"] = MuGradeChange.objects.create(
        run=changes, result=result(changes, w.enterprise_a), from_grade=result(changes, w.enterprise_a).grade,
        to_grade="D", reason="矩阵调档", proposed_by=w.user(Role.CITY_ADMIN))
    # A run in 公示 with the enterprise persona's objection (with evidence).
    public = services.run_step(acting_user=office, run=run(), action="start_publicity", data=StepInput.of())
    w.extra["mu_run_public"] = public
    own, other = result(public, w.enterprise_a), result(public, w.enterprise_b)
    w.extra["mu_result_own"], w.extra["mu_result_other"] = own, other
    objection = services.objection_submit(
        acting_user=w.user(Role.ENTERPRISE), result=own, data=ObjectionInput.of(text="矩阵异议"),
        files=[SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")])
    w.extra["mu_objection"] = objection
    w.extra["mu_objection_file"] = objection.files.get()
    public.refresh_from_db()  # the objection moved its version
    # A run whose 公示 is over, every objection answered: it may be published.
    closing = run()
    today = timezone.localdate()
    MuRun.objects.filter(pk=closing.pk).update(state="publicity", publicity_start=today - dt.timedelta(days=10),
                                               publicity_end=today - dt.timedelta(days=1))
    closing.refresh_from_db()
    w.extra["mu_run_closing"] = closing


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _id(key: str) -> Any:
    return lambda w: {"id": w.extra[key].pk}


def _version(key: str, **more: Any) -> Any:
    return lambda w: {"version": w.extra[key].version, **more}


def _run_action(run_key: str, action: str) -> Any:
    return lambda w: {"pk": w.extra[run_key].pk, "action": action}


MATRIX += [
    # ---- pages: runs
    web("mujun:run_list", allowed=READERS),
    web("mujun:run_create", allowed=EVALUATORS),
    web("mujun:run_create", "POST", allowed=EVALUATORS, ok=302, data=lambda w: {"scheme": w.extra["mu_scheme"].pk}),
    web("mujun:run_detail", allowed=READERS, kwargs=_pk("mu_run_initial")),
    web("mujun:run_open", allowed=READERS | FIRM, ok=302, kwargs=_pk("mu_run_public"), label="public run"),
    web("mujun:run_open", allowed=READERS, ok=302, kwargs=_pk("mu_run_initial"), scope=NOT_OWN,
        label="run not public"),
    web("mujun:run_action", "POST", allowed=EVALUATORS, ok=302, kwargs=_run_action("mu_run_initial", "recompute"),
        data=_version("mu_run_initial")),
    web("mujun:run_action", "POST", allowed=EVALUATORS, ok=302,
        kwargs=_run_action("mu_run_initial", "start_publicity"), data=_version("mu_run_initial")),
    web("mujun:run_action", "POST", allowed=EVALUATORS, ok=302, kwargs=_run_action("mu_run_initial", "discard"),
        data=_version("mu_run_initial", note="口径调整")),
    web("mujun:run_action", "POST", allowed=EVALUATORS, ok=302, kwargs=_run_action("mu_run_closing", "publish"),
        data=_version("mu_run_closing")),
    # The 公示 is not over: the evaluators are admitted and the service answers 409.
    web("mujun:run_action", "POST", allowed=EVALUATORS, ok=409, kwargs=_run_action("mu_run_public", "publish"),
        data=_version("mu_run_public"), label="publish during publicity"),
    web("mujun:grade_propose", "POST", allowed=EVALUATORS, ok=302, kwargs=_pk("mu_run_initial"),
        data=lambda w: {"result": w.extra["mu_result_initial_a"].pk, "to_grade": "D", "reason": "矩阵",
                        "version": w.extra["mu_run_initial"].version}),
    *[web("mujun:grade_decide", "POST", allowed={Role.MU_OFFICE}, ok=302,
          kwargs=lambda w, a=a: {"pk": w.extra["mu_change"].pk, "action": a}, data=lambda w: {"note": "矩阵"},
          label=a) for a in ("approve_grade", "reject_grade")],
    web("mujun:objection_answer", "POST", allowed=EVALUATORS, ok=302,
        kwargs=lambda w: {"pk": w.extra["mu_objection"].pk, "action": "uphold"},
        data=lambda w: {"reason": "成立", "figure": "tax", "value": "320", "version": w.extra["mu_run_public"].version},
        label="uphold"),
    web("mujun:objection_answer", "POST", allowed=EVALUATORS, ok=302,
        kwargs=lambda w: {"pk": w.extra["mu_objection"].pk, "action": "dismiss"},
        data=lambda w: {"reason": "不成立"}, label="dismiss"),
    web("mujun:objection_file", allowed=READERS, kwargs=_pk("mu_objection_file")),
    # ---- pages: a firm's result and the portal
    web("mujun:result", allowed=READERS | FIRM, kwargs=_pk("mu_result_own"), label="own, public"),
    web("mujun:result", allowed=READERS, kwargs=_pk("mu_result_other"), scope={**OTHER_COUNTY, **NOT_OWN},
        label="county B's firm"),
    web("mujun:result", allowed=READERS, kwargs=_pk("mu_result_initial_a"), scope=NOT_OWN, label="run not public"),
    web("mujun:mine", allowed=FIRM),
    web("mujun:mine_object", allowed=FIRM, kwargs=_pk("mu_result_own")),
    web("mujun:mine_object", "POST", allowed=FIRM, ok=302, kwargs=_pk("mu_result_own"),
        data=lambda w: {"text": "又一条异议"}, label="own"),
    web("mujun:mine_object", "POST", allowed=FIRM, kwargs=_pk("mu_result_other"), data=lambda w: {"text": "x"},
        scope=NOT_OWN, label="another firm's"),
    # ---- API
    api("GET", "/api/v1/mu-runs", allowed=READERS),
    api("POST", "/api/v1/mu-runs", allowed=EVALUATORS, ok=201, data=lambda w: {"scheme": w.extra["mu_scheme"].pk}),
    api("GET", "/api/v1/mu-runs/{id}", allowed=READERS, kwargs=_id("mu_run_initial")),
    api("GET", "/api/v1/mu-runs/{id}/results", allowed=READERS, kwargs=_id("mu_run_public")),
    api("GET", "/api/v1/mu-runs/{id}/verify", allowed=READERS, kwargs=_id("mu_run_initial")),
    *[api("POST", "/api/v1/mu-runs/{id}/actions/{action}", allowed=EVALUATORS,
          kwargs=lambda w, a=a: {"id": w.extra["mu_run_initial"].pk, "action": a},
          data=_version("mu_run_initial", note="理由"), label=a)
      for a in ("recompute", "start_publicity", "discard")],
    api("POST", "/api/v1/mu-runs/{id}/actions/{action}", allowed=EVALUATORS,
        kwargs=lambda w: {"id": w.extra["mu_run_closing"].pk, "action": "publish"}, data=_version("mu_run_closing"),
        label="publish"),
    api("POST", "/api/v1/mu-runs/{id}/grade-changes", allowed=EVALUATORS, ok=201, kwargs=_id("mu_run_initial"),
        data=lambda w: {"result": w.extra["mu_result_initial_a"].pk, "to_grade": "D", "reason": "矩阵"}),
    # Issue 16 item 9: where a client learns the ids the two routes below act on.
    api("GET", "/api/v1/mu-grade-changes", allowed=EVALUATORS),
    api("GET", "/api/v1/mu-objections", allowed=EVALUATORS),
    *[api("POST", "/api/v1/mu-grade-changes/{id}/actions/{action}", allowed={Role.MU_OFFICE},
          kwargs=lambda w, a=a: {"id": w.extra["mu_change"].pk, "action": a}, data=lambda w: {"note": "矩阵"},
          label=a) for a in ("approve_grade", "reject_grade")],
    api("POST", "/api/v1/mu-objections/{id}/actions/{action}", allowed=EVALUATORS,
        kwargs=lambda w: {"id": w.extra["mu_objection"].pk, "action": "uphold"},
        data=lambda w: {"reason": "成立", "corrections": {"tax": "320"}}, label="uphold"),
    api("POST", "/api/v1/mu-objections/{id}/actions/{action}", allowed=EVALUATORS,
        kwargs=lambda w: {"id": w.extra["mu_objection"].pk, "action": "dismiss"},
        data=lambda w: {"reason": "不成立"}, label="dismiss"),
    api("GET", "/api/v1/enterprises/{id}/mu-results", allowed=READERS | FIRM,
        kwargs=lambda w: {"id": w.enterprise_a.pk}, label="own"),
    api("GET", "/api/v1/enterprises/{id}/mu-results", allowed=READERS,
        kwargs=lambda w: {"id": w.enterprise_b.pk}, scope={**OTHER_COUNTY, **NOT_OWN}, label="county B's firm"),
    api("GET", "/api/v1/me/mu-results", allowed=FIRM),
    api("POST", "/api/v1/me/mu-results/{id}/objections", allowed=FIRM, ok=201, kwargs=_id("mu_result_own"),
        data=lambda w: {"text": "又一条异议"}, label="own"),
    api("POST", "/api/v1/me/mu-results/{id}/objections", allowed=FIRM, kwargs=_id("mu_result_other"),
        data=lambda w: {"text": "x"}, scope=NOT_OWN, label="another firm's"),
]
