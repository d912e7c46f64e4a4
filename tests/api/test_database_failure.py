"""A database that is locked or gone: a clear 503, in the contract's error
body or as a page in the user's language, never a bare 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Locale
from app.core.db import db
from app.reviews import queries as review_queries
from support.api import error_of
from support.pages import PageClient, heading
from support.world import World


def locked(*args, **kwargs):
    raise sa.exc.OperationalError("SELECT reviews", {}, Exception("database is locked"))


@pytest.fixture
def database_locked(monkeypatch):
    monkeypatch.setattr(review_queries, "list_reviews", locked)
    monkeypatch.setattr(review_queries, "visible_reviews", locked)


def test_the_api_answers_503_with_the_error_body(
    world: World, api, database_locked
) -> None:
    response = api("nominee").get("/reviews")
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "service_unavailable"
    assert "nothing was changed" in error["message"]
    assert response.headers["Retry-After"] == "5"


def test_a_page_answers_503_in_the_users_language(
    world: World, client, database_locked
) -> None:
    nominee = world.users["nominee"]
    nominee.locale = Locale.CY
    db.session.commit()
    page = PageClient(client)
    page.sign_in(nominee.email)
    response = page.get("/")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert '<html lang="cy"' in html
    assert heading(html) == "Mae'n ddrwg gennym, nid yw'r gwasanaeth ar gael"
