"""Benchmark: a review's progress (API and page) at 1,000 and 100,000 requests.

For each database (SQLite in a temporary file; PostgreSQL in a scratch
database on 127.0.0.1:5432, or ``PORTAL_TEST_PG_URL``, dropped afterwards)
it builds the schema with the real migrations, a review with several
reviewed parties (``--workspaces``, default 6) and an inspector and a
nominee, then fills the workspaces with requests inserted in bulk
(SQLAlchemy Core; statuses and due dates spread as in a real review: open,
submitted, accepted, returned, withdrawn; some overdue). It runs
``ANALYZE`` (``VACUUM ANALYZE`` on PostgreSQL), as autovacuum would, and
times in process (the app's whole
request handling: sign-in check, visibility, the counting query,
serialisation or the page's rendering; no network):

- ``GET /api/v1/reviews/{id}/progress`` as the inspector (every workspace)
  and as the nominee (their own);
- the page ``/reviews/{id}/progress`` as the inspector.

Each is asked ``--requests`` times after a warm-up; it prints the median
and 95th percentile in milliseconds, the ratio of the medians at the
largest size to the smallest, and the query plan of the counting query.

    python bench/progress.py [--sizes 1000,100000] [--requests 100]
                             [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from app import create_app  # noqa: E402
from app.accounts.models import OrganisationKind  # noqa: E402
from app.core.cli import upgrade_database  # noqa: E402
from app.core.db import db, utcnow  # noqa: E402
from app.core.permissions import Role  # noqa: E402
from app.intake import progress  # noqa: E402
from app.intake.models import EvidenceRequest, RequestStatus  # noqa: E402
from app.models import import_all_models  # noqa: E402
from config import load_settings  # noqa: E402
from support.app_fixtures import IsolatedClient, settings_env  # noqa: E402
from support.pages import PageClient  # noqa: E402
from support.server import fresh_database  # noqa: E402
from support.world import Factory, make_token  # noqa: E402

# One request in N of each status (the rest open); due dates spread over
# two months either side of today, so about half of the waiting ones are
# overdue.
STATUS_CYCLE = [
    RequestStatus.OPEN,
    RequestStatus.OPEN,
    RequestStatus.SUBMITTED,
    RequestStatus.ACCEPTED,
    RequestStatus.ACCEPTED,
    RequestStatus.RETURNED,
    RequestStatus.OPEN,
    RequestStatus.WITHDRAWN,
]


@contextlib.contextmanager
def scratch_database(kind: str, tmp: Path) -> Iterator[str]:
    with fresh_database(tmp, kind) as url:
        yield url


def make_app(database_url: str, tmp: Path) -> Any:
    settings = load_settings(settings_env(database_url), instance_path=tmp)
    app = create_app(settings, TESTING=True, PASSWORD_HASH_CHEAP=True)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade_database()
    return app


class Review:
    """A review with ``workspaces`` reviewed parties, filled in bulk."""

    def __init__(self, app: Any, workspaces: int) -> None:
        with app.app_context():
            import_all_models()
            factory = Factory()
            estyn = factory.organisation("estyn", OrganisationKind.INSPECTORATE)
            parties = [
                factory.organisation(f"party-{n}", OrganisationKind.CONSORTIUM)
                for n in range(workspaces)
            ]
            review = factory.review([estyn], parties, title="Benchmark review")
            self.review_id = review.id
            self.workspace_ids = [w.id for w in review.workspaces]
            self.inspector = factory.user(estyn, name="Inspector")
            self.nominee = factory.user(parties[0], name="Nominee")
            factory.member(review, self.inspector, Role.INSPECTOR)
            factory.member(review, self.nominee, Role.NOMINEE)
            self.inspector_email = self.inspector.email
            self.tokens = {
                "inspector": make_token(self.inspector, ttl=timedelta(days=1)),
                "nominee": make_token(self.nominee, ttl=timedelta(days=1)),
            }
        self.count = 0
        self.numbers = dict.fromkeys(self.workspace_ids, 0)

    def add_requests(self, app: Any, count: int) -> None:
        today = progress.today_in_wales()
        now = utcnow()
        table = EvidenceRequest.__table__
        with app.app_context():
            numbers = self.numbers
            batch: list[dict[str, Any]] = []
            for n in range(self.count, self.count + count):
                ws = self.workspace_ids[n % len(self.workspace_ids)]
                numbers[ws] += 1
                batch.append(
                    {
                        "id": uuid.uuid4(),
                        "workspace_id": ws,
                        "number": numbers[ws],
                        "title": f"Request {n}",
                        "description": "",
                        "due_date": today + timedelta(days=(n * 7) % 120 - 60),
                        "status": STATUS_CYCLE[n % len(STATUS_CYCLE)],
                        "created_at": now,
                    }
                )
                if len(batch) == 5_000:
                    db.session.execute(sa.insert(table), batch)
                    batch = []
            if batch:
                db.session.execute(sa.insert(table), batch)
            db.session.commit()
            # What autovacuum does after bulk inserts (PostgreSQL 13+ vacuums
            # on inserts too, which lets index-only scans skip the table).
            engine = db.engine
            if engine.dialect.name == "postgresql":
                with engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                ) as connection:
                    connection.exec_driver_sql("VACUUM ANALYZE evidence_requests")
            else:
                with engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE")
        self.count += count


def timed(call: Any, repeat: int) -> list[float]:
    for _ in range(5):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def query_plan(app: Any, review: Review) -> str:
    """The database's plan for the counting query, as the inspector."""
    from app.accounts.models import User
    from app.reviews.models import Review as ReviewModel

    statements: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        statements.append((statement, params))

    with app.app_context():
        engine = db.engine
        user = db.session.get(User, review.inspector.id)
        model = db.session.get(ReviewModel, review.review_id)
        sa.event.listen(engine, "before_cursor_execute", keep)
        try:
            progress.review_progress(user, model)
        finally:
            sa.event.remove(engine, "before_cursor_execute", keep)
        statement, params = statements[-1]
        sqlite = engine.dialect.name == "sqlite"
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(explain + statement, params).all()
        if sqlite:
            return "\n".join(f"    {row[-1]}" for row in rows)
        return "\n".join(f"    {row[0]}" for row in rows)


def count_only(app: Any, review: Review) -> Any:
    """``review_progress`` itself (the one counting query), no HTTP."""
    from app.accounts.models import User
    from app.reviews.models import Review as ReviewModel

    def call() -> None:
        with app.app_context():
            user = db.session.get(User, review.inspector.id)
            model = db.session.get(ReviewModel, review.review_id)
            progress.review_progress(user, model)

    return call


def run(kind: str, sizes: list[int], repeat: int, workspaces: int) -> dict[Any, Any]:
    results: dict[Any, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, scratch_database(kind, Path(tmp)) as url:
        app = make_app(url, Path(tmp))
        review = Review(app, workspaces)
        api = app.test_client()
        page = PageClient(app.test_client())
        assert page.sign_in(review.inspector_email).status_code == 302
        path = f"/reviews/{review.review_id}/progress"

        def call_api(who: str) -> Any:
            def call() -> None:
                answer = api.get(
                    "/api/v1" + path,
                    headers={"Authorization": f"Bearer {review.tokens[who]}"},
                )
                assert answer.status_code == 200, answer.get_data(as_text=True)

            return call

        def call_page() -> None:
            answer = page.get(path)
            assert answer.status_code == 200, answer.status_code

        for size in sizes:
            review.add_requests(app, size - review.count)
            body = api.get(
                "/api/v1" + path,
                headers={"Authorization": f"Bearer {review.tokens['inspector']}"},
            ).get_json()
            assert body["totals"]["total"] + body["totals"]["withdrawn"] == size
            results[(size, "api, inspector")] = summary(
                timed(call_api("inspector"), repeat)
            )
            results[(size, "api, nominee")] = summary(
                timed(call_api("nominee"), repeat)
            )
            results[(size, "page, inspector")] = summary(timed(call_page, repeat))
            results[(size, "counting only")] = summary(
                timed(count_only(app, review), repeat)
            )
            print(f"  {kind} at {size:,}: totals {body['totals']}", flush=True)
        print(f"  {kind} plan at {sizes[-1]:,}:\n{query_plan(app, review)}", flush=True)
        with app.app_context():
            db.engine.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--workspaces", type=int, default=6)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    os.environ.setdefault("PORTAL_ENV", "development")
    table: dict[str, dict[Any, Any]] = {}
    for kind in args.databases.split(","):
        print(f"{kind}: building and timing ...", flush=True)
        table[kind] = run(kind, sizes, args.requests, args.workspaces)
    print()
    print(
        f"Progress of a review with {args.workspaces} workspaces, server time in "
        f"ms (median / p95 of {args.requests}):"
    )
    what = ["api, inspector", "api, nominee", "page, inspector", "counting only"]
    header = f"{'database':<11} {'what':<16}" + "".join(
        f"{size:>18,}" for size in sizes
    )
    print(header + f"{'ratio':>8}")
    for kind, results in table.items():
        for name in what:
            cells = "".join(
                f"{results[(s, name)][0]:>9.1f} / {results[(s, name)][1]:>5.1f}"
                for s in sizes
            )
            ratio = results[(sizes[-1], name)][0] / results[(sizes[0], name)][0]
            print(f"{kind:<11} {name:<16}{cells}{ratio:>7.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
