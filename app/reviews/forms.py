"""Forms for managing a review's members."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired

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
