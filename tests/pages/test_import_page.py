"""The ZIP import page: /workspaces/ID/import (the form, the result, refusals)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.evidence.models import Classification, EvidenceFile, EvidenceItem
from support.pages import PageClient, csrf_token, heading
from support.world import World

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
PDF = (FILES / "report.pdf").read_bytes()
TXT = (FILES / "notes.txt").read_bytes()


def make_zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def signed_in(client, world: World, who: str) -> PageClient:
    browser = PageClient(client)
    assert browser.sign_in(world.users[who].email).status_code == 302
    return browser


@pytest.fixture
def page(client, world: World) -> PageClient:
    return signed_in(client, world, "contributor")


def send(page: PageClient, world: World, content: bytes | None, **fields: str):
    """Post the form as a browser does: the token and details, then the file
    (no file chosen: an empty part with an empty name). Built by hand, as
    Werkzeug's test encoder drops the line break that ends an empty file."""
    token = csrf_token(page.text(f"/workspaces/{world.ws.id}/import"))
    body = b""
    for name, value in {"csrf_token": token, **fields}.items():
        body += (
            f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    filename = "pack.zip" if content is not None else ""
    body += (
        f'--b\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += (content or b"") + b"\r\n--b--\r\n"
    return page.client.post(
        f"/workspaces/{world.ws.id}/import",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )


def rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile)) or 0


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_workspace_page_links_to_the_import(world: World, client, store) -> None:
    link = f'href="/workspaces/{world.ws.id}/import"'
    assert link in signed_in(client, world, "contributor").text(
        f"/workspaces/{world.ws.id}"
    )
    observer = signed_in(client.application.test_client(), world, "observer")
    assert link not in observer.text(f"/workspaces/{world.ws.id}")


def test_the_form(world: World, page: PageClient, store) -> None:
    response = page.get(f"/workspaces/{world.ws.id}/import")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert heading(html) == "Import a ZIP file"
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".zip,application/zip"' in html
    # The token comes before the file: the ZIP streams, the token is read first.
    assert html.index('name="csrf_token"') < html.index('type="file"')
    assert "up to 1000 files and folders" in text_of(html)


def test_importing_lists_what_was_imported_and_what_was_not(
    world: World, page: PageClient, store
) -> None:
    data = make_zip(
        [
            ("Minutes/report.pdf", PDF),
            ("site/page.html", (FILES / "page.html").read_bytes()),
            ("notes.txt", TXT),
        ]
    )
    response = send(page, world, data, classification="OFFICIAL-SENSITIVE")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert heading(html) == "ZIP file imported"
    text = text_of(html)
    items = db.session.scalars(sa.select(EvidenceItem)).all()
    assert {i.title for i in items} == {"report.pdf", "notes.txt"}
    assert {i.classification for i in items} == {Classification.OFFICIAL_SENSITIVE}
    for item in items:
        assert f'href="/evidence/{item.id}"' in html
        assert item.reference in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "Minutes/report.pdf" in text
    # The refused entry, with its reason.
    assert "site/page.html" in text
    assert "text/html are not accepted" in text


@pytest.mark.parametrize(
    ("content", "status", "problem"),
    [
        (None, 400, "Choose a ZIP file to import."),
        (PDF, 415, "This is not a ZIP file"),
        (make_zip([("../evil.pdf", PDF)]), 400, "outside its own folders"),
        (b"PK\x03\x04" + b"\x00" * 100, 400, "damaged"),
    ],
    ids=["no file", "not a zip", "traversal", "damaged"],
)
def test_a_refused_zip_shows_the_form_with_the_problem(
    content: bytes | None,
    status: int,
    problem: str,
    world: World,
    page: PageClient,
    store,
) -> None:
    response = send(page, world, content)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert '<a href="#file">' in html
    assert problem in text_of(html)
    assert "<title>Error:" in html
    assert rows() == 0
    assert list(store.iter_keys()) == []


def test_without_the_csrf_token_nothing_is_read(
    world: World, page: PageClient, store
) -> None:
    response = page.client.post(
        f"/workspaces/{world.ws.id}/import",
        data={"file": (io.BytesIO(make_zip([("a.pdf", PDF)])), "pack.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert rows() == 0
    assert list(store.iter_keys()) == []


def test_roles_that_may_not_upload_get_403(world: World, client, store) -> None:
    observer = signed_in(client, world, "observer")
    assert observer.get(f"/workspaces/{world.ws.id}/import").status_code == 403
    outsider = signed_in(client.application.test_client(), world, "csc_nominee")
    assert outsider.get(f"/workspaces/{world.ws.id}/import").status_code == 404


def test_the_page_in_welsh(world: World, page: PageClient, store) -> None:
    html = page.text(f"/workspaces/{world.ws.id}/import?lang=cy", follow_redirects=True)
    assert '<html lang="cy"' in html
    assert 'name="csrf_token"' in html
