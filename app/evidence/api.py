"""JSON API: evidence items."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import current_app, g, request

from app.core import uploads
from app.core.api import (
    ChangeSchema,
    PageArgs,
    ResponseSchema,
    StrictBoolean,
    Text,
    UtcDateTime,
    current_actor,
    page_schema,
    request_body,
    token_required,
)
from app.core.errors import Forbidden
from app.core.files import ConditionalRequest
from app.core.i18n import _, _l
from app.core.permissions import Side
from app.evidence import api_bp as bp
from app.evidence import metadata, queries, services
from app.evidence.models import Classification, EvidenceItem
from app.reviews import queries as review_queries
from app.search import indexing

# A download answers with the stored file's detected type, which is one of
# the accepted types: the document says so rather than pretend it is always
# application/octet-stream.
FILE_CONTENT = {"type": "string", "format": "binary"}
FILE_CONTENT_DESCRIPTION = (
    "The exact bytes, as an attachment (RFC 6266 filename). Content-Type is "
    "the type detected on upload, one of: "
    + ", ".join(t.media_type for t in uploads.ACCEPTED_TYPES)
    + ". ETag is the quoted SHA-256; Range requests answer 206."
)

CLASSIFICATION_ERROR = "Must be one of: " + ", ".join(c.value for c in Classification)


class EvidenceSchema(ResponseSchema):
    id = ma.fields.UUID()
    workspace_id = ma.fields.UUID()
    reference = ma.fields.String(
        metadata={
            "description": "Stable and unique in the review, for citing: ERW-014."
        }
    )
    title = ma.fields.String()
    description = ma.fields.String()
    filename = ma.fields.String(attribute="current_file.filename")
    media_type = ma.fields.String(
        attribute="current_file.media_type",
        metadata={
            "description": "What the content is (sniffed), not what was claimed."
        },
    )
    size = ma.fields.Integer(
        attribute="current_file.size", metadata={"description": "Bytes."}
    )
    sha256 = ma.fields.String(
        attribute="current_file.sha256", metadata={"description": "Lowercase hex."}
    )
    version = ma.fields.Integer(
        metadata={"description": "The current version: 1, then 2, ..."}
    )
    effective_date = ma.fields.Date(
        allow_none=True,
        metadata={"description": "When the document was produced (YYYY-MM-DD)."},
    )
    themes = ma.fields.List(ma.fields.String())
    classification = ma.fields.Enum(
        Classification, by_value=True, metadata={"type": "string"}
    )
    personal_data = ma.fields.Boolean(
        metadata={"description": "The item contains personal data."}
    )
    request_id = ma.fields.UUID(
        allow_none=True, metadata={"description": "The request this item answers."}
    )
    uploaded_by = ma.fields.UUID(attribute="uploaded_by_id", allow_none=True)
    uploaded_at = UtcDateTime()
    withdrawn_at = UtcDateTime(
        allow_none=True, metadata={"description": "Null unless withdrawn."}
    )
    withdrawn_by = ma.fields.UUID(attribute="withdrawn_by_id", allow_none=True)
    read_by_me = ma.fields.Method(
        "_read_by_me",
        allow_none=True,
        metadata={
            "type": "boolean",
            "description": "Whether the caller has opened it (its page or any "
            "version's content); null for a reviewed party's member.",
        },
    )

    text_status = ma.fields.Method(
        "_text_status",
        metadata={
            "type": "string",
            "enum": ["pending", "indexed", "no_text", "failed"],
            "description": "The current version's text, for search: extracted "
            "after the upload, in the background.",
        },
    )

    def _read_by_me(self, item: EvidenceItem) -> bool | None:
        return reading_of_caller(item)

    def _text_status(self, item: EvidenceItem) -> str:
        cache = g.setdefault("evidence_text_status", {})
        current = item.current_file.id
        if current not in cache:
            cache.update(indexing.text_status_of([current]))
        status: str = cache[current]
        return status


def prefetch_text_status(items: list[EvidenceItem]) -> None:
    cache = g.setdefault("evidence_text_status", {})
    cache.update(indexing.text_status_of([i.current_file.id for i in items]))


def reading_of_caller(item: EvidenceItem) -> bool | None:
    """``read_by_me`` for the API's caller: their reads, looked up once per
    request (a list prefetches its page's in one query, prefetch_reading)."""
    cache = g.setdefault("evidence_reading", {})
    if item.id not in cache:
        prefetch_reading([item])
    return cache[item.id]


def prefetch_reading(items: list[EvidenceItem]) -> None:
    # The API's caller, or the signed-in user of a page that answers JSON
    # with this schema (the resumable upload's completion).
    from flask_login import current_user

    actor = g.get("actor") or (
        current_user if getattr(current_user, "is_authenticated", False) else None
    )
    cache = g.setdefault("evidence_reading", {})
    if actor is None:
        cache.update({item.id: None for item in items})
        return
    inspects: dict[uuid.UUID, bool] = g.setdefault("evidence_inspects", {})
    for review_id in {i.review_id for i in items} - set(inspects):
        role = review_queries.role_in(actor, review_id)
        inspects[review_id] = role is not None and role.side is Side.INSPECTING
    read = queries.read_by(actor, [i.id for i in items if inspects[i.review_id]])
    for item in items:
        cache[item.id] = (item.id in read) if inspects[item.review_id] else None


class EvidenceListArgs(PageArgs):
    withdrawn = ma.fields.Boolean(
        load_default=False,
        truthy={"true"},
        falsy={"false"},
        metadata={
            "description": "true: only the withdrawn items (the trash), for "
            "whoever may withdraw here."
        },
    )


EvidencePage = page_schema(EvidenceSchema, "EvidencePage")


class VersionSchema(ResponseSchema):
    version = ma.fields.Integer()
    filename = ma.fields.String()
    media_type = ma.fields.String()
    size = ma.fields.Integer(metadata={"description": "Bytes."})
    sha256 = ma.fields.String(metadata={"description": "Lowercase hex."})
    uploaded_by = ma.fields.UUID(attribute="uploaded_by_id", allow_none=True)
    uploaded_at = UtcDateTime()


VersionPage = page_schema(VersionSchema, "VersionPage")


class VersionArgs(ma.Schema):
    version = ma.fields.Integer(
        load_default=None,
        strict=False,
        validate=ma.validate.Range(min=1, error=_l("Must be 1 or more.")),
        metadata={"description": "A version number (default: the current one)."},
    )


def _effective_date(value: Any) -> Any:
    try:
        return metadata.check_effective_date(value)
    except ValueError as bad:
        raise ma.ValidationError(str(bad)) from None


def _themes(value: list[str]) -> list[str]:
    try:
        return list(metadata.clean_themes(value))
    except ValueError as bad:
        raise ma.ValidationError(str(bad)) from None


class EvidenceChangeSchema(ChangeSchema):
    title = Text(min_length=1, max_length=services.TITLE_MAX)
    description = Text(multiline=True, max_length=services.DESCRIPTION_MAX)
    effective_date = ma.fields.Date(allow_none=True)
    themes = ma.fields.List(Text(max_length=metadata.THEME_MAX))
    classification = ma.fields.Enum(
        Classification,
        by_value=True,
        error_messages={"unknown": CLASSIFICATION_ERROR},
        metadata={"type": "string"},
    )
    personal_data = StrictBoolean()

    @ma.post_load
    def _check(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        problems: dict[str, list[str]] = {}
        if data.get("effective_date") is not None:
            try:
                data["effective_date"] = _effective_date(data["effective_date"])
            except ma.ValidationError as bad:
                problems["effective_date"] = bad.messages  # type: ignore[assignment]
        if "themes" in data:
            try:
                data["themes"] = _themes(data["themes"])
            except ma.ValidationError as bad:
                problems["themes"] = bad.messages  # type: ignore[assignment]
        if problems:
            raise ma.ValidationError(problems)
        return data


UPLOAD_BODY = request_body(
    "EvidenceUpload",
    "multipart/form-data",
    {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "title": {"type": "string", "maxLength": services.TITLE_MAX},
            "description": {
                "type": "string",
                "maxLength": services.DESCRIPTION_MAX,
            },
            "sha256": {
                "type": "string",
                "pattern": uploads.SHA256_PATTERN,
                "description": "Optional SHA-256 (hex) of the file: "
                "a mismatch stores nothing and answers 400.",
            },
            "request_id": {
                "type": "string",
                "description": "The workspace's request this file answers "
                "(moves an open or returned request to submitted).",
            },
            "effective_date": {
                "type": "string",
                "format": "date",
                "description": "When the document was produced.",
            },
            "themes": {
                "type": "string",
                "description": "Themes, separated by commas.",
            },
            "classification": {
                "type": "string",
                "enum": [c.value for c in Classification],
                "default": Classification.OFFICIAL.value,
            },
            "personal_data": {
                "type": "boolean",
                "default": False,
                "description": "The file contains personal data.",
            },
        },
    },
)

VERSION_BODY = request_body(
    "VersionUpload",
    "multipart/form-data",
    {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "sha256": {
                "type": "string",
                "pattern": uploads.SHA256_PATTERN,
                "description": "Optional SHA-256 (hex) of the file: "
                "a mismatch stores nothing and answers 400.",
            },
        },
    },
)


@bp.route(
    "/workspaces/<uuid:workspace_id>/evidence",
    methods=["POST"],
    operation_id="upload_evidence",
)
@token_required
@bp.response(201, EvidenceSchema)
@bp.alt_response(
    400, schema="Error", description="Invalid input, an empty file or a bad name"
)
@bp.alt_response(403, schema="Error", description="The caller's role may not upload")
@bp.alt_response(404, schema="Error", description="No such workspace, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
@bp.alt_response(413, schema="Error", description="Over UPLOAD_MAX_BYTES")
@bp.alt_response(415, schema="Error", description="Content not on the allow-list")
@bp.doc(requestBody=UPLOAD_BODY)
def upload(workspace_id: uuid.UUID) -> EvidenceItem:
    """Upload a file as a new evidence item (streamed, never held in memory)."""
    actor = current_actor()
    workspace = review_queries.get_visible_workspace_or_404(actor, workspace_id)
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    form = uploads.incoming_form(request)
    return services.upload_evidence(actor, workspace, form, max_bytes=max_bytes)


@bp.route(
    "/workspaces/<uuid:workspace_id>/evidence",
    methods=["GET"],
    operation_id="list_workspace_evidence",
)
@token_required
@bp.arguments(EvidenceListArgs, location="query")
@bp.response(200, EvidencePage)
@bp.alt_response(400, schema="Error", description="Invalid paging or filter")
@bp.alt_response(
    403, schema="Error", description="withdrawn=true by someone who may not withdraw"
)
@bp.alt_response(404, schema="Error", description="No such workspace, or not visible")
def list_evidence(page: dict[str, Any], workspace_id: uuid.UUID) -> Any:
    """The workspace's evidence, newest first; withdrawn items left out, or,
    with ``withdrawn=true``, only those (for whoever may withdraw and restore
    them: the trash, newest withdrawal first)."""
    actor = current_actor()
    workspace = review_queries.get_visible_workspace_or_404(actor, workspace_id)
    if page.get("withdrawn"):
        return queries.list_withdrawn(actor, workspace, page)
    result = queries.list_workspace_evidence(actor, workspace, page)
    prefetch_reading(result.items)
    prefetch_text_status(result.items)
    return result


@bp.route("/evidence/<uuid:evidence_id>", methods=["GET"], operation_id="get_evidence")
@token_required
@bp.response(200, EvidenceSchema)
@bp.alt_response(404, schema="Error", description="No such item, or not visible")
def get_evidence(evidence_id: uuid.UUID) -> EvidenceItem:
    """One evidence item's metadata (an ``evidence.viewed`` event)."""
    actor = current_actor()
    item = queries.get_visible_evidence_or_404(actor, evidence_id)
    services.view(actor, item, via="api")
    return item


@bp.route(
    "/evidence/<uuid:evidence_id>", methods=["PATCH"], operation_id="update_evidence"
)
@token_required
@bp.arguments(EvidenceChangeSchema)
@bp.response(200, EvidenceSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="The caller's role may not edit")
@bp.alt_response(404, schema="Error", description="No such item, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def update(changes: dict[str, Any], evidence_id: uuid.UUID) -> EvidenceItem:
    """Change an item's title, description, effective date, themes,
    classification or personal-data flag (only the fields sent)."""
    actor = current_actor()
    item = queries.get_visible_evidence_or_404(actor, evidence_id)
    return services.update_metadata(actor, item, changes)


@bp.route(
    "/evidence/<uuid:evidence_id>/versions",
    methods=["POST"],
    operation_id="add_evidence_version",
)
@token_required
@bp.response(201, EvidenceSchema)
@bp.alt_response(
    400, schema="Error", description="Invalid input, an empty file or a bad name"
)
@bp.alt_response(403, schema="Error", description="The caller's role may not upload")
@bp.alt_response(404, schema="Error", description="No such item, or not visible")
@bp.alt_response(
    409,
    schema="Error",
    description="The review is closed, or the item's request was accepted or withdrawn",
)
@bp.alt_response(413, schema="Error", description="Over UPLOAD_MAX_BYTES")
@bp.alt_response(415, schema="Error", description="Content not on the allow-list")
@bp.doc(requestBody=VERSION_BODY)
def add_version(evidence_id: uuid.UUID) -> EvidenceItem:
    """Upload a new version of an item; every earlier version is kept."""
    actor = current_actor()
    item = queries.get_visible_evidence_or_404(actor, evidence_id)
    return services.add_version(
        actor,
        item,
        uploads.incoming_form(request),
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
    )


@bp.route(
    "/evidence/<uuid:evidence_id>/versions",
    methods=["GET"],
    operation_id="list_evidence_versions",
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, VersionPage)
@bp.alt_response(404, schema="Error", description="No such item, or not visible")
def list_versions(page: dict[str, Any], evidence_id: uuid.UUID) -> Any:
    """The item's versions, oldest first: who uploaded each, when, its SHA-256."""
    actor = current_actor()
    item = queries.get_visible_evidence_or_404(actor, evidence_id)
    return queries.list_versions(item, page)


@bp.route(
    "/evidence/<uuid:evidence_id>/content",
    methods=["GET"],
    operation_id="download_evidence",
)
@token_required
@bp.arguments(VersionArgs, location="query", as_kwargs=True)
@bp.response(
    200,
    FILE_CONTENT,
    content_type="*/*",
    description=FILE_CONTENT_DESCRIPTION,
)
@bp.alt_response(
    206,
    schema=FILE_CONTENT,
    content_type="*/*",
    description="One byte range of the file (a Range request), same headers",
)
@bp.alt_response(304, description="Not modified (If-None-Match)")
@bp.alt_response(
    404, schema="Error", description="No such item or version, or not visible"
)
@bp.alt_response(
    410, schema="Error", description="The file was deleted under retention (gone)"
)
@bp.alt_response(416, schema="Error", description="Range outside the file")
def get_content(evidence_id: uuid.UUID, version: int | None = None) -> Any:
    """Download the file (the current version, or ``?version=N``): streamed,
    with Range, ETag and safe headers; named ``ERW-014 OFFICIAL name.pdf``."""
    actor = current_actor()
    item = queries.get_visible_evidence_or_404(actor, evidence_id)
    return services.send_evidence(
        item,
        actor=actor,
        conditional=ConditionalRequest.from_headers(request.headers),
        record_download=request.method == "GET",
        version=version,
    )


@bp.route(
    "/evidence/<uuid:evidence_id>", methods=["DELETE"], operation_id="withdraw_evidence"
)
@token_required
@bp.response(204)
@bp.alt_response(403, schema="Error", description="The caller's role may not withdraw")
@bp.alt_response(404, schema="Error", description="No such item, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def withdraw(evidence_id: uuid.UUID) -> None:
    """Withdraw an item: hidden from lists, kept for the audit trail, and
    restorable for TRASH_DAYS."""
    actor = current_actor()
    services.withdraw_evidence(
        actor, queries.get_visible_evidence_or_404(actor, evidence_id)
    )


@bp.route(
    "/evidence/<uuid:evidence_id>/restore",
    methods=["POST"],
    operation_id="restore_evidence",
)
@token_required
@bp.response(200, EvidenceSchema)
@bp.alt_response(
    404, schema="Error", description="No such withdrawn item the caller may restore"
)
@bp.alt_response(
    409, schema="Error", description="The review is closed, or TRASH_DAYS have passed"
)
@bp.alt_response(410, schema="Error", description="Its files were deleted")
def restore(evidence_id: uuid.UUID) -> EvidenceItem:
    """Restore a withdrawn item, by whoever may withdraw it, within TRASH_DAYS."""
    actor = current_actor()
    item = queries.get_withdrawn_evidence_or_404(actor, evidence_id)
    return services.restore_evidence(actor, item)


# --- reading -------------------------------------------------------------------


class BodyReadingSchema(ResponseSchema):
    organisation_id = ma.fields.UUID()
    read = ma.fields.Integer(
        metadata={"description": "Live items at least one of its members opened."}
    )


class WorkspaceReadingSchema(ResponseSchema):
    workspace_id = ma.fields.UUID()
    items = ma.fields.Integer(metadata={"description": "Live items."})
    bodies = ma.fields.List(ma.fields.Nested(BodyReadingSchema))


class ReadingSchema(ResponseSchema):
    workspaces = ma.fields.List(ma.fields.Nested(WorkspaceReadingSchema))


class ReaderSchema(ResponseSchema):
    user_id = ma.fields.UUID()
    name = ma.fields.String()
    organisation_id = ma.fields.UUID(allow_none=True)
    first_read_at = UtcDateTime()


ReaderPage = page_schema(ReaderSchema, "ReaderPage")


def _require_inspecting(actor: Any, review_id: uuid.UUID) -> None:
    role = review_queries.role_in(actor, review_id)
    if role is None or role.side is not Side.INSPECTING:
        raise Forbidden(_("Only the inspecting bodies see who has read what."))


@bp.route(
    "/reviews/<uuid:review_id>/reading", methods=["GET"], operation_id="get_reading"
)
@token_required
@bp.response(200, ReadingSchema)
@bp.alt_response(403, schema="Error", description="Not an inspecting member")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def get_reading(review_id: uuid.UUID) -> Any:
    """Per workspace, its live items and how many each inspecting body has read."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    _require_inspecting(actor, review.id)
    return {
        "workspaces": [
            {
                "workspace_id": w.workspace_id,
                "items": w.items,
                "bodies": [
                    {"organisation_id": body, "read": count}
                    for body, count in w.read.items()
                ],
            }
            for w in queries.reading_figures(review.id)
        ]
    }


@bp.route(
    "/evidence/<uuid:evidence_id>/readers",
    methods=["GET"],
    operation_id="list_evidence_readers",
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, ReaderPage)
@bp.alt_response(403, schema="Error", description="Not an inspecting member")
@bp.alt_response(404, schema="Error", description="No such item, or not visible")
def list_readers(page: dict[str, Any], evidence_id: uuid.UUID) -> Any:
    """Who of the inspecting bodies has opened the item, first reader first."""
    actor = current_actor()
    item = queries.get_visible_evidence_or_404(actor, evidence_id)
    _require_inspecting(actor, item.review_id)
    result = queries.list_readers(item, page)
    return {
        "items": [
            {
                "user_id": row.user_id,
                "name": name,
                "organisation_id": row.organisation_id,
                "first_read_at": row.first_read_at,
            }
            for row, name in result.items
        ],
        "next_cursor": result.next_cursor,
    }
