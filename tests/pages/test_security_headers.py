"""Security headers on every page; production adds HSTS and Secure cookies."""

from __future__ import annotations

import re

import pytest

from app import create_app
from config import load_settings
from support.app_fixtures import settings_env
from support.pages import PageClient
from support.world import World


def check_page_headers(response) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers["Content-Security-Policy"]
    directives = {}
    for part in csp.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/sign-in", "/accessibility", "/privacy", "/no-such-page"]
)
def test_public_pages(path: str, client) -> None:
    response = client.get(path)
    check_page_headers(response)
    html = response.get_data(as_text=True)
    # No inline script anywhere: the policy would block it, and so do we.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html


def test_signed_in_pages_are_not_cached(world: World, client) -> None:
    browser = PageClient(client)
    browser.sign_in(world.users["inspector"].email)
    for path in ("/", f"/reviews/{world.review.id}", f"/workspaces/{world.ws.id}"):
        response = browser.get(path)
        check_page_headers(response)
        assert response.headers["Cache-Control"] == "no-store"


def test_production_adds_hsts_and_secure_cookies(database_url: str, tmp_path) -> None:
    settings = load_settings(
        settings_env(
            database_url, PORTAL_ENV="production", EVIDENCE_STORE=f"fs:{tmp_path}/ev"
        ),
        instance_path=tmp_path,
    )
    production = create_app(settings, TESTING=True)
    response = production.test_client().get("/sign-in")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("portal_session=") and "Secure" in cookie
