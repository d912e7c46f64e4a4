"""Outgoing e-mail: SMTP from ``SMTP_URL``, or the log when it is unset.

``SMTP_URL`` forms (user and password are optional, %-encoded):

- ``smtp://user:pass@host:port``: plain SMTP (port 25 by default); add
  ``?starttls=true`` to upgrade with STARTTLS;
- ``smtp+starttls://user:pass@host:port``: STARTTLS (port 587 by default);
- ``smtps://user:pass@host:port``: TLS from the first byte (port 465).

Other query parameters: ``timeout`` (seconds, default 30). TLS certificates
are always verified. With ``SMTP_URL`` unset, every message is written to
the ``app.mail`` log instead (development and tests), so nothing waits on a
mail server that is not there.

This module does not depend on Flask except :func:`current_mailer`.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("app.mail")

SECURITY_DEFAULT_PORTS = {"plain": 25, "starttls": 587, "tls": 465}
DEFAULT_TIMEOUT = 30.0
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __repr__(self) -> str:  # never show the password in logs or errors
        who = f"{self.username}@" if self.username else ""
        return f"SmtpConfig({self.security}://{who}{self.host}:{self.port})"


def parse_smtp_url(url: str) -> SmtpConfig:
    """Read an ``SMTP_URL``; ValueError says what is wrong with it."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"it is not a URL with a valid port ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme == "smtp":
        security = "plain"
    elif scheme in ("smtp+starttls", "smtp+tls"):
        security = "starttls"
    elif scheme == "smtps":
        security = "tls"
    else:
        raise ValueError(
            "use smtp://host:port, smtp+starttls://host:port or smtps://host:port"
        )
    if not parts.hostname:
        raise ValueError("it names no host, e.g. smtp://mail.example.org:25")
    if parts.path not in ("", "/"):
        raise ValueError("it should have no path after the host and port")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(sorted(unknown))}: "
            "only starttls and timeout are understood"
        )
    if "starttls" in query:
        flag = query["starttls"][-1].strip().lower()
        if flag in _TRUE:
            if security == "tls":
                raise ValueError("smtps:// is already TLS: starttls does not apply")
            security = "starttls"
        elif flag not in _FALSE:
            raise ValueError("starttls must be true or false")
    timeout = DEFAULT_TIMEOUT
    if "timeout" in query:
        try:
            timeout = float(query["timeout"][-1])
        except ValueError:
            timeout = -1
        if not 0 < timeout <= 600:
            raise ValueError("timeout must be a number of seconds from 0 to 600")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return SmtpConfig(
        host=parts.hostname,
        port=port or SECURITY_DEFAULT_PORTS[security],
        security=security,
        username=username,
        password=password,
        timeout=timeout,
    )


def check_address(value: str) -> str | None:
    """Why ``value`` is not usable as a From address (None if it is)."""
    name, address = parseaddr(value)
    if not address or "@" not in address or address.startswith("@"):
        return "it must be an e-mail address, e.g. Portal <no-reply@example.org>"
    try:
        Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError) as exc:
        return f"it is not a valid address ({exc})"
    return None


@dataclass(frozen=True)
class Mail:
    """One message: plain text, and optionally an HTML alternative."""

    to: str
    subject: str
    text: str
    html: str | None = None
    language: str | None = None  # Content-Language, e.g. "cy"

    def build(self, sender: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=_domain_of(sender))
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
        message.set_content(self.text)
        if self.html is not None:
            message.add_alternative(self.html, subtype="html")
        if self.language:  # after the content: set_content clears Content-*
            message["Content-Language"] = self.language
        return message


def _domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[-1] or "localhost"


class Mailer(Protocol):
    def session(self) -> Any:
        """A context manager yielding ``send(mail)``: one connection for
        several messages."""


class LogMailer:
    """SMTP_URL unset: each message goes to the log instead."""

    def __init__(self, sender: str) -> None:
        self.sender = sender

    @contextmanager
    def session(self) -> Iterator[Any]:
        def send(mail: Mail) -> None:
            log.info(
                "E-mail not sent (SMTP_URL is unset). To: %s\nSubject: %s\n\n%s",
                mail.to,
                mail.subject,
                mail.text,
            )

        yield send


class SmtpMailer:
    """Sends through an SMTP server, one connection per session."""

    def __init__(self, config: SmtpConfig, sender: str) -> None:
        self.config = config
        self.sender = sender

    def connect(self) -> smtplib.SMTP:
        config = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if config.security == "tls":
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        try:
            smtp.ehlo()
            if config.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    @contextmanager
    def session(self) -> Iterator[Any]:
        smtp: smtplib.SMTP | None = None

        def send(mail: Mail) -> None:
            nonlocal smtp
            if smtp is None:  # connect only when there is something to send
                smtp = self.connect()
            smtp.send_message(mail.build(self.sender))

        try:
            yield send
        finally:
            if smtp is not None:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()


def make_mailer(smtp_url: str | None, sender: str) -> LogMailer | SmtpMailer:
    if not smtp_url:
        return LogMailer(sender)
    return SmtpMailer(parse_smtp_url(smtp_url), sender)


def current_mailer() -> Any:
    """The app's mailer, made from its settings on first use (tests may put
    another in ``app.extensions["mailer"]``)."""
    from flask import current_app

    mailer = current_app.extensions.get("mailer")
    if mailer is None:
        settings = current_app.extensions["portal_settings"]
        mailer = make_mailer(settings.smtp_url, settings.mail_from)
        current_app.extensions["mailer"] = mailer
    return mailer


def send_all(mails: Iterable[Mail]) -> None:
    """Send every message over one connection (raises on the first failure)."""
    with current_mailer().session() as send:
        for mail in mails:
            send(mail)
