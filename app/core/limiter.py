"""Rate limiting (Flask-Limiter): Redis when ``REDIS_URL`` is set, so every app
server counts together; in-process memory otherwise."""

from __future__ import annotations

import time

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from app.core.errors import RateLimited, handle_portal_error
from app.core.i18n import _

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_limiter(app: Flask, redis_url: str | None) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "portal")
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(_error: RateLimitExceeded):  # type: ignore[no-untyped-def]
        current = limiter.current_limit
        wait = max(1, int(current.reset_at - time.time())) if current else 60
        return handle_portal_error(
            RateLimited(
                _("Too many attempts: try again in %(seconds)d seconds.", seconds=wait),
                headers={"Retry-After": str(wait)},
            )
        )
