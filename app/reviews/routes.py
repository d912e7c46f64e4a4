"""Pages: my reviews, a review, and its members."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.accounts.models import User
from app.audit.queries import may_view_review_trail
from app.core.db import db
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.i18n import MODE_LABELS, _
from app.core.permissions import Capability, Role, Side, has_capability
from app.core.web import next_page_url, page_args, select_choices
from app.drafts.timeline import timeline as drafts_timeline
from app.notes.models import SubjectType
from app.notes.routes import panel as notes_panel
from app.reviews import bp, permissions, queries, services
from app.reviews.forms import (
    EditThemeForm,
    MemberForm,
    RemoveMemberForm,
    RemoveThemeForm,
    RetentionForm,
    StageForm,
    ThemeForm,
)
from app.reviews.models import Review, ReviewStatus, VisitMode


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.route("/", endpoint="dashboard")
@login_required
def dashboard() -> str:
    me = _me()
    page = queries.list_reviews(me, page_args())
    roles = queries.roles_of(me, [r.id for r in page.items])
    return render_template(
        "reviews/dashboard.html",
        reviews=page.items,
        roles=roles,
        next_url=next_page_url(page.next_cursor),
    )


@bp.route("/reviews/<uuid:review_id>", endpoint="review")
@login_required
def review(review_id: uuid.UUID) -> str:
    me = _me()
    item = queries.get_visible_review_or_404(me, review_id)
    role = queries.role_in(me, item.id)
    workspaces = (
        queries.list_workspaces(me, item, {"limit": 200, "cursor": None}).items
        if role is not None
        else []
    )
    parties = queries.party_organisations(item)
    inspecting = [o for p, o in parties if p.side is Side.INSPECTING]
    members = (
        queries.members_with_people(item)
        if permissions.can_view_members(me, role)
        else None
    )
    stage_form = None
    if permissions.can_steer(me, role) and not item.is_closed:
        stage_form = StageForm()
        stage_form.set_choices(later_stages(item))
    return render_template(
        "reviews/review.html",
        review=item,
        role=role,
        inspecting=inspecting,
        workspaces=workspaces,
        members=members,
        can_manage=bool(permissions.manageable_roles(me, role)),
        stage_form=stage_form,
        retention_form=_retention_form(me, role, item),
        retention_days=services.retention_days_of(item),
        notes=notes_panel(me, item, SubjectType.REVIEW, item.id),
        timeline=drafts_timeline(me, item),
        may_read_audit=may_view_review_trail(me, item),
        may_export=has_capability(role, Capability.EXPORT_REVIEW)
        or has_capability(role, Capability.EXPORT_OWN_WORKSPACE),
    )


def later_stages(review: Review) -> list[str]:
    """The stages a lead officer may move ``review`` to: any later one that
    is set by hand (published comes with the agreed publication)."""
    now = services.STAGE_ORDER.index(review.status)
    return [
        stage.value
        for stage in services.STAGE_ORDER[now + 1 :]
        if stage in services.SETTABLE_STAGES
    ]


def _retention_form(
    me: User, role: Role | None, review: Review
) -> RetentionForm | None:
    if not permissions.can_steer(me, role):
        return None
    form = RetentionForm(
        formdata=None,
        retention_days=services.retention_days_of(review),
        legal_hold=review.legal_hold,
    )
    return form


@bp.route("/reviews/<uuid:review_id>/retention", methods=["POST"], endpoint="retention")
@login_required
def retention(review_id: uuid.UUID) -> str | Response:
    me = _me()
    item = queries.get_visible_review_or_404(me, review_id)
    permissions.require_may_steer(me, queries.role_in(me, item.id))
    form = RetentionForm()
    if form.validate_on_submit():
        services.update_review(
            me,
            item,
            {
                "retention_days": form.retention_days.data,
                "legal_hold": bool(form.legal_hold.data),
            },
        )
        flash(_("The review's retention was saved."), "success")
    else:
        for message in form.retention_days.errors:
            flash(str(message), "error")
    return redirect(url_for("reviews.review", review_id=item.id) + "#retention")


@bp.route("/reviews/<uuid:review_id>/stage", methods=["POST"], endpoint="stage")
@login_required
def stage(review_id: uuid.UUID) -> str | Response:
    me = _me()
    item = queries.get_visible_review_or_404(me, review_id)
    role = queries.role_in(me, item.id)
    permissions.require_may_steer(me, role)
    form = StageForm()
    form.set_choices(later_stages(item))
    if form.validate_on_submit():
        services.update_review(me, item, {"status": ReviewStatus(form.status.data)})
        flash(_("The review's stage was changed."), "success")
    else:
        for message in form.status.errors:
            flash(str(message), "error")
    return redirect(url_for("reviews.review", review_id=item.id))


@bp.route(
    "/reviews/<uuid:review_id>/members", methods=["GET", "POST"], endpoint="members"
)
@login_required
def members(review_id: uuid.UUID) -> str | Response:
    me = _me()
    item = queries.get_visible_review_or_404(me, review_id)
    role = queries.role_in(me, item.id)
    grantable = permissions.manageable_roles(me, role)
    if not grantable:
        raise Forbidden(_("You may not manage the members of this review."))
    candidates = queries.member_candidates(me, item)
    form = MemberForm()
    form.set_choices(
        [(str(u.id), f"{u.name} ({u.email})") for u in candidates],
        [r.value for r in Role if r in grantable],
    )
    if form.validate_on_submit():
        try:
            services.set_member(
                me, item, uuid.UUID(form.user_id.data), Role(form.role.data)
            )
        except (ValidationFailed, Forbidden, NotFound) as problem:
            form.user_id.errors = [problem.message]
        else:
            flash(_("The member's role was saved."), "success")
            return redirect(url_for("reviews.members", review_id=item.id))
    return render_template(
        "reviews/members.html",
        review=item,
        form=form,
        members=queries.members_with_people(item),
        remove_form=RemoveMemberForm(),
        me=me,
    )


@bp.route(
    "/reviews/<uuid:review_id>/members/<uuid:user_id>/remove",
    methods=["POST"],
    endpoint="remove_member",
)
@login_required
def remove_member(review_id: uuid.UUID, user_id: uuid.UUID) -> Response:
    me = _me()
    item = queries.get_visible_review_or_404(me, review_id)
    if RemoveMemberForm().validate_on_submit():
        services.remove_member(me, item, user_id)
        flash(_("The member was removed from the review."), "success")
    target = (
        url_for("reviews.members", review_id=item.id)
        if queries.role_in(me, item.id) or me.is_admin
        else url_for("reviews.dashboard")
    )
    return redirect(target)


@bp.app_template_global()
def review_theme_names(review_id: uuid.UUID) -> list[str]:
    """The review's themes, offered wherever a theme is typed (every member
    sees them: the reviewed parties are told what the review looks at)."""
    return queries.theme_names(review_id)


@bp.route(
    "/reviews/<uuid:review_id>/themes", methods=["GET", "POST"], endpoint="themes"
)
@login_required
def themes(review_id: uuid.UUID) -> str | Response:
    """The review's themes; writers add and remove them."""
    from app.reviews.visibility import Viewer

    me = _me()
    item = queries.get_visible_review_or_404(me, review_id)
    viewer = Viewer.of(me, item)
    if not viewer.is_member:
        raise Forbidden(_("Only members of the review see its themes."))
    may_write = viewer.writes and not item.is_closed
    form = ThemeForm()
    form.approach.choices = select_choices(MODE_LABELS.items())
    if request.method == "POST":
        if not may_write:
            raise Forbidden(
                _("Only the review's inspectors and lead officers do this.")
            )
        if form.validate_on_submit():
            try:
                services.create_theme(me, item, _theme_fields(form))
            except (ValidationFailed, Conflict) as problem:
                form.name.errors = [problem.message]
            else:
                flash(_("The theme was added."), "success")
                return redirect(url_for("reviews.themes", review_id=item.id))
    return render_template(
        "reviews/themes.html",
        review=item,
        themes=queries.list_themes(me, item, {"limit": 200, "cursor": None}).items,
        form=form if may_write else None,
        remove_form=RemoveThemeForm(),
        approaches=MODE_LABELS,
    )


def _theme_fields(form: ThemeForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "name_cy": form.name_cy.data or None,
        "period": form.period.data or None,
        "approach": VisitMode(form.approach.data) if form.approach.data else None,
    }


@bp.route(
    "/themes/<uuid:theme_id>/edit", methods=["GET", "POST"], endpoint="edit_theme"
)
@login_required
def edit_theme(theme_id: uuid.UUID) -> str | Response:
    """Rename a theme, or change its period or approach."""
    from app.reviews.visibility import require_writer

    me = _me()
    theme = queries.get_visible_theme_or_404(me, theme_id)
    review = queries.get_visible_review_or_404(me, theme.review_id)
    require_writer(me, review)
    form = EditThemeForm()
    form.approach.choices = select_choices(MODE_LABELS.items())
    if request.method == "GET":
        form.name.data = theme.name
        form.name_cy.data = theme.name_cy or ""
        form.period.data = theme.period or ""
        form.approach.data = theme.approach.value if theme.approach else None
    elif form.validate_on_submit():
        try:
            services.update_theme(me, theme, _theme_fields(form))
        except (ValidationFailed, Conflict) as problem:
            db.session.rollback()
            form.name.errors = [problem.message]
        else:
            flash(_("The theme was changed."), "success")
            return redirect(url_for("reviews.themes", review_id=review.id))
    return render_template(
        "reviews/edit_theme.html", form=form, theme=theme, review=review
    )


@bp.route("/themes/<uuid:theme_id>/remove", methods=["POST"], endpoint="remove_theme")
@login_required
def remove_theme(theme_id: uuid.UUID) -> Response:
    me = _me()
    theme = queries.get_visible_theme_or_404(me, theme_id)
    if RemoveThemeForm().validate_on_submit():
        services.delete_theme(me, theme)
        flash(_("The theme was removed."), "success")
    return redirect(url_for("reviews.themes", review_id=theme.review_id))
