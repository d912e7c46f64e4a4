"""Large files in the browser: a resumable upload, part by part, that
survives dropped requests and a reload, and arrives byte for byte.

The workspace form sends files over its ``data-resumable-threshold`` (50 MiB
by default) through an upload session; these tests lower the threshold on
the page so that a file of a few parts (the server's part size) is enough.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, Route, expect

from .browser_support import NOMINEE, Browsers, Demo

pytestmark = pytest.mark.slow

PART_URL = re.compile(r"/uploads/[0-9a-f-]{36}/parts/(\d+)$")
MP4_HEADER = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def part_size(demo: Demo) -> int:
    """The server's part size: begin (and cancel) a session through the API."""
    http = demo.api(NOMINEE)
    begun = http.post(
        demo.url(f"/api/v1/workspaces/{demo.workspaces['erw']}/uploads"),
        json={"filename": "probe.mp4", "size": 1000, "sha256": "a" * 64},
        timeout=30,
    )
    assert begun.status_code == 201, begun.text
    http.delete(demo.url(f"/api/v1/uploads/{begun.json()['id']}"), timeout=30)
    return int(begun.json()["part_size"])


def recording(tmp_path: Path, size: int, name: str = "interview.mp4") -> Path:
    path = tmp_path / name
    path.write_bytes(MP4_HEADER + os.urandom(size - len(MP4_HEADER)))
    return path


def open_form(page: Page, demo: Demo) -> None:
    page.goto(demo.erw + "?lang=en")
    expect(page.locator("body.js-enabled")).to_have_count(1)
    form = page.locator("form[data-module=app-upload]")
    assert int(form.get_attribute("data-resumable-threshold") or 0) == 50 * 1024**2
    # Files over 1 MB go through a session (the server's setting is 50 MiB).
    form.evaluate("form => { form.dataset.resumableThreshold = '1000000'; }")


def choose_and_upload(page: Page, path: Path) -> None:
    page.locator("form[data-module=app-upload] input[type=file]").set_input_files(path)
    page.get_by_role("button", name="Upload", exact=True).click()


def uploaded_bytes(demo: Demo, page: Page) -> tuple[bytes, str]:
    """The stored file behind the row's "Upload complete" link, through the
    API; and the item's id."""
    link = page.locator(".app-upload-list__status a")
    expect(link).to_have_count(1, timeout=120_000)
    item_id = (link.get_attribute("href") or "").rsplit("/", 1)[-1]
    content = demo.api(NOMINEE).get(
        demo.url(f"/api/v1/evidence/{item_id}/content"), timeout=60
    )
    assert content.status_code == 200
    return content.content, item_id


def withdraw(demo: Demo, item_id: str) -> None:
    """Leave the demo's list as it was, for the other browser tests."""
    answer = demo.api(NOMINEE).delete(demo.url(f"/api/v1/evidence/{item_id}"))
    assert answer.status_code == 204


def test_dropped_part_requests_are_sent_again(
    browsers: Browsers, demo: Demo, tmp_path: Path
) -> None:
    size = part_size(demo)
    path = recording(tmp_path, 2 * size + 12345)
    page = browsers.page(NOMINEE)
    open_form(page, demo)
    attempts: Counter[int] = Counter()

    def drop_first_attempt(route: Route) -> None:
        match = PART_URL.search(route.request.url)
        assert match is not None
        number = int(match.group(1))
        attempts[number] += 1
        if attempts[number] == 1:
            route.abort("connectionreset")  # the line drops mid-part
        else:
            route.continue_()

    page.route(PART_URL, drop_first_attempt)
    choose_and_upload(page, path)
    row = page.locator(".app-upload-list__item")
    expect(row).to_contain_text("interview.mp4")
    data, item_id = uploaded_bytes(demo, page)
    try:
        assert data == path.read_bytes()
        assert attempts == {1: 2, 2: 2, 3: 2}
        expect(page.locator(".app-upload-list__status--error")).to_have_count(0)
        expect(page.locator("progress")).to_have_js_property("value", 100)
        # The session is over: nothing left to resume.
        stored = page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('portal-upload:'))"
        )
        assert stored == []
    finally:
        withdraw(demo, item_id)


def test_a_reload_resumes_from_the_parts_received(
    browsers: Browsers, demo: Demo, tmp_path: Path
) -> None:
    size = part_size(demo)
    path = recording(tmp_path, 2 * size + 999, "board-meeting.mp4")
    context = browsers.context(NOMINEE)
    first = context.new_page()
    open_form(first, demo)
    # The connection goes down after part 1: no later part gets through
    # (the page sends two parts at a time, so part 2 fails as part 1 goes).
    first.route(
        PART_URL,
        lambda route: (
            route.continue_()
            if route.request.url.endswith("/parts/1")
            else route.abort("internetdisconnected")
        ),
    )
    choose_and_upload(first, path)
    status = first.locator(".app-upload-list__status")
    expect(status).to_contain_text("Connection lost: trying again", timeout=60_000)
    session_id = first.evaluate(
        "Object.entries(localStorage)"
        ".filter(([k]) => k.startsWith('portal-upload:')"
        " && k.includes('board-meeting.mp4'))[0][1]"
    )
    http: requests.Session = demo.api(NOMINEE)
    received: list[int] = []
    for _ in range(60):  # part 1 may still be on its way
        state = http.get(demo.url(f"/api/v1/uploads/{session_id}"), timeout=30)
        received = state.json()["received"]
        if received:
            break
        time.sleep(0.5)
    assert received == [1]
    first.close()  # the user gives up and comes back later

    second = context.new_page()
    open_form(second, demo)
    sent: Counter[int] = Counter()

    def count(route: Route) -> None:
        match = PART_URL.search(route.request.url)
        assert match is not None
        sent[int(match.group(1))] += 1
        route.continue_()

    second.route(PART_URL, count)
    choose_and_upload(second, path)  # the same file again
    data, item_id = uploaded_bytes(demo, second)
    try:
        assert data == path.read_bytes()
        assert sent == {2: 1, 3: 1}  # part 1 was not sent again
        gone = http.get(demo.url(f"/api/v1/uploads/{session_id}"), timeout=30)
        assert gone.status_code == 404
    finally:
        withdraw(demo, item_id)


def test_small_files_still_go_in_one_request(
    browsers: Browsers, demo: Demo, tmp_path: Path
) -> None:
    """Under the threshold nothing changes: one POST of the form, no session."""
    path = recording(tmp_path, 5000, "clip.mp4")
    page = browsers.page(NOMINEE)
    page.goto(demo.erw + "?lang=en")
    sessions: list[str] = []
    page.on(
        "request",
        lambda r: sessions.append(r.url) if "/uploads" in r.url else None,
    )
    with page.expect_response(lambda r: r.url.endswith("/upload")) as answer:
        choose_and_upload(page, path)
    assert answer.value.status == 200
    data, item_id = uploaded_bytes(demo, page)
    try:
        assert data == path.read_bytes()
        assert sessions == []
    finally:
        withdraw(demo, item_id)
