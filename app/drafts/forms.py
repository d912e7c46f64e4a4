"""Forms of the agreement pages (drafts, versions, comments, decisions, the
factual-accuracy check and the publication). The services check everything
again: these only say what is missing or malformed, field by field."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    FileField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import HiddenInput

from app.core.forms import DayField, PlainText
from app.core.forms import strip as _strip
from app.core.i18n import _l
from app.core.web import select_choices
from app.drafts.models import COMMENT_MAX, NOTE_MAX, QUOTE_MAX, TEXT_MAX, TITLE_MAX

# A kind of draft, as the form offers it and as a table names it.
KIND_CHOICES = {
    "feedback": _l("Feedback to a reviewed party"),
    "report": _l("One body's report"),
    "press_release": _l("Joint press release"),
    "other": _l("Another document"),
}
KIND_LABELS = {
    "feedback": _l("Feedback"),
    "report": _l("Report"),
    "press_release": _l("Press release"),
    "other": _l("Other document"),
}
# The headings of the index's groups, one a kind.
KIND_HEADINGS = {
    "feedback": _l("Feedback to the reviewed parties"),
    "report": _l("Reports"),
    "press_release": _l("Press releases"),
    "other": _l("Other documents"),
}
STATUS_LABELS = {
    "drafting": _l("Drafting"),
    "agreed": _l("Agreed"),
    "issued": _l("Issued"),
    "published": _l("Published"),
}
DECISION_CHOICES = {
    "approve": _l("Approve"),
    "no_objection": _l("No objection"),
    "changes_requested": _l("Changes requested"),
}
# A body's decision inside a sentence or a table cell.
DECISION_LABELS = {
    "approve": _l("Approved"),
    "no_objection": _l("No objection"),
    "changes_requested": _l("Changes requested"),
}
PUBLICATION_STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "agreed": _l("Agreed"),
    "published": _l("Published"),
}


def _text(label: str, *, maximum: int, message: str, hint: str | None = None) -> Any:
    return TextAreaField(
        label,
        description=hint or "",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=maximum, message=message),
            PlainText(multiline=True),
        ],
    )


class NewDraftForm(FlaskForm):
    kind = RadioField(
        _l("What kind of draft is it?"),
        description=_l(
            "Feedback goes to one reviewed party once every body approves it; "
            "a report is one body's own; a press release is every body's."
        ),
        widget=GovRadioInput(),
        choices=lambda: select_choices(KIND_CHOICES.items()),
        validators=[InputRequired(message=_l("Choose the kind of draft"))],
    )
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter a title")),
            Length(max=TITLE_MAX, message=_l("Titles are at most 500 characters")),
            PlainText(),
        ],
    )
    title_cy = StringField(
        _l("Welsh title (optional)"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=TITLE_MAX, message=_l("Titles are at most 500 characters")),
            PlainText(),
        ],
    )
    workspace_id = SelectField(
        _l("Reviewed party it goes to"),
        description=_l("Needed for feedback, and used only for feedback."),
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
    )
    scope = RadioField(
        _l("Who sees it (optional)"),
        description=_l(
            "Without a choice, a report is seen by your body only until you "
            "share it, and every other kind is shared with the inspecting "
            "bodies. A shared draft is never unshared."
        ),
        widget=GovRadioInput(),
        choices=[],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Start the draft"), widget=GovSubmitInput())


class VersionForm(FlaskForm):
    """A version: its text (Markdown), Welsh text and note, and/or a
    document. Sent as multipart/form-data, the token first: see the route."""

    text = _text(
        _l("Text (optional if you choose a document)"),
        maximum=TEXT_MAX,
        message=_l("The text is at most 200,000 characters"),
        hint=_l(
            "Markdown: a line starting with # is a heading, * starts a list item, "
            "**bold**. Evidence references such as ERW-014 become links."
        ),
    )
    text_cy = _text(
        _l("Welsh text (optional)"),
        maximum=TEXT_MAX,
        message=_l("The Welsh text is at most 200,000 characters"),
    )
    note = _text(
        _l("Note on this version (optional)"),
        maximum=NOTE_MAX,
        message=_l("The note is at most 2,000 characters"),
        hint=_l("What changed, for the other bodies."),
    )
    file = FileField(
        _l("Document (optional)"),
        widget=GovFileInput(),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Add the version"), widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Your body's decision"),
        description=_l(
            "A report is agreed when its own body approves and every other body "
            "approves or has no objection; anything else when every body "
            "approves. Changes requested by any body hold it back."
        ),
        widget=GovRadioInput(),
        choices=lambda: select_choices(DECISION_CHOICES.items()),
        validators=[InputRequired(message=_l("Choose your body's decision"))],
    )
    comment = _text(
        _l("Comment (optional)"),
        maximum=NOTE_MAX,
        message=_l("The comment is at most 2,000 characters"),
    )
    # The version decided on: a newer one since the page was opened is 409.
    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1)]
    )
    submit = SubmitField(_l("Record the decision"), widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A form that is one button: its CSRF token is all it carries."""


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Comment"),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the comment")),
            Length(
                max=COMMENT_MAX, message=_l("A comment is at most 20,000 characters")
            ),
            PlainText(multiline=True),
        ],
    )
    quote = _text(
        _l("The passage it is about (optional)"),
        maximum=QUOTE_MAX,
        message=_l("The passage is at most 2,000 characters"),
        hint=_l("Copy the words from the text."),
    )
    on_version = SelectField(
        _l("Version it is about"),
        widget=GovSelect(),
        choices=[],
        validators=[InputRequired(message=_l("Choose the version"))],
    )
    submit = SubmitField(_l("Add the comment"), widget=GovSubmitInput())


class ResolveForm(FlaskForm):
    resolved = HiddenField(validators=[DataRequired(), AnyOf(["1", "0"])])


class AccuracyForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment on its factual accuracy"),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the comment")),
            Length(
                max=COMMENT_MAX, message=_l("A comment is at most 20,000 characters")
            ),
            PlainText(multiline=True),
        ],
    )
    quote = _text(
        _l("The passage it is about (optional)"),
        maximum=QUOTE_MAX,
        message=_l("The passage is at most 2,000 characters"),
    )
    submit = SubmitField(_l("Send the comment"), widget=GovSubmitInput())


class PublicationDay(DayField):
    incomplete = _l("Enter the day as a day, a month and a year")
    not_a_date = _l("Enter a real date, for example 1 6 2027")
    years = range(2000, 3000)


class PublicationForm(FlaskForm):
    day = PublicationDay(
        _l("Day of publication"),
        description=_l("For example, 1 6 2027"),
        validators=[DataRequired(message=_l("Enter the day of publication"))],
    )
    time = StringField(
        _l("Time, Wales time (24-hour clock)"),
        description=_l("For example, 00:01: one minute past midnight."),
        default="00:01",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[DataRequired(message=_l("Enter the time, for example 00:01"))],
    )
    drafts = SelectMultipleField(
        _l("What is published"),
        description=_l(
            "Only drafts every body has agreed are offered. Feedback is issued "
            "to its reviewed party, never published."
        ),
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[InputRequired(message=_l("Choose at least one draft"))],
    )
    submit = SubmitField(_l("Propose the publication"), widget=GovSubmitInput())
