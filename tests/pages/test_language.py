"""Welsh and English: the first guess, the switch, and the recorded choice."""

from __future__ import annotations

import pytest

from app.accounts.models import Locale, User
from app.core.db import db
from support.pages import PageClient, heading
from support.world import World


@pytest.fixture
def page(client) -> PageClient:
    return PageClient(client)


def test_accept_language_is_the_first_guess(app, page) -> None:
    welsh = page.text(
        "/sign-in", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}
    )
    english = page.text("/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="cy"' in welsh
    assert '<html lang="en"' in english
    assert 'hreflang="en"' in welsh and 'hreflang="cy"' in english


def test_the_switch_links_to_the_same_page_in_the_other_language(
    world: World, page
) -> None:
    page.sign_in(world.users["inspector"].email)
    html = page.text(f"/workspaces/{world.ws.id}?limit=5")
    assert f'href="/workspaces/{world.ws.id}?limit=5&amp;lang=cy"' in html
    response = page.get(f"/workspaces/{world.ws.id}?limit=5&lang=cy")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/workspaces/{world.ws.id}?limit=5"
    assert '<html lang="cy"' in page.text(response.headers["Location"])


def test_the_choice_is_a_cookie_before_sign_in(app, page) -> None:
    response = page.get("/privacy?lang=cy")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("locale=cy") and "HttpOnly" in cookie
    # The cookie beats the browser's Accept-Language.
    assert '<html lang="cy"' in page.text("/privacy", headers={"Accept-Language": "en"})


def test_the_choice_is_recorded_on_the_user(world: World, page) -> None:
    user = world.users["nominee"]
    page.sign_in(user.email)
    page.get("/?lang=cy")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale is Locale.CY
    # And it follows them to another browser.
    other = PageClient(page.client.application.test_client())
    other.sign_in(user.email)
    assert '<html lang="cy"' in other.text("/", headers={"Accept-Language": "en"})


def test_unknown_languages_change_nothing(app, page) -> None:
    response = page.get("/privacy?lang=fr")
    assert response.status_code == 302
    assert "locale=" not in response.headers.get("Set-Cookie", "")


def test_welsh_titles_are_shown_in_welsh(world: World, page, factory) -> None:
    review = world.review
    review.title_cy = "Adolygiad ar y cyd"
    db.session.commit()
    page.sign_in(world.users["inspector"].email)
    assert (
        heading(page.text(f"/reviews/{review.id}?lang=cy", follow_redirects=True))
        == "Adolygiad ar y cyd"
    )
    assert (
        heading(page.text(f"/reviews/{review.id}?lang=en", follow_redirects=True))
        == review.title
    )


def test_dates_follow_the_language(world: World, page, api) -> None:
    api("nominee").upload(world.ws.id, b"hello", "h.txt")
    page.sign_in(world.users["inspector"].email)
    english = page.text(f"/workspaces/{world.ws.id}?lang=en", follow_redirects=True)
    welsh = page.text(f"/workspaces/{world.ws.id}?lang=cy", follow_redirects=True)
    months_en = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    months_cy = [
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ]
    assert any(m in english for m in months_en)
    assert any(m in welsh for m in months_cy)
