"""The notes panel and pages, and the notifications page, without JavaScript."""

from __future__ import annotations

import re

from app.core.db import db
from app.reviews.models import ReviewStatus
from support.pages import PageClient, heading
from support.world import World


def signed_in(app, world: World, who: str) -> PageClient:
    browser = PageClient(app.test_client())
    assert browser.sign_in(world.users[who].email).status_code == 302
    return browser


def notes_section(html: str) -> str:
    found = re.search(r'<section class="app-notes".*?</section>', html, re.S)
    assert found, "no notes panel on the page"
    return found[0]


def test_a_note_with_a_mention_from_the_review_page(world: World, app) -> None:
    inspector = signed_in(app, world, "inspector")
    review_page = f"/reviews/{world.review.id}"
    lead = world.users["audit_lead"]
    added = inspector.submit(
        review_page,
        {
            "subject_type": "review",
            "subject_id": str(world.review.id),
            "body": "Governance looks **strong**. <script>alert(1)</script>",
            "scope": "joint",
            "mentions": [str(lead.id)],
        },
        action=f"{review_page}/notes",
    )
    assert added.status_code == 302
    assert added.headers["Location"].startswith(review_page + "#note-")
    panel = notes_section(inspector.text(review_page))
    assert "<strong>strong</strong>" in panel
    assert "<script>" not in panel and "&lt;script&gt;" in panel
    assert "Joint" in panel

    audit = signed_in(app, world, "audit_lead")
    home = audit.text("/")
    assert '<span class="app-count" aria-hidden="true">1</span>' in home
    assert "(1 unread)" in home
    listing = audit.text("/notifications")
    assert heading(listing) == "Notifications"
    assert "mentioned you in a note" in listing
    opened = audit.get(re.search(r'href="(/notifications/[^"]+/open)"', listing)[1])
    assert opened.status_code == 302
    assert audit.get(opened.headers["Location"]).status_code == 302  # /notes/ID
    assert "unread" not in audit.text("/")


def test_the_reviewed_party_talks_in_its_workspace(world: World, app) -> None:
    nominee = signed_in(app, world, "nominee")
    workspace_page = f"/workspaces/{world.ws.id}"
    html = nominee.text(workspace_page)
    # No scope to choose, and nobody of another consortium to mention.
    assert 'name="scope"' not in notes_section(html)
    for other in ("csc_nominee", "csc_contributor"):
        assert world.users[other].name not in html
        assert str(world.users[other].id) not in html
    added = nominee.submit(
        workspace_page,
        {
            "subject_type": "workspace",
            "subject_id": str(world.ws.id),
            "body": "We will send the minutes on Friday.",
        },
        action=f"/reviews/{world.review.id}/notes",
    )
    assert added.status_code == 302
    inspector = signed_in(app, world, "inspector")
    panel = notes_section(inspector.text(workspace_page))
    assert "We will send the minutes on Friday." in panel
    assert "Shared with" in panel
    assert signed_in(app, world, "csc_nominee").get(workspace_page).status_code == 404


def test_reply_change_and_delete(world: World, app, api) -> None:
    note = (
        api("inspector")
        .post(f"/reviews/{world.review.id}/notes", json={"body": "First thoughts"})
        .get_json()
    )
    lead = signed_in(app, world, "lead_officer")
    reply_page = f"/notes/{note['id']}/reply"
    assert heading(lead.text(reply_page)) == "Reply to a note"
    replied = lead.submit(
        reply_page,
        {
            "subject_type": "review",
            "subject_id": str(world.review.id),
            "reply_to": note["id"],
            "body": "Agreed",
        },
        action=f"/reviews/{world.review.id}/notes",
    )
    assert replied.status_code == 302

    inspector = signed_in(app, world, "inspector")
    edit_page = f"/notes/{note['id']}/edit"
    assert "First thoughts" in inspector.text(edit_page)
    changed = inspector.submit(edit_page, {"body": "Second thoughts"})
    assert changed.status_code == 302
    panel = notes_section(inspector.text(f"/reviews/{world.review.id}"))
    assert "Second thoughts" in panel and "edited" in panel
    assert re.search(r'class="app-note-replies".*Agreed', panel, re.S)

    delete_page = f"/notes/{note['id']}/delete"
    assert (
        heading(lead.text(delete_page)) == "Are you sure you want to delete this note?"
    )
    assert lead.submit(delete_page, {}).status_code == 302
    panel = notes_section(inspector.text(f"/reviews/{world.review.id}"))
    assert "Second thoughts" not in panel and "Agreed" in panel


def test_a_bad_note_is_shown_again_with_the_problem(world: World, app) -> None:
    inspector = signed_in(app, world, "inspector")
    review_page = f"/reviews/{world.review.id}"
    answer = inspector.submit(
        review_page,
        {"subject_type": "review", "subject_id": str(world.review.id), "body": ""},
        action=f"{review_page}/notes",
    )
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "govuk-error-summary" in html and "Enter the note" in html
    # A mention of someone who cannot see a body-only note: said on the form.
    refused = inspector.submit(
        review_page,
        {
            "subject_type": "review",
            "subject_id": str(world.review.id),
            "body": "Estyn only",
            "scope": "body",
            "mentions": [str(world.users["audit_lead"].id)],
        },
        action=f"{review_page}/notes",
    )
    assert refused.status_code == 200
    assert "cannot see this note" in refused.get_data(as_text=True)


def test_observers_read_and_closed_reviews_take_no_notes(
    world: World, app, api
) -> None:
    api("inspector").post(f"/reviews/{world.review.id}/notes", json={"body": "Hello"})
    observer = signed_in(app, world, "observer")
    panel = notes_section(observer.text(f"/reviews/{world.review.id}"))
    assert "Hello" in panel and "<form" not in panel
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    inspector = signed_in(app, world, "inspector")
    panel = notes_section(inspector.text(f"/reviews/{world.review.id}"))
    assert "Hello" in panel and "<form" not in panel
