"""Forms on evidence pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.core.forms import DayField, PlainText
from app.core.forms import strip as _strip
from app.core.i18n import CLASSIFICATION_LABELS, _l
from app.core.web import select_choices
from app.evidence import metadata, services
from app.evidence.models import Classification


class WithdrawForm(FlaskForm):
    submit = SubmitField(_l("Withdraw this evidence"), widget=GovSubmitInput())


class RestoreForm(FlaskForm):
    submit = SubmitField(_l("Restore"), widget=GovSubmitInput())


CLASSIFICATION_CHOICES = {
    Classification.OFFICIAL.value: CLASSIFICATION_LABELS["OFFICIAL"],
    Classification.OFFICIAL_SENSITIVE.value: CLASSIFICATION_LABELS[
        "OFFICIAL-SENSITIVE"
    ],
}


class EffectiveDateField(DayField):
    """When the document was produced: day, month and year, or none."""

    def check(self, value: date) -> date:
        return metadata.check_effective_date(value)


class EditEvidenceForm(FlaskForm):
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Enter a title")),
            Length(
                max=services.TITLE_MAX, message=_l("Titles are at most 500 characters")
            ),
            PlainText(),
        ],
    )
    description = TextAreaField(
        _l("Description (optional)"),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=services.DESCRIPTION_MAX,
                message=_l("Descriptions are at most 20,000 characters"),
            ),
            PlainText(multiline=True),
        ],
    )
    effective_date = EffectiveDateField(
        _l("Date of the document (optional)"),
        description=_l("When it was written or produced, for example 27 3 2026"),
    )
    themes = StringField(
        _l("Themes (optional)"),
        description=_l(
            "Separate themes with commas, for example: Leadership, Safeguarding"
        ),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), PlainText()],
    )
    classification = RadioField(
        _l("Security classification"),
        widget=GovRadioInput(),
        choices=lambda: select_choices(CLASSIFICATION_CHOICES.items()),
        validators=[InputRequired(message=_l("Choose a security classification"))],
    )
    personal_data = BooleanField(
        _l("This document contains personal data"), widget=GovCheckboxInput()
    )
    submit = SubmitField(_l("Save the details"), widget=GovSubmitInput())

    def validate_themes(self, field: Field) -> None:
        try:
            self.theme_list = list(metadata.clean_themes((field.data or "").split(",")))
        except ValueError as bad:
            raise ValidationError(str(bad)) from None

    def changes(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "description": self.description.data or "",
            "effective_date": self.effective_date.data,
            "themes": getattr(self, "theme_list", []),
            "classification": Classification(self.classification.data),
            "personal_data": bool(self.personal_data.data),
        }
