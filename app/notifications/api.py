"""JSON API: the caller's notifications (docs: api-v1-joint.md, "Notifications")."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma

from app.core.api import (
    PageArgs,
    ResponseSchema,
    UtcDateTime,
    current_actor,
    page_schema,
    token_required,
)
from app.notifications import api_bp as bp
from app.notifications import queries, services
from app.notifications.models import Notification, NotificationKind


class NotificationArgs(PageArgs):
    unread = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "true: only those not yet read."},
    )


class SubjectRefSchema(ResponseSchema):
    type = ma.fields.String(metadata={"enum": ["note", "draft", "message", "review"]})
    id = ma.fields.UUID()


class NotificationSchema(ResponseSchema):
    id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"enum": [k.value for k in NotificationKind]})
    review_id = ma.fields.UUID()
    subject = ma.fields.Nested(SubjectRefSchema)
    actor_id = ma.fields.UUID(allow_none=True)
    created_at = UtcDateTime()
    read_at = UtcDateTime(allow_none=True)


NotificationPage = page_schema(NotificationSchema, "NotificationPage")


def view(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind.value,
        "review_id": notification.review_id,
        "subject": {"type": notification.subject_type, "id": notification.subject_id},
        "actor_id": notification.actor_id,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@bp.route("/me/notifications", methods=["GET"], operation_id="list_notifications")
@token_required
@bp.arguments(NotificationArgs, location="query")
@bp.response(200, NotificationPage)
def list_notifications(args: dict[str, Any]) -> Any:
    """The caller's notifications, newest first (only about what they may
    still see)."""
    actor = current_actor()
    page = {"limit": args["limit"], "cursor": args.get("cursor")}
    result = queries.list_notifications(actor, page, unread=args["unread"])
    return {"items": [view(n) for n in result.items], "next_cursor": result.next_cursor}


@bp.route(
    "/me/notifications/<uuid:notification_id>/read",
    methods=["POST"],
    operation_id="mark_notification_read",
)
@token_required
@bp.response(200, NotificationSchema)
@bp.alt_response(404, schema="Error", description="No such notification of yours")
def mark_read(notification_id: uuid.UUID) -> Any:
    """Mark it read (the first time is kept)."""
    return view(services.mark_read(current_actor(), notification_id))
