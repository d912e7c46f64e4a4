"""Writes of notes: each checks, writes, audits, notifies and commits.

Who writes: a review's writers (lead officers and inspectors), in any scope;
a workspace's members (nominees and contributors), in their own workspace's
``workspace`` scope only. Observers write nothing (403). A closed review is
read-only (409).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import User
from app.audit import services as audit
from app.core.db import db, utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.i18n import _
from app.notes import permissions, subjects
from app.notes.models import Note, NoteMention, NoteVersion, SubjectType
from app.notes.queries import get_visible_note_or_404
from app.notifications import services as notifications
from app.notifications.models import NotificationKind
from app.reviews.models import Membership, Review
from app.reviews.visibility import Scope, Viewer

MAX_MENTIONS = 50


@dataclass
class NewNote:
    body: str
    scope: Scope | None = None
    workspace_id: uuid.UUID | None = None
    subject_type: SubjectType | None = None
    subject_id: uuid.UUID | None = None
    reply_to: uuid.UUID | None = None
    mentions: Sequence[uuid.UUID] = ()


def _require_open(review: Review) -> None:
    if review.is_closed:
        raise Conflict(_("This review is closed: nothing in it can change."))


def _may_write(viewer: Viewer) -> None:
    if not (viewer.writes or viewer.reviewed):
        raise Forbidden(_("Observers read the notes; they do not write them."))


def create_note(
    actor: User, review: Review, new: NewNote
) -> tuple[Note, list[uuid.UUID]]:
    """A note, or a reply; returns it with the ids of the notifications it
    raised (the caller sends their e-mail after the commit)."""
    viewer = Viewer.of(actor, review)
    _may_write(viewer)
    _require_open(review)
    parent = None
    if new.reply_to is not None:
        parent = _parent(actor, review, new.reply_to)
        scope, workspace_id, organisation_id = _reply_scope(parent, new)
        subject = subjects.Subject(parent.subject_type, parent.subject_id, None)
        if not viewer.sees(scope, workspace_id, organisation_id):
            raise ValidationFailed.field(
                "reply_to", _("You cannot reply in this note's scope.")
            )
    else:
        subject = subjects.resolve(
            viewer,
            new.subject_type or SubjectType.REVIEW,
            new.subject_id or review.id,
        )
        # A note on something in a workspace is shared with that workspace
        # unless its author says otherwise.
        workspace_id = new.workspace_id
        if workspace_id is None and subject.scope is Scope.WORKSPACE:
            workspace_id = subject.workspace_id
        scope, workspace_id, organisation_id = viewer.author_scope(
            new.scope,
            workspace_id,
            default=Scope.WORKSPACE if viewer.reviewed else Scope.JOINT,
        )
        if not subjects.fits(subject, scope, workspace_id, organisation_id):
            raise ValidationFailed.field(
                "scope",
                _(
                    "A note may not be seen more widely than what it is about: "
                    "choose a narrower scope."
                ),
            )
    note = Note(
        review_id=review.id,
        author_id=actor.id,
        body=new.body,
        scope=scope,
        # Kept for every scope: "the notes about ERW" finds joint ones too.
        workspace_id=workspace_id,
        organisation_id=organisation_id,
        subject_type=subject.type,
        subject_id=subject.id,
        reply_to_id=parent.id if parent else None,
    )
    mentioned = _mentions(review, note, new.mentions)
    db.session.add(note)
    db.session.flush()
    db.session.add(NoteVersion(note_id=note.id, body=note.body, at=note.created_at))
    for user_id in mentioned:
        db.session.add(NoteMention(note_id=note.id, user_id=user_id))
    audit.record(
        "note.created",
        actor=actor,
        review_id=review.id,
        target=note,
        details={"scope": scope.value, "subject": subject.type.value},
    )
    raised = notifications.notify(
        mentioned,
        NotificationKind.MENTION,
        review_id=review.id,
        subject_type="note",
        subject_id=note.id,
        actor_id=actor.id,
    )
    if parent is not None and parent.author_id is not None:
        raised += notifications.notify(
            [parent.author_id],
            NotificationKind.REPLY,
            review_id=review.id,
            subject_type="note",
            subject_id=note.id,
            actor_id=actor.id,
        )
    db.session.commit()
    return note, raised


def _parent(actor: User, review: Review, note_id: uuid.UUID) -> Note:
    try:
        parent = get_visible_note_or_404(actor, note_id)
    except NotFound:
        parent = None
    if parent is None or parent.review_id != review.id:
        raise ValidationFailed.field(
            "reply_to", _("No note of this review that you can see has this id.")
        )
    return parent


def _reply_scope(
    parent: Note, new: NewNote
) -> tuple[Scope, uuid.UUID | None, uuid.UUID | None]:
    """A reply is in its parent's scope and on its subject; saying otherwise
    is an error, not a quiet override."""
    differs = (
        (new.scope is not None and new.scope is not parent.scope)
        or (new.workspace_id is not None and new.workspace_id != parent.workspace_id)
        or (
            new.subject_type is not None and new.subject_type is not parent.subject_type
        )
        or (new.subject_id is not None and new.subject_id != parent.subject_id)
    )
    if differs:
        raise ValidationFailed.field(
            "scope", _("A reply has the scope and subject of the note it answers.")
        )
    return parent.scope, parent.workspace_id, parent.organisation_id


def _mentions(
    review: Review, note: Note, mentions: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """The mentioned users, each of whom must be able to see the note."""
    wanted = list(dict.fromkeys(mentions))
    if len(wanted) > MAX_MENTIONS:
        raise ValidationFailed.field(
            "mentions", _("Mention at most %(count)d people.", count=MAX_MENTIONS)
        )
    if not wanted:
        return []
    users = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.review_id == review.id, User.id.in_(wanted))
        )
    }
    unseen = [
        str(user_id)
        for user_id in wanted
        if user_id not in users
        or not Viewer.of(users[user_id], review).sees(
            note.scope, note.workspace_id, note.organisation_id
        )
    ]
    if unseen:
        raise ValidationFailed.field(
            "mentions",
            _(
                "These people cannot see this note, so cannot be mentioned in it: "
                "%(ids)s.",
                ids=", ".join(unseen),
            ),
        )
    return wanted


def edit_note(actor: User, note: Note, body: str) -> Note:
    """Its author changes the text; every earlier text is kept."""
    review = db.session.get(Review, note.review_id)
    assert review is not None
    if not permissions.can_edit(actor, note):
        raise Forbidden(_("Only the note's author can change it."))
    _require_open(review)
    if body == note.body:
        return note
    now = utcnow()
    note.body = body
    note.updated_at = now
    note.edited = True
    db.session.add(NoteVersion(note_id=note.id, body=body, at=now))
    audit.record("note.edited", actor=actor, review_id=review.id, target=note)
    db.session.commit()
    return note


def delete_note(actor: User, note: Note) -> None:
    """Its author, or a lead officer of the author's organisation, deletes
    it: from then on it answers 404 to everyone. Replies stay."""
    review = db.session.get(Review, note.review_id)
    assert review is not None
    if not permissions.can_delete(actor, Viewer.of(actor, review), note):
        raise Forbidden(
            _(
                "Only the note's author, or a lead officer of their "
                "organisation, can delete it."
            )
        )
    _require_open(review)
    note.deleted_at = utcnow()
    note.deleted_by_id = actor.id
    audit.record("note.deleted", actor=actor, review_id=review.id, target=note)
    db.session.commit()
