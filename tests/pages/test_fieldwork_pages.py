"""The timetable, the fieldwork forms, a session's page and the calendar feed."""

from __future__ import annotations

import re
from html import unescape

from icalendar import Calendar

from support.pages import PageClient, heading
from support.world import World


def signed_in(app, world: World, who: str) -> PageClient:
    browser = PageClient(app.test_client())
    assert browser.sign_in(world.users[who].email).status_code == 302
    return browser


def plan(api, world: World) -> tuple[dict, dict, dict]:
    visit = api("inspector").post(
        f"/reviews/{world.review.id}/visits",
        json={"workspace_id": str(world.ws.id), "starts_on": "2027-03-01",
              "ends_on": "2027-03-04", "mode": "on_site"},
    ).get_json()  # fmt: skip
    interview = api("inspector").post(
        f"/visits/{visit['id']}/sessions",
        json={"kind": "interview", "title": "Interview with the managing director",
              "starts_at": "2027-03-01T09:30:00Z", "ends_at": "2027-03-01T10:30:00Z",
              "attendees": [{"name": "Betsan Jones", "role": "Managing director"}]},
    ).get_json()  # fmt: skip
    meeting = api("inspector").post(
        f"/visits/{visit['id']}/sessions",
        json={"kind": "team_meeting", "title": "Day 1 team meeting",
              "starts_at": "2027-03-01T16:00:00Z", "ends_at": "2027-03-01T17:00:00Z"},
    ).get_json()  # fmt: skip
    return visit, interview, meeting


def test_the_timetable_by_day(world: World, app, api) -> None:
    plan(api, world)
    inspector = signed_in(app, world, "inspector")
    html = inspector.text(f"/reviews/{world.review.id}/timetable")
    assert heading(html) == "Fieldwork timetable"
    assert "1 March 2027" in html
    assert (
        "Interview with the managing director" in html and "Day 1 team meeting" in html
    )
    assert "09:30–10:30" in html  # Wales time (GMT in March)
    nominee = signed_in(app, world, "nominee")
    html = nominee.text(f"/reviews/{world.review.id}/timetable")
    assert "Interview with the managing director" in html
    assert "Day 1 team meeting" not in html
    assert "Plan a visit" not in html
    csc = signed_in(app, world, "csc_nominee")
    assert "Interview with the managing director" not in csc.text(
        f"/reviews/{world.review.id}/timetable"
    )


def test_plan_a_visit_and_a_session(world: World, app) -> None:
    inspector = signed_in(app, world, "inspector")
    new_visit = f"/reviews/{world.review.id}/visits/new"
    bad = inspector.submit(
        new_visit,
        {"workspace_id": str(world.ws.id), "starts_on": ["4", "3", "2027"],
         "ends_on": ["1", "3", "2027"], "mode": "remote"},
    )  # fmt: skip
    assert bad.status_code == 200
    assert "The last day must be on or after the first day." in bad.get_data(
        as_text=True
    )
    planned = inspector.submit(
        new_visit,
        {"workspace_id": str(world.ws.id), "starts_on": ["1", "3", "2027"],
         "ends_on": ["4", "3", "2027"], "mode": "on_site"},
    )  # fmt: skip
    assert planned.status_code == 302
    empty = inspector.submit(
        new_visit, {"workspace_id": str(world.ws.id), "mode": "remote"}
    )
    assert "Enter the first day" in empty.get_data(as_text=True)
    timetable = inspector.text(f"/reviews/{world.review.id}/timetable")
    add = re.search(r'href="(/visits/[^"]+/sessions/new)"', timetable)[1]
    made = inspector.submit(
        add,
        {"kind": "interview", "title": "Interview with the cabinet member",
         "day": "2027-03-02", "starts": "11:00", "ends": "12:00",
         "attendees": "Cllr Hughes, Cabinet member for education"},
    )  # fmt: skip
    assert made.status_code == 302
    page = inspector.text(made.headers["Location"])
    assert "Interview with the cabinet member" in page
    assert "Cllr Hughes (Cabinet member for education)" in page
    assert 'class="app-notes"' in page
    wrong = inspector.submit(
        add, {"kind": "interview", "title": "x", "day": "2027-03-02", "starts": "12:00",
              "ends": "11:00"},
    )  # fmt: skip
    assert (
        wrong.status_code == 200
        and "It must end after it starts." in wrong.get_data(as_text=True)
    )


def test_the_private_calendar_address(world: World, app, api) -> None:
    _visit, interview, _meeting = plan(api, world)
    contributor = signed_in(app, world, "contributor")
    html = contributor.text("/calendar")
    address = re.search(r'href="(http[^"]+/calendar/[0-9a-f]{64}\.ics)"', html)[1]
    path = address.split("localhost", 1)[-1]
    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert [
        str(e["summary"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")
    ] == [interview["title"]]
    # The same address each time (the page's CSRF token, dated to the
    # second, may differ between two loads).
    again = contributor.text("/calendar")
    assert re.search(r'href="(http[^"]+/calendar/[0-9a-f]{64}\.ics)"', again)[1] == (
        address
    )
    reset = contributor.submit("/calendar", {})
    assert reset.status_code == 302
    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/calendar/" + "0" * 64 + ".ics").status_code == 404


def test_cancel_a_session_and_a_visit(world: World, app, api) -> None:
    visit, interview, _meeting = plan(api, world)
    nominee = signed_in(app, world, "nominee")
    assert "Cancel this session" not in nominee.text(f"/sessions/{interview['id']}")
    refused = nominee.submit(
        f"/sessions/{interview['id']}", {}, action=f"/sessions/{interview['id']}/cancel"
    )
    assert refused.status_code == 403
    inspector = signed_in(app, world, "inspector")
    page = f"/sessions/{interview['id']}"
    assert "Cancel this session" in inspector.text(page)
    assert inspector.submit(page, {}, action=page + "/cancel").status_code == 302
    assert inspector.get(page).status_code == 404
    timetable = f"/reviews/{world.review.id}/timetable"
    cancelled = inspector.submit(timetable, {}, action=f"/visits/{visit['id']}/cancel")
    assert cancelled.status_code == 302
    assert "No visits are planned yet." in inspector.text(timetable)


def test_change_a_visit(world: World, app, api) -> None:
    visit, _interview, _meeting = plan(api, world)
    inspector = signed_in(app, world, "inspector")
    timetable = f"/reviews/{world.review.id}/timetable"
    edit = re.search(r'href="(/visits/[^"]+/edit)"', inspector.text(timetable))[1]
    assert edit == f"/visits/{visit['id']}/edit"
    form = inspector.text(edit)
    assert heading(form) == "Change the visit"
    assert 'value="2027"' in form and 'value="on_site" checked' in form
    # Its sessions are on 1 March: the visit cannot start later.
    stranded = inspector.submit(
        edit, {"starts_on": ["2", "3", "2027"], "ends_on": ["4", "3", "2027"],
               "mode": "on_site"},
    )  # fmt: skip
    assert stranded.status_code == 200
    assert "2 of the visit's sessions would fall outside its days" in unescape(
        stranded.get_data(as_text=True)
    )
    assert api("inspector").get(f"/visits/{visit['id']}").get_json()["starts_on"] == (
        "2027-03-01"
    )
    moved = inspector.submit(
        edit, {"starts_on": ["1", "3", "2027"], "ends_on": ["5", "3", "2027"],
               "mode": "hybrid", "title": "Spring visit"},
    )  # fmt: skip
    assert moved.status_code == 302
    now = api("inspector").get(f"/visits/{visit['id']}").get_json()
    assert (now["ends_on"], now["mode"], now["title"]) == (
        "2027-03-05", "hybrid", "Spring visit"
    )  # fmt: skip
    nominee = signed_in(app, world, "nominee")
    assert "/edit" not in nominee.text(timetable)
    assert nominee.get(edit).status_code == 403
    csc = signed_in(app, world, "csc_nominee")
    assert csc.get(edit).status_code == 404


def test_change_a_session(world: World, app, api) -> None:
    api("inspector").post(
        f"/reviews/{world.review.id}/themes", json={"name": "Leadership"}
    )
    _visit, interview, _meeting = plan(api, world)
    nominee_id = str(world.users["nominee"].id)
    api("inspector").patch(
        f"/sessions/{interview['id']}",
        json={"attendees": [{"name": "Betsan Jones", "role": "Managing director",
                             "user_id": nominee_id}],
              "themes": ["Finance"]},
    )  # fmt: skip
    inspector = signed_in(app, world, "inspector")
    page = f"/sessions/{interview['id']}"
    edit = re.search(r'href="(/sessions/[^"]+/edit)"', inspector.text(page))[1]
    form = inspector.text(edit)
    assert heading(form) == "Change the session"
    assert 'value="Interview with the managing director"' in form
    assert 'value="09:30"' in form and 'value="10:30"' in form
    assert "Betsan Jones, Managing director" in form
    # The review's themes, and the session's own one the review lacks.
    assert 'value="Leadership"' in form and 'value="Finance" checked' in form
    wrong = inspector.submit(
        edit, {"kind": "interview", "title": "x", "day": "2027-03-01",
               "starts": "11:00", "ends": "10:00"},
    )  # fmt: skip
    assert "It must end after it starts." in wrong.get_data(as_text=True)
    changed = inspector.submit(
        edit,
        {"kind": "interview", "title": "Interview with the managing director",
         "day": "2027-03-02", "starts": "14:00", "ends": "15:00", "mode": "remote",
         "location": "Teams", "themes": ["Leadership"],
         "attendees": "Betsan Jones, Managing director\nDai Evans, Head of finance"},
    )  # fmt: skip
    assert changed.status_code == 302 and changed.headers["Location"].endswith(page)
    now = api("inspector").get(page).get_json()
    assert (now["starts_at"], now["mode"], now["location"], now["themes"]) == (
        "2027-03-02T14:00:00Z", "remote", "Teams", ["Leadership"]
    )  # fmt: skip
    assert now["attendees"] == [
        {"name": "Betsan Jones", "role": "Managing director", "user_id": nominee_id},
        {"name": "Dai Evans", "role": "Head of finance", "user_id": None},
    ]
    # Made a team meeting, it leaves the visited party's view.
    nominee = signed_in(app, world, "nominee")
    assert nominee.get(page).status_code == 200
    assert nominee.get(edit).status_code == 403
    inspector.submit(
        edit, {"kind": "team_meeting", "title": "Team meeting", "day": "2027-03-02",
               "starts": "14:00", "ends": "15:00"},
    )  # fmt: skip
    assert nominee.get(page).status_code == 404
    assert api("inspector").get(page).get_json()["scope"] == "joint"
