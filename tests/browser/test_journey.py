"""The issue's journey, in a real browser.

A consortium contributor signs in, switches to Welsh and back, uploads two
files to their workspace (with JavaScript: one request per file, with a
progress bar), sees them listed, and downloads one byte for byte; another
consortium cannot reach any of it. Inspectors of both bodies see all four
workspaces. Uploading works without JavaScript, and signing in works with
the keyboard alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .browser_support import (
    CONSORTIA,
    CONTRIBUTOR,
    FILES,
    PASSWORD,
    Browsers,
    Demo,
    sign_in,
    submit,
)

pytestmark = pytest.mark.slow

REVIEW_TITLE = "Improving schools through regional education consortia"
REVIEW_TITLE_CY = "Gwella ysgolion drwy gonsortia addysg rhanbarthol"
OTHER_CONTRIBUTOR = "contributor@csc.demo.example"


def _switch_language(page: Page, to: str) -> None:
    """Follow the header's link to the other language."""
    link = page.locator(f"header a[hreflang={to}]")
    expect(link).to_have_attribute("lang", to)
    with page.expect_navigation():
        link.click()
    expect(page.locator("html")).to_have_attribute("lang", to)


def test_contributor_uploads_sees_and_downloads(
    browsers: Browsers, demo: Demo, tmp_path: Path
) -> None:
    page = browsers.page()
    sign_in(page, CONTRIBUTOR)
    # Other tests may have left this user in Welsh: start from English.
    assert page.url.rstrip("/") == demo.base_url
    page.goto("/?lang=en")
    expect(page.locator("main h1")).to_have_text("My reviews")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Welsh, and back.
    _switch_language(page, "cy")
    expect(page.locator("header a[hreflang=en]")).to_have_text("English")
    expect(page.get_by_role("link", name=REVIEW_TITLE_CY)).to_be_visible()
    expect(page.locator("main h1")).to_have_text("Fy adolygiadau")
    expect(page.locator("header")).to_contain_text("Ystafell Arolygu ar y Cyd")
    expect(page.locator("header")).to_contain_text("Allgofnodi")
    # The language stays with the user from page to page.
    page.get_by_role("link", name=REVIEW_TITLE_CY).click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("main h1")).to_have_text(REVIEW_TITLE_CY)
    _switch_language(page, "en")
    expect(page.locator("header a[hreflang=cy]")).to_have_text("Cymraeg")
    # The same page (the review), now in English.
    expect(page.locator("main h1")).to_have_text(REVIEW_TITLE)
    expect(page.locator("header")).to_contain_text("Sign out")

    # To the workspace: a contributor sees only their own.
    workspaces = page.locator("main #workspace-list a")
    expect(workspaces).to_have_text(["ERW"])
    workspaces.first.click()
    expect(page.locator("main h1")).to_have_text("ERW")
    workspace_url = page.url
    assert workspace_url.endswith(demo.erw)

    # Two files through the file chooser; one request each, with progress.
    expect(page.locator("body.js-enabled")).to_have_count(1)
    with page.expect_file_chooser() as chooser:
        page.locator("form[data-module=app-upload] #file").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files([FILES / "report.pdf", FILES / "attendance.csv"])
    expect(page.locator(".govuk-file-upload-button__status")).to_contain_text(
        "2 files chosen"
    )
    with page.expect_response(lambda r: r.url.endswith("/upload")) as first:
        page.get_by_role("button", name="Upload", exact=True).click()
    assert first.value.status == 200
    rows = page.locator(".app-upload-list__item")
    expect(rows).to_have_count(2)
    expect(page.locator(".app-upload-finished")).to_be_visible()
    expect(rows.nth(0)).to_contain_text("report.pdf")
    expect(rows.nth(1)).to_contain_text("attendance.csv")
    done = page.locator(".app-upload-list").get_attribute("data-text-done")
    assert done
    expect(page.locator(".app-upload-list__status a")).to_have_text([done, done])
    expect(page.locator(".app-upload-list__status--error")).to_have_count(0)
    for progress in page.locator("progress").all():
        expect(progress).to_have_js_property("value", 100)
    # The link to the new list has the focus.
    expect(page.locator(".app-upload-finished a")).to_be_focused()

    # Listed after a reload.
    page.reload()
    table = page.locator("main table.govuk-table")
    for name in ("report.pdf", "attendance.csv"):
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(table).to_contain_text("ERW Contributor")

    # Downloaded byte for byte.
    table.get_by_role("link", name="report.pdf", exact=True).click()
    expect(page.locator("main h1")).to_have_text("report.pdf")
    item_url = page.url
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.failure() is None
    # Saved under the item's reference and marking, then its own name.
    reference = page.locator(".govuk-summary-list__value").first.inner_text().strip()
    assert re.fullmatch(r"ERW-\d{3}", reference), reference
    assert download.suggested_filename == f"{reference} OFFICIAL report.pdf"
    saved = tmp_path / "report.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == (FILES / "report.pdf").read_bytes()

    # Another consortium cannot reach the workspace, the item or the file.
    other = browsers.page(OTHER_CONTRIBUTOR)
    for url in (workspace_url, item_url, item_url + "/download"):
        response = other.goto(url)
        assert response is not None and response.status == 404, url
        expect(other.locator("main h1")).to_have_text("Page not found")
        expect(other.locator("main")).not_to_contain_text("report.pdf")
    other.goto("/")
    other.get_by_role("link", name=REVIEW_TITLE).click()
    expect(other.locator("main #workspace-list a")).to_have_text(
        ["Central South Consortium"]
    )


@pytest.mark.parametrize(
    "inspector", ["inspector@estyn.demo.example", "inspector@audit.demo.example"]
)
def test_inspectors_see_every_workspace(
    browsers: Browsers, demo: Demo, inspector: str
) -> None:
    page = browsers.page(inspector)
    page.goto("/?lang=en")
    page.get_by_role("link", name=REVIEW_TITLE).click()
    expect(page.locator("main h1")).to_have_text(REVIEW_TITLE)
    links = page.locator("main #workspace-list a")
    expect(links).to_have_count(len(CONSORTIA))
    assert sorted(links.all_inner_texts()) == sorted(CONSORTIA.values())
    hrefs = sorted(link.get_attribute("href") or "" for link in links.all())
    assert hrefs == sorted(f"/workspaces/{w}" for w in demo.workspaces.values())
    # And can open one that is not their own organisation's.
    links.filter(has_text="GwE").click()
    expect(page.locator("main h1")).to_have_text("GwE")


def test_upload_without_javascript(browsers: Browsers, demo: Demo) -> None:
    page = browsers.page(CONTRIBUTOR, java_script_enabled=False)
    page.goto(demo.erw + "?lang=en")
    expect(page.locator("main h1")).to_have_text("ERW")
    expect(page.locator("body.js-enabled")).to_have_count(0)
    chooser = page.locator("form[data-module=app-upload] input[type=file]")
    expect(chooser).to_have_attribute("multiple", "")
    chooser.set_input_files([FILES / "minutes.odt", FILES / "chart.png"])
    submit(page, "form[data-module=app-upload]")
    assert page.url.split("?")[0].endswith(demo.erw)
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Uploaded: minutes.odt, chart.png.")
    expect(page.locator(".govuk-notification-banner--error")).to_have_count(0)
    table = page.locator("main table.govuk-table")
    for name in ("minutes.odt", "chart.png"):
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()


def test_keyboard_only_sign_in(browsers: Browsers, demo: Demo) -> None:
    page = browsers.page()
    page.goto("/sign-in?lang=en")
    focused: list[str] = []
    for _ in range(15):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.id || e.className || e.tagName; }"
            )
        )
        if focused[-1] == "email":
            break
    assert focused[0] == "govuk-skip-link", focused  # the first stop: skip link
    assert focused[-1] == "email", f"Tab never reached the e-mail box: {focused}"
    page.keyboard.type(CONTRIBUTOR)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("My reviews")
    assert page.url.rstrip("/") == demo.base_url
