"""Scenario: two inspecting bodies jointly review four consortia."""

from __future__ import annotations

import time
from typing import Any

import pytest

from e2e_support import (
    CLAIMED,
    EVIDENCE_FIELDS,
    MEDIA_TYPES,
    Client,
    People,
    Portal,
    Review,
    assert_fields,
    assert_time,
    content_disposition_filename,
    describe,
    fixture_bytes,
    saved_name,
    sha256,
    unique,
)

pytestmark = pytest.mark.slow

CONSORTIA = ("erw", "csc", "eas", "gwe")
BODIES = ("estyn", "wao")


def check_item(item: Any, expected: dict[str, Any], what: str) -> None:
    assert_fields(item, EVIDENCE_FIELDS, what)
    for key, value in expected.items():
        assert item[key] == value, f"{what}: {key} is {item[key]!r}, not {value!r}"
    assert_time(item["uploaded_at"], f"{what}.uploaded_at")


def check_download(client: Client, item: dict[str, Any], data: bytes) -> None:
    """The content answer of an item: exact bytes and every promised header."""
    resp = client.get(f"/evidence/{item['id']}/content", expect=200)
    what = f"{client.label} downloading {item['filename']}"
    assert resp.content == data, f"{what}: bytes differ"
    media = resp.headers.get("Content-Type", "").split(";")[0].strip()
    assert media == item["media_type"], f"{what}: Content-Type {media!r}"
    assert resp.headers.get("Content-Length") == str(len(data)), what
    assert resp.headers.get("ETag") == f'"{sha256(data)}"', (
        f"{what}: ETag {resp.headers.get('ETag')!r}"
    )
    kind, filename = content_disposition_filename(
        resp.headers.get("Content-Disposition", "")
    )
    assert kind == "attachment", f"{what}: {resp.headers.get('Content-Disposition')}"
    assert filename == saved_name(item), f"{what}: filename {filename!r}"


def test_two_bodies_four_consortia(portal: Portal, people: People) -> None:
    admin = portal.admin
    # The admin creates the review; roles are set by those the contract allows:
    # the admin names lead officers and nominees, lead officers staff their
    # own body, nominees add their organisation's contributors.
    review = portal.create_review(
        unique("Improving schools through regional consortia"),
        [people.org_id(b) for b in BODIES],
        [people.org_id(c) for c in CONSORTIA],
    )
    fetched = admin.data("GET", f"/reviews/{review.id}", 200)
    assert fetched["id"] == review.id and fetched["title"] == review.body["title"]
    for body in BODIES:
        lead = people[f"{body}/lead_officer"]
        portal.set_role(admin, review.id, lead, "lead_officer")
        for role in ("inspector", "observer"):
            portal.set_role(lead.client, review.id, people[f"{body}/{role}"], role)
    for consortium in CONSORTIA:
        nominee = people[f"{consortium}/nominee"]
        portal.set_role(admin, review.id, nominee, "nominee")
        contributor = people[f"{consortium}/contributor"]
        portal.set_role(nominee.client, review.id, contributor, "contributor")

    members = people["estyn/lead_officer"].client.walk(
        f"/reviews/{review.id}/members", 200
    )
    roles = {m["user_id"]: m["role"] for m in members}
    for org in (*BODIES, *CONSORTIA):
        for person in people.of(org):
            assert roles.get(person.id) == person.key.split("/")[1], person.key

    for org in (*BODIES, *CONSORTIA):
        for person in people.of(org):
            listed = person.client.walk("/reviews", 200)
            assert review.id in {r["id"] for r in listed}, person.key
            seen = person.client.data("GET", f"/reviews/{review.id}", 200)
            assert seen["id"] == review.id

    # Every inspecting member sees all four workspaces.
    portal.load_workspaces(review, people["wao/observer"].client)
    for body in BODIES:
        for person in people.of(body):
            listed = person.client.walk(f"/reviews/{review.id}/workspaces", 200)
            assert sorted(w["organisation_id"] for w in listed) == sorted(
                people.org_id(c) for c in CONSORTIA
            ), person.key
            for workspace in listed:
                got = person.client.data("GET", f"/workspaces/{workspace['id']}", 200)
                assert got == {**got, **workspace}, person.key

    # Each consortium uploads real files into its own workspace.
    uploads = upload_consortium_files(people, review)

    # Lead officers and inspectors of BOTH bodies list and download everything;
    # observers list and read too.
    for body in BODIES:
        for role in ("lead_officer", "inspector", "observer"):
            viewer = people[f"{body}/{role}"].client
            for consortium in CONSORTIA:
                workspace = review.workspaces[people.org_id(consortium)]
                listed = viewer.walk(f"/workspaces/{workspace['id']}/evidence", 200)
                expected = uploads[consortium]
                assert sorted(i["id"] for i in listed) == sorted(expected), (
                    f"{viewer.label} listing {consortium}"
                )
                for item in listed:
                    item_id = item["id"]
                    original, data = expected[item_id]
                    # read_by_me is the caller's own: null for the consortium
                    # that uploaded it, true or false for an inspector; and
                    # text_status moves on in the background from pending.
                    assert original["read_by_me"] is None
                    assert isinstance(item["read_by_me"], bool)
                    settled = {
                        "read_by_me": None,
                        "text_status": original["text_status"],
                    }
                    assert {**item, **settled} == original, (
                        f"{viewer.label}: listed item differs"
                    )
                    got = viewer.data("GET", f"/evidence/{item_id}", 200)
                    assert {**got, **settled} == original, (
                        f"{viewer.label}: item differs"
                    )
                    # Nobody has downloaded it as this inspector yet ...
                    assert got["read_by_me"] is False, viewer.label
                    check_download(viewer, got, data)
                    # ... and now they have read it.
                    again = viewer.data("GET", f"/evidence/{item_id}", 200)
                    assert again["read_by_me"] is True, viewer.label

    # Reviewed members read their own workspace back.
    for consortium in CONSORTIA:
        for role in ("nominee", "contributor"):
            viewer = people[f"{consortium}/{role}"].client
            for item_id, (item, data) in uploads[consortium].items():
                assert viewer.data("GET", f"/evidence/{item_id}", 200) == item
                check_download(viewer, item, data)


def upload_consortium_files(
    people: People, review: Review
) -> dict[str, dict[str, tuple[dict[str, Any], bytes]]]:
    """Nominees upload a PDF and a CSV, contributors a DOCX and a PNG."""
    plan = {
        "nominee": ("report.pdf", "attendance.csv"),
        "contributor": ("minutes.docx", "chart.png"),
    }
    uploads: dict[str, dict[str, tuple[dict[str, Any], bytes]]] = {}
    for index, consortium in enumerate(CONSORTIA):
        workspace = review.workspaces[people.org_id(consortium)]
        uploads[consortium] = {}
        for role, names in plan.items():
            person = people[f"{consortium}/{role}"]
            for name in names:
                data = fixture_bytes(name)
                # One upload claims a wrong type: the content decides.
                claimed = "application/octet-stream" if index == 1 else CLAIMED[name]
                title = f"{consortium} {name} \N{LATIN SMALL LETTER W WITH CIRCUMFLEX}"
                resp = person.client.upload(
                    workspace["id"],
                    name,
                    data,
                    claimed,
                    title=title,
                    description=f"Evidence from {consortium}",
                )
                assert resp.status_code == 201, describe(resp)
                item = resp.json()
                check_item(
                    item,
                    {
                        "workspace_id": workspace["id"],
                        "title": title,
                        "description": f"Evidence from {consortium}",
                        "filename": name,
                        "media_type": MEDIA_TYPES[name],
                        "size": len(data),
                        "sha256": sha256(data),
                        "uploaded_by": person.id,
                    },
                    f"upload of {name} by {person.key}",
                )
                uploads[consortium][item["id"]] = (settled(person, item), data)
    return uploads


def settled(person: Any, item: dict[str, Any]) -> dict[str, Any]:
    """The item once its text is extracted (a thread of the server does it
    after the upload's answer): what every later read must show."""
    for _ in range(200):
        if item["text_status"] != "pending":
            return item
        time.sleep(0.1)
        item = person.client.data("GET", f"/evidence/{item['id']}", 200)
    raise AssertionError(f"{item['filename']}: text still pending after 20 s")


def test_range_requests(portal: Portal, people: People) -> None:
    review = portal.create_review(
        unique("Range review"), [people.org_id("estyn")], [people.org_id("eas")]
    )
    nominee = people["eas/nominee"]
    inspector = people["estyn/inspector"]
    portal.set_role(portal.admin, review.id, nominee, "nominee")
    portal.set_role(portal.admin, review.id, inspector, "inspector")
    portal.load_workspaces(review, inspector.client)
    data = fixture_bytes("report.pdf")
    workspace = review.workspaces[people.org_id("eas")]
    item = nominee.client.upload(
        workspace["id"], "report.pdf", data, "application/pdf", expect=201
    ).json()
    size = len(data)
    cases = {
        "bytes=0-99": (0, 99),
        "bytes=1000-4095": (1000, 4095),
        f"bytes={size - 10}-": (size - 10, size - 1),
        "bytes=-256": (size - 256, size - 1),
        f"bytes=40000-{size + 5000}": (40000, size - 1),
    }
    for client in (inspector.client, nominee.client):
        for header, (first, last) in cases.items():
            resp = client.get(
                f"/evidence/{item['id']}/content", headers={"Range": header}
            )
            what = f"{client.label} Range {header}"
            assert resp.status_code == 206, f"{what}: {describe(resp)}"
            assert resp.content == data[first : last + 1], f"{what}: wrong bytes"
            assert resp.headers.get("Content-Range") == (
                f"bytes {first}-{last}/{size}"
            ), f"{what}: Content-Range {resp.headers.get('Content-Range')!r}"
            assert resp.headers.get("Content-Length") == str(last + 1 - first), what
