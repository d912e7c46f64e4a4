"""JSON API: the close-out export (docs: api-v1-records.md, "Export")."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma

from app.core.api import current_actor, token_required
from app.export import api_bp as bp
from app.export import services
from app.reviews import queries as review_queries


class ExportArgs(ma.Schema):
    workspace_id = ma.fields.UUID(
        metadata={
            "description": "Only this workspace (a nominee's own is the default "
            "and the only one for them)."
        }
    )


@bp.route(
    "/reviews/<uuid:review_id>/export", methods=["GET"], operation_id="export_review"
)
@token_required
@bp.arguments(ExportArgs, location="query")
@bp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/zip",
    description="The archive, streamed as it is built (ZIP64), "
    "Content-Disposition: attachment",
)
@bp.alt_response(400, schema="Error", description="No such workspace of the review")
@bp.alt_response(
    403,
    schema="Error",
    description="Not a lead officer, nor a nominee of the workspace",
)
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def export_review(args: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The review's (or one workspace's) whole record as one ZIP: every version
    of every live item, manifests, requests, what the caller may see of notes,
    hypotheses, messages and drafts, the audit trail for lead officers, and
    SHA256SUMS."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    return services.export_response(actor, review, args.get("workspace_id"))
