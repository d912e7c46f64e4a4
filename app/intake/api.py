"""JSON API: evidence requests (each workspace's request list)."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma

from app.core.api import (
    PageArgs,
    ResponseSchema,
    Text,
    current_actor,
    page_schema,
    token_required,
)
from app.core.i18n import _l
from app.intake import api_bp as bp
from app.intake import queries, services
from app.intake.models import EvidenceRequest
from app.reviews import queries as review_queries

DECISION_ERROR = "Must be one of: " + ", ".join(d.value for d in services.Decision)


class NewRequestSchema(ma.Schema):
    title = Text(required=True, min_length=1, max_length=services.TITLE_MAX)
    title_cy = Text(load_default=None, allow_none=True, max_length=services.TITLE_MAX)
    description = Text(
        load_default="", multiline=True, max_length=services.DESCRIPTION_MAX
    )
    theme = Text(load_default=None, allow_none=True, max_length=services.THEME_MAX)
    due_date = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "YYYY-MM-DD."},
    )


class NewRequestListSchema(ma.Schema):
    requests = ma.fields.List(
        ma.fields.Nested(NewRequestSchema),
        required=True,
        validate=ma.validate.Length(
            min=1, max=500, error=_l("Send between {min} and {max} requests.")
        ),
    )


class DecisionSchema(ma.Schema):
    decision = ma.fields.Enum(
        services.Decision,
        by_value=True,
        required=True,
        error_messages={"unknown": DECISION_ERROR},
        metadata={"type": "string"},
    )
    reason = Text(
        load_default=None,
        allow_none=True,
        multiline=True,
        max_length=services.REASON_MAX,
        metadata={"description": "Required when the decision is return."},
    )


class RequestSchema(ResponseSchema):
    id = ma.fields.UUID()
    workspace_id = ma.fields.UUID()
    ref = ma.fields.String(metadata={"description": "R-001, R-002, ... per workspace"})
    title = ma.fields.String()
    title_cy = ma.fields.String(allow_none=True)
    description = ma.fields.String()
    theme = ma.fields.String(allow_none=True)
    due_date = ma.fields.Date(allow_none=True)
    status = ma.fields.String(
        metadata={"enum": [s.value for s in services.RequestStatus]}
    )
    return_reason = ma.fields.String(allow_none=True)
    evidence_ids = ma.fields.List(ma.fields.UUID())
    assignee_ids = ma.fields.List(
        ma.fields.UUID(),
        metadata={"description": "Members of the reviewed party who answer it."},
    )


class AssigneesSchema(ma.Schema):
    user_ids = ma.fields.List(
        ma.fields.UUID(),
        required=True,
        validate=ma.validate.Length(
            max=services.ASSIGNEES_MAX, error=_l("Name at most {max} people.")
        ),
    )


RequestPage = page_schema(RequestSchema, "RequestPage")


class RequestListSchema(ResponseSchema):
    items = ma.fields.List(ma.fields.Nested(RequestSchema))


@bp.route(
    "/workspaces/<uuid:workspace_id>/requests",
    methods=["POST"],
    operation_id="create_request",
)
@token_required
@bp.arguments(NewRequestSchema)
@bp.response(201, RequestSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such workspace, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def create_request(fields: dict[str, Any], workspace_id: uuid.UUID) -> EvidenceRequest:
    """Add a request to the workspace's list (numbered R-001, R-002, ...)."""
    actor = current_actor()
    workspace = review_queries.get_visible_workspace_or_404(actor, workspace_id)
    return services.create_request(actor, workspace, **fields)


@bp.route(
    "/workspaces/<uuid:workspace_id>/requests",
    methods=["GET"],
    operation_id="list_workspace_requests",
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, RequestPage)
@bp.alt_response(404, schema="Error", description="No such workspace, or not visible")
def list_requests(page: dict[str, Any], workspace_id: uuid.UUID) -> Any:
    """The workspace's request list, in reference order."""
    actor = current_actor()
    workspace = review_queries.get_visible_workspace_or_404(actor, workspace_id)
    return queries.list_workspace_requests(actor, workspace, page)


@bp.route(
    "/reviews/<uuid:review_id>/requests",
    methods=["POST"],
    operation_id="send_request_list",
)
@token_required
@bp.arguments(NewRequestListSchema)
@bp.response(201, RequestListSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def send_list(body: dict[str, Any], review_id: uuid.UUID) -> dict[str, Any]:
    """Send one list to every workspace of the review: each workspace gets
    its own copy, numbered in its own list (all or nothing)."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    created = services.create_for_every_workspace(actor, review, body["requests"])
    return {"items": created}


@bp.route("/requests/<uuid:request_id>", methods=["GET"], operation_id="get_request")
@token_required
@bp.response(200, RequestSchema)
@bp.alt_response(404, schema="Error", description="No such request, or not visible")
def get_request(request_id: uuid.UUID) -> EvidenceRequest:
    """One request."""
    return queries.get_visible_request_or_404(current_actor(), request_id)


@bp.route(
    "/requests/<uuid:request_id>/decision",
    methods=["POST"],
    operation_id="decide_request",
)
@token_required
@bp.arguments(DecisionSchema)
@bp.response(200, RequestSchema)
@bp.alt_response(400, schema="Error", description="Invalid input, or no reason")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such request, or not visible")
@bp.alt_response(409, schema="Error", description="The status does not allow it")
def decide(body: dict[str, Any], request_id: uuid.UUID) -> EvidenceRequest:
    """Accept or return the evidence submitted, or withdraw the request."""
    actor = current_actor()
    request = queries.get_visible_request_or_404(actor, request_id)
    return services.decide(actor, request, body["decision"], body.get("reason"))


@bp.route(
    "/requests/<uuid:request_id>/assignees",
    methods=["PUT"],
    operation_id="set_request_assignees",
)
@token_required
@bp.arguments(AssigneesSchema)
@bp.response(200, RequestSchema)
@bp.alt_response(400, schema="Error", description="Not people of that workspace")
@bp.alt_response(403, schema="Error", description="Not a nominee or an inspector")
@bp.alt_response(404, schema="Error", description="No such request, or not visible")
@bp.alt_response(409, schema="Error", description="Closed review or finished request")
def assign(body: dict[str, Any], request_id: uuid.UUID) -> EvidenceRequest:
    """Share the request out: the people of the reviewed party who answer it
    (replaces the previous list; an empty list unassigns)."""
    actor = current_actor()
    request = queries.get_visible_request_or_404(actor, request_id)
    return services.assign(actor, request, body["user_ids"])
