"""Evidence references, metadata and versions through the API."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.core.db import db
from support.api import error_of
from support.stored import stored_state
from support.world import World

PDFISH = b"plain text evidence\n"


def upload(api, world: World, who: str = "nominee", **fields: str):
    response = api(who).upload(world.ws.id, PDFISH, "notes.txt", fields=fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_references_are_numbered_through_the_review(world: World, api) -> None:
    first = upload(api, world)
    second = upload(api, world, "contributor")
    other = api("csc_nominee").upload(world.csc_ws.id, b"x", "x.txt").get_json()
    third = upload(api, world)
    assert [first["reference"], second["reference"]] == ["ERW-001", "ERW-002"]
    # One sequence per review, with the uploading party's letters.
    assert other["reference"] == "CSC-003"
    assert third["reference"] == "ERW-004"
    listed = api("inspector").get(f"/workspaces/{world.ws.id}/evidence").get_json()
    assert [i["reference"] for i in listed["items"]] == [
        "ERW-004",
        "ERW-002",
        "ERW-001",
    ]


def test_metadata_defaults(world: World, api) -> None:
    item = upload(api, world)
    assert item["classification"] == "OFFICIAL"
    assert item["personal_data"] is False
    assert item["effective_date"] is None
    assert item["themes"] == []
    assert item["version"] == 1
    assert item["request_id"] is None


def test_metadata_at_upload(world: World, api) -> None:
    item = upload(
        api,
        world,
        effective_date="2026-03-27",
        themes="Leadership, Safeguarding; leadership ,  Arweinyddiaeth ",
        classification="official-sensitive",
        personal_data="true",
    )
    assert item["effective_date"] == "2026-03-27"
    # Trimmed, in the order given, duplicates (ignoring case) dropped.
    assert sorted(item["themes"]) == ["Arweinyddiaeth", "Leadership", "Safeguarding"]
    assert item["classification"] == "OFFICIAL-SENSITIVE"
    assert item["personal_data"] is True
    again = api("observer").get(f"/evidence/{item['id']}").get_json()
    # The same item, but read_by_me is the caller's: null for the nominee who
    # uploaded it, false for an observer who has not opened it yet.
    assert (item.pop("read_by_me"), again.pop("read_by_me")) == (None, False)
    assert again == item


def test_classification_names_the_download(world: World, api) -> None:
    item = upload(api, world, classification="OFFICIAL-SENSITIVE")
    response = api("inspector").get(f"/evidence/{item['id']}/content")
    assert response.status_code == 200
    saved = f"{item['reference']} OFFICIAL-SENSITIVE notes.txt"
    assert (
        f"filename*=UTF-8''{quote(saved, safe='')}"
        in (response.headers["Content-Disposition"])
    )


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"effective_date": "2026-02-30"}, "effective_date"),
        ({"effective_date": "27/03/2026"}, "effective_date"),
        ({"effective_date": "1899-12-31"}, "effective_date"),
        (
            {"effective_date": (date.today() + timedelta(days=2)).isoformat()},
            "effective_date",
        ),
        ({"classification": "SECRET"}, "classification"),
        ({"personal_data": "maybe"}, "personal_data"),
        ({"themes": ",".join(f"theme {n}" for n in range(11))}, "themes"),
        ({"themes": "x" * 101}, "themes"),
        ({"themes": "bad\u202etheme"}, "themes"),
    ],
)
def test_bad_metadata_stores_nothing(
    fields: dict[str, str], bad: str, world: World, api, store
) -> None:
    before = stored_state(store)
    response = api("nominee").upload(world.ws.id, PDFISH, "n.txt", fields=fields)
    assert response.status_code == 400
    assert bad in error_of(response)["fields"]
    assert stored_state(store) == before


def test_edit_metadata(world: World, api) -> None:
    item = upload(api, world)
    response = api("contributor").patch(
        f"/evidence/{item['id']}",
        json={
            "title": "Cofnodion",
            "effective_date": "2025-09-01",
            "themes": ["Safeguarding", "Leadership"],
            "classification": "OFFICIAL-SENSITIVE",
            "personal_data": True,
        },
    )
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert changed["title"] == "Cofnodion"
    assert changed["effective_date"] == "2025-09-01"
    assert sorted(changed["themes"]) == ["Leadership", "Safeguarding"]
    assert changed["classification"] == "OFFICIAL-SENSITIVE"
    assert changed["personal_data"] is True
    assert changed["reference"] == item["reference"]
    # Only what is sent changes; null clears the date.
    cleared = api("inspector").patch(
        f"/evidence/{item['id']}", json={"effective_date": None}
    )
    assert cleared.get_json()["effective_date"] is None
    assert cleared.get_json()["classification"] == "OFFICIAL-SENSITIVE"
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "evidence.updated")
    ).all()
    assert len(events) == 2
    assert events[0].details["changes"]["classification"] == {
        "from": "OFFICIAL",
        "to": "OFFICIAL-SENSITIVE",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"classification": "TOP SECRET"},
        {"personal_data": "yes"},
        {"effective_date": "tomorrow"},
        {"effective_date": (date.today() + timedelta(days=1)).isoformat()},
        {"themes": "Leadership"},
        {"themes": ["x" * 101]},
        {"themes": [f"t{n}" for n in range(11)]},
        {"title": ""},
        {"title": "a" * 501},
        {"reference": "ERW-999"},
    ],
)
def test_bad_edits_change_nothing(body: dict, world: World, api) -> None:
    item = upload(api, world)
    response = api("nominee").patch(f"/evidence/{item['id']}", json=body)
    assert response.status_code == 400, body
    assert error_of(response)["code"] == "validation_error"
    assert api("nominee").get(f"/evidence/{item['id']}").get_json() == item


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (None, None),  # no body at all
        (b"", "application/json"),
        (b"{}", "application/json"),
        (b"[]", "application/json"),
        (b"null", "application/json"),
    ],
)
def test_an_edit_naming_no_field_is_refused(
    body: bytes | None, content_type: str | None, world: World, api
) -> None:
    item = upload(api, world)
    response = api("nominee").patch(
        f"/evidence/{item['id']}", data=body, content_type=content_type
    )
    assert response.status_code == 400, response.get_json()
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["fields"], error
    assert api("nominee").get(f"/evidence/{item['id']}").get_json() == item


@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_personal_data_takes_only_a_json_boolean(value, world: World, api) -> None:
    # 0 and 1 equal False and True in Python, so a set of accepted values
    # alone lets them through (schemathesis found PATCH {"personal_data": 0}
    # answered 200).
    item = upload(api, world)
    response = api("nominee").patch(
        f"/evidence/{item['id']}", json={"personal_data": value}
    )
    assert response.status_code == 400, response.get_json()
    assert set(error_of(response)["fields"]) == {"personal_data"}
    assert api("nominee").get(f"/evidence/{item['id']}").get_json() == item


def test_who_may_edit(world: World, api) -> None:
    item = upload(api, world)
    path = f"/evidence/{item['id']}"
    change = {"personal_data": True}
    assert api("observer").patch(path, json=change).status_code == 403
    assert api("csc_nominee").patch(path, json=change).status_code == 404
    assert api("admin").patch(path, json=change).status_code == 404
    assert api("lead_officer").patch(path, json=change).status_code == 200


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def add_version(api, item_id: str, content: bytes, who: str = "nominee", **fields):
    return api(who).post_file(
        f"/evidence/{item_id}/versions", content, "notes-v2.txt", fields=fields
    )


def test_versions_keep_every_file(world: World, api) -> None:
    item = upload(api, world)
    second = add_version(api, item["id"], b"second version\n", "contributor")
    assert second.status_code == 201, second.get_json()
    body = second.get_json()
    assert body["version"] == 2
    assert body["id"] == item["id"]
    assert body["reference"] == item["reference"]
    assert body["sha256"] == sha(b"second version\n")
    assert body["filename"] == "notes-v2.txt"
    third = add_version(api, item["id"], b"third\n", sha256=sha(b"third\n"))
    assert third.get_json()["version"] == 3

    versions = api("observer").get(f"/evidence/{item['id']}/versions").get_json()
    assert versions["next_cursor"] is None
    assert [v["version"] for v in versions["items"]] == [1, 2, 3]
    assert [v["sha256"] for v in versions["items"]] == [
        sha(PDFISH),
        sha(b"second version\n"),
        sha(b"third\n"),
    ]
    users = world.users
    assert [v["uploaded_by"] for v in versions["items"]] == [
        str(users["nominee"].id),
        str(users["contributor"].id),
        str(users["nominee"].id),
    ]
    reader = api("inspector")
    for number, content in [(1, PDFISH), (2, b"second version\n"), (3, b"third\n")]:
        got = reader.get(f"/evidence/{item['id']}/content?version={number}")
        assert got.status_code == 200
        assert got.data == content
    assert reader.get(f"/evidence/{item['id']}/content").data == b"third\n"
    paged = reader.get(f"/evidence/{item['id']}/versions?limit=2").get_json()
    assert [v["version"] for v in paged["items"]] == [1, 2]
    rest = reader.get(
        f"/evidence/{item['id']}/versions?limit=2&cursor={paged['next_cursor']}"
    ).get_json()
    assert [v["version"] for v in rest["items"]] == [3]


@pytest.mark.parametrize(("query", "status"), [("4", 404), ("0", 400), ("x", 400)])
def test_bad_version_numbers(query: str, status: int, world: World, api) -> None:
    item = upload(api, world)
    add_version(api, item["id"], b"two\n")
    response = api("inspector").get(f"/evidence/{item['id']}/content?version={query}")
    assert response.status_code == status
    error_of(response)


def test_refused_versions_store_nothing(world: World, api, store) -> None:
    item = upload(api, world)
    before = stored_state(store)
    wrong = add_version(api, item["id"], b"two\n", sha256="0" * 64)
    assert wrong.status_code == 400
    assert "sha256" in error_of(wrong)["fields"]
    empty = add_version(api, item["id"], b"two\n", sha256="")
    assert empty.status_code == 400
    assert "sha256" in error_of(empty)["fields"]
    html = api("nominee").post_file(
        f"/evidence/{item['id']}/versions", b"<html><script></script></html>", "x.html"
    )
    assert html.status_code == 415
    assert add_version(api, item["id"], b"two\n", "observer").status_code == 403
    assert add_version(api, item["id"], b"two\n", "csc_nominee").status_code == 404
    assert stored_state(store) == before
    assert api("nominee").get(f"/evidence/{item['id']}").get_json()["version"] == 1


def test_withdrawn_items_take_no_versions(world: World, api) -> None:
    item = upload(api, world)
    assert api("nominee").delete(f"/evidence/{item['id']}").status_code == 204
    assert add_version(api, item["id"], b"two\n").status_code == 404
    assert api("nominee").get(f"/evidence/{item['id']}/versions").status_code == 404


def test_a_new_version_resubmits_a_returned_request(world: World, api) -> None:
    inspector = api("inspector")
    request = inspector.post(
        f"/workspaces/{world.ws.id}/requests", json={"title": "Minutes"}
    ).get_json()
    item = upload(api, world, request_id=request["id"])
    assert item["request_id"] == request["id"]
    returned = inspector.post(
        f"/requests/{request['id']}/decision",
        json={"decision": "return", "reason": "Pages 3-4 are missing."},
    )
    assert returned.get_json()["status"] == "returned"
    assert add_version(api, item["id"], b"complete minutes\n").status_code == 201
    again = inspector.get(f"/requests/{request['id']}").get_json()
    assert again["status"] == "submitted"
    assert again["evidence_ids"] == [item["id"]]
    accepted = inspector.post(
        f"/requests/{request['id']}/decision", json={"decision": "accept"}
    )
    assert accepted.get_json()["status"] == "accepted"
    # Accepted evidence stays as it was accepted.
    late = add_version(api, item["id"], b"an afterthought\n")
    assert late.status_code == 409
    error_of(late)
    versions = inspector.get(f"/evidence/{item['id']}/versions").get_json()["items"]
    assert len(versions) == 2
