"""E-mail: SMTP_URL, MAIL_FROM, the log when unset, and a real SMTP send."""

from __future__ import annotations

import email
import email.policy
import logging
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.mail import (
    LogMailer,
    Mail,
    SmtpConfig,
    SmtpMailer,
    make_mailer,
    parse_smtp_url,
)
from config import ConfigError, load_settings
from support.smtp import SmtpServer


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://localhost", SmtpConfig("localhost", 25, "plain")),
        ("smtp://mail.example.org:2525", SmtpConfig("mail.example.org", 2525, "plain")),
        (
            "smtp+starttls://me:s%40cret@mail.example.org",
            SmtpConfig("mail.example.org", 587, "starttls", "me", "s@cret"),
        ),
        (
            "smtp://me:pw@mail.example.org:25?starttls=true",
            SmtpConfig("mail.example.org", 25, "starttls", "me", "pw"),
        ),
        (
            "smtps://me:pw@mail.example.org?timeout=5",
            SmtpConfig("mail.example.org", 465, "tls", "me", "pw", 5.0),
        ),
        ("smtp://127.0.0.1:1025?starttls=no", SmtpConfig("127.0.0.1", 1025, "plain")),
    ],
)
def test_smtp_urls_are_read(url: str, expected: SmtpConfig) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.org", "use smtp://"),
        ("smtp://", "names no host"),
        ("smtp://host:notaport", "valid port"),
        ("smtp://host:99999", "valid port"),
        ("smtp://host/path", "no path"),
        ("smtp://host?tls=1", "unknown parameter"),
        ("smtp://host?starttls=perhaps", "true or false"),
        ("smtps://host?starttls=true", "already TLS"),
        ("smtp://host?timeout=0", "timeout"),
        ("smtp://host?timeout=soon", "timeout"),
    ],
)
def test_bad_smtp_urls_say_what_is_wrong(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_smtp_url(url)


def test_the_password_never_shows(tmp_path: Path) -> None:
    config = parse_smtp_url("smtps://me:hunter2@mail.example.org")
    assert "hunter2" not in repr(config)
    assert "hunter2" not in str(config)


def test_settings_check_the_mail_variables(tmp_path: Path) -> None:
    settings = load_settings({}, instance_path=tmp_path)
    assert settings.smtp_url is None
    assert "@" in settings.mail_from
    assert settings.public_base_url == "http://127.0.0.1:5000"
    good = load_settings(
        {
            "SMTP_URL": "smtp+starttls://u:p@mail.example.org",
            "MAIL_FROM": "Ystafell <no-reply@example.org>",
            "PUBLIC_BASE_URL": "https://portal.example.org/",
        },
        instance_path=tmp_path,
    )
    assert good.smtp_url == "smtp+starttls://u:p@mail.example.org"
    assert good.mail_from == "Ystafell <no-reply@example.org>"
    assert good.public_base_url == "https://portal.example.org"
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "SMTP_URL": "mailto:someone",
                "MAIL_FROM": "nobody",
                "PUBLIC_BASE_URL": "portal.example.org",
            },
            instance_path=tmp_path,
        )
    text = str(caught.value)
    assert "SMTP_URL" in text and "MAIL_FROM" in text and "PUBLIC_BASE_URL" in text


def test_production_wants_tls_a_sender_and_an_address(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "PORTAL_ENV": "production",
                "SECRET_KEY": "x" * 40 + "production-secret",
                "SMTP_URL": "smtp://user:pass@mail.example.org",
            },
            instance_path=tmp_path,
        )
    text = str(caught.value)
    assert "without TLS" in text
    assert "MAIL_FROM is missing" in text
    assert "PUBLIC_BASE_URL is missing" in text


def test_unset_smtp_url_writes_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    mailer = make_mailer(None, "Portal <no-reply@example.org>")
    assert isinstance(mailer, LogMailer)
    with caplog.at_level(logging.INFO, logger="app.mail"), mailer.session() as send:
        send(Mail(to="a@example.org", subject="Hello there", text="Body text"))
    (record,) = [r for r in caplog.records if r.name == "app.mail"]
    message = record.getMessage()
    assert "a@example.org" in message
    assert "Hello there" in message
    assert "Body text" in message


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def test_a_real_send_over_smtp(smtp_server: SmtpServer) -> None:
    mailer = make_mailer(smtp_server.url, "Ystafell <no-reply@example.org>")
    assert isinstance(mailer, SmtpMailer)
    with mailer.session() as send:
        send(
            Mail(
                to="Nia <nia@example.org>",
                subject="Tystiolaeth: R-001 Cofnodion",
                text="Bore da, Nia.\nDyddiad: 18 Rhagfyr 2026",
                html="<p>Bore da, Nia.</p>",
                language="cy",
            )
        )
        send(Mail(to="bob@example.org", subject="Second", text="Two"))
    first, second = smtp_server.messages
    assert first.envelope_to == ["nia@example.org"]
    assert first.envelope_from == "no-reply@example.org"
    parsed = first.message
    assert parsed["Subject"] == "Tystiolaeth: R-001 Cofnodion"
    assert parsed["Content-Language"] == "cy"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_body(("plain",)).get_content().startswith("Bore da, Nia.")
    assert "<p>Bore da, Nia.</p>" in parsed.get_body(("html",)).get_content()
    assert second.message["Subject"] == "Second"
    # One connection for both messages.
    assert smtp_server.connections == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_is_used(tmp_path: Path) -> None:
    with SmtpServer(users={"portal": "s3cret pass"}) as server:
        url = server.url.replace("smtp://", "smtp://portal:s3cret%20pass@")
        with make_mailer(url, "no-reply@example.org").session() as send:
            send(Mail(to="x@example.org", subject="Signed in", text="."))
        assert [m.message["Subject"] for m in server.messages] == ["Signed in"]
        wrong = url.replace("s3cret%20pass", "wrong")
        with (
            pytest.raises(smtplib.SMTPAuthenticationError),
            make_mailer(wrong, "no-reply@example.org").session() as send,
        ):
            send(Mail(to="x@example.org", subject="Refused", text="."))
        assert len(server.messages) == 1


def test_an_unreachable_server_raises() -> None:
    from support.server import free_port

    url = f"smtp://127.0.0.1:{free_port()}?timeout=2"
    with (
        pytest.raises(OSError),
        make_mailer(url, "no-reply@example.org").session() as send,
    ):
        send(Mail(to="x@example.org", subject="Nobody there", text="."))


def test_a_session_with_nothing_to_send_does_not_connect() -> None:
    from support.server import free_port

    url = f"smtp://127.0.0.1:{free_port()}?timeout=2"
    with make_mailer(url, "no-reply@example.org").session():
        pass  # no exception: nothing was sent, so nothing connected


def test_messages_parse_back(smtp_server: SmtpServer) -> None:
    raw = Mail(to="a@example.org", subject="Ŵ ŷ â", text="ŵ").build(
        "no-reply@example.org"
    )
    parsed = email.message_from_bytes(raw.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Ŵ ŷ â"
    assert parsed["Message-ID"].endswith("@example.org>")
