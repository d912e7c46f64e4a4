"""Pages: a review's headline messages, one message, their forms, the
bodies' agreement, and the one-page brief of the agreed messages.

Everything works without JavaScript: agreeing is a form with one button,
and every form with a problem is shown again with the problem said.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.accounts import queries as account_queries
from app.accounts.models import Organisation, User
from app.core.db import db
from app.core.errors import Forbidden, ValidationFailed
from app.core.i18n import _
from app.core.permissions import Role
from app.core.web import next_page_url, safe_next_url
from app.messages import bp, queries, services
from app.messages.forms import (
    AgreementForm,
    ChangeMessageForm,
    DeleteMessageForm,
    MessageForm,
)
from app.messages.models import HeadlineMessage, MessageStatus
from app.notifications.routes import SUBJECT_URLS
from app.reviews import queries as review_queries
from app.reviews.models import Review
from app.reviews.visibility import Viewer, require_inspecting

STATUS_TAGS = {
    MessageStatus.PROPOSED: "govuk-tag--blue",
    MessageStatus.AGREED: "govuk-tag--green",
}

# A notification of an agreed message opens the message's page.
SUBJECT_URLS["message"] = lambda message_id: url_for(
    "messages.message", message_id=message_id
)

REFERENCE_SPLIT = re.compile(r"[\s,;]+")
HYPOTHESIS_REFERENCE = re.compile(r"^H-?0*(\d{1,9})$")


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def status_labels() -> dict[MessageStatus, str]:
    return {MessageStatus.PROPOSED: _("Proposed"), MessageStatus.AGREED: _("Agreed")}


def _inspecting(me: User, review: Review) -> Viewer:
    return require_inspecting(
        me, review, _("The headline messages are the inspecting team's own.")
    )


def _require_writer(viewer: Viewer) -> None:
    if not viewer.writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))


def _parties(review: Review) -> list[Organisation]:
    """The review's inspecting organisations, in order."""
    ids = queries.inspecting_parties(review.id)
    found = {
        o.id: o
        for o in db.session.scalars(
            sa.select(Organisation).where(Organisation.id.in_(ids))
        )
    }
    return [found[i] for i in ids if i in found]


def _decides(viewer: Viewer, review: Review, parties: list[Organisation]) -> bool:
    """Whether the viewer agrees for their body here (the service checks again)."""
    return (
        viewer.role is Role.LEAD_OFFICER
        and not review.is_closed
        and viewer.organisation_id in {o.id for o in parties}
    )


def _view_context(me: User, review: Review, viewer: Viewer) -> dict[str, Any]:
    parties = _parties(review)
    return {
        "review": review,
        "parties": parties,
        "labels": status_labels(),
        "tags": STATUS_TAGS,
        "may_write": viewer.writes and not review.is_closed,
        "decides": _decides(viewer, review, parties),
        "own_organisation_id": viewer.organisation_id,
    }


@bp.route("/reviews/<uuid:review_id>/messages", endpoint="register")
@login_required
def register(review_id: uuid.UUID) -> str:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    viewer = _inspecting(me, review)
    page = queries.list_messages(
        me, review, {"limit": 200, "cursor": request.args.get("cursor")}
    )
    return render_template(
        "messages/register.html",
        messages=page.items,
        standing=queries.standings(page.items, me),
        next_url=next_page_url(page.next_cursor),
        here=request.full_path.rstrip("?"),
        **_view_context(me, review, viewer),
    )


@bp.route("/reviews/<uuid:review_id>/messages/brief", endpoint="brief")
@login_required
def brief(review_id: uuid.UUID) -> str:
    """The agreed messages on one page, to read out or print."""
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    _inspecting(me, review)
    messages = queries.all_messages(me, review)
    standing = queries.standings(messages, me)
    agreed = [m for m in messages if standing[m.id].status is MessageStatus.AGREED]
    return render_template(
        "messages/brief.html",
        review=review,
        messages=agreed,
        parties=_parties(review),
        proposed=len(messages) - len(agreed),
    )


def _references(text: str | None) -> list[str]:
    return [r.upper() for r in REFERENCE_SPLIT.split(text or "") if r]


def _evidence_from(
    me: User, review: Review, text: str | None
) -> tuple[list[uuid.UUID], list[str]]:
    """The evidence ids of typed references (ERW-014), and those unknown."""
    from app.evidence.models import EvidenceItem
    from app.evidence.queries import visible_evidence

    wanted = list(dict.fromkeys(_references(text)))
    found = dict(
        db.session.execute(
            visible_evidence(me)
            .where(
                EvidenceItem.review_id == review.id, EvidenceItem.reference.in_(wanted)
            )
            .with_only_columns(EvidenceItem.reference, EvidenceItem.id)
        ).all()
    )
    return [found[r] for r in wanted if r in found], [
        r for r in wanted if r not in found
    ]


def _hypotheses_from(
    me: User, review: Review, text: str | None
) -> tuple[list[uuid.UUID], list[str]]:
    """The hypothesis ids of typed references (H-001), and those unknown."""
    from app.hypotheses.models import Hypothesis
    from app.hypotheses.queries import visible_hypotheses

    wanted = list(dict.fromkeys(_references(text)))
    numbers: dict[str, int] = {}
    for reference in wanted:
        match = HYPOTHESIS_REFERENCE.match(reference)
        if match:
            numbers[reference] = int(match.group(1))
    found = dict(
        db.session.execute(
            visible_hypotheses(me)
            .where(
                Hypothesis.review_id == review.id,
                Hypothesis.number.in_(set(numbers.values())),
            )
            .with_only_columns(Hypothesis.number, Hypothesis.id)
        ).all()
    )
    ids = [found[numbers[r]] for r in wanted if numbers.get(r) in found]
    return list(dict.fromkeys(ids)), [r for r in wanted if numbers.get(r) not in found]


def _fields_from(form: MessageForm, me: User, review: Review) -> dict[str, Any] | None:
    """The service's fields from a valid form, or None with the unknown
    references said on their fields."""
    evidence_ids, unknown_evidence = _evidence_from(me, review, form.evidence.data)
    hypothesis_ids, unknown_hypotheses = _hypotheses_from(
        me, review, form.hypotheses.data
    )
    if unknown_evidence:
        form.evidence.errors = [
            *form.evidence.errors,
            _(
                "No evidence of this review that you can see has the reference "
                "%(refs)s.",
                refs=", ".join(unknown_evidence),
            ),
        ]
    if unknown_hypotheses:
        form.hypotheses.errors = [
            *form.hypotheses.errors,
            _(
                "No hypothesis of this review that you can see has the reference "
                "%(refs)s.",
                refs=", ".join(unknown_hypotheses),
            ),
        ]
    if unknown_evidence or unknown_hypotheses:
        return None
    return {
        "text": form.text.data,
        "text_cy": form.text_cy.data or None,
        "evidence_ids": evidence_ids,
        "hypothesis_ids": hypothesis_ids,
    }


FORM_FIELDS = {
    "text": "text",
    "text_cy": "text_cy",
    "evidence_ids": "evidence",
    "hypothesis_ids": "hypotheses",
}


def _show(form: MessageForm, problem: ValidationFailed) -> None:
    for name, message in (problem.fields or {"text": problem.message}).items():
        field = getattr(form, FORM_FIELDS.get(name, "text"))
        field.errors = [*field.errors, message]


@bp.route(
    "/reviews/<uuid:review_id>/messages/new", methods=["GET", "POST"], endpoint="new"
)
@login_required
def new(review_id: uuid.UUID) -> str | Response:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    _require_writer(_inspecting(me, review))
    form = MessageForm()
    if form.validate_on_submit():
        fields = _fields_from(form, me, review)
        if fields is not None:
            try:
                made = services.create_message(me, review, fields)
            except ValidationFailed as problem:
                _show(form, problem)
            else:
                flash(_("Message %(number)d was added.", number=made.number), "success")
                return redirect(url_for("messages.message", message_id=made.id))
    return render_template("messages/new.html", form=form, review=review)


def _linked(me: User, standing: queries.Standing) -> tuple[list[Any], list[Any]]:
    """The evidence items and hypotheses a message rests on, as the reader
    sees them (the standing is already filtered for them)."""
    from app.evidence.models import EvidenceItem
    from app.hypotheses.models import Hypothesis

    evidence = list(
        db.session.scalars(
            sa.select(EvidenceItem)
            .where(EvidenceItem.id.in_(standing.evidence_ids))
            .order_by(EvidenceItem.number)
        )
    )
    hypotheses = list(
        db.session.scalars(
            sa.select(Hypothesis)
            .where(Hypothesis.id.in_(standing.hypothesis_ids))
            .order_by(Hypothesis.number)
        )
    )
    return evidence, hypotheses


def _message_and_review(
    me: User, message_id: uuid.UUID
) -> tuple[HeadlineMessage, Review]:
    item = queries.get_visible_message_or_404(me, message_id)
    review = db.session.get(Review, item.review_id)
    assert review is not None
    return item, review


@bp.route("/messages/<uuid:message_id>", endpoint="message")
@login_required
def message(message_id: uuid.UUID) -> str:
    me = _me()
    item, review = _message_and_review(me, message_id)
    viewer = Viewer.of(me, review)
    standing = queries.standings([item], me)[item.id]
    evidence, hypotheses = _linked(me, standing)
    return render_template(
        "messages/message.html",
        item=item,
        standing=standing,
        evidence=evidence,
        hypotheses=hypotheses,
        names=account_queries.names_of(
            [a.by_id for a in standing.agreements] + [item.created_by_id]
        ),
        here=request.path,
        **_view_context(me, review, viewer),
    )


@bp.route("/messages/<uuid:message_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit(message_id: uuid.UUID) -> str | Response:
    me = _me()
    item, review = _message_and_review(me, message_id)
    _require_writer(Viewer.of(me, review))
    standing = queries.standings([item], me)[item.id]
    form = ChangeMessageForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        evidence, hypotheses = _linked(me, standing)
        form.evidence.data = ", ".join(e.reference for e in evidence)
        form.hypotheses.data = ", ".join(h.reference for h in hypotheses)
    if form.validate_on_submit():
        fields = _fields_from(form, me, review)
        if fields is not None:
            try:
                services.update_message(me, item, fields)
            except ValidationFailed as problem:
                _show(form, problem)
            else:
                flash(_("Message %(number)d was saved.", number=item.number), "success")
                return redirect(url_for("messages.message", message_id=item.id))
    return render_template(
        "messages/edit.html",
        form=form,
        item=item,
        review=review,
        agreed_by=len(standing.agreements),
    )


@bp.route(
    "/messages/<uuid:message_id>/delete", methods=["GET", "POST"], endpoint="delete"
)
@login_required
def delete(message_id: uuid.UUID) -> str | Response:
    me = _me()
    item, review = _message_and_review(me, message_id)
    _require_writer(Viewer.of(me, review))
    form = DeleteMessageForm()
    if form.validate_on_submit():
        services.delete_message(me, item)
        flash(_("Message %(number)d was deleted.", number=item.number), "success")
        return redirect(url_for("messages.register", review_id=review.id))
    standing = queries.standings([item], me)[item.id]
    return render_template(
        "messages/delete.html",
        form=form,
        item=item,
        review=review,
        agreed=standing.status is MessageStatus.AGREED,
    )


@bp.route(
    "/messages/<uuid:message_id>/agreement", methods=["POST"], endpoint="agreement"
)
@login_required
def agreement(message_id: uuid.UUID) -> Response:
    """A lead officer agrees for their body, or withdraws its agreement."""
    me = _me()
    item, review = _message_and_review(me, message_id)
    services.require_lead(me, review)
    form = AgreementForm()
    back = safe_next_url(
        form.next.data, url_for("messages.message", message_id=item.id)
    )
    if not form.validate_on_submit():
        flash(_("Choose to agree or to withdraw the agreement."), "error")
        return redirect(back)
    if form.action.data == "agree":
        services.agree(me, item)
        flash(
            _("Your body agreed to message %(number)d.", number=item.number),
            "success",
        )
    else:
        services.withdraw_agreement(me, item)
        flash(
            _(
                "Your body's agreement to message %(number)d was withdrawn.",
                number=item.number,
            ),
            "success",
        )
    return redirect(back)
