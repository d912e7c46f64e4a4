"""Pages of the agreement work: a review's drafts, one draft (its versions,
comments, each body's decision, issue and the factual-accuracy check), a
new version (text or a document), two versions side by side, the
publication, and a lead officer's page of what waits on whom.

Every rule is the services' and the queries' (the same the API calls):
these pages only choose what to offer. Everything works without
JavaScript: each action is a form, and a form with a problem is shown
again with the problem said.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from app.accounts import queries as account_queries
from app.accounts.models import Organisation, User
from app.core import uploads
from app.core.db import db, utcnow
from app.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PortalError,
    TooLarge,
    UnsupportedType,
    ValidationFailed,
)
from app.core.files import ConditionalRequest
from app.core.i18n import _, bilingual, format_day
from app.core.permissions import Role
from app.core.web import csrf, next_page_url, select_choices
from app.drafts import bp, diff, queries, services
from app.drafts.api import comment_views, draft_views, version_views
from app.drafts.forms import (
    DECISION_LABELS,
    KIND_HEADINGS,
    KIND_LABELS,
    PUBLICATION_STATUS_LABELS,
    STATUS_LABELS,
    AccuracyForm,
    ButtonForm,
    CommentForm,
    DecisionForm,
    NewDraftForm,
    PublicationForm,
    ResolveForm,
    VersionForm,
)
from app.drafts.models import (
    NOTE_MAX,
    TEXT_MAX,
    Decision,
    Draft,
    DraftKind,
    DraftStatus,
    DraftVersion,
    Publication,
)
from app.notifications.routes import SUBJECT_URLS
from app.reviews import queries as review_queries
from app.reviews.models import Review, Workspace
from app.reviews.visibility import Scope, Viewer, require_inspecting

STATUS_TAGS = {
    "drafting": "govuk-tag--blue",
    "agreed": "govuk-tag--green",
    "issued": "govuk-tag--purple",
    "published": "govuk-tag--grey",
}
PUBLICATION_TAGS = {
    "proposed": "govuk-tag--blue",
    "agreed": "govuk-tag--green",
    "published": "govuk-tag--grey",
}
KIND_ORDER = [k.value for k in DraftKind]
# Every draft of a review on one page (a review has a handful).
LIST_LIMIT = 200

# A notice about a draft opens its page; one about the review (published),
# the review's.
SUBJECT_URLS["draft"] = lambda draft_id: url_for("drafts.draft", draft_id=draft_id)
SUBJECT_URLS.setdefault(
    "review", lambda review_id: url_for("reviews.review", review_id=review_id)
)


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _labels() -> dict[str, Any]:
    """The labels in the reader's language, translated once a page rather
    than once a row (a page of 200 drafts reads each many times)."""

    def resolved(labels: dict[str, Any]) -> dict[str, str]:
        return {key: str(label) for key, label in labels.items()}

    return {
        "kind_labels": resolved(KIND_LABELS),
        "status_labels": resolved(STATUS_LABELS),
        "status_tags": STATUS_TAGS,
        "decision_labels": resolved(DECISION_LABELS),
    }


def _review_of(draft: Draft) -> Review:
    review = db.session.get(Review, draft.review_id)
    assert review is not None
    return review


def _organisations(ids: list[uuid.UUID]) -> dict[uuid.UUID, Organisation]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        o.id: o
        for o in db.session.scalars(
            sa.select(Organisation).where(Organisation.id.in_(wanted))
        )
    }


def _parties(review: Review) -> list[Organisation]:
    """The review's inspecting bodies, in the review's order."""
    ids = queries.inspecting_parties(review.id)
    found = _organisations(ids)
    return [found[i] for i in ids if i in found]


def _workspaces(review: Review) -> list[Workspace]:
    return list(
        db.session.scalars(
            sa.select(Workspace)
            .where(Workspace.review_id == review.id)
            .order_by(Workspace.position, Workspace.id)
        )
    )


def _inspecting(me: User, review: Review, message: str) -> Viewer:
    return require_inspecting(me, review, message)


def _full_draft(me: User, draft_id: uuid.UUID) -> tuple[Draft, queries.Access]:
    """A draft seen as the inspecting side sees it (403 for one seen only as
    issued or published, 404 for one not seen), as the API's."""
    draft = queries.get_visible_draft_or_404(me, draft_id)
    access = queries.access_of(me, draft)
    access.require_full()
    return draft, access


def _full_draft_or_404(me: User, draft_id: uuid.UUID) -> Draft:
    """Decisions and issue are the inspecting side's: to anyone else the
    draft's decisions are not there at all (404), as in the API."""
    draft = queries.get_visible_draft_or_404(me, draft_id)
    if not queries.access_of(me, draft).full:
        raise NotFound()
    return draft


def _locked_reason(draft: Draft, review: Review) -> str | None:
    """Why no version or decision is offered now (the services refuse them
    the same way, 409), or None."""
    if review.is_closed:
        return _("This review is closed: nothing in it can change.")
    if draft.status is DraftStatus.ISSUED:
        return _("This feedback has been issued: it changes no more.")
    if queries.in_publication(draft):
        return _(
            "This draft is listed for publication: it changes no more unless "
            "the publication is changed to leave it out."
        )
    return None


def _show(
    form: Any,
    problem: PortalError,
    default: str,
    names: dict[str, str] | None = None,
) -> None:
    """A service's refusal on the form's fields (the field it names, under
    the form's name for it in ``names``; else ``default``)."""
    fields = getattr(problem, "fields", None) or {default: problem.message}
    for name, message in fields.items():
        target = getattr(form, (names or {}).get(name, name), None)
        if target is None or not hasattr(target, "errors"):
            target = getattr(form, default)
        target.errors = [*target.errors, message]


# --- the drafts of a review ------------------------------------------------------


@bp.route("/reviews/<uuid:review_id>/drafts", endpoint="index")
@login_required
def index(review_id: uuid.UUID) -> str:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    viewer = Viewer.of(me, review)
    if not viewer.is_member:
        raise Forbidden(_("Only members of the review see its drafts."))
    page = queries.list_drafts(
        me,
        review,
        {"limit": LIST_LIMIT, "cursor": request.args.get("cursor")},
        kind=None,
    )
    views = draft_views(me, page.items)
    parties = _parties(review)
    names = _names_of_deciders(views)
    party_names = _party_names(parties)
    groups: dict[str, list[dict[str, Any]]] = {k: [] for k in KIND_ORDER}
    for item, view in zip(page.items, views, strict=True):
        groups[view["kind"]].append(
            {
                "view": view,
                "standing": _standing(view, item, parties, names, party_names)
                if view["approvals"]
                else [],
            }
        )
    owners = _organisations([v["organisation_id"] for v in views])
    return render_template(
        "drafts/index.html",
        review=review,
        groups=[(k, KIND_HEADINGS[k], groups[k]) for k in KIND_ORDER if groups[k]],
        parties=parties,
        organisations={**owners, **{p.id: p for p in parties}},
        workspaces={w.id: w for w in _workspaces(review)},
        inspecting=viewer.inspecting,
        may_write=viewer.writes and not review.is_closed,
        next_url=next_page_url(page.next_cursor),
        **_labels(),
    )


def _scope_choices(viewer: Viewer) -> list[Any]:
    own = db.session.get(Organisation, viewer.organisation_id)
    name = bilingual(own.name, own.name_cy) if own else _("Your body")
    return select_choices(
        [
            (
                Scope.BODY.value,
                _("%(body)s only, until it is shared with the other bodies", body=name),
            ),
            (Scope.JOINT.value, _("Shared with every inspecting body")),
        ]
    )


@bp.route(
    "/reviews/<uuid:review_id>/drafts/new", methods=["GET", "POST"], endpoint="new"
)
@login_required
def new(review_id: uuid.UUID) -> str | Response:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    viewer = Viewer.of(me, review)
    if not viewer.writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    form = NewDraftForm()
    workspaces = _workspaces(review)
    form.workspace_id.choices = select_choices(
        [("", _("Choose the reviewed party"))]
        + [(str(w.id), bilingual(w.name, w.name_cy)) for w in workspaces]
    )
    form.scope.choices = _scope_choices(viewer)
    if form.validate_on_submit():
        kind = DraftKind(form.kind.data)
        chosen = form.workspace_id.data or None
        try:
            made = services.create_draft(
                me,
                review,
                {
                    "kind": kind,
                    "title": form.title.data,
                    "title_cy": form.title_cy.data or None,
                    # Only feedback goes to a reviewed party.
                    "workspace_id": uuid.UUID(chosen)
                    if chosen and kind is DraftKind.FEEDBACK
                    else None,
                    "scope": Scope(form.scope.data) if form.scope.data else None,
                },
            )
        except ValidationFailed as problem:
            _show(form, problem, "title")
        else:
            flash(_("The draft was started: add its first version."), "success")
            return redirect(url_for("drafts.draft", draft_id=made.id))
    return render_template("drafts/new.html", form=form, review=review)


# --- one draft -------------------------------------------------------------------


def _party_names(parties: list[Organisation]) -> dict[uuid.UUID, str]:
    return {p.id: bilingual(p.name, p.name_cy) for p in parties}


def _names_of_deciders(views: list[dict[str, Any]]) -> dict[uuid.UUID, str]:
    """Who decided, for every draft of a list at once (one query)."""
    return account_queries.names_of(
        [a["by"] for view in views for a in view["approvals"] if a["by"]]
    )


def _standing(
    view: dict[str, Any],
    draft: Draft,
    parties: list[Organisation],
    names: dict[uuid.UUID, str] | None = None,
    party_names: dict[uuid.UUID, str] | None = None,
) -> list[dict[str, Any]]:
    """Where each inspecting body stands on the current version (``names``:
    the deciders' names, and ``party_names`` the bodies' in the reader's
    language, if the caller has them for a whole list)."""
    by_org = {a["organisation_id"]: a for a in view["approvals"]}
    if names is None:
        names = _names_of_deciders([view])
    if party_names is None:
        party_names = _party_names(parties)
    rows = []
    for party in parties:
        approval = by_org.get(party.id) or {}
        decision = approval.get("decision")
        rows.append(
            {
                "organisation": party,
                "name": party_names[party.id],
                "decision": decision,
                "by": names.get(approval["by"]) if approval.get("by") else None,
                "at": approval.get("at"),
                "comment": approval.get("comment"),
                # A body's draft not yet shared: the others cannot see it.
                "unshared": draft.scope is Scope.BODY
                and party.id != draft.organisation_id,
            }
        )
    return rows


def _draft_page(
    me: User,
    draft: Draft,
    *,
    decision_form: DecisionForm | None = None,
    comment_form: CommentForm | None = None,
    accuracy_form: AccuracyForm | None = None,
) -> tuple[str, int]:
    review = _review_of(draft)
    access = queries.access_of(me, draft)
    viewer = access.viewer
    view = draft_views(me, [draft])[0]
    shown_versions = queries.versions_seen(access, draft)
    versions = version_views(me, draft, shown_versions)
    shown = next((v for v in versions if v["number"] == access.shown_version), None)
    parties = _parties(review)
    open_review = not review.is_closed
    locked = _locked_reason(draft, review)
    workspace = (
        db.session.get(Workspace, draft.workspace_id) if draft.workspace_id else None
    )
    context: dict[str, Any] = {
        "review": review,
        "draft": draft,
        "view": view,
        "status": view["status"],
        "full": access.full,
        "shown": shown,
        "workspace": workspace,
        "owner": db.session.get(Organisation, draft.organisation_id),
        "names": account_queries.names_of([v["created_by"] for v in versions]),
        **_labels(),
    }
    if access.full:
        standing = _standing(view, draft, parties)
        mine = next(
            (r for r in standing if r["organisation"].id == viewer.organisation_id),
            None,
        )
        decides = (
            viewer.role is Role.LEAD_OFFICER
            and mine is not None
            and not mine["unshared"]
            and draft.current_version is not None
            and locked is None
        )
        if decides and decision_form is None:
            decision_form = DecisionForm(
                formdata=None,
                data={
                    "version": draft.current_version,
                    "decision": mine["decision"] if mine else None,
                    "comment": mine["comment"] if mine else None,
                },
            )
        comments = queries.list_comments(
            draft, {"limit": LIST_LIMIT, "cursor": None}, version=None
        ).items
        may_write = viewer.writes and open_review
        if may_write and versions and comment_form is None:
            comment_form = CommentForm(
                formdata=None, data={"on_version": str(draft.current_version)}
            )
        if comment_form is not None:
            comment_form.on_version.choices = select_choices(
                [
                    (str(v["number"]), _("Version %(n)d", n=v["number"]))
                    for v in reversed(versions)
                ]
            )
        context.update(
            versions=versions,
            standing=standing,
            mine=mine,
            decides=decides,
            decision_form=decision_form if decides else None,
            withdraw_form=ButtonForm()
            if decides and mine and mine["decision"]
            else None,
            comments=comment_views(me, draft, comments),
            comment_names=account_queries.names_of([c.author_id for c in comments]),
            comment_bodies=_organisations(
                [c.organisation_id for c in comments if c.organisation_id]
            ),
            comment_form=comment_form if may_write and versions else None,
            resolve_form=ButtonForm() if may_write else None,
            may_add_version=viewer.writes and locked is None,
            locked=locked,
            may_share=viewer.writes
            and open_review
            and draft.scope is Scope.BODY
            and viewer.organisation_id == draft.organisation_id,
            may_issue=viewer.role is Role.LEAD_OFFICER
            and open_review
            and draft.kind is DraftKind.FEEDBACK
            and draft.status is DraftStatus.AGREED,
        )
    # The factual-accuracy check of issued feedback: the inspecting side and
    # the reviewed party it was issued to.
    own_feedback = (
        draft.workspace_id is not None and viewer.own_workspace_id == draft.workspace_id
    )
    if draft.issued_at is not None and (access.full or own_feedback):
        window_open = services.accuracy_window_open(draft)
        accuracy = queries.list_accuracy(
            draft, {"limit": LIST_LIMIT, "cursor": None}
        ).items
        may_comment = (
            viewer.role is Role.NOMINEE and own_feedback and window_open and open_review
        )
        context.update(
            accuracy=accuracy,
            accuracy_names=account_queries.names_of([c.author_id for c in accuracy]),
            window_open=window_open,
            accuracy_form=(accuracy_form or AccuracyForm(formdata=None))
            if may_comment
            else None,
        )
    return render_template("drafts/draft.html", **context), 200


@bp.route("/drafts/<uuid:draft_id>", endpoint="draft")
@login_required
def draft(draft_id: uuid.UUID) -> tuple[str, int]:
    me = _me()
    return _draft_page(me, queries.get_visible_draft_or_404(me, draft_id))


@bp.route("/drafts/<uuid:draft_id>/versions/<int:number>", endpoint="version")
@login_required
def version(draft_id: uuid.UUID, number: int) -> str:
    """One version (a reviewed party: the issued or published one only)."""
    me = _me()
    item = queries.get_visible_draft_or_404(me, draft_id)
    access = queries.access_of(me, item)
    found = queries.get_version_or_404(access, item, number)
    (shown,) = version_views(me, item, [found])
    return render_template(
        "drafts/version.html",
        review=_review_of(item),
        draft=item,
        shown=shown,
        full=access.full,
        current=number == item.current_version,
        names=account_queries.names_of([found.created_by_id]),
    )


@bp.route("/drafts/<uuid:draft_id>/versions/<int:number>/download", endpoint="download")
@login_required
def download(draft_id: uuid.UUID, number: int) -> Response:
    """A file version's document, with the same headers as the API's."""
    me = _me()
    item = queries.get_visible_draft_or_404(me, draft_id)
    found = queries.get_version_or_404(queries.access_of(me, item), item, number)
    return services.send_version_file(
        found, ConditionalRequest.from_headers(request.headers)
    )


# --- a new version ------------------------------------------------------------------

# The text parts of the version form, checked as the API's multipart form is.
VERSION_PARTS = services.VERSION_TEXT_FIELDS
# What the parts before the document may take, read (and kept, to be read
# again by the upload) before a byte of the document is stored.
FIELDS_MAX_BYTES = 4 * (2 * TEXT_MAX + NOTE_MAX) + 64 * 1024


def _check_csrf(token: str) -> None:
    """The version form streams (its document goes straight to the store),
    so Flask-WTF cannot read its token first: the token is the form's first
    part, checked before anything else is read, as the evidence upload's."""
    try:
        validate_csrf(token)
    except ValidationError as refused:
        raise CSRFError(str(refused)) from None


@bp.route(
    "/drafts/<uuid:draft_id>/versions/new",
    methods=["GET", "POST"],
    endpoint="new_version",
)
@csrf.exempt  # checked from the form's first part, before the file: _check_csrf
@login_required
def new_version(draft_id: uuid.UUID) -> str | Response | tuple[str, int]:
    me = _me()
    item, access = _full_draft(me, draft_id)
    review = _review_of(item)
    if not access.viewer.writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    max_bytes = current_app.extensions["portal_settings"].upload_max_bytes

    def page(form: VersionForm, status: int = 200) -> tuple[str, int]:
        html = render_template(
            "drafts/new_version.html",
            form=form,
            draft=item,
            review=review,
            locked=_locked_reason(item, review),
            max_bytes=max_bytes,
        )
        return html, status

    if request.method == "GET":
        return page(VersionForm(formdata=None))
    if request.mimetype == "multipart/form-data":
        try:
            sent = uploads.read_fields_before_file(
                uploads.incoming_form(request),
                VERSION_PARTS,
                check_token=_check_csrf,
                max_bytes=max_bytes,
                fields_max_bytes=FIELDS_MAX_BYTES,
            )
        except ValidationFailed as problem:
            form = VersionForm(formdata=None, meta={"csrf": False})
            _show(form, problem, "file")
            return page(form, problem.status)
        form = VersionForm(formdata=MultiDict(sent.fields), meta={"csrf": False})
        if sent.document is not None:
            try:
                added = services.add_file_version(
                    me, item, sent.document, max_bytes=max_bytes
                )
            except (ValidationFailed, TooLarge, UnsupportedType) as refused:
                _show(form, refused, "file")
                return page(form, refused.status)
            return _version_added(item, added)
        if not form.validate():
            return page(form)
    else:
        csrf.protect()  # a form sent not as multipart: read whole, checked as usual
        form = VersionForm(meta={"csrf": False})
        if not form.validate():
            return page(form)
    if not form.text.data:
        form.text.errors = [
            *form.text.errors,
            _("Enter the text of the version, or choose a document"),
        ]
        return page(form)
    try:
        added = services.add_text_version(
            me,
            item,
            {
                "text": form.text.data,
                "text_cy": form.text_cy.data or None,
                "note": form.note.data or None,
            },
        )
    except ValidationFailed as problem:
        _show(form, problem, "text")
        return page(form)
    return _version_added(item, added)


def _version_added(item: Draft, added: DraftVersion) -> Response:
    flash(
        _(
            "Version %(n)d was added. Every body's decision is now on it: "
            "decisions on earlier versions no longer count.",
            n=added.number,
        ),
        "success",
    )
    return redirect(url_for("drafts.draft", draft_id=item.id))


# --- comparing two versions -----------------------------------------------------


def _version_arg(name: str, default: int | None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ValidationFailed.field(name, _("The draft has no version yet."))
        return default
    try:
        number = int(raw)
    except ValueError:
        raise ValidationFailed.field(
            name, _("Choose a version from the list.")
        ) from None
    if number < 1:
        raise ValidationFailed.field(name, _("Choose a version from the list."))
    return number


@bp.route("/drafts/<uuid:draft_id>/compare", endpoint="compare")
@login_required
def compare(draft_id: uuid.UUID) -> str:
    """Two versions side by side, changed lines marked (the inspecting side
    only, as the API's diff)."""
    me = _me()
    item, _access = _full_draft(me, draft_id)
    current = item.current_version
    to_number = _version_arg("to", current)
    from_number = _version_arg("from", max(1, to_number - 1) if current else None)
    pair: list[DraftVersion] = []
    for name, number in (("from", from_number), ("to", to_number)):
        found = queries.version_of(item, number)
        if found is None:
            raise ValidationFailed.field(
                name, _("The draft has no version %(n)d.", n=number)
            )
        pair.append(found)
    old, new = pair
    comparisons = [
        (
            "en",
            _("In English"),
            diff.side_by_side(diff.version_text(old), diff.version_text(new)),
        )
    ]
    if old.text_cy or new.text_cy:
        comparisons.append(
            (
                "cy",
                _("In Welsh"),
                diff.side_by_side(
                    diff.version_text(old, welsh=True),
                    diff.version_text(new, welsh=True),
                ),
            )
        )
    numbers = list(
        db.session.scalars(
            sa.select(DraftVersion.number)
            .where(DraftVersion.draft_id == item.id)
            .order_by(DraftVersion.number)
        )
    )
    return render_template(
        "drafts/compare.html",
        review=_review_of(item),
        draft=item,
        old=old,
        new=new,
        comparisons=[
            (lang, title, rows, _counts(rows)) for lang, title, rows in comparisons
        ],
        numbers=numbers,
        names=account_queries.names_of([old.created_by_id, new.created_by_id]),
    )


def _counts(rows: list[diff.Row]) -> dict[str, int]:
    counts = {"removed": 0, "added": 0, "changed": 0}
    for row in rows:
        if row.left.mark == "removed":
            counts["removed"] += 1
        elif row.right.mark == "added":
            counts["added"] += 1
        elif row.left.mark == "changed" or row.right.mark == "changed":
            counts["changed"] += 1
    return counts


# --- comments ---------------------------------------------------------------------


@bp.route("/drafts/<uuid:draft_id>/comments", methods=["POST"], endpoint="comment")
@login_required
def comment(draft_id: uuid.UUID) -> Response | tuple[str, int]:
    me = _me()
    item, _access = _full_draft(me, draft_id)
    form = CommentForm()
    form.on_version.choices = select_choices(
        [
            (str(n), str(n))
            for n in db.session.scalars(
                sa.select(DraftVersion.number).where(DraftVersion.draft_id == item.id)
            )
        ]
    )
    if form.validate_on_submit():
        try:
            services.add_comment(
                me,
                item,
                {
                    "body": form.body.data,
                    "quote": form.quote.data or None,
                    "version": int(form.on_version.data),
                },
            )
        except ValidationFailed as problem:
            _show(form, problem, "body", {"version": "on_version"})
        else:
            flash(_("Your comment was added."), "success")
            return redirect(url_for("drafts.draft", draft_id=item.id) + "#comments")
    elif not Viewer.of(me, item.review_id).writes:
        # The service's answer to a reader who writes nothing, form or not.
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    return _draft_page(me, item, comment_form=form)


@bp.route(
    "/draft-comments/<uuid:comment_id>/resolved",
    methods=["POST"],
    endpoint="resolve_comment",
)
@login_required
def resolve_comment(comment_id: uuid.UUID) -> Response:
    """Mark a comment resolved, or open it again."""
    me = _me()
    found = queries.get_visible_comment_or_404(me, comment_id)
    item = queries.get_visible_draft_or_404(me, found.draft_id)
    review = _review_of(item)
    form = ResolveForm()
    back = url_for("drafts.draft", draft_id=item.id) + f"#comment-{found.id}"
    if not Viewer.of(me, review).writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    if not form.validate_on_submit():
        flash(_("Choose to resolve the comment or to open it again."), "error")
        return redirect(back)
    resolved = form.resolved.data == "1"
    services.resolve_comment(me, found, resolved)
    flash(
        _("The comment was marked resolved.")
        if resolved
        else _("The comment is open again."),
        "success",
    )
    return redirect(back)


# --- decisions, sharing, issue -------------------------------------------------------


def _own_party(me: User, item: Draft) -> uuid.UUID:
    """The reader's own body, as the body it decides for (the service
    refuses anyone but its lead officer, 403)."""
    if me.organisation_id is None:
        raise Forbidden(_("Only that body's lead officer decides for it."))
    return me.organisation_id


@bp.route("/drafts/<uuid:draft_id>/decision", methods=["POST"], endpoint="decide")
@login_required
def decide(draft_id: uuid.UUID) -> Response | tuple[str, int]:
    """The reader's body's decision on the current version."""
    me = _me()
    item = _full_draft_or_404(me, draft_id)
    organisation_id = _own_party(me, item)
    form = DecisionForm()
    if not form.validate_on_submit():
        viewer = Viewer.of(me, item.review_id)
        if viewer.role is not Role.LEAD_OFFICER:
            raise Forbidden(_("Only that body's lead officer decides for it."))
        return _draft_page(me, item, decision_form=form)
    services.decide(
        me,
        item,
        organisation_id,
        {
            "decision": Decision(form.decision.data),
            "version": form.version.data,
            "comment": form.comment.data or None,
        },
    )
    flash(
        _(
            "Your body's decision on version %(n)d was recorded: %(decision)s.",
            n=form.version.data,
            decision=DECISION_LABELS[form.decision.data],
        ),
        "success",
    )
    return redirect(url_for("drafts.draft", draft_id=item.id))


@bp.route(
    "/drafts/<uuid:draft_id>/decision/withdraw",
    methods=["POST"],
    endpoint="withdraw_decision",
)
@login_required
def withdraw_decision(draft_id: uuid.UUID) -> Response:
    me = _me()
    item = _full_draft_or_404(me, draft_id)
    organisation_id = _own_party(me, item)
    if ButtonForm().validate_on_submit():
        services.withdraw_decision(me, item, organisation_id)
        flash(_("Your body's decision was withdrawn."), "success")
    return redirect(url_for("drafts.draft", draft_id=item.id))


@bp.route("/drafts/<uuid:draft_id>/share", methods=["POST"], endpoint="share")
@login_required
def share(draft_id: uuid.UUID) -> Response:
    """Share a body's draft with the other inspecting bodies (never back)."""
    me = _me()
    item = queries.get_visible_draft_or_404(me, draft_id)
    if ButtonForm().validate_on_submit():
        services.update_draft(me, item, {"scope": Scope.JOINT})
        flash(
            _("The draft is shared with every inspecting body: they may now decide."),
            "success",
        )
    return redirect(url_for("drafts.draft", draft_id=item.id))


@bp.route("/drafts/<uuid:draft_id>/issue", methods=["POST"], endpoint="issue")
@login_required
def issue(draft_id: uuid.UUID) -> Response:
    """Issue agreed feedback to its reviewed party."""
    me = _me()
    item = _full_draft_or_404(me, draft_id)
    if ButtonForm().validate_on_submit():
        services.issue(me, item)
        flash(
            _(
                "The feedback was issued. Its nominees may comment on its factual "
                "accuracy until the end of %(day)s.",
                day=format_day(item.factual_accuracy_due),
            ),
            "success",
        )
    return redirect(url_for("drafts.draft", draft_id=item.id))


@bp.route("/drafts/<uuid:draft_id>/accuracy", methods=["POST"], endpoint="accuracy")
@login_required
def accuracy(draft_id: uuid.UUID) -> Response | tuple[str, int]:
    """A nominee's comment on the factual accuracy of issued feedback."""
    me = _me()
    item = queries.get_visible_draft_or_404(me, draft_id)
    form = AccuracyForm()
    if not form.validate_on_submit():
        viewer = Viewer.of(me, item.review_id)
        if not (
            viewer.role is Role.NOMINEE
            and item.workspace_id is not None
            and viewer.own_workspace_id == item.workspace_id
        ):
            raise Forbidden(_("Only the reviewed party's nominees comment on this."))
        return _draft_page(me, item, accuracy_form=form)
    services.add_accuracy_comment(
        me, item, {"body": form.body.data, "quote": form.quote.data or None}
    )
    flash(_("Your comment was sent to the inspecting bodies."), "success")
    return redirect(url_for("drafts.draft", draft_id=item.id) + "#accuracy")


# --- the publication ----------------------------------------------------------------


def _publication_state(
    me: User, review: Review, publication: Publication | None
) -> dict[str, Any] | None:
    if publication is None:
        return None
    agreements = queries.publication_agreements(review)
    listed = queries.publication_drafts(review)
    drafts = {
        d.id: d
        for d in db.session.scalars(
            queries.visible_drafts(me).where(Draft.id.in_(listed))
        )
    }
    return {
        "publication": publication,
        "status": services.publication_status(review, publication),
        "drafts": [drafts[i] for i in listed if i in drafts],
        "agreed_by": {a.organisation_id: a for a in agreements},
        "names": account_queries.names_of(
            [a.by_id for a in agreements] + [publication.proposed_by_id]
        ),
        "passed": publication.agreed_at is None and publication.publish_at <= utcnow(),
    }


def _publishable(me: User, review: Review, listed: list[uuid.UUID]) -> list[Draft]:
    """What may be proposed for publication: the agreed drafts that are not
    feedback (and those listed already)."""
    return list(
        db.session.scalars(
            queries.visible_drafts(me)
            .where(
                Draft.review_id == review.id,
                Draft.kind != DraftKind.FEEDBACK,
                sa.or_(Draft.status == DraftStatus.AGREED, Draft.id.in_(listed)),
            )
            .order_by(Draft.created_at, Draft.id)
        )
    )


def _clock(value: str) -> time | None:
    try:
        hours, minutes = value.split(":")
        if len(minutes) != 2:
            return None
        return time(int(hours), int(minutes))
    except ValueError:
        return None


@bp.route(
    "/reviews/<uuid:review_id>/publication",
    methods=["GET", "POST"],
    endpoint="publication",
)
@login_required
def publication(review_id: uuid.UUID) -> str | Response:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    viewer = _inspecting(
        me, review, _("The publication is the inspecting bodies' to agree.")
    )
    current = queries.publication_of(review)
    listed = queries.publication_drafts(review) if current else []
    leads = viewer.role is Role.LEAD_OFFICER
    proposes = leads and not review.is_closed and not review.is_published
    if request.method == "POST" and not proposes:
        # The service's refusals, before the form is read.
        if not leads:
            raise Forbidden(_("Only the inspecting bodies' lead officers do this."))
        if review.is_closed:
            raise Conflict(_("This review is closed: nothing in it can change."))
        raise Conflict(_("The review is published: its publication changes no more."))
    form = PublicationForm()
    choices = _publishable(me, review, listed)
    form.drafts.choices = select_choices(
        [(str(d.id), _draft_choice(d)) for d in choices]
    )
    if request.method == "GET" and current is not None:
        local = current.publish_at.astimezone(services.WALES)
        form.day.data = local.date()
        form.time.data = local.strftime("%H:%M")
        form.drafts.data = [str(i) for i in listed]
    if proposes and form.validate_on_submit():
        at = _clock(form.time.data or "")
        if at is None:
            form.time.errors = [_("Enter a time such as 00:01 or 09:30.")]
        else:
            assert form.day.data is not None
            try:
                services.propose_publication(
                    me,
                    review,
                    {
                        "publish_at": datetime.combine(
                            form.day.data, at, services.WALES
                        ),
                        "draft_ids": [uuid.UUID(i) for i in form.drafts.data or []],
                    },
                )
            except ValidationFailed as problem:
                names = {"publish_at": "day", "draft_ids": "drafts"}
                for name, message in (problem.fields or {}).items():
                    target = getattr(form, names.get(name, "day"))
                    target.errors = [*target.errors, message]
            else:
                flash(
                    _(
                        "The publication was proposed. Each body's lead officer "
                        "now agrees to it."
                    ),
                    "success",
                )
                return redirect(url_for("drafts.publication", review_id=review.id))
    state = _publication_state(me, review, current)
    agrees = (
        leads
        and state is not None
        and state["status"] == "proposed"
        and not state["passed"]
        and viewer.organisation_id not in state["agreed_by"]
        and not review.is_closed
    )
    return render_template(
        "drafts/publication.html",
        review=review,
        state=state,
        parties=_parties(review),
        form=form if proposes else None,
        has_choices=bool(choices),
        agree_form=ButtonForm() if agrees else None,
        publication_labels=PUBLICATION_STATUS_LABELS,
        publication_tags=PUBLICATION_TAGS,
        **_labels(),
    )


def _draft_choice(item: Draft) -> str:
    return f"{bilingual(item.title, item.title_cy)} ({KIND_LABELS[item.kind.value]})"


@bp.route(
    "/reviews/<uuid:review_id>/publication/agreement",
    methods=["POST"],
    endpoint="agree_publication",
)
@login_required
def agree_publication(review_id: uuid.UUID) -> Response:
    """The reader's body agrees to the date, time and drafts."""
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    _inspecting(me, review, _("The publication is the inspecting bodies' to agree."))
    if ButtonForm().validate_on_submit():
        made = services.agree_publication(me, review)
        if made.agreed_at is not None:
            flash(
                _(
                    "Every body has agreed: it is published at the time agreed, "
                    "not before."
                ),
                "success",
            )
        else:
            flash(_("Your body agreed to the publication."), "success")
    return redirect(url_for("drafts.publication", review_id=review.id))


# --- what waits on whom ------------------------------------------------------------


@dataclass
class _Waiting:
    """The agreement page's three lists, each of drafts, messages and the
    publication."""

    drafts: list[dict[str, Any]] = field(default_factory=list)
    messages: list[Any] = field(default_factory=list)
    publication: bool = False

    def __bool__(self) -> bool:
        return bool(self.drafts or self.messages or self.publication)


@bp.route("/reviews/<uuid:review_id>/agreement", endpoint="agreement")
@login_required
def agreement(review_id: uuid.UUID) -> str:
    """What waits on the reader's body, what waits on the others, and what
    is agreed: drafts, headline messages and the publication."""
    from app.messages import queries as message_queries
    from app.messages.models import MessageStatus

    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    viewer = _inspecting(me, review, _("Agreement is the inspecting bodies' work."))
    mine_id = viewer.organisation_id
    parties = _parties(review)
    on_me, on_others, agreed = _Waiting(), _Waiting(), _Waiting()

    drafts = list(
        db.session.scalars(
            queries.visible_drafts(me)
            .where(Draft.review_id == review.id)
            .order_by(Draft.created_at, Draft.id)
        )
    )
    views = draft_views(me, drafts)
    names = _names_of_deciders(views)
    party_names = _party_names(parties)
    for item, view in zip(drafts, views, strict=True):
        row = {
            "draft": item,
            "view": view,
            "standing": _standing(view, item, parties, names, party_names),
        }
        if view["status"] != DraftStatus.DRAFTING.value:
            agreed.drafts.append(row)
        elif item.current_version is None:
            continue  # nothing to decide on yet
        elif any(
            r["organisation"].id == mine_id and not r["unshared"] and not r["decision"]
            for r in row["standing"]
        ):
            on_me.drafts.append(row)
        else:
            on_others.drafts.append(row)

    messages = message_queries.all_messages(me, review)
    standings = message_queries.standings(messages, me)
    for message in messages:
        standing = standings[message.id]
        entry = {"message": message, "standing": standing}
        if standing.status is MessageStatus.AGREED:
            agreed.messages.append(entry)
        elif mine_id not in standing.agreed_by:
            on_me.messages.append(entry)
        else:
            on_others.messages.append(entry)

    state = _publication_state(me, review, queries.publication_of(review))
    if state is not None:
        if state["status"] != "proposed":
            agreed.publication = True
        elif state["passed"] or mine_id not in state["agreed_by"]:
            on_me.publication = True
        else:
            on_others.publication = True

    leads = viewer.role is Role.LEAD_OFFICER and not review.is_closed
    return render_template(
        "drafts/agreement.html",
        review=review,
        parties=parties,
        own=db.session.get(Organisation, mine_id) if mine_id else None,
        own_organisation_id=mine_id,
        on_me=on_me,
        on_others=on_others,
        agreed=agreed,
        state=state,
        leads=leads,
        here=request.path,
        publication_labels=PUBLICATION_STATUS_LABELS,
        agree_form=ButtonForm() if leads else None,
        **_labels(),
    )
