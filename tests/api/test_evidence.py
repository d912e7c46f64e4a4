"""Evidence through the API: real files in and out, byte for byte, and every refusal."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.evidence.models import EvidenceFile, EvidenceItem
from support.api import error_of
from support.app_fixtures import TEST_UPLOAD_MAX_BYTES
from support.stored import stored_state
from support.world import World

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
OOXML = "application/vnd.openxmlformats-officedocument."

ACCEPTED = {
    "report.pdf": "application/pdf",
    "minutes.docx": OOXML + "wordprocessingml.document",
    "budget.xlsx": OOXML + "spreadsheetml.sheet",
    "slides.pptx": OOXML + "presentationml.presentation",
    "minutes.doc": "application/msword",
    "budget.xls": "application/vnd.ms-excel",
    "slides.ppt": "application/vnd.ms-powerpoint",
    "minutes.odt": "application/vnd.oasis.opendocument.text",
    "budget.ods": "application/vnd.oasis.opendocument.spreadsheet",
    "slides.odp": "application/vnd.oasis.opendocument.presentation",
    "letter.rtf": "application/rtf",
    "attendance.csv": "text/csv",
    "notes.txt": "text/plain",
    "chart.png": "image/png",
    "photo.jpg": "image/jpeg",
    "interview.mp4": "video/mp4",
    "interview.mp3": "audio/mpeg",
    "interview.m4a": "audio/mp4",
    "large.docx": OOXML + "wordprocessingml.document",
    "large.doc": "application/msword",
    "large.xlsx": OOXML + "spreadsheetml.sheet",
}

REFUSED = {
    "page.html": "text/html",
    "drawing.svg": "image/svg+xml",
    "script.sh": "text/x-shellscript",
    "script.py": "text/x-script.python",
    "program.elf": "application/x-",
    "program.exe": "application/vnd.microsoft.portable-executable",
    "archive.zip": "application/zip",
    "archive.tar": "application/x-tar",
    "archive.7z": "application/x-7z-compressed",
    "archive.rar": "rar",
    "archive.tar.gz": "application/gzip",
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_real_files_round_trip_byte_for_byte(name: str, world: World, api) -> None:
    content = (FILES / name).read_bytes()
    client = api("contributor")
    response = client.upload(world.ws.id, content, name, content_type="text/plain")
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert set(item) >= {
        "id", "workspace_id", "title", "description", "filename", "media_type",
        "size", "sha256", "uploaded_by", "uploaded_at",
    }  # fmt: skip
    assert item["media_type"] == ACCEPTED[name]
    assert item["sha256"] == hashlib.sha256(content).hexdigest()
    assert item["size"] == len(content)
    assert item["filename"] == name
    assert item["title"] == name
    assert item["uploaded_by"] == str(world.users["contributor"].id)
    assert item["workspace_id"] == str(world.ws.id)

    for reader in ("contributor", "inspector", "audit_inspector", "observer"):
        download = api(reader).get(f"/evidence/{item['id']}/content")
        assert download.status_code == 200, reader
        assert download.data == content
        assert download.headers["Content-Type"] == ACCEPTED[name]
        assert download.headers["Content-Length"] == str(len(content))
        assert download.headers["ETag"] == f'"{item["sha256"]}"'


def test_claimed_type_is_kept_but_not_trusted(world: World, api, store) -> None:
    content = (FILES / "report.pdf").read_bytes()
    response = api("nominee").upload(
        world.ws.id, content, "report.pdf", content_type="image/gif"
    )
    assert response.get_json()["media_type"] == "application/pdf"
    row = db.session.scalars(sa.select(EvidenceFile)).one()
    assert row.claimed_media_type == "image/gif"
    assert row.storage_key in store.iter_keys()
    assert row.storage_key != "report.pdf"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_types_answer_415_and_store_nothing(
    name: str, world: World, api, store
) -> None:
    before = stored_state(store)
    content = (FILES / name).read_bytes()
    # Disguised with an accepted name and type: the content decides.
    response = api("nominee").upload(
        world.ws.id, content, "innocent.pdf", content_type="application/pdf"
    )
    assert response.status_code == 415
    error = error_of(response)
    assert error["code"] == "unsupported_type"
    assert REFUSED[name] in error["message"], error["message"]
    assert stored_state(store) == before


def test_polyglot_is_served_so_it_cannot_run(world: World, api) -> None:
    # libmagic calls a PNG header followed by <script> an image; serving is
    # what keeps users safe, not sniffing.
    content = (FILES / "polyglot.png").read_bytes()
    item = api("nominee").upload(world.ws.id, content, "chart.png").get_json()
    response = api("inspector").get(f"/evidence/{item['id']}/content")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "no-store"


def test_empty_file_is_refused(world: World, api, store) -> None:
    response = api("nominee").upload(world.ws.id, b"", "empty.txt")
    assert response.status_code == 400
    assert "file" in error_of(response)["fields"]
    assert stored_state(store) == (0, 0, [])


def test_file_of_exactly_the_limit_is_accepted(world: World, api) -> None:
    content = b"a" * TEST_UPLOAD_MAX_BYTES
    response = api("nominee").upload(world.ws.id, content, "big.txt")
    assert response.status_code == 201
    assert response.get_json()["size"] == TEST_UPLOAD_MAX_BYTES


def test_one_byte_over_the_limit_is_413_and_stores_nothing(
    world: World, api, store
) -> None:
    response = api("nominee").upload(
        world.ws.id, b"a" * (TEST_UPLOAD_MAX_BYTES + 1), "big.txt"
    )
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "too_large"
    assert str(TEST_UPLOAD_MAX_BYTES) in error["message"]
    assert stored_state(store) == (0, 0, [])


def test_declared_length_far_over_the_limit_is_refused_unread(
    world: World, api, client
) -> None:
    response = client.post(
        f"/api/v1/workspaces/{world.ws.id}/evidence",
        data=b"x" * 10,
        headers={
            "Authorization": f"Bearer {world.tokens['nominee']}",
            "Content-Type": "multipart/form-data; boundary=abc",
        },
        # The declared length: the test client would otherwise count the body.
        environ_overrides={"CONTENT_LENGTH": str(TEST_UPLOAD_MAX_BYTES * 10)},
    )
    assert response.status_code == 413
    assert "4 MiB" in error_of(response)["message"]


@pytest.mark.parametrize(
    "filename",
    [
        "nul\x00byte.txt",
        "control\x07bell.txt",
        "tab\tname.txt",
        "new\nline.txt",
        "report\u202etxt.exe",  # right-to-left override
        "isolate\u2066x.txt",
        "a" * 252 + ".txt",  # 256 bytes
        "ŵ" * 127 + ".txt",  # 254 + 4 bytes
        "",
        "../",
    ],
)
def test_bad_filenames_are_refused(filename: str, world: World, api, store) -> None:
    response = api("nominee").upload(world.ws.id, b"hello", filename)
    assert response.status_code == 400, filename
    assert error_of(response)["code"] == "validation_error"
    assert "file" in error_of(response)["fields"]
    assert stored_state(store) == (0, 0, [])


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../x/report.txt", "report.txt"),
        ("C:\\Users\\gwen\\Desktop\\nodiadau.txt", "nodiadau.txt"),
        ("/etc/passwd", "passwd"),
        ("Adroddiad ŵyr ŷd.txt", "Adroddiad ŵyr ŷd.txt"),
        ("تقرير.txt", "تقرير.txt"),
        ("a" * 251 + ".txt", "a" * 251 + ".txt"),  # exactly 255 bytes
        (unicodedata.normalize("NFD", "Ŵyn.txt"), "Ŵyn.txt"),
    ],
)
def test_filenames_are_kept_for_display_only(
    sent: str, kept: str, world: World, api
) -> None:
    response = api("nominee").upload(world.ws.id, b"hello", sent)
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert item["filename"] == kept
    download = api("inspector").get(f"/evidence/{item['id']}/content")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    # Saved as "<reference> <classification> <name>", within 255 bytes.
    saved = f"{item['reference']} OFFICIAL {kept}"
    if len(saved.encode()) > 255:
        saved = saved.encode()[: 255 - 4].decode() + ".txt"
    assert f"filename*=UTF-8''{quote(saved, safe='')}" in disposition


def test_title_and_description(world: World, api) -> None:
    response = api("nominee").upload(
        world.ws.id,
        b"minutes",
        "m.txt",
        fields={
            "title": "  Cofnodion y pwyllgor  ",
            "description": "Line one\nLine two",
        },
    )
    item = response.get_json()
    assert item["title"] == "Cofnodion y pwyllgor"
    assert item["description"] == "Line one\nLine two"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"title": "x" * 501}, "title"),
        ({"title": "ŵ" * 501}, "title"),
        ({"description": "x" * 20_001}, "description"),
        ({"title": "bad\x00title"}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"sha256": "0" * 64}, "sha256"),
        # A digest field sent empty or malformed is a client's mistake, not
        # "no digest" (schemathesis found an empty one accepted).
        ({"sha256": ""}, "sha256"),
        ({"sha256": "xyz"}, "sha256"),
        ({"sha256": hashlib.sha256(b"hello").hexdigest() + "0"}, "sha256"),
    ],
)
def test_bad_fields_store_nothing(fields, bad, world: World, api, store) -> None:
    response = api("nominee").upload(world.ws.id, b"hello", "h.txt", fields=fields)
    assert response.status_code == 400
    assert bad in error_of(response)["fields"]
    assert stored_state(store) == (0, 0, [])


def test_matching_sha256_is_accepted(world: World, api) -> None:
    response = api("nominee").upload(
        world.ws.id,
        b"hello",
        "h.txt",
        fields={"sha256": hashlib.sha256(b"hello").hexdigest()},
    )
    assert response.status_code == 201


def test_malformed_uploads(world: World, api, store) -> None:
    client = api("nominee")
    path = f"/workspaces/{world.ws.id}/evidence"
    cases = [
        dict(json={"file": "aGVsbG8="}),
        dict(data=b"hello", content_type="application/octet-stream"),
        dict(data=b"hello", content_type="multipart/form-data"),  # no boundary
        dict(
            data=b'--b\r\nContent-Disposition: form-data; name="title"\r\n\r\n'
            b"T\r\n--b--\r\n",
            content_type="multipart/form-data; boundary=b",
        ),  # no file part
        dict(
            data=b'--b\r\nContent-Disposition: form-data; name="file"; '
            b'filename="a.txt"\r\n\r\nhello wor',
            content_type="multipart/form-data; boundary=b",
        ),  # cut short: no closing boundary
        dict(data=b"garbage", content_type="multipart/form-data; boundary=b"),
    ]
    for case in cases:
        response = client.post(path, **case)
        assert response.status_code == 400, case
        assert error_of(response)["code"] == "validation_error"
    assert stored_state(store) == (0, 0, [])


def test_two_files_in_one_request_are_refused(world: World, api, store) -> None:
    part = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n\r\n'
        b"hello\r\n"
    )
    body = part % b"a.txt" + part % b"b.txt" + b"--b--\r\n"
    response = api("nominee").post(
        f"/workspaces/{world.ws.id}/evidence",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 400
    assert stored_state(store) == (0, 0, [])


def test_list_is_newest_first_and_pages(world: World, api) -> None:
    client = api("nominee")
    uploaded = [
        client.upload(world.ws.id, f"file {n}".encode(), f"f{n}.txt").get_json()["id"]
        for n in range(5)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api("inspector").get(
            f"/workspaces/{world.ws.id}/evidence", query_string=query
        )
        assert page.status_code == 200
        seen += [i["id"] for i in page.get_json()["items"]]
        cursor = page.get_json()["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(uploaded))


def test_cursor_from_another_list_is_refused(world: World, api) -> None:
    client = api("inspector")
    for n in range(3):
        api("nominee").upload(world.ws.id, b"x", f"{n}.txt")
        api("csc_nominee").upload(world.csc_ws.id, b"x", f"{n}.txt")
    cursor = client.get(
        f"/workspaces/{world.ws.id}/evidence", query_string={"limit": 1}
    ).get_json()["next_cursor"]
    response = client.get(
        f"/workspaces/{world.csc_ws.id}/evidence", query_string={"cursor": cursor}
    )
    assert response.status_code == 400
    assert "cursor" in error_of(response)["fields"]


def upload_text(api, world: World, content: bytes, name: str = "data.txt") -> dict:
    response = api("nominee").upload(world.ws.id, content, name)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_range_requests(world: World, api) -> None:
    content = b"".join(b"line %05d of the evidence\n" % n for n in range(2000))
    item = upload_text(api, world, content)
    url = f"/evidence/{item['id']}/content"
    reader = api("inspector")

    middle = reader.get(url, headers={"Range": "bytes=100-199"})
    assert middle.status_code == 206
    assert middle.data == content[100:200]
    assert middle.headers["Content-Range"] == f"bytes 100-199/{len(content)}"
    assert middle.headers["Content-Length"] == "100"

    suffix = reader.get(url, headers={"Range": "bytes=-10"})
    assert suffix.status_code == 206 and suffix.data == content[-10:]

    open_ended = reader.get(url, headers={"Range": f"bytes={len(content) - 5}-"})
    assert open_ended.data == content[-5:]

    beyond = reader.get(url, headers={"Range": f"bytes={len(content)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(content)}"

    garbage = reader.get(url, headers={"Range": "lines=1-2"})
    assert garbage.status_code == 200 and garbage.data == content

    etag = middle.headers["ETag"]
    stale = reader.get(url, headers={"Range": "bytes=0-9", "If-Range": '"0000"'})
    assert stale.status_code == 200 and stale.data == content
    fresh = reader.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and fresh.data == content[:10]

    not_modified = reader.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""


def test_head_sends_headers_only(world: World, api, client) -> None:
    item = upload_text(api, world, b"hello head")
    response = client.head(
        f"/api/v1/evidence/{item['id']}/content",
        headers={"Authorization": f"Bearer {world.tokens['inspector']}"},
    )
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == "10"


def test_withdrawal(world: World, api, store) -> None:
    item = upload_text(api, world, b"to be withdrawn")
    assert api("contributor").delete(f"/evidence/{item['id']}").status_code == 403
    assert api("inspector").delete(f"/evidence/{item['id']}").status_code == 403
    assert api("observer").delete(f"/evidence/{item['id']}").status_code == 403
    assert api("nominee").delete(f"/evidence/{item['id']}").status_code == 204
    listed = api("inspector").get(f"/workspaces/{world.ws.id}/evidence").get_json()
    assert listed["items"] == []
    assert api("inspector").get(f"/evidence/{item['id']}").status_code == 404
    assert api("inspector").get(f"/evidence/{item['id']}/content").status_code == 404
    assert api("nominee").delete(f"/evidence/{item['id']}").status_code == 404
    # Kept for the audit trail: the row and the blob are still there.
    row = db.session.get(EvidenceItem, uuid.UUID(item["id"]))
    assert row is not None and row.withdrawn_at is not None
    assert len(list(store.iter_keys())) == 1


def test_lead_officer_may_withdraw_in_any_workspace(world: World, api) -> None:
    item = upload_text(api, world, b"x")
    assert api("audit_lead").delete(f"/evidence/{item['id']}").status_code == 204


def test_inspectors_may_upload_to_any_workspace_observers_not(
    world: World, api
) -> None:
    assert api("inspector").upload(world.csc_ws.id, b"x", "x.txt").status_code == 201
    assert api("audit_lead").upload(world.ws.id, b"x", "x.txt").status_code == 201
    response = api("observer").upload(world.ws.id, b"x", "x.txt")
    assert response.status_code == 403


def test_downloads_and_uploads_are_audited(world: World, api) -> None:
    from app.audit.models import AuditEvent

    item = upload_text(api, world, b"audited")
    api("inspector").get(f"/evidence/{item['id']}/content")
    api("inspector").get(
        f"/evidence/{item['id']}/content", headers={"Range": "bytes=3-4"}
    )
    actions = [
        (e.action, e.actor_id)
        for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.subject_id == uuid.UUID(item["id"]))
        )
    ]
    assert ("evidence.uploaded", world.users["nominee"].id) in actions
    assert actions.count(("evidence.downloaded", world.users["inspector"].id)) == 1
