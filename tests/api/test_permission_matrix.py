"""Every API endpoint x every caller, against the status the contract expects.

Callers: the five review roles (the reviewed roles belong to workspace
``ws``), a system administrator who is not a member, a signed-in user of an
organisation outside the review, and an anonymous caller. Each caller asks
in its own savepoint, rolled back after it, with a fresh token, so a caller
that revokes, removes or withdraws cannot change another's answer.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.core.db import db
from app.core.permissions import Role
from app.notifications.models import Notification
from support.api import ApiClient, error_of
from support.app_fixtures import rolled_back
from support.world import PASSWORD, ROLE_NAMES, World, make_token

LO, IN, OB, NO, CO, AD, NM, AN = ROLE_NAMES
# An inspector of the second inspecting body (Audit Wales): where a row says
# nothing of them, they answer as Estyn's inspector does.
AI = "audit_inspector"
CALLERS = [*ROLE_NAMES, AI]
EVERYONE_SIGNED_IN = (LO, IN, OB, NO, CO, AD, NM)
MEMBERS = (LO, IN, OB, NO, CO)


@dataclass
class Target:
    """What a cell acts on, made fresh for each cell."""

    world: World
    item_id: str
    spare_contributor_id: str
    # A request of ``ws`` with evidence submitted (ready for a decision).
    request_id: str

    def fill(self, path: str) -> str:
        users = self.world.users
        return path.format(
            review=self.world.review.id,
            ws=self.world.ws.id,
            item=self.item_id,
            request=self.request_id,
            spare_contributor=self.spare_contributor_id,
            erw_spare=users["erw_spare"].id,
            estyn_spare=users["estyn_spare"].id,
            observer=users["observer"].id,
            upload=self.upload_session() if "{upload}" in path else "",
            theme=self.theme() if "{theme}" in path else "",
            note=self.note() if "{note}" in path else "",
            workspace_note=self.note(workspace=True)
            if "{workspace_note}" in path
            else "",
            body_note=self.note(body=True) if "{body_note}" in path else "",
            notification=self.notification() if "{notification}" in path else "",
            hypothesis=self.hypothesis() if "{hypothesis}" in path else "",
            body_hypothesis=self.hypothesis(body=True)
            if "{body_hypothesis}" in path
            else "",
            visit=self.visit() if "{visit}" in path else "",
            session=self.session() if "{session}" in path else "",
            team_meeting=self.session("team_meeting")
            if "{team_meeting}" in path
            else "",
            part=1,
            one=1,
            estyn=self.world.estyn.id,
            draft=self.draft() if "{draft}" in path else "",
            body_draft=self.draft("report") if "{body_draft}" in path else "",
            file_draft=self.draft(file=True) if "{file_draft}" in path else "",
            feedback=self.feedback() if "{feedback}" in path else "",
            agreed_feedback=self.feedback(issued=False)
            if "{agreed_feedback}" in path
            else "",
            draft_comment=self.draft_comment() if "{draft_comment}" in path else "",
            message=self.message() if "{message}" in path else "",
            publication=self.publication() if "{publication}" in path else "",
            withdrawn_item=self.withdrawn_item() if "{withdrawn_item}" in path else "",
        )

    def withdrawn_item(self) -> str:
        """The cell's item, withdrawn by its workspace's nominee."""
        gone = self._client("nominee").delete(f"/evidence/{self.item_id}")
        assert gone.status_code == 204, gone.get_json()
        return self.item_id

    def _client(self, who: str) -> ApiClient:
        from flask import current_app

        return ApiClient(current_app.test_client(), self.world.tokens[who])

    def draft(self, kind: str = "press_release", *, file: bool = False) -> str:
        """A draft of Estyn's inspector with one version: a joint press
        release, or (``report``) Estyn's own report, not shared."""
        inspector = self._client("inspector")
        made = inspector.post(
            f"/reviews/{self.world.review.id}/drafts",
            json={"kind": kind, "title": "A draft"},
        )
        assert made.status_code == 201, made.get_json()
        draft_id = str(made.get_json()["id"])
        if file:
            added = inspector.post_file(
                f"/drafts/{draft_id}/versions", b"The draft's text", "draft.txt"
            )
        else:
            added = inspector.post(f"/drafts/{draft_id}/versions", json={"text": "v1"})
        assert added.status_code == 201, added.get_json()
        return draft_id

    def _agree(self, draft_id: str) -> None:
        for who, org in (
            ("lead_officer", self.world.estyn),
            ("audit_lead", self.world.audit),
        ):
            decided = self._client(who).put(
                f"/drafts/{draft_id}/approvals/{org.id}",
                json={"decision": "approve", "version": 1},
            )
            assert decided.status_code == 200, decided.get_json()

    def feedback(self, issued: bool = True) -> str:
        """Feedback to ``ws``, agreed by both bodies (and issued)."""
        inspector = self._client("inspector")
        made = inspector.post(
            f"/reviews/{self.world.review.id}/drafts",
            json={"kind": "feedback", "title": "Feedback",
                  "workspace_id": str(self.world.ws.id)},
        )  # fmt: skip
        assert made.status_code == 201, made.get_json()
        draft_id = str(made.get_json()["id"])
        inspector.post(f"/drafts/{draft_id}/versions", json={"text": "Feedback"})
        self._agree(draft_id)
        if issued:
            done = self._client("lead_officer").post(f"/drafts/{draft_id}/issue")
            assert done.status_code == 200, done.get_json()
        return draft_id

    def draft_comment(self) -> str:
        made = self._client("inspector").post(
            f"/drafts/{self.draft()}/comments", json={"body": "A comment"}
        )
        assert made.status_code == 201, made.get_json()
        return str(made.get_json()["id"])

    def message(self) -> str:
        made = self._client("inspector").post(
            f"/reviews/{self.world.review.id}/messages",
            json={"text": "Leaders know their regions well."},
        )
        assert made.status_code == 201, made.get_json()
        return str(made.get_json()["id"])

    def agreed_draft(self) -> str:
        draft_id = self.draft()
        self._agree(draft_id)
        return draft_id

    def publication(self) -> str:
        """The review, with a publication of an agreed press release proposed."""
        made = self._client("lead_officer").put(
            f"/reviews/{self.world.review.id}/publication",
            json={"publish_at": "2099-01-01", "draft_ids": [self.agreed_draft()]},
        )
        assert made.status_code == 200, made.get_json()
        return str(self.world.review.id)

    def note(self, workspace: bool = False, body: bool = False) -> str:
        """A note by the inspector: joint, or shared with ``ws``."""
        from flask import current_app

        inspector = ApiClient(current_app.test_client(), self.world.tokens["inspector"])
        payload: dict[str, Any] = {"body": "Emerging: strong governance"}
        if workspace:
            payload.update(scope="workspace", workspace_id=str(self.world.ws.id))
        if body:
            payload.update(scope="body")
        made = inspector.post(f"/reviews/{self.world.review.id}/notes", json=payload)
        assert made.status_code == 201, made.get_json()
        return str(made.get_json()["id"])

    def notification(self) -> str:
        """The id of a notification of the inspector's (a reply to their note)."""
        from flask import current_app

        parent = self.note()
        lead = ApiClient(current_app.test_client(), self.world.tokens["lead_officer"])
        reply = lead.post(
            f"/reviews/{self.world.review.id}/notes",
            json={"body": "Agreed", "reply_to": parent},
        )
        assert reply.status_code == 201, reply.get_json()
        return str(
            db.session.scalar(
                sa.select(Notification.id).where(
                    Notification.user_id == self.world.users["inspector"].id
                )
            )
        )

    def visit(self) -> str:
        from flask import current_app

        inspector = ApiClient(current_app.test_client(), self.world.tokens["inspector"])
        made = inspector.post(
            f"/reviews/{self.world.review.id}/visits",
            json={"workspace_id": str(self.world.ws.id), "starts_on": "2027-03-01",
                  "ends_on": "2027-03-04", "mode": "on_site"},
        )  # fmt: skip
        assert made.status_code == 201, made.get_json()
        return str(made.get_json()["id"])

    def session(self, kind: str = "interview") -> str:
        from flask import current_app

        inspector = ApiClient(current_app.test_client(), self.world.tokens["inspector"])
        made = inspector.post(
            f"/visits/{self.visit()}/sessions",
            json={"kind": kind, "title": "A session",
                  "starts_at": "2027-03-01T09:00:00Z",
                  "ends_at": "2027-03-01T10:00:00Z"},
        )  # fmt: skip
        assert made.status_code == 201, made.get_json()
        return str(made.get_json()["id"])

    def hypothesis(self, body: bool = False) -> str:
        from flask import current_app

        inspector = ApiClient(current_app.test_client(), self.world.tokens["inspector"])
        made = inspector.post(
            f"/reviews/{self.world.review.id}/hypotheses",
            json={"statement": "Regional working improves leadership"}
            | ({"scope": "body"} if body else {}),
        )
        assert made.status_code == 201, made.get_json()
        return str(made.get_json()["id"])

    def theme(self) -> str:
        """A theme of the review, made by an inspector."""
        from flask import current_app

        inspector = ApiClient(current_app.test_client(), self.world.tokens["inspector"])
        made = inspector.post(
            f"/reviews/{self.world.review.id}/themes", json={"name": "Leadership"}
        )
        assert made.status_code == 201, made.get_json()
        return str(made.get_json()["id"])

    def upload_session(self) -> str:
        """A resumable upload into ``ws`` begun by the nominee, its one part
        (UPLOAD_PART, as a JSON string: what a cell's body sends) received."""
        import hashlib
        import json

        from flask import current_app

        part = json.dumps(UPLOAD_PART).encode()
        nominee = ApiClient(current_app.test_client(), self.world.tokens["nominee"])
        begun = nominee.post(
            f"/workspaces/{self.world.ws.id}/uploads",
            json={
                "filename": "notes.txt",
                "size": len(part),
                "sha256": hashlib.sha256(part).hexdigest(),
            },
        )
        assert begun.status_code == 201, begun.get_json()
        upload_id = str(begun.get_json()["id"])
        sent = nominee.put(f"/uploads/{upload_id}/parts/1", data=part)
        assert sent.status_code == 200, sent.get_json()
        return upload_id


UPLOAD_PART = "evidence, sent in parts"


def statuses(default: int, **overrides: int) -> dict[str, int]:
    table = {role: default for role in ROLE_NAMES}
    table[AN] = 401
    table.update(overrides)
    table.setdefault(AI, table[IN])
    return table


@dataclass
class Endpoint:
    method: str
    path: str  # placeholders: see Target.fill
    expected: dict[str, int]
    body: Callable[[Target, str], Any] | None = None
    upload: bool = False
    # What an upload row sends: (content, filename).
    file: tuple[bytes, str] = (b"more evidence", "more.txt")


def _org_body(t: Target, who: str) -> dict[str, str]:
    return {"slug": f"new-{uuid.uuid4().hex[:8]}", "name": "New", "kind": "school"}


def _user_body(t: Target, who: str) -> dict[str, Any]:
    return {
        "email": f"new-{uuid.uuid4().hex[:8]}@example.org",
        "name": "New Person",
        "organisation_id": str(t.world.erw.id),
        "password": "a perfectly strong passphrase 7",
    }


def _review_body(t: Target, who: str) -> dict[str, Any]:
    return {
        "title": "Another review",
        "inspecting": [str(t.world.estyn.id)],
        "reviewed": [str(t.world.csc.id)],
    }


def _sign_in_body(t: Target, who: str) -> dict[str, str]:
    if who == AN:
        return {"email": "nobody@example.org", "password": PASSWORD}
    return {"email": t.world.users[who].email, "password": PASSWORD}


def _zip_of_one_file() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("folder/more.txt", b"more evidence")
    return buffer.getvalue()


ENDPOINTS: dict[str, Endpoint] = {
    "POST /auth/token": Endpoint(
        "POST", "/auth/token", statuses(201), body=_sign_in_body
    ),
    "DELETE /auth/token": Endpoint("DELETE", "/auth/token", statuses(204)),
    "GET /me": Endpoint("GET", "/me", statuses(200)),
    "POST /organisations": Endpoint(
        "POST", "/organisations", statuses(403, admin=201), body=_org_body
    ),
    "GET /organisations": Endpoint("GET", "/organisations", statuses(403, admin=200)),
    "POST /users": Endpoint(
        "POST", "/users", statuses(403, admin=201), body=_user_body
    ),
    "GET /users": Endpoint("GET", "/users", statuses(403, admin=200)),
    "POST /reviews": Endpoint(
        "POST", "/reviews", statuses(403, admin=201), body=_review_body
    ),
    "GET /reviews": Endpoint("GET", "/reviews", statuses(200)),
    "GET /reviews/{id}": Endpoint(
        "GET", "/reviews/{review}", statuses(200, non_member=404)
    ),
    "PATCH /reviews/{id}": Endpoint(
        "PATCH",
        "/reviews/{review}",
        statuses(403, lead_officer=200, admin=200, non_member=404),
        body=lambda t, who: {"status": "fieldwork"},
    ),
    "POST themes": Endpoint(
        "POST",
        "/reviews/{review}/themes",
        statuses(
            201, observer=403, nominee=403, contributor=403, admin=403, non_member=404
        ),
        body=lambda t, who: {"name": f"Theme of {who}"},
    ),
    "GET themes": Endpoint(
        "GET",
        "/reviews/{review}/themes",
        statuses(200, admin=403, non_member=404),
    ),
    "PATCH /themes/{id}": Endpoint(
        "PATCH",
        "/themes/{theme}",
        statuses(
            200, observer=403, nominee=403, contributor=403, admin=404, non_member=404
        ),
        body=lambda t, who: {"period": "Autumn term"},
    ),
    "DELETE /themes/{id}": Endpoint(
        "DELETE",
        "/themes/{theme}",
        statuses(
            204, observer=403, nominee=403, contributor=403, admin=404, non_member=404
        ),
    ),
    "POST notes": Endpoint(
        "POST",
        "/reviews/{review}/notes",
        statuses(201, observer=403, admin=403, non_member=404),
        body=lambda t, who: {"body": f"A note by {who}"},
    ),
    "GET notes": Endpoint(
        "GET", "/reviews/{review}/notes", statuses(200, admin=403, non_member=404)
    ),
    "GET /notes/{id} (joint)": Endpoint(
        "GET",
        "/notes/{note}",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "GET /notes/{id} (Estyn only)": Endpoint(
        "GET",
        "/notes/{body_note}",
        statuses(
            404, lead_officer=200, inspector=200, observer=200, audit_inspector=404
        ),
    ),
    "GET /hypotheses/{id} (Estyn only)": Endpoint(
        "GET",
        "/hypotheses/{body_hypothesis}",
        statuses(
            404, lead_officer=200, inspector=200, observer=200, audit_inspector=404
        ),
    ),
    "GET /notes/{id} (workspace)": Endpoint(
        "GET",
        "/notes/{workspace_note}",
        statuses(
            404,
            lead_officer=200,
            inspector=200,
            observer=200,
            nominee=200,
            contributor=200,
        ),
    ),
    "PATCH /notes/{id}": Endpoint(
        "PATCH",
        "/notes/{workspace_note}",
        statuses(
            404,
            lead_officer=403,
            inspector=200,
            observer=403,
            nominee=403,
            contributor=403,
            audit_inspector=403,
        ),
        body=lambda t, who: {"body": "Changed"},
    ),
    "GET /notes/{id}/versions": Endpoint(
        "GET",
        "/notes/{note}/versions",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "DELETE /notes/{id}": Endpoint(
        "DELETE",
        "/notes/{workspace_note}",
        statuses(
            404,
            lead_officer=204,
            inspector=204,
            observer=403,
            nominee=403,
            contributor=403,
            audit_inspector=403,
        ),
    ),
    "GET /me/notifications": Endpoint("GET", "/me/notifications", statuses(200)),
    "POST notification read": Endpoint(
        "POST",
        "/me/notifications/{notification}/read",
        statuses(404, inspector=200, audit_inspector=404),
    ),
    "POST visits": Endpoint(
        "POST",
        "/reviews/{review}/visits",
        statuses(403, lead_officer=201, inspector=201, non_member=404),
        body=lambda t, who: {
            "workspace_id": str(t.world.ws.id),
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-01",
            "mode": "remote",
        },
    ),
    "GET visits": Endpoint(
        "GET", "/reviews/{review}/visits", statuses(200, admin=403, non_member=404)
    ),
    "GET /visits/{id}": Endpoint(
        "GET", "/visits/{visit}", statuses(200, admin=404, non_member=404)
    ),
    "PATCH /visits/{id}": Endpoint(
        "PATCH",
        "/visits/{visit}",
        statuses(403, lead_officer=200, inspector=200, admin=404, non_member=404),
        body=lambda t, who: {"mode": "hybrid"},
    ),
    "DELETE /visits/{id}": Endpoint(
        "DELETE",
        "/visits/{visit}",
        statuses(403, lead_officer=204, inspector=204, admin=404, non_member=404),
    ),
    "POST sessions": Endpoint(
        "POST",
        "/visits/{visit}/sessions",
        statuses(403, lead_officer=201, inspector=201, admin=404, non_member=404),
        body=lambda t, who: {
            "kind": "interview",
            "title": "Interview",
            "starts_at": "2027-03-02T09:00:00Z",
            "ends_at": "2027-03-02T10:00:00Z",
        },
    ),
    "GET sessions": Endpoint(
        "GET", "/reviews/{review}/sessions", statuses(200, admin=403, non_member=404)
    ),
    "GET /sessions/{id} (interview)": Endpoint(
        "GET", "/sessions/{session}", statuses(200, admin=404, non_member=404)
    ),
    "GET /sessions/{id} (team meeting)": Endpoint(
        "GET",
        "/sessions/{team_meeting}",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "PATCH /sessions/{id}": Endpoint(
        "PATCH",
        "/sessions/{session}",
        statuses(403, lead_officer=200, inspector=200, admin=404, non_member=404),
        body=lambda t, who: {"location": "County Hall"},
    ),
    "DELETE /sessions/{id}": Endpoint(
        "DELETE",
        "/sessions/{session}",
        statuses(403, lead_officer=204, inspector=204, admin=404, non_member=404),
    ),
    "GET /me/calendar.ics": Endpoint("GET", "/me/calendar.ics", statuses(200)),
    "GET reading": Endpoint(
        "GET",
        "/reviews/{review}/reading",
        statuses(403, lead_officer=200, inspector=200, observer=200, non_member=404),
    ),
    "GET readers": Endpoint(
        "GET",
        "/evidence/{item}/readers",
        statuses(
            403,
            lead_officer=200,
            inspector=200,
            observer=200,
            admin=404,
            non_member=404,
        ),
    ),
    "POST hypotheses": Endpoint(
        "POST",
        "/reviews/{review}/hypotheses",
        statuses(403, lead_officer=201, inspector=201, non_member=404),
        body=lambda t, who: {"statement": f"A hypothesis of {who}"},
    ),
    "GET hypotheses": Endpoint(
        "GET",
        "/reviews/{review}/hypotheses",
        statuses(403, lead_officer=200, inspector=200, observer=200, non_member=404),
    ),
    "GET /hypotheses/{id}": Endpoint(
        "GET",
        "/hypotheses/{hypothesis}",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "PATCH /hypotheses/{id}": Endpoint(
        "PATCH",
        "/hypotheses/{hypothesis}",
        statuses(404, lead_officer=200, inspector=200, observer=403),
        body=lambda t, who: {"status": "supported", "reason": "Interviews"},
    ),
    "GET /hypotheses/{id}/history": Endpoint(
        "GET",
        "/hypotheses/{hypothesis}/history",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "PUT /hypotheses/{id}/evidence": Endpoint(
        "PUT",
        "/hypotheses/{hypothesis}/evidence",
        statuses(404, lead_officer=200, inspector=200, observer=403),
        body=lambda t, who: {"evidence_ids": [t.item_id]},
    ),
    "PUT member (contributor of ws)": Endpoint(
        "PUT",
        "/reviews/{review}/members/{erw_spare}",
        statuses(403, admin=200, nominee=200, non_member=404),
        body=lambda t, who: {"role": "contributor"},
    ),
    "PUT member (inspector of lead's body)": Endpoint(
        "PUT",
        "/reviews/{review}/members/{estyn_spare}",
        statuses(403, admin=200, lead_officer=200, non_member=404),
        body=lambda t, who: {"role": "inspector"},
    ),
    "GET members": Endpoint(
        "GET",
        "/reviews/{review}/members",
        statuses(200, nominee=403, contributor=403, non_member=404),
    ),
    "DELETE member (contributor of ws)": Endpoint(
        "DELETE",
        "/reviews/{review}/members/{spare_contributor}",
        statuses(403, admin=204, nominee=204, non_member=404),
    ),
    "DELETE member (observer of lead's body)": Endpoint(
        "DELETE",
        "/reviews/{review}/members/{observer}",
        statuses(403, admin=204, lead_officer=204, non_member=404),
    ),
    "GET workspaces": Endpoint(
        "GET",
        "/reviews/{review}/workspaces",
        statuses(200, admin=403, non_member=404),
    ),
    "GET /workspaces/{id}": Endpoint(
        "GET",
        "/workspaces/{ws}",
        statuses(200, admin=404, non_member=404),
    ),
    "POST evidence": Endpoint(
        "POST",
        "/workspaces/{ws}/evidence",
        statuses(201, observer=403, admin=404, non_member=404),
        upload=True,
    ),
    "GET evidence list": Endpoint(
        "GET",
        "/workspaces/{ws}/evidence",
        statuses(200, admin=404, non_member=404),
    ),
    "GET /evidence/{id}": Endpoint(
        "GET",
        "/evidence/{item}",
        statuses(200, admin=404, non_member=404),
    ),
    "GET /evidence/{id}/content": Endpoint(
        "GET",
        "/evidence/{item}/content",
        statuses(200, admin=404, non_member=404),
    ),
    "PATCH /evidence/{id}": Endpoint(
        "PATCH",
        "/evidence/{item}",
        statuses(200, observer=403, admin=404, non_member=404),
        body=lambda t, who: {"classification": "OFFICIAL-SENSITIVE"},
    ),
    "POST /evidence/{id}/versions": Endpoint(
        "POST",
        "/evidence/{item}/versions",
        statuses(201, observer=403, admin=404, non_member=404),
        upload=True,
    ),
    "GET /evidence/{id}/versions": Endpoint(
        "GET",
        "/evidence/{item}/versions",
        statuses(200, admin=404, non_member=404),
    ),
    "DELETE /evidence/{id}": Endpoint(
        "DELETE",
        "/evidence/{item}",
        statuses(403, lead_officer=204, nominee=204, admin=404, non_member=404),
    ),
    # The trash: for whoever may withdraw there; hidden from everyone else.
    "GET workspace trash": Endpoint(
        "GET",
        "/workspaces/{ws}/evidence?withdrawn=true",
        statuses(403, lead_officer=200, nominee=200, admin=404, non_member=404),
    ),
    "POST restore evidence": Endpoint(
        "POST",
        "/evidence/{withdrawn_item}/restore",
        statuses(404, lead_officer=200, nominee=200),
    ),
    "POST workspace requests": Endpoint(
        "POST",
        "/workspaces/{ws}/requests",
        statuses(403, lead_officer=201, inspector=201, admin=404, non_member=404),
        body=lambda t, who: {"title": "Minutes of the board, 2025-26"},
    ),
    "GET workspace requests": Endpoint(
        "GET",
        "/workspaces/{ws}/requests",
        statuses(200, admin=404, non_member=404),
    ),
    "POST review requests (every workspace)": Endpoint(
        "POST",
        "/reviews/{review}/requests",
        statuses(403, lead_officer=201, inspector=201, admin=404, non_member=404),
        body=lambda t, who: {"requests": [{"title": "Self-evaluation report"}]},
    ),
    "GET /requests/{id}": Endpoint(
        "GET",
        "/requests/{request}",
        statuses(200, admin=404, non_member=404),
    ),
    "POST /requests/{id}/decision": Endpoint(
        "POST",
        "/requests/{request}/decision",
        statuses(403, lead_officer=200, inspector=200, admin=404, non_member=404),
        body=lambda t, who: {"decision": "accept"},
    ),
    "PUT /requests/{id}/assignees": Endpoint(
        "PUT",
        "/requests/{request}/assignees",
        statuses(
            403,
            lead_officer=200,
            inspector=200,
            nominee=200,
            admin=404,
            non_member=404,
        ),
        body=lambda t, who: {"user_ids": [str(t.world.users["contributor"].id)]},
    ),
    "GET review progress": Endpoint(
        "GET",
        "/reviews/{review}/progress",
        statuses(200, admin=403, non_member=404),
    ),
    "POST workspace imports (ZIP)": Endpoint(
        "POST",
        "/workspaces/{ws}/imports",
        statuses(201, observer=403, admin=404, non_member=404),
        upload=True,
        file=(_zip_of_one_file(), "more.zip"),
    ),
    # Resumable uploads: only the nominee who began the upload sees it.
    "POST workspace uploads (resumable)": Endpoint(
        "POST",
        "/workspaces/{ws}/uploads",
        statuses(201, observer=403, admin=404, non_member=404),
        body=lambda t, who: {"filename": "a.mp4", "size": 1000, "sha256": "a" * 64},
    ),
    "PUT /uploads/{id}/parts/{n}": Endpoint(
        "PUT",
        "/uploads/{upload}/parts/{part}",
        statuses(404, nominee=200),
        body=lambda t, who: UPLOAD_PART,
    ),
    "GET /uploads/{id}": Endpoint(
        "GET", "/uploads/{upload}", statuses(404, nominee=200)
    ),
    "POST /uploads/{id}/complete": Endpoint(
        "POST",
        "/uploads/{upload}/complete",
        statuses(404, nominee=201),
        body=lambda t, who: {},
    ),
    "DELETE /uploads/{id}": Endpoint(
        "DELETE", "/uploads/{upload}", statuses(404, nominee=204)
    ),
    # Agreement (issue 10): drafts, versions, comments, approvals.
    "POST drafts": Endpoint(
        "POST",
        "/reviews/{review}/drafts",
        statuses(403, lead_officer=201, inspector=201, non_member=404),
        body=lambda t, who: {"kind": "other", "title": f"A draft of {who}"},
    ),
    "GET drafts": Endpoint(
        "GET", "/reviews/{review}/drafts", statuses(200, admin=403, non_member=404)
    ),
    "GET /drafts/{id}": Endpoint(
        "GET",
        "/drafts/{draft}",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "GET /drafts/{id} (a body's own)": Endpoint(
        "GET",
        "/drafts/{body_draft}",
        statuses(
            404, lead_officer=200, inspector=200, observer=200, audit_inspector=404
        ),
    ),
    "GET /drafts/{id} (issued feedback)": Endpoint(
        "GET",
        "/drafts/{feedback}",
        statuses(
            404,
            lead_officer=200,
            inspector=200,
            observer=200,
            nominee=200,
            contributor=200,
        ),
    ),
    "PATCH /drafts/{id}": Endpoint(
        "PATCH",
        "/drafts/{draft}",
        statuses(
            404, lead_officer=200, inspector=200, observer=403, audit_inspector=403
        ),
        body=lambda t, who: {"title": "Renamed"},
    ),
    "POST draft versions": Endpoint(
        "POST",
        "/drafts/{draft}/versions",
        statuses(404, lead_officer=201, inspector=201, observer=403),
        body=lambda t, who: {"text": f"A version by {who}"},
    ),
    "GET draft versions": Endpoint(
        "GET",
        "/drafts/{draft}/versions",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "GET draft version": Endpoint(
        "GET",
        "/drafts/{draft}/versions/{one}",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "GET draft version content": Endpoint(
        "GET",
        "/drafts/{file_draft}/versions/{one}/content",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "GET draft diff": Endpoint(
        "GET",
        "/drafts/{draft}/diff?from=1&to=1",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "GET draft diff (issued feedback)": Endpoint(
        "GET",
        "/drafts/{feedback}/diff?from=1&to=1",
        statuses(
            404,
            lead_officer=200,
            inspector=200,
            observer=200,
            nominee=403,
            contributor=403,
        ),
    ),
    "POST draft comments": Endpoint(
        "POST",
        "/drafts/{draft}/comments",
        statuses(404, lead_officer=201, inspector=201, observer=403),
        body=lambda t, who: {"body": "A comment"},
    ),
    "GET draft comments": Endpoint(
        "GET",
        "/drafts/{draft}/comments",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "GET draft comments (issued feedback)": Endpoint(
        "GET",
        "/drafts/{feedback}/comments",
        statuses(
            404,
            lead_officer=200,
            inspector=200,
            observer=200,
            nominee=403,
            contributor=403,
        ),
    ),
    "PATCH /draft-comments/{id}": Endpoint(
        "PATCH",
        "/draft-comments/{draft_comment}",
        statuses(404, lead_officer=200, inspector=200, observer=403),
        body=lambda t, who: {"resolved": True},
    ),
    "PUT draft approval": Endpoint(
        "PUT",
        "/drafts/{draft}/approvals/{estyn}",
        statuses(404, lead_officer=200, inspector=403, observer=403),
        body=lambda t, who: {"decision": "approve", "version": 1},
    ),
    "DELETE draft approval": Endpoint(
        "DELETE",
        "/drafts/{draft}/approvals/{estyn}",
        statuses(404, lead_officer=200, inspector=403, observer=403),
    ),
    "POST issue feedback": Endpoint(
        "POST",
        "/drafts/{agreed_feedback}/issue",
        statuses(404, lead_officer=200, inspector=403, observer=403),
    ),
    "POST accuracy comment": Endpoint(
        "POST",
        "/drafts/{feedback}/accuracy",
        statuses(
            404,
            lead_officer=403,
            inspector=403,
            observer=403,
            nominee=201,
            contributor=403,
        ),
        body=lambda t, who: {"body": "The figure is 12, not 21."},
    ),
    "GET accuracy comments": Endpoint(
        "GET",
        "/drafts/{feedback}/accuracy",
        statuses(
            404,
            lead_officer=200,
            inspector=200,
            observer=200,
            nominee=200,
            contributor=200,
        ),
    ),
    # Headline messages: the inspecting side's.
    "POST messages": Endpoint(
        "POST",
        "/reviews/{review}/messages",
        statuses(403, lead_officer=201, inspector=201, non_member=404),
        body=lambda t, who: {"text": f"A message of {who}"},
    ),
    "GET messages": Endpoint(
        "GET",
        "/reviews/{review}/messages",
        statuses(403, lead_officer=200, inspector=200, observer=200, non_member=404),
    ),
    "GET /messages/{id}": Endpoint(
        "GET",
        "/messages/{message}",
        statuses(404, lead_officer=200, inspector=200, observer=200),
    ),
    "PATCH /messages/{id}": Endpoint(
        "PATCH",
        "/messages/{message}",
        statuses(404, lead_officer=200, inspector=200, observer=403),
        body=lambda t, who: {"text": "Leaders know their regions."},
    ),
    "PUT message agreement": Endpoint(
        "PUT",
        "/messages/{message}/agreement",
        statuses(404, lead_officer=200, inspector=403, observer=403),
    ),
    "DELETE message agreement": Endpoint(
        "DELETE",
        "/messages/{message}/agreement",
        statuses(404, lead_officer=200, inspector=403, observer=403),
    ),
    "DELETE /messages/{id}": Endpoint(
        "DELETE",
        "/messages/{message}",
        statuses(404, lead_officer=204, inspector=204, observer=403),
    ),
    # Publication: the inspecting bodies' lead officers agree it.
    "PUT publication": Endpoint(
        "PUT",
        "/reviews/{review}/publication",
        statuses(403, lead_officer=200, non_member=404),
        body=lambda t, who: {
            "publish_at": "2099-01-01",
            "draft_ids": [t.agreed_draft()],
        },
    ),
    "GET publication": Endpoint(
        "GET",
        "/reviews/{publication}/publication",
        statuses(403, lead_officer=200, inspector=200, observer=200, non_member=404),
    ),
    "PUT publication agreement": Endpoint(
        "PUT",
        "/reviews/{publication}/publication/agreement",
        statuses(403, lead_officer=200, non_member=404),
    ),
    # Records: the audit trail, the review's for its lead officers, all of
    # it for administrators.
    "GET review audit": Endpoint(
        "GET",
        "/reviews/{review}/audit",
        statuses(403, lead_officer=200, admin=200, non_member=404),
    ),
    "GET /audit": Endpoint("GET", "/audit", statuses(403, admin=200)),
    # The close-out export: lead officers (the review), nominees (their own).
    "GET review export": Endpoint(
        "GET",
        "/reviews/{review}/export",
        statuses(403, lead_officer=200, nominee=200, non_member=404),
    ),
    "GET /openapi.json": Endpoint("GET", "/openapi.json", statuses(200, anonymous=200)),
}

ERROR_CODES = {
    400: "validation_error",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path.partition("?")[0])


def test_every_documented_operation_is_in_the_matrix(app) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        (method.upper(), _shape(path.removeprefix("/api/v1")))
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "put", "post", "delete", "patch"}
    }
    in_matrix = {(e.method, _shape(e.path)) for e in ENDPOINTS.values()}
    # The served document describes the API, not itself.
    assert documented == in_matrix - {("GET", "/openapi.json")}


@pytest.mark.parametrize("endpoint_name", list(ENDPOINTS))
def test_permission_matrix(
    endpoint_name: str, world: World, client: FlaskClient, factory
) -> None:
    """One endpoint, every caller: the world is built once, and each caller
    asks in a savepoint rolled back after it (``rolled_back``), so a caller
    that revokes, removes or withdraws cannot change another's answer."""
    endpoint = ENDPOINTS[endpoint_name]
    item = ApiClient(client, world.tokens["nominee"]).upload(
        world.ws.id, b"evidence", "e.txt"
    )
    assert item.status_code == 201
    spare = factory.user(world.erw, name="second contributor")
    factory.member(world.review, spare, Role.CONTRIBUTOR)
    asked = ApiClient(client, world.tokens["inspector"]).post(
        f"/workspaces/{world.ws.id}/requests", json={"title": "Business plan"}
    )
    assert asked.status_code == 201
    answered = ApiClient(client, world.tokens["nominee"]).upload(
        world.ws.id,
        b"plan",
        "plan.txt",
        fields={"request_id": asked.get_json()["id"]},
    )
    assert answered.status_code == 201
    target = Target(
        world=world,
        item_id=item.get_json()["id"],
        spare_contributor_id=str(spare.id),
        request_id=asked.get_json()["id"],
    )
    wrong = []
    for who in CALLERS:
        with rolled_back():
            problem = _ask(endpoint, who, target, client)
        if problem:
            wrong.append(f"{endpoint_name} as {who}: {problem}")
    assert not wrong, "\n".join(wrong)


def _ask(endpoint: Endpoint, who: str, target: Target, client: FlaskClient) -> str:
    """What is wrong with ``who``'s answer from ``endpoint`` ("" if nothing)."""
    world = target.world
    token = None if who == AN else make_token(world.users[who])
    caller = ApiClient(client, token)
    path = target.fill(endpoint.path)
    if endpoint.upload:
        response = caller.post_file(path, *endpoint.file)
    else:
        body = endpoint.body(target, who) if endpoint.body else None
        response = caller.request(endpoint.method, path, json=body)
    expected = endpoint.expected[who]
    if response.status_code != expected:
        return f"{response.status_code}, not {expected}: {response.get_data()[:300]!r}"
    if expected in ERROR_CODES and error_of(response)["code"] != ERROR_CODES[expected]:
        return f"error code {error_of(response)['code']}, not {ERROR_CODES[expected]}"
    if response.headers["X-Content-Type-Options"] != "nosniff":
        return "no X-Content-Type-Options: nosniff"
    return ""
