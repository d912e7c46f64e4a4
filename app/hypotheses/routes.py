"""Pages: a review's hypotheses register, one hypothesis, and its forms."""

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
from app.core.web import next_page_url, select_choices
from app.hypotheses import bp, queries, services
from app.hypotheses.forms import STATUS_LABELS, ChangeForm, EvidenceForm, HypothesisForm
from app.hypotheses.models import Hypothesis, HypothesisStatus
from app.notes.models import SubjectType
from app.notes.routes import panel as notes_panel
from app.reviews import queries as review_queries
from app.reviews.models import Review, Workspace
from app.reviews.visibility import Scope, Viewer, require_inspecting

STATUS_TAGS = {
    HypothesisStatus.EMERGING: "govuk-tag--blue",
    HypothesisStatus.SUPPORTED: "govuk-tag--green",
    HypothesisStatus.PARTLY_SUPPORTED: "govuk-tag--yellow",
    HypothesisStatus.NOT_SUPPORTED: "govuk-tag--red",
    HypothesisStatus.SET_ASIDE: "govuk-tag--grey",
}


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _inspecting(me: User, review: Review) -> Viewer:
    return require_inspecting(
        me, review, _("The hypotheses are the inspecting team's own.")
    )


def _workspaces(review: Review) -> list[Workspace]:
    return list(
        db.session.scalars(
            sa.select(Workspace)
            .where(Workspace.review_id == review.id)
            .order_by(Workspace.position)
        )
    )


def _status_arg() -> HypothesisStatus | None:
    wanted = request.args.get("status") or None
    try:
        return HypothesisStatus(wanted) if wanted else None
    except ValueError:
        raise ValidationFailed.field(
            "status", _("Choose a status from the list.")
        ) from None


@bp.route("/reviews/<uuid:review_id>/hypotheses", endpoint="register")
@login_required
def register(review_id: uuid.UUID) -> str:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    viewer = _inspecting(me, review)
    status = _status_arg()
    theme = (request.args.get("theme") or "").strip() or None
    workspace_arg = request.args.get("workspace") or None
    try:
        workspace_id = uuid.UUID(workspace_arg) if workspace_arg else None
    except ValueError:
        raise ValidationFailed.field(
            "workspace", _("Choose a workspace from the list.")
        ) from None
    page = queries.list_hypotheses(
        me,
        review,
        {"limit": 200, "cursor": request.args.get("cursor")},
        status=status,
        workspace_id=workspace_id,
        theme=theme,
    )
    linked = queries.evidence_ids(page.items, me)
    workspaces = _workspaces(review)
    themes = sorted(
        set(review_queries.theme_names(review.id))
        | {h.theme for h in page.items if h.theme}
    )
    return render_template(
        "hypotheses/register.html",
        review=review,
        hypotheses=page.items,
        linked=linked,
        workspaces={w.id: w for w in workspaces},
        workspace_list=workspaces,
        themes=themes,
        status=status,
        theme=theme,
        workspace_id=workspace_id,
        labels=STATUS_LABELS,
        tags=STATUS_TAGS,
        may_write=viewer.writes and not review.is_closed,
        next_url=next_page_url(page.next_cursor),
    )


def _form_choices(form: HypothesisForm, viewer: Viewer, review: Review) -> None:
    form.workspace_id.choices = select_choices(
        [("", _("The whole review"))]
        + [(str(w.id), w.name) for w in _workspaces(review)]
    )
    own = db.session.get(Organisation, viewer.organisation_id)
    form.scope.choices = select_choices(
        [(Scope.JOINT.value, _("The inspecting bodies (joint)"))]
        + ([(Scope.BODY.value, _("%(body)s only", body=own.name))] if own else [])
    )


@bp.route(
    "/reviews/<uuid:review_id>/hypotheses/new", methods=["GET", "POST"], endpoint="new"
)
@login_required
def new(review_id: uuid.UUID) -> str | Response:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    viewer = _inspecting(me, review)
    if not viewer.writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    form = HypothesisForm()
    _form_choices(form, viewer, review)
    if form.validate_on_submit():
        try:
            made = services.create_hypothesis(
                me,
                review,
                {
                    "statement": form.statement.data,
                    "statement_cy": form.statement_cy.data or None,
                    "theme": form.theme.data or None,
                    "workspace_id": uuid.UUID(form.workspace_id.data)
                    if form.workspace_id.data
                    else None,
                    "scope": Scope(form.scope.data) if form.scope.data else None,
                },
            )
        except ValidationFailed as problem:
            _show(form, problem)
        else:
            flash(
                _("%(ref)s was added to the register.", ref=made.reference), "success"
            )
            return redirect(url_for("hypotheses.hypothesis", hypothesis_id=made.id))
    return render_template(
        "hypotheses/new.html",
        form=form,
        review=review,
        themes=review_queries.theme_names(review.id),
    )


def _show(form: Any, problem: ValidationFailed) -> None:
    for name, message in (problem.fields or {"statement": problem.message}).items():
        field = getattr(form, name, None) or form.statement
        field.errors = [*field.errors, message]


def _hypothesis_page_data(me: User, hypothesis: Hypothesis) -> dict[str, Any]:
    from app.evidence.models import EvidenceItem

    review = db.session.get(Review, hypothesis.review_id)
    assert review is not None
    linked_ids = queries.evidence_ids([hypothesis], me)[hypothesis.id]
    evidence = list(
        db.session.scalars(
            sa.select(EvidenceItem)
            .where(EvidenceItem.id.in_(linked_ids))
            .order_by(EvidenceItem.number)
        )
    )
    history = queries.history_of(hypothesis, {"limit": 200, "cursor": None}).items
    names = account_queries.names_of([c.by_id for c in history])
    workspace = (
        db.session.get(Workspace, hypothesis.workspace_id)
        if hypothesis.workspace_id
        else None
    )
    return {
        "review": review,
        "evidence": evidence,
        "history": history,
        "names": names,
        "workspace": workspace,
    }


@bp.route("/hypotheses/<uuid:hypothesis_id>", endpoint="hypothesis")
@login_required
def hypothesis(hypothesis_id: uuid.UUID) -> str:
    me = _me()
    item = queries.get_visible_hypothesis_or_404(me, hypothesis_id)
    data = _hypothesis_page_data(me, item)
    review = data["review"]
    viewer = Viewer.of(me, review)
    return render_template(
        "hypotheses/hypothesis.html",
        item=item,
        labels=STATUS_LABELS,
        tags=STATUS_TAGS,
        may_write=viewer.writes and not review.is_closed,
        notes=notes_panel(me, review, SubjectType.HYPOTHESIS, item.id),
        **data,
    )


@bp.route(
    "/hypotheses/<uuid:hypothesis_id>/change",
    methods=["GET", "POST"],
    endpoint="change",
)
@login_required
def change(hypothesis_id: uuid.UUID) -> str | Response:
    me = _me()
    item = queries.get_visible_hypothesis_or_404(me, hypothesis_id)
    review = db.session.get(Review, item.review_id)
    assert review is not None
    if not Viewer.of(me, review).writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    form = ChangeForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.status.data = item.status.value
    form.status.choices = select_choices(STATUS_LABELS.items())
    if form.validate_on_submit():
        try:
            services.update_hypothesis(
                me,
                item,
                {
                    "statement": form.statement.data,
                    "statement_cy": form.statement_cy.data or None,
                    "theme": form.theme.data or None,
                    "status": HypothesisStatus(form.status.data),
                    "reason": form.reason.data or None,
                },
            )
        except ValidationFailed as problem:
            _show(form, problem)
        else:
            flash(_("%(ref)s was saved.", ref=item.reference), "success")
            return redirect(url_for("hypotheses.hypothesis", hypothesis_id=item.id))
    return render_template(
        "hypotheses/change.html", form=form, item=item, review=review
    )


REFERENCE_SPLIT = re.compile(r"[\s,;]+")


@bp.route(
    "/hypotheses/<uuid:hypothesis_id>/evidence",
    methods=["GET", "POST"],
    endpoint="evidence",
)
@login_required
def evidence(hypothesis_id: uuid.UUID) -> str | Response:
    from app.evidence.models import EvidenceItem
    from app.evidence.queries import visible_evidence

    me = _me()
    item = queries.get_visible_hypothesis_or_404(me, hypothesis_id)
    data = _hypothesis_page_data(me, item)
    review = data["review"]
    if not Viewer.of(me, review).writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    form = EvidenceForm()
    if request.method == "GET":
        form.references.data = ", ".join(e.reference for e in data["evidence"])
    if form.validate_on_submit():
        wanted = [
            r.upper() for r in REFERENCE_SPLIT.split(form.references.data or "") if r
        ]
        found = dict(
            db.session.execute(
                visible_evidence(me)
                .where(
                    EvidenceItem.review_id == review.id,
                    EvidenceItem.reference.in_(wanted),
                )
                .with_only_columns(EvidenceItem.reference, EvidenceItem.id)
            ).all()
        )
        unknown = [r for r in wanted if r not in found]
        if unknown:
            form.references.errors = [
                _(
                    "No evidence of this review that you can see has the reference "
                    "%(refs)s.",
                    refs=", ".join(unknown),
                )
            ]
        else:
            services.set_evidence(me, item, [found[r] for r in wanted])
            flash(
                _("The evidence of %(ref)s was saved.", ref=item.reference), "success"
            )
            return redirect(url_for("hypotheses.hypothesis", hypothesis_id=item.id))
    return render_template(
        "hypotheses/evidence.html", form=form, item=item, review=review
    )
