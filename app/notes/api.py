"""JSON API: joint team notes (docs: api-v1-joint.md, "Notes")."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from app.accounts.models import User
from app.core.api import (
    PageArgs,
    ResponseSchema,
    Text,
    UtcDateTime,
    current_actor,
    enum_field,
    page_schema,
    paginate,
    token_required,
)
from app.core.db import db
from app.core.errors import Forbidden
from app.core.i18n import _
from app.notes import api_bp as bp
from app.notes import queries, services
from app.notes.models import BODY_MAX, NoteVersion, SubjectType
from app.notes.queries import note_views
from app.notifications import services as notifications
from app.reviews import queries as review_queries
from app.reviews.visibility import SCOPE_ERROR, Scope

SUBJECT_ERROR = "Must be one of: " + ", ".join(t.value for t in SubjectType) + "."


class SubjectSchema(ma.Schema):
    type = enum_field(SubjectType, SUBJECT_ERROR, required=True)
    id = ma.fields.UUID(required=True)


class SubjectOutSchema(ResponseSchema):
    type = ma.fields.String(metadata={"enum": [t.value for t in SubjectType]})
    id = ma.fields.UUID()


class NewNoteSchema(ma.Schema):
    body = Text(
        required=True,
        min_length=1,
        max_length=BODY_MAX,
        multiline=True,
        metadata={"description": "Markdown (CommonMark)."},
    )
    scope = enum_field(
        Scope,
        SCOPE_ERROR,
        "Default: joint for writers, workspace for the workspace's members.",
    )
    workspace_id = ma.fields.UUID(
        metadata={"description": "For scope workspace (default: the subject's)."}
    )
    subject = ma.fields.Nested(
        SubjectSchema, metadata={"description": "Default: the review."}
    )
    reply_to = ma.fields.UUID(
        metadata={"description": "A note of this review: the reply takes its "
        "scope and subject."}
    )  # fmt: skip
    mentions = ma.fields.List(
        ma.fields.UUID(),
        validate=ma.validate.Length(max=services.MAX_MENTIONS),
        metadata={"description": "User ids; each must be able to see the note."},
    )


class NoteChangeSchema(ma.Schema):
    body = Text(required=True, min_length=1, max_length=BODY_MAX, multiline=True)


class NoteSchema(ResponseSchema):
    id = ma.fields.UUID()
    review_id = ma.fields.UUID()
    author_id = ma.fields.UUID(allow_none=True)
    author_name = ma.fields.String()
    body = ma.fields.String()
    html = ma.fields.String(
        metadata={"description": "The body rendered and sanitised, for the caller."}
    )
    scope = ma.fields.String(metadata={"enum": [s.value for s in Scope]})
    workspace_id = ma.fields.UUID(allow_none=True)
    organisation_id = ma.fields.UUID(allow_none=True)
    subject = ma.fields.Nested(SubjectOutSchema)
    reply_to = ma.fields.UUID(allow_none=True)
    mentions = ma.fields.List(ma.fields.UUID())
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    edited = ma.fields.Boolean()


class NoteVersionSchema(ResponseSchema):
    body = ma.fields.String()
    at = UtcDateTime()


class NoteListArgs(PageArgs):
    subject_type = enum_field(SubjectType, SUBJECT_ERROR)
    subject_id = ma.fields.UUID()
    scope = enum_field(Scope, SCOPE_ERROR)
    workspace_id = ma.fields.UUID()


NotePage = page_schema(NoteSchema, "NotePage")
NoteVersionPage = page_schema(NoteVersionSchema, "NoteVersionPage")


def _member_review(actor: User, review_id: uuid.UUID) -> Any:
    review = review_queries.get_visible_review_or_404(actor, review_id)
    if review_queries.role_in(actor, review.id) is None:
        raise Forbidden(_("Only members of the review see its notes."))
    return review


@bp.route(
    "/reviews/<uuid:review_id>/notes", methods=["POST"], operation_id="create_note"
)
@token_required
@bp.arguments(NewNoteSchema)
@bp.response(201, NoteSchema)
@bp.alt_response(400, schema="Error", description="Invalid input, or a field naming "
                 "something not visible or not of this review")  # fmt: skip
@bp.alt_response(403, schema="Error", description="An observer, or not a member")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def create_note(data: dict[str, Any], review_id: uuid.UUID) -> Any:
    """Write a note (or a reply) on the review or on something in it."""
    actor = current_actor()
    review = review_queries.get_visible_review_or_404(actor, review_id)
    subject = data.get("subject") or {}
    note, raised = services.create_note(
        actor,
        review,
        services.NewNote(
            body=data["body"],
            scope=data.get("scope"),
            workspace_id=data.get("workspace_id"),
            subject_type=subject.get("type"),
            subject_id=subject.get("id"),
            reply_to=data.get("reply_to"),
            mentions=data.get("mentions") or (),
        ),
    )
    notifications.deliver_after_commit(raised)
    return note_views(actor, [note])[0]


@bp.route("/reviews/<uuid:review_id>/notes", methods=["GET"], operation_id="list_notes")
@token_required
@bp.arguments(NoteListArgs, location="query")
@bp.response(200, NotePage)
@bp.alt_response(403, schema="Error", description="Administrators who are not members")
@bp.alt_response(404, schema="Error", description="No such review, or not visible")
def list_notes(args: dict[str, Any], review_id: uuid.UUID) -> Any:
    """The review's notes the caller may see, oldest first."""
    actor = current_actor()
    review = _member_review(actor, review_id)
    page = {"limit": args["limit"], "cursor": args.get("cursor")}
    result = queries.list_notes(
        actor,
        review,
        page,
        subject_type=args.get("subject_type"),
        subject_id=args.get("subject_id"),
        scope=args.get("scope"),
        workspace_id=args.get("workspace_id"),
    )
    return {"items": note_views(actor, result.items), "next_cursor": result.next_cursor}


@bp.route("/notes/<uuid:note_id>", methods=["GET"], operation_id="get_note")
@token_required
@bp.response(200, NoteSchema)
@bp.alt_response(404, schema="Error", description="No such note, or not visible")
def get_note(note_id: uuid.UUID) -> Any:
    """One note."""
    actor = current_actor()
    return note_views(actor, [queries.get_visible_note_or_404(actor, note_id)])[0]


@bp.route("/notes/<uuid:note_id>", methods=["PATCH"], operation_id="update_note")
@token_required
@bp.arguments(NoteChangeSchema)
@bp.response(200, NoteSchema)
@bp.alt_response(400, schema="Error", description="Invalid input")
@bp.alt_response(403, schema="Error", description="Not the note's author")
@bp.alt_response(404, schema="Error", description="No such note, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def update_note(data: dict[str, Any], note_id: uuid.UUID) -> Any:
    """Change the note's text (its author); the earlier text is kept."""
    actor = current_actor()
    note = queries.get_visible_note_or_404(actor, note_id)
    return note_views(actor, [services.edit_note(actor, note, data["body"])])[0]


@bp.route(
    "/notes/<uuid:note_id>/versions", methods=["GET"], operation_id="list_note_versions"
)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, NoteVersionPage)
@bp.alt_response(404, schema="Error", description="No such note, or not visible")
def list_note_versions(page: dict[str, Any], note_id: uuid.UUID) -> Any:
    """Every text the note has had, oldest first (the last is the current)."""
    actor = current_actor()
    note = queries.get_visible_note_or_404(actor, note_id)
    result = paginate(
        db.session,
        sa.select(NoteVersion).where(NoteVersion.note_id == note.id),
        order=[NoteVersion.at, NoteVersion.id],
        descending=False,
        page=page,
        list_name=f"note-versions:{note.id}",
    )
    return {
        "items": [{"body": v.body, "at": v.at} for v in result.items],
        "next_cursor": result.next_cursor,
    }


@bp.route("/notes/<uuid:note_id>", methods=["DELETE"], operation_id="delete_note")
@token_required
@bp.response(204)
@bp.alt_response(
    403, schema="Error", description="Not its author or their lead officer"
)
@bp.alt_response(404, schema="Error", description="No such note, or not visible")
@bp.alt_response(409, schema="Error", description="The review is closed")
def delete_note(note_id: uuid.UUID) -> None:
    """Delete the note: then 404 for everyone. Replies stay."""
    actor = current_actor()
    services.delete_note(actor, queries.get_visible_note_or_404(actor, note_id))
