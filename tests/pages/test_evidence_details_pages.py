"""An evidence item's pages: its reference, classification and other
details, changing them, and its versions (uploading and downloading each)."""

from __future__ import annotations

import hashlib
import io

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.evidence.models import EvidenceFile, EvidenceItem
from support.pages import PageClient, csrf_token, heading
from support.stored import stored_state
from support.world import World


@pytest.fixture
def page(client, world: World) -> PageClient:
    browser = PageClient(client)
    assert browser.sign_in(world.users["contributor"].email).status_code == 302
    return browser


def upload_page(page: PageClient, world: World, fields: dict, files, **kwargs):
    token = csrf_token(page.text(f"/workspaces/{world.ws.id}"))
    return page.client.post(
        f"/workspaces/{world.ws.id}/upload",
        data={"csrf_token": token, **fields, "file": files},
        content_type="multipart/form-data",
        **kwargs,
    )


def only_item() -> EvidenceItem:
    return db.session.scalars(sa.select(EvidenceItem)).one()


def test_upload_form_details_apply_to_every_file(page, world: World) -> None:
    response = upload_page(
        page,
        world,
        {
            "classification": "OFFICIAL-SENSITIVE",
            "personal_data": "true",
            "effective_date-day": "27",
            "effective_date-month": "3",
            "effective_date-year": "2026",
            "themes": "Leadership, Safeguarding",
        },
        [(io.BytesIO(b"one\n"), "one.txt"), (io.BytesIO(b"two\n"), "two.txt")],
        follow_redirects=True,
    )
    assert response.status_code == 200
    items = db.session.scalars(sa.select(EvidenceItem).order_by(EvidenceItem.number))
    found = [
        (i.reference, i.classification.value, i.personal_data, str(i.effective_date))
        for i in items
    ]
    assert found == [
        ("ERW-001", "OFFICIAL-SENSITIVE", True, "2026-03-27"),
        ("ERW-002", "OFFICIAL-SENSITIVE", True, "2026-03-27"),
    ]
    html = response.get_data(as_text=True)
    # The list shows each item's reference and marking.
    assert "ERW-001" in html and "ERW-002" in html
    assert html.count("OFFICIAL-SENSITIVE</strong>") == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"classification": "SECRET"}, "Must be OFFICIAL or OFFICIAL-SENSITIVE."),
        (
            {"effective_date-day": "31", "effective_date-month": "2"},
            "Enter a real date, for example 27 3 2026.",
        ),
        ({"themes": ",".join(f"t{n}" for n in range(11))}, "Give at most 10 themes."),
    ],
)
def test_bad_details_upload_nothing(
    fields: dict, message: str, page, world: World, store
) -> None:
    before = stored_state(store)
    response = upload_page(
        page,
        world,
        fields,
        [(io.BytesIO(b"one\n"), "one.txt")],
        follow_redirects=True,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nothing was uploaded." in html
    assert message in html
    assert stored_state(store) == before


def test_item_page_shows_details_and_versions(page, world: World) -> None:
    upload_page(
        page,
        world,
        {"classification": "OFFICIAL-SENSITIVE", "themes": "Leadership"},
        [(io.BytesIO(b"first\n"), "minutes.txt")],
    )
    item = only_item()
    html = page.text(f"/evidence/{item.id}")
    assert heading(html) == "minutes.txt"
    assert "ERW-001" in html
    assert "OFFICIAL-SENSITIVE" in html
    assert "Leadership" in html
    assert "No personal data" in html
    assert "Download version 1" in html

    token = csrf_token(html)
    response = page.client.post(
        f"/evidence/{item.id}/versions",
        data={"csrf_token": token, "file": (io.BytesIO(b"second\n"), "minutes-2.txt")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Version 2 of ERW-001 was uploaded." in html
    assert "Download version 2" in html
    assert hashlib.sha256(b"second\n").hexdigest() in html
    assert hashlib.sha256(b"first\n").hexdigest() in html
    first = page.get(f"/evidence/{item.id}/download?version=1")
    assert first.data == b"first\n"
    assert (
        "ERW-001%20OFFICIAL-SENSITIVE%20minutes.txt"
        in (first.headers["Content-Disposition"])
    )
    assert page.get(f"/evidence/{item.id}/download").data == b"second\n"
    assert page.get(f"/evidence/{item.id}/download?version=3").status_code == 404
    assert page.get(f"/evidence/{item.id}/download?version=x").status_code == 404


def test_refused_version_is_reported_and_nothing_stored(
    page, world: World, store
) -> None:
    upload_page(page, world, {}, [(io.BytesIO(b"first\n"), "minutes.txt")])
    item = only_item()
    before = stored_state(store)
    token = csrf_token(page.text(f"/evidence/{item.id}"))
    response = page.client.post(
        f"/evidence/{item.id}/versions",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(b"<html><script>x</script></html>"), "x.html"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "The new version was not uploaded." in response.get_data(as_text=True)
    no_token = page.client.post(
        f"/evidence/{item.id}/versions",
        data={"file": (io.BytesIO(b"second\n"), "m.txt")},
        content_type="multipart/form-data",
    )
    assert no_token.status_code == 400
    assert stored_state(store) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile)) == 1


def test_change_the_details(page, world: World) -> None:
    upload_page(page, world, {}, [(io.BytesIO(b"first\n"), "minutes.txt")])
    item = only_item()
    form = page.text(f"/evidence/{item.id}/edit")
    assert heading(form) == "Change the details"
    response = page.submit(
        f"/evidence/{item.id}/edit",
        {
            "title": "Minutes of the board",
            "description": "",
            "effective_date": ["1", "9", "2025"],
            "themes": "Safeguarding, Leadership",
            "classification": "OFFICIAL-SENSITIVE",
            "personal_data": "y",
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "The details of ERW-001 were saved." in html
    db.session.expire_all()
    changed = only_item()
    assert changed.title == "Minutes of the board"
    assert str(changed.effective_date) == "2025-09-01"
    assert sorted(changed.themes) == ["Leadership", "Safeguarding"]
    assert changed.classification.value == "OFFICIAL-SENSITIVE"
    assert changed.personal_data is True


def date_fields(day: str, month: str, year: str) -> dict[str, list[str]]:
    # GOV.UK's date input sends its three boxes under one name.
    return {"effective_date": [day, month, year]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"classification": "SECRET"}, "Not a valid choice"),
        (date_fields("30", "2", "2026"), "The date must be a real date"),
        (date_fields("1", "1", ""), "Enter the date as a day, a month and a year"),
        (date_fields("1", "1", "2999"), "cannot be in the future"),
        ({"themes": "x" * 101}, "at most 100 characters"),
    ],
)
def test_bad_details_change_nothing(
    fields: dict, message: str, page, world: World
) -> None:
    upload_page(page, world, {}, [(io.BytesIO(b"first\n"), "minutes.txt")])
    item = only_item()
    data = {"title": "New title", "classification": "OFFICIAL", **fields}
    response = page.submit(f"/evidence/{item.id}/edit", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert message in html
    db.session.expire_all()
    assert only_item().title == "minutes.txt"


def test_observers_may_not_change_details(app, page, world: World) -> None:
    upload_page(page, world, {}, [(io.BytesIO(b"first\n"), "m.txt")])
    item = only_item()
    observer = PageClient(app.test_client())
    observer.sign_in(world.users["observer"].email)
    html = observer.text(f"/evidence/{item.id}")
    assert "Change the details" not in html
    assert "Upload a new version" not in html
    assert observer.get(f"/evidence/{item.id}/edit").status_code == 403
