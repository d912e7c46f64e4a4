"""Scenario: lists page with limit and next_cursor, in a stable order."""

from __future__ import annotations

import pytest

from e2e_support import (
    Client,
    People,
    Portal,
    assert_time,
    expect_error,
    fixture_bytes,
    staff_review,
)

pytestmark = pytest.mark.slow


def ids(client: Client, path: str, limit: int, key: str = "id") -> list[str]:
    items = client.walk(path, limit)
    found = [str(item[key]) for item in items]
    assert len(found) == len(set(found)), f"{path} limit={limit}: repeated items"
    return found


def test_evidence_newest_first_paged_and_withdrawn_left_out(
    portal: Portal, people: People
) -> None:
    review = staff_review(portal, people, "Lists", ["estyn", "wao"], ["csc"])
    workspace = review.workspaces[people.org_id("csc")]
    path = f"/workspaces/{workspace['id']}/evidence"
    # Nominees, contributors, inspecting lead officers and inspectors upload.
    uploaders = [
        people["csc/nominee"],
        people["csc/contributor"],
        people["wao/lead_officer"],
        people["estyn/inspector"],
    ]
    png = fixture_bytes("chart.png")
    uploaded = []
    for n in range(7):
        person = uploaders[n % len(uploaders)]
        # Distinct bytes each time; still a PNG.
        data = png + f"trailer {n}".encode()
        item = person.client.upload(
            workspace["id"], f"chart-{n}.png", data, "image/png", expect=201
        ).json()
        assert item["uploaded_by"] == person.id
        uploaded.append(item["id"])
    newest_first = list(reversed(uploaded))

    inspector = people["estyn/inspector"].client
    for limit in (1, 2, 3, 7, 200):
        assert ids(inspector, path, limit) == newest_first, f"limit={limit}"
    page = inspector.data("GET", path, 200)
    assert [i["id"] for i in page["items"]] == newest_first
    assert page["next_cursor"] is None
    times = [assert_time(i["uploaded_at"], "uploaded_at") for i in page["items"]]
    assert times == sorted(times, reverse=True)

    # Withdrawal: by the nominee and by an inspecting lead officer.
    contributor = people["csc/contributor"].client
    expect_error(contributor.delete(f"/evidence/{uploaded[2]}"), 403, "forbidden")
    people["csc/nominee"].client.delete(f"/evidence/{uploaded[2]}", expect=204)
    people["wao/lead_officer"].client.delete(f"/evidence/{uploaded[5]}", expect=204)
    remaining = [i for i in newest_first if i not in (uploaded[2], uploaded[5])]
    for client in (inspector, contributor, people["wao/observer"].client):
        for limit in (1, 2, 200):
            assert ids(client, path, limit) == remaining, f"{client.label} {limit}"


def test_admin_and_member_lists_walk_every_item_once(
    portal: Portal, people: People
) -> None:
    admin = portal.admin
    review = staff_review(portal, people, "Walk", ["estyn"], ["erw", "gwe"])
    expected_users = {p.id for p in people.people.values()}
    expected_orgs = {str(o["id"]) for o in people.orgs.values()}
    for path, limit, expected in (
        ("/users", 3, expected_users),
        ("/organisations", 2, expected_orgs),
        ("/reviews", 1, {review.id}),
    ):
        first = ids(admin, path, limit)
        assert expected <= set(first), f"{path}: missing items"
        assert ids(admin, path, limit) == first, f"{path}: order not stable"
        assert ids(admin, path, 200) == first, f"{path}: order depends on limit"

    lead = people["estyn/lead_officer"].client
    members = ids(lead, f"/reviews/{review.id}/members", 2, "user_id")
    staffed = [*people.of("estyn"), *people.of("erw"), *people.of("gwe")]
    assert set(members) == {p.id for p in staffed}
    assert ids(lead, f"/reviews/{review.id}/members", 200, "user_id") == members
    for client in (admin, people["estyn/observer"].client):
        listed = ids(client, f"/reviews/{review.id}/members", 3, "user_id")
        assert listed == members, client.label

    # The member sees the review in their own list; a non-member does not.
    assert review.id in ids(people["gwe/contributor"].client, "/reviews", 1)
    assert review.id not in ids(people["csc/nominee"].client, "/reviews", 1)
