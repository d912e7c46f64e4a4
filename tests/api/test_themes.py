"""Themes of a review: lines of enquiry, a committee's termly themes."""

from __future__ import annotations

import pytest

from app.core.db import db
from app.reviews.models import ReviewStatus
from support.api import error_of
from support.world import World

FIELDS = {"id", "review_id", "name", "name_cy", "period", "approach"}


def add(api, world: World, who: str = "inspector", **body):
    return api(who).post(f"/reviews/{world.review.id}/themes", json=body)


def listed(api, world: World, who: str) -> list[dict]:
    answer = api(who).get(f"/reviews/{world.review.id}/themes")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]


def test_a_theme_has_the_contract_fields(world: World, api) -> None:
    made = add(
        api,
        world,
        name="Recovery from covid / wellbeing of staff",
        name_cy="Adferiad o covid / llesiant staff",
        period="Spring 2022",
        approach="council_chamber",
    )
    assert made.status_code == 201, made.get_json()
    theme = made.get_json()
    assert set(theme) == FIELDS
    assert theme["review_id"] == str(world.review.id)
    assert theme["approach"] == "council_chamber"
    assert theme["period"] == "Spring 2022"


def test_every_member_sees_them_in_the_order_made(world: World, api) -> None:
    names = ["Leadership", "Governance", "Value for money"]
    for name in names:
        assert add(api, world, "lead_officer", name=name).status_code == 201
    for who in ("lead_officer", "inspector", "observer", "audit_lead", "nominee"):
        assert [t["name"] for t in listed(api, world, who)] == names, who
    assert (
        api("csc_contributor").get(f"/reviews/{world.review.id}/themes").status_code
        == 200
    )
    assert (
        api("non_member").get(f"/reviews/{world.review.id}/themes").status_code == 404
    )
    assert api("admin").get(f"/reviews/{world.review.id}/themes").status_code == 403


def test_the_list_pages(world: World, api) -> None:
    for n in range(5):
        assert add(api, world, name=f"Theme {n}").status_code == 201
    path = f"/reviews/{world.review.id}/themes"
    first = api("inspector").get(path, query_string={"limit": 3}).get_json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = (
        api("inspector")
        .get(path, query_string={"limit": 3, "cursor": first["next_cursor"]})
        .get_json()
    )
    assert [t["name"] for t in first["items"] + rest["items"]] == [
        f"Theme {n}" for n in range(5)
    ]
    assert rest["next_cursor"] is None


def test_a_name_the_review_has_is_409(world: World, api) -> None:
    assert add(api, world, name="Leadership").status_code == 201
    for name in ("Leadership", "  leadership "):
        clash = add(api, world, name=name)
        assert clash.status_code == 409, name
        assert error_of(clash)["code"] == "conflict"
    other = add(api, world, name="Governance").get_json()
    renamed = api("inspector").patch(
        f"/themes/{other['id']}", json={"name": "LEADERSHIP"}
    )
    assert renamed.status_code == 409
    assert len(listed(api, world, "inspector")) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Tab\there"}, "name"),
        ({"name": "Ok", "approach": "by_carrier_pigeon"}, "approach"),
        ({"name": "Ok", "period": "p" * 101}, "period"),
        ({"name": "Ok", "colour": "red"}, "colour"),
    ],
)
def test_bad_themes_are_400_naming_the_field(world: World, api, body, field) -> None:
    answer = add(api, world, **body)
    assert answer.status_code == 400
    assert field in error_of(answer)["fields"]
    assert listed(api, world, "inspector") == []


def test_writers_change_and_delete(world: World, api) -> None:
    theme = add(api, world, name="Curriculum").get_json()
    path = f"/themes/{theme['id']}"
    changed = api("audit_inspector").patch(
        path, json={"name": "Curriculum and WESP", "approach": "remote"}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["name"] == "Curriculum and WESP"
    assert changed.get_json()["approach"] == "remote"
    assert api("inspector").patch(path, json={}).status_code == 400
    cleared = api("inspector").patch(path, json={"approach": None})
    assert cleared.get_json()["approach"] is None
    assert api("lead_officer").delete(path).status_code == 204
    assert api("lead_officer").delete(path).status_code == 404
    assert listed(api, world, "nominee") == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("observer", 403), ("nominee", 403), ("contributor", 403), ("non_member", 404)],
)
def test_who_may_not_write(world: World, api, who, status) -> None:
    assert add(api, world, who, name="Mine").status_code == status
    theme = add(api, world, name="Theirs").get_json()
    assert api(who).patch(f"/themes/{theme['id']}", json={"name": "X"}).status_code == (
        404 if who == "non_member" else 403
    )
    assert api(who).delete(f"/themes/{theme['id']}").status_code == (
        404 if who == "non_member" else 403
    )
    assert [t["name"] for t in listed(api, world, "inspector")] == ["Theirs"]


def test_a_closed_review_keeps_its_themes(world: World, api) -> None:
    theme = add(api, world, name="Leadership").get_json()
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    assert add(api, world, name="Late").status_code == 409
    assert (
        api("inspector").patch(f"/themes/{theme['id']}", json={"name": "X"}).status_code
        == 409
    )
    assert api("inspector").delete(f"/themes/{theme['id']}").status_code == 409
    assert [t["name"] for t in listed(api, world, "nominee")] == ["Leadership"]
