"""JSON API: the progress of a review's request lists."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma

from app.core.api import ResponseSchema, current_actor, token_required
from app.intake import api_bp as bp
from app.intake import progress


class CountsSchema(ResponseSchema):
    open = ma.fields.Integer()
    submitted = ma.fields.Integer()
    accepted = ma.fields.Integer()
    returned = ma.fields.Integer()
    overdue = ma.fields.Integer(
        metadata={
            "description": "Open or returned, and due before as_of (a subset of "
            "open + returned; submitted requests are never overdue)."
        }
    )
    withdrawn = ma.fields.Integer(metadata={"description": "Not part of total."})
    total = ma.fields.Integer(
        metadata={"description": "open + submitted + accepted + returned"}
    )


class WorkspaceProgressSchema(ResponseSchema):
    workspace_id = ma.fields.UUID()
    name = ma.fields.String()
    name_cy = ma.fields.String(allow_none=True)
    organisation_id = ma.fields.UUID()
    organisation = ma.fields.String(metadata={"description": "Its name."})
    organisation_cy = ma.fields.String(allow_none=True)
    counts = ma.fields.Nested(CountsSchema)


class ProgressSchema(ResponseSchema):
    review_id = ma.fields.UUID()
    as_of = ma.fields.Date(
        metadata={"description": "The day (in Wales) overdue is counted on."}
    )
    totals = ma.fields.Nested(
        CountsSchema,
        metadata={"description": "Of the workspaces listed (those the caller sees)."},
    )
    workspaces = ma.fields.List(ma.fields.Nested(WorkspaceProgressSchema))


@bp.route(
    "/reviews/<uuid:review_id>/progress",
    methods=["GET"],
    operation_id="get_review_progress",
)
@token_required
@bp.response(200, ProgressSchema)
@bp.alt_response(403, schema="Error", description="Administrators who are not members")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def review_progress(review_id: uuid.UUID) -> Any:
    """How many requests are open, submitted, accepted, returned, overdue and
    withdrawn, per workspace and in total: every workspace for the
    inspecting side, only their own for a reviewed party."""
    _review, found = progress.visible_progress(current_actor(), review_id)
    return {
        "review_id": found.review_id,
        "as_of": found.as_of,
        "totals": found.totals.as_dict(),
        "workspaces": [
            {
                "workspace_id": w.workspace_id,
                "name": w.name,
                "name_cy": w.name_cy,
                "organisation_id": w.organisation_id,
                "organisation": w.organisation,
                "organisation_cy": w.organisation_cy,
                "counts": w.counts.as_dict(),
            }
            for w in found.workspaces
        ],
    }
