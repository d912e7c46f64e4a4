"""Errors: the exceptions services raise, and the handlers that answer them.

Services raise :class:`PortalError` subclasses; they never build responses.
Under ``/api/`` every error answers with the contract's body::

    {"error": {"code": "...", "message": "...", "fields": {...}}}

(``fields`` only on validation errors). Elsewhere the same errors answer
with a page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from evidence_store import ObjectNotFound, StoreError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


class PortalError(Exception):
    """Something the caller asked for cannot be done; says what and why."""

    status = 500
    code = "internal_error"
    default_message = _l("Something went wrong on our side.")

    def __init__(
        self,
        message: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = str(message or self.default_message)
        self.headers = dict(headers or {})
        super().__init__(self.message)


class ValidationFailed(PortalError):
    """Malformed or invalid input; ``fields`` names each bad field."""

    status = 400
    code = "validation_error"
    default_message = _l("Some of the input is not valid.")

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.fields = dict(fields or {})

    @classmethod
    def field(cls, name: str, message: str) -> ValidationFailed:
        return cls(message, fields={name: message})


class Unauthenticated(PortalError):
    status = 401
    code = "unauthenticated"
    default_message = _l(
        "Sign in first: send a valid token as 'Authorization: Bearer ...'."
    )


class Forbidden(PortalError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class NotFound(PortalError):
    # One message for absent and hidden things: a 404 must not disclose
    # whether the thing exists.
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Conflict(PortalError):
    status = 409
    code = "conflict"
    default_message = _l("That conflicts with the current state.")


class Gone(PortalError):
    # What was held stays on record (its row, reference and SHA-256); only
    # the content was deleted, under retention.
    status = 410
    code = "gone"
    default_message = _l("The content was deleted under the retention policy.")


class TooLarge(PortalError):
    status = 413
    code = "too_large"
    default_message = _l("The request is too large.")


class UnsupportedType(PortalError):
    status = 415
    code = "unsupported_type"
    default_message = _l("That type of content is not accepted.")


class RangeNotSatisfiable(PortalError):
    status = 416
    code = "range_not_satisfiable"
    default_message = _l("The requested byte range is outside the file.")


class DatabaseBusy(PortalError):
    status = 503
    code = "service_unavailable"
    default_message = _l(
        "The service is busy or its database is unavailable: nothing was "
        "changed. Try again in a moment."
    )


class StoreUnavailable(PortalError):
    status = 503
    code = "store_unavailable"
    default_message = _l(
        "The evidence store could not complete this: nothing was stored or "
        "changed. Try again in a few minutes."
    )


class RateLimited(PortalError):
    status = 429
    code = "rate_limited"
    default_message = _l("Too many attempts: wait a little and try again.")


# Codes for errors raised by Flask, Werkzeug and extensions, not by us.
_HTTP_CODES = {
    400: "validation_error",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_type",
    416: "range_not_satisfiable",
    429: "rate_limited",
}
_HTTP_MESSAGES = {
    400: _l("The request is malformed."),
    404: NotFound.default_message,
    405: _l("That method is not allowed here."),
    413: _l("The request body is too large."),
    429: RateLimited.default_message,
}


def is_api_request() -> bool:
    """API paths, and a page's own script asking for JSON (uploads)."""
    if request.path.startswith(API_PREFIX):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def api_error_response(
    status: int,
    code: str,
    message: str,
    *,
    fields: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        body["fields"] = dict(fields)
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# Statuses with a page of their own; others use the nearest.
_PAGES = {400, 403, 404, 405, 409, 410, 413, 415, 429, 500, 503}


def render_error_page(
    status: int,
    message: str | None = None,
    *,
    reason: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A page that says what happened and what to do, in the user's language."""
    page = status if status in _PAGES else (500 if status >= 500 else 400)
    try:
        body = render_template(
            "errors/error.html", status=page, message=message, reason=reason
        )
    except Exception:  # a broken template must not hide the original error
        log.exception("error page %s failed to render", status)
        body = str(message or PortalError.default_message)
        return Response(body, status=status, mimetype="text/plain")
    response = Response(body, status=status, mimetype="text/html")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _page_response(status: int, message: str, headers: Mapping[str, str]) -> Response:
    return render_error_page(status, message, headers=headers)


def handle_portal_error(error: PortalError) -> Response:
    if is_api_request():
        fields = error.fields if isinstance(error, ValidationFailed) else None
        return api_error_response(
            error.status,
            error.code,
            error.message,
            fields=fields,
            headers=error.headers,
        )
    return _page_response(error.status, error.message, error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    headers = dict(error.get_headers() or [])
    headers.pop("Content-Type", None)
    message = str(_HTTP_MESSAGES.get(status) or error.description or error.name)
    fields: dict[str, str] | None = None
    data = getattr(error, "data", None)
    if status == 400 and isinstance(data, dict) and "messages" in data:
        # A webargs/marshmallow validation failure.
        fields = flatten_validation_messages(data["messages"])
        message = str(
            _l("The request body is not valid JSON.")
            if fields.pop("_json", None)
            else ValidationFailed.default_message
        )
    elif status == 400:
        fields = {}
    if status == 429:
        headers.setdefault("Retry-After", "60")
    if is_api_request():
        return api_error_response(
            status,
            _HTTP_CODES.get(status, "error"),
            message,
            fields=fields,
            headers=headers,
        )
    return _page_response(status, message, headers)


def _abandon_transaction() -> None:
    """Roll back whatever the request's database session was doing, so that
    the error answer (its language, its page) can still read what it needs."""
    from app.core.db import db

    try:
        db.session.rollback()
    except Exception:  # the database may be gone altogether
        log.warning("rollback after an error failed", exc_info=True)


def handle_database_error(error: OperationalError) -> Response:
    # Locked (SQLite under concurrent writers) or unreachable: nothing was
    # committed, and trying again later is the right advice.
    _abandon_transaction()
    log.error("database failed on %s %s: %s", request.method, request.path, error)
    return handle_portal_error(DatabaseBusy(headers={"Retry-After": "5"}))


def handle_unexpected(error: Exception) -> Response:
    _abandon_transaction()
    original = getattr(error, "original_exception", None) or error
    if not isinstance(original, HTTPException):
        log.exception("unhandled error on %s %s", request.method, request.path)
    if is_api_request():
        return api_error_response(
            500,
            "internal_error",
            str(_l("Something went wrong on our side. It has been logged.")),
        )
    return render_error_page(500)


def flatten_validation_messages(messages: Any) -> dict[str, str]:
    """webargs' ``{location: {field: [msg, ...]}}`` to ``{field: "msg"}``.

    Top-level field names are kept as keys; errors inside a list or nested
    object are folded into their field's message. A body that is not JSON
    at all comes back under the key ``_json``.
    """
    fields: dict[str, str] = {}
    if not isinstance(messages, Mapping):
        return {"_json": str(messages)}
    for location, errors in messages.items():
        if isinstance(errors, list):
            # A location-level error, e.g. webargs' "Invalid JSON body."
            fields["_json" if location == "json" else location] = " ".join(
                str(e) for e in errors
            )
            continue
        if not isinstance(errors, Mapping):
            fields[str(location)] = str(errors)
            continue
        for name, detail in errors.items():
            key = "body" if name == "_schema" else str(name)
            fields[key] = _join_messages(detail)
    return fields


def _join_messages(detail: Any) -> str:
    if isinstance(detail, str):
        # marshmallow's fixed messages are in the catalogue (see
        # app/core/api.py); anything else comes back as it is.
        return str(gettext(detail))
    if isinstance(detail, list):
        return " ".join(_join_messages(d) for d in detail)
    if isinstance(detail, Mapping):
        return " ".join(
            f"Item {key}: {_join_messages(value)}"
            if isinstance(key, int)
            else f"{key}: {_join_messages(value)}"
            for key, value in detail.items()
        )
    return str(detail)


def handle_store_error(error: StoreError) -> Response:
    # The store failing is our fault, not the caller's; the upload pipeline
    # has already removed whatever it had written.
    if isinstance(error, ObjectNotFound):
        # A row without its blob: evidence is missing. Run check-fixity.
        log.critical(
            "stored file missing on %s %s: %s", request.method, request.path, error
        )
    else:
        log.error(
            "evidence store failed on %s %s: %s", request.method, request.path, error
        )
    return handle_portal_error(StoreUnavailable(headers={"Retry-After": "120"}))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(PortalError, handle_portal_error)
    app.register_error_handler(StoreError, handle_store_error)
    app.register_error_handler(OperationalError, handle_database_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
