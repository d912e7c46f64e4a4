"""One log line per request, written when the response has been sent.

Written as WSGI middleware so a streamed download is logged with its real
duration and byte count, not when its first byte leaves.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

log = logging.getLogger("portal.request")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_portal", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
        )
        handler._portal = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces every plugin it loads; only its migrations matter.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # Malformed multipart bodies are the client's mistake, answered with a
    # 400; the parser's own warnings about them are noise.
    logging.getLogger("python_multipart").setLevel(logging.ERROR)


class RequestLogMiddleware:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        started = time.perf_counter()
        request_id = environ.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        environ["portal.request_id"] = request_id
        status_holder: dict[str, str] = {}

        def _start_response(
            status: str, headers: list[tuple[str, str]], *args: Any
        ) -> Any:
            status_holder["status"] = status.split(" ", 1)[0]
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, *args)

        body = self.app(environ, _start_response)
        return _LoggedBody(body, environ, status_holder, started, request_id)


class _LoggedBody:
    def __init__(
        self,
        body: Iterable[bytes],
        environ: dict[str, Any],
        status: dict[str, str],
        started: float,
        request_id: str,
    ) -> None:
        self._body = body
        self._environ = environ
        self._status = status
        self._started = started
        self._request_id = request_id
        self._sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            self._sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            env = self._environ
            path = env.get("PATH_INFO", "")
            # Query strings can carry cursors; keep lines short and free of them.
            log.info(
                "%s %s %s %dB %.1fms user=%s ip=%s id=%s",
                env.get("REQUEST_METHOD", "-"),
                path,
                self._status.get("status", "-"),
                self._sent,
                (time.perf_counter() - self._started) * 1000,
                env.get("portal.user_id", "-"),
                env.get("REMOTE_ADDR", "-"),
                self._request_id,
            )
