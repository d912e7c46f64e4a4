"""ZIP import: POST /workspaces/{id}/imports.

Good archives import file by file; hostile or broken ones are refused
whole, and then nothing stays: no row, no blob, and no file anywhere
outside the evidence store (the ZIP itself waits in an anonymous
temporary file, and no entry is ever written to disk by its name).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import stat
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.evidence.models import EvidenceFile, EvidenceItem
from evidence_store import EvidenceStore, StoredObject, StoreError
from support.api import ApiClient, error_of
from support.world import World

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
PDF = (FILES / "report.pdf").read_bytes()
CSV = (FILES / "attendance.csv").read_bytes()
TXT = (FILES / "notes.txt").read_bytes()
MiB = 1024 * 1024


# --- helpers -----------------------------------------------------------------


def make_zip(
    entries: list[tuple[str | zipfile.ZipInfo, bytes]],
    method: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def post_zip(
    caller: ApiClient,
    workspace_id: Any,
    data: bytes,
    filename: str = "pack.zip",
    fields: dict[str, str] | None = None,
) -> Any:
    boundary = "----portal-import-test-boundary"
    body = bytearray()
    for name, value in (fields or {}).items():
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
            f"\r\n\r\n{value}\r\n"
        ).encode()
    body += (
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="{filename}"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    ).encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return caller.post(
        f"/workspaces/{workspace_id}/imports",
        data=bytes(body),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def counts() -> tuple[int, int]:
    items = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem))
    files = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile))
    return items or 0, files or 0


def blobs(store: EvidenceStore) -> list[str]:
    return sorted(store.iter_keys())


def patch_entry(
    data: bytes,
    name: str,
    *,
    flags: int | None = None,
    method: int | None = None,
    size: int | None = None,
    central_only: bool = False,
) -> bytes:
    """Rewrite fields of ``name``'s local header and central directory record,
    as a hostile or broken archiver would have written them."""
    out = bytearray(data)
    raw = name.encode()
    # (signature, offset of flags, method, uncompressed size, name)
    layouts = [(b"PK\x01\x02", 8, 10, 24, 46)]
    if not central_only:
        layouts.append((b"PK\x03\x04", 6, 8, 22, 30))
    for signature, at_flags, at_method, at_size, at_name in layouts:
        start = 0
        found = False
        while (start := out.find(signature, start)) >= 0:
            if out[start + at_name : start + at_name + len(raw)] == raw:
                found = True
                if flags is not None:
                    struct.pack_into("<H", out, start + at_flags, flags)
                if method is not None:
                    struct.pack_into("<H", out, start + at_method, method)
                if size is not None:
                    struct.pack_into("<L", out, start + at_size, size)
            start += 4
        assert found, (signature, name)
    return bytes(out)


@pytest.fixture
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory the ZIP waits in: checked empty afterwards."""
    directory = tmp_path / "spool"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


@pytest.fixture
def limits(app, monkeypatch: pytest.MonkeyPatch):
    """Change the import limits for one test: ``limits(max_entries=5)``."""

    def change(**values: int) -> None:
        settings = app.extensions["portal_settings"]
        renamed = {f"import_{name}": value for name, value in values.items()}
        monkeypatch.setitem(
            app.extensions,
            "portal_settings",
            dataclasses.replace(settings, **renamed),
        )

    return change


def assert_nothing_left(store: EvidenceStore, spool: Path, tmp_path: Path) -> None:
    assert counts() == (0, 0)
    assert blobs(store) == []
    assert list(spool.iterdir()) == []
    # Nothing was unpacked by name, here or anywhere a traversal could reach.
    for root in {tmp_path, tmp_path.parent, Path.cwd()}:
        for name in ("evil.pdf", "abs.pdf", "x.pdf", "b.pdf"):
            assert not (root / name).exists()
    assert not Path("/abs.pdf").exists()


# --- good archives -----------------------------------------------------------


def test_archive_with_folders_imports_every_file(
    world: World, api, store, spool_dir: Path
) -> None:
    data = make_zip(
        [
            ("Governance/", b""),
            ("Governance/Minutes/", b""),
            ("Governance/Minutes/board.pdf", PDF),
            ("Governance/attendance.csv", CSV),
            ("notes.txt", TXT),
            # Housekeeping files of macOS and Windows are skipped silently.
            ("__MACOSX/Governance/._attendance.csv", b"\x00\x05\x16\x07junk"),
            ("Governance/.DS_Store", b"\x00\x00\x00\x01Bud1junk"),
            ("Thumbs.db", b"\xd0\xcf\x11\xe0junk"),
        ]
    )
    response = post_zip(api("contributor"), world.ws.id, data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["rejected"] == []
    items = body["items"]
    names = ["board.pdf", "attendance.csv", "notes.txt"]
    assert [i["filename"] for i in items] == names
    assert [i["title"] for i in items] == names
    assert [i["description"] for i in items] == [
        "pack.zip: Governance/Minutes/board.pdf",
        "pack.zip: Governance/attendance.csv",
        "pack.zip: notes.txt",
    ]
    assert [i["media_type"] for i in items] == [
        "application/pdf",
        "text/csv",
        "text/plain",
    ]
    assert [i["sha256"] for i in items] == [
        hashlib.sha256(content).hexdigest() for content in (PDF, CSV, TXT)
    ]
    # The same schema as any item: what GET /evidence/{id} answers.
    single = api("contributor").get(f"/evidence/{items[0]['id']}").get_json()
    assert items[0] == single
    assert counts() == (3, 3)
    assert len(blobs(store)) == 3
    downloaded = api("inspector").get(f"/evidence/{items[0]['id']}/content")
    assert downloaded.data == PDF
    assert list(spool_dir.iterdir()) == []


def test_the_details_sent_apply_to_every_item(world: World, api, store) -> None:
    data = make_zip([("a.txt", TXT), ("b/c.csv", CSV)])
    response = post_zip(
        api("nominee"),
        world.ws.id,
        data,
        fields={"classification": "OFFICIAL-SENSITIVE", "personal_data": "true"},
    )
    assert response.status_code == 201, response.get_json()
    items = response.get_json()["items"]
    assert {i["classification"] for i in items} == {"OFFICIAL-SENSITIVE"}
    assert {i["personal_data"] for i in items} == {True}


def test_bad_details_refuse_the_import(world: World, api, store) -> None:
    response = post_zip(
        api("nominee"),
        world.ws.id,
        make_zip([("a.txt", TXT)]),
        fields={"classification": "TOP SECRET"},
    )
    assert response.status_code == 400
    assert "classification" in error_of(response)["fields"]
    assert counts() == (0, 0)
    assert blobs(store) == []


def test_a_small_file_may_compress_well(world: World, api, store) -> None:
    # 200 KiB of blank lines is 500:1, but far below where the ratio counts.
    data = make_zip([("blank.txt", b" \n" * 100 * 1024)])
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 201, response.get_json()
    assert len(response.get_json()["items"]) == 1


# --- entries refused one by one ----------------------------------------------


def test_a_refused_type_does_not_stop_the_others(world: World, api, store) -> None:
    data = make_zip(
        [
            ("site/page.html", (FILES / "page.html").read_bytes()),
            ("report.pdf", PDF),
            ("tools/program.exe", (FILES / "program.exe").read_bytes()),
            ("empty.txt", b""),
            ("notes.txt", TXT),
        ]
    )
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 201
    body = response.get_json()
    assert [i["filename"] for i in body["items"]] == ["report.pdf", "notes.txt"]
    rejected = {r["name"]: r["reason"] for r in body["rejected"]}
    assert set(rejected) == {"site/page.html", "tools/program.exe", "empty.txt"}
    assert "text/html" in rejected["site/page.html"]
    assert "not accepted" in rejected["site/page.html"]
    assert "empty" in rejected["empty.txt"]
    assert counts() == (2, 2)
    assert len(blobs(store)) == 2


def test_nested_archives_are_not_imported(world: World, api, store) -> None:
    data = make_zip(
        [
            ("inner.zip", (FILES / "archive.zip").read_bytes()),
            # Named as a PDF, but a gzip inside: sniffed, not trusted by name.
            ("disguised.pdf", (FILES / "archive.tar.gz").read_bytes()),
            ("bundle.7z", (FILES / "archive.7z").read_bytes()),
            ("plain.tar", (FILES / "archive.tar").read_bytes()),
            ("notes.txt", TXT),
        ],
        method=zipfile.ZIP_STORED,
    )
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 201
    body = response.get_json()
    assert [i["filename"] for i in body["items"]] == ["notes.txt"]
    rejected = {r["name"]: r["reason"] for r in body["rejected"]}
    assert set(rejected) == {"inner.zip", "disguised.pdf", "bundle.7z", "plain.tar"}
    assert all("archive inside" in reason for reason in rejected.values())
    assert len(blobs(store)) == 1


def test_encrypted_entries_links_and_odd_methods_are_refused(
    world: World, api, store
) -> None:
    link = zipfile.ZipInfo("shortcut.txt")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = make_zip(
        [
            ("secret.pdf", PDF),
            (link, b"../../../etc/passwd"),
            ("deflate64.txt", TXT),
            ("notes.txt", TXT),
        ]
    )
    data = patch_entry(data, "secret.pdf", flags=0x1)  # the "encrypted" flag
    data = patch_entry(data, "deflate64.txt", method=9, central_only=True)
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [i["filename"] for i in body["items"]] == ["notes.txt"]
    rejected = {r["name"]: r["reason"] for r in body["rejected"]}
    assert "Encrypted" in rejected["secret.pdf"]
    assert "symbolic link" in rejected["shortcut.txt"]
    assert "cannot read" in rejected["deflate64.txt"]
    # The link's target was never stored as a "text file".
    assert len(blobs(store)) == 1


def test_an_entry_over_the_file_limit_is_refused_alone(
    world: World, api, store, limits
) -> None:
    limits(max_unpacked_bytes=20 * MiB)
    big = os.urandom(3 * MiB).hex().encode()[: 4 * MiB + 1]  # text, over 4 MiB
    data = make_zip([("big.txt", big), ("notes.txt", TXT)])
    assert len(data) < 4 * MiB  # the ZIP itself is within the limit
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [i["filename"] for i in body["items"]] == ["notes.txt"]
    assert body["rejected"][0]["name"] == "big.txt"
    assert "larger than the limit" in body["rejected"][0]["reason"]
    assert len(blobs(store)) == 1


# --- archives refused whole ----------------------------------------------------


@pytest.mark.parametrize(
    "evil",
    [
        "../evil.pdf",
        "/abs.pdf",
        "..\\x.pdf",
        "docs\\..\\..\\x.pdf",
        "C:/x.pdf",
        "C:x.pdf",
        "\\\\server\\share\\x.pdf",
        "a/../../b.pdf",
        "../",
    ],
)
def test_names_reaching_outside_refuse_the_archive(
    evil: str, world: World, api, store, spool_dir: Path, tmp_path: Path
) -> None:
    data = make_zip([("good.pdf", PDF), (evil, PDF if not evil.endswith("/") else b"")])
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 400, response.get_json()
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert "outside its own folders" in error["fields"]["file"]
    assert_nothing_left(store, spool_dir, tmp_path)


def test_a_zip_bomb_is_refused(
    world: World, api, store, spool_dir: Path, tmp_path: Path
) -> None:
    # 3 MiB of zeros deflates to about 3 KiB: roughly 1,000 to 1.
    bomb = b"\x00" * (3 * MiB)
    data = make_zip([("notes.txt", TXT), ("bomb.txt", bomb)])
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("bomb.txt")
    assert info.file_size / info.compress_size > 900
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 400
    message = error_of(response)["message"]
    assert "zip bomb" in message and "bomb.txt" in message
    assert_nothing_left(store, spool_dir, tmp_path)


def test_an_entry_larger_than_declared_is_refused(
    world: World, api, store, spool_dir: Path, tmp_path: Path
) -> None:
    # The directory says 1,000 bytes; the data unpacks to 2 MiB. zipfile
    # stops at the declared size, and the rest must not pass as the file.
    text = b"line of minutes\n" * (128 * 1024)
    data = make_zip([("notes.txt", TXT), ("minutes.txt", text)])
    data = patch_entry(data, "minutes.txt", size=1000)
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 400
    assert "minutes.txt" in error_of(response)["message"]
    assert_nothing_left(store, spool_dir, tmp_path)


def test_too_many_entries(
    world: World, api, store, limits, spool_dir: Path, tmp_path: Path
) -> None:
    limits(max_entries=5)
    data = make_zip([(f"n{i}.txt", TXT) for i in range(6)])
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert "more than 5 files and folders" in error_of(response)["message"]
    assert_nothing_left(store, spool_dir, tmp_path)
    # Folders count: the directory itself is what is bounded.
    data = make_zip([(f"f{i}/", b"") for i in range(5)] + [("a.txt", TXT)])
    assert post_zip(api("nominee"), world.ws.id, data).status_code == 413


def test_too_much_unpacked(
    world: World, api, store, limits, spool_dir: Path, tmp_path: Path
) -> None:
    limits(max_unpacked_bytes=len(PDF) + 100)
    data = make_zip([("a.pdf", PDF), ("b.csv", CSV)])
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 413
    assert "unpacked" in error_of(response)["message"]
    assert_nothing_left(store, spool_dir, tmp_path)


def test_an_archive_over_the_upload_limit(
    world: World, api, store, spool_dir: Path, tmp_path: Path
) -> None:
    data = make_zip([("noise.pdf", os.urandom(4 * MiB + 10))], zipfile.ZIP_STORED)
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 413
    assert_nothing_left(store, spool_dir, tmp_path)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", PDF),
        ("minutes.docx", (FILES / "minutes.docx").read_bytes()),
        ("archive.tar.gz", (FILES / "archive.tar.gz").read_bytes()),
        ("archive.7z", (FILES / "archive.7z").read_bytes()),
    ],
)
def test_only_a_zip_file_is_taken(
    name: str,
    content: bytes,
    world: World,
    api,
    store,
    spool_dir: Path,
    tmp_path: Path,
) -> None:
    response = post_zip(api("nominee"), world.ws.id, content, filename=name)
    assert response.status_code == 415
    assert "not a ZIP file" in error_of(response)["message"]
    assert_nothing_left(store, spool_dir, tmp_path)


def test_a_truncated_zip_is_refused(
    world: World, api, store, spool_dir: Path, tmp_path: Path
) -> None:
    data = make_zip([("a.pdf", PDF), ("b.csv", CSV)])
    response = post_zip(api("nominee"), world.ws.id, data[: len(data) // 2])
    assert response.status_code == 400
    assert "damaged" in error_of(response)["message"]
    assert_nothing_left(store, spool_dir, tmp_path)


def test_damaged_data_after_good_entries_leaves_nothing(
    world: World, api, store, spool_dir: Path, tmp_path: Path
) -> None:
    text = b"Cofnodion y cyfarfod\n" * 5000
    data = bytearray(make_zip([("a.pdf", PDF), ("b.csv", CSV), ("c.txt", text)]))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("c.txt")
    middle = info.header_offset + 30 + len("c.txt") + info.compress_size // 2
    data[middle : middle + 8] = b"\xff" * 8
    response = post_zip(api("nominee"), world.ws.id, bytes(data))
    assert response.status_code == 400
    assert "c.txt" in error_of(response)["message"]
    # a.pdf and b.csv were stored before c.txt failed: deleted again.
    assert_nothing_left(store, spool_dir, tmp_path)


def test_overlapping_entries_are_refused(
    world: World, api, store, spool_dir: Path, tmp_path: Path
) -> None:
    # Two directory records for one stored entry: the trick of the smallest
    # zip bombs (every entry unpacks the same compressed kernel).
    data = make_zip([("a.txt", TXT)])
    directory = data.index(b"PK\x01\x02")
    end = data.index(b"PK\x05\x06")
    record = data[directory:end]
    copy = bytearray(record)
    copy[46:51] = b"b.txt"
    tail = bytearray(data[end:])
    struct.pack_into("<HH", tail, 8, 2, 2)  # entries on this disk, in total
    struct.pack_into("<L", tail, 12, 2 * len(record))  # directory size
    forged = data[:end] + bytes(copy) + bytes(tail)
    response = post_zip(api("nominee"), world.ws.id, forged)
    assert response.status_code == 400
    assert "damaged" in error_of(response)["message"]
    assert_nothing_left(store, spool_dir, tmp_path)


def test_an_archive_without_files(world: World, api, store) -> None:
    response = post_zip(api("nominee"), world.ws.id, make_zip([("empty/", b"")]))
    assert response.status_code == 400
    assert "no files" in error_of(response)["message"]
    response = post_zip(api("nominee"), world.ws.id, make_zip([]))
    assert response.status_code == 400


def test_no_file_in_the_form(world: World, api, store) -> None:
    response = api("nominee").post(
        f"/workspaces/{world.ws.id}/imports",
        data=b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 400
    assert "file" in error_of(response)["fields"]


# --- who may import ----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("observer", 403), ("non_member", 404), ("admin", 404), ("csc_nominee", 404)],
)
def test_who_may_not_import(
    who: str, status: int, world: World, api, store, spool_dir: Path, tmp_path: Path
) -> None:
    response = post_zip(api(who), world.ws.id, make_zip([("a.pdf", PDF)]))
    assert response.status_code == status
    assert_nothing_left(store, spool_dir, tmp_path)


def test_anonymous_callers_are_refused(world: World, client, store) -> None:
    response = post_zip(ApiClient(client), world.ws.id, make_zip([("a.pdf", PDF)]))
    assert response.status_code == 401
    assert counts() == (0, 0)


# --- failures half way -------------------------------------------------------


def test_store_failing_on_the_second_entry_leaves_nothing(
    world: World, api, store, monkeypatch, spool_dir: Path, tmp_path: Path
) -> None:
    original = store.save
    calls = []

    def failing_save(stream: Any) -> StoredObject:
        calls.append(1)
        if len(calls) == 2:
            stream.read(100)
            raise StoreError("the disk is full")
        return original(stream)

    monkeypatch.setattr(store, "save", failing_save)
    data = make_zip([("a.pdf", PDF), ("b.csv", CSV), ("c.txt", TXT)])
    response = post_zip(api("nominee"), world.ws.id, data)
    assert response.status_code == 503
    assert error_of(response)["code"] == "store_unavailable"
    assert_nothing_left(store, spool_dir, tmp_path)


def _fail_on_evidence_row(number: int):
    seen = []

    def listener(session: Any, context: Any, instances: Any) -> None:
        if any(isinstance(row, EvidenceFile) for row in session.new):
            seen.append(1)
            if len(seen) == number:
                raise sa.exc.OperationalError(
                    "INSERT", {}, Exception("database went away")
                )

    return listener


def test_database_failing_on_the_first_item_leaves_nothing(
    world: World, api, store, spool_dir: Path, tmp_path: Path
) -> None:
    listener = _fail_on_evidence_row(1)
    sa.event.listen(sa.orm.Session, "before_flush", listener)
    try:
        data = make_zip([("a.pdf", PDF), ("b.csv", CSV)])
        response = post_zip(api("nominee"), world.ws.id, data)
    finally:
        sa.event.remove(sa.orm.Session, "before_flush", listener)
    assert response.status_code in (500, 503)
    assert_nothing_left(store, spool_dir, tmp_path)


def test_database_failing_half_way_reports_what_was_imported(
    world: World, api, store, spool_dir: Path
) -> None:
    listener = _fail_on_evidence_row(2)
    sa.event.listen(sa.orm.Session, "before_flush", listener)
    try:
        data = make_zip([("a.pdf", PDF), ("b.csv", CSV), ("c.txt", TXT)])
        response = post_zip(api("nominee"), world.ws.id, data)
    finally:
        sa.event.remove(sa.orm.Session, "before_flush", listener)
    # a.pdf was committed before the failure: reported, not hidden in an error.
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [i["filename"] for i in body["items"]] == ["a.pdf"]
    assert [r["name"] for r in body["rejected"]] == ["b.csv", "c.txt"]
    assert all("Import it again" in r["reason"] for r in body["rejected"])
    # No orphans: one row, one blob, and it is a.pdf's.
    assert counts() == (1, 1)
    key = db.session.scalar(sa.select(EvidenceFile.storage_key))
    assert blobs(store) == [key]
    assert list(spool_dir.iterdir()) == []
