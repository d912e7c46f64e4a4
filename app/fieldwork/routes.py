"""Pages: a review's timetable (by day, per workspace), its visits, a session,
the forms to plan them, and each user's calendar feed (subscribe, reset)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.models import User
from app.core.db import db
from app.core.errors import Forbidden, ValidationFailed
from app.core.forms import DayField, PlainText
from app.core.forms import strip as _strip
from app.core.i18n import MODE_LABELS, _, _l
from app.core.web import csrf, select_choices
from app.fieldwork import bp, calendar, queries, services
from app.fieldwork.models import LOCATION_MAX, TITLE_MAX, Session, SessionKind, Visit
from app.fieldwork.queries import WALES
from app.notes.models import SubjectType
from app.notes.routes import panel as notes_panel
from app.reviews import queries as review_queries
from app.reviews.models import Membership, Review, VisitMode, Workspace
from app.reviews.visibility import Scope, Viewer

KIND_LABELS = {
    "interview": _l("Interview"),
    "team_meeting": _l("Team meeting"),
    "feedback": _l("Feedback session"),
    "engagement": _l("Engagement session"),
    "observation": _l("Observation"),
    "other": _l("Other"),
}


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


class VisitDay(DayField):
    incomplete = _l("Enter the day as a day, a month and a year")
    not_a_date = _l("Enter a real date, for example 1 3 2027")
    years = range(2000, 3000)


class VisitDetailsForm(FlaskForm):
    """A visit's days, mode and title (its reviewed party is fixed once
    planned: cancel and plan again to move it)."""

    starts_on = VisitDay(
        _l("First day"),
        description=_l("For example, 1 3 2027"),
        validators=[DataRequired(message=_l("Enter the first day"))],
    )
    ends_on = VisitDay(
        _l("Last day"),
        description=_l("For example, 4 3 2027"),
        validators=[DataRequired(message=_l("Enter the last day"))],
    )
    mode = RadioField(
        _l("How it is held"),
        widget=GovRadioInput(),
        choices=lambda: select_choices(MODE_LABELS.items()),
        validators=[InputRequired(message=_l("Choose how it is held"))],
    )
    title = StringField(
        _l("Title (optional)"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=TITLE_MAX), PlainText()],
    )
    submit = SubmitField(_l("Save the visit"), widget=GovSubmitInput())


class VisitForm(VisitDetailsForm):
    workspace_id = SelectField(
        _l("Reviewed party"),
        widget=GovSelect(),
        choices=[],
        validators=[InputRequired(message=_l("Choose the reviewed party"))],
    )
    submit = SubmitField(_l("Plan the visit"), widget=GovSubmitInput())


class SessionForm(FlaskForm):
    kind = RadioField(
        _l("Kind of session"),
        widget=GovRadioInput(),
        choices=lambda: select_choices(KIND_LABELS.items()),
        validators=[InputRequired(message=_l("Choose the kind of session"))],
    )
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter a title")),
            Length(max=TITLE_MAX),
            PlainText(),
        ],
    )
    day = SelectField(
        _l("Day"), widget=GovSelect(), choices=[], validators=[InputRequired()]
    )
    starts = StringField(
        _l("Starts (24-hour clock)"),
        description=_l("For example, 09:30"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter when it starts, for example 09:30"))
        ],
    )
    ends = StringField(
        _l("Ends (24-hour clock)"),
        description=_l("For example, 10:30"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[DataRequired(message=_l("Enter when it ends, for example 10:30"))],
    )
    location = StringField(
        _l("Where (optional)"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=LOCATION_MAX), PlainText()],
    )
    mode = RadioField(
        _l("How it is held"),
        widget=GovRadioInput(),
        choices=lambda: select_choices([("", _("As the visit")), *MODE_LABELS.items()]),
        default="",
        validators=[Optional()],
    )
    attendees = TextAreaField(
        _l("Who attends (optional)"),
        description=_l("One person a line: a name, then a comma and their role."),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[Optional(), Length(max=10_000), PlainText(multiline=True)],
    )
    themes = SelectMultipleField(
        _l("Themes (optional)"),
        description=_l("The review's lines of enquiry this session looks at."),
        widget=GovCheckboxesInput(),
        choices=[],
    )
    submit = SubmitField(_l("Add the session"), widget=GovSubmitInput())


class EditSessionForm(SessionForm):
    submit = SubmitField(_l("Save the session"), widget=GovSubmitInput())


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Cancel it"), widget=GovSubmitInput())


class ResetCalendarForm(FlaskForm):
    submit = SubmitField(_l("Make a new address"), widget=GovSubmitInput())


def _member(me: User, review: Review) -> Viewer:
    viewer = Viewer.of(me, review)
    if not viewer.is_member:
        if me.is_admin:
            raise Forbidden(_("Only members of the review see its fieldwork."))
        abort(404)
    return viewer


def _workspace_names(review: Review) -> dict[uuid.UUID, Workspace]:
    return {
        w.id: w
        for w in db.session.scalars(
            sa.select(Workspace).where(Workspace.review_id == review.id)
        )
    }


@bp.route("/reviews/<uuid:review_id>/timetable", endpoint="timetable")
@login_required
def timetable(review_id: uuid.UUID) -> str:
    """Every session the reader may see, by day, then by workspace."""
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    viewer = _member(me, review)
    visits = queries.list_visits(me, review, {"limit": 200, "cursor": None}).items
    page = queries.list_sessions(
        me, review, {"limit": 200, "cursor": request.args.get("cursor")}
    )
    days: dict[date, list[Session]] = defaultdict(list)
    for session in page.items:
        days[session.starts_at.astimezone(WALES).date()].append(session)
    return render_template(
        "fieldwork/timetable.html",
        review=review,
        cancel_form=CancelForm(),
        visits=visits,
        days=sorted(days.items()),
        workspaces=_workspace_names(review),
        may_write=viewer.writes and not review.is_closed,
        modes=MODE_LABELS,
        kinds=KIND_LABELS,
        next_cursor=page.next_cursor,
        WALES=WALES,
    )


@bp.route(
    "/reviews/<uuid:review_id>/visits/new",
    methods=["GET", "POST"],
    endpoint="new_visit",
)
@login_required
def new_visit(review_id: uuid.UUID) -> str | Response:
    me = _me()
    review = review_queries.get_visible_review_or_404(me, review_id)
    viewer = _member(me, review)
    if not viewer.writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    form = VisitForm()
    form.workspace_id.choices = select_choices(
        [("", _("Choose the reviewed party"))]
        + [(str(w.id), w.name) for w in _workspace_names(review).values()]
    )
    if form.validate_on_submit():
        try:
            services.create_visit(
                me,
                review,
                {
                    "workspace_id": uuid.UUID(form.workspace_id.data),
                    "starts_on": form.starts_on.data,
                    "ends_on": form.ends_on.data,
                    "mode": VisitMode(form.mode.data),
                    "title": form.title.data or None,
                },
            )
        except ValidationFailed as problem:
            for name, message in problem.fields.items():
                getattr(form, name, form.title).errors = [message]
        else:
            flash(_("The visit was planned."), "success")
            return redirect(url_for("fieldwork.timetable", review_id=review.id))
    return render_template("fieldwork/new_visit.html", form=form, review=review)


def _clock(value: str, field: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValidationFailed.field(field, _("Enter a time such as 09:30.")) from None


def _visit_days(visit: Visit) -> list[date]:
    return [
        visit.starts_on + timedelta(days=n)
        for n in range((visit.ends_on - visit.starts_on).days + 1)
    ]


def _prepare_session_form(
    form: SessionForm, visit: Visit, review: Review, item: Session | None = None
) -> None:
    """The visit's days and the review's themes as the form's choices (a
    session's own themes stay offered even if the review no longer has
    them, so saving it never drops one unasked)."""
    days = _visit_days(visit)
    if item is not None:
        # A session left outside its visit's days (never by this portal)
        # still shows where it is.
        day = item.starts_at.astimezone(WALES).date()
        if day not in days:
            days.insert(0, day)
    form.day.choices = select_choices([(d.isoformat(), d.isoformat()) for d in days])
    themes = review_queries.theme_names(review.id)
    extra = [t for t in (item.themes if item else []) if t not in themes]
    form.themes.choices = select_choices([(t, t) for t in [*themes, *extra]])


def _fill_session_form(form: SessionForm, item: Session) -> None:
    """A GET of the edit page: the session as it stands."""
    form.kind.data = item.kind.value
    form.title.data = item.title
    form.day.data = item.starts_at.astimezone(WALES).date().isoformat()
    form.starts.data = item.starts_at.astimezone(WALES).strftime("%H:%M")
    form.ends.data = item.ends_at.astimezone(WALES).strftime("%H:%M")
    form.location.data = item.location or ""
    form.mode.data = item.mode.value if item.mode else ""
    form.attendees.data = "\n".join(
        f"{a['name']}, {a['role']}" if a.get("role") else a["name"]
        for a in item.attendees
    )
    form.themes.data = list(item.themes)


def _session_fields(form: SessionForm, item: Session | None = None) -> dict[str, Any]:
    """The service's fields from the form. Attendees typed as lines keep
    the member each was linked to (by the API) while their name is kept."""
    day = date.fromisoformat(form.day.data)
    linked = {
        a["name"]: uuid.UUID(a["user_id"])
        for a in (item.attendees if item else [])
        if a.get("user_id")
        and db.session.get(Membership, (item.review_id, uuid.UUID(a["user_id"])))
    }
    attendees = []
    for line in (form.attendees.data or "").splitlines():
        if line.strip():
            name, _comma, role = line.partition(",")
            name = name.strip()
            attendees.append(
                {
                    "name": name,
                    "role": role.strip() or None,
                    "user_id": linked.get(name),
                }
            )
    fields: dict[str, Any] = {
        "kind": SessionKind(form.kind.data),
        "title": form.title.data,
        "starts_at": datetime.combine(day, _clock(form.starts.data, "starts"), WALES),
        "ends_at": datetime.combine(day, _clock(form.ends.data, "ends"), WALES),
        "mode": VisitMode(form.mode.data) if form.mode.data else None,
        "location": form.location.data or None,
        "attendees": attendees,
        "themes": list(form.themes.data or []),
    }
    # A new kind takes its own default audience (a team meeting the
    # inspectors', the rest the visited party's too), unless the session was
    # kept to one body.
    if (
        item is not None
        and fields["kind"] is not item.kind
        and item.scope is not Scope.BODY
    ):
        fields["scope"] = (
            Scope.JOINT
            if fields["kind"] is SessionKind.TEAM_MEETING
            else Scope.WORKSPACE
        )
    return fields


def _session_errors(form: SessionForm, problem: ValidationFailed) -> None:
    names = {"starts_at": "starts", "ends_at": "ends", "scope": "kind"}
    for name, message in problem.fields.items():
        getattr(form, names.get(name, name), form.title).errors = [message]


def _writable_visit(me: User, visit_id: uuid.UUID) -> tuple[Visit, Review]:
    visit = queries.get_visible_visit_or_404(me, visit_id)
    review = db.session.get(Review, visit.review_id)
    assert review is not None
    if not Viewer.of(me, review).writes:
        raise Forbidden(_("Only the review's inspectors and lead officers do this."))
    return visit, review


@bp.route(
    "/visits/<uuid:visit_id>/edit", methods=["GET", "POST"], endpoint="edit_visit"
)
@login_required
def edit_visit(visit_id: uuid.UUID) -> str | Response:
    """Move a visit's days, or change how it is held or its title."""
    me = _me()
    visit, review = _writable_visit(me, visit_id)
    form = VisitDetailsForm()
    if request.method == "GET":
        form.starts_on.data = visit.starts_on
        form.ends_on.data = visit.ends_on
        form.mode.data = visit.mode.value
        form.title.data = visit.title or ""
    elif form.validate_on_submit():
        try:
            services.update_visit(
                me,
                visit,
                {
                    "starts_on": form.starts_on.data,
                    "ends_on": form.ends_on.data,
                    "mode": VisitMode(form.mode.data),
                    "title": form.title.data or None,
                },
            )
        except ValidationFailed as problem:
            db.session.rollback()
            for name, message in problem.fields.items():
                getattr(form, name, form.title).errors = [message]
        else:
            flash(_("The visit was changed."), "success")
            return redirect(url_for("fieldwork.timetable", review_id=review.id))
    return render_template(
        "fieldwork/edit_visit.html",
        form=form,
        visit=visit,
        review=review,
        workspace=db.session.get(Workspace, visit.workspace_id),
    )


@bp.route(
    "/visits/<uuid:visit_id>/sessions/new",
    methods=["GET", "POST"],
    endpoint="new_session",
)
@login_required
def new_session(visit_id: uuid.UUID) -> str | Response:
    me = _me()
    visit, review = _writable_visit(me, visit_id)
    form = SessionForm()
    _prepare_session_form(form, visit, review)
    if form.validate_on_submit():
        try:
            session = services.create_session(me, visit, _session_fields(form))
        except ValidationFailed as problem:
            _session_errors(form, problem)
        else:
            flash(_("The session was added."), "success")
            return redirect(url_for("fieldwork.session", session_id=session.id))
    return render_template(
        "fieldwork/new_session.html", form=form, visit=visit, review=review
    )


@bp.route(
    "/sessions/<uuid:session_id>/edit",
    methods=["GET", "POST"],
    endpoint="edit_session",
)
@login_required
def edit_session(session_id: uuid.UUID) -> str | Response:
    """Change a session: its time, kind, attendees, mode or themes."""
    me = _me()
    item = queries.get_visible_session_or_404(me, session_id)
    visit, review = _writable_visit(me, item.visit_id)
    form = EditSessionForm()
    _prepare_session_form(form, visit, review, item)
    if request.method == "GET":
        _fill_session_form(form, item)
    elif form.validate_on_submit():
        try:
            services.update_session(me, item, _session_fields(form, item))
        except ValidationFailed as problem:
            db.session.rollback()
            _session_errors(form, problem)
        else:
            flash(_("The session was changed."), "success")
            return redirect(url_for("fieldwork.session", session_id=item.id))
    return render_template(
        "fieldwork/new_session.html",
        form=form,
        visit=visit,
        review=review,
        item=item,
    )


@bp.route("/sessions/<uuid:session_id>", endpoint="session")
@login_required
def session(session_id: uuid.UUID) -> str:
    me = _me()
    item = queries.get_visible_session_or_404(me, session_id)
    review = db.session.get(Review, item.review_id)
    assert review is not None
    viewer = Viewer.of(me, review)
    return render_template(
        "fieldwork/session.html",
        item=item,
        review=review,
        cancel_form=CancelForm() if viewer.writes and not review.is_closed else None,
        workspace=db.session.get(Workspace, item.workspace_id),
        kinds=KIND_LABELS,
        modes=MODE_LABELS,
        WALES=WALES,
        notes=notes_panel(me, review, SubjectType.SESSION, item.id),
    )


@bp.route("/calendar", methods=["GET", "POST"], endpoint="calendar")
@login_required
def my_calendar() -> str | Response:
    """The private address to subscribe to, and a way to change it."""
    me = _me()
    form = ResetCalendarForm()
    if form.validate_on_submit():
        services.calendar_token(me, reset=True)
        flash(
            _("Your calendar has a new address: the old one no longer works."),
            "success",
        )
        return redirect(url_for("fieldwork.calendar"))
    token = services.calendar_token(me)
    return render_template(
        "fieldwork/calendar.html",
        form=form,
        address=url_for("fieldwork.feed", token=token, _external=True),
    )


@bp.route("/calendar/<token>.ics", endpoint="feed")
@csrf.exempt
def feed(token: str) -> Response:
    """The feed at the private address: calendar programs cannot sign in, so
    the address is the key (a 404 for any other)."""
    user = services.user_of_calendar_token(token)
    if user is None:
        abort(404)
    base_url = current_app.extensions["portal_settings"].public_base_url
    response = Response(calendar.feed(user, base_url), mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route(
    "/sessions/<uuid:session_id>/cancel", methods=["POST"], endpoint="cancel_session"
)
@login_required
def cancel_session(session_id: uuid.UUID) -> Response:
    me = _me()
    item = queries.get_visible_session_or_404(me, session_id)
    if CancelForm().validate_on_submit():
        services.delete_session(me, item)
        flash(_("The session was cancelled."), "success")
    return redirect(url_for("fieldwork.timetable", review_id=item.review_id))


@bp.route("/visits/<uuid:visit_id>/cancel", methods=["POST"], endpoint="cancel_visit")
@login_required
def cancel_visit(visit_id: uuid.UUID) -> Response:
    me = _me()
    item = queries.get_visible_visit_or_404(me, visit_id)
    if CancelForm().validate_on_submit():
        services.delete_visit(me, item)
        flash(_("The visit and its sessions were cancelled."), "success")
    return redirect(url_for("fieldwork.timetable", review_id=item.review_id))
