"""PATCH /reviews/{id}: the review's stage, moved forward by lead officers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.core.db import db
from app.reviews.models import ReviewStatus
from support.api import error_of
from support.world import World


def patch(api, world: World, who: str = "lead_officer", **body):
    return api(who).patch(f"/reviews/{world.review.id}", json=body)


def test_the_stage_moves_forward_and_may_skip(world: World, api) -> None:
    moved = patch(api, world, status="fieldwork")
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["status"] == "fieldwork"
    # Skipping reporting is allowed.
    assert patch(api, world, "audit_lead", status="closed").status_code == 200
    assert api("observer").get(f"/reviews/{world.review.id}").get_json()["status"] == (
        "closed"
    )


def test_the_stage_never_moves_back(world: World, api) -> None:
    assert patch(api, world, status="reporting").status_code == 200
    back = patch(api, world, status="fieldwork")
    assert back.status_code == 409
    assert error_of(back)["code"] == "conflict"
    # The same stage again is no move at all.
    again = patch(api, world, status="reporting")
    assert again.status_code == 200 and again.get_json()["status"] == "reporting"


def test_published_is_never_set_by_hand(world: World, api) -> None:
    refused = patch(api, world, status="published")
    assert refused.status_code == 400
    assert set(error_of(refused)["fields"]) == {"status"}
    assert patch(api, world, status="nonsense").status_code == 400
    db.session.refresh(world.review)
    assert world.review.status is ReviewStatus.PLANNING


def test_closed_is_final(world: World, api) -> None:
    assert patch(api, world, status="closed").status_code == 200
    for body in ({"status": "closed"}, {"title": "Renamed"}):
        answer = api("lead_officer").patch(f"/reviews/{world.review.id}", json=body)
        assert answer.status_code == 409, body
    # And the rest of the review is read-only too.
    upload = api("nominee").upload(world.ws.id, b"late\n", "late.txt")
    assert upload.status_code == 409


def test_titles_change_and_are_audited(world: World, api) -> None:
    answer = patch(api, world, "admin", title="New title", title_cy="Teitl newydd")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["title"] == "New title"
    assert answer.get_json()["title_cy"] == "Teitl newydd"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "review.updated")
    ).one()
    assert event.details["after"] == {"title": "New title", "title_cy": "Teitl newydd"}
    assert patch(api, world, title="").status_code == 400


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("inspector", 403),
        ("observer", 403),
        ("nominee", 403),
        ("contributor", 403),
        ("non_member", 404),
    ],
)
def test_only_lead_officers_and_administrators(world: World, api, who, status):
    assert patch(api, world, who, status="fieldwork").status_code == status
    db.session.refresh(world.review)
    assert world.review.status is ReviewStatus.PLANNING


@pytest.mark.parametrize("body", [None, {}])
def test_a_change_naming_nothing_is_refused(world: World, api, body) -> None:
    answer = api("lead_officer").patch(f"/reviews/{world.review.id}", json=body)
    assert answer.status_code == 400
