"""Fixtures for the portal: the app on the chosen database and store, a
rolled-back transaction per test, and a world of users in every role.

The same suite runs on two stacks, chosen by environment variables:

- ``PORTAL_TEST_DB``: ``sqlite`` (default) or ``postgresql`` (a fresh
  database on 127.0.0.1:5432, dropped afterwards; ``PORTAL_TEST_PG_URL``
  names the server);
- ``PORTAL_TEST_STORE``: ``fs`` (default) or ``s3`` (the SeaweedFS server
  the tests start).
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.core.cli import upgrade_database
from app.core.db import db
from app.core.limiter import limiter
from config import load_settings
from evidence_store import EvidenceStore, open_store
from support.api import ApiClient
from support.server import fresh_database
from support.world import Factory, World, build_world

TEST_UPLOAD_MAX_BYTES = 4 * 1024 * 1024
TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-1234"


def test_db_kind() -> str:
    return os.environ.get("PORTAL_TEST_DB", "sqlite")


def test_store_kind() -> str:
    return os.environ.get("PORTAL_TEST_STORE", "fs")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database for this test session."""
    if test_db_kind() not in ("sqlite", "postgresql"):
        raise pytest.UsageError("PORTAL_TEST_DB must be sqlite or postgresql")
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


def settings_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        "PORTAL_ENV": "development",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "EVIDENCE_STORE": "memory:",
        "UPLOAD_MAX_BYTES": str(TEST_UPLOAD_MAX_BYTES),
        "SIGN_IN_RATE_LIMIT": "5 per minute",
        **extra,
    }


class IsolatedClient(FlaskClient):
    """Each request in a fresh context, as on a real server.

    A test holds an app context of its own (to call services directly), and
    Flask would reuse it for the test client's requests: ``g`` (the signed-in
    user, the database session) would then carry over from one request, or
    one browser, to the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The portal, its schema built by the real migrations."""
    settings = load_settings(
        settings_env(database_url), instance_path=tmp_path_factory.mktemp("instance")
    )
    # Jobs run at once, in the test's thread (its connection's); the
    # served app's tests (e2e) run them on a thread, or on RQ.
    application = create_app(
        settings, TESTING=True, PASSWORD_HASH_CHEAP=True, JOBS_SYNC=True
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade_database()
        db.engine.dispose()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def s3_bucket(request: pytest.FixtureRequest) -> str | None:
    if test_store_kind() != "s3":
        return None
    server = request.getfixturevalue("seaweedfs")
    bucket: str = server.make_bucket()
    return f"s3://{bucket}?endpoint_url={server.endpoint_url}"


def new_store(kind: str, tmp_path: Path, s3_base: str | None) -> EvidenceStore:
    if kind == "s3":
        assert s3_base is not None
        # A prefix per test keeps each test's objects apart in one bucket.
        return open_store(f"{s3_base}&prefix=t-{uuid.uuid4().hex}/")
    if kind == "fs":
        return open_store(f"fs:{tmp_path / 'evidence'}")
    if kind == "memory":
        return open_store("memory:")
    raise pytest.UsageError("PORTAL_TEST_STORE must be fs or s3")


@pytest.fixture
def store(app: Flask, tmp_path: Path, s3_bucket: str | None) -> Iterator[EvidenceStore]:
    """This test's own evidence store, of the kind under test."""
    previous = app.extensions["evidence_store"]
    evidence_store = new_store(test_store_kind(), tmp_path, s3_bucket)
    app.extensions["evidence_store"] = evidence_store
    try:
        yield evidence_store
    finally:
        app.extensions["evidence_store"] = previous
        evidence_store.close()


@pytest.fixture(autouse=True)
def db_transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test that uses the app inside a transaction rolled back after it.

    Services commit as usual; their commits only release savepoints inside
    the outer transaction, which the rollback undoes.
    """
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.sessionmaker.configure(
            bind=connection, join_transaction_mode="create_savepoint"
        )
        limiter.reset()
        token = _test_connection.set(connection)
        try:
            yield
        finally:
            _test_connection.reset(token)
            db.sessionmaker.configure(bind=db.engine)
            if outer.is_active:
                outer.rollback()
            connection.close()


_test_connection: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "test_connection"
)


@contextmanager
def rolled_back() -> Iterator[None]:
    """A block whose changes to the database are undone after it, inside
    the test's own transaction (a savepoint): one test can then ask the
    same question of several callers of a world built once, each caller
    meeting the world as it was built (the permission matrices).

    The session's own savepoint is closed first so that the block's
    savepoint holds everything the services commit inside it."""
    db.session.commit()
    savepoint = _test_connection.get().begin_nested()
    limiter.reset()
    try:
        yield
    finally:
        db.session.rollback()
        if savepoint.is_active:
            savepoint.rollback()
        db.session.expire_all()


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def factory(app_context: None) -> Factory:
    return Factory()


@pytest.fixture
def world(factory: Factory, store: EvidenceStore) -> World:
    return build_world(factory)


@pytest.fixture
def api(world: World, client: FlaskClient) -> Any:
    """``api("nominee").get(...)``: a client signed in as that world user."""

    def make(who: str) -> ApiClient:
        return world.client(who, client)

    return make
