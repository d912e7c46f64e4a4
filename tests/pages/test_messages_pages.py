"""The headline messages pages: the register, a message and its forms, the
bodies' agreement, and the brief of the agreed messages in either language."""

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


def made(api, world: World, **body) -> dict:
    answer = api("inspector").post(f"/reviews/{world.review.id}/messages", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_adding_with_an_error_then_for_real(world: World, app, api) -> None:
    item = api("nominee").upload(world.ws.id, b"minutes\n", "minutes.txt").get_json()
    hypothesis = (
        api("inspector")
        .post(
            f"/reviews/{world.review.id}/hypotheses",
            json={"statement": "Boards challenge officers."},
        )
        .get_json()
    )
    inspector = signed_in(app, world, "inspector")
    register = f"/reviews/{world.review.id}/messages"
    html = inspector.text(register)
    assert heading(html) == "Headline messages"
    assert "There are no headline messages yet." in html
    new_page = f"{register}/new"
    assert f'href="{new_page}"' in html
    assert heading(inspector.text(new_page)) == "Add a headline message"

    empty = inspector.submit(new_page, {"text": "  "})
    assert empty.status_code == 200
    page = empty.get_data(as_text=True)
    assert "There is a problem" in page and "Enter the message" in page
    assert "<title>Error:" in page
    unknown = inspector.submit(
        new_page,
        {"text": "Leadership improved.", "evidence": "ERW-999", "hypotheses": "H-042"},
    )
    page = unknown.get_data(as_text=True)
    assert unknown.status_code == 200 and "ERW-999" in page and "H-042" in page
    assert "There is a problem" in page

    added = inspector.submit(
        new_page,
        {
            "text": "Leadership improved in every region.",
            "text_cy": "Gwellodd arweinyddiaeth ym mhob rhanbarth.",
            "evidence": item["reference"],
            "hypotheses": "h-1",
        },
    )
    assert added.status_code == 302
    message_page = added.headers["Location"]
    html = inspector.text(message_page)
    assert heading(html) == "Headline message 1"
    assert "Leadership improved in every region." in html
    assert "Gwellodd arweinyddiaeth ym mhob rhanbarth." in html
    assert f"/evidence/{item['id']}" in html
    assert f"/hypotheses/{hypothesis['id']}" in html
    assert "Proposed" in html
    (row,) = rows(inspector.text(register))
    assert row.startswith("1 Leadership improved in every region.")
    assert "not yet agreed" in row


def test_agreeing_from_the_register(world: World, app, api) -> None:
    message = made(api, world, text="Value for money is not yet shown.")
    register = f"/reviews/{world.review.id}/messages"
    agreement = f"/messages/{message['id']}/agreement"
    inspector = signed_in(app, world, "inspector")
    assert agreement not in inspector.text(register)  # inspectors do not decide
    refused = inspector.submit(register, {"action": "agree"}, action=agreement)
    assert refused.status_code == 403

    lead = signed_in(app, world, "lead_officer")
    html = lead.text(register)
    assert agreement in html and "Agree<span" in html
    done = lead.submit(
        register, {"action": "agree", "next": register}, action=agreement
    )
    assert done.status_code == 302 and done.headers["Location"] == register
    html = lead.text(register)
    assert "Your body agreed to message 1." in html
    assert "ESTYN: agreed" in rows(html)[0] and "Withdraw agreement" in html
    assert "Proposed" in rows(html)[0]

    audit_lead = signed_in(app, world, "audit_lead")
    audit_lead.submit(register, {"action": "agree", "next": register}, action=agreement)
    (row,) = rows(audit_lead.text(register))
    assert "Agreed" in row and "AUDIT-WALES: agreed" in row
    # The author is told, and the notice opens the message.
    (notice,) = api("inspector").get("/me/notifications").get_json()["items"]
    opened = inspector.get(f"/notifications/{notice['id']}/open")
    assert opened.headers["Location"] == f"/messages/{message['id']}"
    page = lead.text(f"/messages/{message['id']}")
    assert "Agreed by lead_officer" in page and "Agreed by audit_lead" in page
    # An agreed message is not offered for deletion.
    assert f"/messages/{message['id']}/delete" not in inspector.text(
        f"/messages/{message['id']}"
    )

    withdrawn = audit_lead.submit(
        register, {"action": "withdraw", "next": register}, action=agreement
    )
    assert withdrawn.status_code == 302
    (row,) = rows(audit_lead.text(register))
    assert "Proposed" in row and "AUDIT-WALES: not yet agreed" in row
    # Somewhere else to go back to is refused: back to the message instead.
    away = lead.submit(
        register,
        {"action": "withdraw", "next": "https://evil.example/"},
        action=agreement,
    )
    assert away.headers["Location"] == f"/messages/{message['id']}"


def test_a_change_of_text_clears_the_agreements_and_delete(
    world: World, app, api
) -> None:
    message = made(api, world, text="First words.")
    for who in ("lead_officer", "audit_lead"):
        assert api(who).put(f"/messages/{message['id']}/agreement").status_code == 200
    inspector = signed_in(app, world, "inspector")
    edit = f"/messages/{message['id']}/edit"
    html = inspector.text(edit)
    assert heading(html) == "Change headline message 1"
    assert "clears every body" in html and "First words." in html
    saved = inspector.submit(edit, {"text": "Better words."})
    assert saved.status_code == 302
    again = api("observer").get(f"/messages/{message['id']}").get_json()
    assert again["text"] == "Better words." and again["agreements"] == []

    delete = f"/messages/{message['id']}/delete"
    assert "Are you sure" in inspector.text(delete)
    gone = inspector.submit(delete, {})
    assert gone.status_code == 302
    assert gone.headers["Location"] == f"/reviews/{world.review.id}/messages"
    assert inspector.get(f"/messages/{message['id']}").status_code == 404


def test_the_brief_has_the_agreed_messages_only(world: World, app, api) -> None:
    agreed = made(
        api,
        world,
        text="Consortia have improved leadership.",
        text_cy="Mae consortia wedi gwella arweinyddiaeth.",
    )
    english_only = made(api, world, text="Governance is clearer.")
    made(api, world, text="Still under discussion.")
    for message in (agreed, english_only):
        for who in ("lead_officer", "audit_lead"):
            api(who).put(f"/messages/{message['id']}/agreement")
    observer = signed_in(app, world, "observer")
    brief = f"/reviews/{world.review.id}/messages/brief"
    assert brief in observer.text(f"/reviews/{world.review.id}/messages")
    html = observer.text(brief)
    assert heading(html) == "Headline messages"
    assert "Consortia have improved leadership." in html
    assert "Governance is clearer." in html
    assert "Still under discussion." not in html
    assert "Print this page" in html
    assert "<form" not in html.split('id="main-content"', 1)[1]
    assert '<li value="1">' in html and '<li value="2">' in html

    welsh = observer.get(brief + "?lang=cy", follow_redirects=True)
    assert welsh.status_code == 200
    html = welsh.get_data(as_text=True)
    assert '<html lang="cy"' in html
    assert "Mae consortia wedi gwella arweinyddiaeth." in html
    assert "Consortia have improved leadership." not in html
    # No Welsh text given: the English, marked as English.
    assert '<p class="govuk-body" lang="en">Governance is clearer.</p>' in html
    assert "Still under discussion." not in html


def test_the_brief_with_nothing_agreed(world: World, app, api) -> None:
    made(api, world, text="Proposed only.")
    lead = signed_in(app, world, "lead_officer")
    html = lead.text(f"/reviews/{world.review.id}/messages/brief")
    assert "No message has been agreed by every inspecting body yet." in html
    assert "Proposed only." not in html


def test_the_reviewed_party_is_kept_out(world: World, app, api) -> None:
    message = made(api, world, text="Secret")
    register = f"/reviews/{world.review.id}/messages"
    nominee = signed_in(app, world, "nominee")
    assert nominee.get(register).status_code == 403
    assert nominee.get(f"{register}/brief").status_code == 403
    assert nominee.get(f"{register}/new").status_code == 403
    assert nominee.get(f"/messages/{message['id']}").status_code == 404
    assert nominee.get(f"/messages/{message['id']}/edit").status_code == 404
    assert register not in nominee.text(f"/reviews/{world.review.id}")
    outsider = signed_in(app, world, "non_member")
    assert outsider.get(register).status_code == 404
    assert outsider.get(f"/messages/{message['id']}").status_code == 404
    observer = signed_in(app, world, "observer")
    assert register in observer.text(f"/reviews/{world.review.id}")
    assert "Add a headline message" not in observer.text(register)
    assert observer.get(f"{register}/new").status_code == 403
    assert observer.get(f"/messages/{message['id']}/edit").status_code == 403
