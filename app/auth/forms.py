"""The sign-in form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.core.i18n import _l


class SignInForm(FlaskForm):
    email = StringField(
        _l("E-mail address"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter your e-mail address")),
            Length(max=320, message=_l("E-mail addresses are at most 320 characters")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message=_l("Enter your password")),
            Length(max=1000, message=_l("Passwords are at most 1000 characters")),
        ],
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())
