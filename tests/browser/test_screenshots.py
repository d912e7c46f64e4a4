"""Screenshots of ERW's workspace, in English and in Welsh, for the docs.

Saved to ``docs/screenshots/workspace-{en,cy}.png`` (full page, 1280 px
wide), from the demo's evidence. The header is the service's own: its name
in the page's language, no crown and no GOV.UK logo.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser_support import SCREENSHOTS, Browsers, Demo, go

pytestmark = pytest.mark.slow

SERVICE_NAME = {"en": "Joint Inspection Room", "cy": "Ystafell Arolygu ar y Cyd"}


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_workspace_screenshot(browsers: Browsers, demo: Demo, lang: str) -> None:
    page = browsers.page(
        "nominee@erw.demo.example", viewport={"width": 1280, "height": 800}
    )
    go(page, demo.erw, lang)
    expect(page.locator("main h1")).to_have_text("ERW")
    expect(page.locator("main table.govuk-table tbody tr").first).to_be_visible()

    header = page.locator("header")
    name = SERVICE_NAME[lang]
    expect(header.locator(".govuk-service-navigation__service-name")).to_have_text(name)
    expect(header).not_to_contain_text("GOV.UK")
    crown = ".govuk-header__logo, .govuk-logo, .govuk-header__logotype, svg"
    expect(page.locator(f"header :is({crown})")).to_have_count(0)
    # GOV.UK Frontend's text in the system font stack, never GDS Transport.
    for text in ("main h1", "main .govuk-body, main .govuk-table"):
        font = page.locator(text).first.evaluate("e => getComputedStyle(e).fontFamily")
        assert font.startswith("system-ui") and "GDS Transport" not in font, font

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"workspace-{lang}.png"
    page.screenshot(path=str(target), full_page=True, animations="disabled")
    assert target.stat().st_size > 10_000
