"""The JSON API's plumbing: blueprints, token sign-in, input fields, pages of lists.

Every feature's ``api.py`` makes an :class:`ApiBlueprint`; flask-smorest
turns their schemas into the served OpenAPI document, so the document is
generated from the code that answers.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar, cast

import flask_smorest
import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow.schema import SchemaMeta
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser, abort

from app.core.errors import (
    Unauthenticated,
    ValidationFailed,
    flatten_validation_messages,
)
from app.core.i18n import _, _l

F = TypeVar("F", bound=Callable[..., Any])

BEARER_SCHEME = "bearerAuth"
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
CURSOR_MAX = 1000
# Bodies of JSON requests (Flask's MAX_CONTENT_LENGTH); uploads raise their
# own limit (UPLOAD_MAX_BYTES).
API_MAX_JSON_BYTES = 10 * 1024 * 1024
JSON_BODY_MAX_TEXT = f"{API_MAX_JSON_BYTES // (1024 * 1024)} MiB"
CURSOR_PATTERN = r"^[A-Za-z0-9_.-]*$"


class ApiParser(FlaskParser):
    """webargs parser answering the contract: 400 (not 422), JSON only."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Any) -> Any:
        body = req.get_data(cache=True)
        if not body:
            return webargs_core.missing
        if not webargs_core.is_json(req.mimetype):
            abort(
                400,
                messages={
                    "json": [
                        "Send the body as JSON with 'Content-Type: application/json'."
                    ]
                },
            )
        return webargs_core.parse_json(body)


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ApiParser()

    def route(  # type: ignore[override]
        self,
        rule: str,
        *,
        operation_id: str,
        parameters: Any = None,
        tags: Any = None,
        **options: Any,
    ) -> Callable[[F], F]:
        """Register a view, under a stable ``operation_id``.

        Generated clients name their functions and models after it
        (``upload_evidence``, ``UploadEvidence...``), and scripts are built on
        those names: never rename one. An operation behind
        :func:`token_required` documents its 401 here, so none is forgotten.
        """
        register = super().route(rule, parameters=parameters, tags=tags, **options)

        def decorator(func: F) -> F:
            apidoc = getattr(func, "_apidoc", {})
            documented = apidoc.get("response", {}).get("responses") or {}
            if getattr(func, "token_required", False) and 401 not in documented:
                func = self.alt_response(
                    401,
                    schema="Error",
                    description="No token, or one that is wrong, expired or revoked",
                )(func)
            takes_json = any(
                argument.get("in") == "json"
                for argument in apidoc.get("arguments", {}).get("parameters", [])
            )
            if takes_json and 413 not in documented:
                func = self.alt_response(
                    413,
                    schema="Error",
                    description=f"The JSON body is over {JSON_BODY_MAX_TEXT}",
                )(func)
            func = self.doc(operationId=operation_id)(func)
            return cast(F, register(func))

        return decorator


class Api(flask_smorest.Api):
    """flask-smorest's Api, with the portal's error handlers instead of its own."""

    def _register_error_handlers(self) -> None:
        # app/core/errors.py answers every error, API and pages alike.
        pass


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "not_found"})
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        metadata={"description": "Only on validation errors: each bad field."},
    )


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetailSchema, required=True)


Api.ERROR_SCHEMA = ErrorSchema  # type: ignore[assignment]


def init_api(app: Flask, *, token_user: Callable[[str], Any]) -> Api:
    """``token_user`` finds the user a bearer token signs in (or None): the
    auth feature's, handed down so that the ground floor imports no feature."""
    app.extensions["portal_token_user"] = token_user
    app.config.update(
        API_TITLE="Joint Inspection Room API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": (
                    "Evidence sharing for joint inspections. Authenticate with "
                    "`POST /api/v1/auth/token`, then send "
                    "`Authorization: Bearer <token>`."
                )
            },
            "security": [{BEARER_SCHEME: []}],
        },
    )
    api = Api(app)
    api.spec.components.security_scheme(
        BEARER_SCHEME, {"type": "http", "scheme": "bearer"}
    )
    return api


class _AllPresent(SchemaMeta):
    def __new__(mcs, name: str, bases: Any, attrs: Any) -> Any:
        klass = super().__new__(mcs, name, bases, attrs)
        for field in klass._declared_fields.values():
            field.required = True
        return klass


class ResponseSchema(ma.Schema, metaclass=_AllPresent):
    """A schema the API only answers with: every field is always present.

    The document then lists them all as ``required``, so generated clients
    type them as present (and nullable where ``allow_none`` says so) rather
    than as maybe-unset. Never a request body: ``required`` would then bind
    the caller. Tests check every answer against the document.
    """


# Request bodies that are not JSON (multipart uploads, raw parts): named
# schemas in components, so generated clients get named models for them.
_BODY_SCHEMAS: dict[str, dict[str, Any]] = {}


def request_body(
    name: str,
    content_type: str,
    schema: dict[str, Any],
    *,
    description: str | None = None,
) -> dict[str, Any]:
    """A ``requestBody`` for ``@bp.doc`` whose schema is the component ``name``."""
    if _BODY_SCHEMAS.get(name, schema) != schema:
        raise ValueError(f"two request bodies named {name}")
    _BODY_SCHEMAS[name] = schema
    body: dict[str, Any] = {
        "required": True,
        "content": {content_type: {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }
    if description:
        body["description"] = description
    return body


# A field's metadata may name the setting that bounds it, e.g.
# ``{"x-maximum-setting": "UPLOAD_MAX_BYTES"}``: the served document then
# states this deployment's limit as the field's ``maximum``.
SETTING_MAXIMUM = "x-maximum-setting"


def finish_spec(api: Api, app: Flask) -> None:
    """After every blueprint is registered: add the named request bodies and
    put this deployment's configured limits into the schemas."""
    schemas = api.spec.components.schemas
    for name, schema in _BODY_SCHEMAS.items():
        if name not in schemas:
            api.spec.components.schema(name, component=schema)

    def resolve(node: Any) -> None:
        if isinstance(node, dict):
            setting = node.pop(SETTING_MAXIMUM, None)
            if setting is not None:
                node["maximum"] = int(app.config[setting])
            for value in node.values():
                resolve(value)
        elif isinstance(node, list):
            for value in node:
                resolve(value)

    resolve(schemas)


# --- sign-in by bearer token -------------------------------------------------


def token_required(view: F) -> F:
    """Let the view run only for a valid, unexpired, unrevoked API token.

    The API never looks at the browser's session cookie, so a page visited in
    a signed-in browser cannot make API calls on the user's behalf (CSRF).
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = None
        if scheme.lower() == "bearer" and token.strip():
            user = current_app.extensions["portal_token_user"](token.strip())
        if user is None:
            raise Unauthenticated(headers={"WWW-Authenticate": 'Bearer realm="api"'})
        g.actor = user
        g.api_token = token.strip()
        return view(*args, **kwargs)

    wrapper.token_required = True  # type: ignore[attr-defined]  # read by route()
    return cast(F, wrapper)


def current_actor() -> Any:
    """The user the current API request acts for (set by :func:`token_required`)."""
    return g.actor


# --- input fields ------------------------------------------------------------

# Control characters break logs and displays, and PostgreSQL refuses NUL in
# text; bidirectional overrides disguise what a string says (Trojan Source).
_SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_MULTI_LINE_FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]"
)


def check_text(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` is not acceptable text, or None when it is."""
    pattern = _MULTI_LINE_FORBIDDEN if multiline else _SINGLE_LINE_FORBIDDEN
    if pattern.search(value):
        return _("Must not contain control characters or direction overrides.")
    return None


class Text(ma.fields.String):
    """A string field that refuses control characters and trims white space."""

    def __init__(
        self,
        *,
        max_length: int,
        min_length: int = 0,
        multiline: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.multiline = multiline
        self.min_length = min_length
        self.max_length = max_length
        self.metadata.setdefault("maxLength", max_length)
        if min_length:
            self.metadata.setdefault("minLength", min_length)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = check_text(text, multiline=self.multiline)
        if problem:
            raise ma.ValidationError(problem)
        # Checked here, not by a marshmallow validator, so that the message
        # is in the caller's language.
        if len(text) > self.max_length:
            raise ma.ValidationError(
                _("Must be at most %(count)d characters.", count=self.max_length)
            )
        text = text.strip()
        if len(text) < self.min_length:
            raise ma.ValidationError(_("Must not be empty."))
        return text


class UtcDateTime(ma.fields.DateTime):
    """A UTC time as the contract writes it: ``2026-11-23T09:00:00Z``."""

    def __init__(self, **kwargs: Any) -> None:
        # "iso" documents it as an OpenAPI date-time; _serialize writes the Z form.
        super().__init__(format="iso", **kwargs)
        self.metadata.setdefault("example", "2026-11-23T09:00:00Z")

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def enum_field(
    enum: Any, error: str, description: str | None = None, **kwargs: Any
) -> ma.fields.Enum:
    """An enum of string values: typed as a string in the document, with
    ``error`` (the allowed values) for one that is not among them."""
    metadata = {"type": "string"}
    if description:
        metadata["description"] = description
    return ma.fields.Enum(
        enum,
        by_value=True,
        error_messages={"unknown": error},
        metadata=metadata,
        **kwargs,
    )


class ChangeSchema(ma.Schema):
    """A PATCH body: a JSON object naming at least one field to change."""

    @ma.validates_schema(skip_on_field_errors=False, pass_original=True)
    def _names_a_field(
        self, data: dict[str, Any], original: Any, **_kwargs: Any
    ) -> None:
        # A PATCH with no body, or {}, changes nothing: most likely a client
        # that lost its body on the way, so say so rather than answer 200.
        # (A field sent with a bad value is that field's error alone.)
        if not data and not original:
            raise ma.ValidationError(
                _l(
                    "Send a JSON object with at least one field to change: %(names)s.",
                    names=", ".join(self.fields),
                )
            )


class StrictBoolean(ma.fields.Boolean):
    """Only JSON ``true`` and ``false``: not "yes", 1, 0 or "on".

    (The sets alone are not enough: ``0 in {False}`` and ``1 in {True}`` are
    true in Python, so 0 and 1 would pass as booleans.)"""

    truthy: ClassVar[set[object]] = {True}
    falsy: ClassVar[set[object]] = {False}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


# --- pages of lists ------------------------------------------------------------


# marshmallow's own messages, here so that pybabel extracts them: API
# validation errors are looked up in the catalogue on their way out
# (app/core/errors.py), so a Welsh-speaking caller reads them in Welsh.
MARSHMALLOW_MESSAGES = (
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid value."),
    _l("Invalid input."),
    _l("Invalid input type."),
    _l("Invalid type."),
    _l("Unknown field."),
    _l("Not a valid string."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Not a valid boolean."),
    _l("Not a valid UUID."),
    _l("Not a valid list."),
    _l("Not a valid email address."),
    _l("String does not match expected pattern."),
)


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        strict=False,
        validate=ma.validate.Range(
            min=1, max=MAX_PAGE_SIZE, error=_l("Must be between {min} and {max}.")
        ),
        metadata={"description": f"Items per page, 1 to {MAX_PAGE_SIZE}."},
    )
    cursor = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=CURSOR_MAX),
        metadata={
            "description": "The next_cursor of the previous page (opaque).",
            # What the server issues: URL-safe base64 and a signature.
            "pattern": CURSOR_PATTERN,
        },
    )


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A ``{"items": [...], "next_cursor": ...}`` schema for one kind of item."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next_cursor": ma.fields.String(
                allow_none=True,
                required=True,
                metadata={
                    "description": "Pass as ?cursor= for the next page; "
                    "null on the last page.",
                    "pattern": CURSOR_PATTERN,
                    "maxLength": CURSOR_MAX,
                },
            ),
        },
        name=name,
    )


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def _cursor_serializer(list_name: str) -> URLSafeSerializer:
    from flask import current_app

    # Signed, and salted per list: a cursor the server did not issue, or one
    # issued for another list, is refused rather than trusted.
    return URLSafeSerializer(current_app.secret_key, salt=f"cursor:{list_name}")


def paginate(
    session: Any,
    stmt: sa.Select[Any],
    *,
    order: Sequence[sa.ColumnElement[Any]],
    descending: bool,
    page: dict[str, Any],
    list_name: str,
) -> Page:
    """Keyset pagination: a stable order, and no OFFSET scans on deep pages.

    ``order`` is a unique ordering (ending with the primary key); the cursor
    carries the last item's values of those columns.
    """
    limit: int = page["limit"]
    cursor: str | None = page.get("cursor")
    if cursor:
        try:
            raw = _cursor_serializer(list_name).loads(cursor)
        except BadSignature:
            raise ValidationFailed.field(
                "cursor", _("This cursor was not issued for this list.")
            ) from None
        if not isinstance(raw, list) or len(raw) != len(order):
            raise ValidationFailed.field("cursor", _("This cursor is not valid."))
        try:
            values = [
                sa.bindparam(None, _decode_cursor_value(v, col), type_=col.type)
                for v, col in zip(raw, order, strict=True)
            ]
        except (TypeError, ValueError):
            raise ValidationFailed.field(
                "cursor", _("This cursor is not valid.")
            ) from None
        key = sa.tuple_(*order)
        bound = sa.tuple_(*values)
        stmt = stmt.where(key < bound if descending else key > bound)
    ordering = [col.desc() if descending else col.asc() for col in order]
    rows = list(session.scalars(stmt.order_by(*ordering).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _cursor_serializer(list_name).dumps(
            [_encode_cursor_value(getattr(last, col.key)) for col in order]
        )
    return Page(items=rows, next_cursor=next_cursor)


def _encode_cursor_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, int):
        return value  # JSON keeps it a number: compared as one, too
    return str(value)


def _decode_cursor_value(value: Any, column: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(column.type, sa.Uuid):
        return uuid.UUID(value)
    return value


def load_json_object(schema: ma.Schema) -> dict[str, Any]:
    """A view's JSON body (an object; none at all counts as ``{}``) loaded
    by ``schema``: 400 ``validation_error`` naming each bad field, for the
    views that read their body themselves rather than through
    ``@bp.arguments`` (a body of one of two content types, a page's form
    posted as JSON)."""
    body = request.get_json(silent=True)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ValidationFailed(_("Send the details as a JSON object."))
    try:
        loaded: dict[str, Any] = schema.load(body)
    except ma.ValidationError as bad:
        raise ValidationFailed(
            fields=flatten_validation_messages(bad.messages)
        ) from None
    return loaded
