"""JSON API: the audit trail (docs: api-v1-records.md, "Audit trail")."""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

import marshmallow as ma
from flask import Response

from app.audit import api_bp as bp
from app.audit import queries
from app.core.api import (
    PageArgs,
    ResponseSchema,
    current_actor,
    page_schema,
    token_required,
)

ACTION_MAX = 64
UUID_FORMAT = {"type": "string", "format": "uuid"}


def _id(description: str) -> ma.fields.String:
    return ma.fields.String(
        allow_none=True, metadata={**UUID_FORMAT, "description": description}
    )


class AuditSubjectSchema(ResponseSchema):
    type = ma.fields.String(
        metadata={
            "description": "evidence, request, note, hypothesis, draft, message, user, "
            "..."
        }
    )
    id = ma.fields.String(metadata=UUID_FORMAT)


class AuditEventSchema(ResponseSchema):
    id = ma.fields.String(metadata=UUID_FORMAT)
    seq = ma.fields.Integer(metadata={"description": "1, 2, 3, ... with no gaps."})
    at = ma.fields.String(
        metadata={
            "format": "date-time",
            "description": "UTC, to the microsecond.",
            "example": "2026-11-23T09:00:00.000000Z",
        }
    )
    actor_id = _id("Who acted (null for an unknown party, as a failed sign-in).")
    actor_name = ma.fields.String(
        allow_none=True, metadata={"description": "Their name then."}
    )
    action = ma.fields.String(metadata={"example": "evidence.downloaded"})
    review_id = _id("The review it happened in, if any.")
    workspace_id = _id("The workspace it happened in, if any.")
    subject = ma.fields.Nested(AuditSubjectSchema, allow_none=True)
    details = ma.fields.Dict(
        metadata={"description": "What changed (before and after, for updates)."}
    )
    client_ip = ma.fields.String(allow_none=True)
    hash = ma.fields.String(
        metadata={
            "pattern": "^[0-9a-f]{64}$",
            "description": "sha256(prev_hash + the event's canonical JSON, without "
            "hash).",
        }
    )
    prev_hash = ma.fields.String(metadata={"pattern": "^[0-9a-f]{64}$"})


AuditEventPage = page_schema(AuditEventSchema, "AuditEventPage")


class AuditArgs(PageArgs):
    action = ma.fields.String(
        validate=ma.validate.Length(min=1, max=ACTION_MAX),
        metadata={
            "description": "An action (evidence.downloaded), or a family (evidence.*)."
        },
    )
    actor_id = ma.fields.UUID()
    subject_id = ma.fields.UUID()
    workspace_id = ma.fields.UUID()
    since = ma.fields.AwareDateTime(
        data_key="from",
        default_timezone=UTC,
        metadata={"description": "Events at or after this time (UTC if no offset)."},
    )
    until = ma.fields.AwareDateTime(
        data_key="to",
        default_timezone=UTC,
        metadata={"description": "Events at or before this time (UTC if no offset)."},
    )
    format = ma.fields.String(
        validate=ma.validate.OneOf(["json", "csv"]),
        load_default="json",
        metadata={
            "description": "csv: every matching event, streamed, with a header row."
        },
    )


class AllAuditArgs(AuditArgs):
    review_id = ma.fields.UUID()


CSV_DOC = {
    "responses": {
        200: {
            "content": {
                # Both answers of one status: the JSON page is flask-smorest's.
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": ",".join(queries.CSV_COLUMNS) + "\n",
                }
            }
        }
    }
}


def _answer(stmt: Any, args: dict[str, Any], list_name: str, filename: str) -> Any:
    if args["format"] == "csv":
        return Response(
            queries.csv_stream(stmt),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )
    page = queries.list_events(stmt, args, list_name)
    return {
        "items": [queries.view(e) for e in page.items],
        "next_cursor": page.next_cursor,
    }


def _filters(args: dict[str, Any]) -> queries.Filters:
    return queries.Filters.of(
        {**args, "from": args.get("since"), "to": args.get("until")}
    )


@bp.route(
    "/reviews/<uuid:review_id>/audit", methods=["GET"], operation_id="list_review_audit"
)
@token_required
@bp.arguments(AuditArgs, location="query")
@bp.response(200, AuditEventPage)
@bp.doc(**CSV_DOC)
@bp.alt_response(400, schema="Error", description="Invalid filters")
@bp.alt_response(
    403, schema="Error", description="Not one of the review's lead officers"
)
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_review_audit(args: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The review's audit trail, newest first (lead officers, administrators)."""
    review = queries.require_review_trail(current_actor(), review_id)
    stmt = queries.trail(_filters(args), review=review)
    return _answer(stmt, args, f"audit:{review.id}", f"audit-{review.id}.csv")


@bp.route("/audit", methods=["GET"], operation_id="list_audit")
@token_required
@bp.arguments(AllAuditArgs, location="query")
@bp.response(200, AuditEventPage)
@bp.doc(**CSV_DOC)
@bp.alt_response(400, schema="Error", description="Invalid filters")
@bp.alt_response(403, schema="Error", description="Not an administrator")
def list_audit(args: dict[str, Any]) -> Any:
    """Every event, sign-ins and administration included (administrators)."""
    queries.require_admin_trail(current_actor())
    return _answer(queries.trail(_filters(args)), args, "audit", "audit.csv")
