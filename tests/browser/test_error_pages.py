"""axe-core on the error pages that a person can hardly reach on purpose.

403, 404 and an expired form are opened for real in ``PAGES``. A 413 page
needs a form announcing over 20 times the upload limit, 415 and 500 need a
refusal or a bug in a view; so these three are rendered by the portal's own
app (with views that raise them, in a thread of its own: Flask will not run
in a thread where Playwright's event loop runs) and served to Chromium at
an address of the test server, where the page's styles and script load as
usual. Their content in both languages is checked in
``tests/pages/test_error_pages.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from playwright.sync_api import Route, expect

from support.failing_app import FAILING, failing_app

from .browser_support import (
    LANGUAGES,
    Demo,
    SharedPages,
    axe_violations,
    describe,
)

pytestmark = pytest.mark.slow

HEADINGS = {
    413: {"en": "The file is too large", "cy": "Mae'r ffeil yn rhy fawr"},
    415: {
        "en": "This type of file cannot be uploaded",
        "cy": "Ni ellir uwchlwytho'r math hwn o ffeil",
    },
    500: {
        "en": "Sorry, there is a problem with the service",
        "cy": "Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth",
    },
}


@pytest.fixture(scope="module")
def render() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=1) as thread:
        yield thread


@pytest.fixture(scope="module")
def error_app(
    render: ThreadPoolExecutor, tmp_path_factory: pytest.TempPathFactory
) -> Flask:
    instance = tmp_path_factory.mktemp("error-pages")
    env = {
        "PORTAL_ENV": "development",
        "SECRET_KEY": "browser-error-pages-" + "x" * 32,
        "DATABASE_URL": f"sqlite:///{instance / 'unused.sqlite3'}",
        "EVIDENCE_STORE": "memory:",
    }
    return render.submit(failing_app, env, instance).result()


def rendered(
    render: ThreadPoolExecutor, app: Flask, status: int, lang: str
) -> tuple[int, dict[str, str], str]:
    def get() -> tuple[int, dict[str, str], str]:
        response = app.test_client().get(
            FAILING[status], headers={"Accept-Language": lang}
        )
        return response.status_code, dict(response.headers), response.get_data(True)

    return render.submit(get).result()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("status", sorted(HEADINGS))
def test_error_page_has_no_axe_violations(
    axe_pages: SharedPages,
    demo: Demo,
    render: ThreadPoolExecutor,
    error_app: Flask,
    status: int,
    lang: str,
) -> None:
    code, headers, html = rendered(render, error_app, status, lang)
    assert code == status
    assert "Content-Security-Policy" in headers

    page = axe_pages.page(None)
    address = demo.url(FAILING[status])

    def serve(route: Route) -> None:
        route.fulfill(status=code, headers=headers, body=html)

    page.route(address, serve)
    try:
        page.goto(address)
    finally:
        page.unroute(address)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("main h1")).to_have_text(HEADINGS[status][lang])
    # The portal's styles loaded from the test server, as on any page.
    font = page.locator("main h1").evaluate("h => getComputedStyle(h).fontFamily")
    assert font.startswith("system-ui"), font
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: {len(violations)} rule(s) violated on the {status} page "
        f"({lang}):\n{describe(violations)}"
    )
