"""The hypotheses register page, a hypothesis' page and its forms."""

from __future__ import annotations

import re

from support.pages import PageClient, heading
from support.world import World


def signed_in(app, world: World, who: str) -> PageClient:
    browser = PageClient(app.test_client())
    assert browser.sign_in(world.users[who].email).status_code == 302
    return browser


def rows(html: str) -> list[str]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>")[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip()
        for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_add_change_and_link_evidence(world: World, app, api) -> None:
    item = api("nominee").upload(world.ws.id, b"minutes\n", "minutes.txt").get_json()
    inspector = signed_in(app, world, "inspector")
    new_page = f"/reviews/{world.review.id}/hypotheses/new"
    assert heading(inspector.text(new_page)) == "Add a hypothesis"
    added = inspector.submit(
        new_page,
        {
            "statement": "Governance is stronger where the board is smaller.",
            "theme": "Governance",
            "workspace_id": str(world.ws.id),
            "scope": "joint",
        },
    )
    assert added.status_code == 302
    page = added.headers["Location"]
    html = inspector.text(page)
    assert "H-001" in html and "Emerging" in html

    change_page = page + "/change"
    bare = inspector.submit(
        change_page,
        {"statement": "Governance is stronger where the board is smaller.",
         "status": "supported"},
    )  # fmt: skip
    assert bare.status_code == 200
    assert "Say why the status changes" in bare.get_data(as_text=True)
    moved = inspector.submit(
        change_page,
        {
            "statement": "Governance is stronger where the board is smaller.",
            "status": "supported",
            "reason": "All four board chairs said so in interview.",
        },
    )
    assert moved.status_code == 302
    html = inspector.text(page)
    assert "Supported" in html and "All four board chairs said so" in html

    evidence_page = page + "/evidence"
    wrong = inspector.submit(evidence_page, {"references": "ERW-999"})
    assert "ERW-999" in wrong.get_data(as_text=True) and wrong.status_code == 200
    linked = inspector.submit(evidence_page, {"references": item["reference"]})
    assert linked.status_code == 302
    assert f"/evidence/{item['id']}" in inspector.text(page)


def test_the_register_filters(world: World, app, api) -> None:
    for statement, theme in (
        ("Leaders share plans", "Leadership"),
        ("Boards challenge", "Governance"),
    ):
        api("inspector").post(
            f"/reviews/{world.review.id}/hypotheses",
            json={"statement": statement, "theme": theme},
        )
    observer = signed_in(app, world, "observer")
    register = f"/reviews/{world.review.id}/hypotheses"
    html = observer.text(register)
    assert heading(html) == "Hypotheses and emerging findings"
    assert len(rows(html)) == 2
    assert "Add a hypothesis" not in html  # observers write nothing
    only = observer.text(register + "?theme=Governance")
    assert [r.split(" ")[0] for r in rows(only)] == ["H-002"]
    assert "No hypotheses match." in observer.text(register + "?status=set_aside")
    assert observer.get(register + "?status=nonsense").status_code == 400


def test_the_reviewed_party_is_kept_out(world: World, app, api) -> None:
    made = (
        api("inspector")
        .post(f"/reviews/{world.review.id}/hypotheses", json={"statement": "Secret"})
        .get_json()
    )
    nominee = signed_in(app, world, "nominee")
    assert nominee.get(f"/reviews/{world.review.id}/hypotheses").status_code == 403
    assert nominee.get(f"/hypotheses/{made['id']}").status_code == 404
    assert "Hypotheses and emerging findings" not in nominee.text(
        f"/reviews/{world.review.id}"
    )
