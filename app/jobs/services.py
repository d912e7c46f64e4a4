"""Queueing jobs after the commit, and running them.

A job is named (``JOBS``) and takes plain arguments (ids as strings), so
that it can cross to another process. :func:`after_commit` holds it in the
session until the transaction commits (a rollback drops it: a job is never
queued for a change that did not happen), then hands it to the runner:

- **RQ** when ``REDIS_URL`` is set: the queue ``JOBS_QUEUE`` (``portal``),
  three retries (10 s, 1 min, 5 min apart), a time limit per job, and RQ's
  failed-job registry for what still fails (``flask --app wsgi jobs``);
- **inline** otherwise: one background thread of this process, in its own
  app context, so that the request that queued the job never waits for it.
  A job that fails there is logged; it is not retried.

Jobs are idempotent (extraction writes the same row again), so a retry or
a second run is harmless.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# Name -> "module:function". Only these can be queued or run.
JOBS = {"extract_text": "app.search.indexing:extract_text_job"}
PENDING = "portal_jobs_pending"
RETRY_INTERVALS = [10, 60, 300]
JOB_TIMEOUT_SECONDS = 300


def after_commit(session: Session, name: str, *args: str) -> None:
    """Run job ``name`` with ``args`` once this transaction commits."""
    if name not in JOBS:
        raise ValueError(f"no such job: {name}")
    session.info.setdefault(PENDING, []).append((name, args))


def _dispatch(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if not pending:
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    for name, args in pending:
        try:
            runner(app).submit(name, args)
        except Exception:
            # The change is committed: it stands whatever befalls its job (Redis
            # down, say). The job's work stays pending, for a retry by command
            # (flask --app wsgi extract-text).
            log.exception("could not queue job %s%r", name, args)


def _drop(session: Session, *_args: Any) -> None:
    session.info.pop(PENDING, None)


def install(session_class: type[Session] = Session) -> None:
    if not sa.event.contains(session_class, "after_commit", _dispatch):
        sa.event.listen(session_class, "after_commit", _dispatch)
        sa.event.listen(session_class, "after_soft_rollback", _drop)


def function(name: str) -> Callable[..., Any]:
    module, _, attribute = JOBS[name].partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
    return found


class InlineRunner:
    """Jobs on one thread of this process, each in an app context."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-job")
        self.futures: list[Future[None]] = []
        self._lock = threading.Lock()

    def submit(self, name: str, args: tuple[str, ...]) -> None:
        if self.app.config.get("JOBS_SYNC") or not has_request_context():
            # Outside a request (a command: seed-demo, extract-text; a job
            # queuing another) nobody waits on an answer, so the job runs at
            # once in this thread; a second writer thread would only race
            # the command's own transactions (SQLite: "database is locked").
            # Tests of the app in process run jobs so too (JOBS_SYNC): their
            # database connection is this thread's. The served app's tests
            # see the thread.
            self._run(name, args)
            return
        future = self.pool.submit(self._run, name, args)
        with self._lock:
            self.futures = [f for f in self.futures if not f.done()] + [future]

    def _run(self, name: str, args: tuple[str, ...]) -> None:
        with self.app.app_context():
            try:
                function(name)(*args)
            except Exception:
                log.exception("job %s%r failed", name, args)

    def drain(self, timeout: float = 60) -> None:
        """Wait for every job queued so far (for tests and the CLI)."""
        with self._lock:
            futures = list(self.futures)
        for future in futures:
            future.result(timeout=timeout)


class RqRunner:
    """Jobs on an RQ queue, run by ``flask --app wsgi worker``."""

    def __init__(self, app: Flask) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(app.config["REDIS_URL"])
        self.queue = Queue(
            app.config.get("JOBS_QUEUE", "portal"), connection=self.connection
        )

    def submit(self, name: str, args: tuple[str, ...]) -> None:
        from rq import Retry

        self.queue.enqueue_call(
            "app.jobs.services.run_job",
            args=(name, *args),
            timeout=JOB_TIMEOUT_SECONDS,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
            description=f"{name}{args!r}",
        )

    def drain(self, timeout: float = 60) -> None:  # the worker's business
        return None


def runner(app: Flask) -> InlineRunner | RqRunner:
    found = app.extensions.get("portal_jobs")
    if found is None:
        found = RqRunner(app) if app.config.get("REDIS_URL") else InlineRunner(app)
        app.extensions["portal_jobs"] = found
    return found


# The app an RQ worker's jobs run in: made once per worker process (the
# worker command sets it; a bare `rq worker` makes it from the environment).
_worker_app: Flask | None = None


def set_worker_app(app: Flask) -> None:
    global _worker_app
    _worker_app = app


def run_job(name: str, *args: str) -> None:
    """What the RQ worker runs: the job, in an app context. An exception
    fails the job, and RQ retries it (``Retry``), then keeps it failed."""
    global _worker_app
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        function(name)(*args)
