"""Pieces shared by the pages' forms (Flask-WTF with GOV.UK widgets)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.validators import ValidationError

from app.core.api import check_text
from app.core.i18n import _


def strip(value: Any) -> Any:
    """A filter: the text without surrounding white space."""
    return value.strip() if isinstance(value, str) else value


class PlainText:
    """No control characters (nor, on one line, line breaks), as in the API."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form: FlaskForm, field: Field) -> None:
        problem = check_text(field.data or "", multiline=self.multiline)
        if problem:
            raise ValidationError(problem)


class DayInput(GovDateInput):
    """GOV.UK's date input (day, month, year) with its labels translated and
    the boxes kept as typed, even when only some were filled in."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        raw = list(field.raw_data or [])
        if len(raw) != 3:
            raw = (
                field.data.strftime("%d %m %Y").split(" ")
                if isinstance(field.data, date)
                else ["", "", ""]
            )
        saved, field.raw_data = field.raw_data, raw
        try:
            params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        finally:
            field.raw_data = saved
        for item, label in zip(
            params["items"], (_("Day"), _("Month"), _("Year")), strict=True
        ):
            item["label"] = label
            item["inputmode"] = "numeric"
        return params
