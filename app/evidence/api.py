"""JSON API: evidence items."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import current_app, request

from app.core import uploads
from app.core.api import (
    PageArgs,
    UtcDateTime,
    current_actor,
    page_schema,
    token_required,
)
from app.core.files import ConditionalRequest
from app.evidence import api_bp as bp
from app.evidence import queries, services
from app.evidence.models import EvidenceItem
from app.reviews import queries as review_queries


class EvidenceSchema(ma.Schema):
    id = ma.fields.UUID()
    workspace_id = ma.fields.UUID()
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
    uploaded_by = ma.fields.UUID(attribute="uploaded_by_id", allow_none=True)
    uploaded_at = UtcDateTime()


EvidencePage = page_schema(EvidenceSchema, "EvidencePage")

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
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
                        "description": "Optional SHA-256 (hex) of the file: "
                        "a mismatch stores nothing and answers 400.",
                    },
                },
            }
        }
    },
}


@bp.route("/workspaces/<uuid:workspace_id>/evidence", methods=["POST"])
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


@bp.route("/workspaces/<uuid:workspace_id>/evidence", methods=["GET"])
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, EvidencePage)
@bp.alt_response(404, schema="Error", description="No such workspace, or not visible")
def list_evidence(page: dict[str, Any], workspace_id: uuid.UUID) -> Any:
    """The workspace's evidence, newest first; withdrawn items left out."""
    actor = current_actor()
    workspace = review_queries.get_visible_workspace_or_404(actor, workspace_id)
    return queries.list_workspace_evidence(actor, workspace, page)


@bp.route("/evidence/<uuid:evidence_id>", methods=["GET"])
@token_required
@bp.response(200, EvidenceSchema)
@bp.alt_response(404, schema="Error", description="No such item, or not visible")
def get_evidence(evidence_id: uuid.UUID) -> EvidenceItem:
    """One evidence item's metadata."""
    return queries.get_visible_evidence_or_404(current_actor(), evidence_id)


@bp.route("/evidence/<uuid:evidence_id>/content", methods=["GET"])
@token_required
@bp.response(
    200,
    {"format": "binary", "type": "string"},
    content_type="application/octet-stream",
    description="The exact bytes, as an attachment; Content-Type is the detected type.",
)
@bp.alt_response(206, description="One byte range (Range request)")
@bp.alt_response(304, description="Not modified (If-None-Match)")
@bp.alt_response(404, schema="Error", description="No such item, or not visible")
@bp.alt_response(416, schema="Error", description="Range outside the file")
def get_content(evidence_id: uuid.UUID) -> Any:
    """Download the file: streamed, with Range, ETag and safe headers."""
    actor = current_actor()
    item = queries.get_visible_evidence_or_404(actor, evidence_id)
    return services.send_evidence(
        item,
        actor=actor,
        conditional=ConditionalRequest.from_headers(request.headers),
        record_download=request.method == "GET",
    )


@bp.route("/evidence/<uuid:evidence_id>", methods=["DELETE"])
@token_required
@bp.response(204)
@bp.alt_response(403, schema="Error", description="The caller's role may not withdraw")
@bp.alt_response(404, schema="Error", description="No such item, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def withdraw(evidence_id: uuid.UUID) -> None:
    """Withdraw an item: hidden from lists, kept for the audit trail."""
    actor = current_actor()
    services.withdraw_evidence(
        actor, queries.get_visible_evidence_or_404(actor, evidence_id)
    )
