"""JSON API: headline messages (docs: api-v1-joint.md, "Headline messages")."""

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
    page_schema,
    token_required,
)
from app.core.i18n import _
from app.messages import api_bp as bp
from app.messages import queries, services
from app.messages.models import LINKS_MAX, TEXT_MAX, HeadlineMessage, MessageStatus
from app.reviews import queries as review_queries
from app.reviews.visibility import require_inspecting


def _links(what: str) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.UUID(),
        validate=ma.validate.Length(max=LINKS_MAX),
        metadata={
            "description": f"The {what} it rests on, of this review (the set is "
            "replaced)."
        },
    )


class NewHeadlineMessageSchema(ma.Schema):
    text = Text(required=True, min_length=1, max_length=TEXT_MAX, multiline=True)
    text_cy = Text(allow_none=True, max_length=TEXT_MAX, multiline=True)
    evidence_ids = _links("live evidence items")
    hypothesis_ids = _links("hypotheses")


class HeadlineMessageChangeSchema(ChangeSchema):
    text = Text(
        min_length=1,
        max_length=TEXT_MAX,
        multiline=True,
        metadata={"description": "A change clears every agreement."},
    )
    text_cy = Text(
        allow_none=True,
        max_length=TEXT_MAX,
        multiline=True,
        metadata={"description": "A change clears every agreement."},
    )
    evidence_ids = _links("live evidence items")
    hypothesis_ids = _links("hypotheses")


class HeadlineMessageAgreementSchema(ResponseSchema):
    organisation_id = ma.fields.UUID()
    by = ma.fields.UUID(allow_none=True)
    at = UtcDateTime()


class HeadlineMessageSchema(ResponseSchema):
    id = ma.fields.UUID()
    review_id = ma.fields.UUID()
    number = ma.fields.Integer()
    text = ma.fields.String()
    text_cy = ma.fields.String(allow_none=True)
    evidence_ids = ma.fields.List(ma.fields.UUID())
    hypothesis_ids = ma.fields.List(ma.fields.UUID())
    status = ma.fields.String(metadata={"enum": [s.value for s in MessageStatus]})
    agreements = ma.fields.List(ma.fields.Nested(HeadlineMessageAgreementSchema))
    created_by = ma.fields.UUID(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


HeadlineMessagePage = page_schema(HeadlineMessageSchema, "HeadlineMessagePage")


def views(reader: User, messages: list[HeadlineMessage]) -> list[dict[str, Any]]:
    standing = queries.standings(messages, reader)
    return [
        {
            "id": m.id,
            "review_id": m.review_id,
            "number": m.number,
            "text": m.text,
            "text_cy": m.text_cy,
            "evidence_ids": standing[m.id].evidence_ids,
            "hypothesis_ids": standing[m.id].hypothesis_ids,
            "status": standing[m.id].status.value,
            "agreements": [
                {"organisation_id": a.organisation_id, "by": a.by_id, "at": a.at}
                for a in standing[m.id].agreements
            ],
            "created_by": m.created_by_id,
            "created_at": m.created_at,
            "updated_at": m.updated_at,
        }
        for m in messages
    ]


@bp.route(
    "/reviews/<uuid:review_id>/messages",
    methods=["POST"],
    operation_id="create_message",
)
@token_required
@bp.arguments(NewHeadlineMessageSchema)
@bp.response(201, HeadlineMessageSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def create_message(data: dict[str, Any], review_id: uuid.UUID) -> Any:
    """Propose a headline message: numbered 1, 2, 3, ... in the order made."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    return views(actor, [services.create_message(actor, review, data)])[0]


@bp.route(
    "/reviews/<uuid:review_id>/messages",
    methods=["GET"],
    operation_id="list_messages",
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, HeadlineMessagePage)
@bp.alt_response(403, schema="Error", description="Not an inspecting member")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_messages(page: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The review's headline messages, by number: for the inspecting members."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    require_inspecting(
        actor, review, _("The headline messages are the inspecting team's own.")
    )
    result = queries.list_messages(
        actor, review, {"limit": page["limit"], "cursor": page.get("cursor")}
    )
    return {"items": views(actor, result.items), "next_cursor": result.next_cursor}


@bp.route("/messages/<uuid:message_id>", methods=["GET"], operation_id="get_message")
@token_required
@bp.response(200, HeadlineMessageSchema)
@bp.alt_response(404, schema="Error", description="No such message, or not visible")
def get_message(message_id: uuid.UUID) -> Any:
    """One headline message, with where each body stands."""
    actor = current_actor()
    return views(actor, [queries.get_visible_message_or_404(actor, message_id)])[0]


@bp.route(
    "/messages/<uuid:message_id>", methods=["PATCH"], operation_id="update_message"
)
@token_required
@bp.arguments(HeadlineMessageChangeSchema)
@bp.response(200, HeadlineMessageSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such message, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def update_message(data: dict[str, Any], message_id: uuid.UUID) -> Any:
    """Change the text or what it rests on (a new text clears the agreements)."""
    actor = current_actor()
    message = queries.get_visible_message_or_404(actor, message_id)
    return views(actor, [services.update_message(actor, message, data)])[0]


@bp.route(
    "/messages/<uuid:message_id>/agreement",
    methods=["PUT"],
    operation_id="agree_message",
)
@token_required
@bp.response(200, HeadlineMessageSchema)
@bp.alt_response(403, schema="Error", description="Not an inspecting lead officer")
@bp.alt_response(404, schema="Error", description="No such message, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def agree_message(message_id: uuid.UUID) -> Any:
    """The caller's body agrees to the text as it stands (again: no change)."""
    actor = current_actor()
    message = queries.get_visible_message_or_404(actor, message_id)
    return views(actor, [services.agree(actor, message)])[0]


@bp.route(
    "/messages/<uuid:message_id>/agreement",
    methods=["DELETE"],
    operation_id="withdraw_message_agreement",
)
@token_required
@bp.response(200, HeadlineMessageSchema)
@bp.alt_response(403, schema="Error", description="Not an inspecting lead officer")
@bp.alt_response(404, schema="Error", description="No such message, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def withdraw_message_agreement(message_id: uuid.UUID) -> Any:
    """The caller's body withdraws its agreement (none given: no change)."""
    actor = current_actor()
    message = queries.get_visible_message_or_404(actor, message_id)
    return views(actor, [services.withdraw_agreement(actor, message)])[0]


@bp.route(
    "/messages/<uuid:message_id>", methods=["DELETE"], operation_id="delete_message"
)
@token_required
@bp.response(204)
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such message, or not visible")
@bp.alt_response(
    409, schema="Error", description="The review is closed, or the message is agreed"
)
def delete_message(message_id: uuid.UUID) -> None:
    """Delete a message that is not agreed."""
    actor = current_actor()
    services.delete_message(
        actor, queries.get_visible_message_or_404(actor, message_id)
    )
