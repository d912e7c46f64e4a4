"""Settings: defaults, environment overrides and validation at start-up.

Every setting comes from an environment variable. :func:`load_settings`
reads them all, checks them all, and raises one :class:`ConfigError` that
lists every problem with what to do about it, so an operator fixes a bad
deployment in one pass instead of one crash at a time.

=========================  ==================================================
variable                   meaning (default)
=========================  ==================================================
``PORTAL_ENV``             ``development`` (default) or ``production``
``SECRET_KEY``             signs cookies and list cursors; required in
                           production (32+ characters). In development a
                           random key is kept in ``instance/secret_key``.
``DATABASE_URL``           SQLAlchemy URL (SQLite file under ``instance/``);
                           ``postgresql://user@host/db`` works with whichever
                           PostgreSQL driver is installed
``EVIDENCE_STORE``         ``fs:PATH`` (``fs:instance/evidence``),
                           ``s3://BUCKET?endpoint_url=URL`` or ``memory:``
``UPLOAD_MAX_BYTES``       largest evidence file accepted (2 GiB)
``REDIS_URL``              rate-limit storage shared by all app servers, and
                           the background jobs' RQ queue (unset: in-process
                           memory, and jobs on a thread of the app process)
``API_TOKEN_TTL_SECONDS``  lifetime of an API token (43200, 12 hours)
``SIGN_IN_RATE_LIMIT``     sign-in attempts allowed per client address and
                           per account (``10 per minute``)
``TRUSTED_PROXY_COUNT``    reverse proxies in front of the app whose
                           ``X-Forwarded-*`` headers are trusted (0)
``SESSION_IDLE_MINUTES``   a browser session ends after this long without a
                           request (30)
``LOG_LEVEL``              ``DEBUG``, ``INFO`` (default), ``WARNING``, ...
``SMTP_URL``               outgoing mail: ``smtp://``, ``smtp+starttls://`` or
                           ``smtps://user:pass@host:port`` (unset: e-mail is
                           written to the log instead)
``MAIL_FROM``              the From address of e-mail (required in production
                           when ``SMTP_URL`` is set)
``PUBLIC_BASE_URL``        the portal's address as users reach it, for links in
                           e-mail (``http://127.0.0.1:5000``; required in
                           production when ``SMTP_URL`` is set)
``IMPORT_MAX_ENTRIES``     most entries (files and folders) in an imported
                           ZIP file (1000)
``IMPORT_MAX_UNPACKED_BYTES``
                           most bytes an imported ZIP may unpack to, all
                           entries together (``UPLOAD_MAX_BYTES``)
``IMPORT_MAX_RATIO``       highest compression ratio of an entry of 1 MiB or
                           more in an imported ZIP (100, i.e. 100:1)
``UPLOAD_PART_SIZE``       part size of resumable uploads, in bytes (16 MiB;
                           at least the store's minimum: 5 MiB on S3)
``RESUMABLE_UPLOAD_THRESHOLD``
                           files larger than this go through a resumable
                           upload in the browser (50 MiB)
``FACTUAL_ACCURACY_DAYS``  working days a reviewed party has to comment on
                           the factual accuracy of issued feedback (5;
                           weekends and England-and-Wales bank holidays
                           skipped)
``RETENTION_DAYS``         days a closed review's files are kept before
                           ``apply-retention`` deletes them (2555: 7 years;
                           0 means at once; each review may set its own)
``TRASH_DAYS``             days a withdrawn item can be restored before its
                           files are deleted (30; 0 means at once)
=========================  ==================================================
"""

from __future__ import annotations

import importlib.util
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"

ENVIRONMENTS = ("development", "production")
DEFAULT_UPLOAD_MAX_BYTES = 2 * 1024**3
DEFAULT_FACTUAL_ACCURACY_DAYS = 5
DEFAULT_RETENTION_DAYS = 2555
DEFAULT_TRASH_DAYS = 30
DEFAULT_TOKEN_TTL_SECONDS = 12 * 3600
DEFAULT_UPLOAD_PART_SIZE = 16 * 1024**2
DEFAULT_RESUMABLE_THRESHOLD = 50 * 1024**2
DEFAULT_IMPORT_MAX_ENTRIES = 1000
DEFAULT_IMPORT_MAX_RATIO = 100
MIN_SECRET_KEY_LENGTH = 32
DEFAULT_MAIL_FROM = "Joint Inspection Room <no-reply@localhost>"
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5000"
# Placeholder values copied from examples must never sign production cookies.
_PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "dev", "development"}


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` says why, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"The portal's configuration has problems:\n{lines}")


@dataclass(frozen=True)
class Settings:
    """The validated configuration of one portal process."""

    env: str
    secret_key: str
    database_url: str
    evidence_store: str
    upload_max_bytes: int
    redis_url: str | None
    api_token_ttl_seconds: int
    sign_in_rate_limit: str
    trusted_proxy_count: int
    session_idle_minutes: int
    log_level: str
    instance_path: Path
    extra: dict[str, object] = field(default_factory=dict)
    # Resumable uploads (app/resumable).
    upload_part_size: int = DEFAULT_UPLOAD_PART_SIZE
    resumable_threshold: int = DEFAULT_RESUMABLE_THRESHOLD
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL
    # The ZIP import's limits (app/evidence/imports.py).
    import_max_entries: int = DEFAULT_IMPORT_MAX_ENTRIES
    import_max_unpacked_bytes: int = DEFAULT_UPLOAD_MAX_BYTES
    import_max_ratio: int = DEFAULT_IMPORT_MAX_RATIO
    # The factual-accuracy window of issued feedback (app/drafts).
    factual_accuracy_days: int = DEFAULT_FACTUAL_ACCURACY_DAYS
    # Retention and trash (app/retention).
    retention_days: int = DEFAULT_RETENTION_DAYS
    trash_days: int = DEFAULT_TRASH_DAYS

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    instance_path: Path | None = None,
) -> Settings:
    """Read and validate every setting from ``environ`` (default ``os.environ``).

    Raises :class:`ConfigError` listing every problem found.
    """
    env_vars = os.environ if environ is None else environ
    instance = (instance_path or DEFAULT_INSTANCE_PATH).resolve()
    problems: list[str] = []

    env = env_vars.get("PORTAL_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        problems.append(
            f"PORTAL_ENV is {env!r}: it must be 'development' or 'production'."
        )
        env = "production"  # judge the rest by the stricter rules
    production = env == "production"

    secret_key = _secret_key(env_vars.get("SECRET_KEY"), production, instance, problems)
    database_url = _database_url(env_vars.get("DATABASE_URL"), instance, problems)
    evidence_store = _evidence_store(
        env_vars.get("EVIDENCE_STORE"), production, problems
    )
    upload_max_bytes = _positive_int(
        env_vars, "UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES, problems
    )
    token_ttl = _positive_int(
        env_vars, "API_TOKEN_TTL_SECONDS", DEFAULT_TOKEN_TTL_SECONDS, problems
    )
    proxies = _positive_int(env_vars, "TRUSTED_PROXY_COUNT", 0, problems, minimum=0)
    idle = _positive_int(env_vars, "SESSION_IDLE_MINUTES", 30, problems)
    redis_url = env_vars.get("REDIS_URL") or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append(
            "REDIS_URL must look like redis://host:6379/0 (or rediss://, unix://)."
        )
    rate_limit = env_vars.get("SIGN_IN_RATE_LIMIT", "10 per minute").strip()
    if not _valid_rate_limit(rate_limit):
        problems.append(
            f"SIGN_IN_RATE_LIMIT {rate_limit!r} is not a rate such as '10 per minute'."
        )
    log_level = env_vars.get("LOG_LEVEL", "INFO").strip().upper()
    if not isinstance(logging.getLevelName(log_level), int):
        problems.append(f"LOG_LEVEL {log_level!r} is not a logging level such as INFO.")
    smtp_url, mail_from, public_base_url = _mail(env_vars, production, problems)
    import_limits = _import_limits(env_vars, upload_max_bytes, problems)
    part_size = _positive_int(
        env_vars, "UPLOAD_PART_SIZE", DEFAULT_UPLOAD_PART_SIZE, problems, minimum=65536
    )
    resumable_threshold = _positive_int(
        env_vars, "RESUMABLE_UPLOAD_THRESHOLD", DEFAULT_RESUMABLE_THRESHOLD, problems
    )
    accuracy_days = _positive_int(
        env_vars, "FACTUAL_ACCURACY_DAYS", DEFAULT_FACTUAL_ACCURACY_DAYS, problems
    )
    retention_days = _positive_int(
        env_vars, "RETENTION_DAYS", DEFAULT_RETENTION_DAYS, problems, minimum=0
    )
    trash_days = _positive_int(
        env_vars, "TRASH_DAYS", DEFAULT_TRASH_DAYS, problems, minimum=0
    )

    if problems:
        raise ConfigError(problems)
    return Settings(
        env=env,
        secret_key=secret_key,
        database_url=database_url,
        evidence_store=evidence_store,
        upload_max_bytes=upload_max_bytes,
        redis_url=redis_url,
        api_token_ttl_seconds=token_ttl,
        sign_in_rate_limit=rate_limit,
        trusted_proxy_count=proxies,
        session_idle_minutes=idle,
        log_level=log_level,
        upload_part_size=part_size,
        resumable_threshold=resumable_threshold,
        smtp_url=smtp_url,
        mail_from=mail_from,
        public_base_url=public_base_url,
        import_max_entries=import_limits[0],
        import_max_unpacked_bytes=import_limits[1],
        import_max_ratio=import_limits[2],
        factual_accuracy_days=accuracy_days,
        retention_days=retention_days,
        trash_days=trash_days,
        instance_path=instance,
    )


def _secret_key(
    value: str | None, production: bool, instance: Path, problems: list[str]
) -> str:
    if value:
        value = value.strip()
        if production and (
            len(value) < MIN_SECRET_KEY_LENGTH or value.lower() in _PLACEHOLDER_SECRETS
        ):
            problems.append(
                f"SECRET_KEY is too weak for production: use at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        return value
    if production:
        problems.append(
            "SECRET_KEY is missing: production needs a long random value shared "
            "by every app server (PORTAL_ENV=production)."
        )
        return ""
    return _development_secret(instance)


def _development_secret(instance: Path) -> str:
    """A random key kept in the instance folder, shared by every local worker."""
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # O_EXCL: two workers starting together must not write different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def _database_url(value: str | None, instance: Path, problems: list[str]) -> str:
    if not value:
        return f"sqlite:///{instance / 'portal.sqlite3'}"
    try:
        url = make_url(value.strip())
    except ArgumentError:
        problems.append(
            "DATABASE_URL is not a database URL: use e.g. "
            "postgresql://user@host/dbname or sqlite:///path/to/file.sqlite3."
        )
        return ""
    try:
        return normalise_database_url(url).render_as_string(hide_password=False)
    except ValueError as exc:
        problems.append(str(exc))
        return ""


def normalise_database_url(url: URL) -> URL:
    """Pick an installed driver for a plain ``postgresql://`` (or ``postgres://``) URL.

    SQLAlchemy maps a driverless ``postgresql://`` to psycopg2 even when only
    psycopg 3 is installed; operators should not need to know which it is.
    """
    backend = url.get_backend_name()
    if backend == "postgres":
        url = url.set(drivername="postgresql")
        backend = "postgresql"
    if backend == "postgresql" and "+" not in url.drivername:
        for module, driver in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
            if importlib.util.find_spec(module) is not None:
                return url.set(drivername=f"postgresql+{driver}")
        raise ValueError(
            "DATABASE_URL names PostgreSQL but no driver is installed: "
            "pip install 'psycopg[binary]'."
        )
    if backend not in ("postgresql", "sqlite"):
        raise ValueError(
            f"DATABASE_URL uses {backend!r}: the portal supports PostgreSQL and SQLite."
        )
    return url


def _evidence_store(value: str | None, production: bool, problems: list[str]) -> str:
    spec = (value or "fs:instance/evidence").strip()
    if spec.startswith("fs:"):
        path = Path(spec[3:])
        if not spec[3:]:
            problems.append(
                "EVIDENCE_STORE fs: needs a directory, e.g. fs:/srv/evidence."
            )
            return spec
        if not path.is_absolute():
            # Relative to the project, not to whatever directory a worker starts in.
            path = PROJECT_ROOT / path
        return f"fs:{path}"
    if spec.startswith("s3://"):
        bucket = spec[5:].split("?", 1)[0].strip("/")
        if not bucket:
            problems.append(
                "EVIDENCE_STORE s3:// needs a bucket: s3://BUCKET?endpoint_url=URL."
            )
        return spec
    if spec == "memory:":
        if production:
            problems.append(
                "EVIDENCE_STORE memory: keeps evidence only in one process's memory; "
                "production needs fs:PATH or s3://BUCKET."
            )
        return spec
    problems.append(
        f"EVIDENCE_STORE {spec!r} is not understood: use fs:PATH, "
        "s3://BUCKET?endpoint_url=URL or memory:."
    )
    return spec


def _positive_int(
    env_vars: Mapping[str, str],
    name: str,
    default: int,
    problems: list[str],
    *,
    minimum: int = 1,
) -> int:
    raw = env_vars.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        number = int(raw.strip().replace("_", ""))
    except ValueError:
        problems.append(f"{name} is {raw!r}: it must be a whole number.")
        return default
    if number < minimum:
        problems.append(f"{name} is {number}: it must be at least {minimum}.")
        return default
    return number


def _valid_rate_limit(value: str) -> bool:
    from limits import parse_many

    try:
        return bool(parse_many(value))
    except ValueError:
        return False


def _mail(
    env_vars: Mapping[str, str], production: bool, problems: list[str]
) -> tuple[str | None, str, str]:
    """SMTP_URL, MAIL_FROM and PUBLIC_BASE_URL (links in e-mail)."""
    from urllib.parse import urlsplit

    from app.core.mail import check_address, parse_smtp_url

    smtp_url = env_vars.get("SMTP_URL", "").strip() or None
    if smtp_url:
        try:
            smtp = parse_smtp_url(smtp_url)
        except ValueError as exc:
            problems.append(f"SMTP_URL is not usable: {exc}.")
        else:
            if production and smtp.username and smtp.security == "plain":
                problems.append(
                    "SMTP_URL sends a password without TLS: use smtps:// or "
                    "smtp+starttls:// in production."
                )
    mail_from = env_vars.get("MAIL_FROM", "").strip()
    if mail_from:
        problem = check_address(mail_from)
        if problem:
            problems.append(f"MAIL_FROM {mail_from!r} is not usable: {problem}.")
    elif production and smtp_url:
        problems.append(
            "MAIL_FROM is missing: e-mail needs a From address such as "
            "'Joint Inspection Room <no-reply@inspection.example.org>'."
        )
    base = env_vars.get("PUBLIC_BASE_URL", "").strip().rstrip("/")
    if base:
        parts = urlsplit(base)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or (parts.query or parts.fragment)
        ):
            problems.append(
                f"PUBLIC_BASE_URL {base!r} must be an address such as "
                "https://portal.example.org (no query)."
            )
    elif production and smtp_url:
        problems.append(
            "PUBLIC_BASE_URL is missing: links in e-mail need the portal's "
            "address, e.g. https://portal.example.org."
        )
    return smtp_url, mail_from or DEFAULT_MAIL_FROM, base or DEFAULT_PUBLIC_BASE_URL


def _import_limits(
    env_vars: Mapping[str, str], upload_max_bytes: int, problems: list[str]
) -> tuple[int, int, int]:
    """IMPORT_MAX_ENTRIES, IMPORT_MAX_UNPACKED_BYTES and IMPORT_MAX_RATIO."""
    entries = _positive_int(
        env_vars, "IMPORT_MAX_ENTRIES", DEFAULT_IMPORT_MAX_ENTRIES, problems
    )
    unpacked = _positive_int(
        env_vars, "IMPORT_MAX_UNPACKED_BYTES", upload_max_bytes, problems
    )
    ratio = _positive_int(
        env_vars, "IMPORT_MAX_RATIO", DEFAULT_IMPORT_MAX_RATIO, problems, minimum=2
    )
    return entries, unpacked, ratio
