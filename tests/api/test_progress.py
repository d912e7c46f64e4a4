"""Progress of the request lists: counts per workspace and for the review,
for what each caller may see."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.intake import progress
from app.intake.models import EvidenceRequest, RequestStatus
from app.reviews.models import ReviewStatus
from support.api import error_of
from support.world import World

ZERO = dict.fromkeys(progress.COLUMNS, 0)


def ask(api, ws, due: date | None = None, who: str = "inspector") -> str:
    body: dict[str, object] = {"title": "Minutes"}
    if due is not None:
        body["due_date"] = due.isoformat()
    response = api(who).post(f"/workspaces/{ws.id}/requests", json=body)
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def set_status(request_id: str, status: RequestStatus) -> None:
    db.session.execute(
        sa.update(EvidenceRequest)
        .where(EvidenceRequest.id == uuid.UUID(request_id))
        .values(status=status)
    )
    db.session.commit()


def progress_of(api, world: World, who: str = "lead_officer") -> dict:
    response = api(who).get(f"/reviews/{world.review.id}/progress")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def by_workspace(body: dict) -> dict[str, dict[str, int]]:
    return {w["workspace_id"]: w["counts"] for w in body["workspaces"]}


@pytest.fixture
def requests_made(world: World, api) -> dict[str, list[str]]:
    """ERW: 2 open (one overdue), 1 submitted (past due: not overdue),
    1 accepted, 1 returned and overdue, 1 withdrawn (overdue date: not
    counted). CSC: 1 open due today (not overdue)."""
    today = progress.today_in_wales()
    past = today - timedelta(days=3)
    erw = [
        ask(api, world.ws, past),  # open, overdue
        ask(api, world.ws, today + timedelta(days=9)),  # open
        ask(api, world.ws, past),  # submitted
        ask(api, world.ws),  # accepted
        ask(api, world.ws, past),  # returned, overdue
        ask(api, world.ws, past),  # withdrawn
    ]
    set_status(erw[2], RequestStatus.SUBMITTED)
    set_status(erw[3], RequestStatus.ACCEPTED)
    set_status(erw[4], RequestStatus.RETURNED)
    set_status(erw[5], RequestStatus.WITHDRAWN)
    csc = [ask(api, world.csc_ws, today)]
    return {"erw": erw, "csc": csc}


def test_counts_per_workspace_and_in_total(world: World, api, requests_made) -> None:
    body = progress_of(api, world)
    assert set(body) == {"review_id", "as_of", "totals", "workspaces"}
    assert body["review_id"] == str(world.review.id)
    assert body["as_of"] == progress.today_in_wales().isoformat()
    counts = by_workspace(body)
    assert counts[str(world.ws.id)] == {
        "open": 2,
        "submitted": 1,
        "accepted": 1,
        "returned": 1,
        "overdue": 2,
        "withdrawn": 1,
        "total": 5,
    }
    assert counts[str(world.csc_ws.id)] == {**ZERO, "open": 1, "total": 1}
    assert body["totals"] == {
        "open": 3,
        "submitted": 1,
        "accepted": 1,
        "returned": 1,
        "overdue": 2,
        "withdrawn": 1,
        "total": 6,
    }
    # Each workspace names itself and its organisation, in review order.
    names = [(w["name"], w["organisation"]) for w in body["workspaces"]]
    assert [o for _n, o in names] == ["ERW", "CSC"]
    assert all(w["organisation_id"] for w in body["workspaces"])


def test_an_empty_review_counts_zero_for_every_workspace(world: World, api) -> None:
    body = progress_of(api, world, "observer")
    assert body["totals"] == ZERO
    assert [w["counts"] for w in body["workspaces"]] == [ZERO, ZERO]


def test_overdue_is_counted_against_the_day_given(world: World, api) -> None:
    today = progress.today_in_wales()
    ask(api, world.ws, today)
    with_today = progress.review_progress(world.users["inspector"], world.review)
    assert with_today.totals.overdue == 0
    tomorrow = progress.review_progress(
        world.users["inspector"], world.review, today + timedelta(days=1)
    )
    assert tomorrow.totals.overdue == 1
    assert tomorrow.as_of == today + timedelta(days=1)


@pytest.mark.parametrize("who", ["nominee", "contributor"])
def test_a_reviewed_party_sees_only_its_own_workspace(
    who: str, world: World, api, requests_made
) -> None:
    body = progress_of(api, world, who)
    assert [w["workspace_id"] for w in body["workspaces"]] == [str(world.ws.id)]
    # The totals are those of what it sees: CSC's request is not in them.
    assert body["totals"] == body["workspaces"][0]["counts"]
    assert body["totals"]["total"] == 5
    other = progress_of(api, world, "csc_nominee")
    assert [w["workspace_id"] for w in other["workspaces"]] == [str(world.csc_ws.id)]
    assert other["totals"]["total"] == 1


@pytest.mark.parametrize("who", ["lead_officer", "inspector", "observer"])
def test_the_inspecting_side_sees_every_workspace(
    who: str, world: World, api, requests_made
) -> None:
    body = progress_of(api, world, who)
    assert len(body["workspaces"]) == 2
    assert body["totals"]["total"] == 6


def test_outsiders_learn_nothing(world: World, api, requests_made) -> None:
    path = f"/reviews/{world.review.id}/progress"
    hidden = api("non_member").get(path)
    assert hidden.status_code == 404
    assert error_of(hidden)["code"] == "not_found"
    # An administrator who is not a member sees the review, not its progress.
    admin = api("admin").get(path)
    assert admin.status_code == 403
    assert error_of(admin)["code"] == "forbidden"
    assert api("anonymous").get(path).status_code == 401


def test_no_such_review_and_bad_ids(world: World, api) -> None:
    missing = api("lead_officer").get(
        "/reviews/00000000-0000-4000-8000-000000000000/progress"
    )
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"
    for bad in ("not-a-uuid", "1", "%00"):
        answer = api("lead_officer").get(f"/reviews/{bad}/progress")
        assert answer.status_code == 404, bad
        assert error_of(answer)["code"] == "not_found"


def test_a_closed_review_still_shows_its_progress(
    world: World, api, requests_made
) -> None:
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    assert progress_of(api, world)["totals"]["total"] == 6


def test_progress_is_one_query(world: World, api, requests_made) -> None:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        progress.review_progress(world.users["inspector"], world.review)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects
    assert "GROUP BY" in selects[0].upper()
