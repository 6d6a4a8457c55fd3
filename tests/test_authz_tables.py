"""The authorization matrix reads the transition tables (issue 11): every action a person may take
in any state machine has a matrix row on a route that takes it, and no role the table leaves
out succeeds there.

The tables are found, not listed: every module-level ``core.transitions.TransitionTable`` of the
application once its routes are loaded (a new machine is picked up by itself). ``ROUTES`` says,
per machine, which routes take its actions and how a row names the action; a machine missing
from it fails, so a new machine must say where its buttons post. A table's ``SYSTEM`` rows
(the daily job, the scan) need no route.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

from django.urls import get_resolver

from tests.authz_matrix import Row, discover_rows, is_success
from tests.world import PERSONAS
from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import TransitionTable

discover_rows()

Covers = Callable[[Row, str], bool]


class _Anything:
    """Stands in for the world when reading a row's URL parameters: whatever a builder looks up
    (``w.extra[key].pk``, ``w.units["city"].code`` …) is another stand-in; the literal values it
    puts beside them (``"action": "publish"``) are what the test reads."""

    def __getattr__(self, name: str) -> _Anything:
        return _Anything()

    def __getitem__(self, key: object) -> _Anything:
        return _Anything()


def _kwargs(row: Row) -> dict[str, Any]:
    if row.kwargs is None:
        return {}
    try:
        return dict(row.kwargs(_Anything()))  # type: ignore[arg-type]
    except Exception:  # a builder that computes with the world names no literal action
        return {}


def action_in_kwargs(target: str) -> Covers:
    """One route for every action, the action a URL parameter (``{"action": …}``)."""
    return lambda row, action: row.target == target and row.method == "POST" and _kwargs(row).get("action") == action


def action_in_path(prefix: str, names: Callable[[str], tuple[str, ...]] = lambda a: (a,)) -> Covers:
    """An API operation per action: ``prefix`` + the action's public name(s)."""
    return lambda row, action: row.method == "POST" and any(row.target == prefix + n for n in names(action))


def action_in_url_name(template: str) -> Covers:
    """A named URL per action, e.g. ``catalog:edition_{action}``."""
    return lambda row, action: row.method == "POST" and row.target == template.format(action=action)


def one_route(*targets: str) -> Covers:
    """One route takes every action of the machine (the body chooses, e.g. the stage picked)."""
    return lambda row, action: row.method == "POST" and row.target in targets


def _matter_api_names(action: str) -> tuple[str, ...]:
    from zhaoyin.matters import api

    names: dict[str, tuple[str, ...]] = getattr(api, "ACTION_NAMES", {})
    return names.get(action, (action,))


#: table name → the routes that take its manual actions.
ROUTES: dict[str, tuple[Covers, ...]] = {
    "policy": (action_in_kwargs("policies:action"), action_in_kwargs("/api/v1/policies/{id}/actions/{action}")),
    "catalog_edition": (action_in_url_name("catalog:edition_{action}"),),
    "project_stage": (one_route("projects:stage_change", "/api/v1/projects/{id}/stages"),),
    "fund_entry": (
        lambda row, action: action == "correct" and one_route("projects:fund_correct")(row, action),
        # 核查 (issue 15): the verifier's page actions and API operations, one per action.
        lambda row, action: action == "verify" and row.method == "POST"
        and row.target in ("projects:fund_verify", "/api/v1/projects/{id}/funds/{entry_id}/verify"),
        lambda row, action: action == "reject" and row.method == "POST"
        and row.target in ("projects:fund_reject", "/api/v1/projects/{id}/funds/{entry_id}/reject"),
    ),
    "matter": (
        action_in_path("/api/v1/matters/{id}/actions/", _matter_api_names),
        action_in_kwargs("matters:action"),
    ),
    "payout": (
        action_in_kwargs("payouts:action"), action_in_kwargs("/api/v1/payouts/{id}/actions/{action}"),
        # Issue 15: the firm's own steps (意愿确认, 已到账) in its portal.
        action_in_kwargs("payouts:benefit_action"), action_in_kwargs("/api/v1/me/benefits/{id}/actions/{action}"),
    ),
    "recognition": (
        action_in_kwargs("recognition:action"),
        action_in_kwargs("/api/v1/recognitions/{id}/actions/{action}"),
        action_in_kwargs("recognition:mine_action"),
        action_in_kwargs("/api/v1/me/recognitions/{id}/actions/{action}"),
        # The objection rows keep the state and have their own routes.
        lambda row, action: action == "object" and row.method == "POST"
        and row.target in ("recognition:objection_add", "/api/v1/recognitions/{id}/objections"),
        lambda row, action: action == "answer" and row.method == "POST"
        and row.target
        in ("recognition:objection_answer", "/api/v1/recognitions/{id}/objections/{objection_id}/answer"),
    ),
    "talent_payout": (
        action_in_kwargs("payouts:action"), action_in_kwargs("/api/v1/payouts/{id}/actions/{action}"),
    ),
    "apartment_application": (
        action_in_kwargs("apartments:application_action"),
        action_in_kwargs("/api/v1/apartment-applications/{id}/actions/{action}"),
    ),
    "apartment_tenancy": (
        action_in_kwargs("apartments:tenancy_action"),
        action_in_kwargs("/api/v1/apartment-applications/{id}/actions/{action}"),
    ),
    "subsidy_application": (
        action_in_kwargs("payouts:application_action"),
        action_in_kwargs("/api/v1/subsidy-applications/{id}/actions/{action}"),
        action_in_kwargs("payouts:application_mine_action"),
        action_in_kwargs("/api/v1/me/subsidy-applications/{id}/actions/{action}"),
    ),
    "talent_project": (
        action_in_path("/api/v1/talent-projects/{id}/actions/"),
        action_in_kwargs("talentprojects:action"),
        # The talent's own withdrawal (portal page, /me).
        action_in_path("/api/v1/me/talent-projects/{id}/actions/"),
        lambda row, action: action == "withdraw" and row.method == "POST"
        and row.target == "talentprojects:mine_withdraw",
    ),
    # 亩均 runs (issue 14): the steps on /actions/; 调档 and 异议 on their own routes.
    "mujun_run": (
        action_in_kwargs("mujun:run_action"),
        action_in_kwargs("/api/v1/mu-runs/{id}/actions/{action}"),
        lambda row, action: action == "propose_grade" and row.method == "POST"
        and row.target in ("mujun:grade_propose", "/api/v1/mu-runs/{id}/grade-changes"),
        action_in_kwargs("mujun:grade_decide"),
        action_in_kwargs("/api/v1/mu-grade-changes/{id}/actions/{action}"),
        lambda row, action: action == "object" and row.method == "POST"
        and row.target in ("mujun:mine_object", "/api/v1/me/mu-results/{id}/objections"),
        action_in_kwargs("mujun:objection_answer"),
        action_in_kwargs("/api/v1/mu-objections/{id}/actions/{action}"),
    ),
}


def tables() -> list[TransitionTable[Any, Any]]:
    """Every transition table of the application (module level, outside the tests)."""
    get_resolver().url_patterns  # noqa: B018 - loads every view, API and service module
    found: dict[int, TransitionTable[Any, Any]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("zhaoyin.") or ".tests" in name:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, TransitionTable):
                found[id(value)] = value
    return sorted(found.values(), key=lambda t: t.name)


def covering_rows(table: TransitionTable[Any, Any], action: str) -> Iterator[Row]:
    for row in discover_rows():
        if any(covers(row, action) for covers in ROUTES[table.name]):
            yield row


def test_the_tables_are_found() -> None:
    names = {t.name for t in tables()}
    assert {"policy", "catalog_edition", "project_stage", "fund_entry"} <= names


def test_every_machine_says_where_its_actions_are_routed() -> None:
    missing = sorted(t.name for t in tables() if t.name not in ROUTES)
    assert not missing, f"add the routes of {missing} to ROUTES"


def test_every_manual_action_of_every_table_has_a_matrix_row() -> None:
    missing = [
        f"{t.name}.{r.action}"
        for t in tables()
        if t.name in ROUTES
        for r in t.rows
        if r.manual and not any(True for _row in covering_rows(t, str(r.action)))
    ]
    assert not missing, f"no matrix row takes these actions: {missing}"


def test_no_role_the_table_leaves_out_succeeds_on_its_routes() -> None:
    """For machines whose actors are role codes: a row's succeeding roles are the action's actors."""
    roles = {r.value for r in Role}
    problems = []
    for t in tables():
        if t.name not in ROUTES:
            continue
        for r in t.rows:
            if not r.manual or not set(r.actors) <= roles:
                continue  # actors are relations to the object (matters): the rows state them
            for row in covering_rows(t, str(r.action)):
                succeeding = {p for p in PERSONAS if p in roles and is_success(row.expected(p))}
                if succeeding - set(r.actors):
                    problems.append(f"{row.id}: {sorted(succeeding - set(r.actors))} not in {t.name}.{r.action}")
    assert not problems, problems


def test_a_new_manual_row_without_a_route_is_caught() -> None:
    """The check fails when a table gains an action no matrix row takes."""
    from zhaoyin.catalog import flow
    from zhaoyin.core.transitions import row

    rows: tuple[Any, ...] = (*flow.TABLE.rows, row("reprint", {"published"}, "published", {"city_admin"}, "Reprint"))
    grown: TransitionTable[Any, Any] = TransitionTable(
        name=flow.TABLE.name,
        states=flow.TABLE.states,
        initial=flow.TABLE.initial,
        terminal=flow.TABLE.terminal,
        rows=rows,
    )
    assert not any(True for _row in covering_rows(grown, "reprint"))
    assert all(any(True for _row in covering_rows(grown, str(r.action))) for r in flow.TABLE.rows)
