"""Forms on evidence pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from app.core.i18n import _l


class WithdrawForm(FlaskForm):
    submit = SubmitField(_l("Withdraw this evidence"), widget=GovSubmitInput())
