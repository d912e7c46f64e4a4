"""The inspector's workspace page: the evidence first, reading figures,
unread marks, filters; and who has read an item."""

from __future__ import annotations

import re

from support.pages import PageClient
from support.world import World


def signed_in(app, world: World, who: str) -> PageClient:
    browser = PageClient(app.test_client())
    assert browser.sign_in(world.users[who].email).status_code == 302
    return browser


def titles(html: str) -> list[str]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>")[0]
    return re.findall(r'href="/evidence/[^"]+">([^<]+)</a>', body)


def test_the_inspector_reads_first_and_sees_what_is_unread(
    world: World, app, api
) -> None:
    for name in ("Minutes", "Business plan", "Self-evaluation"):
        api("nominee").upload(
            world.ws.id, b"x\n", f"{name}.txt", fields={"title": name}
        )
    inspector = signed_in(app, world, "inspector")
    page = f"/workspaces/{world.ws.id}"
    html = inspector.text(page)
    # The list comes before the upload form for the inspecting side.
    assert html.index('id="workspace-table"') < html.index("Upload evidence")
    assert html.count("app-unread") == 3
    assert f"Read by {world.estyn.name} 0 of 3, {world.audit.name} 0 of 3" in re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", "", html)
    )
    item = re.search(r'href="(/evidence/[^"]+)">Minutes<', html)[1]
    assert inspector.get(item).status_code == 200
    html = inspector.text(page)
    assert html.count("app-unread") == 2
    assert f"{world.estyn.name} 1 of 3" in html
    assert titles(inspector.text(page + "?read=unread")) == [
        "Self-evaluation",
        "Business plan",
    ]
    assert titles(inspector.text(page + "?read=read")) == ["Minutes"]
    assert titles(inspector.text(page + "?q=plan")) == ["Business plan"]
    assert titles(inspector.text(page + "?q=ERW-00")) == [
        "Self-evaluation",
        "Business plan",
        "Minutes",
    ]
    assert "No evidence matches." in inspector.text(page + "?q=nothing-like-it")
    assert inspector.get(page + "?type=text/html").status_code == 400
    assert inspector.get(page + "?read=maybe").status_code == 400


def test_the_reviewed_party_keeps_its_page(world: World, app, api) -> None:
    api("nominee").upload(world.ws.id, b"x\n", "minutes.txt")
    nominee = signed_in(app, world, "nominee")
    html = nominee.text(f"/workspaces/{world.ws.id}")
    assert html.index("Upload evidence") < html.index('id="workspace-table"')
    assert "app-unread" not in html and "Read by" not in html
    assert 'role="search"' not in html


def test_who_has_read_an_item(world: World, app, api) -> None:
    item = api("nominee").upload(world.ws.id, b"x\n", "minutes.txt").get_json()
    api("audit_inspector").get(f"/evidence/{item['id']}/content")
    inspector = signed_in(app, world, "inspector")
    html = inspector.text(f"/evidence/{item['id']}")
    section = html.split("Who has read this", 1)[1]
    assert world.users["audit_inspector"].name in section
    assert world.users["inspector"].name in section  # opening the page counts
    nominee = signed_in(app, world, "nominee")
    assert "Who has read this" not in nominee.text(f"/evidence/{item['id']}")
