"""Every page and every form x every caller, against the expected answer.

The same callers as the API's matrix: five review roles (the reviewed ones
in workspace ``ws``), an administrator who is not a member, a signed-in
outsider, and an anonymous visitor (sent to sign in).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest

from app.core.permissions import Role
from support.app_fixtures import rolled_back
from support.pages import PageClient, csrf_token
from support.world import ROLE_NAMES, World

LO, IN, OB, NO, CO, AD, NM, AN = ROLE_NAMES
SIGN_IN = 302  # an anonymous visitor is sent to the sign-in page


def answers(default: int, **overrides: int) -> dict[str, int]:
    table = {role: default for role in ROLE_NAMES}
    table[AN] = SIGN_IN
    table.update(overrides)
    return table


MEMBERS_ONLY = answers(200, admin=404, non_member=404)
ADMIN_ONLY = answers(403, admin=200)
# Making requests, deciding on them: inspecting lead officers and inspectors.
ASKERS_200 = answers(403, lead_officer=200, inspector=200, admin=404, non_member=404)
ASKERS_302 = answers(403, lead_officer=302, inspector=302, admin=404, non_member=404)


@dataclass
class Page:
    method: str
    path: str
    expected: dict[str, int]


PAGES = {
    "my reviews": Page("GET", "/", answers(200)),
    "review": Page("GET", "/reviews/{review}", answers(200, non_member=404)),
    "members": Page(
        "GET",
        "/reviews/{review}/members",
        answers(403, admin=200, lead_officer=200, nominee=200, non_member=404),
    ),
    "workspace": Page("GET", "/workspaces/{ws}", MEMBERS_ONLY),
    "evidence item": Page("GET", "/evidence/{item}", MEMBERS_ONLY),
    "download": Page("GET", "/evidence/{item}/download", MEMBERS_ONLY),
    "withdraw page": Page(
        "GET",
        "/evidence/{item}/withdraw",
        answers(403, lead_officer=200, nominee=200, admin=404, non_member=404),
    ),
    "progress": Page(
        "GET", "/reviews/{review}/progress", answers(200, admin=403, non_member=404)
    ),
    "administration": Page("GET", "/admin/", ADMIN_ONLY),
    "organisations": Page("GET", "/admin/organisations", ADMIN_ONLY),
    "users": Page("GET", "/admin/users", ADMIN_ONLY),
    "reviews (admin)": Page("GET", "/admin/reviews", ADMIN_ONLY),
    "new review": Page("GET", "/admin/reviews/new", ADMIN_ONLY),
    "accessibility": Page("GET", "/accessibility", answers(200, anonymous=200)),
    "privacy": Page("GET", "/privacy", answers(200, anonymous=200)),
    "sign in": Page("GET", "/sign-in", answers(302, anonymous=200)),
    "upload": Page(
        "POST",
        "/workspaces/{ws}/upload",
        answers(302, observer=403, admin=404, non_member=404),
    ),
    "withdraw": Page(
        "POST",
        "/evidence/{item}/withdraw",
        answers(403, lead_officer=302, nominee=302, admin=404, non_member=404),
    ),
    "remove member": Page(
        "POST",
        "/reviews/{review}/members/{spare}/remove",
        answers(403, admin=302, nominee=302, non_member=404),
    ),
    "add organisation": Page("POST", "/admin/organisations", answers(403, admin=302)),
    "disable user": Page(
        "POST", "/admin/users/{outsider}/active", answers(403, admin=302)
    ),
    "sign out": Page("POST", "/sign-out", answers(302)),
    # Requests for evidence ({request}: submitted, with evidence).
    "request list": Page("GET", "/workspaces/{ws}/requests", MEMBERS_ONLY),
    "request": Page("GET", "/requests/{request}", MEMBERS_ONLY),
    "new request page": Page("GET", "/workspaces/{ws}/requests/new", ASKERS_200),
    "request to every workspace page": Page(
        "GET", "/reviews/{review}/requests/new", ASKERS_200
    ),
    "withdraw request page": Page("GET", "/requests/{request}/withdraw", ASKERS_200),
    "new request": Page("POST", "/workspaces/{ws}/requests/new", ASKERS_302),
    "request to every workspace": Page(
        "POST", "/reviews/{review}/requests/new", ASKERS_302
    ),
    "decide on a request": Page("POST", "/requests/{request}/decision", ASKERS_302),
    "withdraw request": Page("POST", "/requests/{request}/withdraw", ASKERS_302),
    "share a request out": Page(
        "POST",
        "/requests/{request}/assignees",
        answers(
            403,
            lead_officer=302,
            inspector=302,
            nominee=302,
            admin=404,
            non_member=404,
        ),
    ),
    "upload answering a request": Page(
        "POST",
        "/workspaces/{ws}/upload",
        answers(302, observer=403, admin=404, non_member=404),
    ),
    # Joint working: the stage, notes ({note}: the inspector's, joint), and
    # notifications.
    "change stage": Page(
        "POST",
        "/reviews/{review}/stage",
        answers(403, lead_officer=302, admin=302, non_member=404),
    ),
    "notifications": Page("GET", "/notifications", answers(200)),
    "mark notifications read": Page("POST", "/notifications/read", answers(302)),
    "add a note": Page(
        "POST",
        "/reviews/{review}/notes",
        answers(302, observer=403, admin=403, non_member=404),
    ),
    "a note": Page(
        "GET",
        "/notes/{note}",
        answers(404, lead_officer=302, inspector=302, observer=302),
    ),
    "reply page": Page(
        "GET",
        "/notes/{note}/reply",
        answers(404, lead_officer=200, inspector=200, observer=403),
    ),
    "change note page": Page(
        "GET",
        "/notes/{note}/edit",
        answers(404, lead_officer=403, inspector=200, observer=403),
    ),
    "delete note page": Page(
        "GET",
        "/notes/{note}/delete",
        answers(404, lead_officer=200, inspector=200, observer=403),
    ),
    "delete note": Page(
        "POST",
        "/notes/{note}/delete",
        answers(404, lead_officer=302, inspector=302, observer=403),
    ),
    "hypotheses register": Page(
        "GET",
        "/reviews/{review}/hypotheses",
        answers(403, lead_officer=200, inspector=200, observer=200, non_member=404),
    ),
    "new hypothesis page": Page(
        "GET",
        "/reviews/{review}/hypotheses/new",
        answers(403, lead_officer=200, inspector=200, non_member=404),
    ),
    "a hypothesis": Page(
        "GET",
        "/hypotheses/{hypothesis}",
        answers(404, lead_officer=200, inspector=200, observer=200),
    ),
    "change hypothesis page": Page(
        "GET",
        "/hypotheses/{hypothesis}/change",
        answers(404, lead_officer=200, inspector=200, observer=403),
    ),
    "hypothesis evidence page": Page(
        "GET",
        "/hypotheses/{hypothesis}/evidence",
        answers(404, lead_officer=200, inspector=200, observer=403),
    ),
    "add a hypothesis": Page(
        "POST",
        "/reviews/{review}/hypotheses/new",
        answers(403, lead_officer=302, inspector=302, non_member=404),
    ),
    "timetable": Page(
        "GET", "/reviews/{review}/timetable", answers(200, admin=403, non_member=404)
    ),
    "plan a visit page": Page(
        "GET",
        "/reviews/{review}/visits/new",
        answers(403, lead_officer=200, inspector=200, non_member=404),
    ),
    "add a session page": Page(
        "GET",
        "/visits/{visit}/sessions/new",
        answers(403, lead_officer=200, inspector=200, admin=404, non_member=404),
    ),
    "a session": Page(
        "GET", "/sessions/{session}", answers(200, admin=404, non_member=404)
    ),
    "a team meeting": Page(
        "GET",
        "/sessions/{team_meeting}",
        answers(404, lead_officer=200, inspector=200, observer=200),
    ),
    "my calendar": Page("GET", "/calendar", answers(200)),
    "themes": Page(
        "GET", "/reviews/{review}/themes", answers(200, admin=403, non_member=404)
    ),
    "add a theme": Page(
        "POST",
        "/reviews/{review}/themes",
        answers(403, lead_officer=302, inspector=302, non_member=404),
    ),
    "change a visit page": Page(
        "GET",
        "/visits/{visit}/edit",
        answers(403, lead_officer=200, inspector=200, admin=404, non_member=404),
    ),
    "change a visit": Page(
        "POST",
        "/visits/{visit}/edit",
        answers(403, lead_officer=302, inspector=302, admin=404, non_member=404),
    ),
    "change a session page": Page(
        "GET",
        "/sessions/{session}/edit",
        answers(403, lead_officer=200, inspector=200, admin=404, non_member=404),
    ),
    "change a session": Page(
        "POST",
        "/sessions/{session}/edit",
        answers(403, lead_officer=302, inspector=302, admin=404, non_member=404),
    ),
    "change a team meeting page": Page(
        "GET",
        "/sessions/{team_meeting}/edit",
        answers(404, lead_officer=200, inspector=200, observer=403),
    ),
    "change a theme page": Page(
        "GET",
        "/themes/{theme}/edit",
        answers(403, lead_officer=200, inspector=200, admin=404, non_member=404),
    ),
    "change a theme": Page(
        "POST",
        "/themes/{theme}/edit",
        answers(403, lead_officer=302, inspector=302, admin=404, non_member=404),
    ),
    "cancel a session": Page(
        "POST",
        "/sessions/{session}/cancel",
        answers(403, lead_officer=302, inspector=302, admin=404, non_member=404),
    ),
    "cancel a visit": Page(
        "POST",
        "/visits/{visit}/cancel",
        answers(403, lead_officer=302, inspector=302, admin=404, non_member=404),
    ),
    # Headline messages: the inspecting side's.
    "headline messages": Page(
        "GET",
        "/reviews/{review}/messages",
        answers(403, lead_officer=200, inspector=200, observer=200, non_member=404),
    ),
    "headline messages brief": Page(
        "GET",
        "/reviews/{review}/messages/brief",
        answers(403, lead_officer=200, inspector=200, observer=200, non_member=404),
    ),
    "add a message page": Page(
        "GET",
        "/reviews/{review}/messages/new",
        answers(403, lead_officer=200, inspector=200, non_member=404),
    ),
    "add a message": Page(
        "POST",
        "/reviews/{review}/messages/new",
        answers(403, lead_officer=302, inspector=302, non_member=404),
    ),
    "a message": Page(
        "GET",
        "/messages/{message}",
        answers(404, lead_officer=200, inspector=200, observer=200),
    ),
    "change a message page": Page(
        "GET",
        "/messages/{message}/edit",
        answers(404, lead_officer=200, inspector=200, observer=403),
    ),
    "change a message": Page(
        "POST",
        "/messages/{message}/edit",
        answers(404, lead_officer=302, inspector=302, observer=403),
    ),
    "delete a message page": Page(
        "GET",
        "/messages/{message}/delete",
        answers(404, lead_officer=200, inspector=200, observer=403),
    ),
    "delete a message": Page(
        "POST",
        "/messages/{message}/delete",
        answers(404, lead_officer=302, inspector=302, observer=403),
    ),
    "agree to a message": Page(
        "POST",
        "/messages/{message}/agreement",
        answers(404, lead_officer=302, inspector=403, observer=403),
    ),
    # ZIP import: the form, and a ZIP file sent (the result page).
    "import page": Page(
        "GET",
        "/workspaces/{ws}/import",
        answers(200, observer=403, admin=404, non_member=404),
    ),
    "import": Page(
        "POST",
        "/workspaces/{ws}/import",
        answers(200, observer=403, admin=404, non_member=404),
    ),
}


def _zip_of_one_file() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("folder/more.txt", b"more evidence")
    return buffer.getvalue()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_matrix(name: str, world: World, app, api, factory) -> None:
    """One page, every caller: the world is built once, and each caller
    asks in a savepoint rolled back after it, with a browser of its own."""
    page_def = PAGES[name]
    asked = api("inspector").post(
        f"/workspaces/{world.ws.id}/requests", json={"title": "Business plan"}
    )
    request_id = asked.get_json()["id"]
    item = (
        api("nominee")
        .upload(world.ws.id, b"evidence", "e.txt", fields={"request_id": request_id})
        .get_json()
    )
    spare = factory.user(world.erw, name="second contributor")
    factory.member(world.review, spare, Role.CONTRIBUTOR)
    note = api("inspector").post(
        f"/reviews/{world.review.id}/notes", json={"body": "Emerging findings"}
    )
    hypothesis = api("inspector").post(
        f"/reviews/{world.review.id}/hypotheses", json={"statement": "Strong boards"}
    )
    visit = (
        api("inspector")
        .post(
            f"/reviews/{world.review.id}/visits",
            json={
                "workspace_id": str(world.ws.id),
                "starts_on": "2027-03-01",
                "ends_on": "2027-03-02",
                "mode": "on_site",
            },
        )
        .get_json()["id"]
    )
    sessions = {
        kind: api("inspector")
        .post(
            f"/visits/{visit}/sessions",
            json={
                "kind": kind,
                "title": kind,
                "starts_at": "2027-03-01T09:00:00Z",
                "ends_at": "2027-03-01T10:00:00Z",
            },
        )
        .get_json()["id"]
        for kind in ("interview", "team_meeting")
    }
    theme = api("inspector").post(
        f"/reviews/{world.review.id}/themes", json={"name": "Governance"}
    )
    message = api("inspector").post(
        f"/reviews/{world.review.id}/messages", json={"text": "Leaders lead well."}
    )
    path = page_def.path.format(
        message=message.get_json()["id"],
        theme=theme.get_json()["id"],
        visit=visit,
        session=sessions["interview"],
        team_meeting=sessions["team_meeting"],
        hypothesis=hypothesis.get_json()["id"],
        note=note.get_json()["id"],
        review=world.review.id,
        ws=world.ws.id,
        item=item["id"],
        spare=spare.id,
        outsider=world.users["non_member"].id,
        request=request_id,
    )
    wrong = []
    for who in ROLE_NAMES:
        with rolled_back():
            problem = _ask(name, page_def, who, path, world, request_id, app)
        if problem:
            wrong.append(f"{name} as {who}: {problem}")
    assert not wrong, "\n".join(wrong)


def _ask(
    name: str, page_def: Page, who: str, path: str, world: World, request_id: str, app
) -> str:
    """What is wrong with ``who``'s answer from the page ("" if nothing)."""
    browser = PageClient(app.test_client())
    if who != AN:
        assert browser.sign_in(world.users[who].email).status_code == 302
    if page_def.method == "GET":
        response = browser.get(path)
    else:
        token = csrf_token(browser.text("/sign-in" if who == AN else "/privacy"))
        data: dict[str, object] = {"csrf_token": token, **_form(name, world)}
        if name == "upload answering a request":
            # The request first, as the request page's form sends it.
            data = {
                "csrf_token": token,
                "request_id": request_id,
                "file": [(io.BytesIO(b"an answer"), "answer.txt")],
            }
        response = browser.client.post(
            path, data=data, content_type="multipart/form-data"
        )
    expected = page_def.expected[who]
    if response.status_code != expected:
        return f"{response.status_code}, not {expected}"
    if (
        expected == SIGN_IN
        and who == AN
        and not response.headers["Location"].startswith("/sign-in")
    ):
        return f"sent to {response.headers['Location']}, not to sign in"
    if expected in (403, 404) and "govuk-heading-l" not in response.get_data(
        as_text=True
    ):
        return "not the error page"
    return ""


# What each form is sent (beyond its CSRF token): enough to succeed for a
# caller who may use it. Files are made afresh: a stream is read once.
FORMS: dict[str, Any] = {
    "upload": lambda w: {"file": [(io.BytesIO(b"more evidence"), "more.txt")]},
    "import": lambda w: {"file": [(io.BytesIO(_zip_of_one_file()), "more.zip")]},
    "add organisation": lambda w: {
        "name": "New body", "slug": "new-body", "kind": "school"
    },
    "new request": lambda w: {"title": "Self-evaluation report"},
    "request to every workspace": lambda w: {"title": "Self-evaluation report"},
    "change stage": lambda w: {"status": "fieldwork"},
    "add a theme": lambda w: {"name": "Value for money"},
    "change a theme": lambda w: {"name": "Value for money"},
    "change a visit": lambda w: {
        "starts_on": ["1", "3", "2027"], "ends_on": ["3", "3", "2027"],
        "mode": "remote",
    },
    "change a session": lambda w: {
        "kind": "interview", "title": "Interview", "day": "2027-03-01",
        "starts": "11:00", "ends": "12:00",
    },
    "add a hypothesis": lambda w: {
        "statement": "Boards challenge plans", "scope": "joint"
    },
    "add a note": lambda w: {"body": "A note from the page"},
    "add a message": lambda w: {"text": "Regional working has improved."},
    "change a message": lambda w: {"text": "Regional working has improved much."},
    "agree to a message": lambda w: {"action": "agree"},
    "decide on a request": lambda w: {"decision": "accept"},
    "share a request out": lambda w: {"user_ids": str(w.users["contributor"].id)},
}  # fmt: skip


def _form(name: str, world: World) -> dict[str, Any]:
    make = FORMS.get(name)
    return make(world) if make else {}
