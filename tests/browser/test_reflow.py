"""WCAG 2.2 1.4.10 (reflow): at 320 CSS pixels wide the pages scroll only
up and down. A wide table scrolls sideways inside its own region, which the
keyboard can reach."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser_support import INSPECTOR, NOMINEE, Browsers, Demo, go

pytestmark = pytest.mark.slow

NARROW = {"width": 320, "height": 640}


def _pages(demo: Demo) -> list[tuple[str, str]]:
    return [
        (NOMINEE, demo.erw),
        (NOMINEE, demo.erw_item),
        (NOMINEE, demo.erw + "/requests"),
        (INSPECTOR, demo.url(f"/reviews/{demo.review_id}/progress")),
    ]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_pages_reflow_at_320_pixels(browsers: Browsers, demo: Demo, lang: str) -> None:
    for who, url in _pages(demo):
        page = browsers.page(who, viewport=NARROW)
        go(page, url, lang)
        expect(page.locator("main h1")).to_be_visible()
        overflow = page.evaluate(
            "(d => d.scrollWidth - d.clientWidth)(document.documentElement)"
        )
        assert overflow <= 0, f"{url} ({lang}) is {overflow} px too wide at 320 px"
        page.close()


def test_wide_tables_scroll_by_keyboard(browsers: Browsers, demo: Demo) -> None:
    page = browsers.page(INSPECTOR, viewport=NARROW)
    go(page, demo.url(f"/reviews/{demo.review_id}/progress"), "en")
    region = page.get_by_role("region", name="Requests by workspace")
    expect(region).to_be_visible()
    # The table is wider than the screen, so there is something to scroll.
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    region.focus()
    before = region.evaluate("e => e.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: wait for the scroll to take effect.
    page.wait_for_function(
        "([e, before]) => e.scrollLeft > before",
        arg=[region.element_handle(), before],
        timeout=5_000,
    )
    assert region.evaluate("e => e.scrollLeft") > before
