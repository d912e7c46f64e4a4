"""Drafts: versions, comparison, comments, each body's approval, feedback
issued with its factual-accuracy window, and who sees what of them."""

from __future__ import annotations

import io
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from app.core.db import db
from app.core.permissions import Role, Side
from app.drafts.models import Draft
from app.reviews.models import ReviewParty, ReviewStatus
from support.api import error_of
from support.world import World

DRAFT_FIELDS = {
    "id", "review_id", "kind", "title", "title_cy", "workspace_id",
    "organisation_id", "scope", "status", "current_version", "approvals",
    "agreed_at", "issued_at", "factual_accuracy_due", "created_by", "created_at",
}  # fmt: skip
VERSION_FIELDS = {
    "number", "text", "text_cy", "html", "html_cy", "file", "note", "created_by",
    "created_at",
}  # fmt: skip
REVIEWED = ["nominee", "contributor", "csc_nominee", "csc_contributor"]
OUTSIDE = ["non_member", "admin"]


def new_draft(api, world: World, who: str = "inspector", **body) -> dict:
    body.setdefault("kind", "press_release")
    body.setdefault("title", "Joint press release")
    answer = api(who).post(f"/reviews/{world.review.id}/drafts", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def version(api, draft: dict, who: str = "inspector", text: str = "Text", **body):
    answer = api(who).post(
        f"/drafts/{draft['id']}/versions", json={"text": text, **body}
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def decide(api, draft: dict, org, who: str, decision: str, number: int):
    return api(who).put(
        f"/drafts/{draft['id']}/approvals/{org.id}",
        json={"decision": decision, "version": number},
    )


def get(api, draft: dict, who: str = "inspector") -> dict:
    answer = api(who).get(f"/drafts/{draft['id']}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_draft_and_its_versions(api, world: World) -> None:
    draft = new_draft(api, world, title_cy="Datganiad i'r wasg")
    assert set(draft) == DRAFT_FIELDS
    assert draft["scope"] == "joint" and draft["status"] == "drafting"
    assert draft["organisation_id"] == str(world.estyn.id)
    assert draft["current_version"] is None
    assert [a["organisation_id"] for a in draft["approvals"]] == [
        str(world.estyn.id),
        str(world.audit.id),
    ]
    assert all(a["decision"] is None for a in draft["approvals"])
    first = version(api, draft, text="# Headline\n\nThe consortia *improved*.")
    assert set(first) == VERSION_FIELDS
    assert first["number"] == 1 and first["file"] is None
    assert "<em>improved</em>" in first["html"]
    second = version(api, draft, who="audit_inspector", text="# Headline\n\nBetter.")
    assert second["number"] == 2
    assert get(api, draft)["current_version"] == 2
    listed = api("audit_lead").get(f"/drafts/{draft['id']}/versions").get_json()
    assert [v["number"] for v in listed["items"]] == [1, 2]
    one = api("observer").get(f"/drafts/{draft['id']}/versions/1").get_json()
    assert one["text"].startswith("# Headline")
    assert api("inspector").get(f"/drafts/{draft['id']}/versions/3").status_code == 404


def test_bad_drafts_are_refused_naming_the_field(api, world: World) -> None:
    url = f"/reviews/{world.review.id}/drafts"
    cases = [
        ({"title": "x"}, "kind"),
        ({"kind": "memo", "title": "x"}, "kind"),
        ({"kind": "other"}, "title"),
        ({"kind": "other", "title": "x" * 501}, "title"),
        ({"kind": "feedback", "title": "Feedback"}, "workspace_id"),
        ({"kind": "other", "title": "x", "scope": "workspace"}, "scope"),
        (
            {"kind": "feedback", "title": "x", "workspace_id": str(world.review.id)},
            "workspace_id",
        ),
    ]
    for body, field in cases:
        answer = api("inspector").post(url, json=body)
        assert answer.status_code == 400, body
        assert field in error_of(answer)["fields"], (body, error_of(answer))
    assert db.session.query(Draft).count() == 0
    draft = new_draft(api, world)
    for body, field in (
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 200_001}, "text"),
        ({"text": "ok", "note": "x" * 2001}, "note"),
    ):
        answer = api("inspector").post(f"/drafts/{draft['id']}/versions", json=body)
        assert answer.status_code == 400 and field in error_of(answer)["fields"]
    assert get(api, draft)["current_version"] is None


def test_a_bodys_report_is_its_own_until_shared(api, world: World) -> None:
    report = new_draft(api, world, "audit_inspector", kind="report", title="Our report")
    assert report["scope"] == "body"
    assert report["organisation_id"] == str(world.audit.id)
    version(api, report, "audit_inspector")
    for who in ("lead_officer", "inspector", "observer", *REVIEWED, *OUTSIDE):
        assert api(who).get(f"/drafts/{report['id']}").status_code == 404, who
        listed = api(who).get(f"/reviews/{world.review.id}/drafts")
        assert listed.status_code in (200, 403, 404)
        if listed.status_code == 200:
            assert report["id"] not in [d["id"] for d in listed.get_json()["items"]]
    # Only the owning body's writers change it; never back to "body".
    assert (
        api("inspector").patch(f"/drafts/{report['id']}", json={"scope": "joint"})
    ).status_code == 404
    shared = api("audit_lead").patch(f"/drafts/{report['id']}", json={"scope": "joint"})
    assert shared.status_code == 200 and shared.get_json()["scope"] == "joint"
    assert api("inspector").get(f"/drafts/{report['id']}").status_code == 200
    assert (
        api("inspector").patch(f"/drafts/{report['id']}", json={"title": "Mine"})
    ).status_code == 403
    back = api("audit_lead").patch(f"/drafts/{report['id']}", json={"scope": "body"})
    assert back.status_code == 409
    assert (
        api("audit_lead").patch(f"/drafts/{report['id']}", json={}).status_code == 400
    )


def test_joint_kinds_need_every_bodys_approval(api, world: World) -> None:
    draft = new_draft(api, world)
    version(api, draft)
    assert (
        decide(api, draft, world.estyn, "lead_officer", "approve", 1).status_code == 200
    )
    # "No objection" is not enough for a joint kind.
    no_objection = decide(api, draft, world.audit, "audit_lead", "no_objection", 1)
    assert no_objection.get_json()["status"] == "drafting"
    agreed = decide(api, draft, world.audit, "audit_lead", "approve", 1).get_json()
    assert agreed["status"] == "agreed" and agreed["agreed_at"]
    by_org = {a["organisation_id"]: a for a in agreed["approvals"]}
    assert by_org[str(world.audit.id)]["decision"] == "approve"
    assert by_org[str(world.audit.id)]["by"] == str(world.users["audit_lead"].id)
    assert by_org[str(world.audit.id)]["version"] == 1
    # A new version clears every decision.
    version(api, draft, text="Changed")
    again = get(api, draft)
    assert again["status"] == "drafting" and again["agreed_at"] is None
    assert all(a["decision"] is None for a in again["approvals"])


def test_a_report_needs_its_own_approval_and_the_others_no_objection(
    api, world: World
) -> None:
    report = new_draft(api, world, "lead_officer", kind="report", title="Estyn report")
    api("lead_officer").patch(f"/drafts/{report['id']}", json={"scope": "joint"})
    version(api, report, "lead_officer")
    assert (
        decide(api, report, world.audit, "audit_lead", "no_objection", 1).get_json()
    )["status"] == "drafting"
    agreed = decide(api, report, world.estyn, "lead_officer", "approve", 1).get_json()
    assert agreed["status"] == "agreed"
    # The owner's "no objection" is not its approval.
    other = new_draft(api, world, "lead_officer", kind="report", title="Second")
    api("lead_officer").patch(f"/drafts/{other['id']}", json={"scope": "joint"})
    version(api, other, "lead_officer")
    decide(api, other, world.audit, "audit_lead", "approve", 1)
    held = decide(api, other, world.estyn, "lead_officer", "no_objection", 1)
    assert held.get_json()["status"] == "drafting"


def test_changes_requested_holds_it_back(api, world: World) -> None:
    draft = new_draft(api, world)
    version(api, draft)
    decide(api, draft, world.estyn, "lead_officer", "approve", 1)
    held = decide(api, draft, world.audit, "audit_lead", "changes_requested", 1)
    assert held.get_json()["status"] == "drafting"
    withdrawn = api("audit_lead").delete(
        f"/drafts/{draft['id']}/approvals/{world.audit.id}"
    )
    assert withdrawn.status_code == 200
    by_org = {a["organisation_id"]: a for a in withdrawn.get_json()["approvals"]}
    assert by_org[str(world.audit.id)]["decision"] is None
    agreed = decide(api, draft, world.audit, "audit_lead", "approve", 1).get_json()
    assert agreed["status"] == "agreed"
    # Withdrawing an approval takes the agreement back.
    api("audit_lead").delete(f"/drafts/{draft['id']}/approvals/{world.audit.id}")
    assert get(api, draft)["status"] == "drafting"


def test_only_that_bodys_lead_officer_decides(api, world: World) -> None:
    draft = new_draft(api, world)
    version(api, draft)
    for who in ("inspector", "observer", "audit_lead", "audit_inspector"):
        answer = decide(api, draft, world.estyn, who, "approve", 1)
        assert answer.status_code == 403, who
    for who in REVIEWED + OUTSIDE:
        assert decide(api, draft, world.estyn, who, "approve", 1).status_code == 404
    # Not an inspecting party of the review.
    assert (
        decide(api, draft, world.erw, "lead_officer", "approve", 1).status_code == 404
    )
    # A stale version, or none.
    assert (
        decide(api, draft, world.estyn, "lead_officer", "approve", 2).status_code == 409
    )
    version(api, draft, text="v2")
    stale = decide(api, draft, world.estyn, "lead_officer", "approve", 1)
    assert stale.status_code == 409 and "current" in error_of(stale)["message"]
    bad = api("lead_officer").put(
        f"/drafts/{draft['id']}/approvals/{world.estyn.id}",
        json={"decision": "maybe", "version": 2},
    )
    assert bad.status_code == 400 and "decision" in error_of(bad)["fields"]


def test_a_third_body_must_approve_too(api, world: World, factory) -> None:
    from app.accounts.models import OrganisationKind

    third = factory.organisation("ofsted-wales", OrganisationKind.INSPECTORATE)
    db.session.add(
        ReviewParty(
            review_id=world.review.id,
            organisation_id=third.id,
            side=Side.INSPECTING,
            position=9,
        )
    )
    lead = factory.user(third, name="third lead")
    factory.member(world.review, lead, Role.LEAD_OFFICER)
    db.session.commit()
    from support.world import make_token

    token = make_token(lead)
    draft = new_draft(api, world)
    version(api, draft)
    decide(api, draft, world.estyn, "lead_officer", "approve", 1)
    two = decide(api, draft, world.audit, "audit_lead", "approve", 1).get_json()
    assert two["status"] == "drafting" and len(two["approvals"]) == 3
    from support.api import ApiClient

    third_lead = ApiClient(api("inspector").client, token)
    answer = third_lead.put(
        f"/drafts/{draft['id']}/approvals/{third.id}",
        json={"decision": "approve", "version": 1},
    )
    assert answer.status_code == 200 and answer.get_json()["status"] == "agreed"


def test_comments_across_bodies(api, world: World) -> None:
    draft = new_draft(api, world)
    version(api, draft, text="Line one\nLine two")
    version(api, draft, text="Line one\nLine 2")
    comment = api("audit_inspector").post(
        f"/drafts/{draft['id']}/comments",
        json={"body": "Say **two**", "quote": "Line 2"},
    )
    assert comment.status_code == 201
    made = comment.get_json()
    assert made["version"] == 2 and made["quote"] == "Line 2"
    assert made["organisation_id"] == str(world.audit.id)
    assert "<strong>two</strong>" in made["html"] and made["resolved"] is False
    early = api("inspector").post(
        f"/drafts/{draft['id']}/comments", json={"body": "On v1", "version": 1}
    )
    assert early.get_json()["version"] == 1
    missing = api("inspector").post(
        f"/drafts/{draft['id']}/comments", json={"body": "x", "version": 9}
    )
    assert missing.status_code == 400 and "version" in error_of(missing)["fields"]
    assert (
        api("observer").post(f"/drafts/{draft['id']}/comments", json={"body": "x"})
    ).status_code == 403
    listed = api("observer").get(f"/drafts/{draft['id']}/comments").get_json()["items"]
    assert [c["body"] for c in listed] == ["Say **two**", "On v1"]
    only_v1 = api("observer").get(
        f"/drafts/{draft['id']}/comments", query_string={"version": 1}
    )
    assert [c["body"] for c in only_v1.get_json()["items"]] == ["On v1"]
    resolved = api("inspector").patch(
        f"/draft-comments/{made['id']}", json={"resolved": True}
    )
    assert resolved.status_code == 200 and resolved.get_json()["resolved"] is True
    assert (
        api("observer").patch(f"/draft-comments/{made['id']}", json={"resolved": False})
    ).status_code == 403
    assert (
        api("inspector").patch(
            f"/draft-comments/{made['id']}", json={"resolved": "yes"}
        )
    ).status_code == 400
    for who in REVIEWED + OUTSIDE:
        assert api(who).get(f"/drafts/{draft['id']}/comments").status_code == 404
        assert (
            api(who).patch(f"/draft-comments/{made['id']}", json={"resolved": True})
        ).status_code == 404


def test_compare_two_versions(api, world: World) -> None:
    draft = new_draft(api, world)
    version(api, draft, text="One\nTwo\nThree", text_cy="Un\nDau")
    version(api, draft, text="One\nTwo and a half\nThree", text_cy="Un\nDau")
    answer = api("audit_inspector").get(
        f"/drafts/{draft['id']}/diff", query_string={"from": 1, "to": 2}
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["from"], body["to"]) == (1, 2)
    assert "-Two\n" in body["unified"] and "+Two and a half\n" in body["unified"]
    assert " One\n" in body["unified"]
    assert body["unified_cy"] == ""  # the Welsh did not change
    for query, field in (({"from": 1}, "to"), ({"from": 1, "to": 7}, "to")):
        bad = api("inspector").get(f"/drafts/{draft['id']}/diff", query_string=query)
        assert bad.status_code == 400 and field in error_of(bad)["fields"]


def test_a_docx_version_is_compared_by_its_text(api, world: World) -> None:
    import docx

    def document(*paragraphs: str) -> bytes:
        made = docx.Document()
        for text in paragraphs:
            made.add_paragraph(text)
        buffer = io.BytesIO()
        made.save(buffer)
        return buffer.getvalue()

    draft = new_draft(api, world)
    for paragraphs in (
        ("Findings", "Leaders plan well."),
        ("Findings", "Leaders plan."),
    ):
        answer = api("inspector").post_file(
            f"/drafts/{draft['id']}/versions",
            document(*paragraphs),
            "report.docx",
            fields={"note": "From Word"},
        )
        assert answer.status_code == 201, answer.get_json()
    made = answer.get_json()
    assert made["file"]["filename"] == "report.docx" and made["note"] == "From Word"
    assert made["text"] is None
    compared = (
        api("inspector")
        .get(f"/drafts/{draft['id']}/diff", query_string={"from": 1, "to": 2})
        .get_json()
    )
    assert "-Leaders plan well." in compared["unified"]
    assert "+Leaders plan." in compared["unified"]
    content = api("inspector").get(f"/drafts/{draft['id']}/versions/2/content")
    assert content.status_code == 200
    assert content.headers["Content-Disposition"].startswith("attachment")
    assert content.data[:2] == b"PK"
    text_only = new_draft(api, world)
    version(api, text_only)
    assert (
        api("inspector").get(f"/drafts/{text_only['id']}/versions/1/content")
    ).status_code == 404


def test_a_refused_file_stores_no_version(api, world: World, store) -> None:
    draft = new_draft(api, world)
    answer = api("inspector").post_file(
        f"/drafts/{draft['id']}/versions", b"MZ\x90\x00program", "tool.exe"
    )
    assert answer.status_code == 415
    assert get(api, draft)["current_version"] is None
    assert list(store.iter_keys()) == []


def feedback_agreed(api, world: World) -> dict:
    draft = new_draft(
        api,
        world,
        kind="feedback",
        title="Feedback to ERW",
        workspace_id=str(world.ws.id),
    )
    version(api, draft, text="Early thoughts")
    version(api, draft, text="Agreed feedback")
    api("inspector").post(f"/drafts/{draft['id']}/comments", json={"body": "Internal"})
    decide(api, draft, world.estyn, "lead_officer", "approve", 2)
    decide(api, draft, world.audit, "audit_lead", "approve", 2)
    return draft


def test_feedback_is_seen_by_its_party_once_issued(api, world: World) -> None:
    draft = feedback_agreed(api, world)
    for who in REVIEWED:
        assert api(who).get(f"/drafts/{draft['id']}").status_code == 404, who
    # Only agreed feedback is issued, by an inspecting lead officer.
    assert api("inspector").post(f"/drafts/{draft['id']}/issue").status_code == 403
    press = new_draft(api, world)
    version(api, press)
    assert api("lead_officer").post(f"/drafts/{press['id']}/issue").status_code == 409
    issued = api("audit_lead").post(f"/drafts/{draft['id']}/issue")
    assert issued.status_code == 200
    body = issued.get_json()
    assert body["status"] == "issued" and body["issued_at"]
    due = date.fromisoformat(body["factual_accuracy_due"])
    assert due > date.today()
    assert api("audit_lead").post(f"/drafts/{draft['id']}/issue").status_code == 409
    for who in ("nominee", "contributor"):
        seen = api(who).get(f"/drafts/{draft['id']}")
        assert seen.status_code == 200
        assert seen.get_json()["current_version"] == 2
        assert seen.get_json()["approvals"] == []
        versions = api(who).get(f"/drafts/{draft['id']}/versions").get_json()["items"]
        assert [v["number"] for v in versions] == [2]
        assert versions[0]["text"] == "Agreed feedback"
        assert api(who).get(f"/drafts/{draft['id']}/versions/1").status_code == 404
        assert api(who).get(f"/drafts/{draft['id']}/comments").status_code == 403
        assert (
            api(who).get(f"/drafts/{draft['id']}/diff?from=1&to=2").status_code == 403
        )
        listed = api(who).get(f"/reviews/{world.review.id}/drafts").get_json()
        assert [d["id"] for d in listed["items"]] == [draft["id"]]
    for who in ("csc_nominee", "csc_contributor", *OUTSIDE):
        assert api(who).get(f"/drafts/{draft['id']}").status_code == 404, who
    # Issued feedback changes no more.
    again = api("inspector").post(f"/drafts/{draft['id']}/versions", json={"text": "x"})
    assert again.status_code == 409


def test_the_factual_accuracy_window(api, world: World) -> None:
    draft = feedback_agreed(api, world)
    url = f"/drafts/{draft['id']}/accuracy"
    assert api("nominee").post(url, json={"body": "Too early"}).status_code == 404
    api("lead_officer").post(f"/drafts/{draft['id']}/issue")
    assert api("contributor").post(url, json={"body": "x"}).status_code == 403
    assert api("inspector").post(url, json={"body": "x"}).status_code == 403
    assert api("csc_nominee").post(url, json={"body": "x"}).status_code == 404
    assert api("nominee").post(url, json={}).status_code == 400
    made = api("nominee").post(
        url, json={"body": "The figure is 12, not 21.", "quote": "21 schools"}
    )
    assert made.status_code == 201
    assert made.get_json()["quote"] == "21 schools"
    for who in ("lead_officer", "audit_inspector", "nominee", "contributor"):
        listed = api(who).get(url)
        assert listed.status_code == 200, who
        assert [c["body"] for c in listed.get_json()["items"]] == [
            "The figure is 12, not 21."
        ]
    assert api("csc_nominee").get(url).status_code == 404
    # After the window's last day (Wales time): 409.
    stored = db.session.get(Draft, uuid.UUID(draft["id"]))
    stored.factual_accuracy_due = date.today() - timedelta(days=1)
    db.session.commit()
    late = api("nominee").post(url, json={"body": "Late"})
    assert late.status_code == 409


def test_a_closed_review_takes_no_draft_changes(api, world: World) -> None:
    draft = new_draft(api, world)
    version(api, draft)
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    assert (
        api("inspector").post(f"/reviews/{world.review.id}/drafts", json={
            "kind": "other", "title": "Late"})
    ).status_code == 409  # fmt: skip
    assert (
        api("inspector").post(f"/drafts/{draft['id']}/versions", json={"text": "x"})
    ).status_code == 409
    assert (
        decide(api, draft, world.estyn, "lead_officer", "approve", 1).status_code == 409
    )
    assert (
        api("inspector").post(f"/drafts/{draft['id']}/comments", json={"body": "x"})
    ).status_code == 409
    assert get(api, draft)["current_version"] == 1


# --- publication -----------------------------------------------------------------


def agreed_draft(api, world: World, **body) -> dict:
    draft = new_draft(api, world, **body)
    version(api, draft, text="Published text")
    decide(api, draft, world.estyn, "lead_officer", "approve", 1)
    decide(api, draft, world.audit, "audit_lead", "approve", 1)
    return draft


def propose(api, world: World, who: str, publish_at: str, draft_ids: list[str]):
    return api(who).put(
        f"/reviews/{world.review.id}/publication",
        json={"publish_at": publish_at, "draft_ids": draft_ids},
    )


def test_proposing_a_publication(api, world: World) -> None:
    press = agreed_draft(api, world)
    unagreed = new_draft(api, world, title="Not yet")
    url = f"/reviews/{world.review.id}/publication"
    assert api("lead_officer").get(url).status_code == 404  # none proposed yet
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert propose(api, world, "inspector", tomorrow, [press["id"]]).status_code == 403
    for who in REVIEWED:
        assert propose(api, world, who, tomorrow, [press["id"]]).status_code == 403
        assert api(who).get(url).status_code == 403
    for publish_at, field in (
        ("2020-01-01", "publish_at"),
        ("2030-01-01T09:00:00", "publish_at"),  # no offset
        ("next week", "publish_at"),
    ):
        bad = propose(api, world, "lead_officer", publish_at, [press["id"]])
        assert bad.status_code == 400 and field in error_of(bad)["fields"], publish_at
    bad = propose(api, world, "lead_officer", tomorrow, [str(world.review.id)])
    assert bad.status_code == 400 and "draft_ids" in error_of(bad)["fields"]
    assert (
        propose(api, world, "lead_officer", tomorrow, [unagreed["id"]]).status_code
        == 409
    )
    made = propose(api, world, "lead_officer", tomorrow, [press["id"]])
    assert made.status_code == 200
    body = made.get_json()
    assert body["status"] == "proposed" and body["agreements"] == []
    assert body["draft_ids"] == [press["id"]]
    # A date alone: 00:01 Wales time that day.
    wales = datetime.fromisoformat(body["publish_at"].replace("Z", "+00:00"))
    from zoneinfo import ZoneInfo

    local = wales.astimezone(ZoneInfo("Europe/London"))
    assert (local.date().isoformat(), local.hour, local.minute) == (tomorrow, 0, 1)
    # Listed drafts change no more.
    assert (
        api("inspector").post(f"/drafts/{press['id']}/versions", json={"text": "x"})
    ).status_code == 409
    one = api("lead_officer").put(f"{url}/agreement").get_json()
    assert one["status"] == "proposed" and len(one["agreements"]) == 1
    both = api("audit_lead").put(f"{url}/agreement").get_json()
    assert both["status"] == "agreed"
    # Any change clears the agreements.
    later = (date.today() + timedelta(days=3)).isoformat()
    changed = propose(api, world, "audit_lead", later, [press["id"]]).get_json()
    assert changed["status"] == "proposed" and changed["agreements"] == []
    assert api("inspector").put(f"{url}/agreement").status_code == 403


def test_the_embargo_lifts_on_the_second(api, world: World) -> None:
    """Against the real clock: seen by no reviewed party before its time,
    by every member after it, with nothing run in between."""
    press = agreed_draft(api, world)
    publish_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    made = propose(api, world, "lead_officer", publish_at.isoformat(), [press["id"]])
    assert made.status_code == 200, made.get_json()
    url = f"/reviews/{world.review.id}/publication"
    api("lead_officer").put(f"{url}/agreement")
    agreed = api("audit_lead").put(f"{url}/agreement").get_json()
    assert agreed["status"] == "agreed"
    # Its notice is made now but neither listed, marked read nor e-mailed
    # before its time.
    from app.notifications import services as notification_services

    notices = api("contributor").get("/me/notifications").get_json()["items"]
    assert "published" not in [n["kind"] for n in notices]
    notification_services.mark_all_read(world.users["contributor"])
    assert notification_services.send_pending().sent == 0
    while datetime.now(UTC) < publish_at - timedelta(seconds=1):
        for who in REVIEWED:
            assert api(who).get(f"/drafts/{press['id']}").status_code == 404, who
        assert (
            api("nominee").get(f"/reviews/{world.review.id}").get_json()["status"]
            != "published"
        )
        time.sleep(0.2)
    while datetime.now(UTC) < publish_at + timedelta(seconds=1):
        time.sleep(0.1)
    for who in REVIEWED:
        seen = api(who).get(f"/drafts/{press['id']}")
        assert seen.status_code == 200, who
        assert seen.get_json()["status"] == "published"
        versions = api(who).get(f"/drafts/{press['id']}/versions").get_json()["items"]
        assert [v["text"] for v in versions] == ["Published text"]
    assert api("nominee").get(f"/reviews/{world.review.id}").get_json()["status"] == (
        "published"
    )
    assert api("lead_officer").get(url).get_json()["status"] == "published"
    # Notified, from then on.
    notices = api("contributor").get("/me/notifications").get_json()["items"]
    published = [n for n in notices if n["kind"] == "published"]
    assert len(published) == 1 and published[0]["read_at"] is None
    assert published[0]["subject"] == {"type": "review", "id": str(world.review.id)}
    assert notification_services.send_pending().sent >= 1
    assert (
        propose(api, world, "lead_officer", "2099-01-01", [press["id"]]).status_code
        == 409
    )


def test_a_publication_not_agreed_in_time_publishes_nothing(api, world: World) -> None:
    press = agreed_draft(api, world)
    publish_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    propose(api, world, "lead_officer", publish_at.isoformat(), [press["id"]])
    api("lead_officer").put(f"/reviews/{world.review.id}/publication/agreement")
    while datetime.now(UTC) <= publish_at:
        time.sleep(0.1)
    assert api("nominee").get(f"/drafts/{press['id']}").status_code == 404
    late = api("audit_lead").put(f"/reviews/{world.review.id}/publication/agreement")
    assert late.status_code == 409
    status = api("lead_officer").get(f"/reviews/{world.review.id}/publication")
    assert status.get_json()["status"] == "proposed"


@pytest.mark.parametrize("kind", ["feedback"])
def test_feedback_is_never_published(api, world: World, kind: str) -> None:
    draft = feedback_agreed(api, world)
    answer = propose(api, world, "lead_officer", "2099-01-01", [draft["id"]])
    assert answer.status_code == 400 and "draft_ids" in error_of(answer)["fields"]


def test_who_is_told_of_what(api, world: World) -> None:
    """A new version tells the lead officers of the bodies that may decide;
    a decision tells the draft's author; agreement tells its author and the
    lead officers; issued feedback tells the party's nominees; a
    factual-accuracy comment tells the inspecting side."""

    def kinds(who: str) -> list[str]:
        items = api(who).get("/me/notifications").get_json()["items"]
        return sorted(n["kind"] for n in items)

    report = new_draft(api, world, kind="report", title="Estyn's report")
    version(api, report)  # a body's own: only Estyn's lead officer is told
    assert kinds("lead_officer") == ["draft_version"]
    assert kinds("audit_lead") == []
    feedback = new_draft(
        api, world, kind="feedback", title="Feedback", workspace_id=str(world.ws.id)
    )
    version(api, feedback)
    assert kinds("audit_lead") == ["draft_version"]
    version(api, feedback, text="Second")  # each version tells again
    assert kinds("audit_lead") == ["draft_version", "draft_version"]
    decide(api, feedback, world.estyn, "lead_officer", "approve", 2)
    assert kinds("inspector") == ["approval"]
    decide(api, feedback, world.audit, "audit_lead", "approve", 2)
    assert kinds("inspector") == ["agreed", "approval", "approval"]
    # The lead officer whose decision agreed it is not told of it.
    assert "agreed" in kinds("lead_officer") and "agreed" not in kinds("audit_lead")
    assert kinds("nominee") == []
    api("lead_officer").post(f"/drafts/{feedback['id']}/issue")
    assert kinds("nominee") == ["issued"]
    assert kinds("contributor") == [] and kinds("csc_nominee") == []
    api("nominee").post(f"/drafts/{feedback['id']}/accuracy", json={"body": "12"})
    assert "accuracy_comment" in kinds("inspector")
    assert "accuracy_comment" in kinds("audit_lead")
    # Each links to the draft, and only while its reader may see it.
    told = api("nominee").get("/me/notifications").get_json()["items"][0]
    assert told["subject"] == {"type": "draft", "id": feedback["id"]}
