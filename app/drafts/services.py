"""Writes of drafts: versions, comments, approvals, issue to the reviewed
party, factual-accuracy comments, and the review's publication.

The rules (api-v1-joint.md, "Approvals"): feedback, a press release and
"other" are agreed when every inspecting party approves; a body's report
when the owning body approves and every other party approves or has no
objection; any "changes requested" holds it back; a new version clears
every decision. The embargo is never a job: agreeing a publication sets
``Review.published_from``, and every read compares it with the clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, current_app

from app.accounts.models import User
from app.audit import services as audit
from app.core import uploads
from app.core.db import begin_write, db, utcnow
from app.core.errors import Conflict, Forbidden, Gone, NotFound, ValidationFailed
from app.core.files import ConditionalRequest, StoredFileInfo, stream_file
from app.core.i18n import _
from app.core.permissions import Role
from app.core.storage import current_store
from app.core.workdays import add_working_days
from app.drafts import queries
from app.drafts.models import (
    NOTE_MAX,
    TEXT_MAX,
    AccuracyComment,
    Decision,
    Draft,
    DraftComment,
    DraftDecision,
    DraftKind,
    DraftStatus,
    DraftVersion,
    Publication,
    PublicationAgreement,
    PublicationDraft,
)
from app.notifications import services as notifications
from app.notifications.models import Notification, NotificationKind
from app.reviews.models import Membership, Review
from app.reviews.visibility import Scope, Viewer, require_writer

WALES = ZoneInfo("Europe/London")
ALLOWED_SCOPES = frozenset({Scope.JOINT, Scope.BODY})
# The time of day a publication given as a date alone comes out.
DEFAULT_PUBLICATION_TIME = time(0, 1)

VERSION_TEXT_FIELDS = {
    "text": uploads.TextFieldSpec(TEXT_MAX, multiline=True),
    "text_cy": uploads.TextFieldSpec(TEXT_MAX, multiline=True),
    "note": uploads.TextFieldSpec(NOTE_MAX, multiline=True),
}


def _review_of(draft: Draft) -> Review:
    review = db.session.get(Review, draft.review_id)
    assert review is not None
    return review


def _lead_officers(review_id: uuid.UUID, organisations: Iterable[uuid.UUID]) -> list:
    wanted = list(organisations)
    if not wanted:
        return []
    return list(
        db.session.scalars(
            sa.select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.review_id == review_id,
                Membership.role == Role.LEAD_OFFICER,
                User.organisation_id.in_(wanted),
            )
        )
    )


def _deciding_bodies(draft: Draft) -> list[uuid.UUID]:
    """The inspecting parties that see the draft, so may decide on it."""
    parties = queries.inspecting_parties(draft.review_id)
    if draft.scope is Scope.BODY:
        return [p for p in parties if p == draft.organisation_id]
    return parties


def _notify(
    recipients: Iterable[uuid.UUID | None],
    kind: NotificationKind,
    draft: Draft,
    actor: User,
    occasion: str = "",
) -> list[uuid.UUID]:
    return notifications.notify(
        [r for r in recipients if r is not None],
        kind,
        review_id=draft.review_id,
        subject_type="draft",
        subject_id=draft.id,
        actor_id=actor.id,
        occasion=occasion,
    )


def _lock(draft: Draft) -> None:
    """A write transaction holding the draft's row (on PostgreSQL; SQLite's
    BEGIN IMMEDIATE serialises every writer), the draft reloaded in it."""
    begin_write(db.session)
    db.session.execute(
        sa.select(Draft)
        .where(Draft.id == draft.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _lock_review(review: Review) -> None:
    begin_write(db.session)
    db.session.execute(
        sa.select(Review)
        .where(Review.id == review.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _require_changeable(draft: Draft, review: Review) -> None:
    if review.is_closed:
        raise Conflict(_("This review is closed: nothing in it can change."))
    if draft.status is DraftStatus.ISSUED:
        raise Conflict(_("This feedback has been issued: it changes no more."))
    if queries.in_publication(draft):
        raise Conflict(
            _(
                "This draft is listed for publication: it changes no more unless "
                "the publication is changed to leave it out."
            )
        )


# --- drafts --------------------------------------------------------------------


def create_draft(actor: User, review: Review, fields: dict[str, Any]) -> Draft:
    viewer = require_writer(actor, review)
    kind: DraftKind = fields["kind"]
    workspace_id = fields.get("workspace_id")
    if kind is DraftKind.FEEDBACK and workspace_id is None:
        raise ValidationFailed.field(
            "workspace_id", _("Name the reviewed party's workspace it goes to.")
        )
    default = Scope.BODY if kind is DraftKind.REPORT else Scope.JOINT
    scope, workspace_id, _organisation = viewer.author_scope(
        fields.get("scope"), workspace_id, default=default, allowed=ALLOWED_SCOPES
    )
    assert actor.organisation_id is not None  # an inspecting member's body
    now = utcnow()
    draft = Draft(
        review_id=review.id,
        kind=kind,
        title=fields["title"],
        title_cy=fields.get("title_cy") or None,
        workspace_id=workspace_id,
        organisation_id=actor.organisation_id,
        scope=scope,
        status=DraftStatus.DRAFTING,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(draft)
    db.session.flush()
    audit.record("draft.created", actor=actor, review_id=review.id, target=draft)
    db.session.commit()
    return draft


def update_draft(actor: User, draft: Draft, fields: dict[str, Any]) -> Draft:
    review = _review_of(draft)
    viewer = require_writer(actor, review)
    if viewer.organisation_id != draft.organisation_id:
        raise Forbidden(_("Only the owning body's writers change this draft."))
    scope = fields.get("scope")
    shared = False
    if scope is not None and scope is not draft.scope:
        if scope is Scope.WORKSPACE:
            raise ValidationFailed.field(
                "scope", _("Must be one of: %(scopes)s.", scopes="joint, body")
            )
        if draft.scope is Scope.JOINT:
            raise Conflict(_("A draft shared with the other bodies is never unshared."))
        draft.scope = Scope.JOINT
        shared = True
        # Shared: the bodies that now see it may decide on its version.
        ids = _notify(
            _lead_officers(review.id, queries.inspecting_parties(review.id)),
            NotificationKind.DRAFT_VERSION,
            draft,
            actor,
            occasion=f"v{draft.current_version}" if draft.current_version else "",
        )
    else:
        ids = []
    for name in ("title", "title_cy"):
        if name in fields:
            setattr(
                draft,
                name,
                fields[name] or None if name == "title_cy" else fields[name],
            )
    draft.updated_at = utcnow()
    audit.record(
        "draft.shared" if shared else "draft.updated",
        actor=actor,
        review_id=review.id,
        target=draft,
    )
    db.session.commit()
    notifications.deliver_after_commit(ids)
    return draft


def _next_version(
    actor: User, draft: Draft, review: Review, values: dict[str, Any]
) -> DraftVersion:
    """Record a version (the caller has stored any file): every decision on
    the draft is cleared by its being new; the draft drafts again."""
    _lock(draft)
    _require_changeable(draft, review)
    number = (draft.current_version or 0) + 1
    version = DraftVersion(
        draft_id=draft.id, number=number, created_by_id=actor.id, **values
    )
    db.session.add(version)
    draft.current_version = number
    draft.status = DraftStatus.DRAFTING
    draft.agreed_at = None
    draft.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "draft.version_added",
        actor=actor,
        review_id=review.id,
        target=draft,
        details={"version": number},
    )
    ids = _notify(
        _lead_officers(review.id, _deciding_bodies(draft)),
        NotificationKind.DRAFT_VERSION,
        draft,
        actor,
        occasion=f"v{number}",
    )
    db.session.commit()
    notifications.deliver_after_commit(ids)
    return version


def _require_version_writer(actor: User, draft: Draft) -> Review:
    review = _review_of(draft)
    require_writer(actor, review)
    _require_changeable(draft, review)
    return review


def add_text_version(actor: User, draft: Draft, fields: dict[str, Any]) -> DraftVersion:
    review = _require_version_writer(actor, draft)
    return _next_version(
        actor,
        draft,
        review,
        {
            "text": fields["text"],
            "text_cy": fields.get("text_cy") or None,
            "note": fields.get("note") or None,
        },
    )


def add_file_version(
    actor: User, draft: Draft, form: uploads.IncomingForm, *, max_bytes: int
) -> DraftVersion:
    """A version from an uploaded document (the evidence upload's checks:
    allow-listed type, size, name), with optional text and note."""
    review = _require_version_writer(actor, draft)
    db.session.commit()  # no transaction held open while the file streams in
    received = uploads.receive_upload(
        form, current_store(), max_bytes=max_bytes, text_fields=VERSION_TEXT_FIELDS
    )
    stored = received.file.stored
    try:
        return _next_version(
            actor,
            draft,
            review,
            {
                "text": received.fields.get("text") or None,
                "text_cy": received.fields.get("text_cy") or None,
                "note": received.fields.get("note") or None,
                "file_key": stored.key,
                "filename": received.file.filename,
                "media_type": received.file.media_type,
                "size": stored.size,
                "sha256": stored.sha256,
            },
        )
    except BaseException:
        db.session.rollback()
        uploads.delete_quietly(current_store(), stored.key)
        raise


# --- comments ------------------------------------------------------------------


def add_comment(actor: User, draft: Draft, fields: dict[str, Any]) -> DraftComment:
    review = _review_of(draft)
    require_writer(actor, review)
    if review.is_closed:
        raise Conflict(_("This review is closed: nothing in it can change."))
    number = fields.get("version") or draft.current_version
    if number is None:
        raise ValidationFailed.field("version", _("The draft has no version yet."))
    if queries.version_of(draft, number) is None:
        raise ValidationFailed.field(
            "version", _("The draft has no version %(n)d.", n=number)
        )
    comment = DraftComment(
        draft_id=draft.id,
        version=number,
        body=fields["body"],
        quote=fields.get("quote") or None,
        author_id=actor.id,
        organisation_id=actor.organisation_id,
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(
        "draft.commented",
        actor=actor,
        review_id=review.id,
        target=draft,
        details={"comment_id": str(comment.id), "version": number},
    )
    db.session.commit()
    return comment


def resolve_comment(actor: User, comment: DraftComment, resolved: bool) -> DraftComment:
    draft = db.session.get(Draft, comment.draft_id)
    assert draft is not None
    review = _review_of(draft)
    require_writer(actor, review)  # and 409 once the review is closed
    if comment.resolved is not resolved:
        comment.resolved = resolved
        comment.resolved_by_id = actor.id if resolved else None
        comment.resolved_at = utcnow() if resolved else None
        audit.record(
            "draft.comment_resolved" if resolved else "draft.comment_reopened",
            actor=actor,
            review_id=review.id,
            target=draft,
            details={"comment_id": str(comment.id)},
        )
    db.session.commit()
    return comment


# --- approvals -----------------------------------------------------------------


def rule_holds(
    kind: DraftKind,
    owner: uuid.UUID,
    parties: list[uuid.UUID],
    decisions: dict[uuid.UUID, Decision],
) -> bool:
    """Whether the decisions on a version agree the draft (see the module)."""
    if not parties or Decision.CHANGES_REQUESTED in decisions.values():
        return False
    if kind is DraftKind.REPORT:
        return decisions.get(owner) is Decision.APPROVE and all(
            decisions.get(p) in (Decision.APPROVE, Decision.NO_OBJECTION)
            for p in parties
            if p != owner
        )
    return all(decisions.get(p) is Decision.APPROVE for p in parties)


def _deciding(actor: User, draft: Draft, organisation_id: uuid.UUID) -> Review:
    review = _review_of(draft)
    if organisation_id not in queries.inspecting_parties(review.id):
        raise NotFound()
    viewer = Viewer.of(actor, review)
    if viewer.role is not Role.LEAD_OFFICER or (
        viewer.organisation_id != organisation_id
    ):
        raise Forbidden(_("Only that body's lead officer decides for it."))
    _require_changeable(draft, review)
    return review


def _settle(actor: User, draft: Draft, review: Review) -> list[uuid.UUID]:
    """Set the draft's status from the decisions on its current version;
    the notifications of its becoming agreed (not yet committed)."""
    decisions = {
        org: d.decision
        for org, d in queries.decisions_on(draft, draft.current_version).items()
    }
    parties = queries.inspecting_parties(review.id)
    holds = rule_holds(draft.kind, draft.organisation_id, parties, decisions)
    ids: list[uuid.UUID] = []
    if holds and draft.status is not DraftStatus.AGREED:
        draft.status = DraftStatus.AGREED
        draft.agreed_at = utcnow()
        audit.record(
            "draft.agreed",
            actor=actor,
            review_id=review.id,
            target=draft,
            details={"version": draft.current_version},
        )
        ids = _notify(
            [draft.created_by_id, *_lead_officers(review.id, _deciding_bodies(draft))],
            NotificationKind.AGREED,
            draft,
            actor,
            occasion=f"v{draft.current_version}",
        )
    elif not holds and draft.status is DraftStatus.AGREED:
        draft.status = DraftStatus.DRAFTING
        draft.agreed_at = None
    return ids


def decide(
    actor: User, draft: Draft, organisation_id: uuid.UUID, fields: dict[str, Any]
) -> Draft:
    review = _deciding(actor, draft, organisation_id)
    _lock(draft)
    if fields["version"] != draft.current_version:
        raise Conflict(
            _(
                "Version %(asked)d is not the current one (%(current)s): decide on "
                "the draft as it stands.",
                asked=fields["version"],
                current=draft.current_version or "none",
            )
        )
    decision = db.session.get(
        DraftDecision, (draft.id, draft.current_version, organisation_id)
    )
    if decision is None:
        decision = DraftDecision(
            draft_id=draft.id,
            version=draft.current_version,
            organisation_id=organisation_id,
        )
        db.session.add(decision)
    decision.decision = fields["decision"]
    decision.comment = fields.get("comment") or None
    decision.by_id = actor.id
    decision.at = utcnow()
    db.session.flush()
    audit.record(
        "draft.decided",
        actor=actor,
        review_id=review.id,
        target=draft,
        details={
            "version": draft.current_version,
            "organisation_id": str(organisation_id),
            "decision": decision.decision.value,
        },
    )
    ids = _notify(
        [draft.created_by_id],
        NotificationKind.APPROVAL,
        draft,
        actor,
        occasion=f"v{draft.current_version}:{organisation_id}",
    )
    ids += _settle(actor, draft, review)
    draft.updated_at = utcnow()
    db.session.commit()
    notifications.deliver_after_commit(ids)
    return draft


def withdraw_decision(actor: User, draft: Draft, organisation_id: uuid.UUID) -> Draft:
    review = _deciding(actor, draft, organisation_id)
    _lock(draft)
    decision = (
        db.session.get(
            DraftDecision, (draft.id, draft.current_version, organisation_id)
        )
        if draft.current_version
        else None
    )
    if decision is not None:
        db.session.delete(decision)
        db.session.flush()
        audit.record(
            "draft.decision_withdrawn",
            actor=actor,
            review_id=review.id,
            target=draft,
            details={
                "version": draft.current_version,
                "organisation_id": str(organisation_id),
            },
        )
    ids = _settle(actor, draft, review)
    db.session.commit()
    notifications.deliver_after_commit(ids)
    return draft


# --- feedback: issue, and the factual-accuracy check ----------------------------


def today_in_wales() -> date:
    return utcnow().astimezone(WALES).date()


def issue(actor: User, draft: Draft) -> Draft:
    review = _review_of(draft)
    viewer = Viewer.of(actor, review)
    if viewer.role is not Role.LEAD_OFFICER:
        raise Forbidden(_("Only an inspecting lead officer issues feedback."))
    if review.is_closed:
        raise Conflict(_("This review is closed: nothing in it can change."))
    if draft.kind is not DraftKind.FEEDBACK:
        raise Conflict(_("Only feedback to a reviewed party is issued."))
    if draft.status is DraftStatus.ISSUED:
        raise Conflict(_("This feedback has been issued already."))
    if draft.status is not DraftStatus.AGREED:
        raise Conflict(
            _("Every inspecting body must approve this version before it is issued.")
        )
    days = current_app.extensions["portal_settings"].factual_accuracy_days
    now = utcnow()
    draft.status = DraftStatus.ISSUED
    draft.issued_at = now
    draft.issued_version = draft.current_version
    draft.factual_accuracy_due = add_working_days(today_in_wales(), days)
    draft.updated_at = now
    audit.record(
        "draft.issued",
        actor=actor,
        review_id=review.id,
        target=draft,
        details={"version": draft.issued_version},
    )
    nominees = db.session.scalars(
        sa.select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.review_id == review.id,
            Membership.role == Role.NOMINEE,
            User.organisation_id == _workspace_organisation(draft),
        )
    )
    ids = _notify(nominees, NotificationKind.ISSUED, draft, actor)
    db.session.commit()
    notifications.deliver_after_commit(ids)
    return draft


def _workspace_organisation(draft: Draft) -> uuid.UUID | None:
    from app.reviews.models import Workspace

    workspace = db.session.get(Workspace, draft.workspace_id)
    return workspace.organisation_id if workspace else None


def accuracy_window_open(draft: Draft) -> bool:
    """Until the end of ``factual_accuracy_due``, Wales time."""
    return (
        draft.factual_accuracy_due is not None
        and today_in_wales() <= draft.factual_accuracy_due
    )


def add_accuracy_comment(
    actor: User, draft: Draft, fields: dict[str, Any]
) -> AccuracyComment:
    review = _review_of(draft)
    viewer = Viewer.of(actor, review)
    if not (
        viewer.role is Role.NOMINEE
        and draft.workspace_id is not None
        and viewer.own_workspace_id == draft.workspace_id
    ):
        raise Forbidden(_("Only the reviewed party's nominees comment on this."))
    if review.is_closed:
        raise Conflict(_("This review is closed: nothing in it can change."))
    if not accuracy_window_open(draft):
        raise Conflict(
            _(
                "The factual accuracy check ended on %(day)s.",
                day=draft.factual_accuracy_due.isoformat()
                if draft.factual_accuracy_due
                else "",
            )
        )
    comment = AccuracyComment(
        draft_id=draft.id,
        body=fields["body"],
        quote=fields.get("quote") or None,
        author_id=actor.id,
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(
        "draft.accuracy_comment",
        actor=actor,
        review_id=review.id,
        target=draft,
        details={"comment_id": str(comment.id)},
    )
    ids = _notify(
        [
            draft.created_by_id,
            *_lead_officers(review.id, queries.inspecting_parties(review.id)),
        ],
        NotificationKind.ACCURACY_COMMENT,
        draft,
        actor,
        occasion=str(comment.id),
    )
    db.session.commit()
    notifications.deliver_after_commit(ids)
    return comment


# --- publication ---------------------------------------------------------------


def publication_time(value: date | datetime) -> datetime:
    """A date alone means 00:01 Wales time on that day."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, DEFAULT_PUBLICATION_TIME, WALES).astimezone(UTC)


def _require_inspecting_lead(actor: User, review: Review) -> Viewer:
    viewer = Viewer.of(actor, review)
    if viewer.role is not Role.LEAD_OFFICER:
        raise Forbidden(_("Only the inspecting bodies' lead officers do this."))
    if review.is_closed:
        raise Conflict(_("This review is closed: nothing in it can change."))
    if review.is_published:
        raise Conflict(_("The review is published: its publication changes no more."))
    return viewer


def _forget_publication_notices(review: Review) -> None:
    """The notices of a publication no longer agreed, not yet due, go."""
    db.session.execute(
        sa.delete(Notification).where(
            Notification.review_id == review.id,
            Notification.kind == NotificationKind.PUBLISHED,
            Notification.created_at > utcnow(),
        )
    )


def propose_publication(
    actor: User, review: Review, fields: dict[str, Any]
) -> Publication:
    _require_inspecting_lead(actor, review)
    publish_at = publication_time(fields["publish_at"])
    if publish_at <= utcnow():
        raise ValidationFailed.field(
            "publish_at", _("The publication must be in the future.")
        )
    wanted = list(dict.fromkeys(fields["draft_ids"]))
    drafts = {
        d.id: d
        for d in db.session.scalars(
            queries.visible_drafts(actor).where(
                Draft.review_id == review.id, Draft.id.in_(wanted)
            )
        )
    }
    missing = [str(i) for i in wanted if i not in drafts]
    if missing:
        raise ValidationFailed.field(
            "draft_ids",
            _("No draft of this review you may see has the id %(id)s.", id=missing[0]),
        )
    feedback = [d for d in drafts.values() if d.kind is DraftKind.FEEDBACK]
    if feedback:
        raise ValidationFailed.field(
            "draft_ids",
            _(
                "Feedback is issued to its reviewed party, not published: %(t)s.",
                t=feedback[0].title,
            ),
        )
    unagreed = [d for d in drafts.values() if d.status is not DraftStatus.AGREED]
    if unagreed:
        raise Conflict(
            _(
                "Every draft published must be agreed first: %(title)s is not.",
                title=unagreed[0].title,
            )
        )
    _lock_review(review)
    publication = db.session.get(Publication, review.id)
    if publication is None:
        publication = Publication(review_id=review.id, publish_at=publish_at)
        db.session.add(publication)
    publication.publish_at = publish_at
    publication.proposed_by_id = actor.id
    publication.proposed_at = utcnow()
    publication.agreed_at = None
    db.session.flush()
    db.session.execute(
        sa.delete(PublicationDraft).where(PublicationDraft.review_id == review.id)
    )
    db.session.execute(
        sa.delete(PublicationAgreement).where(
            PublicationAgreement.review_id == review.id
        )
    )
    for draft_id in wanted:
        db.session.add(PublicationDraft(review_id=review.id, draft_id=draft_id))
    review.published_from = None
    _forget_publication_notices(review)
    audit.record(
        "publication.set",
        actor=actor,
        review_id=review.id,
        target=review,
        details={
            "publish_at": publish_at.isoformat(),
            "draft_ids": [str(i) for i in wanted],
        },
    )
    db.session.commit()
    return publication


def agree_publication(actor: User, review: Review) -> Publication:
    viewer = _require_inspecting_lead(actor, review)
    publication = db.session.get(Publication, review.id)
    if publication is None:
        raise NotFound()
    if publication.publish_at <= utcnow():
        raise Conflict(_("The proposed time has passed unagreed: propose a new time."))
    assert viewer.organisation_id is not None
    _lock_review(review)
    newly = (
        db.session.get(PublicationAgreement, (review.id, viewer.organisation_id))
        is None
    )
    if newly:
        db.session.add(
            PublicationAgreement(
                review_id=review.id,
                organisation_id=viewer.organisation_id,
                by_id=actor.id,
                at=utcnow(),
            )
        )
        db.session.flush()
    agreed = {a.organisation_id for a in queries.publication_agreements(review)}
    parties = queries.inspecting_parties(review.id)
    by_all = bool(parties) and set(parties) <= agreed
    if newly or (by_all and publication.agreed_at is None):
        # One event for each body's agreement, the last saying it is agreed.
        audit.record(
            "publication.agreed",
            actor=actor,
            review_id=review.id,
            target=review,
            details={
                "organisation_id": str(viewer.organisation_id),
                "publish_at": publication.publish_at.isoformat(),
                "agreed_by_all": by_all,
            },
        )
    if by_all and publication.agreed_at is None:
        publication.agreed_at = utcnow()
        review.published_from = publication.publish_at
        # Every member is told, from the moment it is published (not before:
        # the notice is dated then, and neither listed nor sent until then).
        members = db.session.scalars(
            sa.select(Membership.user_id).where(Membership.review_id == review.id)
        )
        notifications.notify(
            members,
            NotificationKind.PUBLISHED,
            review_id=review.id,
            subject_type="review",
            subject_id=review.id,
            actor_id=None,
            occasion=publication.publish_at.isoformat(),
            at=publication.publish_at,
        )
    db.session.commit()
    return publication


def publication_status(review: Review, publication: Publication) -> str:
    if publication.agreed_at is None:
        return "proposed"
    return "published" if review.is_published else "agreed"


def send_version_file(
    version: DraftVersion, conditional: ConditionalRequest
) -> Response:
    """A file version's document, with the safe headers every download has
    (the caller found the version through the draft's access): 404 for a
    text version, 410 once its file was deleted under retention."""
    if version.file_key is None:
        raise NotFound(_("This version is text: it has no file."))
    if version.purged_at is not None:
        raise Gone()
    assert version.filename and version.media_type and version.sha256
    return stream_file(
        current_store(),
        StoredFileInfo(
            key=version.file_key,
            size=version.size or 0,
            sha256=version.sha256,
            media_type=version.media_type,
            filename=version.filename,
        ),
        conditional,
    )
