"""Pages: a workspace's request list, asking for evidence, a request (its
evidence, answering it, deciding on it, sharing it out)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from govuk_frontend_wtf.main import wtforms_errors
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from app.accounts import queries as account_queries
from app.accounts.models import User
from app.core.db import db
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.i18n import _, _l, bilingual
from app.core.permissions import Role
from app.core.web import next_page_url, page_args
from app.evidence import permissions as evidence_permissions
from app.evidence.routes import MAX_FILES_PER_FORM
from app.intake import bp, permissions, queries, services
from app.intake.forms import (
    AssignForm,
    DecisionForm,
    EveryWorkspaceForm,
    NewRequestForm,
    WithdrawRequestForm,
)
from app.intake.models import EvidenceRequest, RequestStatus
from app.notes.models import SubjectType
from app.notes.routes import panel as notes_panel
from app.reviews import queries as review_queries
from app.reviews.models import Workspace

WALES = ZoneInfo("Europe/London")

# A request's status as a tag: its label and GOV.UK colour.
STATUS_TAGS: dict[RequestStatus, tuple[Any, str]] = {
    RequestStatus.OPEN: (_l("Open"), "govuk-tag--blue"),
    RequestStatus.SUBMITTED: (_l("Submitted"), "govuk-tag--yellow"),
    RequestStatus.RETURNED: (_l("Returned"), "govuk-tag--orange"),
    RequestStatus.ACCEPTED: (_l("Accepted"), "govuk-tag--green"),
    RequestStatus.WITHDRAWN: (_l("Withdrawn"), "govuk-tag--grey"),
}


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


# -- Helpers for the templates (this blueprint's and the workspace page's) ----


@bp.app_template_filter("lines")
def keep_lines(text: str | None) -> Markup:
    """Typed text with its line breaks kept (and everything else escaped)."""
    return Markup("<br>").join(escape(text or "").splitlines())


@bp.app_template_global("request_status_tag")
def request_status_tag(status: RequestStatus) -> dict[str, str]:
    text, classes = STATUS_TAGS[RequestStatus(status)]
    return {"text": str(text), "classes": classes}


@bp.app_template_global("request_overdue")
def request_overdue(item: EvidenceRequest) -> bool:
    """Past its due date and still waiting for evidence."""
    return (
        item.due_date is not None
        and item.status in (RequestStatus.OPEN, RequestStatus.RETURNED)
        and item.due_date < datetime.now(WALES).date()
    )


@bp.app_template_global("request_title")
def request_title(item: EvidenceRequest) -> str:
    return bilingual(item.title, item.title_cy)


@bp.app_template_global("request_summary")
def request_summary(workspace: Workspace) -> list[tuple[str, int]]:
    """The workspace's requests counted by status (labels in the reader's
    language), for a line on the workspace page."""
    counts = queries.count_by_status(_me(), workspace)
    return [
        (str(label), counts[status])
        for status, (label, _classes) in STATUS_TAGS.items()
        if counts.get(status)
    ]


@bp.app_template_global("may_make_requests")
def may_make_requests(role: Role | None) -> bool:
    return permissions.can_make_requests(role)


def _errors(*forms: Any, problem: str | None = None) -> list[dict[str, str]]:
    """The error summary's list: a conflict first, then each form's fields."""
    found: list[dict[str, str]] = [{"text": problem}] if problem else []
    for form in forms:
        if form is not None and form.errors:
            for entry in wtforms_errors(form)["errorList"]:
                # The date input's first box, not its wrapper.
                if entry["href"] == "#due_date":
                    entry["href"] = "#due_date-day"
                found.append(entry)
    return found


def _show_problems(form: Any, problem: ValidationFailed, default: str) -> None:
    """A service's validation error on the form's fields."""
    for name, message in problem.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [message]
    if not any(getattr(form, name, None) is not None for name in problem.fields):
        getattr(form, default).errors = [problem.message]


# -- The request list -----------------------------------------------------------


@bp.route("/workspaces/<uuid:workspace_id>/requests", endpoint="workspace_requests")
@login_required
def workspace_requests(workspace_id: uuid.UUID) -> str:
    me = _me()
    workspace = review_queries.get_visible_workspace_or_404(me, workspace_id)
    review = workspace.review
    role = review_queries.role_in(me, review.id)
    wanted = request.args.get("status") or None
    try:
        status = RequestStatus(wanted) if wanted else None
    except ValueError:
        raise ValidationFailed.field(
            "status", _("Choose a status from the list.")
        ) from None
    page = queries.list_workspace_requests(me, workspace, page_args(), status)
    return render_template(
        "intake/list.html",
        workspace=workspace,
        review=review,
        requests=page.items,
        status=status,
        statuses=STATUS_TAGS,
        next_url=next_page_url(page.next_cursor),
        can_make=permissions.can_make_requests(role) and not review.is_closed,
    )


# -- Asking ---------------------------------------------------------------------


def _require_may_make_requests(me: User, review_id: uuid.UUID) -> None:
    role = review_queries.role_in(me, review_id)
    if role is None:
        raise NotFound()
    if not permissions.can_make_requests(role):
        raise Forbidden(
            _("Only the inspecting lead officers and inspectors can do this.")
        )


@bp.route(
    "/workspaces/<uuid:workspace_id>/requests/new",
    methods=["GET", "POST"],
    endpoint="new_request",
)
@login_required
def new_request(workspace_id: uuid.UUID) -> str | Response:
    me = _me()
    workspace = review_queries.get_visible_workspace_or_404(me, workspace_id)
    _require_may_make_requests(me, workspace.review_id)
    form = NewRequestForm()
    if form.validate_on_submit():
        try:
            made = services.create_request(me, workspace, **form.fields_for_service())
        except ValidationFailed as problem:
            _show_problems(form, problem, "title")
        except Conflict as problem:
            form.title.errors = [problem.message]
        else:
            flash(_("Request %(ref)s was added to the list.", ref=made.ref), "success")
            return redirect(url_for("intake.request", request_id=made.id))
    return render_template(
        "intake/new.html",
        form=form,
        errors=_errors(form),
        workspace=workspace,
        review=workspace.review,
    )


@bp.route(
    "/reviews/<uuid:review_id>/requests/new",
    methods=["GET", "POST"],
    endpoint="new_for_every_workspace",
)
@login_required
def new_for_every_workspace(review_id: uuid.UUID) -> str | Response:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    _require_may_make_requests(me, review.id)
    form = EveryWorkspaceForm()
    if form.validate_on_submit():
        try:
            made = services.create_for_every_workspace(
                me, review, [form.fields_for_service()]
            )
        except ValidationFailed as problem:
            _show_problems(form, problem, "title")
        except Conflict as problem:
            form.title.errors = [problem.message]
        else:
            flash(
                _(
                    "The request was added to the list of every workspace "
                    "(%(count)d in all).",
                    count=len(made),
                ),
                "success",
            )
            return redirect(url_for("reviews.review", review_id=review.id))
    return render_template(
        "intake/new.html",
        form=form,
        errors=_errors(form),
        workspace=None,
        review=review,
    )


# -- A request ------------------------------------------------------------------


def _assign_choices(form: AssignForm, workspace: Workspace) -> None:
    people = db.session.scalars(queries.assignable_people(workspace)).all()
    form.user_ids.choices = [(str(p.id), p.name) for p in people]


def _request_page(
    item: EvidenceRequest,
    *,
    decision_form: DecisionForm | None = None,
    assign_form: AssignForm | None = None,
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    me = _me()
    workspace = item.workspace
    review = workspace.review
    role = review_queries.role_in(me, review.id)
    live = not review.is_closed and not item.status.is_finished
    inspects = permissions.can_make_requests(role) and not review.is_closed
    can_assign = live and permissions.can_assign(me, role, workspace)
    if can_assign and assign_form is None:
        assign_form = AssignForm(
            formdata=None, user_ids=[str(i) for i in item.assignee_ids]
        )
    if can_assign:
        assert assign_form is not None
        _assign_choices(assign_form, workspace)
    can_decide = inspects and item.status is RequestStatus.SUBMITTED
    if can_decide and decision_form is None:
        decision_form = DecisionForm(formdata=None)
    evidence = item.evidence
    names = account_queries.names_of(
        [item.created_by_id, item.decided_by_id, *(e.uploaded_by_id for e in evidence)]
    )
    return (
        render_template(
            "intake/request.html",
            item=item,
            workspace=workspace,
            review=review,
            evidence=evidence,
            names=names,
            errors=_errors(decision_form, assign_form, problem=problem),
            decision_form=decision_form if can_decide else None,
            assign_form=assign_form if can_assign else None,
            can_withdraw=inspects and not item.status.is_finished,
            can_upload=live and evidence_permissions.can_upload(me, role, workspace),
            max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
            max_files=MAX_FILES_PER_FORM,
            notes=notes_panel(me, review, SubjectType.REQUEST, item.id, workspace),
        ),
        status,
    )


@bp.route("/requests/<uuid:request_id>", endpoint="request")
@login_required
def request_page(request_id: uuid.UUID) -> tuple[str, int]:
    return _request_page(queries.get_visible_request_or_404(_me(), request_id))


@bp.route(
    "/requests/<uuid:request_id>/decision", methods=["GET", "POST"], endpoint="decide"
)
@login_required
def decide(request_id: uuid.UUID) -> tuple[str, int] | Response:
    me = _me()
    item = queries.get_visible_request_or_404(me, request_id)
    if request.method == "GET":  # the language switch of a page with errors
        return redirect(url_for("intake.request", request_id=item.id))
    _require_may_make_requests(me, item.workspace.review_id)
    form = DecisionForm()
    if form.validate_on_submit():
        decision = services.Decision(form.decision.data)
        reason = form.reason.data if decision is services.Decision.RETURN else None
        try:
            decided = services.decide(me, item, decision, reason)
        except ValidationFailed as problem:
            _show_problems(form, problem, "decision")
        except Conflict as problem:
            # Someone else decided first (or the review closed): say so.
            db.session.rollback()
            return _request_page(
                item, decision_form=form, problem=problem.message, status=409
            )
        else:
            message = (
                _("Request %(ref)s was accepted.", ref=decided.ref)
                if decision is services.Decision.ACCEPT
                else _(
                    "Request %(ref)s was returned with your reason.", ref=decided.ref
                )
            )
            flash(message, "success")
            return redirect(url_for("intake.request", request_id=item.id))
    return _request_page(item, decision_form=form)


@bp.route(
    "/requests/<uuid:request_id>/withdraw",
    methods=["GET", "POST"],
    endpoint="withdraw",
)
@login_required
def withdraw(request_id: uuid.UUID) -> str | Response | tuple[str, int]:
    me = _me()
    item = queries.get_visible_request_or_404(me, request_id)
    _require_may_make_requests(me, item.workspace.review_id)
    form = WithdrawRequestForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.decide(me, item, services.Decision.WITHDRAW, None)
        except Conflict as refused:
            db.session.rollback()
            problem = refused.message
        else:
            flash(_("Request %(ref)s was withdrawn.", ref=item.ref), "success")
            return redirect(url_for("intake.request", request_id=item.id))
    page = render_template(
        "intake/withdraw.html",
        item=item,
        workspace=item.workspace,
        form=form,
        errors=[{"text": problem}] if problem else [],
    )
    return (page, 409) if problem else page


@bp.route(
    "/requests/<uuid:request_id>/assignees", methods=["GET", "POST"], endpoint="assign"
)
@login_required
def assign(request_id: uuid.UUID) -> tuple[str, int] | Response:
    me = _me()
    item = queries.get_visible_request_or_404(me, request_id)
    if request.method == "GET":  # the language switch of a page with errors
        return redirect(url_for("intake.request", request_id=item.id))
    workspace = item.workspace
    role = review_queries.role_in(me, workspace.review_id)
    if not permissions.can_assign(me, role, workspace):
        raise Forbidden(
            _("Only nominees of this workspace and inspectors can share requests out.")
        )
    form = AssignForm()
    _assign_choices(form, workspace)
    if form.validate_on_submit():
        try:
            chosen = [uuid.UUID(value) for value in form.user_ids.data or []]
            services.assign(me, item, chosen)
        except ValueError:
            form.user_ids.errors = [_("Choose people from the list.")]
        except ValidationFailed as problem:
            form.user_ids.errors = [problem.message]
        except Conflict as problem:
            db.session.rollback()
            return _request_page(
                item, assign_form=form, problem=problem.message, status=409
            )
        else:
            flash(_("Who answers %(ref)s was saved.", ref=item.ref), "success")
            return redirect(url_for("intake.request", request_id=item.id))
    return _request_page(item, assign_form=form)
