"""JSON API: fieldwork (docs: api-v1-joint.md, "Fieldwork: visits and sessions")."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import Response, current_app

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
from app.core.errors import Forbidden
from app.core.i18n import _
from app.fieldwork import api_bp as bp
from app.fieldwork import calendar, queries, services
from app.fieldwork.models import LOCATION_MAX, TITLE_MAX, Session, SessionKind, Visit
from app.reviews import queries as review_queries
from app.reviews.models import VisitMode
from app.reviews.visibility import SCOPE_ERROR, Scope

MODE_ERROR = "Must be one of: " + ", ".join(m.value for m in VisitMode) + "."
KIND_ERROR = "Must be one of: " + ", ".join(k.value for k in SessionKind) + "."


class NewVisitSchema(ma.Schema):
    workspace_id = ma.fields.UUID(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    mode = enum_field(VisitMode, MODE_ERROR, required=True)
    title = Text(allow_none=True, max_length=TITLE_MAX)
    title_cy = Text(allow_none=True, max_length=TITLE_MAX)


class VisitChangeSchema(ChangeSchema):
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    mode = enum_field(VisitMode, MODE_ERROR)
    title = Text(allow_none=True, max_length=TITLE_MAX)
    title_cy = Text(allow_none=True, max_length=TITLE_MAX)


class VisitSchema(ResponseSchema):
    id = ma.fields.UUID()
    review_id = ma.fields.UUID()
    workspace_id = ma.fields.UUID()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    mode = ma.fields.Enum(VisitMode, by_value=True, metadata={"type": "string"})
    title = ma.fields.String(allow_none=True)
    title_cy = ma.fields.String(allow_none=True)
    created_by = ma.fields.UUID(attribute="created_by_id", allow_none=True)


class AttendeeSchema(ma.Schema):
    name = Text(required=True, min_length=1, max_length=200)
    role = Text(allow_none=True, max_length=200)
    user_id = ma.fields.UUID(allow_none=True)


class AttendeeOutSchema(ResponseSchema):
    name = ma.fields.String()
    role = ma.fields.String(allow_none=True)
    user_id = ma.fields.UUID(allow_none=True)


class _SessionFields(ma.Schema):
    title_cy = Text(allow_none=True, max_length=TITLE_MAX)
    mode = enum_field(VisitMode, MODE_ERROR, allow_none=True)
    location = Text(allow_none=True, max_length=LOCATION_MAX)
    attendees = ma.fields.List(
        ma.fields.Nested(AttendeeSchema), validate=ma.validate.Length(max=100)
    )
    themes = ma.fields.List(
        Text(min_length=1, max_length=100), validate=ma.validate.Length(max=20)
    )
    scope = enum_field(Scope, SCOPE_ERROR)


class NewSessionSchema(_SessionFields):
    kind = enum_field(SessionKind, KIND_ERROR, required=True)
    title = Text(required=True, min_length=1, max_length=TITLE_MAX)
    starts_at = ma.fields.AwareDateTime(
        required=True,
        metadata={"description": "With its offset: 2026-03-02T09:30:00Z."},
    )
    ends_at = ma.fields.AwareDateTime(required=True)


class SessionChangeSchema(_SessionFields, ChangeSchema):
    kind = enum_field(SessionKind, KIND_ERROR)
    title = Text(min_length=1, max_length=TITLE_MAX)
    starts_at = ma.fields.AwareDateTime()
    ends_at = ma.fields.AwareDateTime()


class SessionSchema(ResponseSchema):
    id = ma.fields.UUID()
    visit_id = ma.fields.UUID()
    review_id = ma.fields.UUID()
    workspace_id = ma.fields.UUID()
    kind = ma.fields.Enum(SessionKind, by_value=True, metadata={"type": "string"})
    title = ma.fields.String()
    title_cy = ma.fields.String(allow_none=True)
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    mode = ma.fields.Enum(
        VisitMode, by_value=True, allow_none=True, metadata={"type": "string"}
    )
    location = ma.fields.String(allow_none=True)
    attendees = ma.fields.List(ma.fields.Nested(AttendeeOutSchema))
    themes = ma.fields.List(ma.fields.String())
    scope = ma.fields.Enum(Scope, by_value=True, metadata={"type": "string"})
    organisation_id = ma.fields.UUID(allow_none=True)


class SessionListArgs(PageArgs):
    starts_from = ma.fields.Date(
        data_key="from", metadata={"description": "A day in Wales."}
    )
    until = ma.fields.Date(
        data_key="to", metadata={"description": "A day in Wales, included."}
    )
    workspace_id = ma.fields.UUID()


VisitPage = page_schema(VisitSchema, "VisitPage")
SessionPage = page_schema(SessionSchema, "SessionPage")


def _member_review(actor: Any, review_id: uuid.UUID) -> Any:
    review = review_queries.get_visible_review_or_404(actor, review_id)
    if review_queries.role_in(actor, review.id) is None:
        raise Forbidden(_("Only members of the review see its fieldwork."))
    return review


@bp.route(
    "/reviews/<uuid:review_id>/visits", methods=["POST"], operation_id="create_visit"
)
@token_required
@bp.arguments(NewVisitSchema)
@bp.response(201, VisitSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def create_visit(data: dict[str, Any], review_id: uuid.UUID) -> Visit:
    """Plan a visit to a reviewed party: its days and how it is held."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    return services.create_visit(actor, review, data)


@bp.route(
    "/reviews/<uuid:review_id>/visits", methods=["GET"], operation_id="list_visits"
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, VisitPage)
@bp.alt_response(403, schema="Error", description="Administrators who are not members")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_visits(page: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The review's visits by date (a reviewed party: the visits it hosts)."""
    actor = current_actor()
    result = queries.list_visits(actor, _member_review(actor, review_id), page)
    return {"items": result.items, "next_cursor": result.next_cursor}


@bp.route("/visits/<uuid:visit_id>", methods=["GET"], operation_id="get_visit")
@token_required
@bp.response(200, VisitSchema)
@bp.alt_response(404, schema="Error", description="No such visit, or not visible")
def get_visit(visit_id: uuid.UUID) -> Visit:
    """One visit."""
    return queries.get_visible_visit_or_404(current_actor(), visit_id)


@bp.route("/visits/<uuid:visit_id>", methods=["PATCH"], operation_id="update_visit")
@token_required
@bp.arguments(VisitChangeSchema)
@bp.response(200, VisitSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such visit, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def update_visit(data: dict[str, Any], visit_id: uuid.UUID) -> Visit:
    """Change a visit's days, mode or title."""
    actor = current_actor()
    return services.update_visit(
        actor, queries.get_visible_visit_or_404(actor, visit_id), data
    )


@bp.route("/visits/<uuid:visit_id>", methods=["DELETE"], operation_id="delete_visit")
@token_required
@bp.response(204)
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such visit, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def delete_visit(visit_id: uuid.UUID) -> None:
    """Cancel a visit, with its sessions."""
    actor = current_actor()
    services.delete_visit(actor, queries.get_visible_visit_or_404(actor, visit_id))


@bp.route(
    "/visits/<uuid:visit_id>/sessions", methods=["POST"], operation_id="create_session"
)
@token_required
@bp.arguments(NewSessionSchema)
@bp.response(201, SessionSchema)
@bp.alt_response(400, schema="Error", description="Invalid input, or outside the visit")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such visit, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def create_session(data: dict[str, Any], visit_id: uuid.UUID) -> Session:
    """Add a session to a visit: an interview, a team meeting, feedback, ..."""
    actor = current_actor()
    visit = queries.get_visible_visit_or_404(actor, visit_id)
    return services.create_session(actor, visit, data)


@bp.route(
    "/reviews/<uuid:review_id>/sessions", methods=["GET"], operation_id="list_sessions"
)
@token_required
@bp.arguments(SessionListArgs, location="query")
@bp.response(200, SessionPage)
@bp.alt_response(403, schema="Error", description="Administrators who are not members")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_sessions(args: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The sessions the caller may see, by start (the review's timetable)."""
    actor = current_actor()
    review = _member_review(actor, review_id)
    result = queries.list_sessions(
        actor,
        review,
        {"limit": args["limit"], "cursor": args.get("cursor")},
        starts_from=args.get("starts_from"),
        until=args.get("until"),
        workspace_id=args.get("workspace_id"),
    )
    return {"items": result.items, "next_cursor": result.next_cursor}


@bp.route("/sessions/<uuid:session_id>", methods=["GET"], operation_id="get_session")
@token_required
@bp.response(200, SessionSchema)
@bp.alt_response(404, schema="Error", description="No such session, or not visible")
def get_session(session_id: uuid.UUID) -> Session:
    """One session."""
    return queries.get_visible_session_or_404(current_actor(), session_id)


@bp.route(
    "/sessions/<uuid:session_id>", methods=["PATCH"], operation_id="update_session"
)
@token_required
@bp.arguments(SessionChangeSchema)
@bp.response(200, SessionSchema)
@bp.alt_response(400, schema="Error", description="Invalid input, or outside the visit")
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such session, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def update_session(data: dict[str, Any], session_id: uuid.UUID) -> Session:
    """Change a session."""
    actor = current_actor()
    session = queries.get_visible_session_or_404(actor, session_id)
    return services.update_session(actor, session, data)


@bp.route(
    "/sessions/<uuid:session_id>", methods=["DELETE"], operation_id="delete_session"
)
@token_required
@bp.response(204)
@bp.alt_response(403, schema="Error", description="Not an inspector or lead officer")
@bp.alt_response(404, schema="Error", description="No such session, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def delete_session(session_id: uuid.UUID) -> None:
    """Cancel a session."""
    actor = current_actor()
    services.delete_session(
        actor, queries.get_visible_session_or_404(actor, session_id)
    )


CALENDAR_CONTENT = {
    "text/calendar": {
        "schema": {"type": "string"},
        "example": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n...\r\nEND:VCALENDAR\r\n",
    }
}


@bp.route("/me/calendar.ics", methods=["GET"], operation_id="get_my_calendar")
@token_required
@bp.response(200, content_type="text/calendar", description="RFC 5545")
@bp.doc(responses={"200": {"description": "RFC 5545", "content": CALENDAR_CONTENT}})
def my_calendar() -> Response:
    """Every session the caller may see, in every review, as iCalendar:
    titles in the caller's language, times in UTC, a stable UID each."""
    actor = current_actor()
    base_url = current_app.extensions["portal_settings"].public_base_url
    return Response(calendar.feed(actor, base_url), mimetype="text/calendar")
