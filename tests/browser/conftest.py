"""The portal in a real browser: Chromium driven by Playwright.

One gunicorn for the whole browser suite, on its own database and evidence
store (``PORTAL_TEST_DB`` / ``PORTAL_TEST_STORE`` choose the stack, as for
the rest of the suite), loaded with the demo review (``seed-demo``). One
Chromium for the whole suite; every test opens fresh browser contexts.

The fixtures are package-scoped, not session-scoped: Playwright's sync API
keeps an asyncio loop running on the main thread while it is open, and
Flask (through asgiref) refuses to run an app in a thread with a running
loop, so the rest of the suite must run with Playwright closed.

Signing in through the page is done once per demo user: later contexts of
the same user start from the saved cookies. Nothing here signs out, because
signing out ends the user's sessions in every browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from support.server import (
    PortalServer,
    fresh_database,
    fresh_store_url,
    show_log_tail,
)

from .browser_support import AXE, CHROMIUM, CHROMIUM_ARGS, Browsers, Demo, SharedPages

# The gunicorn log of the running server, shown with any failing browser test.
_server_log: list[Path] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    show_log_tail(report, _server_log, 30)
    return report


@pytest.fixture(scope="package")
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    """``gunicorn --workers 2`` on a free port, with the demo review loaded."""
    workdir = tmp_path_factory.mktemp("browser-server")
    with fresh_database(workdir) as database_url:
        server = PortalServer(
            database_url=database_url,
            store_url=fresh_store_url(request, workdir),
            workdir=workdir,
        )
        _server_log.insert(0, server.log)
        try:
            server.flask("init-db")
            server.flask("seed-demo")
            server.start()
            portal = Demo(server.base_url)
            portal.discover()
            yield portal
        finally:
            server.stop()
            _server_log.clear()


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="package")
def _browsers(chromium: Browser, demo: Demo) -> Browsers:
    return Browsers(chromium, demo)


@pytest.fixture(scope="module")
def axe_pages(_browsers: Browsers) -> Iterator[SharedPages]:
    """A page per user that lets axe-core in: the pages' CSP forbids injected
    scripts, so these contexts bypass it (the CSP is checked in
    ``test_lockdown.py``)."""
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` first"
    pages = SharedPages(_browsers, bypass_csp=True)
    yield pages
    pages.close()


@pytest.fixture
def browsers(_browsers: Browsers) -> Iterator[Browsers]:
    """Browser contexts for the test; those it opens are closed after it."""
    yield _browsers
    _browsers.close_all()
