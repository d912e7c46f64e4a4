"""Scenario: every refusal answers with the contract's status and error body."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from e2e_support import (
    CLAIMED,
    PASSWORD,
    People,
    Portal,
    Review,
    content_disposition_filename,
    describe,
    expect_error,
    fixture_bytes,
    saved_name,
    sha256,
    staff_review,
    unique,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def review(portal: Portal, people: People) -> Review:
    return staff_review(portal, people, "Refusals", ["estyn", "wao"], ["erw", "csc"])


@pytest.fixture(scope="module")
def item(people: People, review: Review) -> dict[str, Any]:
    workspace = review.workspaces[people.org_id("erw")]
    resp = people["erw/contributor"].client.upload(
        workspace["id"], "report.pdf", fixture_bytes("report.pdf"), expect=201
    )
    return dict(resp.json())


def erw_workspace(people: People, review: Review) -> str:
    return str(review.workspaces[people.org_id("erw")]["id"])


def test_401_without_or_with_a_bad_token(
    portal: Portal, review: Review, item: dict[str, Any]
) -> None:
    paths = [
        ("GET", "/me"),
        ("GET", "/reviews"),
        ("GET", f"/reviews/{review.id}"),
        ("GET", f"/evidence/{item['id']}"),
        ("GET", f"/evidence/{item['id']}/content"),
        ("DELETE", f"/evidence/{item['id']}"),
        ("POST", "/organisations"),
        ("DELETE", "/auth/token"),
    ]
    bad = [
        None,
        "Bearer not-a-token-the-server-issued",
        "Bearer",
        f"Basic {portal.admin.token}",
    ]
    for authorization in bad:
        headers = {} if authorization is None else {"Authorization": authorization}
        for method, path in paths:
            resp = portal.anonymous.request(method, path, headers=headers)
            expect_error(resp, 401, "unauthenticated")


def test_401_bad_credentials_same_for_unknown_email(
    portal: Portal, people: People
) -> None:
    anonymous = portal.anonymous
    wrong = anonymous.post(
        "/auth/token",
        json={"email": people["erw/nominee"].email, "password": PASSWORD + "x"},
    )
    unknown = anonymous.post(
        "/auth/token",
        json={"email": f"{uuid.uuid4().hex}@example.org", "password": PASSWORD},
    )
    expect_error(wrong, 401, "unauthenticated")
    expect_error(unknown, 401, "unauthenticated")
    assert wrong.json() == unknown.json()


def test_403_may_see_but_not_act(
    portal: Portal, people: People, review: Review, item: dict[str, Any]
) -> None:
    erw = erw_workspace(people, review)
    contributor = people["erw/contributor"].client
    nominee = people["erw/nominee"].client
    estyn_lead = people["estyn/lead_officer"].client
    cases = [
        (contributor, "DELETE", f"/evidence/{item['id']}", None),
        (nominee, "GET", f"/reviews/{review.id}/members", None),
        (contributor, "GET", f"/reviews/{review.id}/members", None),
        (
            estyn_lead,
            "PUT",
            f"/reviews/{review.id}/members/{people['wao/inspector'].id}",
            {"role": "observer"},
        ),
        (
            estyn_lead,
            "DELETE",
            f"/reviews/{review.id}/members/{people['wao/inspector'].id}",
            None,
        ),
        (
            estyn_lead,
            "PUT",
            f"/reviews/{review.id}/members/{people['erw/contributor'].id}",
            {"role": "nominee"},
        ),
        (people["estyn/inspector"].client, "DELETE", f"/evidence/{item['id']}", None),
        (people["wao/observer"].client, "DELETE", f"/evidence/{item['id']}", None),
        # Administration is for system administrators only.
        (nominee, "GET", "/organisations", None),
        (estyn_lead, "GET", "/users", None),
        (
            estyn_lead,
            "POST",
            "/organisations",
            {"slug": unique("x"), "name": "X", "kind": "other"},
        ),
        (
            estyn_lead,
            "POST",
            "/reviews",
            {"title": "X", "inspecting": [], "reviewed": []},
        ),
    ]
    for client, method, path, body in cases:
        resp = client.request(method, path, json=body)
        expect_error(resp, 403, "forbidden")
    # An observer may read the workspace but not upload to it.
    resp = people["wao/observer"].client.upload(
        erw, "chart.png", fixture_bytes("chart.png")
    )
    expect_error(resp, 403, "forbidden")
    # Nothing was withdrawn by the refused attempts.
    nominee.get(f"/evidence/{item['id']}", expect=200)


def test_404_absent_things(portal: Portal, people: People, review: Review) -> None:
    absent = str(uuid.uuid4())
    inspector = people["estyn/inspector"].client
    for client in (portal.admin, inspector):
        for method, path in (
            ("GET", f"/reviews/{absent}"),
            ("GET", f"/reviews/{absent}/members"),
            ("GET", f"/reviews/{absent}/workspaces"),
            ("GET", f"/workspaces/{absent}"),
            ("GET", f"/workspaces/{absent}/evidence"),
            ("GET", f"/evidence/{absent}"),
            ("GET", f"/evidence/{absent}/content"),
            ("DELETE", f"/evidence/{absent}"),
            ("GET", "/no-such-endpoint"),
        ):
            expect_error(client.request(method, path), 404, "not_found")
        # An unsupported method: whatever the status, nosniff (checked by
        # the client on every response).
        client.request("PATCH", "/me")
        resp = client.upload(absent, "chart.png", fixture_bytes("chart.png"))
        expect_error(resp, 404, "not_found")
    # A review the caller is no member of does not exist for them.
    other = portal.create_review(
        unique("Unseen"), [people.org_id("wao")], [people.org_id("gwe")]
    )
    for key in ("estyn/inspector", "erw/nominee", "outsider/inspector", "gwe/nominee"):
        expect_error(people[key].client.get(f"/reviews/{other.id}"), 404, "not_found")


def test_409_duplicate_slug_and_email(portal: Portal, people: People) -> None:
    admin = portal.admin
    slug = people.orgs["csc"]["slug"]
    resp = admin.post(
        "/organisations", json={"slug": slug, "name": "Again", "kind": "consortium"}
    )
    expect_error(resp, 409, "conflict")
    resp = admin.post(
        "/users",
        json={
            "email": people["csc/nominee"].email,
            "name": "Again",
            "organisation_id": people.org_id("csc"),
            "password": PASSWORD,
        },
    )
    expect_error(resp, 409, "conflict")


def test_400_malformed_and_invalid_json(
    portal: Portal, people: People, review: Review
) -> None:
    admin = portal.admin
    json_header = {"Content-Type": "application/json"}
    member_path = f"/reviews/{review.id}/members/{people['estyn/observer'].id}"
    for method, path in (
        ("POST", "/organisations"),
        ("POST", "/users"),
        ("POST", "/reviews"),
        ("PUT", member_path),
        ("POST", "/auth/token"),
    ):
        for raw in ('{"slug": ', "not json", "[1, 2]"):
            resp = admin.request(method, path, data=raw, headers=json_header)
            expect_error(resp, 400, "validation_error")

    estyn, erw = people.org_id("estyn"), people.org_id("erw")
    cases = [
        ("/organisations", {"slug": 123, "name": "X", "kind": "other"}, ["slug"]),
        (
            "/organisations",
            {"slug": unique("x"), "name": ["X"], "kind": "other"},
            ["name"],
        ),
        (
            "/organisations",
            {"slug": unique("x"), "name": "X", "kind": "club"},
            ["kind"],
        ),
        ("/organisations", {"name": "X", "kind": "other"}, ["slug"]),
        (
            "/users",
            {
                "email": f"{unique('weak')}@example.org",
                "name": "Weak",
                "organisation_id": erw,
                "password": "password",
            },
            ["password"],
        ),
        (
            "/users",
            {
                "email": 42,
                "name": "X",
                "organisation_id": erw,
                "password": PASSWORD,
            },
            ["email"],
        ),
        (
            "/reviews",
            {"title": "x" * 501, "inspecting": [estyn], "reviewed": [erw]},
            ["title"],
        ),
        ("/reviews", {"title": 7, "inspecting": [estyn], "reviewed": [erw]}, ["title"]),
        (
            "/users",
            {
                "email": f"{unique('fr')}@example.org",
                "name": "X",
                "organisation_id": erw,
                "password": PASSWORD,
                "locale": "fr",
            },
            ["locale"],
        ),
        (
            "/reviews",
            {"title": "X", "inspecting": estyn, "reviewed": [erw]},
            ["inspecting"],
        ),
    ]
    absent = str(uuid.uuid4())
    cases += [
        (
            "/reviews",
            {
                "title": "X",
                "title_cy": "y" * 501,
                "inspecting": [estyn],
                "reviewed": [erw],
            },
            ["title_cy"],
        ),
        (
            "/reviews",
            {"title": "X", "inspecting": [estyn], "reviewed": [absent]},
            ["reviewed"],
        ),
        (
            "/users",
            {
                "email": f"{unique('lost')}@example.org",
                "name": "X",
                "organisation_id": absent,
                "password": PASSWORD,
            },
            ["organisation_id"],
        ),
        (
            "/users",
            {
                "email": "not-an-email",
                "name": "X",
                "organisation_id": erw,
                "password": PASSWORD,
            },
            ["email"],
        ),
    ]
    for path, body, fields in cases:
        expect_error(admin.post(path, json=body), 400, "validation_error", fields)
    # A 500-character title is fine.
    portal.create_review("x" * 500, [estyn], [erw])
    resp = admin.put(member_path, json={"role": 5})
    expect_error(resp, 400, "validation_error", ["role"])
    resp = admin.put(member_path, json={"role": "nominee"})
    expect_error(resp, 400, "validation_error", some_field=True)
    resp = admin.put(
        f"/reviews/{review.id}/members/{people['erw/contributor'].id}",
        json={"role": "inspector"},
    )
    expect_error(resp, 400, "validation_error", some_field=True)
    # A member whose organisation is not a party to the review.
    resp = admin.put(
        f"/reviews/{review.id}/members/{people['outsider/inspector'].id}",
        json={"role": "inspector"},
    )
    expect_error(resp, 400, "validation_error", ["user_id"])


def test_400_list_parameters(people: People, review: Review) -> None:
    client = people["estyn/inspector"].client
    erw = erw_workspace(people, review)
    lists = [
        "/reviews",
        f"/reviews/{review.id}/workspaces",
        f"/workspaces/{erw}/evidence",
    ]
    for path in lists:
        for limit in ("0", "201", "-1", "abc"):
            resp = client.get(f"{path}?limit={limit}")
            expect_error(resp, 400, "validation_error", ["limit"])
        for limit in ("1", "200"):
            client.get(f"{path}?limit={limit}", expect=200)
        for cursor in ("not-a-cursor", "eyJpZCI6IDF9", "AAAAAAAAAAAAAAAAAAAAAAAA"):
            resp = client.get(f"{path}?cursor={cursor}")
            expect_error(resp, 400, "validation_error", ["cursor"])


def test_non_uuid_ids_in_paths_are_not_found(people: People, review: Review) -> None:
    # Ids are opaque UUIDs: a path with anything else names nothing that can
    # exist, so it answers like any absent thing (404), never a 500.
    client = people["estyn/lead_officer"].client
    user = people["estyn/inspector"].id
    wrong: list[str] = []
    for bad in ("not-a-uuid", "123", "1 OR 1=1"):
        for method, path in (
            ("PUT", f"/reviews/{review.id}/members/{bad}"),
            ("DELETE", f"/reviews/{review.id}/members/{bad}"),
            ("GET", f"/reviews/{bad}"),
            ("GET", f"/reviews/{bad}/workspaces"),
            ("GET", f"/reviews/{bad}/members"),
            ("PUT", f"/reviews/{bad}/members/{user}"),
            ("GET", f"/workspaces/{bad}"),
            ("GET", f"/workspaces/{bad}/evidence"),
            ("GET", f"/evidence/{bad}"),
            ("GET", f"/evidence/{bad}/content"),
            ("DELETE", f"/evidence/{bad}"),
        ):
            body = {"role": "inspector"} if method == "PUT" else None
            resp = client.request(method, path, json=body)
            try:
                expect_error(resp, 404, "not_found")
            except AssertionError as error:
                wrong.append(str(error))
    assert not wrong, "\n".join(wrong)


def test_upload_filenames(people: People, review: Review) -> None:
    client = people["erw/nominee"].client
    erw = erw_workspace(people, review)
    data = fixture_bytes("chart.png")
    for bad in (
        "chart\x07.png",
        "chart\x00.png",
        "chart\x1b[31m.png",
        "chart\x7f.png",
        "report\u202egnp.png",
        "a\u2066b.png",
        "\u0175" * 126 + ".png",  # 256 bytes in UTF-8, 130 characters
    ):
        resp = client.upload(erw, bad, data, "image/png")
        expect_error(resp, 400, "validation_error", some_field=True)

    accepted = {
        "../../x/report.pdf": "report.pdf",
        "a" * 251 + ".png": "a" * 251 + ".png",  # exactly 255 bytes
        "Cynllun busnes \u2013 \u0175yl.png": "Cynllun busnes \u2013 \u0175yl.png",
        'quote"and;semi.png': 'quote"and;semi.png',
    }
    for sent, stored in accepted.items():
        payload = fixture_bytes("report.pdf") if sent.endswith(".pdf") else data
        resp = client.upload(erw, sent, payload)
        assert resp.status_code == 201, f"upload of {sent!r}: {describe(resp)}"
        item = resp.json()
        assert item["filename"] == stored, f"{sent!r} stored as {item['filename']!r}"
        content = client.get(f"/evidence/{item['id']}/content", expect=200)
        assert content.content == payload
        disposition = content.headers.get("Content-Disposition", "")
        assert item["filename"] == stored
        assert content_disposition_filename(disposition) == (
            "attachment",
            saved_name(item),
        ), disposition


def test_upload_size_limit(portal: Portal, people: People, review: Review) -> None:
    client = people["erw/contributor"].client
    erw = erw_workspace(people, review)
    limit = portal.upload_max_bytes
    pdf = fixture_bytes("report.pdf")
    exact = pdf + b"\n%" + b"%" * (limit - len(pdf) - 2)
    assert len(exact) == limit
    resp = client.upload(
        erw, "exact.pdf", exact, "application/pdf", description="d" * 5000
    )
    assert resp.status_code == 201, f"a file of exactly the limit: {describe(resp)}"
    item = resp.json()
    assert item["size"] == limit and item["sha256"] == sha256(exact)
    assert client.get(f"/evidence/{item['id']}/content", expect=200).content == exact

    resp = client.upload(erw, "over.pdf", exact + b"%", "application/pdf")
    error = expect_error(resp, 413, "too_large")
    limit_named = (
        str(limit),
        f"{limit:,}",
        "1 MiB",
        "1.0 MiB",
        "1 MB",
        "1.0 MB",
        "1024 KiB",
        "1024 KB",
    )
    assert any(text in error["message"] for text in limit_named), error["message"]
    # A real file well over the limit.
    resp = client.upload(erw, "large.docx", fixture_bytes("large.docx"))
    expect_error(resp, 413, "too_large")
    listed = client.walk(f"/workspaces/{erw}/evidence", 200)
    assert not {"over.pdf", "large.docx"} & {i["filename"] for i in listed}


def test_upload_field_lengths(people: People, review: Review) -> None:
    client = people["erw/nominee"].client
    erw = erw_workspace(people, review)
    data = fixture_bytes("attendance.csv")
    resp = client.upload(erw, "a.csv", data, title="t" * 501)
    expect_error(resp, 400, "validation_error", ["title"])
    resp = client.upload(erw, "a.csv", data, description="d" * 20_001)
    expect_error(resp, 400, "validation_error", ["description"])
    resp = client.upload(
        erw, "a.csv", data, title="t" * 500, description="d" * 20_000, expect=201
    )
    assert resp.json()["title"] == "t" * 500


def test_upload_refused_types(people: People, review: Review) -> None:
    client = people["erw/nominee"].client
    erw = erw_workspace(people, review)
    detected = {
        "page.html": ("text/html",),
        "drawing.svg": ("image/svg+xml",),
        "archive.zip": ("application/zip",),
        "archive.tar": ("application/x-tar",),
        "archive.7z": ("application/x-7z-compressed",),
        "archive.rar": (
            "application/vnd.rar",
            "application/x-rar",
            "application/x-rar-compressed",
        ),
        "program.elf": (
            "application/x-sharedlib",
            "application/x-pie-executable",
            "application/x-executable",
            "application/x-elf",
        ),
    }
    for name, types in detected.items():
        data = fixture_bytes(name)
        for filename, claimed in (
            (name, CLAIMED[name]),
            ("report.pdf", "application/pdf"),
        ):
            resp = client.upload(erw, filename, data, claimed)
            error = expect_error(resp, 415, "unsupported_type")
            assert any(t in error["message"] for t in types), (
                f"{name}: message does not name {types}: {error['message']!r}"
            )


def test_upload_empty_or_missing_file(people: People, review: Review) -> None:
    client = people["erw/nominee"].client
    erw = erw_workspace(people, review)
    resp = client.upload(erw, "empty.pdf", b"", "application/pdf")
    expect_error(resp, 400, "validation_error", some_field=True)
    resp = client.post(f"/workspaces/{erw}/evidence", data={"title": "No file"})
    expect_error(resp, 400, "validation_error", ["file"])
