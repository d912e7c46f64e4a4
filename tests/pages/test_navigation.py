"""The header's menu marks "My reviews" on every page inside a review (and
nothing on pages outside one)."""

from __future__ import annotations

import re

import pytest

from support.pages import PageClient
from support.world import World


@pytest.fixture
def inspector(client, world: World) -> PageClient:
    browser = PageClient(client)
    assert browser.sign_in(world.users["inspector"].email).status_code == 302
    return browser


def current_menu_item(html: str) -> list[str]:
    """The text of each menu link marked as the current one."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", text).strip()
        for text in re.findall(
            r'<a[^>]*aria-current="[^"]+"[^>]*>(.*?)</a>', html, re.S
        )
    ]


def test_my_reviews_is_current_on_every_page_of_a_review(
    world: World, api, inspector: PageClient
) -> None:
    item = api("nominee").upload(world.ws.id, b"minutes\n", "m.txt").get_json()
    made = api("inspector").post(
        f"/workspaces/{world.ws.id}/requests", json={"title": "Minutes"}
    )
    assert made.status_code == 201
    for path in (
        "/",
        f"/reviews/{world.review.id}",
        f"/reviews/{world.review.id}/progress",
        f"/workspaces/{world.ws.id}",
        f"/workspaces/{world.ws.id}/requests",
        f"/requests/{made.get_json()['id']}",
        f"/evidence/{item['id']}",
    ):
        response = inspector.get(path)
        assert response.status_code == 200, path
        assert current_menu_item(response.get_data(as_text=True)) == ["My reviews"], (
            path
        )
    outside = inspector.get("/privacy").get_data(as_text=True)
    assert current_menu_item(outside) == []
