"""The hypotheses register, the timetable and the reading figures, in a real
browser: what the demo's story shows each side."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser_support import INSPECTOR, NOMINEE, Browsers, Demo, go

pytestmark = pytest.mark.slow


def test_the_hypotheses_register_filters(browsers: Browsers, demo: Demo) -> None:
    page = browsers.page(INSPECTOR)
    go(page, f"/reviews/{demo.review_id}", "en")
    page.get_by_role("link", name="Hypotheses and emerging findings").click()
    expect(page.locator("main h1")).to_have_text("Hypotheses and emerging findings")
    rows = page.locator("main table.govuk-table tbody tr")
    expect(rows).to_have_count(3)
    # Status in words, not colour alone.
    expect(rows.nth(0)).to_contain_text("Supported")
    page.select_option("#status", "supported")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("H-001")
    with page.expect_navigation():
        rows.first.get_by_role("link").click()
    expect(page.locator("main")).to_contain_text("Head teachers in all four regions")
    # In Welsh, the Welsh statement.
    go(page, page.url.split("?")[0], "cy")
    expect(page.locator("main h1")).to_contain_text("Mae gweithio rhanbarthol")


def test_the_timetable_by_day_for_each_side(browsers: Browsers, demo: Demo) -> None:
    inspector = browsers.page(INSPECTOR)
    go(inspector, f"/reviews/{demo.review_id}/timetable", "en")
    expect(inspector.locator("main h1")).to_have_text("Fieldwork timetable")
    expect(inspector.locator("main table").first).to_contain_text("Team meeting")
    days = inspector.locator("main h3")
    assert days.count() == 16  # four days in each of four regions
    nominee = browsers.page(NOMINEE)
    go(nominee, f"/reviews/{demo.review_id}/timetable", "en")
    expect(nominee.locator("main")).to_contain_text("Interview: managing director")
    expect(nominee.locator("main")).not_to_contain_text("Team meeting")
    expect(nominee.locator("main h3")).to_have_count(4)  # ERW's own visit only


def test_the_reading_figures_move_when_an_item_is_opened(
    browsers: Browsers, demo: Demo
) -> None:
    page = browsers.page("inspector@audit.demo.example")
    go(page, demo.erw, "en")
    figures = page.locator("#reading-figures")
    before = figures.inner_text()
    audit_before = int(re.search(r"Audit Wales (\d+) of", before)[1])
    unread = page.locator("main .app-unread")
    unread_before = unread.count()
    assert unread_before > 0
    first_unread = page.locator("main tbody tr", has=page.locator(".app-unread")).first
    with page.expect_navigation():
        first_unread.get_by_role("link").click()
    expect(page.locator("main")).to_contain_text("Who has read this")
    go(page, demo.erw, "en")
    after = page.locator("#reading-figures").inner_text()
    assert int(re.search(r"Audit Wales (\d+) of", after)[1]) == audit_before + 1
    expect(page.locator("main .app-unread")).to_have_count(unread_before - 1)
    # The organisation under review sees neither the figures nor the marks.
    nominee = browsers.page(NOMINEE)
    go(nominee, demo.erw, "en")
    expect(nominee.locator("#reading-figures")).to_have_count(0)
    expect(nominee.locator("main .app-unread")).to_have_count(0)
