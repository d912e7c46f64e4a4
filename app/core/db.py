"""Database base classes: the declarative base, id and time columns, the session.

Models use SQLAlchemy 2 typed mappings. Ids are UUIDs (native ``uuid`` on
PostgreSQL, 32 hex characters on SQLite); the API shows them as strings.
Times are stored in UTC and always come back timezone-aware.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import has_request_context, request
from flask_sqlalchemy_lite import SQLAlchemy
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints: Alembic can only alter (and SQLite batch-migrate) what has a name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# expire_on_commit=False: views keep using loaded objects (the actor, the
# workspace) after a service commits, without another round trip.
db = SQLAlchemy(session_options={"expire_on_commit": False})


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC and returned timezone-aware on every backend.

    SQLite has no time zones: without this, values would come back naive and
    compare wrongly with aware ones.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        uuid.UUID: sa.Uuid(),
    }


class IdMixin:
    """A random UUID primary key: opaque, unguessable, safe to show in URLs."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def str_enum(enum_cls: type[StrEnum], name: str) -> sa.Enum:
    """An enum column stored as text with a CHECK constraint.

    Portable across SQLite and PostgreSQL, and a new value needs only a
    migration of the constraint, not of a PostgreSQL type.
    """
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection SQLite settings.

    foreign_keys: SQLite ignores foreign keys unless told, on every connection;
    WAL and busy_timeout let several gunicorn workers share the file.
    """
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin:
    # the module's own handling breaks SAVEPOINT (SQLAlchemy's pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Execution option: the transaction about to begin will write.
WRITE_LOCK = "portal_write_lock"


# Requests that change things; the others only read (a GET that writes,
# such as a download's audit record, calls begin_write first).
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_begin(connection: sa.Connection) -> None:
    # A SQLite (WAL) transaction that reads and then writes fails at once
    # ("database is locked") if another writer committed in between; taking
    # the write lock first (BEGIN IMMEDIATE) waits for it instead. Every
    # transaction of a request that changes things takes it, so concurrent
    # writers queue (SQLite has one writer at a time anyway); a request that
    # streams a long body ends its transaction before reading it.
    if connection.get_execution_options().get(WRITE_LOCK) or (
        has_request_context() and request.method not in _READ_ONLY_METHODS
    ):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def begin_write(session: Any) -> None:
    """End the session's transaction and begin one that will read and then
    write, serialised against other writers: BEGIN IMMEDIATE on SQLite (on
    PostgreSQL the caller locks the rows it depends on, FOR UPDATE). Objects
    already loaded stay usable (they are reloaded as needed)."""
    session.commit()
    session.connection(execution_options={WRITE_LOCK: True})


def install_engine_hooks(engine: sa.Engine) -> None:
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", set_sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
