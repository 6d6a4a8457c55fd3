"""The two transition tables: every move is a row, each row's actors and flags."""

from __future__ import annotations

from zhaoyin.apartments.flow import (
    API_ACTIONS,
    APPLICATION_TABLE,
    HOUSING,
    REVIEWERS,
    TENANCY_TABLE,
    ApplicationAction,
    TenancyAction,
)
from zhaoyin.apartments.models import ApplicationState, TenancyState
from zhaoyin.core.transitions import SYSTEM


def test_application_moves_are_the_table() -> None:
    moves = {(s, r.action.value, r.leads_to(s)) for r in APPLICATION_TABLE.rows for s in r.sources}
    assert moves == {
        ("submitted", "review", "waitlisted"),
        ("submitted", "reject", "rejected"),
        ("waitlisted", "reject", "rejected"),
        ("waitlisted", "allocate", "allocated"),
        ("allocated", "release", "waitlisted"),
        ("allocated", "contract", "contracted"),
        ("submitted", "withdraw", "withdrawn"),
        ("waitlisted", "withdraw", "withdrawn"),
        ("allocated", "withdraw", "withdrawn"),
        ("contracted", "close", "ended"),
    }
    assert APPLICATION_TABLE.initial == ApplicationState.SUBMITTED
    assert APPLICATION_TABLE.terminal == {"rejected", "withdrawn", "ended"}


def test_tenancy_moves_are_the_table() -> None:
    moves = {(s, r.action.value, r.leads_to(s)) for r in TENANCY_TABLE.rows for s in r.sources}
    assert moves == {("active", "renew", "active"), ("active", "checkout", "ended")}
    assert TENANCY_TABLE.terminal == {TenancyState.ENDED}


def test_actors() -> None:
    by = APPLICATION_TABLE.by_action
    assert by[ApplicationAction.REVIEW].actors == REVIEWERS
    assert by[ApplicationAction.ALLOCATE].actors == HOUSING
    assert "talent" in by[ApplicationAction.WITHDRAW].actors
    assert "talent" not in by[ApplicationAction.ALLOCATE].actors
    assert by[ApplicationAction.CLOSE].actors == {SYSTEM}
    assert TENANCY_TABLE.by_action[TenancyAction.CHECKOUT].actors == HOUSING
    assert APPLICATION_TABLE.reason_required == {"reject", "release"}


def test_every_manual_action_is_an_api_action() -> None:
    manual = {r.action.value for t in (APPLICATION_TABLE, TENANCY_TABLE) for r in t.rows if r.manual}
    assert set(API_ACTIONS) == manual
    assert "close" not in API_ACTIONS


def test_the_talent_is_told_of_an_allocation() -> None:
    assert APPLICATION_TABLE.by_action[ApplicationAction.ALLOCATE].notify == frozenset({"talent"})
