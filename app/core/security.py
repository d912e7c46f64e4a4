"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, g, request


def init_security_headers(app: Flask, *, production: bool) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        # Browsers must take our Content-Type at its word (no MIME sniffing).
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith("/api/"):
            # JSON is data, never a page: nothing in it may run or be framed.
            headers.setdefault(
                "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"
            )
            headers.setdefault("Cache-Control", "no-store")
        if production:
            headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        actor = g.get("actor")
        if actor is not None:
            request.environ["portal.user_id"] = str(actor.id)
        return response
