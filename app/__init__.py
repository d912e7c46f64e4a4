"""The Joint Inspection Room: a Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.core.api import API_MAX_JSON_BYTES
from config import ConfigError, Settings, load_settings


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the app from ``settings`` (default: the environment, validated).

    ``overrides`` are extra Flask config values, for tests.
    """
    settings = settings or load_settings()

    from app.core.db import db, install_engine_hooks
    from app.core.errors import register_error_handlers
    from app.core.i18n import init_i18n
    from app.core.limiter import init_limiter
    from app.core.logging import RequestLogMiddleware, configure_logging
    from app.core.security import init_security_headers
    from app.core.storage import init_store
    from app.core.uploads import load_magic_database
    from app.core.web import init_web

    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_ENGINES={
            "default": {"url": settings.database_url, "pool_pre_ping": True}
        },
        MAX_CONTENT_LENGTH=API_MAX_JSON_BYTES,
        UPLOAD_MAX_BYTES=settings.upload_max_bytes,
        API_TOKEN_TTL_SECONDS=settings.api_token_ttl_seconds,
        SIGN_IN_RATE_LIMIT=settings.sign_in_rate_limit,
        PORTAL_ENV=settings.env,
        # Background jobs go to Redis (RQ) when it is set (app/jobs).
        REDIS_URL=settings.redis_url,
    )
    app.config.update(overrides)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["portal_settings"] = settings
    configure_logging(settings.log_level)
    from app.core.built import check_built

    # A production start without the build step's output would serve Welsh
    # users English pages, and e-mail, without a word: refuse instead.
    unbuilt = check_built(production=settings.is_production)
    if unbuilt:
        raise ConfigError(unbuilt)

    db.init_app(app)
    with app.app_context():
        install_engine_hooks(db.engine)
    from app.audit.chain import install as install_audit_chain

    install_audit_chain()
    from app.jobs.services import install as install_jobs

    install_jobs()
    try:
        store = init_store(app, settings.evidence_store)
    except ValueError as exc:
        raise ConfigError([f"EVIDENCE_STORE: {exc}"]) from exc
    if store.max_object_size is not None and (
        settings.upload_max_bytes > store.max_object_size
    ):
        raise ConfigError(
            [
                f"UPLOAD_MAX_BYTES ({settings.upload_max_bytes}) is more than the "
                f"evidence store can hold in one object ({store.max_object_size}): "
                "raise part_size in EVIDENCE_STORE (S3 allows 10,000 parts)."
            ]
        )
    load_magic_database()
    init_limiter(app, settings.redis_url)
    register_error_handlers(app)
    init_i18n(app)
    from app.accounts.services import set_locale
    from app.auth.queries import user_for_session

    init_web(
        app,
        production=settings.is_production,
        idle_minutes=settings.session_idle_minutes,
        load_user=user_for_session,
        remember_locale=set_locale,
    )
    init_security_headers(app, production=settings.is_production)
    _register_api(app)
    _register_pages(app)
    _register_cli(app)

    if settings.trusted_proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=settings.trusted_proxy_count,
            x_proto=settings.trusted_proxy_count,
            x_host=settings.trusted_proxy_count,
        )
    app.wsgi_app = RequestLogMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    return app


def _register_api(app: Flask) -> None:
    from app.accounts import api as accounts_api  # noqa: F401  (registers routes)
    from app.accounts import api_bp as accounts_bp
    from app.audit import api as audit_api  # noqa: F401
    from app.audit import api_bp as audit_bp
    from app.auth import api as auth_api  # noqa: F401
    from app.auth import api_bp as auth_bp
    from app.auth.queries import user_for_token
    from app.core.api import finish_spec, init_api
    from app.core.web import csrf
    from app.drafts import api as drafts_api  # noqa: F401
    from app.drafts import api_bp as drafts_bp
    from app.evidence import api as evidence_api  # noqa: F401
    from app.evidence import api_bp as evidence_bp
    from app.evidence import imports_api  # noqa: F401
    from app.export import api as export_api  # noqa: F401
    from app.export import api_bp as export_api_bp
    from app.fieldwork import api as fieldwork_api  # noqa: F401
    from app.fieldwork import api_bp as fieldwork_bp
    from app.hypotheses import api as hypotheses_api  # noqa: F401
    from app.hypotheses import api_bp as hypotheses_bp
    from app.intake import api as intake_api  # noqa: F401
    from app.intake import api_bp as intake_bp
    from app.intake import progress_api  # noqa: F401
    from app.messages import api as messages_api  # noqa: F401
    from app.messages import api_bp as messages_bp
    from app.notes import api as notes_api  # noqa: F401
    from app.notes import api_bp as notes_bp
    from app.notifications import api as notifications_api  # noqa: F401
    from app.notifications import api_bp as notifications_bp
    from app.reviews import api as reviews_api  # noqa: F401
    from app.reviews import api_bp as reviews_bp

    api = init_api(app, token_user=user_for_token)
    for blueprint in (
        auth_bp,
        accounts_bp,
        reviews_bp,
        evidence_bp,
        intake_bp,
        notes_bp,
        hypotheses_bp,
        messages_bp,
        drafts_bp,
        fieldwork_bp,
        notifications_bp,
        audit_bp,
        export_api_bp,
    ):
        # Bearer tokens, never cookies: nothing for a forged request to ride on.
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)

    from app.resumable import api as resumable_api  # noqa: F401
    from app.resumable import api_bp as resumable_bp

    csrf.exempt(resumable_bp)
    api.register_blueprint(resumable_bp)
    finish_spec(api, app)


def _register_pages(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.admin import routes as admin_routes  # noqa: F401  (registers routes)
    from app.audit import bp as audit_bp
    from app.audit import routes as audit_routes  # noqa: F401
    from app.auth import bp as auth_bp
    from app.auth import routes as auth_routes  # noqa: F401
    from app.drafts import bp as drafts_bp
    from app.drafts import routes as drafts_routes  # noqa: F401
    from app.evidence import bp as evidence_bp
    from app.evidence import import_routes  # noqa: F401
    from app.evidence import routes as evidence_routes  # noqa: F401
    from app.export import bp as export_bp
    from app.export import routes as export_routes  # noqa: F401
    from app.fieldwork import bp as fieldwork_bp
    from app.fieldwork import routes as fieldwork_routes  # noqa: F401
    from app.hypotheses import bp as hypotheses_bp
    from app.hypotheses import routes as hypotheses_routes  # noqa: F401
    from app.intake import bp as intake_bp
    from app.intake import progress_routes  # noqa: F401
    from app.intake import routes as intake_routes  # noqa: F401
    from app.messages import bp as messages_bp
    from app.messages import routes as messages_routes  # noqa: F401
    from app.notes import bp as notes_bp
    from app.notes import routes as notes_routes  # noqa: F401
    from app.notifications import bp as notifications_bp
    from app.notifications import routes as notifications_routes  # noqa: F401
    from app.pages import bp as pages_bp
    from app.pages import routes as pages_routes  # noqa: F401
    from app.reviews import bp as reviews_bp
    from app.reviews import routes as reviews_routes  # noqa: F401

    for blueprint in (
        auth_bp,
        reviews_bp,
        evidence_bp,
        intake_bp,
        notes_bp,
        hypotheses_bp,
        messages_bp,
        drafts_bp,
        fieldwork_bp,
        notifications_bp,
        audit_bp,
        export_bp,
        admin_bp,
        pages_bp,
    ):
        app.register_blueprint(blueprint)

    from app.resumable import bp as resumable_bp
    from app.resumable import routes as resumable_routes  # noqa: F401

    app.register_blueprint(resumable_bp)


def _register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)
