"""The request pages: a workspace's list, asking (one workspace or every
one), a request with its evidence, answering it, deciding, sharing it out.

Every form's happy path and its bad input, each role seeing only what it
may do, and both languages."""

from __future__ import annotations

import io
import re
import uuid

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.intake.models import EvidenceRequest, RequestStatus
from support.pages import PageClient, csrf_token, heading
from support.world import World
from tests.api.test_nothing_lost import counts

DUE = {"due_date": ["18", "12", "2026"]}


@pytest.fixture
def pages(client, world: World):
    """``pages("nominee")``: a browser-like client signed in as that user
    (each its own cookies)."""
    made: dict[str, PageClient] = {}

    def make(who: str) -> PageClient:
        if who not in made:
            browser = PageClient(client.application.test_client())
            assert browser.sign_in(world.users[who].email).status_code == 302
            browser.get("/privacy?lang=en")
            made[who] = browser
        return made[who]

    return make


def ask(api, world: World, ws=None, **fields) -> dict:
    body = {"title": "Business plan 2025-26", **fields}
    response = api("inspector").post(
        f"/workspaces/{(ws or world.ws).id}/requests", json=body
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def answer(api, world: World, request_id: str, who: str = "nominee") -> dict:
    response = api(who).upload(
        world.ws.id, b"Our plan.", "plan.txt", fields={"request_id": request_id}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def decide(api, request_id: str, decision: str, reason: str | None = None) -> None:
    body = {"decision": decision, **({"reason": reason} if reason else {})}
    response = api("lead_officer").post(f"/requests/{request_id}/decision", json=body)
    assert response.status_code == 200, response.get_json()


def stored(request_id: str) -> EvidenceRequest:
    db.session.expire_all()
    found = db.session.get(EvidenceRequest, uuid.UUID(request_id))
    assert found is not None
    return found


def text_of(html: str) -> str:
    """The page's text, tags gone and white space squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def error_summary(html: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "no error summary on the page"
    return text_of(match.group(0))


def upload_to(page: PageClient, world: World, request_id: str, files, **extra: str):
    """The request page's upload form, as a browser posts it (no script)."""
    token = csrf_token(page.text(f"/requests/{request_id}"))
    return page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data={"csrf_token": token, "request_id": request_id, **extra, "file": files},
        content_type="multipart/form-data",
    )


# -- The list -----------------------------------------------------------------


def test_the_list_shows_each_request(world: World, api, pages) -> None:
    first = ask(
        api,
        world,
        title_cy="Cynllun busnes 2025-26",
        theme="Leadership and management",
        due_date="2026-12-18",
    )
    ask(api, world, title="Minutes of the joint committee")
    contributor = str(world.users["contributor"].id)
    api("nominee").put(
        f"/requests/{first['id']}/assignees", json={"user_ids": [contributor]}
    )
    answer(api, world, first["id"])

    html = pages("contributor").text(f"/workspaces/{world.ws.id}/requests")
    assert heading(html) == "Requests for evidence"
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)[1:]
    assert len(rows) == 2
    cells = [text_of(c).strip() for c in re.findall(r"<td.*?</td>", rows[0], re.S)]
    assert cells == [
        "R-001",
        "Business plan 2025-26",
        "Leadership and management",
        "18 December 2026",
        "Submitted",
        "contributor",
        "1",
    ]
    assert f'href="/requests/{first["id"]}"' in rows[0]
    assert "R-002" in rows[1] and "Minutes of the joint committee" in rows[1]
    assert "Open" in rows[1] and "Nobody yet" in rows[1]
    # Only the inspectors are offered the way to ask.
    assert "/requests/new" not in html

    # In Welsh: the Welsh title where there is one, the date in Welsh.
    welsh = pages("contributor").text(
        f"/workspaces/{world.ws.id}/requests?lang=cy", follow_redirects=True
    )
    assert '<html lang="cy"' in welsh
    assert "Cynllun busnes 2025-26" in welsh
    assert "Business plan 2025-26" not in welsh
    assert "18 Rhagfyr 2026" in welsh
    assert "Minutes of the joint committee" in welsh  # no Welsh title: as given


def test_the_list_filters_by_status_and_pages(world: World, api, pages) -> None:
    made = [ask(api, world, title=f"Item {n}") for n in range(1, 6)]
    answer(api, world, made[1]["id"])
    page = pages("inspector")
    url = f"/workspaces/{world.ws.id}/requests"

    only = page.text(url + "?status=submitted")
    assert "Item 2" in only
    assert not any(f"Item {n}<" in only for n in (1, 3, 4, 5))
    assert '<option value="submitted" selected>' in only
    none = page.text(url + "?status=accepted")
    assert "No requests have this status." in none

    bad = page.get(url + "?status=lost")
    assert bad.status_code == 400
    assert "Choose a status from the list." in bad.get_data(as_text=True)

    # Keyset paging, in reference order, following the page's own link.
    seen: list[str] = []
    next_url: str | None = url + "?limit=2"
    while next_url:
        html = page.text(next_url)
        seen += re.findall(r">(R-\d{3})<", html)
        found = re.search(r'href="([^"]+)">More requests<', html)
        next_url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == ["R-001", "R-002", "R-003", "R-004", "R-005"]


def test_the_workspace_page_sums_up_its_requests(world: World, api, pages) -> None:
    empty = pages("contributor").text(f"/workspaces/{world.ws.id}")
    assert "The inspectors have not asked for any evidence" in empty
    assert f'href="/workspaces/{world.ws.id}/requests"' in empty
    made = ask(api, world)
    ask(api, world)
    answer(api, world, made["id"])
    html = text_of(pages("contributor").text(f"/workspaces/{world.ws.id}"))
    assert "Open: 1" in html and "Submitted: 1" in html


# -- Asking -------------------------------------------------------------------


def test_an_inspector_makes_a_request(world: World, pages) -> None:
    page = pages("inspector")
    listing = page.text(f"/workspaces/{world.ws.id}/requests")
    form_url = f"/workspaces/{world.ws.id}/requests/new"
    assert f'href="{form_url}"' in listing
    form = page.text(form_url)
    assert heading(form) == "Make a request for evidence"
    for box in ("due_date-day", "due_date-month", "due_date-year"):
        assert f'id="{box}"' in form
    response = page.submit(
        form_url,
        {
            "title": "  Self-evaluation report  ",
            "title_cy": "Adroddiad hunanarfarnu",
            "description": "The latest one.\nWith its annexes.",
            "theme": "Leadership",
            **DUE,
        },
    )
    assert response.status_code == 302
    made = db.session.scalars(sa.select(EvidenceRequest)).one()
    assert response.headers["Location"] == f"/requests/{made.id}"
    assert (made.ref, made.title, made.title_cy, made.theme) == (
        "R-001",
        "Self-evaluation report",
        "Adroddiad hunanarfarnu",
        "Leadership",
    )
    assert made.description == "The latest one.\nWith its annexes."
    assert made.due_date.isoformat() == "2026-12-18"
    assert made.status is RequestStatus.OPEN
    shown = page.text(response.headers["Location"])
    assert "Request R-001 was added to the list." in shown
    assert "The latest one.<br>With its annexes." in shown
    assert "18 December 2026" in shown


@pytest.mark.parametrize(
    ("fields", "problem", "link"),
    [
        ({"title": "   "}, "Enter a title for the request", "#title"),
        (
            {"title": "Plan", "due_date": ["31", "2", "2026"]},
            "The due date must be a real date",
            "#due_date-day",
        ),
        (
            {"title": "Plan", "due_date": ["18", "", "2026"]},
            "Enter the due date as a day, a month and a year",
            "#due_date-day",
        ),
        (
            {"title": "Plan", "due_date": ["18", "12", "26"]},
            "The due date must be a real date",
            "#due_date-day",
        ),
        (
            {"title": "Plan\u202e"},
            "Must not contain control characters",
            "#title",
        ),
        ({"title": "x" * 501}, "Titles are at most 500 characters", "#title"),
    ],
    ids=["no title", "no such day", "part of a date", "two-digit year", "bidi", "long"],
)
def test_a_bad_request_form_says_what_to_fix(
    world: World, pages, fields, problem, link
) -> None:
    form_url = f"/workspaces/{world.ws.id}/requests/new"
    response = pages("lead_officer").submit(
        form_url, {"title_cy": "Cynllun", "theme": "Arweinyddiaeth", **fields}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert problem in error_summary(html)
    assert f'href="{link}"' in html
    assert "<title>Error:" in html
    # What was typed stays in the form.
    assert 'value="Cynllun"' in html and 'value="Arweinyddiaeth"' in html
    if "due_date" in fields:
        assert f'value="{fields["due_date"][0]}"' in html
    assert db.session.scalar(sa.select(sa.func.count(EvidenceRequest.id))) == 0


@pytest.mark.parametrize("who", ["observer", "nominee", "contributor"])
def test_only_inspectors_may_ask(world: World, pages, who: str) -> None:
    page = pages(who)
    form_url = f"/workspaces/{world.ws.id}/requests/new"
    assert page.get(form_url).status_code == 403
    token = csrf_token(page.text("/privacy"))
    refused = page.client.post(form_url, data={"csrf_token": token, "title": "Plan"})
    assert refused.status_code == 403
    review_form = f"/reviews/{world.review.id}/requests/new"
    assert page.get(review_form).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(EvidenceRequest.id))) == 0
    # Another consortium's workspace does not exist for a reviewed party.
    if who != "observer":
        assert (
            page.get(f"/workspaces/{world.csc_ws.id}/requests/new").status_code == 404
        )


def test_one_request_to_every_workspace(world: World, pages) -> None:
    page = pages("lead_officer")
    review_page = page.text(f"/reviews/{world.review.id}")
    form_url = f"/reviews/{world.review.id}/requests/new"
    assert f'href="{form_url}"' in review_page
    assert form_url not in pages("nominee").text(f"/reviews/{world.review.id}")
    assert heading(page.text(form_url)) == "Send a request to every workspace"

    missing = page.submit(form_url, {"title": ""})
    assert "Enter a title for the request" in error_summary(
        missing.get_data(as_text=True)
    )
    response = page.submit(
        form_url, {"title": "Annual report", "title_cy": "Adroddiad blynyddol", **DUE}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reviews/{world.review.id}"
    made = db.session.scalars(sa.select(EvidenceRequest)).all()
    assert sorted(r.workspace_id for r in made) == sorted(
        [world.ws.id, world.csc_ws.id]
    )
    assert {(r.ref, r.title, r.title_cy) for r in made} == {
        ("R-001", "Annual report", "Adroddiad blynyddol")
    }
    assert len({r.batch_id for r in made}) == 1
    done = page.text(response.headers["Location"])
    assert "(2 in all)" in done


# -- A request, as each role sees it ---------------------------------------------


FORMS = {
    "upload": 'name="request_id"',
    "assign": '/assignees"',
    "decide": '/decision"',
    "withdraw": '/withdraw"',
}
SEES = {
    # An open request: nothing to decide yet.
    "open": {
        "lead_officer": {"upload", "assign", "withdraw"},
        "inspector": {"upload", "assign", "withdraw"},
        "observer": set(),
        "nominee": {"upload", "assign"},
        "contributor": {"upload"},
    },
    "submitted": {
        "lead_officer": {"upload", "assign", "decide", "withdraw"},
        "inspector": {"upload", "assign", "decide", "withdraw"},
        "observer": set(),
        "nominee": {"upload", "assign"},
        "contributor": {"upload"},
    },
    # Finished: read only, for everyone.
    "accepted": {who: set() for who in ("lead_officer", "nominee", "contributor")},
}


@pytest.mark.parametrize(
    ("state", "who"), [(s, w) for s, table in SEES.items() for w in table]
)
def test_each_role_sees_only_what_it_may_do(
    world: World, api, pages, state: str, who: str
) -> None:
    made = ask(api, world, description="What the board approved.")
    if state != "open":
        answer(api, world, made["id"])
    if state == "accepted":
        decide(api, made["id"], "accept")
    html = pages(who).text(f"/requests/{made['id']}")
    assert heading(html) == "Business plan 2025-26"
    assert "What the board approved." in html
    shown = {name for name, marker in FORMS.items() if marker in html}
    assert shown == SEES[state][who]


@pytest.mark.parametrize("who", ["admin", "non_member", "csc_nominee"])
def test_a_request_is_hidden_from_outsiders(world: World, api, pages, who) -> None:
    made = ask(api, world)
    page = pages(who)
    for path in (
        f"/requests/{made['id']}",
        f"/requests/{made['id']}/withdraw",
        f"/workspaces/{world.ws.id}/requests",
    ):
        response = page.get(path)
        assert response.status_code == 404, path
        assert "Business plan" not in response.get_data(as_text=True)


# -- Answering with evidence ------------------------------------------------------


def test_an_upload_answers_the_request(world: World, api, pages, store) -> None:
    made = ask(api, world)
    page = pages("contributor")
    form = page.text(f"/requests/{made['id']}")
    # The token and the request come before the file in the form.
    assert form.index('name="request_id"') < form.index('type="file"')
    response = upload_to(
        page,
        world,
        made["id"],
        [(io.BytesIO(b"The plan, 2025-26."), "plan.txt")],
        classification="OFFICIAL-SENSITIVE",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/requests/{made['id']}"
    request = stored(made["id"])
    assert request.status is RequestStatus.SUBMITTED
    (item,) = request.evidence
    assert item.classification.value == "OFFICIAL-SENSITIVE"
    html = page.text(response.headers["Location"])
    assert "Uploaded: plan.txt." in html
    assert f'href="/evidence/{item.id}"' in html
    assert "Submitted" in html


def test_an_upload_to_a_finished_request_is_refused(
    world: World, api, pages, store
) -> None:
    made = ask(api, world)
    answer(api, world, made["id"])
    page = pages("contributor")
    token = csrf_token(page.text(f"/requests/{made['id']}"))
    decide(api, made["id"], "accept")
    before, blobs = counts(), sorted(store.iter_keys())
    response = page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data={
            "csrf_token": token,
            "request_id": made["id"],
            "file": [(io.BytesIO(b"late"), "late.txt"), (io.BytesIO(b"b"), "b.txt")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/requests/{made['id']}"
    html = page.text(response.headers["Location"])
    assert (
        "Nothing was uploaded. Request R-001 is accepted: it takes no more evidence."
        in text_of(html)
    )
    assert 'name="request_id"' not in html  # no upload form any more
    assert counts() == before
    assert sorted(store.iter_keys()) == blobs
    assert stored(made["id"]).status is RequestStatus.ACCEPTED


def test_an_upload_naming_another_workspaces_request_goes_nowhere(
    world: World, api, pages, store
) -> None:
    other = ask(api, world, ws=world.csc_ws)
    page = pages("contributor")
    token = csrf_token(page.text(f"/workspaces/{world.ws.id}"))
    response = page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data={
            "csrf_token": token,
            "request_id": other["id"],
            "file": [(io.BytesIO(b"x"), "x.txt")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert counts() == (0, 0)
    # Sent to a page that, for this user, does not exist.
    assert page.get(response.headers["Location"]).status_code == 404
    assert stored(other["id"]).status is RequestStatus.OPEN


# -- Deciding -----------------------------------------------------------------


def test_accepting_and_returning(world: World, api, pages) -> None:
    made = ask(api, world)
    answer(api, world, made["id"])
    page = pages("inspector")
    url = f"/requests/{made['id']}"
    action = f"{url}/decision"

    # Return without a reason: refused, and the reason box is flagged.
    no_reason = page.submit(url, {"decision": "return", "reason": "  "}, action)
    html = no_reason.get_data(as_text=True)
    assert no_reason.status_code == 200
    assert "Say why the evidence is returned" in error_summary(html)
    assert 'href="#reason"' in html
    assert stored(made["id"]).status is RequestStatus.SUBMITTED
    # No decision at all.
    nothing = page.submit(url, {}, action).get_data(as_text=True)
    assert "Choose to accept or to return" in error_summary(nothing)
    assert 'href="#decision"' in nothing
    # Not one of the choices (withdrawing has its own page).
    odd = page.submit(url, {"decision": "withdraw"}, action).get_data(as_text=True)
    assert error_summary(odd)
    assert stored(made["id"]).status is RequestStatus.SUBMITTED

    returned = page.submit(
        url,
        {"decision": "return", "reason": "This is the 2024 plan.\nWe need 2025."},
        action,
    )
    assert returned.status_code == 302
    request = stored(made["id"])
    assert request.status is RequestStatus.RETURNED
    assert request.return_reason == "This is the 2024 plan.\nWe need 2025."
    # The party under review sees why.
    seen = pages("contributor").text(url)
    assert "Returned by the inspectors" in seen
    assert "This is the 2024 plan.<br>We need 2025." in seen
    assert "Returned" in seen

    answer(api, world, made["id"], who="contributor")
    again = page.text(url)
    assert "Last returned because" in again
    accepted = page.submit(url, {"decision": "accept", "reason": "ignored"}, action)
    assert accepted.status_code == 302
    request = stored(made["id"])
    assert request.status is RequestStatus.ACCEPTED
    assert "Request R-001 was accepted." in page.text(url)


def test_deciding_twice_shows_the_conflict(world: World, api, pages) -> None:
    made = ask(api, world)
    answer(api, world, made["id"])
    url = f"/requests/{made['id']}"
    # Both inspectors have the page open; the lead officer decides first.
    late = pages("inspector")
    token = csrf_token(late.text(url))
    first = pages("lead_officer").submit(url, {"decision": "accept"}, url + "/decision")
    assert first.status_code == 302
    second = late.client.post(
        url + "/decision",
        data={"csrf_token": token, "decision": "return", "reason": "Too late?"},
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert (
        "Request R-001 is accepted, so this decision cannot be made now."
        in error_summary(html)
    )
    assert heading(html) == "Business plan 2025-26"  # the request page, not a crash
    assert '/decision"' not in html  # nothing left to decide
    # The language switch of this page leads back to the request.
    switched = late.get(url + "/decision?lang=cy", follow_redirects=True)
    assert switched.status_code == 200
    assert switched.request.path == url
    assert stored(made["id"]).status is RequestStatus.ACCEPTED


def test_withdrawing_asks_first(world: World, api, pages) -> None:
    made = ask(api, world)
    page = pages("lead_officer")
    url = f"/requests/{made['id']}/withdraw"
    confirm = page.text(url)
    assert heading(confirm) == "Are you sure you want to withdraw this request?"
    assert stored(made["id"]).status is RequestStatus.OPEN
    done = page.submit(url, {})
    assert done.status_code == 302
    assert stored(made["id"]).status is RequestStatus.WITHDRAWN
    shown = page.text(f"/requests/{made['id']}")
    assert "Request R-001 was withdrawn." in shown and "Withdrawn" in shown
    # Again (from a page left open): the conflict is shown, nothing changes.
    again = page.submit(url, {})
    assert again.status_code == 409
    assert "Request R-001 is withdrawn" in error_summary(again.get_data(as_text=True))


@pytest.mark.parametrize("who", ["observer", "nominee", "contributor"])
def test_only_inspectors_decide(world: World, api, pages, who: str) -> None:
    made = ask(api, world)
    answer(api, world, made["id"])
    page = pages(who)
    url = f"/requests/{made['id']}"
    assert (
        page.submit(url, {"decision": "accept"}, url + "/decision").status_code == 403
    )
    assert page.get(url + "/withdraw").status_code == 403
    assert page.submit(url, {}, url + "/withdraw").status_code == 403
    assert stored(made["id"]).status is RequestStatus.SUBMITTED


# -- Sharing out ----------------------------------------------------------------


def test_the_nominee_shares_a_request_out(world: World, api, pages, factory) -> None:
    made = ask(api, world)
    page = pages("nominee")
    url = f"/requests/{made['id']}"
    action = url + "/assignees"
    # The assignment form (the page's notes panel offers inspectors too).
    form = re.search(
        r'<form[^>]*action="[^"]*/assignees".*?</form>', page.text(url), re.S
    )[0]
    contributor, nominee = world.users["contributor"], world.users["nominee"]
    # The workspace's own people, and nobody else.
    for user in (contributor, nominee):
        assert f'value="{user.id}"' in form
    for other in ("csc_contributor", "inspector", "erw_spare"):
        assert f'value="{world.users[other].id}"' not in form

    given = page.submit(
        url, {"user_ids": [str(contributor.id), str(nominee.id)]}, action
    )
    assert given.status_code == 302
    assert {u.id for u in stored(made["id"]).assignees} == {contributor.id, nominee.id}
    html = page.text(url)
    assert "Who answers R-001 was saved." in html
    assert re.search(rf'value="{contributor.id}"\s+checked', html)

    # Nobody ticked: unassigned.
    assert page.submit(url, {}, action).status_code == 302
    assert stored(made["id"]).assignees == []

    # Someone from elsewhere, or not a person at all: refused, on the page.
    for bad in (str(world.users["csc_contributor"].id), "not-an-id"):
        refused = page.submit(url, {"user_ids": [bad]}, action)
        assert refused.status_code == 200
        assert error_summary(refused.get_data(as_text=True))
    assert stored(made["id"]).assignees == []

    # A contributor may not share work out.
    assert (
        pages("contributor")
        .submit(url, {"user_ids": [str(contributor.id)]}, action)
        .status_code
        == 403
    )


def test_a_finished_request_is_not_shared_out(world: World, api, pages) -> None:
    made = ask(api, world)
    page = pages("nominee")
    url = f"/requests/{made['id']}"
    token = csrf_token(page.text(url))
    api("inspector").post(
        f"/requests/{made['id']}/decision", json={"decision": "withdraw"}
    )
    response = page.client.post(
        url + "/assignees",
        data={"csrf_token": token, "user_ids": [str(world.users["contributor"].id)]},
    )
    assert response.status_code == 409
    assert "Request R-001 is withdrawn" in error_summary(
        response.get_data(as_text=True)
    )
    assert stored(made["id"]).assignees == []


# -- Welsh ----------------------------------------------------------------------


def test_the_request_page_in_welsh(world: World, api, pages) -> None:
    made = ask(
        api,
        world,
        title_cy="Cynllun busnes 2025-26",
        due_date="2026-03-01",
    )
    page = pages("nominee")
    html = page.text(f"/requests/{made['id']}?lang=cy", follow_redirects=True)
    assert '<html lang="cy"' in html
    assert heading(html) == "Cynllun busnes 2025-26"
    assert "1 Mawrth 2026" in html
    assert "Business plan 2025-26" not in html
    # And back: English again, with the English title.
    english = page.text(f"/requests/{made['id']}?lang=en", follow_redirects=True)
    assert heading(english) == "Business plan 2025-26"
    assert "1 March 2026" in english
