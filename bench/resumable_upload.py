"""Benchmark: a resumable upload of a large file through the portal vs boto3.

Starts a private SeaweedFS, a PostgreSQL database and ``gunicorn --workers
2`` with the S3 evidence store (the harness of ``evidence_throughput.py``),
writes a 2 GiB MP4-looking file to a temporary file on disk, then moves it
to the same SeaweedFS both ways, alternating:

- direct: boto3 ``upload_file`` (a multipart upload: 8 MiB parts, 10
  threads), the usual way to put a large file into S3;
- through the portal's resumable API: ``POST /workspaces/{id}/uploads``,
  each part ``PUT /uploads/{id}/parts/{n}`` in order, two in flight at a
  time (``--parallel N``; the page's script sends one at a time), then
  ``POST /uploads/{id}/complete``. The client is http.client, reading each
  part from the file when it sends it.

The portal's time runs from the first request to the 201 of completion.
The client's SHA-256 of the file (which it must send when it begins) is
computed once beforehand and reported apart: a client usually knows it, and
it does not involve the portal. Memory: the peak growth of each worker's
resident set during the upload, over a baseline taken after a warm-up
resumable upload (a worker's first upload loads botocore once).

Bars (issue 4): resumable >= 0.7x the direct multipart upload, and no
growth of worker memory with the file (a part buffer, freed after each
part, is all a worker holds).

    python bench/resumable_upload.py [--size-mib 2048] [--repeat 2]
        [--part-mib 16] [--parallel 2]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
from boto3.s3.transfer import TransferConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evidence_throughput import (
    MIB,
    CpuMeter,
    MemoryWatch,
    Portal,
    direct_client,
    make_file,
)

from support.seaweed import SeaweedFS
from support.server import fresh_database

RATIO_BAR = 0.7
# Growth that is not "growth with the file": one part buffer and the
# allocator's slack (the worker holds one part at a time).
MEMORY_SLACK_MIB = 8.0


class ResumableClient:
    """The resumable API from the contract, over http.client."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def _send(
        self, method: str, path: str, body: bytes | None, content_type: str
    ) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.portal.port)
        try:
            headers = {"Authorization": f"Bearer {self.portal.token}"}
            if body is not None:
                headers["Content-Type"] = content_type
            connection.request(method, "/api/v1" + path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        return response.status, (json.loads(data) if data else None)

    def call(self, method: str, path: str, expect: int, payload: Any = None) -> Any:
        body = json.dumps(payload).encode() if payload is not None else None
        status, answer = self._send(method, path, body, "application/json")
        assert status == expect, (method, path, status, answer)
        return answer

    def upload(
        self, workspace: str, source: Path, sha256: str, parallel: int
    ) -> dict[str, Any]:
        size = source.stat().st_size
        begun = self.call(
            "POST",
            f"/workspaces/{workspace}/uploads",
            201,
            {"filename": source.name, "size": size, "sha256": sha256},
        )
        part_size = begun["part_size"]
        count = -(-size // part_size)

        def put(number: int) -> None:
            with source.open("rb") as handle:
                handle.seek((number - 1) * part_size)
                body = handle.read(part_size)
            status, answer = self._send(
                "PUT",
                f"/uploads/{begun['id']}/parts/{number}",
                body,
                "application/octet-stream",
            )
            assert status == 200, (number, status, answer)

        if parallel <= 1:
            for number in range(1, count + 1):
                put(number)
        else:
            with ThreadPoolExecutor(max_workers=parallel) as pool:
                list(pool.map(put, range(1, count + 1)))
        item: dict[str, Any] = self.call(
            "POST", f"/uploads/{begun['id']}/complete", 201, {}
        )
        return item


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--repeat", type=int, default=2, help="uploads of each kind")
    parser.add_argument(
        "--part-mib", type=int, default=0, help="UPLOAD_PART_SIZE (default: 16 MiB)"
    )
    parser.add_argument("--parallel", type=int, default=2, help="parts in flight")
    args = parser.parse_args()
    size = args.size_mib * MIB
    work = Path(tempfile.mkdtemp(prefix="portal-bench-resumable-"))
    source = work / "interview.mp4"
    print(f"Writing a {args.size_mib} MiB test file to {work}...", flush=True)
    started = time.perf_counter()
    sha = make_file(source, size)
    print(
        f"  (and its SHA-256, as a client does: {time.perf_counter() - started:.1f} s)"
    )
    started = time.perf_counter()
    assert file_sha256(source) == sha
    client_hash_seconds = time.perf_counter() - started

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
        settings = {"UPLOAD_MAX_BYTES": str(max(size, 2 * 1024 * MIB))}
        if args.part_mib:
            settings["UPLOAD_PART_SIZE"] = str(args.part_mib * MIB)
        portal = Portal(
            database_url=database_url,
            store_url=f"s3://{bucket}?endpoint_url={seaweed.endpoint_url}"
            + os.environ.get("BENCH_STORE_PARAMS", ""),
            workdir=work,
            LOG_LEVEL="WARNING",
            **settings,
        )
        cleanup.callback(portal.stop)
        return run(
            args, size, sha, source, work, seaweed, bucket, portal, client_hash_seconds
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
    client_hash_seconds: float,
) -> int:
    s3 = direct_client(seaweed)
    weed = [psutil.Process(seaweed.pid)]
    me = [psutil.Process()]
    workspace = portal.set_up_workspace()
    client = ResumableClient(portal)

    # Warm both workers up with small resumable uploads (several parts each):
    # the memory baseline is taken after this.
    small = work / "warm-up.mp4"
    make_file(small, 40 * MIB)
    small_sha = file_sha256(small)
    for _ in range(3):
        client.upload(workspace, small, small_sha, args.parallel)

    best: dict[str, float] = {}
    cpu: dict[str, str] = {}
    memory: list[float] = []
    item: dict[str, Any] = {}

    def measure(name: str, fn: Any, parties: dict[str, list[psutil.Process]]) -> None:
        with CpuMeter(parties) as meter:
            started = time.perf_counter()
            fn()
            seconds = time.perf_counter() - started
        if seconds < best.get(name, float("inf")):
            best[name] = seconds
            cpu[name] = meter.summary()
        print(f"  {name}: {seconds:.1f} s", flush=True)

    def direct() -> None:
        s3.upload_file(str(source), bucket, "direct-multipart", Config=TransferConfig())

    def resumable() -> None:
        nonlocal item
        item = client.upload(workspace, source, sha, args.parallel)

    direct_name = "direct boto3 upload_file (multipart, 8 MiB, 10 threads)"
    portal_name = "portal resumable upload (PUT parts, then complete)"
    print("Uploading...", flush=True)
    for _ in range(args.repeat):
        measure(direct_name, direct, {"client": me, "seaweedfs": weed})
        s3.delete_object(Bucket=bucket, Key="direct-multipart")
        workers = portal.worker_processes()
        with MemoryWatch(workers) as watch:
            measure(portal_name, resumable, {"workers": workers, "seaweedfs": weed})
        memory.append(watch.growth_mib())
        assert item["sha256"] == sha and item["size"] == size, item
        # Keep SeaweedFS's disk use to one copy of the file at a time.
        client.call("DELETE", f"/evidence/{item['id']}", 204)

    def rate(name: str) -> float:
        return size / MIB / best[name]

    ratio = rate(portal_name) / rate(direct_name)
    with_hash = (size / MIB / (best[portal_name] + client_hash_seconds)) / rate(
        direct_name
    )
    growth = max(memory)
    part_mib = args.part_mib or 16
    print(
        f"\n{args.size_mib} MiB file; best of {args.repeat} uploads of each kind; "
        f"SeaweedFS; PostgreSQL; gunicorn 2 workers; part size {part_mib} MiB; "
        f"{args.parallel} part(s) in flight"
    )
    for name, seconds in best.items():
        print(
            f"  {name:<56} {seconds:6.1f} s {rate(name):7.1f} MiB/s   cpu: {cpu[name]}"
        )
    print(f"  client's SHA-256 of the file, beforehand: {client_hash_seconds:.1f} s")

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print(
        f"\n  resumable {ratio:4.2f} x the direct multipart upload "
        f"(bar >= {RATIO_BAR})  {verdict(ratio >= RATIO_BAR)}"
    )
    print(f"  (counting the client's SHA-256 pass too: {with_hash:4.2f} x)")
    print(
        f"  worker memory growth during the upload: {growth:.1f} MiB "
        f"(one part is {part_mib} MiB; bar: no growth with the file, "
        f"< {part_mib + MEMORY_SLACK_MIB:.0f})  "
        f"{verdict(growth < part_mib + MEMORY_SLACK_MIB)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
