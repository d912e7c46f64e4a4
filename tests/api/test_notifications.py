"""Notifications: listed for their recipient while they may see the subject,
marked read, and e-mailed once each in the recipient's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts.models import Locale
from app.core.db import db
from app.core.mail import make_mailer
from app.core.outbox import OutboxState
from app.notifications import services
from app.notifications.models import Notification
from support.api import error_of
from support.smtp import SmtpServer
from support.world import World
from tests.api.test_reminders import SENDER, mailer_of


@pytest.fixture
def outbox(app: Flask) -> Iterator[SmtpServer]:
    with SmtpServer() as server, mailer_of(app, make_mailer(server.url, SENDER)):
        yield server


def mention(api, world: World, who: str, *people: str, **body) -> dict:
    answer = api(who).post(
        f"/reviews/{world.review.id}/notes",
        json={
            "body": body.pop("text", "Have a look"),
            "mentions": [str(world.users[p].id) for p in people],
            **body,
        },
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def listed(api, who: str, **query) -> list[dict]:
    answer = api(who).get("/me/notifications", query_string=query)
    assert answer.status_code == 200
    return answer.get_json()["items"]


def test_a_mention_is_listed_newest_first_and_marked_read(world: World, api) -> None:
    first = mention(api, world, "inspector", "audit_lead")
    second = mention(api, world, "lead_officer", "audit_lead")
    items = listed(api, "audit_lead")
    assert [n["subject"]["id"] for n in items] == [second["id"], first["id"]]
    assert items[0]["kind"] == "mention"
    assert items[0]["actor_id"] == str(world.users["lead_officer"].id)
    assert items[0]["review_id"] == str(world.review.id)
    assert items[0]["read_at"] is None
    read = api("audit_lead").post(f"/me/notifications/{items[0]['id']}/read")
    assert read.status_code == 200 and read.get_json()["read_at"]
    again = api("audit_lead").post(f"/me/notifications/{items[0]['id']}/read")
    assert again.get_json()["read_at"] == read.get_json()["read_at"]
    assert [n["id"] for n in listed(api, "audit_lead", unread="true")] == [
        items[1]["id"]
    ]
    # Nobody else sees or marks it.
    assert listed(api, "inspector") == []
    other = api("inspector").post(f"/me/notifications/{items[1]['id']}/read")
    assert other.status_code == 404 and error_of(other)["code"] == "not_found"


def test_once_each(world: World, api) -> None:
    note = mention(api, world, "inspector", "audit_lead", "audit_lead")
    assert note["mentions"] == [str(world.users["audit_lead"].id)]
    assert len(listed(api, "audit_lead")) == 1
    # The author is never notified of their own mention.
    mention(api, world, "inspector", "inspector")
    assert listed(api, "inspector") == []


def test_a_notification_of_what_can_no_longer_be_seen_is_not_listed(
    world: World, api
) -> None:
    note = mention(api, world, "inspector", "audit_lead")
    assert len(listed(api, "audit_lead")) == 1
    assert api("inspector").delete(f"/notes/{note['id']}").status_code == 204
    assert listed(api, "audit_lead") == []


def test_each_is_emailed_once_in_the_readers_language(
    world: World, api, outbox: SmtpServer
) -> None:
    world.users["audit_lead"].locale = Locale.CY
    db.session.commit()
    mention(api, world, "inspector", "audit_lead", "lead_officer")
    to_audit = [
        m for m in outbox.messages if m.envelope_to == [world.users["audit_lead"].email]
    ]
    to_lead = [
        m
        for m in outbox.messages
        if m.envelope_to == [world.users["lead_officer"].email]
    ]
    assert len(to_audit) == 1 and len(to_lead) == 1
    assert to_audit[0].message["Content-Language"] == "cy"
    assert "Helo" in to_audit[0].text
    assert "wedi sôn amdanoch" in to_audit[0].message["Subject"]
    assert "mentioned you" in to_lead[0].message["Subject"]
    assert "/notifications/" in to_lead[0].text
    # Sending again sends nothing more.
    assert services.send_pending().sent == 0
    assert len(outbox.messages) == 2
    states = db.session.scalars(sa.select(Notification.state)).all()
    assert set(states) == {OutboxState.SENT}


def test_an_email_that_fails_stays_pending_for_the_next_run(
    world: World, api, app: Flask
) -> None:
    dead = make_mailer("smtp://127.0.0.1:9", SENDER)
    with mailer_of(app, dead):
        mention(api, world, "inspector", "audit_lead")
    row = db.session.scalars(
        sa.select(Notification).execution_options(populate_existing=True)
    ).one()
    assert row.state is OutboxState.PENDING and row.last_error
    with SmtpServer() as server, mailer_of(app, make_mailer(server.url, SENDER)):
        result = app.test_cli_runner().invoke(args=["send-reminders"])
        assert result.exit_code == 0, result.output
        assert "Notifications: 1 sent" in result.output
        assert len(server.messages) == 1
