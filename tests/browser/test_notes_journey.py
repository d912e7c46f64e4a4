"""A note thread with a mention, in a real browser, by keyboard.

An Estyn inspector, with the keyboard alone, writes a joint note on an ERW
evidence item and tells Audit Wales' lead officer about it; the lead
officer sees the count in the header, opens the notification (which takes
them to the note) and replies; ERW's nominee, on the same item, never sees
the joint thread.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser_support import INSPECTOR, NOMINEE, Browsers, Demo, go
from .test_request_journey import tab_to

pytestmark = pytest.mark.slow

AUDIT_LEAD = "lead@audit.demo.example"
NOTE = "The minutes show the board **challenging** the plan."


def test_a_thread_with_a_mention(browsers: Browsers, demo: Demo) -> None:
    item = demo.erw_item
    lead = browsers.page(AUDIT_LEAD)
    go(lead, "/", "en")
    # The demo's agreement work has told the lead officer of other things.
    counts = lead.locator("header .app-count")
    before = int(counts.inner_text()) if counts.count() else 0
    inspector = browsers.page(INSPECTOR)
    go(inspector, item, "en")
    tab_to(inspector, "main form.app-note-form #body")
    inspector.keyboard.type(NOTE)
    # Joint, by keyboard: the first radio, then Space.
    tab_to(inspector, "main form.app-note-form input[name=scope][value=joint]")
    inspector.keyboard.press("Space")
    # Open "Tell people about it" and tick Audit Wales' lead officer.
    tab_to(inspector, "main form.app-note-form summary")
    inspector.keyboard.press("Enter")
    lead_box = inspector.get_by_label("Rhys Morgan (Audit Wales)", exact=False)
    tab_to(inspector, f"#{lead_box.get_attribute('id')}")
    inspector.keyboard.press("Space")
    expect(lead_box).to_be_checked()
    tab_to(inspector, "main form.app-note-form button[type=submit]")
    with inspector.expect_navigation():
        inspector.keyboard.press("Enter")
    expect(inspector.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your note was added."
    )
    note = inspector.locator("main .app-note").last
    expect(note.locator("strong", has_text="challenging")).to_be_visible()
    expect(note).to_contain_text("Joint")

    go(lead, "/", "en")
    expect(lead.locator("header .app-count")).to_have_text(str(before + 1))
    lead.get_by_role("link", name="Notifications").click()
    expect(lead.locator("main h1")).to_have_text("Notifications")
    with lead.expect_navigation():
        lead.get_by_role("link", name="mentioned you in a note").first.click()
    assert lead.url.split("#")[0].split("?")[0].endswith(item)
    if before:
        expect(lead.locator("header .app-count")).to_have_text(str(before))
    else:
        expect(lead.locator("header .app-count")).to_have_count(0)
    thread = lead.locator("main .app-note-thread").last
    with lead.expect_navigation():
        thread.get_by_role("link", name="Reply").first.click()
    expect(lead.locator("main h1")).to_have_text("Reply to a note")
    lead.fill("#body", "Agreed: ask about it in the interview.")
    with lead.expect_navigation():
        lead.get_by_role("button", name="Add note").click()
    replies = lead.locator("main .app-note-thread").last.locator(".app-note-replies")
    expect(replies).to_contain_text("Agreed: ask about it in the interview.")

    # The consortium sees the item, not the inspectors' thread.
    nominee = browsers.page(NOMINEE)
    go(nominee, item, "cy")
    expect(nominee.locator("main .app-notes")).to_be_visible()
    expect(nominee.locator("main .app-notes")).not_to_contain_text("challenging")
    expect(nominee.locator("main .app-notes")).not_to_contain_text("Agreed")
