"""Signing in and out; sessions that end when they must."""

from __future__ import annotations

import time

import pytest

from app.accounts import services as account_services
from app.core.db import db
from support.pages import PageClient, csrf_token, heading
from support.world import World


@pytest.fixture
def page(client) -> PageClient:
    return PageClient(client)


def test_anonymous_visitors_are_sent_to_sign_in(world: World, page) -> None:
    response = page.get(f"/workspaces/{world.ws.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_sign_in_and_go_where_you_were_going(world: World, page) -> None:
    target = f"/workspaces/{world.ws.id}"
    form = page.text(f"/sign-in?next={target}")
    response = page.client.post(
        f"/sign-in?next={target}",
        data={
            "csrf_token": csrf_token(form),
            "email": world.users["nominee"].email,
            "password": "correct horse battery staple 42",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == target
    assert page.get(target).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(target: str, world: World, page) -> None:
    form = page.text("/sign-in")
    response = page.client.post(
        "/sign-in",
        query_string={"next": target},
        data={
            "csrf_token": csrf_token(form),
            "email": world.users["nominee"].email,
            "password": "correct horse battery staple 42",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_and_unknown_email_read_the_same(world: World, page) -> None:
    wrong = page.sign_in(world.users["nominee"].email, "not the right password")
    unknown = page.sign_in("nobody@example.org", "not the right password")
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        html = response.get_data(as_text=True)
        assert "The e-mail address or password is not right." in html
        assert "<title>Error:" in html
    assert page.get("/").status_code == 302


def test_sign_out_ends_every_session_of_the_user(world: World, client, app) -> None:
    first, second = PageClient(client), PageClient(app.test_client())
    for browser in (first, second):
        assert browser.sign_in(world.users["inspector"].email).status_code == 302
        assert browser.get("/").status_code == 200
    response = first.submit("/", {}, action="/sign-out")
    assert response.status_code == 302
    assert first.get("/").status_code == 302
    # The other browser's cookie is still validly signed, but no longer works.
    assert second.get("/").status_code == 302


def test_disabling_a_user_ends_their_session_and_tokens(
    world: World, page, api
) -> None:
    user = world.users["contributor"]
    assert page.sign_in(user.email).status_code == 302
    account_services.set_active(
        world.users["admin"], db.session.get(type(user), user.id), active=False
    )
    assert page.get("/").status_code == 302
    assert api("contributor").get("/me").status_code == 401
    assert page.sign_in(user.email).status_code == 200  # refused, same message


def test_removed_member_loses_the_pages_at_once(world: World, page, api) -> None:
    assert page.sign_in(world.users["contributor"].email).status_code == 302
    assert page.get(f"/workspaces/{world.ws.id}").status_code == 200
    api("nominee").delete(
        f"/reviews/{world.review.id}/members/{world.users['contributor'].id}"
    )
    assert page.get(f"/workspaces/{world.ws.id}").status_code == 404
    assert page.get(f"/reviews/{world.review.id}").status_code == 404


def test_idle_sessions_end(world: World, page) -> None:
    assert page.sign_in(world.users["observer"].email).status_code == 302
    with page.client.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60
    response = page.get("/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert page.get("/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused_clearly(world: World, page) -> None:
    response = page.client.post(
        "/sign-in", data={"email": world.users["nominee"].email, "password": "x"}
    )
    assert response.status_code == 400
    assert heading(response.get_data(as_text=True)) == "This form has expired"
    assert page.sign_in(world.users["nominee"].email).status_code == 302
    response = page.client.post("/sign-out")
    assert response.status_code == 400
    assert page.get("/").status_code == 200  # still signed in


def test_session_cookie_is_httponly_and_lax(world: World, page) -> None:
    response = page.sign_in(world.users["nominee"].email)
    cookie = next(
        v
        for k, v in response.headers.items()
        if k == "Set-Cookie" and v.startswith("portal_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_is_rate_limited(world: World, page) -> None:
    statuses = [
        page.sign_in(world.users["nominee"].email, "wrong wrong wrong").status_code
        for _ in range(5)
    ]
    assert statuses == [200] * 5
    limited = page.sign_in(world.users["nominee"].email)
    assert limited.status_code == 429
    assert heading(limited.get_data(as_text=True)) == "Too many attempts"
