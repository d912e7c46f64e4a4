"""Scenario: the served portal (production, gunicorn, no REDIS_URL) extracts
an upload's text on a thread of its own after answering: the upload's 201
comes first, then the item's text_status moves from pending to indexed."""

from __future__ import annotations

import time

import pytest

from e2e_support import People, Portal, Review, fixture_bytes, staff_review

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def review(portal: Portal, people: People) -> Review:
    return staff_review(portal, people, "Text", ["estyn", "wao"], ["erw"])


def test_text_is_extracted_after_the_upload_answers(
    people: People, review: Review
) -> None:
    workspace = review.workspaces[people.org_id("erw")]
    contributor = people["erw/contributor"].client
    made = contributor.upload(
        workspace["id"], "minutes.docx", fixture_bytes("minutes.docx"), expect=201
    ).json()
    assert made["text_status"] in ("pending", "indexed")
    status = made["text_status"]
    for _ in range(120):
        status = contributor.data("GET", f"/evidence/{made['id']}", 200)["text_status"]
        if status != "pending":
            break
        time.sleep(0.25)
    assert status == "indexed"
    image = contributor.upload(
        workspace["id"], "photo.jpg", fixture_bytes("photo.jpg"), expect=201
    ).json()
    assert image["text_status"] == "no_text"
