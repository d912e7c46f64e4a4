"""Every page, in English and in Welsh, passes axe-core's WCAG 2.2 AA rules.

Each page is opened as the kind of user who can see it, and some in their
error states (a failed sign-in, forms submitted empty, a refused upload).
axe-core comes from ``node_modules`` (``npm ci``); the pages'
Content-Security-Policy forbids injected scripts, so the contexts here
bypass it (the CSP itself is checked in ``test_lockdown.py``).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser_support import (
    LANGUAGES,
    PAGES,
    Demo,
    PageCase,
    SharedPages,
    axe_violations,
    describe,
)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", PAGES, ids=[case.name for case in PAGES])
def test_page_has_no_axe_violations(
    axe_pages: SharedPages, demo: Demo, case: PageCase, lang: str
) -> None:
    page = axe_pages.page(case.user)
    case.open(page, demo, lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: {len(violations)} rule(s) violated on {case.name} ({lang}), "
        f"{page.url}:\n{describe(violations)}"
    )
