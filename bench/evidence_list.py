"""Benchmark: a workspace's evidence list at 1,000 and at 100,000 items.

For each database (SQLite in a temporary file; PostgreSQL in a scratch
database on 127.0.0.1:5432, or ``PORTAL_TEST_PG_URL``, dropped afterwards)
it builds the schema with the real migrations, a review with a user in
every role (the tests' world), and then fills one workspace with items
inserted in bulk through the models' own tables (SQLAlchemy Core: every
column not given takes the model's default, so columns added later keep
working; no blobs, which a list never reads). It runs ``ANALYZE``, as
autovacuum would, and times, in process (the app's whole request
handling: token check, visibility, query, serialisation; no network):

- ``GET /api/v1/workspaces/{id}/evidence``: the first page (50 items);
- the same list deep down: the page after the cursor taken from the middle
  of the list, walked to with ``limit=200``.

Each is asked ``--requests`` times after a warm-up; it prints the median
and 95th percentile in milliseconds and the ratio of the medians at the
largest size to the smallest, and the query plan of the list's query.

Bars (issue 4): within 50 ms at 100,000 items, on PostgreSQL and SQLite,
growing less than 1.5x from 1,000 items.

    python bench/evidence_list.py [--sizes 1000,100000] [--requests 200]
                                  [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from app import create_app  # noqa: E402
from app.core.cli import upgrade_database  # noqa: E402
from app.core.db import db  # noqa: E402
from app.evidence.models import EvidenceFile, EvidenceItem  # noqa: E402
from config import load_settings  # noqa: E402

PG_ADMIN = os.environ.get(
    "PORTAL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TIME_BAR_MS, GROWTH_BAR = 50.0, 1.5
BATCH = 5000
FIRST_UPLOAD = datetime(2025, 9, 1, tzinfo=UTC)


@contextlib.contextmanager
def scratch_database(kind: str, tmp: Path) -> Iterator[str]:
    os.environ.setdefault("PORTAL_TEST_PG_URL", PG_ADMIN)
    from support.server import fresh_database

    with fresh_database(tmp, kind) as url:
        yield url


def make_app(database_url: str, tmp: Path) -> Any:
    settings = load_settings(
        {
            "PORTAL_ENV": "development",
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "DATABASE_URL": database_url,
            "EVIDENCE_STORE": "memory:",
            "LOG_LEVEL": "WARNING",
        },
        instance_path=tmp / "instance",
    )
    return create_app(settings, PASSWORD_HASH_CHEAP=True)


class Workspace:
    """The workspace under test and a token of a member who sees it."""

    def __init__(self, app: Any) -> None:
        from support.world import Factory, build_world

        with app.app_context():
            upgrade_database()
            world = build_world(Factory())
            self.id = world.ws.id
            self.review_id = world.review.id
            self.uploader_id = world.users["contributor"].id
            self.reader_id = world.users["inspector"].id
            self.token = world.tokens["inspector"]
            self.count = 0

    def add_items(self, app: Any, count: int) -> None:
        """``count`` more items (each with its file row), newest last."""
        items = EvidenceItem.__table__
        files = EvidenceFile.__table__
        with app.app_context(), db.engine.begin() as connection:
            end = self.count + count
            for start in range(self.count, end, BATCH):
                item_rows, file_rows = [], []
                for number in range(start + 1, min(start + BATCH, end) + 1):
                    item_id = uuid.uuid4()
                    # One upload every ten minutes, some at the same second.
                    at = FIRST_UPLOAD + timedelta(seconds=600 * (number // 2))
                    item_rows.append(
                        {
                            "id": item_id,
                            "workspace_id": self.id,
                            "review_id": self.review_id,
                            "number": number,
                            "reference": f"ERW-{number:03d}",
                            "title": f"Minutes of meeting {number}",
                            "uploaded_by_id": self.uploader_id,
                            "uploaded_at": at,
                        }
                    )
                    file_rows.append(
                        {
                            "id": uuid.uuid4(),
                            "item_id": item_id,
                            "version": 1,
                            "storage_key": uuid.uuid4().hex,
                            "filename": f"minutes-{number}.pdf",
                            "size": 40_000 + number,
                            "sha256": hashlib.sha256(item_id.bytes).hexdigest(),
                            "media_type": "application/pdf",
                            "uploaded_by_id": self.uploader_id,
                            "uploaded_at": at,
                        }
                    )
                connection.execute(sa.insert(items), item_rows)
                connection.execute(sa.insert(files), file_rows)
            self.count = end
        with app.app_context(), db.engine.connect() as connection:
            # What autovacuum does after a bulk load: fresh planner statistics.
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


class Setup:
    """One database holding one workspace of ``size`` items, and its app."""

    def __init__(self, kind: str, size: int, stack: contextlib.ExitStack) -> None:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        url = stack.enter_context(scratch_database(kind, tmp))
        self.app = make_app(url, tmp)
        stack.callback(self.dispose)
        self.size = size
        self.workspace = Workspace(self.app)
        started = time.perf_counter()
        self.workspace.add_items(self.app, size)
        print(
            f"  {kind}: {size:,} items inserted "
            f"({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        self.client = self.app.test_client()
        self.headers = {"Authorization": f"Bearer {self.workspace.token}"}
        base = f"/api/v1/workspaces/{self.workspace.id}/evidence"
        self.urls = {
            "first page": base,
            "deep page": f"{base}?cursor={self.middle_cursor(base)}",
        }

    def get(self, url: str) -> tuple[float, float]:
        """One request's time, and this process's CPU time for it (ms)."""
        started, cpu = time.perf_counter(), time.process_time()
        response = self.client.get(url, headers=self.headers)
        elapsed = (time.perf_counter() - started) * 1000
        used = (time.process_time() - cpu) * 1000
        assert response.status_code == 200, response.get_json()
        assert len(response.get_json()["items"]) == 50
        return elapsed, used

    def middle_cursor(self, base: str) -> str:
        """The cursor halfway down the list, walked to as a client would."""
        cursor, seen = None, 0
        while seen < self.size // 2:
            query = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            answer = self.client.get(base, headers=self.headers, query_string=query)
            body = answer.get_json()
            seen += len(body["items"])
            cursor = body["next_cursor"]
            assert cursor, "the list ended early"
        return cursor

    def plan(self, page: str) -> str:
        """The database's plan for the list's query, exactly as the app sent
        it (caught on its way to the database) for ``page``."""
        caught: list[tuple[str, Any]] = []

        def catch(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            if "FROM evidence_items" in statement and not caught:
                caught.append((statement, params))

        with self.app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", catch)
        try:
            self.get(self.urls[page])
        finally:
            sa.event.remove(engine, "before_cursor_execute", catch)
        statement, params = caught[0]
        sqlite = engine.dialect.name == "sqlite"
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(prefix + statement, params).all()
        return "\n".join("    " + " ".join(str(c) for c in row) for row in rows)

    def dispose(self) -> None:
        with self.app.app_context():
            db.engine.dispose()


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def run(kind: str, sizes: list[int], repeat: int) -> dict[tuple[int, str], Any]:
    """Times per (size, page). The sizes' databases are asked in turn, request
    by request, so that whatever else the machine does weighs on each alike."""
    with contextlib.ExitStack() as stack:
        setups = [Setup(kind, size, stack) for size in sizes]
        times: dict[tuple[int, str], list[float]] = {}
        cpu: dict[tuple[int, str], list[float]] = {}
        for setup in setups:
            for url in setup.urls.values():
                for _ in range(max(5, repeat // 10)):  # warm-up
                    setup.get(url)
        for _ in range(repeat):
            for setup in setups:
                for page, url in setup.urls.items():
                    elapsed, used = setup.get(url)
                    times.setdefault((setup.size, page), []).append(elapsed)
                    cpu.setdefault((setup.size, page), []).append(used)
        results = {key: summary(values) for key, values in times.items()}
        for (size, page), (median, p95) in sorted(results.items()):
            print(
                f"  {kind} {size:>7,} items, {page}: "
                f"median {median:.1f} ms, p95 {p95:.1f} ms "
                f"(CPU of this process: median "
                f"{statistics.median(cpu[(size, page)]):.1f} ms)",
                flush=True,
            )
        for page in setups[-1].urls:
            print(f"  {kind}, {page} at {sizes[-1]:,} items:\n{setups[-1].plan(page)}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    ok = True
    table = []
    for kind in args.databases.split(","):
        print(f"{kind}:", flush=True)
        try:
            results = run(kind, sizes, args.requests)
        except sa.exc.OperationalError as exc:
            print(f"  {kind} not reachable, skipped: {exc.orig}")
            continue
        for page in ("first page", "deep page"):
            small, large = results[(sizes[0], page)], results[(sizes[-1], page)]
            ratio = large[0] / small[0]
            within = large[0] <= TIME_BAR_MS and ratio < GROWTH_BAR
            ok = ok and within
            table.append((kind, page, small, large, ratio, within))
    print()
    print(
        f"{'database':<11} {'page':<11} {sizes[0]:>9,} median/p95 ms "
        f"{sizes[-1]:>9,} median/p95 ms  ratio  bar"
    )
    for kind, page, small, large, ratio, within in table:
        print(
            f"{kind:<11} {page:<11} {small[0]:>12.1f} / {small[1]:<7.1f} "
            f"{large[0]:>12.1f} / {large[1]:<7.1f}  {ratio:5.2f}  "
            f"{'met' if within else 'NOT MET'}"
        )
    print(
        f"\nBars: median within {TIME_BAR_MS:.0f} ms at the largest size, and "
        f"less than {GROWTH_BAR}x the smallest size's. Load average at the end: "
        + ", ".join(f"{load:.1f}" for load in os.getloadavg())
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
