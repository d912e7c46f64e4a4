"""Forms on the request pages. The services check everything again."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from app.core.forms import DayField, PlainText
from app.core.forms import strip as _strip
from app.core.i18n import _, _l
from app.core.web import select_choices
from app.intake import services


class DueDateField(DayField):
    incomplete = _l("Enter the due date as a day, a month and a year")
    not_a_date = _l("The due date must be a real date, for example 18 12 2026")
    years = range(2000, 3000)


class NewRequestForm(FlaskForm):
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter a title for the request")),
            Length(
                max=services.TITLE_MAX, message=_l("Titles are at most 500 characters")
            ),
            PlainText(),
        ],
    )
    title_cy = StringField(
        _l("Welsh title (optional)"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=services.TITLE_MAX, message=_l("Titles are at most 500 characters")
            ),
            PlainText(),
        ],
    )
    description = TextAreaField(
        _l("Description (optional)"),
        description=_l("What is wanted, and anything that helps to find it."),
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
    theme = StringField(
        _l("Theme (optional)"),
        description=_l("For example, Leadership and management."),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=services.THEME_MAX, message=_l("Themes are at most 200 characters")
            ),
            PlainText(),
        ],
    )
    due_date = DueDateField(
        _l("Due date (optional)"),
        description=_l("For example, 18 12 2026"),
    )
    submit = SubmitField(_l("Make the request"), widget=GovSubmitInput())

    def fields_for_service(self) -> dict[str, Any]:
        return {
            "title": self.title.data or "",
            "title_cy": self.title_cy.data or None,
            "description": self.description.data or "",
            "theme": self.theme.data or None,
            "due_date": self.due_date.data,
        }


class EveryWorkspaceForm(NewRequestForm):
    submit = SubmitField(_l("Send to every workspace"), widget=GovSubmitInput())


# The decisions of the request page's form (withdrawing has its own page).
DECISION_CHOICES = {
    services.Decision.ACCEPT.value: _l("Accept the evidence"),
    services.Decision.RETURN.value: _l("Return it, with a reason"),
}


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        widget=GovRadioInput(),
        choices=lambda: select_choices(DECISION_CHOICES.items()),
        validators=[InputRequired(message=_l("Choose to accept or to return"))],
    )
    reason = TextAreaField(
        _l("Reason for returning it"),
        description=_l(
            "Needed only to return it. Say what is missing or wrong, so that it "
            "can be put right: the party under review sees this."
        ),
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            Length(
                max=services.REASON_MAX,
                message=_l("Reasons are at most 5,000 characters"),
            ),
            PlainText(multiline=True),
        ],
    )
    submit = SubmitField(_l("Save the decision"), widget=GovSubmitInput())

    def validate_reason(self, field: Field) -> None:
        if self.decision.data == services.Decision.RETURN.value and not field.data:
            raise ValidationError(
                _("Say why the evidence is returned, so it can be put right.")
            )


class WithdrawRequestForm(FlaskForm):
    submit = SubmitField(_l("Withdraw the request"), widget=GovSubmitInput())


class AssignForm(FlaskForm):
    user_ids = SelectMultipleField(
        _l("Who answers this request"),
        description=_l("Members of the review from the organisation under review."),
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,  # the service checks who may be given it
    )
    submit = SubmitField(_l("Save who answers it"), widget=GovSubmitInput())
