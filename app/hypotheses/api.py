"""JSON API: the hypotheses register (docs: api-v1-joint.md, "Hypotheses")."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma

from app.accounts.models import User
from app.core.api import (
    ChangeSchema,
    PageArgs,
    ResponseSchema,
    Text,
    UtcDateTime,
    current_actor,
    enum_field,
    page_schema,
    token_required,
)
from app.core.i18n import _
from app.hypotheses import api_bp as bp
from app.hypotheses import queries, services
from app.hypotheses.models import (
    REASON_MAX,
    STATEMENT_MAX,
    THEME_MAX,
    Hypothesis,
    HypothesisStatus,
)
from app.reviews import queries as review_queries
from app.reviews.visibility import Scope, require_inspecting

STATUS_ERROR = "Must be one of: " + ", ".join(s.value for s in HypothesisStatus) + "."
SCOPE_ERROR = "Must be one of: joint, body."


class NewHypothesisSchema(ma.Schema):
    statement = Text(
        required=True, min_length=1, max_length=STATEMENT_MAX, multiline=True
    )
    statement_cy = Text(allow_none=True, max_length=STATEMENT_MAX, multiline=True)
    theme = Text(allow_none=True, max_length=THEME_MAX)
    workspace_id = ma.fields.UUID(allow_none=True)
    scope = ma.fields.Enum(
        Scope,
        by_value=True,
        error_messages={"unknown": SCOPE_ERROR},
        validate=ma.validate.OneOf(services.ALLOWED_SCOPES, error=SCOPE_ERROR),
        metadata={"type": "string", "enum": ["joint", "body"]},
    )


class HypothesisChangeSchema(ChangeSchema):
    statement = Text(min_length=1, max_length=STATEMENT_MAX, multiline=True)
    statement_cy = Text(allow_none=True, max_length=STATEMENT_MAX, multiline=True)
    theme = Text(allow_none=True, max_length=THEME_MAX)
    status = enum_field(HypothesisStatus, STATUS_ERROR)
    reason = Text(
        allow_none=True,
        max_length=REASON_MAX,
        multiline=True,
        metadata={"description": "Required with a change of status."},
    )


class HypothesisEvidenceSchema(ma.Schema):
    evidence_ids = ma.fields.List(
        ma.fields.UUID(), required=True, validate=ma.validate.Length(max=1000)
    )


class HypothesisSchema(ResponseSchema):
    id = ma.fields.UUID()
    review_id = ma.fields.UUID()
    reference = ma.fields.String()
    statement = ma.fields.String()
    statement_cy = ma.fields.String(allow_none=True)
    theme = ma.fields.String(allow_none=True)
    workspace_id = ma.fields.UUID(allow_none=True)
    scope = ma.fields.String(metadata={"enum": ["joint", "body"]})
    organisation_id = ma.fields.UUID(allow_none=True)
    status = ma.fields.String(metadata={"enum": [s.value for s in HypothesisStatus]})
    evidence_ids = ma.fields.List(ma.fields.UUID())
    created_by = ma.fields.UUID(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class HistoryEntrySchema(ResponseSchema):
    at = UtcDateTime()
    by = ma.fields.UUID(allow_none=True)
    status = ma.fields.String(metadata={"enum": [s.value for s in HypothesisStatus]})
    statement = ma.fields.String()
    reason = ma.fields.String(allow_none=True)


class HypothesisListArgs(PageArgs):
    status = enum_field(HypothesisStatus, STATUS_ERROR)
    workspace_id = ma.fields.UUID()
    theme = ma.fields.String(validate=ma.validate.Length(max=THEME_MAX))


HypothesisPage = page_schema(HypothesisSchema, "HypothesisPage")
HistoryPage = page_schema(HistoryEntrySchema, "HypothesisHistoryPage")


def views(reader: User, hypotheses: list[Hypothesis]) -> list[dict[str, Any]]:
    linked = queries.evidence_ids(hypotheses, reader)
    return [
        {
            "id": h.id,
            "review_id": h.review_id,
            "reference": h.reference,
            "statement": h.statement,
            "statement_cy": h.statement_cy,
            "theme": h.theme,
            "workspace_id": h.workspace_id,
            "scope": h.scope.value,
            "organisation_id": h.organisation_id,
            "status": h.status.value,
            "evidence_ids": linked[h.id],
            "created_by": h.created_by_id,
            "created_at": h.created_at,
            "updated_at": h.updated_at,
        }
        for h in hypotheses
    ]


@bp.route(
    "/reviews/<uuid:review_id>/hypotheses",
    methods=["POST"],
    operation_id="create_hypothesis",
)
@token_required
@bp.arguments(NewHypothesisSchema)
@bp.response(201, HypothesisSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def create_hypothesis(data: dict[str, Any], review_id: uuid.UUID) -> Any:
    """Add a hypothesis (an emerging finding) to the register: H-001, ..."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    return views(actor, [services.create_hypothesis(actor, review, data)])[0]


@bp.route(
    "/reviews/<uuid:review_id>/hypotheses",
    methods=["GET"],
    operation_id="list_hypotheses",
)
@token_required
@bp.arguments(HypothesisListArgs, location="query")
@bp.response(200, HypothesisPage)
@bp.alt_response(403, schema="Error", description="Not an inspecting member")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_hypotheses(args: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The register, by reference: for the inspecting members only."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    require_inspecting(
        actor, review, _("The hypotheses are the inspecting team's own.")
    )
    result = queries.list_hypotheses(
        actor,
        review,
        {"limit": args["limit"], "cursor": args.get("cursor")},
        status=args.get("status"),
        workspace_id=args.get("workspace_id"),
        theme=args.get("theme"),
    )
    return {"items": views(actor, result.items), "next_cursor": result.next_cursor}


@bp.route(
    "/hypotheses/<uuid:hypothesis_id>", methods=["GET"], operation_id="get_hypothesis"
)
@token_required
@bp.response(200, HypothesisSchema)
@bp.alt_response(404, schema="Error", description="No such hypothesis, or not visible")
def get_hypothesis(hypothesis_id: uuid.UUID) -> Any:
    """One hypothesis."""
    actor = current_actor()
    return views(actor, [queries.get_visible_hypothesis_or_404(actor, hypothesis_id)])[
        0
    ]


@bp.route(
    "/hypotheses/<uuid:hypothesis_id>",
    methods=["PATCH"],
    operation_id="update_hypothesis",
)
@token_required
@bp.arguments(HypothesisChangeSchema)
@bp.response(200, HypothesisSchema)
@bp.alt_response(400, schema="Error", description="Invalid input, or no reason")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such hypothesis, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def update_hypothesis(data: dict[str, Any], hypothesis_id: uuid.UUID) -> Any:
    """Change the statement, theme or status (a new status needs a reason)."""
    actor = current_actor()
    hypothesis = queries.get_visible_hypothesis_or_404(actor, hypothesis_id)
    return views(actor, [services.update_hypothesis(actor, hypothesis, data)])[0]


@bp.route(
    "/hypotheses/<uuid:hypothesis_id>/history",
    methods=["GET"],
    operation_id="get_hypothesis_history",
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, HistoryPage)
@bp.alt_response(404, schema="Error", description="No such hypothesis, or not visible")
def get_history(page: dict[str, Any], hypothesis_id: uuid.UUID) -> Any:
    """Every state it has been in, oldest first, with who and why."""
    actor = current_actor()
    hypothesis = queries.get_visible_hypothesis_or_404(actor, hypothesis_id)
    result = queries.history_of(hypothesis, page)
    return {
        "items": [
            {
                "at": c.at,
                "by": c.by_id,
                "status": c.status.value,
                "statement": c.statement,
                "reason": c.reason,
            }
            for c in result.items
        ],
        "next_cursor": result.next_cursor,
    }


@bp.route(
    "/hypotheses/<uuid:hypothesis_id>/evidence",
    methods=["PUT"],
    operation_id="set_hypothesis_evidence",
)
@token_required
@bp.arguments(HypothesisEvidenceSchema)
@bp.response(200, HypothesisSchema)
@bp.alt_response(400, schema="Error", description="An item not visible, or not live")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such hypothesis, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def set_evidence(data: dict[str, Any], hypothesis_id: uuid.UUID) -> Any:
    """Replace the evidence linked to the hypothesis."""
    actor = current_actor()
    hypothesis = queries.get_visible_hypothesis_or_404(actor, hypothesis_id)
    return views(
        actor, [services.set_evidence(actor, hypothesis, data["evidence_ids"])]
    )[0]
