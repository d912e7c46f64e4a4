"""Administration pages. Every write goes through the same services as the API."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.accounts import queries as account_queries
from app.accounts import services as account_services
from app.accounts.models import Locale, OrganisationKind, User
from app.accounts.permissions import require_admin
from app.admin import bp
from app.admin.forms import ActiveForm, OrganisationForm, ReviewForm, UserForm
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.i18n import _, bilingual
from app.core.web import next_page_url, page_args, select_choices
from app.reviews import queries as review_queries
from app.reviews import services as review_services


def _admin() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.before_request
@login_required
def _administrators_only() -> None:
    # The pages exist for everyone signed in; what is in them is for
    # administrators (403, as in the API).
    require_admin(_admin())


def _show_problems(form: object, problem: ValidationFailed | Conflict) -> None:
    fields = problem.fields if isinstance(problem, ValidationFailed) else {}
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [message]
    if not fields:
        first = next(iter(form._fields.values()))  # type: ignore[attr-defined]
        first.errors = [problem.message]


@bp.route("/", endpoint="index")
def index() -> str:
    return render_template("admin/index.html")


@bp.route("/organisations", methods=["GET", "POST"], endpoint="organisations")
def organisations() -> str | Response:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            account_services.create_organisation(
                _admin(),
                slug=form.slug.data or "",
                name=form.name.data or "",
                name_cy=form.name_cy.data or None,
                kind=OrganisationKind(form.kind.data),
            )
        except (ValidationFailed, Conflict) as problem:
            if isinstance(problem, Conflict):
                form.slug.errors = [problem.message]
            else:
                _show_problems(form, problem)
        else:
            flash(_("The organisation was added."), "success")
            return redirect(url_for("admin.organisations"))
    page = account_queries.list_organisations(page_args(200))
    return render_template(
        "admin/organisations.html",
        form=form,
        organisations=page.items,
        next_url=next_page_url(page.next_cursor),
    )


def _organisation_choices() -> list[tuple[str, str]]:
    everything = account_queries.list_organisations({"limit": 200, "cursor": None})
    return [(str(o.id), bilingual(o.name, o.name_cy)) for o in everything.items]


@bp.route("/users", methods=["GET", "POST"], endpoint="users")
def users() -> str | Response:
    form = UserForm()
    form.organisation_id.choices = select_choices(
        [("", _("Choose an organisation")), *_organisation_choices()]
    )
    if form.validate_on_submit():
        try:
            account_services.create_user(
                _admin(),
                email=form.email.data or "",
                name=form.name.data or "",
                organisation_id=uuid.UUID(form.organisation_id.data),
                password=form.password.data or "",
                is_admin=bool(form.is_admin.data),
                locale=Locale(form.locale.data),
            )
        except Conflict as problem:
            form.email.errors = [problem.message]
        except ValidationFailed as problem:
            _show_problems(form, problem)
        else:
            flash(_("The user was added."), "success")
            return redirect(url_for("admin.users"))
    page = account_queries.list_users(page_args(200))
    return render_template(
        "admin/users.html",
        form=form,
        users=page.items,
        organisations=dict(_organisation_choices()),
        active_form=ActiveForm(),
        next_url=next_page_url(page.next_cursor),
    )


@bp.route("/users/<uuid:user_id>/active", methods=["POST"], endpoint="set_active")
def set_active(user_id: uuid.UUID) -> Response:
    user = account_queries.get_user(user_id)
    if user is None:
        raise NotFound()
    if ActiveForm().validate_on_submit():
        account_services.set_active(_admin(), user, active=not user.active)
        flash(
            _("%(name)s can sign in again.", name=user.name)
            if user.active
            else _(
                "%(name)s can no longer sign in; their sessions have ended.",
                name=user.name,
            ),
            "success",
        )
    return redirect(url_for("admin.users"))


@bp.route("/reviews", endpoint="reviews")
def reviews() -> str:
    page = review_queries.list_reviews(_admin(), page_args(200))
    return render_template(
        "admin/reviews.html",
        reviews=page.items,
        next_url=next_page_url(page.next_cursor),
    )


@bp.route("/reviews/new", methods=["GET", "POST"], endpoint="new_review")
def new_review() -> str | Response:
    form = ReviewForm()
    form.inspecting.choices = select_choices(_organisation_choices())
    form.reviewed.choices = select_choices(_organisation_choices())
    if form.validate_on_submit():
        try:
            review = review_services.create_review(
                _admin(),
                title=form.title.data or "",
                title_cy=form.title_cy.data or None,
                inspecting=[uuid.UUID(i) for i in form.inspecting.data or []],
                reviewed=[uuid.UUID(i) for i in form.reviewed.data or []],
            )
        except ValidationFailed as problem:
            _show_problems(form, problem)
        else:
            flash(
                _(
                    "The review was created, with a workspace for each "
                    "organisation under review."
                ),
                "success",
            )
            return redirect(url_for("reviews.members", review_id=review.id))
    return render_template("admin/new_review.html", form=form)
