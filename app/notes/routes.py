"""Pages: the notes panel (on the pages of a review, a workspace, an item and
a request), and the pages to reply to, change and delete a note.

Everything works without JavaScript: the panel's form posts here and comes
back to the page it was on; a form with a problem is shown again on a page
of its own, with the problem said.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.accounts.models import Organisation, User
from app.core.db import db
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.i18n import _
from app.core.permissions import INSPECTING_ROLES, REVIEWED_ROLES, Role
from app.notes import bp, permissions, queries, services
from app.notes.forms import DeleteNoteForm, EditNoteForm, NoteForm
from app.notes.models import Note, SubjectType
from app.notifications import services as notifications
from app.notifications.routes import SUBJECT_URLS
from app.reviews import queries as review_queries
from app.reviews.models import Membership, Review, Workspace
from app.reviews.visibility import Scope, Viewer

PANEL_SIZE = 200


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def subject_url(subject_type: SubjectType, subject_id: uuid.UUID) -> str:
    """The page that shows notes on this subject."""
    if subject_type is SubjectType.WORKSPACE:
        return url_for("evidence.workspace", workspace_id=subject_id)
    if subject_type is SubjectType.EVIDENCE:
        return url_for("evidence.item", evidence_id=subject_id)
    if subject_type is SubjectType.REQUEST:
        return url_for("intake.request", request_id=subject_id)
    if subject_type is SubjectType.SESSION:
        return url_for("fieldwork.session", session_id=subject_id)
    if subject_type is SubjectType.HYPOTHESIS:
        return url_for("hypotheses.hypothesis", hypothesis_id=subject_id)
    return url_for("reviews.review", review_id=subject_id)


def note_url(note: Note) -> str:
    return f"{subject_url(note.subject_type, note.subject_id)}#note-{note.id}"


SUBJECT_URLS["note"] = lambda note_id: url_for("notes.note", note_id=note_id)


def scope_choices(viewer: Viewer, workspace: Workspace | None) -> list[tuple[str, str]]:
    """Who-can-read-it choices for a writer (none for a reviewed party: theirs
    is always their own workspace)."""
    if not viewer.writes:
        return []
    own = db.session.get(Organisation, viewer.organisation_id)
    choices = [(Scope.JOINT.value, _("The inspecting bodies (joint)"))]
    if own is not None:
        choices.append((Scope.BODY.value, _("%(body)s only", body=own.name)))
    if workspace is not None:
        choices.append(
            (
                Scope.WORKSPACE.value,
                _(
                    "The inspecting bodies and %(party)s (shared)",
                    party=workspace.name,
                ),
            )
        )
    return choices


def mention_choices(
    me: User, review: Review, workspace: Workspace | None
) -> list[tuple[str, str]]:
    """People who could read a note here: the inspecting members, and the
    members of the subject's workspace. Never anyone of another reviewed
    party: a consortium must not learn who else is under review."""
    who = Membership.role.in_(INSPECTING_ROLES)
    if workspace is not None:
        who = sa.or_(
            who,
            sa.and_(
                Membership.role.in_(REVIEWED_ROLES),
                User.organisation_id == workspace.organisation_id,
            ),
        )
    rows = db.session.execute(
        sa.select(User.id, User.name, Organisation.name)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Membership.review_id == review.id, User.id != me.id, who)
        .order_by(Organisation.name, User.name)
    )
    return [(str(uid), f"{name} ({org})" if org else name) for uid, name, org in rows]


def scope_labels(notes: list[dict[str, Any]]) -> dict[uuid.UUID, str]:
    """For each note, who can read it, in words."""
    org_ids = {n["organisation_id"] for n in notes if n["organisation_id"]}
    ws_ids = {n["workspace_id"] for n in notes if n["workspace_id"]}
    orgs = dict(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(
                Organisation.id.in_(org_ids)
            )
        ).all()
    )
    workspaces = dict(
        db.session.execute(
            sa.select(Workspace.id, Workspace.name).where(Workspace.id.in_(ws_ids))
        ).all()
    )
    labels = {}
    for n in notes:
        if n["scope"] == Scope.BODY.value:
            labels[n["id"]] = _(
                "%(body)s only", body=orgs.get(n["organisation_id"], "")
            )
        elif n["scope"] == Scope.WORKSPACE.value:
            labels[n["id"]] = _(
                "Shared with %(party)s", party=workspaces.get(n["workspace_id"], "")
            )
        else:
            labels[n["id"]] = _("Joint")
    return labels


def panel(
    me: User,
    review: Review,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    workspace: Workspace | None = None,
) -> dict[str, Any] | None:
    """What the notes panel on a page shows: the subject's notes the reader
    may see, in threads, and the form to add one (None for a non-member)."""
    viewer = Viewer.of(me, review)
    if not viewer.is_member:
        return None
    page = queries.list_notes(
        me,
        review,
        {"limit": PANEL_SIZE, "cursor": request.args.get("notes_cursor")},
        subject_type=subject_type,
        subject_id=subject_id,
    )
    views = queries.note_views(me, page.items)
    ids = {n["id"] for n in views}
    replies: dict[uuid.UUID, list[dict[str, Any]]] = {}
    threads = []
    for note in views:
        if note["reply_to"] in ids:
            replies.setdefault(note["reply_to"], []).append(note)
        else:
            threads.append(note)
    form = None
    if (viewer.writes or viewer.reviewed) and not review.is_closed:
        form = NoteForm(
            formdata=None,
            subject_type=subject_type.value,
            subject_id=str(subject_id),
        )
        form.scope.choices = scope_choices(viewer, workspace)
        form.mentions.choices = mention_choices(
            me, review, _own_workspace(viewer) if viewer.reviewed else workspace
        )
    return {
        "review": review,
        "deletable": deletable(me, viewer, page.items) if form else set(),
        "threads": threads,
        "replies": replies,
        "labels": scope_labels(views),
        "form": form,
        "me": me,
        "viewer": viewer,
        "next_cursor": page.next_cursor,
    }


def deletable(me: User, viewer: Viewer, notes: list[Note]) -> set[uuid.UUID]:
    """The notes ``me`` may delete: their own, and for a lead officer those
    of their organisation's people (one query for the authors)."""
    mine = {n.id for n in notes if permissions.can_edit(me, n)}
    if viewer.role is not Role.LEAD_OFFICER or me.organisation_id is None:
        return mine
    colleagues = set(
        db.session.scalars(
            sa.select(User.id).where(
                User.id.in_({n.author_id for n in notes if n.author_id}),
                User.organisation_id == me.organisation_id,
            )
        )
    )
    return mine | {n.id for n in notes if n.author_id in colleagues}


def _require_may_write(me: User, review: Review) -> None:
    """The page forms' checks before any field is read, as the service's."""
    viewer = Viewer.of(me, review)
    if not (viewer.writes or viewer.reviewed):
        raise Forbidden(_("Observers read the notes; they do not write them."))
    if review.is_closed:
        raise Conflict(_("This review is closed: nothing in it can change."))


def _form_context(
    me: User, review: Review, form: NoteForm, workspace: Workspace | None
) -> None:
    viewer = Viewer.of(me, review)
    form.scope.choices = scope_choices(viewer, workspace)
    form.mentions.choices = mention_choices(
        me, review, _own_workspace(viewer) if viewer.reviewed else workspace
    )


def _own_workspace(viewer: Viewer) -> Workspace | None:
    if viewer.own_workspace_id is None:
        return None
    return db.session.get(Workspace, viewer.own_workspace_id)


def _workspace_of(subject_type: SubjectType, subject_id: uuid.UUID) -> Workspace | None:
    from app.evidence.models import EvidenceItem
    from app.intake.models import EvidenceRequest

    if subject_type is SubjectType.WORKSPACE:
        return db.session.get(Workspace, subject_id)
    if subject_type is SubjectType.EVIDENCE:
        item = db.session.get(EvidenceItem, subject_id)
        return db.session.get(Workspace, item.workspace_id) if item else None
    if subject_type is SubjectType.REQUEST:
        asked = db.session.get(EvidenceRequest, subject_id)
        return db.session.get(Workspace, asked.workspace_id) if asked else None
    return None


@bp.route("/reviews/<uuid:review_id>/notes", methods=["POST"], endpoint="add")
@login_required
def add(review_id: uuid.UUID) -> str | Response:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    _require_may_write(me, review)
    form = NoteForm()
    try:
        subject_type = SubjectType(form.subject_type.data or "review")
        subject_id = uuid.UUID(form.subject_id.data or str(review.id))
    except ValueError:
        abort(400)
    workspace = _workspace_of(subject_type, subject_id)
    _form_context(me, review, form, workspace)
    parent = None
    if form.reply_to.data:
        try:
            parent = queries.get_visible_note_or_404(me, uuid.UUID(form.reply_to.data))
        except ValueError:
            abort(400)
    if form.validate_on_submit():
        try:
            note, raised = services.create_note(
                me,
                review,
                services.NewNote(
                    body=form.body.data,
                    scope=Scope(form.scope.data) if form.scope.data else None,
                    workspace_id=workspace.id
                    if workspace and form.scope.data == Scope.WORKSPACE.value
                    else None,
                    subject_type=None if parent else subject_type,
                    subject_id=None if parent else subject_id,
                    reply_to=parent.id if parent else None,
                    mentions=[uuid.UUID(m) for m in form.mentions.data or []],
                ),
            )
        except ValidationFailed as problem:
            for name, message in (problem.fields or {"body": problem.message}).items():
                field = getattr(form, name, None) or form.body
                field.errors = [*field.errors, message]
        else:
            notifications.deliver_after_commit(raised)
            flash(_("Your note was added."), "success")
            return redirect(note_url(note))
    return render_template(
        "notes/new.html",
        form=form,
        review=review,
        parent=parent,
        back=subject_url(subject_type, subject_id),
    )


@bp.route("/notes/<uuid:note_id>", endpoint="note")
@login_required
def note(note_id: uuid.UUID) -> Response:
    """A note's place on the page of what it is about."""
    return redirect(note_url(queries.get_visible_note_or_404(_me(), note_id)))


@bp.route("/notes/<uuid:note_id>/reply", endpoint="reply")
@login_required
def reply(note_id: uuid.UUID) -> str:
    me = _me()
    parent = queries.get_visible_note_or_404(me, note_id)
    review = db.session.get(Review, parent.review_id)
    assert review is not None
    _require_may_write(me, review)
    form = NoteForm(
        formdata=None,
        subject_type=parent.subject_type.value,
        subject_id=str(parent.subject_id),
        reply_to=str(parent.id),
    )
    _form_context(me, review, form, None)
    form.scope.choices = []  # a reply is in its parent's scope
    return render_template(
        "notes/new.html",
        form=form,
        review=review,
        parent=parent,
        parent_view=queries.note_views(me, [parent])[0],
        back=note_url(parent),
    )


@bp.route("/notes/<uuid:note_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit(note_id: uuid.UUID) -> str | Response:
    me = _me()
    item = queries.get_visible_note_or_404(me, note_id)
    if not permissions.can_edit(me, item):
        raise Forbidden(_("Only the note's author can change it."))
    form = EditNoteForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        services.edit_note(me, item, form.body.data)
        flash(_("Your note was changed."), "success")
        return redirect(note_url(item))
    return render_template("notes/edit.html", form=form, note=item, back=note_url(item))


@bp.route("/notes/<uuid:note_id>/delete", methods=["GET", "POST"], endpoint="delete")
@login_required
def delete(note_id: uuid.UUID) -> str | Response:
    me = _me()
    item = queries.get_visible_note_or_404(me, note_id)
    review = db.session.get(Review, item.review_id)
    assert review is not None
    if not permissions.can_delete(me, Viewer.of(me, review), item):
        raise Forbidden(
            _(
                "Only the note's author, or a lead officer of their "
                "organisation, can delete it."
            )
        )
    form = DeleteNoteForm()
    back = note_url(item)
    if form.validate_on_submit():
        services.delete_note(me, item)
        flash(_("The note was deleted."), "success")
        return redirect(back.split("#")[0])
    return render_template(
        "notes/delete.html",
        form=form,
        note=queries.note_views(me, [item])[0],
        back=back,
    )
