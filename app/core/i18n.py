"""Welsh and English: the locale of each request, and locale-aware formatting.

The Welsh Language Standards apply: every page, form, message and e-mail
exists in both languages and Welsh is not treated less favourably. The
locale is, in order: the signed-in user's recorded choice; the language
cookie set by the switch before sign-in; the browser's Accept-Language;
English.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import Babel, format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

LOCALES = ("en", "cy")
LOCALE_COOKIE = "locale"
LOCALE_NAMES = {"en": "English", "cy": "Cymraeg"}

babel = Babel()

__all__ = ["LOCALES", "_", "_l", "current_locale", "init_i18n"]


def select_locale() -> str:
    user = g.get("actor") or _session_user()
    try:
        locale = getattr(user, "locale", None) if user is not None else None
    except SQLAlchemyError:
        # Answering a database failure: the user's row cannot be reloaded.
        locale = None
    if locale in LOCALES:
        return str(locale)
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or "en"


def _session_user() -> Any:
    from flask_login import current_user

    try:
        if current_user.is_authenticated:
            return current_user
    except Exception:  # outside a request, or before the login manager runs
        return None
    return None


def current_locale() -> str:
    return str(get_locale() or "en")


def bilingual(english: str | None, welsh: str | None) -> str:
    """A user-typed text that may have a Welsh version: the Welsh in Welsh."""
    if current_locale() == "cy" and welsh:
        return welsh
    return english or welsh or ""


def switch_language_url(locale: str) -> str:
    """This page, in ``locale``: the same path and query, plus ``lang``."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", locale))
    return f"{request.path}?{urlencode(args)}"


def format_when(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "d MMMM yyyy, HH:mm")


def format_day(value: date | None) -> str:
    """A date in the reader's language: 18 December 2026, 18 Rhagfyr 2026."""
    return format_date(value, "d MMMM yyyy") if value else ""


def format_size(size: int | None) -> str:
    """A file size in the reader's language."""
    if size is None:
        return ""
    from flask_babel import format_decimal

    amount = float(size)
    units = [_("bytes"), "KB", "MB", "GB", "TB"]
    index = 0
    while amount >= 1024 and index < len(units) - 1:
        amount /= 1024
        index += 1
    if index == 0:
        return f"{int(amount)} {units[0]}"
    return f"{format_decimal(round(amount, 1))} {units[index]}"


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    # Dates and times as they are in Wales, whatever the server's zone.
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        role_label=lambda value: label(ROLE_LABELS, value),
        status_label=lambda value: label(STATUS_LABELS, value),
        kind_label=lambda value: label(KIND_LABELS, value),
        classification_label=lambda value: label(CLASSIFICATION_LABELS, value),
        current_locale=current_locale,
        switch_language_url=switch_language_url,
        bilingual=bilingual,
        LOCALE_NAMES=LOCALE_NAMES,
    )
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["size"] = format_size


# How a visit, a session or a theme's engagement is held (reviews.VisitMode).
MODE_LABELS = {
    "on_site": _l("On site"),
    "remote": _l("Remote"),
    "council_chamber": _l("In the council chamber"),
    "hybrid": _l("Hybrid"),
}
ROLE_LABELS = {
    "lead_officer": _l("Lead officer"),
    "inspector": _l("Inspector"),
    "observer": _l("Observer"),
    "nominee": _l("Nominee"),
    "contributor": _l("Contributor"),
}
STATUS_LABELS = {
    "planning": _l("Planning"),
    "fieldwork": _l("Fieldwork"),
    "reporting": _l("Reporting"),
    "published": _l("Published"),
    "closed": _l("Closed"),
}
KIND_LABELS = {
    "inspectorate": _l("Inspectorate"),
    "audit_body": _l("Audit body"),
    "consortium": _l("Regional consortium"),
    "local_authority": _l("Local authority"),
    "school": _l("School"),
    "committee": _l("Committee"),
    "other": _l("Other"),
}


# Government Security Classifications markings, as the Welsh Government
# writes them in Welsh (downloads keep the English marking in their names).
CLASSIFICATION_LABELS = {
    "OFFICIAL": _l("OFFICIAL"),
    "OFFICIAL-SENSITIVE": _l("OFFICIAL-SENSITIVE"),
}


def label(table: dict[str, Any], value: Any) -> str:
    key = getattr(value, "value", value)
    return str(table.get(str(key), key))


SIDE_LABELS = {
    "inspecting": _l("inspecting"),
    "reviewed": _l("reviewed"),
}
# An evidence request's status, inside a sentence.
REQUEST_STATUS_LABELS = {
    "open": _l("open"),
    "submitted": _l("submitted"),
    "accepted": _l("accepted"),
    "returned": _l("returned"),
    "withdrawn": _l("withdrawn"),
}
