"""Resumable uploads over HTTP against gunicorn (two workers), through the
contract only: a connection dropped mid-part, then resuming from the parts
the server says it has; a wrong SHA-256; parts racing each other."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

from e2e_support import (
    API,
    PASSWORD,
    Client,
    Portal,
    assert_fields,
    assert_time,
    expect_error,
    sha256,
)
from support.server import PortalServer, fresh_database, fresh_store_url

pytestmark = pytest.mark.slow

UPLOAD_MAX_BYTES = 32 * 1024 * 1024
PART_SIZE = 256 * 1024  # the S3 store raises it to its minimum, 5 MiB
ADMIN_EMAIL = "e2e-resumable-admin@example.org"


class Room:
    """A review with one workspace, its nominee, and an inspector."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        estyn = portal.create_org("inspectorate", "estyn")
        erw = portal.create_org("consortium", "erw")
        self.nominee = portal.create_user(erw, "erw/nominee")
        self.inspector = portal.create_user(estyn, "estyn/inspector")
        review = portal.create_review("Resumable", [estyn["id"]], [erw["id"]])
        portal.set_role(portal.admin, review.id, self.nominee, "nominee")
        portal.set_role(portal.admin, review.id, self.inspector, "inspector")
        portal.load_workspaces(review, self.inspector.client)
        self.workspace = review.workspaces[erw["id"]]["id"]


@pytest.fixture(scope="module")
def room(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Room]:
    """Its own gunicorn: files larger than the shared e2e server allows."""
    workdir = tmp_path_factory.mktemp("e2e-resumable")
    with fresh_database(workdir) as database_url:
        server = PortalServer(
            database_url=database_url,
            store_url=fresh_store_url(request, workdir),
            workdir=workdir,
            UPLOAD_MAX_BYTES=str(UPLOAD_MAX_BYTES),
            UPLOAD_PART_SIZE=str(PART_SIZE),
        )
        try:
            server.flask("init-db")
            server.flask(
                "create-admin", ADMIN_EMAIL, "--name", "Admin", "--password", PASSWORD
            )
            server.start()
            yield Room(Portal(server.base_url, UPLOAD_MAX_BYTES, ADMIN_EMAIL))
        finally:
            server.stop()


class Upload:
    """A client's resumable upload, written from the contract."""

    def __init__(self, client: Client, workspace: str, data: bytes, **body) -> None:
        self.client = client
        self.data = data
        begun = client.data(
            "POST",
            f"/workspaces/{workspace}/uploads",
            201,
            json={
                "filename": "interview.mp4",
                "size": len(data),
                "sha256": sha256(data),
                **body,
            },
        )
        assert_fields(begun, {"id", "part_size", "expires_at"}, "upload")
        assert_time(begun["expires_at"], "expires_at")
        self.id = begun["id"]
        self.part_size = begun["part_size"]
        assert isinstance(self.part_size, int) and self.part_size > 0
        self.count = -(-len(data) // self.part_size)

    def part(self, n: int) -> bytes:
        return self.data[(n - 1) * self.part_size : n * self.part_size]

    def put(self, n: int, expect: int | None = 200) -> requests.Response:
        return self.client.put(
            f"/uploads/{self.id}/parts/{n}",
            data=self.part(n),
            headers={"Content-Type": "application/octet-stream"},
            expect=expect,
        )

    def received(self) -> list[int]:
        state = self.client.data("GET", f"/uploads/{self.id}", 200)
        assert_fields(state, {"received", "size", "expires_at"}, "upload state")
        assert state["size"] == len(self.data)
        return list(state["received"])

    def resume(self) -> None:
        """Send every part the server does not have yet."""
        have = set(self.received())
        for n in range(1, self.count + 1):
            if n not in have:
                self.put(n)

    def complete(self, expect: int = 201, **body) -> requests.Response:
        return self.client.post(
            f"/uploads/{self.id}/complete", json=body, expect=expect
        )

    def drop_mid_part(self, n: int, fraction: float = 0.5) -> None:
        """Send part ``n``'s headers and some of its bytes, then cut the line."""
        url = urlsplit(self.client.base_url)
        body = self.part(n)
        head = (
            f"PUT {API}/uploads/{self.id}/parts/{n} HTTP/1.1\r\n"
            f"Host: {url.netloc}\r\n"
            f"Authorization: Bearer {self.client.token}\r\n"
            "Content-Type: application/octet-stream\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
            sock.sendall(head + body[: int(len(body) * fraction)])
            time.sleep(0.2)  # let the server start reading the part
            sock.shutdown(socket.SHUT_RDWR)


def mp4(size: int) -> bytes:
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return header + os.urandom(size - len(header))


def download(client: Client, item_id: str) -> bytes:
    return client.get(f"/evidence/{item_id}/content", expect=200).content


@pytest.fixture(scope="module")
def part_size(room: Room) -> int:
    """The server's part size (asked with a throw-away upload)."""
    probe = Upload(room.nominee.client, room.workspace, mp4(1000))
    room.nominee.client.delete(f"/uploads/{probe.id}", expect=204)
    return probe.part_size


def test_a_dropped_connection_resumes_from_the_parts_received(
    room: Room, part_size: int
) -> None:
    data = mp4(2 * part_size + 4321)
    upload = Upload(room.nominee.client, room.workspace, data)
    assert upload.count == 3
    upload.put(1)
    upload.drop_mid_part(2)
    # The half-sent part is not kept: the server has part 1 only.
    assert upload.received() == [1]
    # The line drops again, in the middle of the last part.
    upload.drop_mid_part(3, fraction=0.9)
    assert upload.received() == [1]
    upload.resume()
    assert upload.received() == [1, 2, 3]
    item = upload.complete().json()
    assert item["sha256"] == sha256(data)
    assert item["size"] == len(data)
    assert item["media_type"] == "video/mp4"
    assert download(room.inspector.client, item["id"]) == data
    # The session is over.
    expect_error(room.nominee.client.get(f"/uploads/{upload.id}"), 404, "not_found")


def test_a_dropped_first_part_then_resume(room: Room, part_size: int) -> None:
    data = mp4(part_size + 10)
    upload = Upload(room.nominee.client, room.workspace, data)
    upload.drop_mid_part(1, fraction=0.3)
    assert upload.received() == []
    upload.resume()
    assert download(room.nominee.client, upload.complete().json()["id"]) == data


def test_a_wrong_sha256_stores_nothing(room: Room, part_size: int) -> None:
    client = room.nominee.client
    before = client.walk(f"/workspaces/{room.workspace}/evidence", 200)
    data = mp4(part_size + 999)
    upload = Upload(client, room.workspace, data, sha256=sha256(b"not this file"))
    upload.resume()
    expect_error(upload.complete(expect=400), 400, "validation_error", ["sha256"])
    after = client.walk(f"/workspaces/{room.workspace}/evidence", 200)
    assert after == before
    expect_error(client.get(f"/uploads/{upload.id}"), 404, "not_found")


def test_parts_racing_each_other_corrupt_nothing(room: Room, part_size: int) -> None:
    """The same part several times at once, and completion racing a part:
    whatever wins, the stored file is the client's file."""
    data = mp4(2 * part_size + 77)
    upload = Upload(room.nominee.client, room.workspace, data)
    upload.put(1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _n: upload.put(2, expect=None), range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    upload.put(3)
    assert upload.received() == [1, 2, 3]
    with ThreadPoolExecutor(max_workers=2) as pool:
        late = pool.submit(upload.put, 3, None)
        done = pool.submit(upload.complete, 201)
        item = done.result().json()
        # A part arriving as the upload completes is accepted before it,
        # refused during it (409), or finds it gone (404).
        assert late.result().status_code in (200, 404, 409)
    assert item["sha256"] == sha256(data)
    assert download(room.inspector.client, item["id"]) == data


def test_others_cannot_see_or_touch_it(room: Room, part_size: int) -> None:
    upload = Upload(room.nominee.client, room.workspace, mp4(1000))
    inspector = room.inspector.client
    expect_error(inspector.get(f"/uploads/{upload.id}"), 404, "not_found")
    expect_error(
        inspector.put(f"/uploads/{upload.id}/parts/1", data=upload.part(1)),
        404,
        "not_found",
    )
    expect_error(
        inspector.post(f"/uploads/{upload.id}/complete", json={}), 404, "not_found"
    )
    expect_error(inspector.delete(f"/uploads/{upload.id}"), 404, "not_found")
    assert upload.received() == []
    room.nominee.client.delete(f"/uploads/{upload.id}", expect=204)
    expect_error(room.nominee.client.get(f"/uploads/{upload.id}"), 404, "not_found")


def test_two_parts_at_a_time(room: Room, part_size: int) -> None:
    """A client with two parts in flight (in order, overlapping)."""
    data = mp4(4 * part_size + 5)
    upload = Upload(room.nominee.client, room.workspace, data)
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(upload.put, range(1, upload.count + 1)))
    assert all(a.status_code == 200 for a in answers)
    item = upload.complete().json()
    assert item["sha256"] == sha256(data)
    assert download(room.inspector.client, item["id"]) == data
