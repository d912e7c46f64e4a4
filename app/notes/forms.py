"""Forms of the notes panel and pages. The services check everything again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import PlainText
from app.core.forms import strip as _strip
from app.core.i18n import _l
from app.notes.models import BODY_MAX

MARKDOWN_HINT = _l(
    "You can use Markdown: **bold**, _italic_, lists starting with -, and "
    "links written [text](https://...). Evidence references such as ERW-014 "
    "become links for the readers who may open the item."
)


class EditNoteForm(FlaskForm):
    body = TextAreaField(
        _l("Note"),
        description=MARKDOWN_HINT,
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the note")),
            Length(max=BODY_MAX, message=_l("Notes are at most 20,000 characters")),
            PlainText(multiline=True),
        ],
    )
    submit = SubmitField(_l("Save note"), widget=GovSubmitInput())


class NoteForm(EditNoteForm):
    """A new note, or a reply (``reply_to``): the panel's and its own page's."""

    subject_type = HiddenField()
    subject_id = HiddenField()
    reply_to = HiddenField()
    scope = RadioField(
        _l("Who can read it"),
        description=_l(
            "A note is never seen more widely than what it is about. "
            "Without a choice, it is joint."
        ),
        widget=GovRadioInput(),
        choices=[],
        validators=[Optional()],
    )
    mentions = SelectMultipleField(
        _l("Tell people about it (optional)"),
        description=_l("They are notified, in the portal and by e-mail."),
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Add note"), widget=GovSubmitInput())


class DeleteNoteForm(FlaskForm):
    submit = SubmitField(_l("Delete note"), widget=GovSubmitInput())
