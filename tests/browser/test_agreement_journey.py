"""Agreement in a real browser: a report approved by both bodies through
the pages (partly by keyboard), the comparison of its versions, and an
embargo lifting on the second for a reviewed party's browser."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from .browser_support import INSPECTOR, LEAD, Browsers, Demo, go, submit

pytestmark = pytest.mark.slow

AUDIT_LEAD = "lead@audit.demo.example"
CHAIR = "chair@committee.demo.example"
SCHOOL_HEAD_PREFIX = "head@"


def test_a_report_agreed_by_both_bodies(browsers: Browsers, demo: Demo) -> None:
    inspector = browsers.page(INSPECTOR)
    go(inspector, f"/reviews/{demo.review_id}/drafts", "en")
    with inspector.expect_navigation():
        inspector.get_by_role("link", name="Start a draft").click()
    inspector.get_by_label("One body's report").check()
    inspector.get_by_label("Title", exact=True).fill("Estyn's annex on governance")
    submit(inspector)
    expect(inspector.locator("main h1")).to_have_text("Estyn's annex on governance")
    draft_url = inspector.url.split("?")[0].split("#")[0]
    for text in (
        "Boards meet.\nScrutiny is weak.",
        "Boards meet.\nScrutiny is developing.",
    ):
        go(inspector, draft_url + "/versions/new", "en")
        # By keyboard: the text area, typed into, then the form's button.
        inspector.locator("#text").focus()
        inspector.keyboard.type(text)
        with inspector.expect_navigation():
            inspector.get_by_role("button", name="Add the version").press("Enter")
        expect(inspector.locator(".govuk-notification-banner--success")).to_be_visible()
    # The comparison: the changed line marked in words, not colour alone.
    with inspector.expect_navigation():
        inspector.get_by_role("button", name="Compare").click()
    main = inspector.locator("main")
    expect(main.locator("del", has_text="Scrutiny is weak.")).to_be_visible()
    expect(main.locator("ins", has_text="Scrutiny is developing.")).to_be_visible()
    expect(main).to_contain_text("changed:")
    # Shared with Audit Wales, who could not see it before.
    audit = browsers.page(AUDIT_LEAD)
    missing = audit.goto(draft_url)
    assert missing is not None and missing.status == 404
    go(inspector, draft_url, "en")
    with inspector.expect_navigation():
        inspector.get_by_role("button", name="Share with the other bodies").click()
    # Estyn's lead officer approves; Audit Wales has no objection.
    lead = browsers.page(LEAD)
    go(lead, draft_url, "en")
    lead.get_by_label("Approve", exact=True).check()
    with lead.expect_navigation():
        lead.get_by_role("button", name="Record the decision").click()
    expect(lead.locator("main")).to_contain_text("Awaiting a decision")
    go(audit, draft_url, "en")
    audit.get_by_label("No objection", exact=True).check()
    with audit.expect_navigation():
        audit.get_by_role("button", name="Record the decision").click()
    standing = audit.locator("main table").first
    expect(standing).to_contain_text("Approve")
    expect(standing).to_contain_text("No objection")
    expect(audit.locator("main")).to_contain_text("Agreed")


def test_the_embargo_lifts_on_the_second(browsers: Browsers, demo: Demo) -> None:
    """In the committee's review (one body; the main review's publication
    is the demo's own): a press release agreed and published a few seconds
    ahead. A school's head sees nothing until then, and then sees it."""
    chair = demo.api(CHAIR)
    (review,) = [
        r
        for r in demo.get(chair, "/reviews")["items"]
        if r["title"].startswith("School engagement")
    ]
    made = chair.post(
        demo.url(f"/api/v1/reviews/{review['id']}/drafts"),
        json={"kind": "press_release", "title": "The committee's findings"},
        timeout=30,
    ).json()
    chair.post(
        demo.url(f"/api/v1/drafts/{made['id']}/versions"),
        json={"text": "The committee found strong engagement."},
        timeout=30,
    ).raise_for_status()
    me = demo.get(chair, "/me")
    chair.put(
        demo.url(f"/api/v1/drafts/{made['id']}/approvals/{me['organisation_id']}"),
        json={"decision": "approve", "version": 1},
        timeout=30,
    ).raise_for_status()
    publish_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
    chair.put(
        demo.url(f"/api/v1/reviews/{review['id']}/publication"),
        json={"publish_at": publish_at.isoformat(), "draft_ids": [made["id"]]},
        timeout=30,
    ).raise_for_status()
    chair.put(
        demo.url(f"/api/v1/reviews/{review['id']}/publication/agreement"), timeout=30
    ).raise_for_status()
    workspaces = demo.get(chair, f"/reviews/{review['id']}/workspaces")["items"]
    assert workspaces
    head = browsers.page(_head_of_a_school())
    draft_url = f"/drafts/{made['id']}"
    while datetime.now(UTC) < publish_at - timedelta(seconds=1):
        answer = head.goto(demo.url(draft_url))
        assert answer is not None and answer.status == 404
        time.sleep(0.5)
    while datetime.now(UTC) < publish_at + timedelta(seconds=1):
        time.sleep(0.2)
    go(head, draft_url, "en")
    expect(head.locator("main h1")).to_have_text("The committee's findings")
    expect(head.locator("main")).to_contain_text(
        "The committee found strong engagement."
    )
    go(head, f"/reviews/{review['id']}", "en")
    expect(head.locator("main")).to_contain_text("Published")


def _head_of_a_school() -> str:
    from app.demo import SCHOOLS

    slug = SCHOOLS[0][0]
    return f"{SCHOOL_HEAD_PREFIX}{slug}.demo.example"
