"""Browser tests: Playwright's sync API driving the system Chromium against a live server.

No `playwright install`: the machine cannot download browsers, so the Debian `chromium`
package is launched directly (platform-notes). Tests here are transactional (the live server
thread needs committed data) and marked ``browser``.

Usage::

    def test_something(logged_in_page, live_server):
        page = logged_in_page(Role.STAFF)
        page.goto(live_server.url + "/enterprises/")
        screenshot(page, "enterprise-list")
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls
# from it unless told the thread is fine (it is: one test at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, FilePayload, Page, Playwright, ViewportSize, expect, sync_playwright

from conftest import PASSWORD
from tests.world import World
from zhaoyin.accounts import totp
from zhaoyin.accounts.models import User
from zhaoyin.core.roles import SECOND_FACTOR_ROLES, Role
from zhaoyin.core.testing import create_audit_triggers, drop_audit_triggers

CHROMIUM = os.environ.get("ZHAOYIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TIMEOUT_MS = 10_000
#: The talent portal is mobile-first: its pages are checked on a phone-sized screen.
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
#: The smallest PDF ``core.files`` accepts (its magic bytes).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


#: A browser test drives the same views and services in both passes of ``make test``; what
#: differs between the databases is proved by those views' and services' own tests, which run
#: in both. So each browser test runs once per ``make test``, in the SQLite pass (the shorter
#: one: ≈ 1 min of Chromium moved off the PostgreSQL pass, the suite's wall time). Alone
#: (``make test-postgres``, one module) it runs on either database.
ONE_PASS = pytest.mark.one_pass("sqlite", reason="a browser path: the same views in both passes; once per make test")


@pytest.hookimpl(tryfirst=True)  # before the root conftest reads the one_pass marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if item.get_closest_marker("one_pass") is None:
                item.add_marker(ONE_PASS)


@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    """Playwright, with Django's database connections unchanged while it runs.

    Playwright's sync API keeps an event loop running in this thread, and while a loop
    runs Django keeps the thread's connections in a separate (context-variable) store: the
    test would get fresh connection objects without the test database's serialized
    contents, and orphan them (PostgreSQL then refuses to drop the test database). The
    thread's existing connection objects are put into that store too.
    """
    current = {alias: connections[alias] for alias in connections}
    with sync_playwright() as pw:
        for alias, wrapper in current.items():
            connections[alias] = wrapper
        yield pw
        connections.close_all()


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package `chromium` (.ci/run does)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture(scope="package", autouse=True)
def _audit_log_flushable(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Let the transactional tests of this package end with their flush.

    A transactional test ends by deleting every row, which the audit log's append-only
    triggers (AUD-03) refuse. They are dropped for this package only and restored after
    its last test (package scope: set up before, torn down after every function fixture).
    """
    with django_db_blocker.unblock():
        drop_audit_triggers()
    yield
    with django_db_blocker.unblock():
        # The last flush also emptied what migrations seed (dictionaries): put it back for
        # whatever transactional test runs next, as serialized_rollback would.
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)
        create_audit_triggers()


@pytest.fixture
def page(
    browser: Browser, live_server: Any, transactional_db: None, django_db_serialized_rollback: None
) -> Iterator[Page]:
    """A fresh browser context on the live server (seeded dictionaries present, zh-CN)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG under var/screenshots/ (for the docs and for eyes)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def sign_in(page: Page, user: User, password: str = PASSWORD) -> None:
    """Fill the sign-in form (with the current TOTP code when the role needs one)."""
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(password)
    if user.has_role(*SECOND_FACTOR_ROLES):
        secret = totp.secret_of(User.objects.get(pk=user.pk))
        assert secret, f"{user.username} has no TOTP secret"
        page.locator('input[name="otp"]').fill(totp.current_code(secret))
    page.locator('form[action$="/accounts/login/"] button[type="submit"]').click()
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def pdf_upload(name: str) -> FilePayload:
    """A PDF document to put into a file input (``set_input_files``)."""
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def fits_the_phone(page: Page) -> None:
    """Fail when the page is wider than the phone (mobile-first portal pages)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"


def staff_page(browser: Browser, live_server: Any, user: User) -> Page:
    """A second browser context on the live server (desktop, zh-CN), signed in as ``user``:
    another person working at the same time as the test's ``page``. Closed with the browser."""
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, user)
    return page


LoggedInPage = Callable[[Role | str], Page]


@pytest.fixture
def logged_in_page(page: Page, world: World) -> LoggedInPage:
    """``logged_in_page(role)``: the page, signed in as the world's persona for ``role``."""

    def login(role: Role | str) -> Page:
        sign_in(page, world.user(role))
        return page

    return login
