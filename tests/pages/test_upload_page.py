"""The workspace page's upload form: several files at once, streamed,
working without JavaScript, and with its script's JSON answers."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.evidence.models import EvidenceFile
from support.pages import PageClient, csrf_token, heading
from support.world import World

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "files"


@pytest.fixture
def page(client, world: World) -> PageClient:
    browser = PageClient(client)
    assert browser.sign_in(world.users["contributor"].email).status_code == 302
    return browser


def upload(
    page: PageClient, world: World, files, *, token: str | None = None, **kwargs
):
    if token is None:
        token = csrf_token(page.text(f"/workspaces/{world.ws.id}"))
    data = {"csrf_token": token, "file": files} if token else {"file": files}
    return page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data=data,
        content_type="multipart/form-data",
        **kwargs,
    )


def test_several_files_at_once_without_javascript(world: World, page, store) -> None:
    pdf = (FILES / "report.pdf").read_bytes()
    csv = (FILES / "attendance.csv").read_bytes()
    response = upload(
        page,
        world,
        [(io.BytesIO(pdf), "report.pdf"), (io.BytesIO(csv), "attendance.csv")],
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Uploaded: report.pdf, attendance.csv." in html
    assert html.count('href="/evidence/') == 2
    stored = {row.sha256 for row in db.session.scalars(sa.select(EvidenceFile))}
    assert stored == {hashlib.sha256(pdf).hexdigest(), hashlib.sha256(csv).hexdigest()}


def multipart(token: str, files: list[tuple[str, bytes]]) -> bytes:
    """A form body as browsers send it (Werkzeug's test encoder drops the line
    break that ends an empty file)."""
    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b"\r\n"
    )
    for name, content in files:
        body += (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="'
            + name.encode()
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + content
            + b"\r\n"
        )
    return body + b"--b--\r\n"


def test_a_refused_file_does_not_stop_the_others(world: World, page, store) -> None:
    token = csrf_token(page.text(f"/workspaces/{world.ws.id}"))
    response = page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data=multipart(
            token,
            [
                ("page.html", (FILES / "page.html").read_bytes()),
                ("empty.txt", b""),
                ("minutes.txt", b"minutes of the meeting"),
            ],
        ),
        content_type="multipart/form-data; boundary=b",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Uploaded: minutes.txt." in html
    assert "Not uploaded: page.html. Files of type text/html are not accepted" in html
    assert "Not uploaded: empty.txt. The file is empty." in html
    assert len(list(store.iter_keys())) == 1


def test_the_script_gets_json(world: World, page, store) -> None:
    token = csrf_token(page.text(f"/workspaces/{world.ws.id}"))
    response = page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data={"file": [(io.BytesIO(b"x,y\n1,2\n"), "data.csv")]},
        content_type="multipart/form-data",
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    (result,) = response.get_json()["files"]
    assert result["ok"] is True and result["name"] == "data.csv"
    assert page.get(result["url"]).status_code == 200


def test_the_script_gets_json_errors_too(world: World, page) -> None:
    response = page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data={"file": [(io.BytesIO(b"x"), "x.txt")]},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"


def test_no_csrf_token_no_upload(world: World, page, store) -> None:
    response = upload(page, world, [(io.BytesIO(b"hello"), "h.txt")], token="")
    assert response.status_code == 400
    assert heading(response.get_data(as_text=True)) == "This form has expired"
    assert list(store.iter_keys()) == []


def test_a_token_after_the_files_is_too_late(world: World, page, store) -> None:
    token = csrf_token(page.text(f"/workspaces/{world.ws.id}"))
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        b'hello\r\n--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b"\r\n--b--\r\n"
    )
    response = page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 400
    assert list(store.iter_keys()) == []


def test_choosing_no_file_says_so(world: World, page) -> None:
    token = csrf_token(page.text(f"/workspaces/{world.ws.id}"))
    response = page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data={"csrf_token": token},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Choose one or more files to upload." in response.get_data(as_text=True)


def test_observers_see_no_upload_form(world: World, client) -> None:
    observer = PageClient(client)
    observer.sign_in(world.users["observer"].email)
    assert 'enctype="multipart/form-data"' not in observer.text(
        f"/workspaces/{world.ws.id}"
    )


def test_withdraw_asks_first(world: World, client, api) -> None:
    item = api("contributor").upload(world.ws.id, b"to go", "go.txt").get_json()
    nominee = PageClient(client)
    nominee.sign_in(world.users["nominee"].email)
    confirm = nominee.text(f"/evidence/{item['id']}/withdraw")
    assert heading(confirm) == "Are you sure you want to withdraw this evidence?"
    assert api("inspector").get(f"/evidence/{item['id']}").status_code == 200
    response = nominee.submit(
        f"/evidence/{item['id']}/withdraw", {}, follow_redirects=True
    )
    assert "was withdrawn" in response.get_data(as_text=True)
    assert api("inspector").get(f"/evidence/{item['id']}").status_code == 404


def test_download_from_the_page_is_the_exact_file(world: World, page, api) -> None:
    content = (FILES / "photo.jpg").read_bytes()
    item = api("nominee").upload(world.ws.id, content, "Llun ŵyn.jpg").get_json()
    response = page.get(f"/evidence/{item['id']}/download")
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''ERW-001%20OFFICIAL%20Llun%20%C5%B5yn.jpg"
        in response.headers["Content-Disposition"]
    )
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    item_page = page.text(f"/evidence/{item['id']}")
    assert hashlib.sha256(content).hexdigest() in item_page
