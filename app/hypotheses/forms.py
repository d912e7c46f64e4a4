"""Forms of the hypotheses pages. The services check everything again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import PlainText
from app.core.forms import strip as _strip
from app.core.i18n import _l
from app.hypotheses.models import REASON_MAX, STATEMENT_MAX, THEME_MAX

STATUS_LABELS = {
    "emerging": _l("Emerging"),
    "supported": _l("Supported"),
    "partly_supported": _l("Partly supported"),
    "not_supported": _l("Not supported"),
    "set_aside": _l("Set aside"),
}


def _statement(label: str, required: bool) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the statement")) if required else Optional(),
            Length(max=STATEMENT_MAX, message=_l("At most 2,000 characters")),
            PlainText(multiline=True),
        ],
    )


class HypothesisForm(FlaskForm):
    statement = _statement(_l("Statement"), True)
    statement_cy = _statement(_l("Statement in Welsh (optional)"), False)
    theme = StringField(
        _l("Theme (optional)"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=THEME_MAX, message=_l("Themes are at most 200 characters")),
            PlainText(),
        ],
    )
    workspace_id = SelectField(
        _l("About one reviewed party (optional)"),
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
    )
    scope = RadioField(
        _l("Who can read it"),
        widget=GovRadioInput(),
        choices=[],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Add the hypothesis"), widget=GovSubmitInput())


class ChangeForm(FlaskForm):
    statement = _statement(_l("Statement"), True)
    statement_cy = _statement(_l("Statement in Welsh (optional)"), False)
    theme = StringField(
        _l("Theme (optional)"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=THEME_MAX), PlainText()],
    )
    status = RadioField(
        _l("Status"),
        widget=GovRadioInput(),
        choices=[],
        validators=[DataRequired(message=_l("Choose a status"))],
    )
    reason = TextAreaField(
        _l("Why the status changes"),
        description=_l("Needed when the status changes; kept in the history."),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[Optional(), Length(max=REASON_MAX), PlainText(multiline=True)],
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


class EvidenceForm(FlaskForm):
    references = TextAreaField(
        _l("Evidence references"),
        description=_l(
            "The references of the evidence behind it, such as ERW-014, "
            "separated by commas or on lines of their own."
        ),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[Optional(), Length(max=20_000), PlainText(multiline=True)],
    )
    submit = SubmitField(_l("Save the evidence"), widget=GovSubmitInput())
