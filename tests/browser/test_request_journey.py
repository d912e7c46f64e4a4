"""A request for evidence from asking to accepting, in a real browser.

An inspector, working in Welsh and with the keyboard alone, asks ERW for a
document; the nominee shares it out to a contributor; the contributor
uploads a file against it; the inspector returns it with a reason; the
contributor, who sees the reason, uploads again; the inspector accepts it,
and the request takes no more evidence.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .browser_support import (
    CONTRIBUTOR,
    FILES,
    INSPECTOR,
    NOMINEE,
    Browsers,
    Demo,
    go,
)

pytestmark = pytest.mark.slow

TITLE = "Governance handbook"
TITLE_CY = "Llawlyfr llywodraethu"
REASON = "This is the 2019 handbook. Please send the one in force now."


def focused(page: Page) -> str:
    """What has the keyboard focus: its id, or else its tag and text."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.id || (e.tagName + ':'"
            " + (e.getAttribute('href') || e.textContent.trim())); }"
        )
    )


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        seen.append(focused(page))
    raise AssertionError(f"Tab never reached {selector}: {seen}")


def type_into(page: Page, field_id: str, text: str) -> None:
    """Tab to the next box, check it is the one expected, and type."""
    page.keyboard.press("Tab")
    assert focused(page) == field_id, (field_id, focused(page))
    page.keyboard.type(text)


def upload(page: Page, request_url: str, name: str) -> None:
    go(page, request_url, "en")
    form = page.locator("main form.app-request-upload")
    form.locator("input[type=file]").set_input_files(FILES / name)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.split("?")[0].endswith(request_url)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Uploaded: {name}."
    )
    evidence = page.locator("main table.govuk-table")
    expect(evidence.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.locator("main .govuk-summary-list")).to_contain_text("Submitted")


def decide(page: Page, request_url: str, choice: str, reason: str = "") -> None:
    """The inspector's decision, in Welsh: by the radios' values, not labels."""
    go(page, request_url, "cy")
    form = page.locator("main form[action$='/decision']")
    form.locator(f"input[name=decision][value={choice}]").check()
    if reason:
        # The reason box is revealed by the "return" choice.
        expect(page.locator("#reason")).to_be_visible()
        page.fill("#reason", reason)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.split("?")[0].endswith(request_url)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()


def test_a_request_from_asking_to_accepting(browsers: Browsers, demo: Demo) -> None:
    list_url = f"{demo.erw}/requests"

    # The inspector, in Welsh, with the keyboard only: from the list to the form.
    inspector = browsers.page(INSPECTOR)
    go(inspector, list_url, "cy")
    tab_to(inspector, f'main a[href="{list_url}/new"]')
    with inspector.expect_navigation():
        inspector.keyboard.press("Enter")
    expect(inspector.locator("html")).to_have_attribute("lang", "cy")
    tab_to(inspector, "#title")
    inspector.keyboard.type(TITLE)
    type_into(inspector, "title_cy", TITLE_CY)
    type_into(inspector, "description", "The version the board adopted.")
    type_into(inspector, "theme", "Governance")
    type_into(inspector, "due_date-day", "18")
    type_into(inspector, "due_date-month", "12")
    type_into(inspector, "due_date-year", "2030")
    inspector.keyboard.press("Tab")
    expect(inspector.locator("main form button[type=submit]")).to_be_focused()
    with inspector.expect_navigation():
        inspector.keyboard.press("Enter")
    # The new request's page, in Welsh: the Welsh title, the date in Welsh.
    expect(inspector.locator("main h1")).to_have_text(TITLE_CY)
    expect(inspector.locator("main .govuk-summary-list")).to_contain_text(
        "18 Rhagfyr 2030"
    )
    request_url = "/" + inspector.url.split("/", 3)[3].split("?")[0]
    assert re.fullmatch(r"/requests/[0-9a-f-]{36}", request_url), request_url
    ref = re.search(r"R-\d{3}", inspector.locator("main .govuk-caption-l").inner_text())
    assert ref, "no reference on the request page"

    # The nominee shares it out to the contributor.
    nominee = browsers.page(NOMINEE)
    go(nominee, request_url, "en")
    expect(nominee.locator("main h1")).to_have_text(TITLE)
    nominee.get_by_label("ERW Contributor", exact=True).check()
    with nominee.expect_navigation():
        nominee.get_by_role("button", name="Save who answers it").click()
    expect(nominee.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Who answers {ref.group(0)} was saved."
    )
    expect(nominee.locator("main .govuk-summary-list")).to_contain_text(
        "ERW Contributor"
    )

    # The contributor answers it with a file.
    contributor = browsers.page(CONTRIBUTOR)
    upload(contributor, request_url, "report.pdf")

    # The inspector returns it, with a reason.
    decide(inspector, request_url, "return", REASON)
    expect(inspector.locator("main .govuk-tag--orange").first).to_be_visible()

    # The contributor sees why, and uploads again.
    go(contributor, request_url, "en")
    expect(contributor.locator("main .govuk-inset-text")).to_contain_text(REASON)
    expect(contributor.locator("main .govuk-summary-list")).to_contain_text("Returned")
    upload(contributor, request_url, "minutes.odt")
    expect(contributor.locator("main .govuk-summary-list")).to_contain_text(REASON)

    # The inspector accepts it: nothing is left to decide.
    decide(inspector, request_url, "accept")
    expect(inspector.locator("main .govuk-tag--green").first).to_be_visible()
    expect(inspector.locator("main form[action$='/decision']")).to_have_count(0)
    expect(inspector.locator("main table.govuk-table tbody tr")).to_have_count(2)

    # Finished: no more uploads, and the list shows it accepted, with both files.
    go(contributor, request_url, "en")
    expect(contributor.locator("main .govuk-summary-list")).to_contain_text("Accepted")
    expect(contributor.locator("main form.app-request-upload")).to_have_count(0)
    go(contributor, list_url, "en")
    row = contributor.locator("main table.govuk-table tr", has_text=TITLE)
    expect(row).to_contain_text(ref.group(0))
    expect(row).to_contain_text("Accepted")
    expect(row.locator("td").last).to_have_text("2")
