"""A worker killed in the middle of an upload loses nothing and leaves no row.

A real gunicorn, a real upload over a socket, SIGKILL to the worker that is
receiving it. Afterwards: no evidence row, the store holds only leftovers of
the interrupted save (a temporary file, an unfinished multipart upload),
and the sweeper removes those. The portal keeps serving.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from evidence_store import open_store
from support.server import PortalServer, fresh_database, fresh_store_url

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple 42"
MIB = 1024 * 1024


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PortalServer]:
    with fresh_database(tmp_path) as database_url:
        portal = PortalServer(
            database_url=database_url,
            store_url=fresh_store_url(request, tmp_path),
            workdir=tmp_path,
            workers=1,
            UPLOAD_MAX_BYTES=str(64 * MIB),
        )
        portal.flask("init-db")
        portal.flask(
            "create-admin", "root@example.org", "--name", "Root", "--password", PASSWORD
        )
        portal.start()
        try:
            yield portal
        finally:
            portal.stop()


def api(server: PortalServer, method: str, path: str, token: str | None = None, **kw):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request(
        method, f"{server.base_url}/api/v1{path}", headers=headers, timeout=30, **kw
    )
    assert response.status_code < 300, (path, response.status_code, response.text)
    return response.json() if response.content else None


def workspace_and_token(server: PortalServer) -> tuple[str, str]:
    admin = api(
        server,
        "POST",
        "/auth/token",
        json={"email": "root@example.org", "password": PASSWORD},
    )["token"]
    estyn = api(
        server,
        "POST",
        "/organisations",
        admin,
        json={"slug": "estyn", "name": "Estyn", "kind": "inspectorate"},
    )
    erw = api(
        server,
        "POST",
        "/organisations",
        admin,
        json={"slug": "erw", "name": "ERW", "kind": "consortium"},
    )
    user = api(
        server,
        "POST",
        "/users",
        admin,
        json={
            "email": "n@example.org",
            "name": "N",
            "organisation_id": erw["id"],
            "password": PASSWORD,
        },
    )
    review = api(
        server,
        "POST",
        "/reviews",
        admin,
        json={"title": "T", "inspecting": [estyn["id"]], "reviewed": [erw["id"]]},
    )
    api(
        server,
        "PUT",
        f"/reviews/{review['id']}/members/{user['id']}",
        admin,
        json={"role": "nominee"},
    )
    token = api(
        server,
        "POST",
        "/auth/token",
        json={"email": "n@example.org", "password": PASSWORD},
    )["token"]
    workspace = api(server, "GET", f"/reviews/{review['id']}/workspaces", token)[
        "items"
    ][0]["id"]
    return workspace, token


def test_killing_the_worker_mid_upload(server: PortalServer) -> None:
    workspace, token = workspace_and_token(server)
    declared = 40 * MIB
    boundary = "killtestboundary"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="recording.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    content_length = len(head) + declared + len(tail)
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(
        (
            f"POST /api/v1/workspaces/{workspace}/evidence HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\n"
            f"Authorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {content_length}\r\n\r\n"
        ).encode()
        + head
    )
    # 20 MiB of a 40 MiB recording: enough for the S3 store to have begun a
    # multipart upload and the filesystem store to be writing its temp file.
    block = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(MIB - 24)
    for _ in range(20):
        sock.sendall(block)
    time.sleep(1.5)  # let the worker store what it has read
    (worker,) = server.worker_pids()
    os.kill(worker, signal.SIGKILL)
    sock.close()

    # gunicorn replaces the worker; the portal answers again.
    deadline = time.monotonic() + 30
    while worker in server.worker_pids() or not server.worker_pids():
        assert time.monotonic() < deadline, server.log_text()
        time.sleep(0.2)
    server.wait_ready()

    engine = sa.create_engine(server.env["DATABASE_URL"])
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM evidence_items")) == 0
        assert connection.scalar(sa.text("SELECT count(*) FROM evidence_files")) == 0
    engine.dispose()
    store = open_store(server.env["EVIDENCE_STORE"])
    assert list(store.iter_keys()) == []  # nothing under a final key

    swept = server.flask("sweep-storage", "--older-than-hours", "0")
    assert "Removed 0 orphan blob(s)" in swept.stdout
    assert "Removed 1 stale temporary upload(s)" in swept.stdout, swept.stdout
    again = server.flask("sweep-storage", "--older-than-hours", "0")
    assert "Removed 0 stale temporary upload(s)" in again.stdout

    # And the next upload works.
    response = requests.post(
        f"{server.base_url}/api/v1/workspaces/{workspace}/evidence",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("notes.txt", b"after the crash", "text/plain")},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    assert len(list(store.iter_keys())) == 1
    store.close()
