"""An evidence item's descriptive metadata: effective date, themes, security
classification and the personal-data flag.

One reading of each field for every way it arrives (the API's multipart
upload, the page's upload form, the JSON edit), so the rules and the error
messages are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from app.core.api import check_text
from app.core.errors import ValidationFailed
from app.core.i18n import _
from app.evidence.models import Classification

THEMES_MAX = 10
THEME_MAX = 100
# Far enough back for any document a review could cite.
EARLIEST_DATE = date(1900, 1, 1)

_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n", ""}


@dataclass(frozen=True)
class Metadata:
    effective_date: date | None = None
    themes: tuple[str, ...] = ()
    classification: Classification = Classification.OFFICIAL
    personal_data: bool = False


def parse_classification(value: str) -> Classification:
    wanted = value.strip().upper().replace("_", "-").replace(" ", "-")
    for kind in Classification:
        if kind.value == wanted:
            return kind
    raise ValueError(value)


def parse_flag(value: str) -> bool:
    wanted = value.strip().lower()
    if wanted in _TRUE:
        return True
    if wanted in _FALSE:
        return False
    raise ValueError(value)


def clean_themes(values: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, de-duplicated (ignoring case) themes, in the order given.

    Raises ValueError with a message for people."""
    themes: dict[str, str] = {}
    for raw in values:
        theme = " ".join(raw.split())
        if not theme:
            continue
        if len(theme) > THEME_MAX:
            raise ValueError(
                _("Each theme must be at most %(count)d characters.", count=THEME_MAX)
            )
        if check_text(theme):
            raise ValueError(_("Themes must not contain control characters."))
        themes.setdefault(theme.casefold(), theme)
    if len(themes) > THEMES_MAX:
        raise ValueError(_("Give at most %(count)d themes.", count=THEMES_MAX))
    return tuple(themes.values())


def check_effective_date(value: date) -> date:
    if value < EARLIEST_DATE:
        raise ValueError(_("Enter a date after 1900."))
    if value > date.today():
        raise ValueError(
            _("The date the document was produced cannot be in the future.")
        )
    return value


def _form_date(fields: Mapping[str, str]) -> date | None:
    """``effective_date`` as YYYY-MM-DD, or the page's day/month/year boxes."""
    text = fields.get("effective_date", "").strip()
    parts = [
        fields.get(f"effective_date-{p}", "").strip() for p in ("day", "month", "year")
    ]
    if not text and not any(parts):
        return None
    try:
        if text:
            value = date.fromisoformat(text)
            if len(text) != 10:
                raise ValueError(text)
        else:
            day, month, year = (int(p) for p in parts)
            value = date(year, month, day)
    except ValueError:
        raise ValueError(
            _("Enter a real date, for example 2026-03-27.")
            if text
            else _("Enter a real date, for example 27 3 2026.")
        ) from None
    return check_effective_date(value)


def from_form(fields: Mapping[str, str]) -> Metadata:
    """Read the metadata fields of an upload form; absent fields take their
    defaults (OFFICIAL, no personal data). Raises ValidationFailed naming
    every bad field."""
    problems: dict[str, str] = {}
    effective: date | None = None
    themes: tuple[str, ...] = ()
    classification = Classification.OFFICIAL
    personal = False
    try:
        effective = _form_date(fields)
    except ValueError as bad:
        problems["effective_date"] = str(bad)
    try:
        themes = clean_themes(fields.get("themes", "").replace(";", ",").split(","))
    except ValueError as bad:
        problems["themes"] = str(bad)
    if fields.get("classification", "").strip():
        try:
            classification = parse_classification(fields["classification"])
        except ValueError:
            problems["classification"] = _("Must be OFFICIAL or OFFICIAL-SENSITIVE.")
    try:
        personal = parse_flag(fields.get("personal_data", ""))
    except ValueError:
        problems["personal_data"] = _("Must be true or false.")
    if problems:
        raise ValidationFailed(fields=problems)
    return Metadata(effective, themes, classification, personal)


# The multipart field names (and their longest values) an upload may carry.
FORM_FIELD_LIMITS = {
    "effective_date": 10,
    "effective_date-day": 2,
    "effective_date-month": 2,
    "effective_date-year": 4,
    "themes": THEMES_MAX * (THEME_MAX + 2),
    "classification": 32,
    "personal_data": 5,
}
