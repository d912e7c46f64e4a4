"""E-mail about requests: made, 5 and 2 days before, on the day, overdue,
returned; each once, in each reader's language, only to people who may
still read it. Sent to a real SMTP server in the test process."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.accounts import services as account_services
from app.accounts.models import Locale
from app.core.cli import upgrade_database
from app.core.db import db
from app.core.mail import Mail, make_mailer
from app.intake import reminders, services
from app.intake.models import EvidenceRequest
from app.intake.notices import NoticeKind, NoticeState, RequestNotice
from app.reviews import services as review_services
from app.reviews.models import ReviewStatus
from config import load_settings
from support.app_fixtures import settings_env
from support.server import free_port, fresh_database
from support.smtp import Received, SmtpServer
from support.world import Factory, World, build_world

DUE = date(2026, 12, 18)
SENDER = "Ystafell Arolygu <no-reply@example.org>"


@contextmanager
def mailer_of(app: Flask, mailer: Any) -> Iterator[None]:
    previous = app.extensions.get("mailer")
    app.extensions["mailer"] = mailer
    try:
        yield
    finally:
        app.extensions["mailer"] = previous


@pytest.fixture
def outbox(app: Flask) -> Iterator[SmtpServer]:
    with SmtpServer() as server, mailer_of(app, make_mailer(server.url, SENDER)):
        yield server


def to(outbox: SmtpServer, user: Any) -> list[Received]:
    return [m for m in outbox.messages if m.envelope_to == [user.email]]


def notices(**where: Any) -> list[RequestNotice]:
    stmt = sa.select(RequestNotice).order_by(RequestNotice.created_at)
    for name, value in where.items():
        stmt = stmt.where(getattr(RequestNotice, name) == value)
    return list(db.session.scalars(stmt.execution_options(populate_existing=True)))


def ask(world: World, due: date | None = DUE, **fields: Any) -> EvidenceRequest:
    fields.setdefault("title", "Minutes of the board")
    return services.create_request(
        world.users["inspector"], world.ws, due_date=due, **fields
    )


def assign(world: World, request: EvidenceRequest, *who: str) -> None:
    services.assign(world.users["nominee"], request, [world.users[w].id for w in who])


def run(day: date) -> reminders.Report:
    return reminders.send_reminders(day)


def test_a_new_request_is_told_to_the_nominees_once(world: World, outbox) -> None:
    request = ask(world)
    (made,) = to(outbox, world.users["nominee"])
    assert "R-001" in made.message["Subject"]
    assert "Minutes of the board" in made.message["Subject"]
    assert world.review.title in made.message["Subject"]
    # Nobody else: not the contributor (not assigned), not the other party.
    assert len(outbox.messages) == 1
    assert f"/requests/{request.id}" in made.text
    assert "18 December 2026" in made.text
    assert "ERW" in made.text  # the workspace
    assert f'href="http://127.0.0.1:5000/requests/{request.id}' in made.html
    # Running the daily job (far from the due date) sends nothing more.
    report = run(DUE - timedelta(days=20))
    assert (report.recorded, report.sent) == (0, 0)
    assert len(outbox.messages) == 1
    (notice,) = notices()
    assert notice.state is NoticeState.SENT and notice.sent_at is not None


def test_one_list_to_every_workspace_tells_each_partys_nominees(
    world: World, outbox
) -> None:
    services.create_for_every_workspace(
        world.users["lead_officer"],
        world.review,
        [{"title": "Self-evaluation"}, {"title": "Business plan"}],
    )
    assert len(to(outbox, world.users["nominee"])) == 2
    assert len(to(outbox, world.users["csc_nominee"])) == 2
    assert len(outbox.messages) == 4


def test_people_given_a_request_hear_of_it_once(world: World, outbox) -> None:
    request = ask(world)
    outbox.messages.clear()
    assign(world, request, "contributor")
    (made,) = outbox.messages
    assert made.envelope_to == [world.users["contributor"].email]
    # Given to the nominee too, who heard of it when it was made: nothing new;
    # taken away and given back: still nothing new.
    assign(world, request, "contributor", "nominee")
    assign(world, request)
    assign(world, request, "contributor")
    assert len(outbox.messages) == 1


def test_each_reminder_goes_out_once_on_its_day(world: World, outbox) -> None:
    request = ask(world)
    assign(world, request, "contributor")
    outbox.messages.clear()
    contributor = world.users["contributor"]
    sent_on: dict[int, list[str]] = {}
    for offset in range(-7, 4):
        for _twice in range(2):  # a second run the same day sends nothing
            report = run(DUE + timedelta(days=offset))
            assert report.failed == 0
        sent_on[offset] = [m.message["Subject"] for m in to(outbox, contributor)]
        outbox.messages.clear()
    days = {offset: subjects for offset, subjects in sent_on.items() if subjects}
    assert sorted(days) == [-5, -2, 0, 1]
    assert days[-5][0].startswith("Reminder: R-001")
    assert days[-2][0].startswith("Reminder: R-001")
    assert days[0][0].startswith("Due today: R-001")
    assert days[1][0].startswith("Overdue: R-001")
    assert all(len(subjects) == 1 for subjects in days.values())
    kinds = Counter(n.kind for n in notices(user_id=contributor.id))
    assert kinds == {
        NoticeKind.MADE: 1,
        NoticeKind.DUE_IN_5: 1,
        NoticeKind.DUE_IN_2: 1,
        NoticeKind.DUE_TODAY: 1,
        NoticeKind.OVERDUE: 1,
    }
    # Nobody else was reminded: the nominee is not assigned.
    assert not notices(user_id=world.users["nominee"].id, kind=NoticeKind.DUE_IN_5)


def test_a_missed_day_is_made_up_by_the_next_run(world: World, outbox) -> None:
    ask(world)
    outbox.messages.clear()
    run(DUE - timedelta(days=4))  # the run 5 days before did not happen
    (late,) = outbox.messages
    assert "18 December 2026" in late.message["Subject"]
    run(DUE - timedelta(days=3))
    assert len(outbox.messages) == 1


def test_a_moved_due_date_is_reminded_again(world: World, outbox) -> None:
    request = ask(world)
    run(DUE - timedelta(days=5))
    outbox.messages.clear()
    request.due_date = DUE + timedelta(days=7)
    db.session.commit()
    run(DUE + timedelta(days=2))  # 5 days before the new date
    (again,) = outbox.messages
    assert "25 December 2026" in again.message["Subject"]


def test_requests_that_wait_on_nobody_get_no_reminders(
    world: World, api, outbox
) -> None:
    accepted, withdrawn, submitted = ask(world), ask(world), ask(world)
    for request in (accepted, submitted):
        answer = api("nominee").upload(
            world.ws.id, b"evidence", "e.txt", fields={"request_id": str(request.id)}
        )
        assert answer.status_code == 201
    services.decide(world.users["inspector"], accepted, services.Decision.ACCEPT, None)
    services.decide(
        world.users["inspector"], withdrawn, services.Decision.WITHDRAW, None
    )
    outbox.messages.clear()
    for offset in (-5, -2, 0, 1):
        report = run(DUE + timedelta(days=offset))
        assert report.recorded == 0
    assert outbox.messages == []


def test_a_closed_review_reminds_nobody(world: World, outbox) -> None:
    ask(world)
    outbox.messages.clear()
    world.review.status = ReviewStatus.CLOSED
    db.session.commit()
    run(DUE)
    assert outbox.messages == []


def test_a_return_is_told_with_its_reason(world: World, api, outbox) -> None:
    request = ask(world)
    assign(world, request, "contributor")
    for attempt in (1, 2):
        answer = api("contributor").upload(
            world.ws.id, b"plan", "plan.txt", fields={"request_id": str(request.id)}
        )
        assert answer.status_code == 201
        outbox.messages.clear()
        reason = f"Attempt {attempt}: page 4 is missing; send the whole plan."
        returned = api("inspector").post(
            f"/requests/{request.id}/decision",
            json={"decision": "return", "reason": reason},
        )
        assert returned.status_code == 200
        # Each return is told once, to the assignee, with the reason.
        (message,) = outbox.messages
        assert message.envelope_to == [world.users["contributor"].email]
        assert message.message["Subject"].startswith("Evidence returned: R-001")
        assert reason in message.text
        assert reason in message.html
        run(DUE - timedelta(days=30))
        assert len(outbox.messages) == 1
    assert len(notices(kind=NoticeKind.RETURNED)) == 2


def test_welsh_readers_get_welsh_and_english_readers_english(
    world: World, outbox
) -> None:
    nominee, contributor = world.users["nominee"], world.users["contributor"]
    account_services.set_locale(nominee, "cy")
    assert nominee.locale == Locale.CY
    request = ask(world, title="Minutes of the board", title_cy="Cofnodion y bwrdd")
    (welsh,) = to(outbox, nominee)
    assert welsh.message["Content-Language"] == "cy"
    assert "Cofnodion y bwrdd" in welsh.message["Subject"]
    assert "Minutes of the board" not in welsh.text
    assert "18 Rhagfyr 2026" in welsh.text  # the date in Welsh
    assert "December" not in welsh.text
    assert '<html lang="cy">' in welsh.html
    assert "?lang=cy" in welsh.text
    # What the Welsh catalogue says for the greeting, in the Welsh message.
    from flask_babel import force_locale, gettext

    with force_locale("cy"):
        greeting = gettext("Hello %(name)s,", name=nominee.name)
    assert welsh.text.startswith(greeting)

    assign(world, request, "contributor")
    (english,) = to(outbox, contributor)
    assert english.message["Content-Language"] == "en"
    assert "Minutes of the board" in english.message["Subject"]
    assert "Cofnodion" not in english.text
    assert "18 December 2026" in english.text
    assert english.text.startswith(f"Hello {contributor.name},")


def test_people_who_left_or_were_disabled_get_nothing(world: World, outbox) -> None:
    request = ask(world)
    assign(world, request, "contributor")
    contributor = world.users["contributor"]
    review_services.remove_member(world.users["nominee"], world.review, contributor.id)
    outbox.messages.clear()
    run(DUE - timedelta(days=5))
    assert to(outbox, contributor) == []
    # With nobody assigned any more, the nominee is reminded instead.
    assert len(to(outbox, world.users["nominee"])) == 1
    # A disabled nominee gets nothing either.
    account_services.set_active(
        world.users["admin"], world.users["nominee"], active=False
    )
    outbox.messages.clear()
    run(DUE - timedelta(days=2))
    assert outbox.messages == []


def test_a_pending_notice_for_someone_who_left_is_skipped(world: World, outbox) -> None:
    outbox.refuse = True
    request = ask(world)  # the nominee's "made" cannot be sent now
    (pending,) = notices(request_id=request.id)
    assert pending.state is NoticeState.PENDING
    review_services.remove_member(
        world.users["admin"], world.review, world.users["nominee"].id
    )
    outbox.refuse = False
    report = run(DUE - timedelta(days=20))
    assert (report.sent, report.skipped) == (0, 1)
    assert outbox.messages == []
    assert notices(request_id=request.id)[0].state is NoticeState.SKIPPED


def test_a_failed_send_stays_pending_and_goes_later(world: World, api, outbox) -> None:
    outbox.refuse = True
    response = api("inspector").post(
        f"/workspaces/{world.ws.id}/requests",
        json={"title": "Minutes", "due_date": DUE.isoformat()},
    )
    # The request is made, whatever the mail server says.
    assert response.status_code == 201
    (notice,) = notices()
    assert notice.state is NoticeState.PENDING
    assert notice.attempts == 1
    assert "451" in (notice.last_error or "")
    assert outbox.messages == []
    outbox.refuse = False
    report = run(DUE - timedelta(days=20))
    assert (report.sent, report.failed) == (1, 0)
    (made,) = outbox.messages
    assert "R-001" in made.message["Subject"]
    assert notices()[0].state is NoticeState.SENT
    run(DUE - timedelta(days=20))
    assert len(outbox.messages) == 1


def test_an_unreachable_mail_server_loses_nothing(app: Flask, world: World) -> None:
    nowhere = make_mailer(f"smtp://127.0.0.1:{free_port()}?timeout=2", SENDER)
    with mailer_of(app, nowhere):
        request = ask(world)
        assert request.ref == "R-001"
        report = run(DUE - timedelta(days=5))
    assert report.stopped and report.sent == 0
    states = Counter(n.state for n in notices())
    assert states == {NoticeState.PENDING: 2}  # made, and the 5-day reminder
    with SmtpServer() as server, mailer_of(app, make_mailer(server.url, SENDER)):
        run(DUE - timedelta(days=5))
        assert len(server.messages) == 2


def test_the_command_line(app: Flask, world: World, outbox) -> None:
    ask(world)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders", "--today", "2026-12-13"])
    assert first.exit_code == 0, first.output
    assert "1 new, 1 sent" in first.output
    second = runner.invoke(args=["send-reminders", "--today", "2026-12-13"])
    assert "0 new, 0 sent" in second.output
    bad = runner.invoke(args=["send-reminders", "--today", "13/12/2026"])
    assert bad.exit_code == 2
    assert len(outbox.messages) == 2  # made, and the 5-day reminder


def test_without_smtp_url_mail_goes_to_the_log(
    app: Flask, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with mailer_of(app, make_mailer(None, SENDER)), caplog.at_level("INFO", "app.mail"):
        ask(world)
    logged = [r.getMessage() for r in caplog.records if r.name == "app.mail"]
    assert len(logged) == 1
    assert world.users["nominee"].email in logged[0]
    assert "R-001" in logged[0]
    assert notices()[0].state is NoticeState.SENT


# -- Two runs at once ----------------------------------------------------------


class SlowRecorder:
    """A mailer that takes its time, so two runs overlap, and keeps a list."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    @contextmanager
    def session(self) -> Iterator[Any]:
        def send(mail: Mail) -> None:
            time.sleep(0.02)
            with self.lock:
                self.sent.append((mail.to, mail.subject))

        yield send


@pytest.fixture
def committed_app(tmp_path: Path) -> Iterator[Flask]:
    """An app of its own on a database of its own, where commits are real
    (the other tests run inside a transaction that is rolled back)."""
    with fresh_database(tmp_path) as url:
        settings = load_settings(settings_env(url), instance_path=tmp_path)
        application = create_app(settings, TESTING=True, PASSWORD_HASH_CHEAP=True)
        with application.app_context():
            upgrade_database()
        yield application
        with application.app_context():
            db.engine.dispose()


def test_two_runs_at_once_send_each_reminder_once(committed_app: Flask) -> None:
    recorder = SlowRecorder()
    committed_app.extensions["mailer"] = recorder
    with committed_app.app_context():
        world = build_world(Factory())
        for n in range(12):
            ask(world, title=f"Request {n}")
            services.create_request(
                world.users["inspector"], world.csc_ws, title=f"CSC {n}", due_date=DUE
            )
        made = len(recorder.sent)
        assert made == 24  # each request's nominee, as it was made
    recorder.sent.clear()

    barrier = threading.Barrier(2)
    reports: list[reminders.Report] = []
    errors: list[BaseException] = []

    def one_run() -> None:
        try:
            with committed_app.app_context():
                barrier.wait(timeout=30)
                reports.append(reminders.send_reminders(DUE - timedelta(days=5)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(reports) == 2
    # 24 reminders, each sent once, between the two runs.
    assert len(recorder.sent) == 24
    assert len(set(recorder.sent)) == 24
    assert sum(r.sent for r in reports) == 24
    with committed_app.app_context():
        states = Counter(
            db.session.scalars(
                sa.select(RequestNotice.state).where(
                    RequestNotice.kind == NoticeKind.DUE_IN_5
                )
            )
        )
        assert states == {NoticeState.SENT: 24}


def test_a_claimed_notice_is_not_taken_by_another_sender(world: World) -> None:
    recorder = SlowRecorder()
    request = ask(world)
    (notice,) = notices(request_id=request.id)
    assert notice.state is NoticeState.SENT
    # A fresh pending one, claimed by "another run": this run leaves it alone.
    db.session.add(
        RequestNotice(
            id=uuid.uuid4(),
            request_id=request.id,
            user_id=world.users["nominee"].id,
            kind=NoticeKind.DUE_IN_5,
            occasion=DUE.isoformat(),
        )
    )
    db.session.commit()
    (pending,) = notices(kind=NoticeKind.DUE_IN_5)
    assert reminders._claim(pending.id)
    assert not reminders._claim(pending.id)  # a second claim fails
    from flask import current_app

    with mailer_of(current_app._get_current_object(), recorder):
        report = reminders.send_pending(today=DUE - timedelta(days=5))
    assert report.sent == 0 and recorder.sent == []
