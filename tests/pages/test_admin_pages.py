"""Administration pages: the forms, their errors, and what they change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.core.db import db
from app.reviews.models import Review, Workspace
from support.pages import PageClient
from support.world import World


@pytest.fixture
def admin(client, world: World) -> PageClient:
    browser = PageClient(client)
    browser.sign_in(world.users["admin"].email)
    return browser


def test_add_an_organisation(admin: PageClient) -> None:
    response = admin.submit(
        "/admin/organisations",
        {
            "name": "Ysgol y Graig",
            "name_cy": "Ysgol y Graig",
            "slug": "ysgol-y-graig",
            "kind": "school",
        },
        follow_redirects=True,
    )
    assert "The organisation was added." in response.get_data(as_text=True)
    assert db.session.scalar(
        sa.select(Organisation).where(Organisation.slug == "ysgol-y-graig")
    )


def test_organisation_errors_are_summarised_and_linked(admin: PageClient) -> None:
    html = admin.submit(
        "/admin/organisations", {"name": "", "slug": "Bad Slug", "kind": "school"}
    ).get_data(as_text=True)
    assert "<title>Error:" in html
    assert "govuk-error-summary" in html
    assert 'href="#name"' in html and 'href="#slug"' in html
    taken = admin.submit(
        "/admin/organisations",
        {"name": "Estyn again", "slug": "estyn", "kind": "inspectorate"},
    ).get_data(as_text=True)
    assert "The short name estyn is taken by another organisation." in taken


def test_add_a_user_and_refuse_a_weak_password(admin: PageClient, world: World) -> None:
    weak = admin.submit(
        "/admin/users",
        {
            "name": "Dewi",
            "email": "dewi@example.org",
            "organisation_id": str(world.erw.id),
            "password": "password",
            "locale": "cy",
        },
    ).get_data(as_text=True)
    assert "Use at least 12 characters." in weak
    response = admin.submit(
        "/admin/users",
        {
            "name": "Dewi",
            "email": "dewi@example.org",
            "organisation_id": str(world.erw.id),
            "password": "llanddewi brefi cathedral 589",
            "locale": "cy",
        },
        follow_redirects=True,
    )
    assert "The user was added." in response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == "dewi@example.org"))
    assert user is not None and user.locale.value == "cy" and not user.is_admin


def test_disable_and_enable_a_user(
    admin: PageClient, world: World, client, app
) -> None:
    victim = PageClient(app.test_client())
    victim.sign_in(world.users["inspector"].email)
    assert victim.get("/").status_code == 200
    user_id = world.users["inspector"].id
    admin.submit("/admin/users", {}, action=f"/admin/users/{user_id}/active")
    assert victim.get("/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user_id).active is False
    admin.submit("/admin/users", {}, action=f"/admin/users/{user_id}/active")
    db.session.expire_all()
    assert db.session.get(User, user_id).active is True


def test_create_a_review(admin: PageClient, world: World, factory) -> None:
    schools = [factory.organisation(f"ysgol-{n}") for n in range(3)]
    response = admin.submit(
        "/admin/reviews/new",
        {
            "title": "ALN transformation",
            "title_cy": "Trawsnewid ADY",
            "inspecting": [str(world.estyn.id)],
            "reviewed": [str(s.id) for s in schools],
        },
    )
    assert response.status_code == 302
    review = db.session.scalar(
        sa.select(Review).where(Review.title == "ALN transformation")
    )
    assert review.title_cy == "Trawsnewid ADY"
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Workspace)
        .where(Workspace.review_id == review.id)
    )
    assert count == 3
    assert response.headers["Location"] == f"/reviews/{review.id}/members"


def test_a_review_needs_both_sides(admin: PageClient, world: World) -> None:
    html = admin.submit(
        "/admin/reviews/new",
        {
            "title": "T",
            "inspecting": [str(world.estyn.id)],
            "reviewed": [str(world.estyn.id)],
        },
    ).get_data(as_text=True)
    assert "An organisation cannot both inspect and be reviewed" in html


def test_lead_officer_adds_a_member_of_their_body(world: World, client) -> None:
    lead = PageClient(client)
    lead.sign_in(world.users["lead_officer"].email)
    page = lead.text(f"/reviews/{world.review.id}/members")
    # Only their own organisation's people are offered.
    assert world.users["estyn_spare"].email in page
    assert world.users["erw_spare"].email not in page
    response = lead.submit(
        f"/reviews/{world.review.id}/members",
        {"user_id": str(world.users["estyn_spare"].id), "role": "observer"},
        follow_redirects=True,
    )
    assert "The member&#39;s role was saved." in response.get_data(as_text=True) or (
        "The member's role was saved." in response.get_data(as_text=True)
    )
    refused = lead.submit(
        f"/reviews/{world.review.id}/members",
        {"user_id": str(world.users["erw_spare"].id), "role": "observer"},
    ).get_data(as_text=True)
    assert "govuk-error-summary" in refused
