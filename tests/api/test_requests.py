"""Request lists: the inspectors ask, the reviewed party answers with
evidence, the inspectors accept it or return it with a reason."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.db import db
from app.intake.models import EvidenceRequest
from app.reviews.models import ReviewStatus
from support.api import error_of
from support.world import World
from tests.api.test_nothing_lost import counts


def ask(api, world: World, who: str = "inspector", ws=None, **fields):
    body = {"title": "Business plan 2025-26", **fields}
    response = api(who).post(f"/workspaces/{(ws or world.ws).id}/requests", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def answer(api, world: World, request_id: str, who: str = "nominee", ws=None):
    return api(who).upload(
        (ws or world.ws).id,
        b"Our business plan.",
        "plan.txt",
        fields={"request_id": request_id},
    )


def decide(
    api, request_id: str, decision: str, reason: str | None = None, who="lead_officer"
):
    body = {"decision": decision}
    if reason is not None:
        body["reason"] = reason
    return api(who).post(f"/requests/{request_id}/decision", json=body)


def test_a_request_has_the_contract_fields(world: World, api) -> None:
    made = ask(
        api,
        world,
        title_cy="Cynllun busnes 2025-26",
        description="The plan the board approved.",
        theme="Leadership and management",
        due_date="2026-12-18",
    )
    assert set(made) >= {
        "id",
        "ref",
        "title",
        "title_cy",
        "description",
        "theme",
        "due_date",
        "status",
        "evidence_ids",
    }
    assert made["ref"] == "R-001"
    assert made["title"] == "Business plan 2025-26"
    assert made["title_cy"] == "Cynllun busnes 2025-26"
    assert made["theme"] == "Leadership and management"
    assert made["due_date"] == "2026-12-18"
    assert made["status"] == "open"
    assert made["evidence_ids"] == []
    fetched = api("contributor").get(f"/requests/{made['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json() == made


def test_references_count_up_in_each_workspace(world: World, api) -> None:
    refs = [ask(api, world, title=f"Item {n}")["ref"] for n in range(1, 4)]
    assert refs == ["R-001", "R-002", "R-003"]
    assert ask(api, world, ws=world.csc_ws)["ref"] == "R-001"
    listed = api("contributor").get(f"/workspaces/{world.ws.id}/requests").get_json()
    assert [r["ref"] for r in listed["items"]] == refs
    assert [r["title"] for r in listed["items"]] == ["Item 1", "Item 2", "Item 3"]


def test_the_list_pages_in_reference_order(world: World, api) -> None:
    for n in range(5):
        ask(api, world, title=f"Item {n}")
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            api("nominee")
            .get(f"/workspaces/{world.ws.id}/requests", query_string=query)
            .get_json()
        )
        seen += [r["ref"] for r in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert seen == ["R-001", "R-002", "R-003", "R-004", "R-005"]


def test_the_whole_cycle(world: World, api) -> None:
    request = ask(api, world)
    first = answer(api, world, request["id"])
    assert first.status_code == 201
    submitted = api("inspector").get(f"/requests/{request['id']}").get_json()
    assert submitted["status"] == "submitted"
    assert submitted["evidence_ids"] == [first.get_json()["id"]]

    # A return needs a reason.
    refused = decide(api, request["id"], "return")
    assert refused.status_code == 400
    assert "reason" in error_of(refused)["fields"]
    returned = decide(api, request["id"], "return", "This is the 2024 plan.")
    assert returned.status_code == 200
    assert returned.get_json()["status"] == "returned"
    assert returned.get_json()["return_reason"] == "This is the 2024 plan."
    # Returned: it waits for evidence again, and cannot be accepted yet.
    assert decide(api, request["id"], "accept").status_code == 409

    second = answer(api, world, request["id"], who="contributor")
    assert second.status_code == 201
    again = api("nominee").get(f"/requests/{request['id']}").get_json()
    assert again["status"] == "submitted"
    assert again["evidence_ids"] == [first.get_json()["id"], second.get_json()["id"]]

    accepted = decide(api, request["id"], "accept", who="audit_inspector")
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "accepted"
    # Accepted is final: no more decisions, no more evidence.
    for decision in ("accept", "return", "withdraw"):
        late = decide(api, request["id"], decision, "late")
        assert late.status_code == 409, decision
        assert error_of(late)["code"] == "conflict"
    before = counts()
    refused_upload = answer(api, world, request["id"])
    assert refused_upload.status_code == 409
    assert "R-001" in error_of(refused_upload)["message"]
    assert counts() == before


def test_an_open_request_cannot_be_decided_but_can_be_withdrawn(
    world: World, api
) -> None:
    request = ask(api, world)
    assert decide(api, request["id"], "accept").status_code == 409
    assert decide(api, request["id"], "return", "why").status_code == 409
    withdrawn = decide(api, request["id"], "withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["status"] == "withdrawn"
    before = counts()
    assert answer(api, world, request["id"]).status_code == 409
    assert counts() == before


def test_an_upload_naming_a_request_it_cannot_answer_stores_nothing(
    world: World, api, store
) -> None:
    other = ask(api, world, ws=world.csc_ws)
    blobs_before = sorted(store.iter_keys())
    for bad in (other["id"], "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = answer(api, world, bad)
        assert response.status_code == 400, bad
        assert "request_id" in error_of(response)["fields"]
    assert counts() == (0, 0)
    assert sorted(store.iter_keys()) == blobs_before
    # The other workspace's request is untouched.
    untouched = api("csc_nominee").get(f"/requests/{other['id']}").get_json()
    assert untouched["status"] == "open"


def test_another_reviewed_party_cannot_see_a_request(world: World, api) -> None:
    request = ask(api, world)
    for who in ("csc_nominee", "csc_contributor", "non_member", "admin"):
        response = api(who).get(f"/requests/{request['id']}")
        assert response.status_code == 404, who
        assert error_of(response)["code"] == "not_found"
        assert (
            api(who)
            .post(f"/requests/{request['id']}/decision", json={"decision": "withdraw"})
            .status_code
            == 404
        )
    listed = api("csc_nominee").get(f"/workspaces/{world.csc_ws.id}/requests")
    assert listed.get_json()["items"] == []


def test_one_list_to_every_workspace(world: World, api) -> None:
    ask(api, world, title="Already asked of ERW")
    response = api("lead_officer").post(
        f"/reviews/{world.review.id}/requests",
        json={
            "requests": [
                {"title": "Self-evaluation report", "due_date": "2026-12-01"},
                {"title": "Governance minutes", "title_cy": "Cofnodion llywodraethu"},
            ]
        },
    )
    assert response.status_code == 201
    items = response.get_json()["items"]
    assert len(items) == 4  # two requests x two workspaces
    by_workspace: dict[str, list[tuple[str, str]]] = {}
    for item in items:
        by_workspace.setdefault(item["workspace_id"], []).append(
            (item["ref"], item["title"])
        )
    assert by_workspace[str(world.ws.id)] == [
        ("R-002", "Self-evaluation report"),
        ("R-003", "Governance minutes"),
    ]
    assert by_workspace[str(world.csc_ws.id)] == [
        ("R-001", "Self-evaluation report"),
        ("R-002", "Governance minutes"),
    ]
    # Each workspace's copy is its own: answering ERW's leaves CSC's open.
    erw_copy = next(
        i
        for i in items
        if i["workspace_id"] == str(world.ws.id) and i["ref"] == "R-002"
    )
    assert answer(api, world, erw_copy["id"]).status_code == 201
    csc_list = api("csc_nominee").get(f"/workspaces/{world.csc_ws.id}/requests")
    assert {r["status"] for r in csc_list.get_json()["items"]} == {"open"}


def test_a_bad_list_creates_nothing(world: World, api) -> None:
    response = api("inspector").post(
        f"/reviews/{world.review.id}/requests",
        json={"requests": [{"title": "Fine"}, {"title": ""}]},
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_error"
    total = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceRequest))
    assert total == 0
    assert (
        api("inspector")
        .post(f"/reviews/{world.review.id}/requests", json={"requests": []})
        .status_code
        == 400
    )


def test_bad_input_is_refused_clearly(world: World, api) -> None:
    url = f"/workspaces/{world.ws.id}/requests"
    cases = [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"title": 7}, "title"),
        ({"title": "ok", "due_date": "18/12/2026"}, "due_date"),
        ({"title": "ok", "due_date": 20261218}, "due_date"),
        ({"title": "ok", "theme": ["a"]}, "theme"),
        ({"title": "bad\u202etitle"}, "title"),
    ]
    for body, field in cases:
        response = api("inspector").post(url, json=body)
        assert response.status_code == 400, body
        assert field in error_of(response)["fields"], (body, response.get_json())
    not_json = api("inspector").post(url, data="{", content_type="application/json")
    assert not_json.status_code == 400
    request = ask(api, world)
    for body in ({}, {"decision": "approve"}, {"decision": "return", "reason": 5}):
        response = api("inspector").post(
            f"/requests/{request['id']}/decision", json=body
        )
        assert response.status_code == 400, body
    assert api("inspector").get("/requests/not-a-uuid").status_code == 404
    total = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceRequest))
    assert total == 1


def test_a_closed_review_takes_no_requests(world: World, api) -> None:
    request = ask(api, world)
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    assert (
        api("inspector")
        .post(f"/workspaces/{world.ws.id}/requests", json={"title": "Late"})
        .status_code
        == 409
    )
    assert decide(api, request["id"], "withdraw").status_code == 409


def test_the_nominee_shares_requests_out(world: World, api) -> None:
    request = ask(api, world)
    contributor = str(world.users["contributor"].id)
    nominee = str(world.users["nominee"].id)
    url = f"/requests/{request['id']}/assignees"
    given = api("nominee").put(url, json={"user_ids": [contributor, nominee]})
    assert given.status_code == 200
    assert sorted(given.get_json()["assignee_ids"]) == sorted([contributor, nominee])
    seen = api("contributor").get(f"/requests/{request['id']}").get_json()
    assert sorted(seen["assignee_ids"]) == sorted([contributor, nominee])
    # Replaced, not added to; an empty list unassigns.
    again = api("inspector").put(url, json={"user_ids": [contributor]})
    assert again.get_json()["assignee_ids"] == [contributor]
    assert (
        api("nominee").put(url, json={"user_ids": []}).get_json()["assignee_ids"] == []
    )


def test_only_the_workspaces_own_people_can_be_given_a_request(
    world: World, api
) -> None:
    request = ask(api, world)
    url = f"/requests/{request['id']}/assignees"
    for who in ("csc_contributor", "inspector", "erw_spare", "non_member"):
        # Another consortium, the inspecting side, someone of ERW who is not
        # a member of the review, an outsider.
        response = api("nominee").put(
            url, json={"user_ids": [str(world.users[who].id)]}
        )
        assert response.status_code == 400, who
        assert "user_ids" in error_of(response)["fields"]
    for body in ({}, {"user_ids": "x"}, {"user_ids": ["not-a-uuid"]}):
        assert api("nominee").put(url, json=body).status_code == 400, body
    assert (
        api("nominee").get(f"/requests/{request['id']}").get_json()["assignee_ids"]
        == []
    )


def test_a_member_who_leaves_the_review_leaves_its_requests(world: World, api) -> None:
    request = ask(api, world)
    contributor = world.users["contributor"]
    url = f"/requests/{request['id']}/assignees"
    api("nominee").put(url, json={"user_ids": [str(contributor.id)]})
    removed = api("nominee").delete(
        f"/reviews/{world.review.id}/members/{contributor.id}"
    )
    assert removed.status_code == 204
    after = api("nominee").get(f"/requests/{request['id']}").get_json()
    assert after["assignee_ids"] == []


def test_a_finished_request_is_not_shared_out(world: World, api) -> None:
    request = ask(api, world)
    decide(api, request["id"], "withdraw")
    response = api("nominee").put(
        f"/requests/{request['id']}/assignees",
        json={"user_ids": [str(world.users["contributor"].id)]},
    )
    assert response.status_code == 409
