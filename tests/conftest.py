"""Fixtures of the cross-cutting tests: one persona per role and a two-region world (per test, or
per module for the matrix)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from conftest import MakeUser, build_org_tree, user_maker
from tests.authz_matrix import discover_rows
from tests.world import PERSONA_UNITS, WORLD_BUILDERS, World, make_enterprise
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.core.roles import Role
from zhaoyin.enterprises.models import Industry


def build_personas(make: MakeUser) -> dict[str, User]:
    """One account per role, placed as ``PERSONA_UNITS`` says (the enterprise one unlinked)."""
    return {role.value: make(role, unit=unit, username=f"p_{role.value}") for role, unit in PERSONA_UNITS.items()}


def build_world(units: dict[str, OrgUnit], users: dict[str, User]) -> World:
    """The two-region world with every feature's objects (``WORLD_BUILDERS``) in it."""
    industry, _ = Industry.objects.get_or_create(code="it", defaults={"name": "新一代信息技术", "emerging": True})
    enterprise_a = make_enterprise(units["county_a"], units["group_1"], industry, 1, name="大通星辰科技有限公司")
    enterprise_b = make_enterprise(units["county_b"], units["group_2"], industry, 2, name="田家庵远航材料有限公司")
    portal = users[Role.ENTERPRISE.value]
    portal.enterprise = enterprise_a
    portal.save(update_fields=["enterprise"])
    w = World(units=units, users=users, industry=industry, enterprise_a=enterprise_a, enterprise_b=enterprise_b)
    discover_rows()  # authz_rows modules register their world builders on import
    for build in WORLD_BUILDERS:
        build(w)
    return w


@pytest.fixture
def personas(make_user: MakeUser) -> dict[str, User]:
    """One account per role, placed as ``PERSONA_UNITS`` says (the enterprise one unlinked)."""
    return build_personas(make_user)


@pytest.fixture
def world(org_tree: dict[str, OrgUnit], personas: dict[str, User]) -> World:
    return build_world(org_tree, personas)


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world for every test of a module, built once in a transaction rolled back after them.

    Building the world (every feature's objects, eleven accounts) costs about as much as a
    matrix row's requests; the matrix has hundreds of rows. Each test still runs in its own
    savepoint inside this transaction (the ``db`` fixture), so what one test writes is gone
    before the next; take the world through ``shared_world``, which also gives each test
    fresh clients. Not for transactional tests (live server, browser): their data must be
    committed.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Marked like the atomic blocks Django's TestCase opens, so the code under test
        # behaves exactly as in a test of its own (a durable block is allowed inside).
        outer._from_testcase = True  # type: ignore[attr-defined]
        outer.__enter__()
        try:
            units = build_org_tree()
            w = build_world(units, build_personas(user_maker(units)))
            w.sign_in_everyone()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield w
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def shared_world(module_world: World, db: None) -> World:
    """The module's world (see ``module_world``) for one test, in the test's own savepoint."""
    return module_world.fork()
