"""Records, in a real browser: a lead officer closing a review exports its
record by the keyboard and gets one ZIP whose every file verifies; the
audit trail then shows the export."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .browser_support import LEAD, Browsers, Demo

pytestmark = pytest.mark.slow


def test_a_lead_officer_exports_a_workspace(
    browsers: Browsers, demo: Demo, tmp_path: Path
) -> None:
    page = browsers.page(LEAD)
    page.goto(f"/reviews/{demo.review_id}?lang=en")
    page.get_by_role("link", name="Export the record").click()
    expect(page.locator("main h1")).to_have_text("Export the record")
    link = page.get_by_role("link", name="Download ERW")
    link.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith("export.zip")
    saved = tmp_path / "export.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        assert {"manifest.csv", "manifest.html", "audit.csv", "SHA256SUMS"} <= names
        evidence = [n for n in names if n.startswith("ERW/")]
        assert evidence, names
        for line in archive.read("SHA256SUMS").decode().splitlines():
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    page.goto(f"/reviews/{demo.review_id}/audit?family=export&lang=en")
    expect(page.locator("main table")).to_contain_text("Export downloaded")
