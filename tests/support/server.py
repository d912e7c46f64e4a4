"""Run the portal for real: the command line and gunicorn, in a child process.

Shared by the end-to-end suite and the crash tests. Each server has its own
database and evidence store (chosen like the rest of the suite by
``PORTAL_TEST_DB`` / ``PORTAL_TEST_STORE``) and a free port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent.parent
PG_ADMIN_URL = os.environ.get(
    "PORTAL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "server-test-secret-key-long-enough-for-production-0123456789"


def show_log_tail(report: pytest.TestReport, logs: list[Path], lines: int) -> None:
    """Append the tail of the newest server log in ``logs`` to a failed
    test's report (for a conftest's ``pytest_runtest_makereport``)."""
    if report.failed and logs and logs[0].exists():
        text = logs[0].read_text(errors="replace").splitlines()
        report.sections.append(("gunicorn log (tail)", "\n".join(text[-lines:])))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def fresh_database(tmp: Path, kind: str | None = None) -> Iterator[str]:
    """A new empty database of the kind under test; dropped afterwards."""
    kind = kind or os.environ.get("PORTAL_TEST_DB", "sqlite")
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'portal.sqlite3'}"
        return
    name = f"portal_srv_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )
        admin.dispose()


def fresh_store_url(request: pytest.FixtureRequest, tmp: Path) -> str:
    """A new empty evidence store of the kind under test."""
    if os.environ.get("PORTAL_TEST_STORE", "fs") == "s3":
        server = request.getfixturevalue("seaweedfs")
        return f"s3://{server.make_bucket()}?endpoint_url={server.endpoint_url}"
    return f"fs:{tmp / 'evidence'}"


class PortalServer:
    """``gunicorn --workers N wsgi:app`` with its own configuration."""

    def __init__(
        self,
        *,
        database_url: str,
        store_url: str,
        workdir: Path,
        workers: int = 2,
        **settings: str,
    ) -> None:
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PORTAL_", "FLASK_")) and key != "AWS_SESSION_TOKEN"
        }
        self.env.update(
            PORTAL_ENV="development",
            SECRET_KEY=SECRET,
            DATABASE_URL=database_url,
            EVIDENCE_STORE=store_url,
            SIGN_IN_RATE_LIMIT="1000 per minute",
            PYTHONUNBUFFERED="1",
        )
        # Any of the above may be overridden (PORTAL_ENV="production").
        self.env.update(settings)
        self.workers = workers
        self.log = workdir / "gunicorn.log"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``flask --app wsgi ARGS`` with this server's configuration."""
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"flask {args[0]} failed:\n{done.stdout}{done.stderr}")
        return done

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "--workers", str(self.workers)),
                    *("--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5"),
                    *("--access-logfile", "-", "wsgi:app"),
                ],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}):\n{self.log_text()}"
                )
            try:
                requests.get(f"{self.base_url}/api/v1/openapi.json", timeout=5)
                return
            except (requests.ConnectionError, requests.Timeout):
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not answer in {timeout} s:\n{self.log_text()}"
                    ) from None
                time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
