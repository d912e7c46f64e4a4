"""Benchmark: evidence upload and download through the portal vs direct S3.

Starts a private SeaweedFS, a PostgreSQL database (SQLite if PostgreSQL is
not reachable) and ``gunicorn --workers 2`` with the S3 evidence store, then
moves the same bytes (1 GiB by default) both ways:

- direct, with boto3 against the same SeaweedFS: ``put_object`` and
  ``upload_file`` (multipart, 10 threads); ``get_object`` (one stream) of
  the directly stored object and of the portal's stored object, and
  ``download_fileobj`` (parallel ranges);
- through the portal: ``POST /api/v1/workspaces/{id}/evidence`` and
  ``GET /api/v1/evidence/{id}/content``, sent by curl so that the client
  costs little CPU.

Direct and portal runs alternate, and the best of each is kept, so that a
busy moment of the machine (or of SeaweedFS) does not land on one side only.
The ratios compare the portal with the FASTEST direct method. It also prints
the CPU seconds each party used, and the peak growth of the gunicorn
workers' resident memory during the upload, over a baseline taken after
warm-up uploads (a worker's first upload loads libraries once; that is
start-up cost, not growth with file size).

Bars (issue 2): upload >= 0.7x direct, download >= 0.9x direct, worker
memory growth < 30 MiB.

    python bench/evidence_throughput.py [--size-mib 1024] [--repeat 2]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import psutil
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.seaweed import SeaweedFS  # noqa: E402
from support.server import PortalServer, fresh_database  # noqa: E402

PASSWORD = "correct horse battery staple 42"
MIB = 1024 * 1024
PG_ADMIN = os.environ.get(
    "PORTAL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
UPLOAD_BAR, DOWNLOAD_BAR, MEMORY_BAR_MIB = 0.7, 0.9, 30.0


def make_file(path: Path, size: int) -> str:
    """An MP4-looking file (recordings are what large evidence really is)."""
    digest = hashlib.sha256()
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    block = os.urandom(4 * MIB)
    with path.open("wb") as out:
        written = 0
        while written < size:
            piece = (header + block[len(header) :]) if written == 0 else block
            piece = piece[: size - written]
            out.write(piece)
            digest.update(piece)
            written += len(piece)
            block = block[1:] + block[:1]  # no two blocks alike
    return digest.hexdigest()


class Portal(PortalServer):
    """The portal under gunicorn, with a signed-in nominee of one workspace."""

    token = ""

    @property
    def api(self) -> str:
        return self.base_url + "/api/v1"

    def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.request(
            method, self.api + path, headers=headers, timeout=120, **kw
        )
        response.raise_for_status()
        return response.json() if response.content else {}

    def curl(self, *args: str) -> str:
        result = subprocess.run(
            [
                *("curl", "--silent", "--show-error", "--fail-with-body"),
                *("-H", f"Authorization: Bearer {self.token}", *args),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"curl failed: {result.stderr} {result.stdout[:500]}")
        return result.stdout

    def set_up_workspace(self) -> str:
        """Admin, two organisations, a review and a nominee; the workspace id."""
        self.flask("init-db")
        self.flask(
            "create-admin",
            "bench@example.org",
            "--name",
            "Bench",
            "--password",
            PASSWORD,
        )
        self.start()
        admin = self.call(
            "POST",
            "/auth/token",
            json={"email": "bench@example.org", "password": PASSWORD},
        )["token"]
        estyn = self.call(
            "POST",
            "/organisations",
            admin,
            json={"slug": "estyn", "name": "Estyn", "kind": "inspectorate"},
        )
        erw = self.call(
            "POST",
            "/organisations",
            admin,
            json={"slug": "erw", "name": "ERW", "kind": "consortium"},
        )
        user = self.call(
            "POST",
            "/users",
            admin,
            json={
                "email": "nominee@example.org",
                "name": "Nominee",
                "organisation_id": erw["id"],
                "password": PASSWORD,
            },
        )
        review = self.call(
            "POST",
            "/reviews",
            admin,
            json={
                "title": "Bench",
                "inspecting": [estyn["id"]],
                "reviewed": [erw["id"]],
            },
        )
        self.call(
            "PUT",
            f"/reviews/{review['id']}/members/{user['id']}",
            admin,
            json={"role": "nominee"},
        )
        self.token = self.call(
            "POST",
            "/auth/token",
            json={"email": "nominee@example.org", "password": PASSWORD},
        )["token"]
        workspaces = self.call("GET", f"/reviews/{review['id']}/workspaces", self.token)
        return str(workspaces["items"][0]["id"])

    def worker_processes(self) -> list[psutil.Process]:
        return [psutil.Process(pid) for pid in self.worker_pids()]


class MemoryWatch:
    """Samples each worker's RSS every 20 ms; reports peak growth over baseline."""

    def __init__(self, workers: list[psutil.Process]) -> None:
        self.workers = workers
        self.baseline = {w.pid: w.memory_info().rss for w in workers}
        self.peak = dict(self.baseline)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for worker in self.workers:
                try:
                    rss = worker.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                self.peak[worker.pid] = max(self.peak[worker.pid], rss)
            time.sleep(0.02)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def growth_mib(self) -> float:
        return max(self.peak[p] - self.baseline[p] for p in self.baseline) / MIB


class CpuMeter:
    """CPU seconds (user + system) each party spends during a phase."""

    def __init__(self, parties: dict[str, list[psutil.Process]]) -> None:
        self.parties = parties
        self.used: dict[str, float] = {}

    @staticmethod
    def _cpu(processes: list[psutil.Process]) -> float:
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    @staticmethod
    def _children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def __enter__(self) -> CpuMeter:
        self._start = {name: self._cpu(p) for name, p in self.parties.items()}
        self._start_children = self._children()
        return self

    def __exit__(self, *exc: object) -> None:
        for name, processes in self.parties.items():
            self.used[name] = self._cpu(processes) - self._start[name]
        self.used["curl"] = self._children() - self._start_children

    def summary(self) -> str:
        return ", ".join(f"{k} {v:.1f}s" for k, v in self.used.items() if v >= 0.05)


class Measurements:
    """Best time, and the CPU use of that best run, for each method."""

    def __init__(self) -> None:
        self.best: dict[str, float] = {}
        self.cpu: dict[str, str] = {}

    def run(
        self,
        name: str,
        fn: Callable[[], object],
        parties: dict[str, list[psutil.Process]],
    ) -> None:
        with CpuMeter(parties) as meter:
            started = time.perf_counter()
            fn()
            seconds = time.perf_counter() - started
        if seconds < self.best.get(name, float("inf")):
            self.best[name] = seconds
            self.cpu[name] = meter.summary()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=2, help="uploads of each kind")
    parser.add_argument(
        "--download-repeat", type=int, default=5, help="downloads of each kind"
    )
    args = parser.parse_args()
    size = args.size_mib * MIB
    work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    source = work / "interview.mp4"
    print(f"Writing a {args.size_mib} MiB test file...", flush=True)
    sha = make_file(source, size)

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench-key")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench-secret")
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        database_url = cleanup.enter_context(fresh_database(work, kind="postgresql"))
        seaweed = cleanup.enter_context(
            SeaweedFS(
                access_key=os.environ["AWS_ACCESS_KEY_ID"],
                secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
            )
        )
        bucket = seaweed.make_bucket()
        portal = Portal(
            database_url=database_url,
            store_url=f"s3://{bucket}?endpoint_url={seaweed.endpoint_url}"
            + os.environ.get("BENCH_STORE_PARAMS", ""),
            workdir=work,
            UPLOAD_MAX_BYTES=str(2 * 1024 * MIB),
            LOG_LEVEL="WARNING",
        )
        cleanup.callback(portal.stop)
        return run(args, size, sha, source, work, seaweed, bucket, portal)


def direct_client(seaweed: SeaweedFS) -> Any:
    """boto3 straight to the SeaweedFS the portal uses: the baseline."""
    return boto3.session.Session().client(
        "s3",
        endpoint_url=seaweed.endpoint_url,
        region_name="us-east-1",
        config=Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": "path"},
            max_pool_connections=20,
        ),
    )


def run(
    args: argparse.Namespace,
    size: int,
    sha: str,
    source: Path,
    work: Path,
    seaweed: SeaweedFS,
    bucket: str,
    portal: Portal,
) -> int:
    """Measure, alternating direct and portal runs; print the figures."""
    s3 = direct_client(seaweed)
    weed = [psutil.Process(seaweed.pid)]
    me = [psutil.Process()]
    workspace = portal.set_up_workspace()
    # Warm both workers (a worker's first S3 call loads botocore's
    # endpoint rules); the memory baseline is taken after this.
    small = work / "warm-up.mp4"
    make_file(small, 2 * MIB)
    for _ in range(6):
        portal.curl(
            "-F",
            f"file=@{small};type=video/mp4",
            f"{portal.api}/workspaces/{workspace}/evidence",
        )

    m = Measurements()
    memory: list[float] = []
    item: dict[str, Any] = {}

    def put_single() -> None:
        with source.open("rb") as body:
            s3.put_object(
                Bucket=bucket, Key="direct-put", Body=body, ContentLength=size
            )

    def put_multipart() -> None:
        s3.upload_file(str(source), bucket, "direct-multipart", Config=TransferConfig())

    def portal_upload() -> None:
        nonlocal item
        item = json.loads(
            portal.curl(
                "-F",
                f"file=@{source};type=video/mp4",
                f"{portal.api}/workspaces/{workspace}/evidence",
            )
        )

    print("Uploading...", flush=True)
    for _ in range(args.repeat):
        m.run("direct put_object", put_single, {"client": me, "seaweedfs": weed})
        m.run(
            "direct upload_file (multipart, 10 threads)",
            put_multipart,
            {"client": me, "seaweedfs": weed},
        )
        with MemoryWatch(portal.worker_processes()) as watch:
            m.run(
                "portal upload (POST evidence)",
                portal_upload,
                {"workers": portal.worker_processes(), "seaweedfs": weed},
            )
        memory.append(watch.growth_mib())
        assert item["sha256"] == sha and item["size"] == size, item

    # The portal's own stored object (the largest that is not direct-*).
    stored_key = max(
        (
            o
            for o in s3.list_objects_v2(Bucket=bucket)["Contents"]
            if not o["Key"].startswith("direct-")
        ),
        key=lambda o: o["Size"],
    )["Key"]

    def get(key: str) -> Callable[[], None]:
        def run() -> None:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            for _chunk in body.iter_chunks(MIB):
                pass

        return run

    def get_parallel() -> None:
        # /dev/null is seekable, so the parallel ranges may land in any order.
        with open(os.devnull, "wb") as sink:
            s3.download_fileobj(
                bucket, "direct-multipart", sink, Config=TransferConfig()
            )

    def portal_download() -> None:
        # http.client's readinto fills one buffer straight from the socket:
        # the client costs as little CPU as the direct boto3 reader does.
        connection = http.client.HTTPConnection("127.0.0.1", portal.port)
        connection.request(
            "GET",
            f"/api/v1/evidence/{item['id']}/content",
            headers={"Authorization": f"Bearer {portal.token}"},
        )
        response = connection.getresponse()
        assert response.status == 200, response.status
        buffer = bytearray(4 * MIB)
        received = 0
        while count := response.readinto(buffer):
            received += count
        connection.close()
        assert received == size, received

    print("Downloading...", flush=True)
    for _ in range(args.download_repeat):
        m.run(
            "direct get_object",
            get("direct-put"),
            {"client": me, "seaweedfs": weed},
        )
        m.run(
            "direct get_object of the portal's object",
            get(stored_key),
            {"client": me, "seaweedfs": weed},
        )
        m.run(
            "direct download_fileobj (parallel ranges)",
            get_parallel,
            {"client": me, "seaweedfs": weed},
        )
        m.run(
            "portal download (GET content)",
            portal_download,
            {"workers": portal.worker_processes(), "seaweedfs": weed, "client": me},
        )

    check = hashlib.sha256()
    with requests.get(
        f"{portal.api}/evidence/{item['id']}/content",
        headers={"Authorization": f"Bearer {portal.token}"},
        stream=True,
        timeout=600,
    ) as response:
        for chunk in response.iter_content(MIB):
            check.update(chunk)
    assert check.hexdigest() == sha, "the portal sent back different bytes"

    def rate(name: str) -> float:
        return size / MIB / m.best[name]

    database = "PostgreSQL" if "postgresql" in portal.env["DATABASE_URL"] else "SQLite"
    print(
        f"\n{args.size_mib} MiB file; best of {args.repeat} uploads and "
        f"{args.download_repeat} downloads of each kind; SeaweedFS; {database}"
    )
    for name, seconds in m.best.items():
        print(
            f"  {name:<44} {seconds:6.2f} s {rate(name):7.1f} MiB/s"
            f"   cpu: {m.cpu[name]}"
        )
    direct_up = max(
        rate(n)
        for n in m.best
        if n.startswith("direct") and ("put" in n or "upload" in n)
    )
    direct_down = max(
        rate(n)
        for n in m.best
        if n.startswith("direct") and ("get" in n or "download" in n)
    )
    up = rate("portal upload (POST evidence)") / direct_up
    down = rate("portal download (GET content)") / direct_down
    peak = max(memory)

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print(
        f"\n  upload   {up:4.2f} x the fastest direct upload"
        f"    (bar >= {UPLOAD_BAR})  {verdict(up >= UPLOAD_BAR)}"
    )
    print(
        f"  download {down:4.2f} x the fastest direct download"
        f"  (bar >= {DOWNLOAD_BAR})  {verdict(down >= DOWNLOAD_BAR)}"
    )
    print(
        f"  worker memory growth during the upload: {peak:.1f} MiB"
        f"  (bar < {MEMORY_BAR_MIB:.0f})  {verdict(peak < MEMORY_BAR_MIB)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
