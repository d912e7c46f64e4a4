"""Administration forms. The services check them again: the forms only help."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from app.core.i18n import KIND_LABELS, _l
from app.core.web import select_choices

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter the organisation's name")),
            Length(max=200, message=_l("Names are at most 200 characters")),
        ],
    )
    name_cy = StringField(
        _l("Welsh name (optional)"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=200, message=_l("Names are at most 200 characters")),
        ],
    )
    slug = StringField(
        _l("Short name"),
        description=_l(
            "Lower-case letters, digits and hyphens, for example audit-wales"
        ),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter a short name")),
            Length(min=2, max=64, message=_l("Short names are 2 to 64 characters")),
            Regexp(
                SLUG, message=_l("Use lower-case letters, digits and single hyphens")
            ),
        ],
    )
    kind = SelectField(
        _l("Kind of organisation"),
        widget=GovSelect(),
        choices=lambda: select_choices(KIND_LABELS.items()),
        validators=[InputRequired(message=_l("Choose the kind of organisation"))],
    )
    submit = SubmitField(_l("Add organisation"), widget=GovSubmitInput())


class UserForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter the person's full name")),
            Length(max=200, message=_l("Names are at most 200 characters")),
        ],
    )
    email = StringField(
        _l("E-mail address"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter an e-mail address")),
            Length(max=320, message=_l("E-mail addresses are at most 320 characters")),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l("Enter an e-mail address like name@example.org"),
            ),
        ],
    )
    organisation_id = SelectField(
        _l("Organisation"),
        widget=GovSelect(),
        choices=[],
        validators=[InputRequired(message=_l("Choose the person's organisation"))],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 12 characters; a phrase of unrelated words is best."),
        widget=GovPasswordInput(),
        validators=[InputRequired(message=_l("Enter a password"))],
    )
    locale = RadioField(
        _l("Language"),
        widget=GovRadioInput(),
        choices=lambda: select_choices([("en", "English"), ("cy", "Cymraeg")]),
        default="en",
        validators=[InputRequired(message=_l("Choose a language"))],
    )
    is_admin = BooleanField(_l("System administrator"), widget=GovCheckboxInput())
    submit = SubmitField(_l("Add user"), widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter the review's title")),
            Length(max=500, message=_l("Titles are at most 500 characters")),
        ],
    )
    title_cy = StringField(
        _l("Welsh title (optional)"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=500, message=_l("Titles are at most 500 characters")),
        ],
    )
    inspecting = SelectMultipleField(
        _l("Inspecting organisations"),
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[
            InputRequired(message=_l("Choose at least one inspecting organisation"))
        ],
    )
    reviewed = SelectMultipleField(
        _l("Organisations under review"),
        description=_l("Each gets its own workspace for evidence."),
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[
            InputRequired(message=_l("Choose at least one organisation to review"))
        ],
    )
    submit = SubmitField(_l("Create review"), widget=GovSubmitInput())


class ActiveForm(FlaskForm):
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())
