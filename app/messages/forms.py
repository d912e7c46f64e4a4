"""Forms of the headline messages pages. The services check everything again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.core.forms import PlainText
from app.core.forms import strip as _strip
from app.core.i18n import _l
from app.messages.models import TEXT_MAX


def _text(label: str, required: bool) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the message")) if required else Optional(),
            Length(max=TEXT_MAX, message=_l("At most 5,000 characters")),
            PlainText(multiline=True),
        ],
    )


def _references(label: str, hint: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        widget=GovTextArea(),
        filters=[_strip],
        validators=[Optional(), Length(max=20_000), PlainText(multiline=True)],
    )


class MessageForm(FlaskForm):
    text = _text(_l("Message"), True)
    text_cy = _text(_l("Message in Welsh (optional)"), False)
    evidence = _references(
        _l("Evidence it rests on (optional)"),
        _l(
            "The references of the evidence, such as ERW-014, separated by "
            "commas or on lines of their own."
        ),
    )
    hypotheses = _references(
        _l("Hypotheses it rests on (optional)"),
        _l(
            "The references of the hypotheses, such as H-001, separated by "
            "commas or on lines of their own."
        ),
    )
    submit = SubmitField(_l("Add the message"), widget=GovSubmitInput())


class ChangeMessageForm(MessageForm):
    submit = SubmitField(_l("Save the message"), widget=GovSubmitInput())


class AgreementForm(FlaskForm):
    """Agree to a message, or withdraw the agreement, for one's own body."""

    action = HiddenField(validators=[DataRequired(), AnyOf(["agree", "withdraw"])])
    next = HiddenField()


class DeleteMessageForm(FlaskForm):
    submit = SubmitField(_l("Delete the message"), widget=GovSubmitInput())
