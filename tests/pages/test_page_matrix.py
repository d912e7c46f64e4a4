"""Every page and every form x every caller, against the expected answer.

The same callers as the API's matrix: five review roles (the reviewed ones
in workspace ``ws``), the second inspecting body's lead officer, an
administrator who is not a member, a signed-in outsider, and an anonymous
visitor (sent to sign in).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest

from app.core.permissions import Role
from support.app_fixtures import rolled_back
from support.pages import PageClient, csrf_token
from support.world import ROLE_NAMES, World

LO, IN, OB, NO, CO, AD, NM, AN = ROLE_NAMES
# The lead officer of the second inspecting body (Audit Wales): where a row
# says nothing of them, they answer as Estyn's lead officer does.
AL = "audit_lead"
CALLERS = [*ROLE_NAMES, AL]
SIGN_IN = 302  # an anonymous visitor is sent to the sign-in page


def answers(default: int, **overrides: int) -> dict[str, int]:
    table = {role: default for role in ROLE_NAMES}
    table[AN] = SIGN_IN
    table.update(overrides)
    table.setdefault(AL, table[LO])
    return table


MEMBERS_ONLY = answers(200, admin=404, non_member=404)
ADMIN_ONLY = answers(403, admin=200)
# Making requests, deciding on them: inspecting lead officers and inspectors.
ASKERS_200 = answers(403, lead_officer=200, inspector=200, admin=404, non_member=404)
ASKERS_302 = answers(403, lead_officer=302, inspector=302, admin=404, non_member=404)
INSPECTING_ONLY = answers(404, lead_officer=200, inspector=200, observer=200)
FEEDBACK_READERS = answers(
    404, lead_officer=200, inspector=200, observer=200, nominee=200, contributor=200
)


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
    # Records: the audit trail, the review's for its lead officers (and
    # administrators), all of it for administrators.
    "audit trail": Page(
        "GET",
        "/reviews/{review}/audit",
        answers(403, lead_officer=200, admin=200, non_member=404),
    ),
    "audit trail CSV": Page(
        "GET",
        "/reviews/{review}/audit.csv",
        answers(403, lead_officer=200, admin=200, non_member=404),
    ),
    "audit trail of the portal": Page("GET", "/admin/audit", ADMIN_ONLY),
    "audit trail of the portal CSV": Page("GET", "/admin/audit.csv", ADMIN_ONLY),
    # The close-out export.
    "export": Page(
        "GET",
        "/reviews/{review}/export",
        answers(403, lead_officer=200, nominee=200, non_member=404),
    ),
    "export download": Page(
        "GET",
        "/reviews/{review}/export.zip",
        answers(403, lead_officer=200, nominee=200, non_member=404),
    ),
    # Trash and retention.
    "withdrawn evidence": Page(
        "GET",
        "/workspaces/{ws}/withdrawn",
        answers(403, lead_officer=200, nominee=200, admin=404, non_member=404),
    ),
    "restore": Page(
        "POST",
        "/evidence/{withdrawn}/restore",
        answers(404, lead_officer=302, nominee=302),
    ),
    "retention": Page(
        "POST",
        "/reviews/{review}/retention",
        answers(403, lead_officer=302, admin=302, non_member=404),
    ),
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
    # The note is Estyn's inspector's: their body's lead officer may delete
    # it, the other body's may not.
    "delete note page": Page(
        "GET",
        "/notes/{note}/delete",
        answers(404, lead_officer=200, inspector=200, observer=403, audit_lead=403),
    ),
    "delete note": Page(
        "POST",
        "/notes/{note}/delete",
        answers(404, lead_officer=302, inspector=302, observer=403, audit_lead=403),
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
    # Agreement: drafts ({draft}: a joint press release in two versions with
    # a comment; {feedback}: ERW's, issued at version 2; {agreed_feedback}:
    # agreed, not issued; {report}: Estyn's own, unshared), the publication
    # (one proposed) and the agreement page.
    "drafts": Page(
        "GET", "/reviews/{review}/drafts", answers(200, admin=403, non_member=404)
    ),
    "start a draft page": Page(
        "GET",
        "/reviews/{review}/drafts/new",
        answers(403, lead_officer=200, inspector=200, non_member=404),
    ),
    "start a draft": Page(
        "POST",
        "/reviews/{review}/drafts/new",
        answers(403, lead_officer=302, inspector=302, non_member=404),
    ),
    "a draft": Page("GET", "/drafts/{draft}", INSPECTING_ONLY),
    "a body's report": Page("GET", "/drafts/{report}", {**INSPECTING_ONLY, AL: 404}),
    "issued feedback": Page("GET", "/drafts/{feedback}", FEEDBACK_READERS),
    "a draft version": Page("GET", "/drafts/{draft}/versions/1", INSPECTING_ONLY),
    "the issued version": Page(
        "GET", "/drafts/{feedback}/versions/2", FEEDBACK_READERS
    ),
    "an earlier version of issued feedback": Page(
        "GET", "/drafts/{feedback}/versions/1", INSPECTING_ONLY
    ),
    "download a draft's document": Page(
        "GET", "/drafts/{document}/versions/1/download", INSPECTING_ONLY
    ),
    "add a version page": Page(
        "GET",
        "/drafts/{draft}/versions/new",
        answers(404, lead_officer=200, inspector=200, observer=403),
    ),
    "add a version": Page(
        "POST",
        "/drafts/{draft}/versions/new",
        answers(404, lead_officer=302, inspector=302, observer=403),
    ),
    "compare versions": Page(
        "GET", "/drafts/{draft}/compare?from=1&to=2", INSPECTING_ONLY
    ),
    "compare versions of issued feedback": Page(
        "GET",
        "/drafts/{feedback}/compare",
        answers(
            404,
            lead_officer=200,
            inspector=200,
            observer=200,
            nominee=403,
            contributor=403,
        ),
    ),
    "comment on a draft": Page(
        "POST",
        "/drafts/{draft}/comments",
        answers(404, lead_officer=302, inspector=302, observer=403),
    ),
    "resolve a comment": Page(
        "POST",
        "/draft-comments/{draft_comment}/resolved",
        answers(404, lead_officer=302, inspector=302, observer=403),
    ),
    "decide on a draft": Page(
        "POST",
        "/drafts/{draft}/decision",
        answers(404, lead_officer=302, inspector=403, observer=403),
    ),
    "withdraw a decision": Page(
        "POST",
        "/drafts/{draft}/decision/withdraw",
        answers(404, lead_officer=302, inspector=403, observer=403),
    ),
    "share a report": Page(
        "POST",
        "/drafts/{report}/share",
        answers(404, lead_officer=302, inspector=302, observer=403, audit_lead=404),
    ),
    "issue feedback": Page(
        "POST",
        "/drafts/{agreed_feedback}/issue",
        answers(404, lead_officer=302, inspector=403, observer=403),
    ),
    "comment on factual accuracy": Page(
        "POST",
        "/drafts/{feedback}/accuracy",
        answers(
            404,
            lead_officer=403,
            inspector=403,
            observer=403,
            nominee=302,
            contributor=403,
        ),
    ),
    "publication": Page(
        "GET",
        "/reviews/{review}/publication",
        answers(403, lead_officer=200, inspector=200, observer=200, non_member=404),
    ),
    "propose the publication": Page(
        "POST",
        "/reviews/{review}/publication",
        answers(403, lead_officer=302, non_member=404),
    ),
    "agree the publication": Page(
        "POST",
        "/reviews/{review}/publication/agreement",
        answers(403, lead_officer=302, non_member=404),
    ),
    "agreement": Page(
        "GET",
        "/reviews/{review}/agreement",
        answers(403, lead_officer=200, inspector=200, observer=200, non_member=404),
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
    agreement = (
        _agreement(api, world)
        if AGREEMENT_PLACES & set(re.findall(r"\{(\w+)\}", page_def.path))
        or name in AGREEMENT_PAGES
        else {}
    )
    withdrawn = ""
    if "{withdrawn}" in page_def.path:
        withdrawn = (
            api("nominee").upload(world.ws.id, b"gone", "gone.txt").get_json()["id"]
        )
        assert api("nominee").delete(f"/evidence/{withdrawn}").status_code == 204
    path = page_def.path.format(
        **agreement,
        withdrawn=withdrawn,
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
    for who in CALLERS:
        with rolled_back():
            problem = _ask(name, page_def, who, path, world, request_id, app, agreement)
        if problem:
            wrong.append(f"{name} as {who}: {problem}")
    assert not wrong, "\n".join(wrong)


AGREEMENT_PLACES = {
    "draft", "report", "feedback", "agreed_feedback", "document", "draft_comment"
}  # fmt: skip
# Pages whose path names only the review but that need the drafts made.
AGREEMENT_PAGES = {"propose the publication", "agree the publication"}


def _agreement(api, world: World) -> dict[str, str]:
    """The drafts the agreement pages act on, and a proposed publication."""

    def made(answer, status: int = 201) -> dict:
        assert answer.status_code == status, answer.get_json()
        return answer.get_json()

    def draft(who: str = "inspector", **body: object) -> str:
        return made(api(who).post(f"/reviews/{world.review.id}/drafts", json=body))[
            "id"
        ]

    def version(draft_id: str, text: str) -> None:
        made(api("inspector").post(f"/drafts/{draft_id}/versions", json={"text": text}))

    def agree(draft_id: str, number: int) -> None:
        for who, org in (("lead_officer", world.estyn), ("audit_lead", world.audit)):
            made(
                api(who).put(
                    f"/drafts/{draft_id}/approvals/{org.id}",
                    json={"decision": "approve", "version": number},
                ),
                200,
            )

    press = draft(kind="press_release", title="Joint press release")
    version(press, "Version one")
    version(press, "Version two")
    comment = made(
        api("audit_inspector").post(f"/drafts/{press}/comments", json={"body": "Hm"})
    )["id"]
    report = draft(kind="report", title="Estyn's report")
    version(report, "Our report")
    ws = str(world.ws.id)
    feedback = draft(kind="feedback", title="Feedback", workspace_id=ws)
    version(feedback, "First thoughts")
    version(feedback, "Agreed feedback")
    agree(feedback, 2)
    made(api("lead_officer").post(f"/drafts/{feedback}/issue"), 200)
    unissued = draft(kind="feedback", title="More feedback", workspace_id=ws)
    version(unissued, "Feedback")
    agree(unissued, 1)
    document = draft(kind="other", title="A document")
    made(
        api("inspector").post_file(
            f"/drafts/{document}/versions", b"%PDF-1.7\n" + b"0" * 200, "d.pdf"
        )
    )
    listed = draft(kind="other", title="Listed for publication")
    version(listed, "Published text")
    agree(listed, 1)
    made(
        api("lead_officer").put(
            f"/reviews/{world.review.id}/publication",
            json={"publish_at": "2099-01-01", "draft_ids": [listed]},
        ),
        200,
    )
    return {
        "draft": press,
        "report": report,
        "feedback": feedback,
        "agreed_feedback": unissued,
        "document": document,
        "draft_comment": comment,
        "listed": listed,
    }


def _ask(
    name: str,
    page_def: Page,
    who: str,
    path: str,
    world: World,
    request_id: str,
    app,
    places: dict[str, str],
) -> str:
    """What is wrong with ``who``'s answer from the page ("" if nothing)."""
    browser = PageClient(app.test_client())
    if who != AN:
        assert browser.sign_in(world.users[who].email).status_code == 302
    if page_def.method == "GET":
        response = browser.get(path)
    else:
        token = csrf_token(browser.text("/sign-in" if who == AN else "/privacy"))
        data: dict[str, object] = {"csrf_token": token, **_form(name, world, places)}
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
    "upload": lambda w, p: {"file": [(io.BytesIO(b"more evidence"), "more.txt")]},
    "import": lambda w, p: {"file": [(io.BytesIO(_zip_of_one_file()), "more.zip")]},
    "add organisation": lambda w, p: {
        "name": "New body", "slug": "new-body", "kind": "school"
    },
    "new request": lambda w, p: {"title": "Self-evaluation report"},
    "request to every workspace": lambda w, p: {"title": "Self-evaluation report"},
    "change stage": lambda w, p: {"status": "fieldwork"},
    "retention": lambda w, p: {"retention_days": "365", "legal_hold": "y"},
    "add a theme": lambda w, p: {"name": "Value for money"},
    "change a theme": lambda w, p: {"name": "Value for money"},
    "change a visit": lambda w, p: {
        "starts_on": ["1", "3", "2027"], "ends_on": ["3", "3", "2027"],
        "mode": "remote",
    },
    "change a session": lambda w, p: {
        "kind": "interview", "title": "Interview", "day": "2027-03-01",
        "starts": "11:00", "ends": "12:00",
    },
    "add a hypothesis": lambda w, p: {
        "statement": "Boards challenge plans", "scope": "joint"
    },
    "add a note": lambda w, p: {"body": "A note from the page"},
    "add a message": lambda w, p: {"text": "Regional working has improved."},
    "change a message": lambda w, p: {"text": "Regional working has improved much."},
    "agree to a message": lambda w, p: {"action": "agree"},
    "start a draft": lambda w, p: {"kind": "other", "title": "A paper"},
    "add a version": lambda w, p: {"text": "A third version"},
    "comment on a draft": lambda w, p: {"body": "A comment", "on_version": "1"},
    "resolve a comment": lambda w, p: {"resolved": "1"},
    "decide on a draft": lambda w, p: {"decision": "approve", "version": "2"},
    "comment on factual accuracy": lambda w, p: {"body": "It was 12 schools."},
    "propose the publication": lambda w, p: {
        "day": ["1", "6", "2099"], "time": "00:01", "drafts": p["listed"],
    },
    "decide on a request": lambda w, p: {"decision": "accept"},
    "share a request out": lambda w, p: {"user_ids": str(w.users["contributor"].id)},
}  # fmt: skip


def _form(name: str, world: World, places: dict[str, str]) -> dict[str, Any]:
    make = FORMS.get(name)
    return make(world, places) if make else {}
