"""Reading: which evidence each inspecting body's members have opened."""

from __future__ import annotations

from support.api import error_of
from support.pages import PageClient
from support.world import World


def upload(api, world: World, name: str, ws=None) -> dict:
    answer = api("nominee" if ws is None else "csc_nominee").upload(
        (ws or world.ws).id, f"{name}\n".encode(), f"{name}.txt"
    )
    assert answer.status_code == 201
    return answer.get_json()


def figures(api, world: World, who: str = "observer") -> dict:
    answer = api(who).get(f"/reviews/{world.review.id}/reading")
    assert answer.status_code == 200, answer.get_json()
    return {
        w["workspace_id"]: (
            w["items"],
            {b["organisation_id"]: b["read"] for b in w["bodies"]},
        )
        for w in answer.get_json()["workspaces"]
    }


def test_downloads_count_per_body_and_once(world: World, api) -> None:
    items = [upload(api, world, f"item{n}") for n in range(3)]
    upload(api, world, "csc", ws=world.csc_ws)
    estyn, audit = str(world.estyn.id), str(world.audit.id)
    for who in ("inspector", "lead_officer"):  # two of Estyn read the same item
        assert api(who).get(f"/evidence/{items[0]['id']}/content").status_code == 200
    api("audit_inspector").get(f"/evidence/{items[1]['id']}/content")
    api("audit_inspector").get(f"/evidence/{items[1]['id']}/content?version=1")
    # A reviewed party's reads are not counted.
    api("nominee").get(f"/evidence/{items[2]['id']}/content")
    table = figures(api, world)
    assert table[str(world.ws.id)] == (3, {estyn: 1, audit: 1})
    assert table[str(world.csc_ws.id)] == (1, {estyn: 0, audit: 0})


def test_withdrawn_items_leave_the_figures(world: World, api) -> None:
    item = upload(api, world, "gone")
    api("inspector").get(f"/evidence/{item['id']}/content")
    assert figures(api, world)[str(world.ws.id)][1][str(world.estyn.id)] == 1
    assert api("nominee").delete(f"/evidence/{item['id']}").status_code == 204
    assert figures(api, world)[str(world.ws.id)] == (
        0,
        {str(world.estyn.id): 0, str(world.audit.id): 0},
    )


def test_the_page_counts_and_read_by_me(world: World, api, client) -> None:
    item = upload(api, world, "minutes")
    assert (
        api("inspector").get(f"/evidence/{item['id']}").get_json()["read_by_me"]
        is False
    )
    browser = PageClient(client)
    browser.sign_in(world.users["inspector"].email)
    assert browser.get(f"/evidence/{item['id']}").status_code == 200
    assert (
        api("inspector").get(f"/evidence/{item['id']}").get_json()["read_by_me"] is True
    )
    assert (
        api("lead_officer").get(f"/evidence/{item['id']}").get_json()["read_by_me"]
        is False
    )
    # A reviewed party's member has no such flag.
    assert (
        api("nominee").get(f"/evidence/{item['id']}").get_json()["read_by_me"] is None
    )
    listed = api("inspector").get(f"/workspaces/{world.ws.id}/evidence").get_json()
    assert [i["read_by_me"] for i in listed["items"]] == [True]


def test_who_has_read_an_item(world: World, api) -> None:
    item = upload(api, world, "plan")
    for who in ("audit_inspector", "inspector", "audit_inspector"):
        api(who).get(f"/evidence/{item['id']}/content")
    readers = api("observer").get(f"/evidence/{item['id']}/readers").get_json()["items"]
    assert [r["user_id"] for r in readers] == [
        str(world.users["audit_inspector"].id),
        str(world.users["inspector"].id),
    ]
    assert readers[0]["organisation_id"] == str(world.audit.id)
    assert readers[0]["name"] == world.users["audit_inspector"].name
    assert readers[0]["first_read_at"] <= readers[1]["first_read_at"]


def test_reading_is_the_inspecting_sides(world: World, api) -> None:
    item = upload(api, world, "x")
    for who, status in (
        ("nominee", 403),
        ("contributor", 403),
        ("admin", 403),
        ("non_member", 404),
    ):
        answer = api(who).get(f"/reviews/{world.review.id}/reading")
        assert answer.status_code == status, who
        error_of(answer)
    assert api("nominee").get(f"/evidence/{item['id']}/readers").status_code == 403
    assert api("csc_nominee").get(f"/evidence/{item['id']}/readers").status_code == 404
