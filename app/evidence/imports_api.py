"""JSON API: importing a ZIP file of evidence (see app/evidence/imports.py)."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import current_app, jsonify, request

from app.core import uploads
from app.core.api import ResponseSchema, current_actor, request_body, token_required
from app.evidence import api_bp as bp
from app.evidence import imports
from app.evidence.api import EvidenceSchema
from app.evidence.metadata import FORM_FIELD_LIMITS
from app.evidence.models import Classification
from app.reviews import queries as review_queries


class RejectedEntrySchema(ResponseSchema):
    name = ma.fields.String(
        required=True,
        metadata={"description": "The entry's path in the ZIP file."},
    )
    reason = ma.fields.String(
        required=True, metadata={"description": "Why it was not imported."}
    )


class ImportSchema(ResponseSchema):
    items = ma.fields.List(
        ma.fields.Nested(EvidenceSchema),
        required=True,
        metadata={"description": "The new items, in the order of the ZIP file."},
    )
    rejected = ma.fields.List(ma.fields.Nested(RejectedEntrySchema), required=True)


IMPORT_BODY = request_body(
    "ZipImport",
    "multipart/form-data",
    {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {
                "type": "string",
                "format": "binary",
                "description": "A ZIP file (up to UPLOAD_MAX_BYTES). Each "
                "file in it becomes an item, checked as a single upload; "
                "folders are fine, and each item's description records "
                "its path in the ZIP file.",
            },
            "effective_date": {
                "type": "string",
                "format": "date",
                "description": "When the documents were produced (every item).",
            },
            "themes": {
                "type": "string",
                "maxLength": FORM_FIELD_LIMITS["themes"],
                "description": "Themes of every item, separated by commas.",
            },
            "classification": {
                "type": "string",
                "enum": [c.value for c in Classification],
                "default": Classification.OFFICIAL.value,
            },
            "personal_data": {"type": "boolean", "default": False},
        },
    },
)


@bp.route(
    "/workspaces/<uuid:workspace_id>/imports",
    methods=["POST"],
    operation_id="import_evidence_zip",
)
@token_required
@bp.response(201, ImportSchema)
@bp.alt_response(
    400,
    schema="Error",
    description="Not a readable ZIP file, or one refused whole: a name with "
    "'..' or an absolute path, a compression ratio over IMPORT_MAX_RATIO, "
    "no files; nothing is imported",
)
@bp.alt_response(403, schema="Error", description="The caller's role may not upload")
@bp.alt_response(404, schema="Error", description="No such workspace, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
@bp.alt_response(
    413,
    schema="Error",
    description="Over UPLOAD_MAX_BYTES, IMPORT_MAX_ENTRIES entries or "
    "IMPORT_MAX_UNPACKED_BYTES unpacked; nothing is imported",
)
@bp.alt_response(415, schema="Error", description="The file is not a ZIP file")
@bp.doc(requestBody=IMPORT_BODY)
def import_zip(workspace_id: uuid.UUID) -> Any:
    """Import a ZIP file: each file in it becomes an item, or is listed in
    ``rejected`` with the reason (the others still import)."""
    actor = current_actor()
    workspace = review_queries.get_visible_workspace_or_404(actor, workspace_id)
    result = imports.import_archive(
        actor,
        workspace,
        uploads.incoming_form(request),
        limits=imports.ImportLimits.of(current_app),
        describe=EvidenceSchema().dump,
    )
    # Already serialised (each item as it was committed): sent as it is.
    body = {
        "items": result.items,
        "rejected": [{"name": r.name, "reason": r.reason} for r in result.rejected],
    }
    return jsonify(body), 201
