"""Pieces shared by the pages' forms (Flask-WTF with GOV.UK widgets)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.validators import ValidationError

from app.core.api import check_text
from app.core.i18n import _, _l


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


class DayField(Field):
    """A date typed as day, month and year (GOV.UK's date input); all three
    empty is no date. Subclasses word the messages for their date, narrow
    the years, and may check the date further (``check`` raises ValueError
    with the message to show)."""

    widget = DayInput()
    incomplete: Any = _l("Enter the date as a day, a month and a year")
    not_a_date: Any = _l("The date must be a real date, for example 27 3 2026")
    years = range(1, 10000)

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(v).strip() for v in valuelist]
        self.data = None
        if not any(parts):
            return
        if len(parts) != 3 or not all(parts):
            raise ValueError(self.incomplete)
        try:
            day, month, year = (int(p) for p in parts)
            if year not in self.years:
                raise ValueError(year)
            value = date(year, month, day)
        except ValueError:
            raise ValueError(self.not_a_date) from None
        self.data = self.check(value)

    def check(self, value: date) -> date:
        return value

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date) else ""
