"""The workspace page's side of resumable uploads: the endpoints its script
calls on the session cookie, with the page's CSRF token in a header."""

from __future__ import annotations

import hashlib
import os
import re

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.evidence.models import EvidenceItem
from app.resumable.models import UploadSession
from support.pages import PageClient, csrf_token
from support.world import World

JSON = "application/json"


@pytest.fixture
def page(client, world: World, app, monkeypatch) -> PageClient:
    monkeypatch.setitem(app.config, "UPLOAD_PART_SIZE", 256 * 1024)
    browser = PageClient(client)
    assert browser.sign_in(world.users["nominee"].email).status_code == 302
    return browser


@pytest.fixture
def token(page: PageClient, world: World) -> str:
    return csrf_token(page.text(f"/workspaces/{world.ws.id}"))


def call(page: PageClient, method: str, path: str, token: str | None, **kw):
    headers = {"Accept": JSON}
    if token:
        headers["X-CSRFToken"] = token
    return page.client.open(path, method=method, headers=headers, **kw)


def begin(page: PageClient, world: World, token: str, data: bytes):
    return call(
        page,
        "POST",
        f"/workspaces/{world.ws.id}/uploads",
        token,
        json={
            "filename": "recording.pdf",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )


def test_the_form_says_where_and_from_what_size(
    page: PageClient, world: World, app, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "RESUMABLE_UPLOAD_THRESHOLD", 1234)
    html = page.text(f"/workspaces/{world.ws.id}")
    form = re.search(r'<form[^>]*data-module="app-upload"[^>]*>', html)
    assert form is not None
    tag = form.group(0)
    assert 'data-resumable-threshold="1234"' in tag
    assert f'data-resumable-begin="/workspaces/{world.ws.id}/uploads"' in tag
    assert 'data-resumable-sessions="/uploads/"' in tag


def test_default_threshold_is_50_mib(page: PageClient, world: World) -> None:
    html = page.text(f"/workspaces/{world.ws.id}")
    assert f'data-resumable-threshold="{50 * 1024 * 1024}"' in html


def test_a_whole_upload_from_the_page_with_its_metadata(
    page: PageClient, world: World, token: str, store
) -> None:
    data = b"%PDF-1.7\n" + os.urandom(600 * 1024)
    begun = begin(page, world, token, data)
    assert begun.status_code == 201, begun.get_json()
    session = begun.get_json()
    size = session["part_size"]
    count = -(-len(data) // size)
    for n in range(count, 0, -1):
        sent = call(
            page,
            "PUT",
            f"/uploads/{session['id']}/parts/{n}",
            token,
            data=data[(n - 1) * size : n * size],
            content_type="application/octet-stream",
        )
        assert sent.status_code == 200, sent.get_json()
    state = call(page, "GET", f"/uploads/{session['id']}", None)
    assert state.get_json()["received"] == list(range(1, count + 1))
    done = call(
        page,
        "POST",
        f"/uploads/{session['id']}/complete",
        token,
        json={
            "fields": {
                "csrf_token": "ignored",
                "classification": "OFFICIAL-SENSITIVE",
                "personal_data": "true",
                "themes": "Leadership, Safeguarding",
                "effective_date-day": "27",
                "effective_date-month": "3",
                "effective_date-year": "2026",
            }
        },
    )
    assert done.status_code == 201, done.get_json()
    item = done.get_json()
    assert item["url"] == f"/evidence/{item['id']}"
    assert item["sha256"] == hashlib.sha256(data).hexdigest()
    assert item["classification"] == "OFFICIAL-SENSITIVE"
    assert item["personal_data"] is True
    assert item["themes"] == ["Leadership", "Safeguarding"]
    assert item["effective_date"] == "2026-03-27"
    assert page.get(item["url"]).status_code == 200


def test_bad_metadata_is_refused_before_the_parts_are_joined(
    page: PageClient, world: World, token: str, store
) -> None:
    data = b"%PDF-1.7\n" + os.urandom(1000)
    session = begin(page, world, token, data).get_json()
    call(
        page,
        "PUT",
        f"/uploads/{session['id']}/parts/1",
        token,
        data=data,
        content_type="application/octet-stream",
    )
    for fields, bad in [
        ({"classification": "SECRET"}, "classification"),
        ({"effective_date-day": "31", "effective_date-month": "2"}, "effective_date"),
        ({"themes": "x" * 2000}, "themes"),
    ]:
        url = f"/uploads/{session['id']}/complete"
        refused = call(page, "POST", url, token, json={"fields": fields})
        assert refused.status_code == 400, fields
        assert bad in refused.get_json()["error"]["fields"], refused.get_json()
    assert list(store.iter_keys()) == []
    assert db.session.scalar(sa.select(sa.func.count(EvidenceItem.id))) == 0
    url = f"/uploads/{session['id']}/complete"
    assert call(page, "POST", url, token, json={}).status_code == 201


def test_without_the_csrf_token_nothing_happens(
    page: PageClient, world: World, token: str, store
) -> None:
    data = b"%PDF-1.7\n" + os.urandom(1000)
    refused = begin(page, world, "", data)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "validation_error"
    assert db.session.scalar(sa.select(sa.func.count(UploadSession.id))) == 0

    session = begin(page, world, token, data).get_json()
    for bad in ("", "forged-token"):
        part = call(
            page,
            "PUT",
            f"/uploads/{session['id']}/parts/1",
            bad,
            data=data,
            content_type="application/octet-stream",
        )
        assert part.status_code == 400
        assert part.get_json()["error"]["code"] == "validation_error"
    assert (
        call(page, "GET", f"/uploads/{session['id']}", None).get_json()["received"]
        == []
    )
    url = f"/uploads/{session['id']}"
    assert call(page, "POST", url + "/complete", "", json={}).status_code == 400
    assert call(page, "DELETE", url, "").status_code == 400
    assert call(page, "DELETE", url, token).status_code == 204


def test_signed_out_is_401_json_not_a_redirect(client, world: World) -> None:
    answer = client.get(
        "/uploads/00000000-0000-0000-0000-000000000000", headers={"Accept": JSON}
    )
    assert answer.status_code == 401
    assert "sign in" in answer.get_json()["error"]["message"].lower()


def test_another_users_session_is_404(
    page: PageClient, world: World, token: str, client, app
) -> None:
    data = b"%PDF-1.7\n" + os.urandom(1000)
    session = begin(page, world, token, data).get_json()
    other_client = app.test_client()
    other = PageClient(other_client)
    assert other.sign_in(world.users["contributor"].email).status_code == 302
    other_token = csrf_token(other.text(f"/workspaces/{world.ws.id}"))
    url = f"/uploads/{session['id']}"
    assert call(other, "GET", url, None).status_code == 404
    assert call(other, "DELETE", url, other_token).status_code == 404
    put = call(
        other,
        "PUT",
        url + "/parts/1",
        other_token,
        data=data,
        content_type="application/octet-stream",
    )
    assert put.status_code == 404
    assert put.get_json()["error"]["code"] == "not_found"
