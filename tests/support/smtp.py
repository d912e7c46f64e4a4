"""A real SMTP server in the test process (aiosmtpd), keeping what it gets."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from support.server import free_port


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())

    @property
    def html(self) -> str:
        body = self.message.get_body(("html",))
        assert body is not None
        return str(body.get_content())


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_EHLO(
        self,
        smtp: Any,
        session: Any,
        envelope: Any,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        with self.server.lock:
            self.server.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        if self.server.refuse:
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.server.lock:
            self.server.messages.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    message,  # type: ignore[arg-type]
                )
            )
        return "250 OK"


class SmtpServer:
    """``with SmtpServer() as server: ... server.url ... server.messages``.

    ``users`` turns on AUTH (LOGIN/PLAIN, allowed without TLS here);
    ``refuse = True`` makes it answer every message with a temporary
    failure."""

    def __init__(self, users: dict[str, str] | None = None) -> None:
        self.messages: list[Received] = []
        self.connections = 0
        self.refuse = False
        self.lock = threading.Lock()
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if users is not None:

            def authenticate(
                server: Any, session: Any, envelope: Any, mechanism: str, data: Any
            ) -> AuthResult:
                if isinstance(data, LoginPassword):
                    name = data.login.decode()
                    if users.get(name) == data.password.decode():
                        return AuthResult(success=True)
                return AuthResult(success=False, handled=False)

            kwargs.update(
                authenticator=authenticate, auth_require_tls=False, auth_required=True
            )
        self.controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, **kwargs
        )

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=10"

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
