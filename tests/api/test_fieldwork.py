"""Fieldwork: visits, sessions, the timetable and the calendar feed."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from app.accounts.models import Locale
from app.core.db import db
from app.reviews.models import ReviewStatus
from support.api import error_of
from support.world import World

EVERYONE = [
    "lead_officer", "inspector", "observer", "audit_lead", "audit_inspector",
    "nominee", "contributor", "csc_nominee", "non_member", "admin",
]  # fmt: skip
INSPECTING = {"lead_officer", "inspector", "observer", "audit_lead", "audit_inspector"}
ERW = {"nominee", "contributor"}


def visit(api, world: World, ws=None, **body) -> dict:
    body = {
        "workspace_id": str((ws or world.ws).id),
        "starts_on": "2027-03-01",
        "ends_on": "2027-03-04",
        "mode": "on_site",
        **body,
    }
    answer = api("inspector").post(f"/reviews/{world.review.id}/visits", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def session(api, visit_id: str, who: str = "inspector", **body):
    body = {
        "kind": "interview",
        "title": "Interview with the managing director",
        "starts_at": "2027-03-01T09:30:00Z",
        "ends_at": "2027-03-01T10:30:00Z",
        **body,
    }
    return api(who).post(f"/visits/{visit_id}/sessions", json=body)


def made(api, visit_id: str, **body) -> dict:
    answer = session(api, visit_id, **body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def seen_by(api, world: World, path: str, listing: str, item_id: str) -> set[str]:
    by_id = {w for w in EVERYONE if api(w).get(path).status_code == 200}
    listed = set()
    for who in EVERYONE:
        answer = api(who).get(listing)
        if answer.status_code == 200 and item_id in {
            i["id"] for i in answer.get_json()["items"]
        }:
            listed.add(who)
    assert by_id == listed, (by_id, listed)
    return by_id


def test_a_visit_is_seen_by_the_inspectors_and_its_hosts(world: World, api) -> None:
    v = visit(api, world, title="ERW: first visit", title_cy="ERW: ymweliad cyntaf")
    assert set(v) == {
        "id", "review_id", "workspace_id", "starts_on", "ends_on", "mode", "title",
        "title_cy", "created_by",
    }  # fmt: skip
    listing = f"/reviews/{world.review.id}/visits"
    assert (
        seen_by(api, world, f"/visits/{v['id']}", listing, v["id"]) == INSPECTING | ERW
    )


def test_sessions_by_scope(world: World, api) -> None:
    v = visit(api, world)
    listing = f"/reviews/{world.review.id}/sessions"
    interview = made(
        api, v["id"],
        attendees=[{"name": "Betsan Jones", "role": "Managing director"},
                   {"name": "Cllr Hughes", "role": "Cabinet member for education"}],
        themes=["Leadership"], location="County Hall, Carmarthen",
    )  # fmt: skip
    assert interview["scope"] == "workspace"
    assert interview["attendees"][0] == {
        "name": "Betsan Jones", "role": "Managing director", "user_id": None,
    }  # fmt: skip
    assert seen_by(
        api, world, f"/sessions/{interview['id']}", listing, interview["id"]
    ) == (INSPECTING | ERW)
    meeting = made(
        api, v["id"], kind="team_meeting", title="Team meeting",
        starts_at="2027-03-01T16:00:00Z", ends_at="2027-03-01T17:00:00Z",
    )  # fmt: skip
    assert meeting["scope"] == "joint"
    assert (
        seen_by(api, world, f"/sessions/{meeting['id']}", listing, meeting["id"])
        == INSPECTING
    )
    shown = session(api, v["id"], kind="team_meeting", scope="workspace")
    assert shown.status_code == 400 and "scope" in error_of(shown)["fields"]
    own = made(api, v["id"], kind="other", title="Estyn only", scope="body")
    assert seen_by(api, world, f"/sessions/{own['id']}", listing, own["id"]) == {
        "lead_officer",
        "inspector",
        "observer",
    }


def test_times_must_lie_within_the_visit(world: World, api) -> None:
    v = visit(api, world)
    # 23:30 UTC on 28 Feb is still 28 Feb in Wales: before the visit.
    early = session(api, v["id"], starts_at="2027-02-28T23:30:00Z",
                    ends_at="2027-03-01T09:00:00Z")  # fmt: skip
    assert early.status_code == 400 and "starts_at" in error_of(early)["fields"]
    # In summer time, 23:30 UTC on 31 March is already 1 April in Wales.
    summer = visit(api, world, starts_on="2027-04-01", ends_on="2027-04-01")
    late_night = session(api, summer["id"], starts_at="2027-03-31T23:30:00Z",
                         ends_at="2027-04-01T00:30:00Z")  # fmt: skip
    assert late_night.status_code == 201, late_night.get_json()
    backwards = session(api, v["id"], ends_at="2027-03-01T09:00:00Z")
    assert backwards.status_code == 400 and "ends_at" in error_of(backwards)["fields"]
    naive = session(api, v["id"], starts_at="2027-03-01T09:30:00")
    assert naive.status_code == 400 and "starts_at" in error_of(naive)["fields"]
    bad_days = api("inspector").post(
        f"/reviews/{world.review.id}/visits",
        json={"workspace_id": str(world.ws.id), "starts_on": "2027-03-04",
              "ends_on": "2027-03-01", "mode": "remote"},
    )  # fmt: skip
    assert bad_days.status_code == 400 and "ends_on" in error_of(bad_days)["fields"]


def test_the_timetable_filters_by_day_and_workspace(world: World, api) -> None:
    erw = visit(api, world)
    csc = visit(
        api, world, ws=world.csc_ws, starts_on="2027-03-08", ends_on="2027-03-11"
    )
    a = made(api, erw["id"])
    b = made(
        api, erw["id"], starts_at="2027-03-02T09:00:00Z", ends_at="2027-03-02T10:00:00Z"
    )
    c = made(
        api, csc["id"], starts_at="2027-03-08T09:00:00Z", ends_at="2027-03-08T10:00:00Z"
    )
    path = f"/reviews/{world.review.id}/sessions"

    def ids(who, **q):
        return [s["id"] for s in api(who).get(path, query_string=q).get_json()["items"]]

    assert ids("observer") == [a["id"], b["id"], c["id"]]
    assert ids("observer", **{"from": "2027-03-02", "to": "2027-03-07"}) == [b["id"]]
    assert ids("observer", workspace_id=str(world.csc_ws.id)) == [c["id"]]
    assert ids("contributor") == [a["id"], b["id"]]
    assert ids("csc_nominee") == [c["id"]]
    assert api("observer").get(path, query_string={"from": "soon"}).status_code == 400


def test_writers_change_and_cancel(world: World, api) -> None:
    v = visit(api, world)
    s = made(api, v["id"])
    moved = api("audit_inspector").patch(
        f"/sessions/{s['id']}", json={"starts_at": "2027-03-03T09:00:00Z",
                                       "ends_at": "2027-03-03T10:00:00Z"}
    )  # fmt: skip
    assert (
        moved.status_code == 200
        and moved.get_json()["starts_at"] == "2027-03-03T09:00:00Z"
    )
    shrink = api("inspector").patch(
        f"/visits/{v['id']}", json={"ends_on": "2027-03-02"}
    )
    assert shrink.status_code == 400  # a session would fall outside
    assert (
        api("observer").patch(f"/visits/{v['id']}", json={"mode": "remote"}).status_code
        == 403
    )
    assert (
        api("nominee").patch(f"/sessions/{s['id']}", json={"title": "x"}).status_code
        == 403
    )
    assert api("csc_nominee").delete(f"/sessions/{s['id']}").status_code == 404
    assert api("inspector").delete(f"/visits/{v['id']}").status_code == 204
    assert api("inspector").get(f"/sessions/{s['id']}").status_code == 404


def test_a_session_note(world: World, api) -> None:
    v = visit(api, world)
    meeting = made(
        api, v["id"], kind="team_meeting", title="Day 1 team meeting",
        starts_at="2027-03-01T16:00:00Z", ends_at="2027-03-01T17:00:00Z",
    )  # fmt: skip
    subject = {"type": "session", "id": meeting["id"]}
    note = api("inspector").post(
        f"/reviews/{world.review.id}/notes",
        json={"body": "Emerging: leadership", "subject": subject},
    )
    assert note.status_code == 201, note.get_json()
    shared = api("inspector").post(
        f"/reviews/{world.review.id}/notes",
        json={"body": "x", "subject": subject, "scope": "workspace"},
    )
    assert shared.status_code == 400
    hidden = api("nominee").post(
        f"/reviews/{world.review.id}/notes", json={"body": "x", "subject": subject}
    )
    assert hidden.status_code == 400 and "subject" in error_of(hidden)["fields"]


def test_the_calendar_feed(world: World, api) -> None:
    v = visit(api, world)
    interview = made(
        api, v["id"], title="Interview", title_cy="Cyfweliad", location="Neuadd y Sir"
    )
    made(api, v["id"], kind="team_meeting", title="Team meeting",
         starts_at="2027-03-01T16:00:00Z", ends_at="2027-03-01T17:00:00Z")  # fmt: skip
    world.users["contributor"].locale = Locale.CY
    db.session.commit()
    answer = api("contributor").get("/me/calendar.ics")
    assert answer.status_code == 200
    assert answer.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(answer.data).walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["Cyfweliad"]  # no team meeting
    event = events[0]
    assert str(event["uid"]) == f"session-{interview['id']}@inspection-room"
    assert event["dtstart"].dt.isoformat() == "2027-03-01T09:30:00+00:00"
    assert str(event["location"]) == "Neuadd y Sir"
    inspector = Calendar.from_ical(api("inspector").get("/me/calendar.ics").data)
    assert sorted(str(e["summary"]) for e in inspector.walk("VEVENT")) == [
        "Interview",
        "Team meeting",
    ]
    assert api("csc_nominee").get("/me/calendar.ics").status_code == 200
    assert (
        list(
            Calendar.from_ical(api("csc_nominee").get("/me/calendar.ics").data).walk(
                "VEVENT"
            )
        )
        == []
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"title": ""}, "title"),
        ({"mode": "by_post"}, "mode"),
        ({"attendees": [{"role": "No name"}]}, "attendees"),
        (
            {
                "attendees": [
                    {"name": "X", "user_id": "00000000-0000-0000-0000-000000000001"}
                ]
            },
            "attendees",
        ),
        ({"themes": ["x" * 101]}, "themes"),
        ({"scope": "public"}, "scope"),
    ],
)
def test_bad_sessions_are_400(world: World, api, body, field) -> None:
    v = visit(api, world)
    answer = session(api, v["id"], **body)
    assert answer.status_code == 400 and field in error_of(answer)["fields"], error_of(
        answer
    )


def test_a_closed_review_keeps_its_fieldwork(world: World, api) -> None:
    v = visit(api, world)
    s = made(api, v["id"])
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    assert session(api, v["id"]).status_code == 409
    assert (
        api("inspector").patch(f"/sessions/{s['id']}", json={"title": "x"}).status_code
        == 409
    )
    assert api("inspector").delete(f"/visits/{v['id']}").status_code == 409
    assert api("nominee").get(f"/sessions/{s['id']}").status_code == 200
