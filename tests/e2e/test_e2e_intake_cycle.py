"""The whole request cycle over HTTP, written only from the issue and the API
contract: ask, assign, upload, return with a reason, upload a new version,
accept; for four workspaces at once, against gunicorn with two workers."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from e2e_support import (
    People,
    Portal,
    assert_fields,
    expect_error,
    fixture_bytes,
    sha256,
    staff_review,
)

pytestmark = pytest.mark.slow

REQUEST_FIELDS = {
    "id", "ref", "title", "title_cy", "description", "theme", "due_date",
    "status", "evidence_ids",
}  # fmt: skip
PARTIES = ["erw", "csc", "eas", "gwe"]


def test_request_cycle_in_every_workspace_at_once(
    portal: Portal, people: People
) -> None:
    review = staff_review(portal, people, "Intake cycle", ["estyn", "wao"], PARTIES)
    estyn = people["estyn/inspector"].client
    wao = people["wao/inspector"].client
    lead = people["wao/lead_officer"].client
    first = fixture_bytes("report.pdf")
    second = fixture_bytes("minutes.docx")

    def cycle(party: str) -> dict:
        workspace = review.workspaces[people.org_id(party)]
        nominee = people[f"{party}/nominee"].client
        contributor = people[f"{party}/contributor"]

        asked = estyn.data(
            "POST",
            f"/workspaces/{workspace['id']}/requests",
            201,
            json={
                "title": "Minutes of the board, 2025-26",
                "title_cy": "Cofnodion y bwrdd, 2025-26",
                "theme": "Leadership",
                "due_date": "2027-01-15",
            },
        )
        assert_fields(asked, REQUEST_FIELDS, "request")
        assert asked["status"] == "open" and asked["ref"] == "R-001"

        assigned = nominee.data(
            "PUT",
            f"/requests/{asked['id']}/assignees",
            200,
            json={"user_ids": [contributor.id]},
        )
        assert assigned["status"] == "open"

        item = contributor.client.upload(
            workspace["id"],
            "minutes.pdf",
            first,
            fields={"request_id": asked["id"], "classification": "OFFICIAL-SENSITIVE"},
            expect=201,
        ).json()
        assert re.fullmatch(r"[A-Z0-9]+-\d{3}", item["reference"]), item
        assert item["version"] == 1
        assert item["classification"] == "OFFICIAL-SENSITIVE"
        submitted = wao.data("GET", f"/requests/{asked['id']}", 200)
        assert submitted["status"] == "submitted"
        assert submitted["evidence_ids"] == [item["id"]]

        no_reason = wao.post(
            f"/requests/{asked['id']}/decision", json={"decision": "return"}
        )
        expect_error(no_reason, 400, "validation_error")
        returned = wao.data(
            "POST",
            f"/requests/{asked['id']}/decision",
            200,
            json={"decision": "return", "reason": "The signed copy, please."},
        )
        assert returned["status"] == "returned"

        version = contributor.client.data(
            "POST",
            f"/evidence/{item['id']}/versions",
            201,
            files={"file": ("minutes-signed.docx", second, "application/octet-stream")},
            data={"sha256": sha256(second)},
        )
        assert version["version"] == 2 and version["id"] == item["id"]
        assert version["reference"] == item["reference"]
        assert wao.data("GET", f"/requests/{asked['id']}", 200)["status"] == (
            "submitted"
        )

        accepted = lead.data(
            "POST",
            f"/requests/{asked['id']}/decision",
            200,
            json={"decision": "accept"},
        )
        assert accepted["status"] == "accepted"
        assert accepted["evidence_ids"] == [item["id"]]
        # Accepted evidence no longer changes.
        late = contributor.client.post(
            f"/evidence/{item['id']}/versions",
            files={"file": ("late.pdf", first, "application/octet-stream")},
        )
        expect_error(late, 409, "conflict")
        return item

    with ThreadPoolExecutor(max_workers=len(PARTIES)) as pool:
        items = list(pool.map(cycle, PARTIES))

    # References are unique in the review.
    assert len({item["reference"] for item in items}) == len(PARTIES)
    # Versions intact: both files, byte for byte, with their checksums and
    # uploaders, as any member of the review can read them.
    reader = people["estyn/observer"].client
    for party, item in zip(PARTIES, items, strict=True):
        versions = reader.walk(f"/evidence/{item['id']}/versions", limit=1)
        assert [v["version"] for v in versions] == [1, 2]
        assert [v["sha256"] for v in versions] == [sha256(first), sha256(second)]
        uploader = people[f"{party}/contributor"].id
        assert {v["uploaded_by"] for v in versions} == {uploader}
        for number, content in [(1, first), (2, second)]:
            got = reader.get(
                f"/evidence/{item['id']}/content?version={number}", expect=200
            )
            assert got.content == content
        current = reader.get(f"/evidence/{item['id']}/content", expect=200)
        assert current.content == second
        # Another party sees none of it.
        other = PARTIES[(PARTIES.index(party) + 1) % len(PARTIES)]
        outsider = people[f"{other}/nominee"].client
        expect_error(outsider.get(f"/evidence/{item['id']}/versions"), 404, "not_found")
