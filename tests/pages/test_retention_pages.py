"""Trash and retention on the pages: what was withdrawn, restored by its
nominee; a review's retention and legal hold set by its lead officers, on a
closed review too; deleted content explained."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.core.db import db, utcnow
from app.evidence.models import EvidenceFile
from support.pages import csrf_token
from support.world import World
from tests.pages.test_drafts_pages import main, signed_in, words


def withdrawn_item(api, world: World) -> dict:
    item = (
        api("nominee").upload(world.ws.id, b"Old minutes\n", "minutes.txt").get_json()
    )
    assert api("nominee").delete(f"/evidence/{item['id']}").status_code == 204
    return item


def test_the_nominee_restores_from_the_withdrawn_list(app, world: World, api) -> None:
    item = withdrawn_item(api, world)
    nominee = signed_in(app, world, "nominee")
    workspace = nominee.text(f"/workspaces/{world.ws.id}")
    assert f"/workspaces/{world.ws.id}/withdrawn" in workspace
    page = nominee.text(f"/workspaces/{world.ws.id}/withdrawn")
    assert "minutes.txt" in page or item["title"] in page
    assert "can be restored until" in words(main(page)).lower()
    restored = nominee.client.post(
        f"/evidence/{item['id']}/restore", data={"csrf_token": csrf_token(page)}
    )
    assert restored.status_code == 302
    assert restored.headers["Location"].endswith(f"/evidence/{item['id']}")
    assert "Nothing has been withdrawn here." in nominee.text(
        f"/workspaces/{world.ws.id}/withdrawn"
    )
    assert nominee.get(f"/evidence/{item['id']}").status_code == 200
    contributor = signed_in(app, world, "contributor")
    assert f"/workspaces/{world.ws.id}/withdrawn" not in contributor.text(
        f"/workspaces/{world.ws.id}"
    )
    assert contributor.get(f"/workspaces/{world.ws.id}/withdrawn").status_code == 403


def test_the_lead_officer_sets_retention_and_a_legal_hold(
    app, world: World, api
) -> None:
    lead = signed_in(app, world, "lead_officer")
    page = lead.text(f"/reviews/{world.review.id}")
    assert 'id="retention"' in page
    saved = lead.client.post(
        f"/reviews/{world.review.id}/retention",
        data={
            "csrf_token": csrf_token(page),
            "retention_days": "90",
            "legal_hold": "y",
        },
    )
    assert saved.status_code == 302
    review = api("lead_officer").get(f"/reviews/{world.review.id}").get_json()
    assert review["retention_days"] == 90 and review["legal_hold"] is True
    bad = lead.client.post(
        f"/reviews/{world.review.id}/retention",
        data={"csrf_token": csrf_token(page), "retention_days": "-3"},
        follow_redirects=True,
    )
    assert "Enter a number of days from 0 to 36525" in bad.get_data(as_text=True)
    assert (
        api("lead_officer").get(f"/reviews/{world.review.id}").get_json()["legal_hold"]
    )
    # Closed, the form stays: these are the changes a closed review takes.
    api("lead_officer").patch(f"/reviews/{world.review.id}", json={"status": "closed"})
    closed = lead.text(f"/reviews/{world.review.id}")
    assert 'id="retention"' in closed
    lifted = lead.client.post(
        f"/reviews/{world.review.id}/retention",
        data={"csrf_token": csrf_token(closed), "retention_days": "90"},
    )
    assert lifted.status_code == 302
    assert (
        api("lead_officer").get(f"/reviews/{world.review.id}").get_json()["legal_hold"]
        is False
    )
    inspector = signed_in(app, world, "inspector")
    assert 'id="retention"' not in inspector.text(f"/reviews/{world.review.id}")


def test_deleted_content_is_explained(app, world: World, api) -> None:
    item = api("nominee").upload(world.ws.id, b"Minutes\n", "minutes.txt").get_json()
    db.session.execute(
        sa.update(EvidenceFile)
        .where(EvidenceFile.item_id == uuid.UUID(item["id"]))
        .values(purged_at=utcnow())
    )
    db.session.commit()
    inspector = signed_in(app, world, "inspector")
    answer = inspector.get(f"/evidence/{item['id']}/download")
    assert answer.status_code == 410
    text = words(answer.get_data(as_text=True))
    assert "This file has been deleted" in text
    assert "SHA-256" in text
