"""JSON API: resumable uploads (a large file in parts, then completed)."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import request
from werkzeug.exceptions import ClientDisconnected
from werkzeug.wsgi import get_input_stream

from app.core import uploads
from app.core.api import (
    SETTING_MAXIMUM,
    ResponseSchema,
    StrictBoolean,
    Text,
    UtcDateTime,
    current_actor,
    request_body,
    token_required,
)
from app.core.i18n import _l
from app.evidence import metadata
from app.evidence import services as evidence_services
from app.evidence.api import CLASSIFICATION_ERROR, EvidenceSchema
from app.evidence.models import Classification, EvidenceItem
from app.resumable import api_bp as bp
from app.resumable import queries, services
from app.resumable.models import UploadSession
from app.reviews import queries as review_queries

SHA256_ERROR = _l("Must be the file's SHA-256: 64 hexadecimal characters.")


class NewUploadSchema(ma.Schema):
    filename = ma.fields.String(
        required=True,
        validate=ma.validate.Length(
            min=1, max=1000, error=_l("Must be between {min} and {max} characters.")
        ),
        metadata={"description": "The file's name (checked as for any upload)."},
    )
    size = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(min=1, error=_l("Must be 1 or more.")),
        metadata={
            "description": "Bytes; at most UPLOAD_MAX_BYTES (else 413).",
            SETTING_MAXIMUM: "UPLOAD_MAX_BYTES",
        },
    )
    sha256 = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(uploads.SHA256_PATTERN, error=SHA256_ERROR),
        metadata={"description": "SHA-256 of the whole file (hex)."},
    )


class UploadSessionSchema(ResponseSchema):
    id = ma.fields.UUID()
    workspace_id = ma.fields.UUID()
    filename = ma.fields.String()
    size = ma.fields.Integer(metadata={"description": "Bytes."})
    sha256 = ma.fields.String(metadata={"description": "As declared (lowercase)."})
    part_size = ma.fields.Integer(
        metadata={"description": "Bytes of every part but the last."}
    )
    part_count = ma.fields.Integer(metadata={"description": "Parts 1..part_count."})
    received = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "Part numbers stored so far."}
    )
    status = ma.fields.String(metadata={"enum": ["open", "completing"]})
    expires_at = UtcDateTime(
        metadata={"description": "After this the session and its parts go."}
    )


class ReceivedSchema(ResponseSchema):
    received = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "Part numbers stored so far."}
    )


class CompleteSchema(ma.Schema):
    title = Text(load_default="", max_length=evidence_services.TITLE_MAX)
    request_id = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=64),
        metadata={"description": "The workspace's request this file answers."},
    )
    # The item's metadata, as on any upload (all optional).
    effective_date = ma.fields.Date(
        metadata={"description": "When the document was produced."}
    )
    themes = ma.fields.List(Text(max_length=metadata.THEME_MAX))
    classification = ma.fields.Enum(
        Classification,
        by_value=True,
        error_messages={"unknown": CLASSIFICATION_ERROR},
        metadata={"type": "string"},
    )
    personal_data = StrictBoolean()

    @ma.post_load
    def _as_form_fields(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """The metadata as an upload form's fields, checked by the same code."""
        fields: dict[str, str] = {}
        if data.get("effective_date") is not None:
            fields["effective_date"] = data.pop("effective_date").isoformat()
        if "themes" in data:
            fields["themes"] = ",".join(data.pop("themes"))
        if "classification" in data:
            fields["classification"] = data.pop("classification").value
        if "personal_data" in data:
            fields["personal_data"] = "true" if data.pop("personal_data") else "false"
        data["metadata_fields"] = fields
        return data


PART_BODY = request_body(
    "UploadPart",
    "application/octet-stream",
    {"type": "string", "format": "binary"},
    description="The part's raw bytes: exactly part_size bytes, except "
    "the last part (the rest of the file). Content-Length is required.",
)


@bp.route(
    "/workspaces/<uuid:workspace_id>/uploads",
    methods=["POST"],
    operation_id="start_upload",
)
@token_required
@bp.arguments(NewUploadSchema)
@bp.response(201, UploadSessionSchema)
@bp.alt_response(400, schema="Error", description="Invalid input or a bad name")
@bp.alt_response(403, schema="Error", description="The caller's role may not upload")
@bp.alt_response(404, schema="Error", description="No such workspace, or not visible")
@bp.alt_response(
    409, schema="Error", description="The review is closed, or too many uploads"
)
@bp.alt_response(413, schema="Error", description="Over UPLOAD_MAX_BYTES")
def begin(fields: dict[str, Any], workspace_id: uuid.UUID) -> UploadSession:
    """Begin a resumable upload; then PUT its parts and complete it."""
    actor = current_actor()
    workspace = review_queries.get_visible_workspace_or_404(actor, workspace_id)
    return services.begin(actor, workspace, **fields)


@bp.route(
    "/uploads/<uuid:upload_id>/parts/<int:number>",
    methods=["PUT"],
    operation_id="upload_part",
)
@token_required
@bp.response(200, ReceivedSchema)
@bp.alt_response(
    400,
    schema="Error",
    description="A part number outside 1..part_count, the wrong size, or "
    "a part that arrived incomplete",
)
@bp.alt_response(403, schema="Error", description="The caller's role may not upload")
@bp.alt_response(
    404, schema="Error", description="No such upload, not the caller's, or expired"
)
@bp.alt_response(409, schema="Error", description="The upload is being completed")
@bp.alt_response(415, schema="Error", description="Part 1 is not an accepted type")
@bp.doc(requestBody=PART_BODY)
def put_part(upload_id: uuid.UUID, number: int) -> dict[str, list[int]]:
    """Send part ``number`` (from 1); sending a part again replaces it."""
    return services.put_part(
        current_actor(),
        upload_id,
        number,
        part_stream(),
        request.content_length,
    )


class _Body:
    """The request body, unread, bounded by its Content-Length (not by the
    app's limit for JSON bodies: a part may be larger). A body that ends
    early (the client went away) just ends: the part is then incomplete."""

    def __init__(self) -> None:
        self._stream = get_input_stream(request.environ, max_content_length=None)

    def read(self, size: int, /) -> bytes:
        try:
            return self._stream.read(size)
        except ClientDisconnected:
            return b""


def part_stream() -> _Body:
    """The body of a part request (see :class:`_Body`)."""
    return _Body()


@bp.route("/uploads/<uuid:upload_id>", methods=["GET"], operation_id="get_upload")
@token_required
@bp.response(200, UploadSessionSchema)
@bp.alt_response(
    404, schema="Error", description="No such upload, not the caller's, or expired"
)
def get_upload(upload_id: uuid.UUID) -> UploadSession:
    """Which parts have arrived: send the others to resume."""
    return queries.get_own_session_or_404(current_actor(), upload_id)


@bp.route(
    "/uploads/<uuid:upload_id>/complete",
    methods=["POST"],
    operation_id="complete_upload",
)
@token_required
@bp.arguments(CompleteSchema)
@bp.response(201, EvidenceSchema)
@bp.alt_response(
    400,
    schema="Error",
    description="Parts missing (fields.parts: the session stays), or the "
    "whole does not match its SHA-256 (fields.sha256: nothing is stored and "
    "the session ends)",
)
@bp.alt_response(403, schema="Error", description="The caller's role may not upload")
@bp.alt_response(
    404, schema="Error", description="No such upload, not the caller's, or expired"
)
@bp.alt_response(
    409, schema="Error", description="Already being completed, or the review is closed"
)
def complete(fields: dict[str, Any], upload_id: uuid.UUID) -> EvidenceItem:
    """Put the parts together, check the SHA-256, and add the evidence item."""
    return services.complete(current_actor(), upload_id, **fields)


@bp.route("/uploads/<uuid:upload_id>", methods=["DELETE"], operation_id="cancel_upload")
@token_required
@bp.response(204)
@bp.alt_response(
    404, schema="Error", description="No such upload, not the caller's, or expired"
)
@bp.alt_response(409, schema="Error", description="The upload is being completed")
def cancel(upload_id: uuid.UUID) -> None:
    """Cancel the upload: its parts are thrown away."""
    services.cancel(current_actor(), upload_id)
