"""The review page's stage form, and the notice on a closed review's pages."""

from __future__ import annotations

import re

from app.core.db import db
from app.reviews.models import ReviewStatus
from support.pages import PageClient, heading
from support.world import World


def signed_in(client, world: World, who: str) -> PageClient:
    browser = PageClient(client)
    browser.sign_in(world.users[who].email)
    return browser


def test_a_lead_officer_moves_the_stage(world: World, client) -> None:
    browser = signed_in(client, world, "lead_officer")
    page = browser.get(f"/reviews/{world.review.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="status"' in html
    # Only later stages are offered, and never "published".
    assert 'value="planning"' not in html and 'value="published"' not in html
    review_page = f"/reviews/{world.review.id}"
    stage = f"{review_page}/stage"
    moved = browser.submit(review_page, {"status": "reporting"}, action=stage)
    assert moved.status_code == 302
    db.session.refresh(world.review)
    assert world.review.status is ReviewStatus.REPORTING
    back = browser.submit(review_page, {"status": "fieldwork"}, action=stage)
    assert back.status_code == 302
    db.session.refresh(world.review)
    assert world.review.status is ReviewStatus.REPORTING


def test_others_get_no_form_and_403(world: World, app) -> None:
    for who in ("inspector", "nominee"):
        browser = signed_in(app.test_client(), world, who)
        review_page = f"/reviews/{world.review.id}"
        html = browser.text(review_page)
        assert 'name="status"' not in html
        answer = browser.submit(
            review_page, {"status": "closed"}, action=f"{review_page}/stage"
        )
        assert answer.status_code == 403, who
    db.session.refresh(world.review)
    assert world.review.status is ReviewStatus.PLANNING


def test_a_closed_review_says_so_everywhere(world: World, app) -> None:
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    browser = signed_in(app.test_client(), world, "nominee")
    for path in (f"/reviews/{world.review.id}", f"/workspaces/{world.ws.id}"):
        html = browser.get(path).get_data(as_text=True)
        assert 'id="review-closed"' in html, path
    assert "Upload evidence" not in browser.get(f"/workspaces/{world.ws.id}").get_data(
        as_text=True
    )
    lead = signed_in(app.test_client(), world, "lead_officer")
    assert 'name="status"' not in lead.text(f"/reviews/{world.review.id}")


def test_the_reviews_themes_are_offered_where_a_theme_is_typed(
    world: World, app, api
) -> None:
    for name in ("Leadership", "Governance"):
        api("inspector").post(f"/reviews/{world.review.id}/themes", json={"name": name})
    nominee = signed_in(app.test_client(), world, "nominee")
    upload = nominee.text(f"/workspaces/{world.ws.id}")
    assert "This review's themes: Leadership, Governance" in upload
    inspector = signed_in(app.test_client(), world, "inspector")
    form = inspector.text(f"/workspaces/{world.ws.id}/requests/new")
    assert '<datalist id="review-themes"><option value="Leadership">' in form


def test_the_themes_page(world: World, app) -> None:
    inspector = signed_in(app.test_client(), world, "inspector")
    page = f"/reviews/{world.review.id}/themes"
    added = inspector.submit(
        page,
        {"name": "Curriculum and WESP", "period": "Autumn 2022", "approach": "on_site"},
    )
    assert added.status_code == 302
    html = inspector.text(page)
    assert "Curriculum and WESP" in html and "Autumn 2022" in html and "On site" in html
    again = inspector.submit(page, {"name": "curriculum and wesp"})
    assert again.status_code == 200
    assert "already has a theme of that name" in again.get_data(as_text=True)
    nominee = signed_in(app.test_client(), world, "nominee")
    html = nominee.text(page)
    assert "Curriculum and WESP" in html and "Add a theme" not in html
    assert nominee.submit(page, {"name": "Ours"}).status_code == 403
    removed = inspector.submit(
        page,
        {},
        action=re.search(r'action="(/themes/[^"]+/remove)"', inspector.text(page))[1],
    )
    assert removed.status_code == 302
    assert "There are no themes yet." in inspector.text(page)
    outsider = signed_in(app.test_client(), world, "non_member")
    assert outsider.get(page).status_code == 404


def test_rename_a_theme(world: World, app, api) -> None:
    themes = f"/reviews/{world.review.id}/themes"
    for name in ("Leadership", "Governance"):
        api("inspector").post(themes, json={"name": name})
    inspector = signed_in(app.test_client(), world, "inspector")
    edit = re.findall(r'href="(/themes/[^"]+/edit)"', inspector.text(themes))[0]
    form = inspector.text(edit)
    assert heading(form) == "Change the theme"
    assert 'value="Leadership"' in form  # filled with the theme as it stands
    taken = inspector.submit(edit, {"name": "governance"})
    assert taken.status_code == 200
    assert "already has a theme of that name" in taken.get_data(as_text=True)
    empty = inspector.submit(edit, {"name": ""})
    assert "Enter the theme" in empty.get_data(as_text=True)
    renamed = inspector.submit(
        edit,
        {"name": "Leadership and management", "name_cy": "Arweinyddiaeth",
         "period": "Spring 2027", "approach": "remote"},
    )  # fmt: skip
    assert renamed.status_code == 302 and renamed.headers["Location"].endswith(themes)
    listed = api("nominee").get(themes).get_json()["items"]
    assert [(t["name"], t["name_cy"], t["period"], t["approach"]) for t in listed] == [
        ("Leadership and management", "Arweinyddiaeth", "Spring 2027", "remote"),
        ("Governance", None, None, None),
    ]
    nominee = signed_in(app.test_client(), world, "nominee")
    assert "/edit" not in nominee.text(themes)
    assert nominee.get(edit).status_code == 403
    outsider = signed_in(app.test_client(), world, "non_member")
    assert outsider.get(edit).status_code == 404
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    assert inspector.get(edit).status_code == 409
    closed = inspector.submit(themes, {"name": "Too late"}, action=edit)
    assert closed.status_code == 409
    assert api("nominee").get(themes).get_json()["items"][0]["name"] == (
        "Leadership and management"
    )
