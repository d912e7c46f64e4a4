"""Scenario: two bodies agree their reports, the headline messages, the
feedback to a consortium and the publication; the embargo lifts on the
second, against the server's real clock, with nothing run in between."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from e2e_support import People, Portal, staff_review

pytestmark = pytest.mark.slow


def test_two_bodies_agree_and_publish(portal: Portal, people: People) -> None:
    review = staff_review(
        portal, people, "Regional consortia", ["estyn", "wao"], ["erw", "csc"]
    )
    estyn_lead = people["estyn/lead_officer"].client
    estyn = people["estyn/inspector"].client
    wao_lead = people["wao/lead_officer"].client
    wao = people["wao/inspector"].client
    erw_nominee = people["erw/nominee"].client
    erw_contributor = people["erw/contributor"].client
    csc_nominee = people["csc/nominee"].client
    estyn_id = people.org_id("estyn")
    wao_id = people.org_id("wao")

    def decide(client, draft, org, decision, version) -> dict:
        return client.data(
            "PUT",
            f"/drafts/{draft['id']}/approvals/{org}",
            200,
            json={"decision": decision, "version": version},
        )

    # Estyn's report: its own until shared.
    report = estyn.data(
        "POST",
        f"/reviews/{review.id}/drafts",
        201,
        json={"kind": "report", "title": "Estyn's report"},
    )
    assert report["scope"] == "body"
    for number, text in enumerate(("Leaders plan well.", "Leaders plan well.\n"
                                   "Governance is developing."), start=1):  # fmt: skip
        made = estyn.data(
            "POST", f"/drafts/{report['id']}/versions", 201, json={"text": text}
        )
        assert made["number"] == number
    wao.get(f"/drafts/{report['id']}", expect=404)
    estyn_lead.data("PATCH", f"/drafts/{report['id']}", 200, json={"scope": "joint"})
    comment = wao.data(
        "POST",
        f"/drafts/{report['id']}/comments",
        201,
        json={"body": "Say what committees should change.", "quote": "developing"},
    )
    assert comment["organisation_id"] == wao_id and comment["version"] == 2
    compared = wao.data("GET", f"/drafts/{report['id']}/diff?from=1&to=2", 200)
    assert "+Governance is developing." in compared["unified"]
    decide(estyn_lead, report, estyn_id, "approve", 2)
    held = decide(wao_lead, report, wao_id, "changes_requested", 2)
    assert held["status"] == "drafting"
    # Another body's lead officer never decides for Estyn.
    wao_lead.put(
        f"/drafts/{report['id']}/approvals/{estyn_id}",
        json={"decision": "approve", "version": 2},
        expect=403,
    )
    estyn.data(
        "POST",
        f"/drafts/{report['id']}/versions",
        201,
        json={"text": "Leaders plan well.\nCommittees should meet termly."},
    )
    cleared = estyn.data("GET", f"/drafts/{report['id']}", 200)
    assert [a["decision"] for a in cleared["approvals"]] == [None, None]
    decide(estyn_lead, report, estyn_id, "approve", 3)
    agreed = decide(wao_lead, report, wao_id, "no_objection", 3)
    assert agreed["status"] == "agreed"

    # The joint press release needs both approvals.
    press = estyn.data(
        "POST",
        f"/reviews/{review.id}/drafts",
        201,
        json={"kind": "press_release", "title": "Joint press release"},
    )
    estyn.data("POST", f"/drafts/{press['id']}/versions", 201, json={"text": "News"})
    assert decide(wao_lead, press, wao_id, "no_objection", 1)["status"] == "drafting"
    decide(wao_lead, press, wao_id, "approve", 1)
    assert decide(estyn_lead, press, estyn_id, "approve", 1)["status"] == "agreed"

    # Feedback to ERW: its party sees the issued version only, once issued.
    erw_ws = review.workspaces[people.org_id("erw")]["id"]
    feedback = wao.data(
        "POST",
        f"/reviews/{review.id}/drafts",
        201,
        json={"kind": "feedback", "title": "Feedback", "workspace_id": erw_ws},
    )
    for text in ("First thoughts", "Agreed feedback on 21 schools"):
        wao.data("POST", f"/drafts/{feedback['id']}/versions", 201, json={"text": text})
    decide(estyn_lead, feedback, estyn_id, "approve", 2)
    decide(wao_lead, feedback, wao_id, "approve", 2)
    erw_nominee.get(f"/drafts/{feedback['id']}", expect=404)
    issued = wao_lead.data("POST", f"/drafts/{feedback['id']}/issue", 200)
    assert issued["status"] == "issued" and issued["factual_accuracy_due"]
    seen = erw_nominee.data("GET", f"/drafts/{feedback['id']}/versions", 200)
    assert [v["text"] for v in seen["items"]] == ["Agreed feedback on 21 schools"]
    csc_nominee.get(f"/drafts/{feedback['id']}", expect=404)
    erw_contributor.post(
        f"/drafts/{feedback['id']}/accuracy", json={"body": "x"}, expect=403
    )
    erw_nominee.data(
        "POST",
        f"/drafts/{feedback['id']}/accuracy",
        201,
        json={"body": "It was 12 schools.", "quote": "21 schools"},
    )
    accuracy = estyn.data("GET", f"/drafts/{feedback['id']}/accuracy", 200)
    assert [c["body"] for c in accuracy["items"]] == ["It was 12 schools."]

    # A headline message agreed by both; a change of its text clears it.
    message = estyn.data(
        "POST", f"/reviews/{review.id}/messages", 201, json={"text": "Leaders lead."}
    )
    estyn_lead.data("PUT", f"/messages/{message['id']}/agreement", 200)
    both = wao_lead.data("PUT", f"/messages/{message['id']}/agreement", 200)
    assert both["status"] == "agreed"
    edited = wao.data(
        "PATCH", f"/messages/{message['id']}", 200, json={"text": "Leaders lead well."}
    )
    assert edited["status"] == "proposed" and edited["agreements"] == []
    erw_nominee.get(f"/messages/{message['id']}", expect=404)

    # The publication, a few seconds ahead; both bodies agree it.
    publish_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    proposal = estyn_lead.data(
        "PUT",
        f"/reviews/{review.id}/publication",
        200,
        json={
            "publish_at": publish_at.isoformat(),
            "draft_ids": [report["id"], press["id"]],
        },
    )
    assert proposal["status"] == "proposed"
    estyn_lead.data("PUT", f"/reviews/{review.id}/publication/agreement", 200)
    agreed = wao_lead.data("PUT", f"/reviews/{review.id}/publication/agreement", 200)
    assert agreed["status"] == "agreed"
    readers = [erw_nominee, erw_contributor, csc_nominee]
    while datetime.now(UTC) < publish_at - timedelta(seconds=1):
        for reader in readers:
            reader.get(f"/drafts/{report['id']}", expect=404)
            reader.get(f"/drafts/{press['id']}", expect=404)
        status = csc_nominee.data("GET", f"/reviews/{review.id}", 200)["status"]
        assert status != "published"
        time.sleep(0.25)
    while datetime.now(UTC) < publish_at + timedelta(seconds=1):
        time.sleep(0.1)
    for reader in readers:
        for draft in (report, press):
            got = reader.data("GET", f"/drafts/{draft['id']}", 200)
            assert got["status"] == "published"
        versions = reader.data("GET", f"/drafts/{report['id']}/versions", 200)
        assert [v["number"] for v in versions["items"]] == [3]
        reader.get(f"/drafts/{report['id']}/comments", expect=403)
    assert csc_nominee.data("GET", f"/reviews/{review.id}", 200)["status"] == (
        "published"
    )
    assert estyn.data("GET", f"/reviews/{review.id}/publication", 200)["status"] == (
        "published"
    )
    # ERW's feedback is never published: the other consortium still sees nothing.
    csc_nominee.get(f"/drafts/{feedback['id']}", expect=404)
    notified = erw_contributor.data("GET", "/me/notifications", 200)["items"]
    assert "published" in [n["kind"] for n in notified]
