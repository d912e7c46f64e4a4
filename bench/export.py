"""Benchmark: the close-out export of a large workspace vs reading the same
objects straight from the store.

Starts a private SeaweedFS, a PostgreSQL database and ``gunicorn --workers
2`` with the S3 evidence store (the harness of ``evidence_throughput.py``),
fills one workspace with ``seed-bench`` (10 GiB by default, in 64 MiB
items), then, alternating:

- direct: boto3 ``get_object`` of every one of the workspace's objects, one
  after another, each read to the end (what an export must at least do);
- the export: ``GET /api/v1/reviews/{id}/export`` as the workspace's
  nominee, read by curl to /dev/null (the archive holds the same bytes,
  plus headers, manifests and SHA256SUMS).

Reports the best time of each, the ratio, the CPU seconds of each party and
the peak growth of the gunicorn workers' resident memory during the export
over a baseline taken after a warm-up export of the same workspace.

Bars (issue 11): export >= 0.8x the direct reads; worker memory flat.

    python bench/export.py [--gib 10] [--item-mib 64] [--repeat 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evidence_throughput import (
    MIB,
    CpuMeter,
    MemoryWatch,
    Portal,
    direct_client,
)

from support.seaweed import SeaweedFS
from support.server import fresh_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=10)
    parser.add_argument("--item-mib", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    items = max(1, int(args.gib * 1024 // args.item_mib))
    work = Path(tempfile.mkdtemp(prefix="portal-bench-export-"))
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
            store_url=f"s3://{bucket}?endpoint_url={seaweed.endpoint_url}",
            workdir=work,
            LOG_LEVEL="WARNING",
        )
        cleanup.callback(portal.stop)
        workspace = portal.set_up_workspace()
        print(f"Seeding {items} items of {args.item_mib} MiB...", flush=True)
        started = time.perf_counter()
        portal.flask(
            "seed-bench", "--workspace", workspace, "--items", str(items),
            "--size", str(args.item_mib * MIB), "--batch", "16",
        )  # fmt: skip
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
        engine = sa.create_engine(
            database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        )
        with engine.connect() as connection:
            keys = [
                row[0]
                for row in connection.execute(
                    sa.text(
                        "SELECT storage_key FROM evidence_files ORDER BY uploaded_at"
                    )
                )
            ]
            review = connection.execute(sa.text("SELECT id FROM reviews")).scalar_one()
        engine.dispose()
        s3 = direct_client(seaweed)
        weed = [psutil.Process(seaweed.pid)]
        me = [psutil.Process()]

        def direct() -> int:
            total = 0
            for key in keys:
                body = s3.get_object(Bucket=bucket, Key=key)["Body"]
                while chunk := body.read(MIB):
                    total += len(chunk)
            return total

        def export() -> int:
            out = portal.curl(
                "--output", "/dev/null", "--write-out", "%{size_download}",
                f"{portal.api}/reviews/{review}/export",
            )  # fmt: skip
            return int(out)

        export()  # warm-up: the worker's first export loads what it needs once
        workers = portal.worker_processes()
        best: dict[str, tuple[float, int, str]] = {}
        growth = 0.0
        for _ in range(args.repeat):
            for name, run in (("direct", direct), ("export", export)):
                parties = {"workers": workers, "seaweedfs": weed, "bench": me}
                with CpuMeter(parties) as cpu, MemoryWatch(workers) as memory:
                    started = time.perf_counter()
                    size = run()
                    seconds = time.perf_counter() - started
                if name == "export":
                    growth = max(growth, memory.growth_mib())
                if name not in best or seconds < best[name][0]:
                    best[name] = (seconds, size, cpu.summary())
        total_mib = len(keys) * args.item_mib
        print(f"\n{len(keys)} objects, {total_mib / 1024:.1f} GiB")
        for name, (seconds, size, cpu) in best.items():
            print(
                f"  {name:<7} {seconds:7.1f} s  {size / MIB / seconds:7.1f} MiB/s"
                f"  ({size / MIB:.0f} MiB; CPU: {cpu})"
            )
        ratio = best["direct"][0] / best["export"][0]
        print(f"  export / direct: {ratio:.2f}x (bar 0.8x)")
        print(f"  worker memory growth during the export: {growth:.1f} MiB (flat)")
        return 0 if ratio >= 0.8 else 1


if __name__ == "__main__":
    raise SystemExit(main())
