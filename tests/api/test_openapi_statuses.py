"""Every 4xx the OpenAPI document lists is one its operation really gives.

A generated client has a branch for each documented status, and a script
author reads the list as the ways a call can fail: a status documented but
never answered misleads them as much as one answered but not documented
(which :mod:`support.conformance` catches on every answer of every test).
:data:`PROVOKE` holds, for each (operationId, status) the document lists,
a request that gets exactly that answer; the first test holds the table to
the document in both directions, so a new operation or a new documented
status needs its provocation here.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app
from werkzeug.test import TestResponse

from app.core.api import API_MAX_JSON_BYTES
from app.core.db import db
from app.core.permissions import Role
from app.resumable.models import UploadSession, UploadStatus
from app.reviews.models import Membership, ReviewStatus
from support.api import ApiClient, error_of
from support.app_fixtures import TEST_UPLOAD_MAX_BYTES, rolled_back
from support.world import World

TEXT = b"hello, inspectors\n"
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
PDF = b"%PDF-1.7\n" + b"0" * 200


@dataclass
class Room:
    """One test's world, with the objects a provocation needs made on demand."""

    world: World
    make_client: Callable[[str], ApiClient]
    anonymous: ApiClient
    made: dict[str, Any] = field(default_factory=dict)

    def __call__(self, who: str) -> ApiClient:
        return self.make_client(who)

    @property
    def ws(self) -> str:
        return str(self.world.ws.id)

    @property
    def review(self) -> str:
        return str(self.world.review.id)

    def user(self, name: str) -> str:
        return str(self.world.users[name].id)

    def once(self, name: str, make: Callable[[], TestResponse]) -> dict[str, Any]:
        if name not in self.made:
            response = make()
            assert response.status_code == 201, response.get_json()
            self.made[name] = response.get_json()
        return self.made[name]

    @property
    def item(self) -> str:
        return self.once(
            "item", lambda: self("nominee").upload(self.ws, TEXT, "notes.txt")
        )["id"]

    @property
    def request(self) -> str:
        return self.once(
            "request",
            lambda: self("inspector").post(
                f"/workspaces/{self.ws}/requests", json={"title": "Governance minutes"}
            ),
        )["id"]

    @property
    def note(self) -> str:
        return self.once(
            "note",
            lambda: self("inspector").post(
                f"/reviews/{self.review}/notes", json={"body": "A joint note"}
            ),
        )["id"]

    @property
    def notification(self) -> str:
        """A mention of the audit lead, who then has a notification."""
        self.once(
            "mention",
            lambda: self("inspector").post(
                f"/reviews/{self.review}/notes",
                json={"body": "See this", "mentions": [self.user("audit_lead")]},
            ),
        )
        items = self("audit_lead").get("/me/notifications").get_json()["items"]
        return str(items[0]["id"])

    @property
    def hypothesis(self) -> str:
        return self.once(
            "hypothesis",
            lambda: self("inspector").post(
                f"/reviews/{self.review}/hypotheses", json={"statement": "Strong"}
            ),
        )["id"]

    @property
    def visit(self) -> str:
        return self.once(
            "visit",
            lambda: self("inspector").post(
                f"/reviews/{self.review}/visits",
                json={"workspace_id": self.ws, "starts_on": "2027-03-01",
                      "ends_on": "2027-03-02", "mode": "on_site"},
            ),
        )["id"]  # fmt: skip

    @property
    def session(self) -> str:
        visit = self.visit
        return self.once(
            "session",
            lambda: self("inspector").post(
                f"/visits/{visit}/sessions",
                json={"kind": "interview", "title": "Interview",
                      "starts_at": "2027-03-01T09:00:00Z",
                      "ends_at": "2027-03-01T10:00:00Z"},
            ),
        )["id"]  # fmt: skip

    @property
    def theme(self) -> str:
        return self.once(
            "theme",
            lambda: self("inspector").post(
                f"/reviews/{self.review}/themes", json={"name": "Leadership"}
            ),
        )["id"]

    def _draft(self, name: str, body: dict[str, Any], text: bool = True) -> str:
        def make() -> TestResponse:
            made = self("inspector").post(f"/reviews/{self.review}/drafts", json=body)
            if text and made.status_code == 201:
                added = self("inspector").post(
                    f"/drafts/{made.get_json()['id']}/versions", json={"text": "v1"}
                )
                assert added.status_code == 201, added.get_json()
            return made

        return self.once(name, make)["id"]

    @property
    def draft(self) -> str:
        """A joint press release with one text version."""
        return self._draft("draft", {"kind": "press_release", "title": "Release"})

    @property
    def file_draft(self) -> str:
        draft = self._draft(
            "file-draft", {"kind": "other", "title": "Document"}, text=False
        )
        self.once(
            "file-version",
            lambda: self("inspector").post_file(
                f"/drafts/{draft}/versions", PDF, "draft.pdf"
            ),
        )
        return draft

    def agree(self, draft: str) -> None:
        for who, org in (
            ("lead_officer", self.world.estyn),
            ("audit_lead", self.world.audit),
        ):
            decided = self(who).put(
                f"/drafts/{draft}/approvals/{org.id}",
                json={"decision": "approve", "version": 1},
            )
            assert decided.status_code == 200, decided.get_json()

    @property
    def agreed_draft(self) -> str:
        draft = self.draft
        if "agreed" not in self.made:
            self.agree(draft)
            self.made["agreed"] = True
        return draft

    def feedback(self, issued: bool = True) -> str:
        draft = self._draft(
            "feedback",
            {"kind": "feedback", "title": "Feedback", "workspace_id": self.ws},
        )
        if "feedback-agreed" not in self.made:
            self.agree(draft)
            self.made["feedback-agreed"] = True
        if issued and "issued" not in self.made:
            done = self("lead_officer").post(f"/drafts/{draft}/issue")
            assert done.status_code == 200, done.get_json()
            self.made["issued"] = True
        return draft

    @property
    def draft_comment(self) -> str:
        draft = self.draft
        return self.once(
            "draft-comment",
            lambda: self("inspector").post(
                f"/drafts/{draft}/comments", json={"body": "A comment"}
            ),
        )["id"]

    @property
    def message(self) -> str:
        return self.once(
            "message",
            lambda: self("inspector").post(
                f"/reviews/{self.review}/messages", json={"text": "Leaders lead."}
            ),
        )["id"]

    def propose(self) -> TestResponse:
        return self("lead_officer").put(
            f"/reviews/{self.review}/publication",
            json={"publish_at": "2099-01-01", "draft_ids": [self.agreed_draft]},
        )

    def published(self) -> str:
        """The agreed press release, published (its time set in the past)."""
        from datetime import timedelta

        from app.core.db import utcnow
        from app.drafts.models import PublicationDraft

        draft = self.agreed_draft
        assert self.propose().status_code == 200
        self.world.review.published_from = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert db.session.get(
            PublicationDraft, (self.world.review.id, uuid.UUID(draft))
        )
        return draft

    def upload_session(self, who: str = "nominee") -> str:
        data = PDF * 10
        return self.once(
            f"upload-{who}",
            lambda: self(who).post(
                f"/workspaces/{self.ws}/uploads",
                json={
                    "filename": "plan.pdf",
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                },
            ),
        )["id"]

    def close_review(self) -> None:
        self.world.review.status = ReviewStatus.CLOSED
        db.session.commit()

    def purged(self, item: str) -> str:
        """``item`` with its files deleted under retention."""
        from app.core.db import utcnow
        from app.evidence.models import EvidenceFile

        db.session.execute(
            sa.update(EvidenceFile)
            .where(EvidenceFile.item_id == uuid.UUID(item))
            .values(purged_at=utcnow())
        )
        db.session.commit()
        return item

    def purged_draft(self, draft: str) -> str:
        from app.core.db import utcnow
        from app.drafts.models import DraftVersion

        db.session.execute(
            sa.update(DraftVersion)
            .where(DraftVersion.draft_id == uuid.UUID(draft))
            .values(purged_at=utcnow())
        )
        db.session.commit()
        return draft

    def withdrawn(self, days_ago: float = 0) -> str:
        """An item withdrawn by its nominee, ``days_ago``."""
        from datetime import timedelta

        from app.core.db import utcnow
        from app.evidence.models import EvidenceItem

        item = self.item
        assert self("nominee").delete(f"/evidence/{item}").status_code == 204
        row = db.session.get(EvidenceItem, uuid.UUID(item))
        assert row is not None
        row.withdrawn_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()
        return item

    def demote(self, name: str, role: Role) -> None:
        db.session.execute(
            sa.update(Membership)
            .where(
                Membership.review_id == self.world.review.id,
                Membership.user_id == self.world.users[name].id,
            )
            .values(role=role)
        )
        db.session.commit()

    def completing(self, upload_id: str) -> None:
        session = db.session.get(UploadSession, uuid.UUID(upload_id))
        assert session is not None
        session.status = UploadStatus.COMPLETING
        db.session.commit()


NOWHERE = str(uuid.UUID(int=1))
# A JSON body one byte over the API's limit.
OVERSIZED_JSON = b'{"title": "' + b"x" * API_MAX_JSON_BYTES + b'"}'
OVERSIZED_FILE = b"%PDF-1.7\n" + b"0" * TEST_UPLOAD_MAX_BYTES


def too_big(who: str, method: str, path: Callable[[Room], str]):
    return lambda r: r(who).request(
        method, path(r), data=OVERSIZED_JSON, content_type="application/json"
    )


def no_token(method: str, path: Callable[[Room], str]):
    return lambda r: r.anonymous.request(method, path(r), json={})


def bad_limit(who: str, path: Callable[[Room], str]):
    return lambda r: r(who).get(path(r), query_string={"limit": 0})


def sign_in(r: Room, password: str) -> TestResponse:
    email = r.world.users["estyn_spare"].email
    return r.anonymous.post("/auth/token", json={"email": email, "password": password})


def too_many_sign_ins(r: Room) -> TestResponse:
    for _ in range(5):
        assert sign_in(r, "not the password at all").status_code == 401
    return sign_in(r, "not the password at all")


def closed(provoke: Callable[[Room], TestResponse]):
    def run(r: Room) -> TestResponse:
        r.close_review()
        return provoke(r)

    return run


def post_file(who, path: Callable[[Room], str], content=TEXT, name="notes.txt", **kw):
    return lambda r: r(who).post_file(path(r), content, name, **kw)


def new_slug(r: Room) -> TestResponse:
    payload = {"slug": "taken-slug", "name": "First", "kind": "school"}
    assert r("admin").post("/organisations", json=payload).status_code == 201
    return r("admin").post("/organisations", json=payload)


def put_part(who: str, content: bytes, number: int = 1):
    def run(r: Room) -> TestResponse:
        upload = r.upload_session()
        return r(who).put(
            f"/uploads/{upload}/parts/{number}",
            data=content,
            content_type="application/octet-stream",
        )

    return run


def demoted_part(r: Room) -> TestResponse:
    upload = r.upload_session("inspector")
    r.demote("inspector", Role.OBSERVER)
    return r("inspector").put(
        f"/uploads/{upload}/parts/1",
        data=PDF * 10,
        content_type="application/octet-stream",
    )


def demoted_complete(r: Room) -> TestResponse:
    upload = r.upload_session("inspector")
    r.demote("inspector", Role.OBSERVER)
    return r("inspector").post(f"/uploads/{upload}/complete", json={})


def completing(provoke: Callable[[Room], TestResponse]):
    def run(r: Room) -> TestResponse:
        r.completing(r.upload_session())
        return provoke(r)

    return run


def item_path(r: Room) -> str:
    return f"/evidence/{r.item}"


def ws_path(suffix: str) -> Callable[[Room], str]:
    return lambda r: f"/workspaces/{r.ws}{suffix}"


def review_path(suffix: str) -> Callable[[Room], str]:
    return lambda r: f"/reviews/{r.review}{suffix}"


def request_path(suffix: str) -> Callable[[Room], str]:
    return lambda r: f"/requests/{r.request}{suffix}"


def upload_path(suffix: str) -> Callable[[Room], str]:
    return lambda r: f"/uploads/{r.upload_session()}{suffix}"


def fixed(path: str) -> Callable[[Room], str]:
    return lambda r: path


def member(name: str) -> Callable[[Room], str]:
    return lambda r: f"/reviews/{r.review}/members/{r.user(name)}"


ME = fixed("/me")
ORGS = fixed("/organisations")
USERS = fixed("/users")
REVIEWS = fixed("/reviews")
VERSIONS = lambda r: f"/evidence/{r.item}/versions"  # noqa: E731
CONTENT = lambda r: f"/evidence/{r.item}/content"  # noqa: E731

Provoke = Callable[[Room], TestResponse]
PROVOKE: dict[tuple[str, int], Provoke] = {
    ("create_token", 400): lambda r: r.anonymous.post("/auth/token", json={}),
    ("create_token", 401): lambda r: sign_in(r, "not the password at all"),
    ("create_token", 413): too_big("admin", "POST", fixed("/auth/token")),
    ("create_token", 429): too_many_sign_ins,
    ("revoke_token", 401): no_token("DELETE", fixed("/auth/token")),
    ("get_me", 401): no_token("GET", ME),
    # Administration.
    ("create_organisation", 400): lambda r: r("admin").post(
        "/organisations", json={"slug": "Not A Slug!", "name": "X", "kind": "school"}
    ),
    ("create_organisation", 401): no_token("POST", ORGS),
    ("create_organisation", 403): lambda r: r("lead_officer").post(
        "/organisations", json={"slug": "mine", "name": "Mine", "kind": "school"}
    ),
    ("create_organisation", 409): new_slug,
    ("create_organisation", 413): too_big("admin", "POST", ORGS),
    ("list_organisations", 400): bad_limit("admin", ORGS),
    ("list_organisations", 401): no_token("GET", ORGS),
    ("list_organisations", 403): lambda r: r("inspector").get("/organisations"),
    ("create_user", 400): lambda r: r("admin").post(
        "/users", json={"email": "not an address", "name": "X", "password": "x"}
    ),
    ("create_user", 401): no_token("POST", USERS),
    ("create_user", 403): lambda r: r("lead_officer").post(
        "/users",
        json={"email": "new@example.org", "name": "N", "password": "x" * 20},
    ),
    ("create_user", 409): lambda r: r("admin").post(
        "/users",
        json={
            "email": r.world.users["inspector"].email,
            "name": "Twin",
            "organisation_id": str(r.world.estyn.id),
            "password": "a long enough passphrase 42",
        },
    ),
    ("create_user", 413): too_big("admin", "POST", USERS),
    ("list_users", 400): bad_limit("admin", USERS),
    ("list_users", 401): no_token("GET", USERS),
    ("list_users", 403): lambda r: r("lead_officer").get("/users"),
    ("create_review", 400): lambda r: r("admin").post("/reviews", json={"title": ""}),
    ("create_review", 401): no_token("POST", REVIEWS),
    ("create_review", 403): lambda r: r("lead_officer").post(
        "/reviews", json={"title": "Mine", "inspecting": [], "reviewed": []}
    ),
    ("create_review", 413): too_big("admin", "POST", REVIEWS),
    # Reviews and members.
    ("list_reviews", 400): bad_limit("inspector", REVIEWS),
    ("list_reviews", 401): no_token("GET", REVIEWS),
    ("get_review", 401): no_token("GET", review_path("")),
    ("get_review", 404): lambda r: r("non_member").get(f"/reviews/{r.review}"),
    ("update_review", 400): lambda r: r("lead_officer").patch(
        f"/reviews/{r.review}", json={"status": "published"}
    ),
    ("update_review", 401): no_token("PATCH", review_path("")),
    ("update_review", 403): lambda r: r("inspector").patch(
        f"/reviews/{r.review}", json={"status": "fieldwork"}
    ),
    ("update_review", 404): lambda r: r("non_member").patch(
        f"/reviews/{r.review}", json={"status": "fieldwork"}
    ),
    ("update_review", 409): closed(
        lambda r: r("lead_officer").patch(f"/reviews/{r.review}", json={"title": "X"})
    ),
    ("update_review", 413): too_big("lead_officer", "PATCH", review_path("")),
    ("create_theme", 400): lambda r: r("inspector").post(
        f"/reviews/{r.review}/themes", json={}
    ),
    ("create_theme", 401): no_token("POST", review_path("/themes")),
    ("create_theme", 403): lambda r: r("nominee").post(
        f"/reviews/{r.review}/themes", json={"name": "Ours"}
    ),
    ("create_theme", 404): lambda r: r("non_member").post(
        f"/reviews/{r.review}/themes", json={"name": "Ours"}
    ),
    ("create_theme", 409): lambda r: (
        r.theme,
        r("inspector").post(f"/reviews/{r.review}/themes", json={"name": "Leadership"}),
    )[-1],
    ("create_theme", 413): too_big("inspector", "POST", review_path("/themes")),
    ("list_themes", 400): bad_limit("inspector", review_path("/themes")),
    ("list_themes", 401): no_token("GET", review_path("/themes")),
    ("list_themes", 403): lambda r: r("admin").get(f"/reviews/{r.review}/themes"),
    ("list_themes", 404): lambda r: r("non_member").get(f"/reviews/{r.review}/themes"),
    ("update_theme", 400): lambda r: r("inspector").patch(
        f"/themes/{r.theme}", json={"approach": "by_post"}
    ),
    ("update_theme", 401): no_token("PATCH", lambda r: f"/themes/{r.theme}"),
    ("update_theme", 403): lambda r: r("observer").patch(
        f"/themes/{r.theme}", json={"name": "Mine"}
    ),
    ("update_theme", 404): lambda r: r("non_member").patch(
        f"/themes/{r.theme}", json={"name": "Mine"}
    ),
    ("update_theme", 409): lambda r: (
        r.theme,
        r.close_review(),
        r("inspector").patch(f"/themes/{r.theme}", json={"name": "Late"}),
    )[-1],
    ("update_theme", 413): too_big(
        "inspector", "PATCH", lambda r: f"/themes/{r.theme}"
    ),
    ("delete_theme", 401): no_token("DELETE", lambda r: f"/themes/{r.theme}"),
    ("delete_theme", 403): lambda r: r("nominee").delete(f"/themes/{r.theme}"),
    ("delete_theme", 404): lambda r: r("non_member").delete(f"/themes/{r.theme}"),
    ("delete_theme", 409): lambda r: (
        r.theme,
        r.close_review(),
        r("inspector").delete(f"/themes/{r.theme}"),
    )[-1],
    ("create_note", 400): lambda r: r("inspector").post(
        f"/reviews/{r.review}/notes", json={"body": ""}
    ),
    ("create_note", 401): no_token("POST", review_path("/notes")),
    ("create_note", 403): lambda r: r("observer").post(
        f"/reviews/{r.review}/notes", json={"body": "Mine"}
    ),
    ("create_note", 404): lambda r: r("non_member").post(
        f"/reviews/{r.review}/notes", json={"body": "Mine"}
    ),
    ("create_note", 409): closed(
        lambda r: r("inspector").post(f"/reviews/{r.review}/notes", json={"body": "x"})
    ),
    ("create_note", 413): too_big("inspector", "POST", review_path("/notes")),
    ("list_notes", 400): bad_limit("inspector", review_path("/notes")),
    ("list_notes", 401): no_token("GET", review_path("/notes")),
    ("list_notes", 403): lambda r: r("admin").get(f"/reviews/{r.review}/notes"),
    ("list_notes", 404): lambda r: r("non_member").get(f"/reviews/{r.review}/notes"),
    ("get_note", 401): no_token("GET", lambda r: f"/notes/{r.note}"),
    ("get_note", 404): lambda r: r("nominee").get(f"/notes/{r.note}"),
    ("update_note", 400): lambda r: r("inspector").patch(
        f"/notes/{r.note}", json={"body": ""}
    ),
    ("update_note", 401): no_token("PATCH", lambda r: f"/notes/{r.note}"),
    ("update_note", 403): lambda r: r("lead_officer").patch(
        f"/notes/{r.note}", json={"body": "Not mine"}
    ),
    ("update_note", 404): lambda r: r("nominee").patch(
        f"/notes/{r.note}", json={"body": "Hidden"}
    ),
    ("update_note", 409): lambda r: (
        r.note,
        r.close_review(),
        r("inspector").patch(f"/notes/{r.note}", json={"body": "Late"}),
    )[-1],
    ("update_note", 413): too_big("inspector", "PATCH", lambda r: f"/notes/{r.note}"),
    ("list_note_versions", 400): bad_limit(
        "inspector", lambda r: f"/notes/{r.note}/versions"
    ),
    ("list_note_versions", 401): no_token("GET", lambda r: f"/notes/{r.note}/versions"),
    ("list_note_versions", 404): lambda r: r("contributor").get(
        f"/notes/{r.note}/versions"
    ),
    ("delete_note", 401): no_token("DELETE", lambda r: f"/notes/{r.note}"),
    ("delete_note", 403): lambda r: r("observer").delete(f"/notes/{r.note}"),
    ("delete_note", 404): lambda r: r("csc_nominee").delete(f"/notes/{r.note}"),
    ("delete_note", 409): lambda r: (
        r.note,
        r.close_review(),
        r("inspector").delete(f"/notes/{r.note}"),
    )[-1],
    ("list_notifications", 400): bad_limit("inspector", fixed("/me/notifications")),
    ("list_notifications", 401): no_token("GET", fixed("/me/notifications")),
    ("mark_notification_read", 401): no_token(
        "POST", lambda r: f"/me/notifications/{r.notification}/read"
    ),
    # Someone else's notification is as good as none.
    ("mark_notification_read", 404): lambda r: r("inspector").post(
        f"/me/notifications/{r.notification}/read"
    ),
    ("create_hypothesis", 400): lambda r: r("inspector").post(
        f"/reviews/{r.review}/hypotheses", json={}
    ),
    ("create_hypothesis", 401): no_token("POST", review_path("/hypotheses")),
    ("create_hypothesis", 403): lambda r: r("observer").post(
        f"/reviews/{r.review}/hypotheses", json={"statement": "x"}
    ),
    ("create_hypothesis", 404): lambda r: r("non_member").post(
        f"/reviews/{r.review}/hypotheses", json={"statement": "x"}
    ),
    ("create_hypothesis", 409): closed(
        lambda r: r("inspector").post(
            f"/reviews/{r.review}/hypotheses", json={"statement": "x"}
        )
    ),
    ("create_hypothesis", 413): too_big(
        "inspector", "POST", review_path("/hypotheses")
    ),
    ("list_hypotheses", 400): bad_limit("inspector", review_path("/hypotheses")),
    ("list_hypotheses", 401): no_token("GET", review_path("/hypotheses")),
    ("list_hypotheses", 403): lambda r: r("nominee").get(
        f"/reviews/{r.review}/hypotheses"
    ),
    ("list_hypotheses", 404): lambda r: r("non_member").get(
        f"/reviews/{r.review}/hypotheses"
    ),
    ("get_hypothesis", 401): no_token("GET", lambda r: f"/hypotheses/{r.hypothesis}"),
    ("get_hypothesis", 404): lambda r: r("nominee").get(f"/hypotheses/{r.hypothesis}"),
    ("update_hypothesis", 400): lambda r: r("inspector").patch(
        f"/hypotheses/{r.hypothesis}", json={"status": "supported"}
    ),
    ("update_hypothesis", 401): no_token(
        "PATCH", lambda r: f"/hypotheses/{r.hypothesis}"
    ),
    ("update_hypothesis", 403): lambda r: r("observer").patch(
        f"/hypotheses/{r.hypothesis}", json={"theme": "x"}
    ),
    ("update_hypothesis", 404): lambda r: r("nominee").patch(
        f"/hypotheses/{r.hypothesis}", json={"theme": "x"}
    ),
    ("update_hypothesis", 409): lambda r: (
        r.hypothesis,
        r.close_review(),
        r("inspector").patch(f"/hypotheses/{r.hypothesis}", json={"theme": "x"}),
    )[-1],
    ("update_hypothesis", 413): too_big(
        "inspector", "PATCH", lambda r: f"/hypotheses/{r.hypothesis}"
    ),
    ("get_hypothesis_history", 400): bad_limit(
        "inspector", lambda r: f"/hypotheses/{r.hypothesis}/history"
    ),
    ("get_hypothesis_history", 401): no_token(
        "GET", lambda r: f"/hypotheses/{r.hypothesis}/history"
    ),
    ("get_hypothesis_history", 404): lambda r: r("contributor").get(
        f"/hypotheses/{r.hypothesis}/history"
    ),
    ("set_hypothesis_evidence", 400): lambda r: r("inspector").put(
        f"/hypotheses/{r.hypothesis}/evidence", json={"evidence_ids": [NOWHERE]}
    ),
    ("set_hypothesis_evidence", 401): no_token(
        "PUT", lambda r: f"/hypotheses/{r.hypothesis}/evidence"
    ),
    ("set_hypothesis_evidence", 403): lambda r: r("observer").put(
        f"/hypotheses/{r.hypothesis}/evidence", json={"evidence_ids": []}
    ),
    ("set_hypothesis_evidence", 404): lambda r: r("nominee").put(
        f"/hypotheses/{r.hypothesis}/evidence", json={"evidence_ids": []}
    ),
    ("set_hypothesis_evidence", 409): lambda r: (
        r.hypothesis,
        r.close_review(),
        r("inspector").put(
            f"/hypotheses/{r.hypothesis}/evidence", json={"evidence_ids": []}
        ),
    )[-1],
    ("set_hypothesis_evidence", 413): too_big(
        "inspector", "PUT", lambda r: f"/hypotheses/{r.hypothesis}/evidence"
    ),
    ("create_visit", 400): lambda r: r("inspector").post(
        f"/reviews/{r.review}/visits", json={}
    ),
    ("create_visit", 401): no_token("POST", review_path("/visits")),
    ("create_visit", 403): lambda r: r("observer").post(
        f"/reviews/{r.review}/visits",
        json={
            "workspace_id": r.ws,
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-01",
            "mode": "remote",
        },
    ),
    ("create_visit", 404): lambda r: r("non_member").post(
        f"/reviews/{r.review}/visits",
        json={
            "workspace_id": r.ws,
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-01",
            "mode": "remote",
        },
    ),
    ("create_visit", 409): closed(
        lambda r: r("inspector").post(
            f"/reviews/{r.review}/visits",
            json={
                "workspace_id": r.ws,
                "starts_on": "2027-03-01",
                "ends_on": "2027-03-01",
                "mode": "remote",
            },
        )
    ),
    ("create_visit", 413): too_big("inspector", "POST", review_path("/visits")),
    ("list_visits", 400): bad_limit("inspector", review_path("/visits")),
    ("list_visits", 401): no_token("GET", review_path("/visits")),
    ("list_visits", 403): lambda r: r("admin").get(f"/reviews/{r.review}/visits"),
    ("list_visits", 404): lambda r: r("non_member").get(f"/reviews/{r.review}/visits"),
    ("get_visit", 401): no_token("GET", lambda r: f"/visits/{r.visit}"),
    ("get_visit", 404): lambda r: r("csc_nominee").get(f"/visits/{r.visit}"),
    ("update_visit", 400): lambda r: r("inspector").patch(
        f"/visits/{r.visit}", json={"ends_on": "2020-01-01"}
    ),
    ("update_visit", 401): no_token("PATCH", lambda r: f"/visits/{r.visit}"),
    ("update_visit", 403): lambda r: r("nominee").patch(
        f"/visits/{r.visit}", json={"mode": "remote"}
    ),
    ("update_visit", 404): lambda r: r("csc_nominee").patch(
        f"/visits/{r.visit}", json={"mode": "remote"}
    ),
    ("update_visit", 409): lambda r: (
        r.visit,
        r.close_review(),
        r("inspector").patch(f"/visits/{r.visit}", json={"mode": "remote"}),
    )[-1],
    ("update_visit", 413): too_big(
        "inspector", "PATCH", lambda r: f"/visits/{r.visit}"
    ),
    ("delete_visit", 401): no_token("DELETE", lambda r: f"/visits/{r.visit}"),
    ("delete_visit", 403): lambda r: r("nominee").delete(f"/visits/{r.visit}"),
    ("delete_visit", 404): lambda r: r("csc_nominee").delete(f"/visits/{r.visit}"),
    ("delete_visit", 409): lambda r: (
        r.visit,
        r.close_review(),
        r("inspector").delete(f"/visits/{r.visit}"),
    )[-1],
    ("create_session", 400): lambda r: r("inspector").post(
        f"/visits/{r.visit}/sessions", json={"kind": "party"}
    ),
    ("create_session", 401): no_token("POST", lambda r: f"/visits/{r.visit}/sessions"),
    ("create_session", 403): lambda r: r("nominee").post(
        f"/visits/{r.visit}/sessions",
        json={
            "kind": "interview",
            "title": "x",
            "starts_at": "2027-03-01T09:00:00Z",
            "ends_at": "2027-03-01T10:00:00Z",
        },
    ),
    ("create_session", 404): lambda r: r("csc_nominee").post(
        f"/visits/{r.visit}/sessions",
        json={
            "kind": "interview",
            "title": "x",
            "starts_at": "2027-03-01T09:00:00Z",
            "ends_at": "2027-03-01T10:00:00Z",
        },
    ),
    ("create_session", 409): lambda r: (
        r.visit,
        r.close_review(),
        r("inspector").post(
            f"/visits/{r.visit}/sessions",
            json={
                "kind": "interview",
                "title": "x",
                "starts_at": "2027-03-01T09:00:00Z",
                "ends_at": "2027-03-01T10:00:00Z",
            },
        ),
    )[-1],
    ("create_session", 413): too_big(
        "inspector", "POST", lambda r: f"/visits/{r.visit}/sessions"
    ),
    ("list_sessions", 400): bad_limit("inspector", review_path("/sessions")),
    ("list_sessions", 401): no_token("GET", review_path("/sessions")),
    ("list_sessions", 403): lambda r: r("admin").get(f"/reviews/{r.review}/sessions"),
    ("list_sessions", 404): lambda r: r("non_member").get(
        f"/reviews/{r.review}/sessions"
    ),
    ("get_session", 401): no_token("GET", lambda r: f"/sessions/{r.session}"),
    ("get_session", 404): lambda r: r("csc_nominee").get(f"/sessions/{r.session}"),
    ("update_session", 400): lambda r: r("inspector").patch(
        f"/sessions/{r.session}", json={"ends_at": "2027-03-01T08:00:00Z"}
    ),
    ("update_session", 401): no_token("PATCH", lambda r: f"/sessions/{r.session}"),
    ("update_session", 403): lambda r: r("nominee").patch(
        f"/sessions/{r.session}", json={"title": "x"}
    ),
    ("update_session", 404): lambda r: r("csc_nominee").patch(
        f"/sessions/{r.session}", json={"title": "x"}
    ),
    ("update_session", 409): lambda r: (
        r.session,
        r.close_review(),
        r("inspector").patch(f"/sessions/{r.session}", json={"title": "x"}),
    )[-1],
    ("update_session", 413): too_big(
        "inspector", "PATCH", lambda r: f"/sessions/{r.session}"
    ),
    ("delete_session", 401): no_token("DELETE", lambda r: f"/sessions/{r.session}"),
    ("delete_session", 403): lambda r: r("contributor").delete(
        f"/sessions/{r.session}"
    ),
    ("delete_session", 404): lambda r: r("csc_nominee").delete(
        f"/sessions/{r.session}"
    ),
    ("delete_session", 409): lambda r: (
        r.session,
        r.close_review(),
        r("inspector").delete(f"/sessions/{r.session}"),
    )[-1],
    ("get_my_calendar", 401): no_token("GET", fixed("/me/calendar.ics")),
    ("get_reading", 401): no_token("GET", review_path("/reading")),
    ("get_reading", 403): lambda r: r("nominee").get(f"/reviews/{r.review}/reading"),
    ("get_reading", 404): lambda r: r("non_member").get(f"/reviews/{r.review}/reading"),
    ("list_evidence_readers", 400): bad_limit(
        "inspector", lambda r: f"/evidence/{r.item}/readers"
    ),
    ("list_evidence_readers", 401): no_token(
        "GET", lambda r: f"/evidence/{r.item}/readers"
    ),
    ("list_evidence_readers", 403): lambda r: r("nominee").get(
        f"/evidence/{r.item}/readers"
    ),
    ("list_evidence_readers", 404): lambda r: r("csc_nominee").get(
        f"/evidence/{r.item}/readers"
    ),
    ("list_members", 400): bad_limit("lead_officer", review_path("/members")),
    ("list_members", 401): no_token("GET", review_path("/members")),
    ("list_members", 403): lambda r: r("nominee").get(f"/reviews/{r.review}/members"),
    ("list_members", 404): lambda r: r("inspector").get(f"/reviews/{NOWHERE}/members"),
    ("set_member_role", 400): lambda r: r("lead_officer").put(
        member("estyn_spare")(r), json={"role": "nominee"}
    ),
    ("set_member_role", 401): no_token("PUT", member("estyn_spare")),
    ("set_member_role", 403): lambda r: r("inspector").put(
        member("estyn_spare")(r), json={"role": "observer"}
    ),
    ("set_member_role", 404): lambda r: r("lead_officer").put(
        f"/reviews/{r.review}/members/{NOWHERE}", json={"role": "observer"}
    ),
    ("set_member_role", 413): too_big("lead_officer", "PUT", member("estyn_spare")),
    ("remove_member", 401): no_token("DELETE", member("observer")),
    ("remove_member", 403): lambda r: r("inspector").delete(member("observer")(r)),
    ("remove_member", 404): lambda r: r("lead_officer").delete(
        member("estyn_spare")(r)
    ),
    ("list_workspaces", 400): bad_limit("inspector", review_path("/workspaces")),
    ("list_workspaces", 401): no_token("GET", review_path("/workspaces")),
    ("list_workspaces", 403): lambda r: r("admin").get(
        f"/reviews/{r.review}/workspaces"
    ),
    ("list_workspaces", 404): lambda r: r("non_member").get(
        f"/reviews/{r.review}/workspaces"
    ),
    ("get_workspace", 401): no_token("GET", ws_path("")),
    ("get_workspace", 404): lambda r: r("csc_nominee").get(f"/workspaces/{r.ws}"),
    # Evidence.
    ("upload_evidence", 400): post_file(
        "nominee", ws_path("/evidence"), fields={"title": "x" * 501}
    ),
    ("upload_evidence", 401): no_token("POST", ws_path("/evidence")),
    ("upload_evidence", 403): post_file("observer", ws_path("/evidence")),
    ("upload_evidence", 404): post_file("csc_nominee", ws_path("/evidence")),
    ("upload_evidence", 409): closed(post_file("nominee", ws_path("/evidence"))),
    ("upload_evidence", 413): post_file(
        "nominee", ws_path("/evidence"), OVERSIZED_FILE, "big.pdf"
    ),
    ("upload_evidence", 415): post_file(
        "nominee", ws_path("/evidence"), HTML, "page.html"
    ),
    ("list_workspace_evidence", 400): bad_limit("inspector", ws_path("/evidence")),
    ("list_workspace_evidence", 401): no_token("GET", ws_path("/evidence")),
    ("list_workspace_evidence", 403): lambda r: r("inspector").get(
        f"/workspaces/{r.ws}/evidence", query_string={"withdrawn": "true"}
    ),
    ("restore_evidence", 401): no_token(
        "POST", lambda r: f"/evidence/{r.item}/restore"
    ),
    ("restore_evidence", 404): lambda r: r("nominee").post(
        f"/evidence/{r.item}/restore"
    ),
    ("restore_evidence", 409): lambda r: r("nominee").post(
        f"/evidence/{r.withdrawn(days_ago=31)}/restore"
    ),
    ("restore_evidence", 410): lambda r: r("nominee").post(
        f"/evidence/{r.purged(r.withdrawn())}/restore"
    ),
    ("list_workspace_evidence", 404): lambda r: r("csc_nominee").get(
        f"/workspaces/{r.ws}/evidence"
    ),
    ("get_evidence", 401): no_token("GET", item_path),
    ("get_evidence", 404): lambda r: r("csc_nominee").get(item_path(r)),
    ("update_evidence", 400): lambda r: r("nominee").patch(item_path(r), json={}),
    ("update_evidence", 401): no_token("PATCH", item_path),
    ("update_evidence", 403): lambda r: r("observer").patch(
        item_path(r), json={"personal_data": True}
    ),
    ("update_evidence", 404): lambda r: r("csc_nominee").patch(
        item_path(r), json={"personal_data": True}
    ),
    ("update_evidence", 409): lambda r: (
        r.item,
        r.close_review(),
        r("nominee").patch(item_path(r), json={"personal_data": True}),
    )[-1],
    ("update_evidence", 413): too_big("nominee", "PATCH", item_path),
    ("withdraw_evidence", 401): no_token("DELETE", item_path),
    ("withdraw_evidence", 403): lambda r: r("observer").delete(item_path(r)),
    ("withdraw_evidence", 404): lambda r: r("csc_nominee").delete(item_path(r)),
    ("withdraw_evidence", 409): lambda r: (
        r.item,
        r.close_review(),
        r("nominee").delete(item_path(r)),
    )[-1],
    ("add_evidence_version", 400): post_file(
        "nominee", VERSIONS, fields={"sha256": "0" * 64}
    ),
    ("add_evidence_version", 401): no_token("POST", VERSIONS),
    ("add_evidence_version", 403): post_file("observer", VERSIONS),
    ("add_evidence_version", 404): post_file("csc_nominee", VERSIONS),
    ("add_evidence_version", 409): lambda r: (
        r.item,
        r.close_review(),
        post_file("nominee", VERSIONS)(r),
    )[-1],
    ("add_evidence_version", 413): post_file(
        "nominee", VERSIONS, OVERSIZED_FILE, "big.pdf"
    ),
    ("add_evidence_version", 415): post_file("nominee", VERSIONS, HTML, "page.html"),
    ("list_evidence_versions", 400): bad_limit("inspector", VERSIONS),
    ("list_evidence_versions", 401): no_token("GET", VERSIONS),
    ("list_evidence_versions", 404): lambda r: r("csc_nominee").get(VERSIONS(r)),
    ("download_evidence", 400): lambda r: r("inspector").get(
        CONTENT(r), query_string={"version": "0"}
    ),
    ("download_evidence", 401): no_token("GET", CONTENT),
    ("download_evidence", 404): lambda r: r("csc_nominee").get(CONTENT(r)),
    ("download_evidence", 410): lambda r: r("inspector").get(
        f"/evidence/{r.purged(r.item)}/content"
    ),
    ("download_evidence", 416): lambda r: r("inspector").get(
        CONTENT(r), headers={"Range": "bytes=1000-2000"}
    ),
    ("import_evidence_zip", 400): post_file(
        "nominee", ws_path("/imports"), b"", "empty.zip"
    ),
    ("import_evidence_zip", 401): no_token("POST", ws_path("/imports")),
    ("import_evidence_zip", 403): post_file("observer", ws_path("/imports")),
    ("import_evidence_zip", 404): post_file("csc_nominee", ws_path("/imports")),
    ("import_evidence_zip", 409): closed(
        post_file("nominee", ws_path("/imports"), b"PK\x05\x06" + b"\0" * 18, "a.zip")
    ),
    ("import_evidence_zip", 413): post_file(
        "nominee", ws_path("/imports"), b"PK\x03\x04" + OVERSIZED_FILE, "big.zip"
    ),
    ("import_evidence_zip", 415): post_file(
        "nominee", ws_path("/imports"), HTML, "page.zip"
    ),
    # Requests.
    ("create_request", 400): lambda r: r("inspector").post(
        f"/workspaces/{r.ws}/requests", json={}
    ),
    ("create_request", 401): no_token("POST", ws_path("/requests")),
    ("create_request", 403): lambda r: r("nominee").post(
        f"/workspaces/{r.ws}/requests", json={"title": "Mine"}
    ),
    ("create_request", 404): lambda r: r("non_member").post(
        f"/workspaces/{r.ws}/requests", json={"title": "Mine"}
    ),
    ("create_request", 409): closed(
        lambda r: r("inspector").post(
            f"/workspaces/{r.ws}/requests", json={"title": "Late"}
        )
    ),
    ("create_request", 413): too_big("inspector", "POST", ws_path("/requests")),
    ("list_workspace_requests", 400): bad_limit("inspector", ws_path("/requests")),
    ("list_workspace_requests", 401): no_token("GET", ws_path("/requests")),
    ("list_workspace_requests", 404): lambda r: r("csc_nominee").get(
        f"/workspaces/{r.ws}/requests"
    ),
    ("send_request_list", 400): lambda r: r("inspector").post(
        f"/reviews/{r.review}/requests", json={}
    ),
    ("send_request_list", 401): no_token("POST", review_path("/requests")),
    ("send_request_list", 403): lambda r: r("nominee").post(
        f"/reviews/{r.review}/requests", json={"requests": [{"title": "Mine"}]}
    ),
    ("send_request_list", 404): lambda r: r("non_member").post(
        f"/reviews/{r.review}/requests", json={"requests": [{"title": "Mine"}]}
    ),
    ("send_request_list", 409): closed(
        lambda r: r("inspector").post(
            f"/reviews/{r.review}/requests", json={"requests": [{"title": "Late"}]}
        )
    ),
    ("send_request_list", 413): too_big("inspector", "POST", review_path("/requests")),
    ("get_request", 401): no_token("GET", request_path("")),
    ("get_request", 404): lambda r: r("csc_nominee").get(request_path("")(r)),
    ("decide_request", 400): lambda r: r("inspector").post(
        request_path("/decision")(r), json={"decision": "shrug"}
    ),
    ("decide_request", 401): no_token("POST", request_path("/decision")),
    ("decide_request", 403): lambda r: r("nominee").post(
        request_path("/decision")(r), json={"decision": "withdraw"}
    ),
    ("decide_request", 404): lambda r: r("csc_nominee").post(
        request_path("/decision")(r), json={"decision": "withdraw"}
    ),
    # An open request has nothing to accept yet.
    ("decide_request", 409): lambda r: r("inspector").post(
        request_path("/decision")(r), json={"decision": "accept"}
    ),
    ("decide_request", 413): too_big("inspector", "POST", request_path("/decision")),
    ("set_request_assignees", 400): lambda r: r("nominee").put(
        request_path("/assignees")(r), json={"user_ids": [r.user("csc_contributor")]}
    ),
    ("set_request_assignees", 401): no_token("PUT", request_path("/assignees")),
    ("set_request_assignees", 403): lambda r: r("contributor").put(
        request_path("/assignees")(r), json={"user_ids": []}
    ),
    ("set_request_assignees", 404): lambda r: r("csc_nominee").put(
        request_path("/assignees")(r), json={"user_ids": []}
    ),
    ("set_request_assignees", 409): lambda r: (
        r.request,
        r.close_review(),
        r("nominee").put(request_path("/assignees")(r), json={"user_ids": []}),
    )[-1],
    ("set_request_assignees", 413): too_big(
        "nominee", "PUT", request_path("/assignees")
    ),
    ("get_review_progress", 401): no_token("GET", review_path("/progress")),
    ("get_review_progress", 403): lambda r: r("admin").get(
        f"/reviews/{r.review}/progress"
    ),
    ("get_review_progress", 404): lambda r: r("non_member").get(
        f"/reviews/{r.review}/progress"
    ),
    # Resumable uploads.
    ("start_upload", 400): lambda r: r("nominee").post(
        f"/workspaces/{r.ws}/uploads", json={}
    ),
    ("start_upload", 401): no_token("POST", ws_path("/uploads")),
    ("start_upload", 403): lambda r: r("observer").post(
        f"/workspaces/{r.ws}/uploads",
        json={"filename": "a.pdf", "size": 10, "sha256": "0" * 64},
    ),
    ("start_upload", 404): lambda r: r("csc_nominee").post(
        f"/workspaces/{r.ws}/uploads",
        json={"filename": "a.pdf", "size": 10, "sha256": "0" * 64},
    ),
    ("start_upload", 409): closed(
        lambda r: r("nominee").post(
            f"/workspaces/{r.ws}/uploads",
            json={"filename": "a.pdf", "size": 10, "sha256": "0" * 64},
        )
    ),
    ("start_upload", 413): lambda r: r("nominee").post(
        f"/workspaces/{r.ws}/uploads",
        json={
            "filename": "a.pdf",
            "size": current_app.config["UPLOAD_MAX_BYTES"] + 1,
            "sha256": "0" * 64,
        },
    ),
    ("upload_part", 400): put_part("nominee", b"too short"),
    ("upload_part", 401): lambda r: r.anonymous.put(
        f"/uploads/{r.upload_session()}/parts/1", data=PDF * 10
    ),
    ("upload_part", 403): demoted_part,
    ("upload_part", 404): put_part("contributor", PDF * 10),
    ("upload_part", 409): completing(put_part("nominee", PDF * 10)),
    ("upload_part", 415): put_part("nominee", HTML.ljust(len(PDF) * 10, b" ")),
    ("get_upload", 401): no_token("GET", upload_path("")),
    ("get_upload", 404): lambda r: r("contributor").get(upload_path("")(r)),
    ("cancel_upload", 401): no_token("DELETE", upload_path("")),
    ("cancel_upload", 404): lambda r: r("contributor").delete(upload_path("")(r)),
    ("cancel_upload", 409): completing(
        lambda r: r("nominee").delete(upload_path("")(r))
    ),
    # No part has been sent.
    ("complete_upload", 400): lambda r: r("nominee").post(
        upload_path("/complete")(r), json={}
    ),
    ("complete_upload", 401): no_token("POST", upload_path("/complete")),
    ("complete_upload", 403): demoted_complete,
    ("complete_upload", 404): lambda r: r("contributor").post(
        upload_path("/complete")(r), json={}
    ),
    ("complete_upload", 409): lambda r: (
        r.upload_session(),
        r.close_review(),
        r("nominee").post(upload_path("/complete")(r), json={}),
    )[-1],
    ("complete_upload", 413): too_big("nominee", "POST", upload_path("/complete")),
    # Agreement (issue 10): drafts.
    ("create_draft", 400): lambda r: r("inspector").post(
        f"/reviews/{r.review}/drafts", json={"kind": "memo", "title": "x"}
    ),
    ("create_draft", 401): no_token("POST", review_path("/drafts")),
    ("create_draft", 403): lambda r: r("observer").post(
        f"/reviews/{r.review}/drafts", json={"kind": "other", "title": "x"}
    ),
    ("create_draft", 404): lambda r: r("non_member").post(
        f"/reviews/{r.review}/drafts", json={"kind": "other", "title": "x"}
    ),
    ("create_draft", 409): closed(
        lambda r: r("inspector").post(
            f"/reviews/{r.review}/drafts", json={"kind": "other", "title": "x"}
        )
    ),
    ("create_draft", 413): too_big("inspector", "POST", review_path("/drafts")),
    ("list_drafts", 400): bad_limit("inspector", review_path("/drafts")),
    ("list_drafts", 401): no_token("GET", review_path("/drafts")),
    ("list_drafts", 403): lambda r: r("admin").get(f"/reviews/{r.review}/drafts"),
    ("list_drafts", 404): lambda r: r("non_member").get(f"/reviews/{r.review}/drafts"),
    ("get_draft", 401): no_token("GET", lambda r: f"/drafts/{r.draft}"),
    ("get_draft", 404): lambda r: r("nominee").get(f"/drafts/{r.draft}"),
    ("update_draft", 400): lambda r: r("inspector").patch(
        f"/drafts/{r.draft}", json={}
    ),
    ("update_draft", 401): no_token("PATCH", lambda r: f"/drafts/{r.draft}"),
    ("update_draft", 403): lambda r: r("audit_inspector").patch(
        f"/drafts/{r.draft}", json={"title": "Ours"}
    ),
    ("update_draft", 404): lambda r: r("nominee").patch(
        f"/drafts/{r.draft}", json={"title": "x"}
    ),
    # Shared with the other bodies: never back.
    ("update_draft", 409): lambda r: r("inspector").patch(
        f"/drafts/{r.draft}", json={"scope": "body"}
    ),
    ("update_draft", 413): too_big(
        "inspector", "PATCH", lambda r: f"/drafts/{r.draft}"
    ),
    ("add_draft_version", 400): lambda r: r("inspector").post(
        f"/drafts/{r.draft}/versions", json={"text": ""}
    ),
    ("add_draft_version", 401): no_token(
        "POST", lambda r: f"/drafts/{r.draft}/versions"
    ),
    ("add_draft_version", 403): lambda r: r("observer").post(
        f"/drafts/{r.draft}/versions", json={"text": "x"}
    ),
    ("add_draft_version", 404): lambda r: r("nominee").post(
        f"/drafts/{r.draft}/versions", json={"text": "x"}
    ),
    ("add_draft_version", 409): lambda r: (
        r.draft,
        r.close_review(),
        r("inspector").post(f"/drafts/{r.draft}/versions", json={"text": "x"}),
    )[-1],
    ("add_draft_version", 413): post_file(
        "inspector", lambda r: f"/drafts/{r.draft}/versions", OVERSIZED_FILE, "big.pdf"
    ),
    ("add_draft_version", 415): post_file(
        "inspector", lambda r: f"/drafts/{r.draft}/versions", HTML, "page.html"
    ),
    ("list_draft_versions", 401): no_token(
        "GET", lambda r: f"/drafts/{r.draft}/versions"
    ),
    ("list_draft_versions", 404): lambda r: r("nominee").get(
        f"/drafts/{r.draft}/versions"
    ),
    ("get_draft_version", 401): no_token(
        "GET", lambda r: f"/drafts/{r.draft}/versions/1"
    ),
    ("get_draft_version", 404): lambda r: r("inspector").get(
        f"/drafts/{r.draft}/versions/9"
    ),
    ("download_draft_version", 401): no_token(
        "GET", lambda r: f"/drafts/{r.file_draft}/versions/1/content"
    ),
    # A text version has no file.
    ("download_draft_version", 404): lambda r: r("inspector").get(
        f"/drafts/{r.draft}/versions/1/content"
    ),
    ("download_draft_version", 410): lambda r: r("inspector").get(
        f"/drafts/{r.purged_draft(r.file_draft)}/versions/1/content"
    ),
    ("download_draft_version", 416): lambda r: r("inspector").get(
        f"/drafts/{r.file_draft}/versions/1/content",
        headers={"Range": "bytes=999999-"},
    ),
    ("diff_draft", 400): lambda r: r("inspector").get(f"/drafts/{r.draft}/diff"),
    ("diff_draft", 401): no_token("GET", lambda r: f"/drafts/{r.draft}/diff"),
    # A reviewed party sees issued feedback, never its comparison.
    ("diff_draft", 403): lambda r: r("nominee").get(
        f"/drafts/{r.feedback()}/diff", query_string={"from": 1, "to": 1}
    ),
    ("diff_draft", 404): lambda r: r("non_member").get(
        f"/drafts/{r.draft}/diff", query_string={"from": 1, "to": 1}
    ),
    ("comment_on_draft", 400): lambda r: r("inspector").post(
        f"/drafts/{r.draft}/comments", json={}
    ),
    ("comment_on_draft", 401): no_token(
        "POST", lambda r: f"/drafts/{r.draft}/comments"
    ),
    ("comment_on_draft", 403): lambda r: r("observer").post(
        f"/drafts/{r.draft}/comments", json={"body": "x"}
    ),
    ("comment_on_draft", 404): lambda r: r("nominee").post(
        f"/drafts/{r.draft}/comments", json={"body": "x"}
    ),
    ("comment_on_draft", 409): lambda r: (
        r.draft,
        r.close_review(),
        r("inspector").post(f"/drafts/{r.draft}/comments", json={"body": "x"}),
    )[-1],
    ("comment_on_draft", 413): too_big(
        "inspector", "POST", lambda r: f"/drafts/{r.draft}/comments"
    ),
    ("list_draft_comments", 400): bad_limit(
        "inspector", lambda r: f"/drafts/{r.draft}/comments"
    ),
    ("list_draft_comments", 401): no_token(
        "GET", lambda r: f"/drafts/{r.draft}/comments"
    ),
    ("list_draft_comments", 403): lambda r: r("nominee").get(
        f"/drafts/{r.feedback()}/comments"
    ),
    ("list_draft_comments", 404): lambda r: r("non_member").get(
        f"/drafts/{r.draft}/comments"
    ),
    ("resolve_draft_comment", 400): lambda r: r("inspector").patch(
        f"/draft-comments/{r.draft_comment}", json={"resolved": "yes"}
    ),
    ("resolve_draft_comment", 401): no_token(
        "PATCH", lambda r: f"/draft-comments/{r.draft_comment}"
    ),
    ("resolve_draft_comment", 403): lambda r: r("observer").patch(
        f"/draft-comments/{r.draft_comment}", json={"resolved": True}
    ),
    ("resolve_draft_comment", 404): lambda r: r("nominee").patch(
        f"/draft-comments/{r.draft_comment}", json={"resolved": True}
    ),
    ("resolve_draft_comment", 409): lambda r: (
        r.draft_comment,
        r.close_review(),
        r("inspector").patch(
            f"/draft-comments/{r.draft_comment}", json={"resolved": True}
        ),
    )[-1],
    ("resolve_draft_comment", 413): too_big(
        "inspector", "PATCH", lambda r: f"/draft-comments/{r.draft_comment}"
    ),
    ("decide_on_draft", 400): lambda r: r("lead_officer").put(
        f"/drafts/{r.draft}/approvals/{r.world.estyn.id}",
        json={"decision": "maybe", "version": 1},
    ),
    ("decide_on_draft", 401): no_token(
        "PUT", lambda r: f"/drafts/{r.draft}/approvals/{r.world.estyn.id}"
    ),
    ("decide_on_draft", 403): lambda r: r("inspector").put(
        f"/drafts/{r.draft}/approvals/{r.world.estyn.id}",
        json={"decision": "approve", "version": 1},
    ),
    ("decide_on_draft", 404): lambda r: r("nominee").put(
        f"/drafts/{r.draft}/approvals/{r.world.estyn.id}",
        json={"decision": "approve", "version": 1},
    ),
    # Not the current version.
    ("decide_on_draft", 409): lambda r: r("lead_officer").put(
        f"/drafts/{r.draft}/approvals/{r.world.estyn.id}",
        json={"decision": "approve", "version": 2},
    ),
    ("decide_on_draft", 413): too_big(
        "lead_officer",
        "PUT",
        lambda r: f"/drafts/{r.draft}/approvals/{r.world.estyn.id}",
    ),
    ("withdraw_draft_decision", 401): no_token(
        "DELETE", lambda r: f"/drafts/{r.draft}/approvals/{r.world.estyn.id}"
    ),
    ("withdraw_draft_decision", 403): lambda r: r("inspector").delete(
        f"/drafts/{r.draft}/approvals/{r.world.estyn.id}"
    ),
    ("withdraw_draft_decision", 404): lambda r: r("nominee").delete(
        f"/drafts/{r.draft}/approvals/{r.world.estyn.id}"
    ),
    ("withdraw_draft_decision", 409): lambda r: (
        r.draft,
        r.close_review(),
        r("lead_officer").delete(f"/drafts/{r.draft}/approvals/{r.world.estyn.id}"),
    )[-1],
    ("issue_feedback", 401): no_token("POST", lambda r: f"/drafts/{r.draft}/issue"),
    ("issue_feedback", 403): lambda r: r("inspector").post(
        f"/drafts/{r.feedback(issued=False)}/issue"
    ),
    ("issue_feedback", 404): lambda r: r("nominee").post(
        f"/drafts/{r.feedback(issued=False)}/issue"
    ),
    # A press release is published, never issued.
    ("issue_feedback", 409): lambda r: r("lead_officer").post(
        f"/drafts/{r.draft}/issue"
    ),
    ("comment_on_accuracy", 400): lambda r: r("nominee").post(
        f"/drafts/{r.feedback()}/accuracy", json={}
    ),
    ("comment_on_accuracy", 401): no_token(
        "POST", lambda r: f"/drafts/{r.feedback()}/accuracy"
    ),
    ("comment_on_accuracy", 403): lambda r: r("contributor").post(
        f"/drafts/{r.feedback()}/accuracy", json={"body": "x"}
    ),
    ("comment_on_accuracy", 404): lambda r: r("csc_nominee").post(
        f"/drafts/{r.feedback()}/accuracy", json={"body": "x"}
    ),
    ("comment_on_accuracy", 409): lambda r: (
        r.feedback(),
        r.close_review(),
        r("nominee").post(f"/drafts/{r.feedback()}/accuracy", json={"body": "x"}),
    )[-1],
    ("comment_on_accuracy", 413): too_big(
        "nominee", "POST", lambda r: f"/drafts/{r.feedback()}/accuracy"
    ),
    ("list_accuracy_comments", 400): bad_limit(
        "nominee", lambda r: f"/drafts/{r.feedback()}/accuracy"
    ),
    ("list_accuracy_comments", 401): no_token(
        "GET", lambda r: f"/drafts/{r.feedback()}/accuracy"
    ),
    # A published press release is every member's, its accuracy check nobody's.
    ("list_accuracy_comments", 403): lambda r: r("nominee").get(
        f"/drafts/{r.published()}/accuracy"
    ),
    ("list_accuracy_comments", 404): lambda r: r("csc_nominee").get(
        f"/drafts/{r.feedback()}/accuracy"
    ),
    # Headline messages.
    ("create_message", 400): lambda r: r("inspector").post(
        f"/reviews/{r.review}/messages", json={}
    ),
    ("create_message", 401): no_token("POST", review_path("/messages")),
    ("create_message", 403): lambda r: r("observer").post(
        f"/reviews/{r.review}/messages", json={"text": "x"}
    ),
    ("create_message", 404): lambda r: r("non_member").post(
        f"/reviews/{r.review}/messages", json={"text": "x"}
    ),
    ("create_message", 409): closed(
        lambda r: r("inspector").post(
            f"/reviews/{r.review}/messages", json={"text": "x"}
        )
    ),
    ("create_message", 413): too_big("inspector", "POST", review_path("/messages")),
    ("list_messages", 400): bad_limit("inspector", review_path("/messages")),
    ("list_messages", 401): no_token("GET", review_path("/messages")),
    ("list_messages", 403): lambda r: r("nominee").get(f"/reviews/{r.review}/messages"),
    ("list_messages", 404): lambda r: r("non_member").get(
        f"/reviews/{r.review}/messages"
    ),
    ("get_message", 401): no_token("GET", lambda r: f"/messages/{r.message}"),
    ("get_message", 404): lambda r: r("nominee").get(f"/messages/{r.message}"),
    ("update_message", 400): lambda r: r("inspector").patch(
        f"/messages/{r.message}", json={}
    ),
    ("update_message", 401): no_token("PATCH", lambda r: f"/messages/{r.message}"),
    ("update_message", 403): lambda r: r("observer").patch(
        f"/messages/{r.message}", json={"text": "x"}
    ),
    ("update_message", 404): lambda r: r("nominee").patch(
        f"/messages/{r.message}", json={"text": "x"}
    ),
    ("update_message", 409): lambda r: (
        r.message,
        r.close_review(),
        r("inspector").patch(f"/messages/{r.message}", json={"text": "x"}),
    )[-1],
    ("update_message", 413): too_big(
        "inspector", "PATCH", lambda r: f"/messages/{r.message}"
    ),
    ("delete_message", 401): no_token("DELETE", lambda r: f"/messages/{r.message}"),
    ("delete_message", 403): lambda r: r("observer").delete(f"/messages/{r.message}"),
    ("delete_message", 404): lambda r: r("nominee").delete(f"/messages/{r.message}"),
    # Agreed by every body: it stays.
    ("delete_message", 409): lambda r: (
        r("lead_officer").put(f"/messages/{r.message}/agreement"),
        r("audit_lead").put(f"/messages/{r.message}/agreement"),
        r("inspector").delete(f"/messages/{r.message}"),
    )[-1],
    ("agree_message", 401): no_token(
        "PUT", lambda r: f"/messages/{r.message}/agreement"
    ),
    ("agree_message", 403): lambda r: r("inspector").put(
        f"/messages/{r.message}/agreement"
    ),
    ("agree_message", 404): lambda r: r("nominee").put(
        f"/messages/{r.message}/agreement"
    ),
    ("agree_message", 409): lambda r: (
        r.message,
        r.close_review(),
        r("lead_officer").put(f"/messages/{r.message}/agreement"),
    )[-1],
    ("withdraw_message_agreement", 401): no_token(
        "DELETE", lambda r: f"/messages/{r.message}/agreement"
    ),
    ("withdraw_message_agreement", 403): lambda r: r("inspector").delete(
        f"/messages/{r.message}/agreement"
    ),
    ("withdraw_message_agreement", 404): lambda r: r("nominee").delete(
        f"/messages/{r.message}/agreement"
    ),
    ("withdraw_message_agreement", 409): lambda r: (
        r.message,
        r.close_review(),
        r("lead_officer").delete(f"/messages/{r.message}/agreement"),
    )[-1],
    # Publication and embargo.
    ("propose_publication", 400): lambda r: r("lead_officer").put(
        f"/reviews/{r.review}/publication",
        json={"publish_at": "2020-01-01", "draft_ids": [r.agreed_draft]},
    ),
    ("propose_publication", 401): no_token("PUT", review_path("/publication")),
    ("propose_publication", 403): lambda r: r("inspector").put(
        f"/reviews/{r.review}/publication",
        json={"publish_at": "2099-01-01", "draft_ids": [r.agreed_draft]},
    ),
    ("propose_publication", 404): lambda r: r("non_member").put(
        f"/reviews/{r.review}/publication",
        json={"publish_at": "2099-01-01", "draft_ids": [NOWHERE]},
    ),
    # The draft is not agreed.
    ("propose_publication", 409): lambda r: r("lead_officer").put(
        f"/reviews/{r.review}/publication",
        json={"publish_at": "2099-01-01", "draft_ids": [r.draft]},
    ),
    ("propose_publication", 413): too_big(
        "lead_officer", "PUT", review_path("/publication")
    ),
    ("get_publication", 401): no_token("GET", review_path("/publication")),
    ("get_publication", 403): lambda r: r("nominee").get(
        f"/reviews/{r.review}/publication"
    ),
    # None proposed yet.
    ("get_publication", 404): lambda r: r("lead_officer").get(
        f"/reviews/{r.review}/publication"
    ),
    ("agree_publication", 401): no_token("PUT", review_path("/publication/agreement")),
    ("agree_publication", 403): lambda r: (
        r.propose(),
        r("inspector").put(f"/reviews/{r.review}/publication/agreement"),
    )[-1],
    ("agree_publication", 404): lambda r: r("lead_officer").put(
        f"/reviews/{r.review}/publication/agreement"
    ),
    ("agree_publication", 409): lambda r: (
        r.propose(),
        r.close_review(),
        r("lead_officer").put(f"/reviews/{r.review}/publication/agreement"),
    )[-1],
    # The audit trail.
    ("list_review_audit", 400): lambda r: r("lead_officer").get(
        f"/reviews/{r.review}/audit", query_string={"from": "yesterday"}
    ),
    ("list_review_audit", 401): no_token("GET", review_path("/audit")),
    ("list_review_audit", 403): lambda r: r("inspector").get(
        f"/reviews/{r.review}/audit"
    ),
    ("list_review_audit", 404): lambda r: r("non_member").get(
        f"/reviews/{r.review}/audit"
    ),
    ("list_audit", 400): lambda r: r("admin").get(
        "/audit", query_string={"format": "xml"}
    ),
    ("list_audit", 401): no_token("GET", lambda r: "/audit"),
    ("list_audit", 403): lambda r: r("lead_officer").get("/audit"),
    # The export.
    ("export_review", 400): lambda r: r("lead_officer").get(
        f"/reviews/{r.review}/export", query_string={"workspace_id": NOWHERE}
    ),
    ("export_review", 401): no_token("GET", review_path("/export")),
    ("export_review", 403): lambda r: r("inspector").get(f"/reviews/{r.review}/export"),
    ("export_review", 404): lambda r: r("non_member").get(
        f"/reviews/{r.review}/export"
    ),
}


def documented_4xx(app) -> set[tuple[str, int]]:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    return {
        (operation["operationId"], int(status))
        for operations in document["paths"].values()
        for method, operation in operations.items()
        if method != "parameters"
        for status in operation["responses"]
        if status.startswith("4")
    }


def test_the_table_is_the_document(app) -> None:
    documented = documented_4xx(app)
    assert sorted(documented - set(PROVOKE)) == [], "documented, never provoked"
    assert sorted(set(PROVOKE) - documented) == [], "provoked, not documented"


OPERATIONS = sorted({operation for operation, _status in PROVOKE})


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_the_documented_statuses_are_given(
    operation_id: str, world: World, api, client, store
) -> None:
    """Each documented status of one operation, each provoked in a savepoint
    rolled back after it (``rolled_back``), on one world built once."""
    wrong = []
    for status in sorted(s for o, s in PROVOKE if o == operation_id):
        with rolled_back():
            room = Room(world, api, ApiClient(client))
            response = PROVOKE[(operation_id, status)](room)
            problem = ""
            if response.status_code != status:
                problem = f"{response.status_code}: {response.get_data()[:300]!r}"
            # ... from the operation meant, not another the path happens to hit.
            elif room.anonymous.client.last_operation_id != operation_id:
                problem = f"answered by {room.anonymous.client.last_operation_id}"
            else:
                error_of(response)  # the contract's error body, whatever the status
        if problem:
            wrong.append(f"{operation_id} {status}: {problem}")
    assert not wrong, "\n".join(wrong)
