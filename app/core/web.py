"""The pages' plumbing: templates, signed-in sessions, CSRF and the language switch.

Sessions: Flask's session is a signed cookie, which cannot be revoked. So
the cookie carries the user's ``session_version`` and every request checks
it against the database: signing out, being disabled or changing password
bumps the number and ends every session of that user, in every browser, at
once. A session also ends after ``SESSION_IDLE_MINUTES`` without a request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from app.core.i18n import LOCALE_COOKIE, LOCALES, _l

csrf = CSRFProtect()
login_manager = LoginManager()

SESSION_SEEN = "seen"
LOCALE_COOKIE_SECONDS = 365 * 24 * 3600


def init_web(
    app: Flask,
    *,
    production: bool,
    idle_minutes: int,
    load_user: Callable[[str], Any],
    remember_locale: Callable[[Any, str], None],
) -> None:
    """``load_user`` finds the user a session cookie names (or None);
    ``remember_locale`` keeps a signed-in user's choice of language. Both
    come from the accounts feature: the ground floor knows no feature."""
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("app", "templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.config.update(
        SESSION_COOKIE_NAME="portal_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        PERMANENT_SESSION_LIFETIME=idle_minutes * 60,
        SESSION_IDLE_SECONDS=idle_minutes * 60,
        WTF_CSRF_SSL_STRICT=production,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message = _l("Sign in again to continue.")
    login_manager.user_loader(load_user)
    app.extensions["portal_remember_locale"] = remember_locale
    app.before_request(_end_idle_sessions)
    app.before_request(_switch_language)
    app.after_request(_page_headers)
    app.register_error_handler(CSRFError, _csrf_refused)


def session_id_for(user: Any) -> str:
    """What the session cookie names: the user and their session version."""
    return f"{user.id}:{user.session_version}"


def _end_idle_sessions() -> Response | None:
    if request.path.startswith(("/api/", "/static/")):
        return None
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get(SESSION_SEEN)
    if (
        seen is not None
        and now - int(seen) > current_app.config["SESSION_IDLE_SECONDS"]
    ):
        # The cookie's own expiry is the browser's business; this check is ours.
        logout_user()
        session.clear()
        flash(_l("You were signed out after a period without activity."), "info")
        return redirect(url_for("auth.sign_in", next=request.full_path))
    session[SESSION_SEEN] = now
    return None


def _switch_language() -> Response | None:
    """``?lang=cy`` on any page: remember the choice, then show the page."""
    wanted = request.args.get("lang")
    if wanted is None or request.path.startswith("/api/"):
        return None
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    target = request.path + (f"?{urlencode(args)}" if args else "")
    response = redirect(target)
    if wanted in LOCALES:
        response.set_cookie(
            LOCALE_COOKIE,
            wanted,
            max_age=LOCALE_COOKIE_SECONDS,
            httponly=True,
            samesite="Lax",
            # As the session cookie: Secure in production even when TLS ends
            # at a proxy, so the choice never travels over plain HTTP.
            secure=current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure,
        )
        if current_user.is_authenticated and current_user.locale != wanted:
            current_app.extensions["portal_remember_locale"](current_user, wanted)
    return response


def safe_next_url(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``.

    Stops open redirects: ``//evil.example``, ``https://evil.example`` and
    ``/\\evil.example`` (which some browsers read as another host) all fall
    back to ``default``.
    """
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return default
    if target.startswith(("//", "/\\")) or "\\" in target or "\n" in target:
        return default
    return target


# Strict policy for pages: only our own scripts and styles, nothing inline.
PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _page_headers(response: Response) -> Response:
    if request.path.startswith("/api/"):
        return response
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    if not request.path.startswith("/static/"):
        # Pages show evidence and people: no copies in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    # Pages differ by language; caches must not mix them up.
    response.vary.add("Cookie")
    if g.get("actor") is None and current_user.is_authenticated:
        request.environ["portal.user_id"] = str(current_user.id)
    return response


def _csrf_refused(error: CSRFError) -> Any:
    from app.core.errors import api_error_response, is_api_request, render_error_page

    if is_api_request():  # the upload script asked for JSON
        return api_error_response(
            400,
            "validation_error",
            str(_l("This form has expired: reload the page and try again.")),
            fields={},
        )
    return render_error_page(400, reason="csrf")


def page_args(default_limit: int = 50) -> dict[str, Any]:
    """``limit`` and ``cursor`` from the query string, checked like the API's."""
    from app.core.errors import ValidationFailed

    raw_limit = request.args.get("limit", str(default_limit))
    try:
        limit = int(raw_limit)
    except ValueError:
        raise ValidationFailed.field(
            "limit", str(_l("Must be a whole number."))
        ) from None
    if not 1 <= limit <= 200:
        raise ValidationFailed.field("limit", str(_l("Must be between 1 and 200.")))
    cursor = request.args.get("cursor") or None
    return {"limit": limit, "cursor": cursor}


def next_page_url(cursor: str | None) -> str | None:
    """This page's address with the next cursor, or None at the end."""
    if not cursor:
        return None
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    args.append(("cursor", cursor))
    return f"{request.path}?{urlencode(args)}"


def select_choices(pairs: Any) -> list[Any]:
    """WTForms choices from ``(value, label)`` pairs (tuples are deprecated)."""
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(value, str(label)) for value, label in pairs]
