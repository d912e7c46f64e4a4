"""Forms for managing a review's members."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from app.core.forms import PlainText, strip
from app.core.i18n import ROLE_LABELS, STATUS_LABELS, _l
from app.core.web import select_choices


class MemberForm(FlaskForm):
    user_id = SelectField(
        _l("Person"),
        widget=GovSelect(),
        validators=[InputRequired(message=_l("Choose a person"))],
        choices=[],
    )
    role = SelectField(
        _l("Role"),
        widget=GovSelect(),
        validators=[InputRequired(message=_l("Choose a role"))],
        choices=[],
    )
    submit = SubmitField(_l("Save role"), widget=GovSubmitInput())

    def set_choices(self, people: list[tuple[str, str]], roles: list[str]) -> None:
        self.user_id.choices = select_choices([("", _l("Choose a person")), *people])
        self.role.choices = select_choices(
            [("", _l("Choose a role")), *((r, ROLE_LABELS[r]) for r in roles)]
        )


class RemoveMemberForm(FlaskForm):
    submit = SubmitField(_l("Remove"), widget=GovSubmitInput())


class StageForm(FlaskForm):
    """Move a review to a later stage (lead officers, administrators)."""

    status = SelectField(
        _l("Move the review to"),
        widget=GovSelect(),
        validators=[InputRequired(message=_l("Choose a stage"))],
        choices=[],
    )
    submit = SubmitField(_l("Change stage"), widget=GovSubmitInput())

    def set_choices(self, stages: list[str]) -> None:
        self.status.choices = select_choices(
            [("", _l("Choose a stage")), *((s, STATUS_LABELS[s]) for s in stages)]
        )


class RetentionForm(FlaskForm):
    """How long a closed review's files are kept, and a legal hold (lead
    officers, administrators; a closed review takes these changes too)."""

    retention_days = IntegerField(
        _l("Days to keep the files after the review closes"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter a number of days, 0 or more")),
            NumberRange(
                min=0,
                max=36525,
                message=_l("Enter a number of days from 0 to 36525"),
            ),
        ],
    )
    legal_hold = BooleanField(
        _l("Legal hold: delete nothing"), widget=GovCheckboxInput()
    )
    submit = SubmitField(_l("Save retention"), widget=GovSubmitInput())


class ThemeForm(FlaskForm):
    name = StringField(
        _l("Theme"),
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the theme")),
            Length(max=200, message=_l("Themes are at most 200 characters")),
            PlainText(),
        ],
    )
    name_cy = StringField(
        _l("Theme in Welsh (optional)"),
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Length(max=200), PlainText()],
    )
    period = StringField(
        _l("Period (optional)"),
        description=_l("For example, Spring 2022"),
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Length(max=100), PlainText()],
    )
    approach = RadioField(
        _l("Approach (optional)"),
        widget=GovRadioInput(),
        choices=[],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Add the theme"), widget=GovSubmitInput())


class EditThemeForm(ThemeForm):
    submit = SubmitField(_l("Save the theme"), widget=GovSubmitInput())


class RemoveThemeForm(FlaskForm):
    submit = SubmitField(_l("Remove"), widget=GovSubmitInput())
