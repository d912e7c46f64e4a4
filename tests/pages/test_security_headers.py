"""Security headers on every page; production adds HSTS and Secure cookies."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.core.cli import upgrade_database
from config import load_settings
from support.app_fixtures import settings_env
from support.pages import PageClient
from support.world import PASSWORD, World


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


def test_production_adds_hsts_and_secure_cookies(tmp_path) -> None:
    """Every cookie a production portal sets, signed in and out, is Secure,
    HttpOnly and SameSite: the session, and the language choice too (it
    once went out without Secure)."""
    settings = load_settings(
        settings_env(
            f"sqlite:///{tmp_path / 'production.sqlite3'}",
            PORTAL_ENV="production",
            EVIDENCE_STORE=f"fs:{tmp_path}/ev",
        ),
        instance_path=tmp_path,
    )
    production = create_app(settings, TESTING=True, PASSWORD_HASH_CHEAP=True)
    with production.app_context():
        upgrade_database()
    admin = ["create-admin", "admin@example.org", "--name", "A"]
    done = production.test_cli_runner().invoke(args=[*admin, "--password", PASSWORD])
    assert done.exit_code == 0, done.output
    # Plain HTTP to the app, as behind a proxy that ends TLS: the flags must
    # not depend on the scheme the app sees.
    client = production.test_client()
    browser = PageClient(client)
    responses = [client.get("/sign-in"), client.get("/sign-in?lang=cy")]
    responses.append(browser.sign_in("admin@example.org"))
    responses += [client.get("/"), client.get("/?lang=en"), client.get("/admin/")]
    responses.append(browser.submit("/", {}, action="/sign-out"))
    responses.append(client.get("/?lang=cy"))
    assert responses[0].headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = [c for r in responses for c in r.headers.getlist("Set-Cookie")]
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert {"portal_session", "locale"} <= names, cookies
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "samesite"} <= flags, cookie
        assert "samesite=lax" in cookie.lower().replace(" ", ""), cookie
