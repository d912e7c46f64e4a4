"""Benchmark: joint working at scale (issue 9's bars).

For each database (SQLite in a temporary file; PostgreSQL in a scratch
database, as bench/evidence_list.py does), with the tests' world and rows
inserted in bulk through the models' own tables, it times in process (the
app's whole request handling: token, visibility, query, serialisation):

- the notes of one subject, first page (50), at 100 and at 10,000 notes:
  ``GET /api/v1/reviews/{id}/notes?subject_type=workspace&subject_id=...``;
- the review's timetable, first page (50), at 100 and at 2,000 sessions:
  ``GET /api/v1/reviews/{id}/sessions``;
- the reading figures of a review with 100,000 items and 1,000,000 reads
  (ten inspectors of two bodies, each having opened every item):
  ``GET /api/v1/reviews/{id}/reading``.

Bars: notes and timetable under 50 ms at the large size and under 1.5x
their time at 100; reading under 100 ms. It prints the median and 95th
percentile of each, and whether each bar is met.

    python bench/joint_working.py [--requests 100] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from evidence_list import make_app, scratch_database, summary  # noqa: E402

from app.core.cli import upgrade_database  # noqa: E402
from app.core.db import db  # noqa: E402
from app.core.permissions import Role  # noqa: E402

START = datetime(2027, 3, 1, 8, tzinfo=UTC)
BATCH = 10_000


class World:
    def __init__(self, app: Any, readers: int = 0) -> None:
        from support.world import Factory, build_world, make_token

        with app.app_context():
            upgrade_database()
            factory = Factory()
            self.world = build_world(factory)
            self.review_id = self.world.review.id
            self.ws_id = self.world.ws.id
            self.author_id = self.world.users["inspector"].id
            self.token = self.world.tokens["inspector"]
            self.readers = [
                self.world.users["inspector"],
                self.world.users["audit_inspector"],
            ]
            for n in range(max(0, readers - 2)):
                body = self.world.estyn if n % 2 else self.world.audit
                user = factory.user(body, name=f"reader-{n}")
                factory.member(self.world.review, user, Role.INSPECTOR)
                self.readers.append(user)
            self.reader_rows = [(u.id, u.organisation_id) for u in self.readers]
            make_token(self.world.users["inspector"])
            db.session.commit()

    def insert(self, app: Any, table: Any, rows: Any) -> None:
        with app.app_context(), db.engine.begin() as connection:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == BATCH:
                    connection.execute(sa.insert(table), batch)
                    batch = []
            if batch:
                connection.execute(sa.insert(table), batch)

    def analyse(self, app: Any) -> None:
        """What autovacuum does after a bulk load: fresh planner statistics
        and, on PostgreSQL, the visibility map that index-only scans need."""
        with app.app_context(), db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.exec_driver_sql("VACUUM ANALYZE")
            else:
                connection.exec_driver_sql("ANALYZE")
                connection.commit()


def notes(world: World, app: Any, count: int) -> str:
    from app.notes.models import Note

    def rows() -> Any:
        for n in range(count):
            yield {
                "id": uuid.uuid4(),
                "review_id": world.review_id,
                "author_id": world.author_id,
                "body": f"Note {n}: the minutes show **challenge**, ERW-{n % 500:03d}.",
                "scope": "joint" if n % 3 else "workspace",
                "workspace_id": world.ws_id,
                "subject_type": "workspace",
                "subject_id": world.ws_id,
                "created_at": START + timedelta(seconds=n),
                "updated_at": START + timedelta(seconds=n),
                "edited": False,
            }

    world.insert(app, Note.__table__, rows())
    world.analyse(app)
    return (
        f"/api/v1/reviews/{world.review_id}/notes"
        f"?subject_type=workspace&subject_id={world.ws_id}"
    )


def sessions(world: World, app: Any, count: int) -> str:
    from app.fieldwork.models import Session, Visit

    visit_id = uuid.uuid4()
    days = count // 8 + 1
    world.insert(
        app,
        Visit.__table__,
        [
            {
                "id": visit_id,
                "review_id": world.review_id,
                "workspace_id": world.ws_id,
                "starts_on": START.date(),
                "ends_on": (START + timedelta(days=days)).date(),
                "mode": "on_site",
            }
        ],
    )

    def rows() -> Any:
        for n in range(count):
            starts = START + timedelta(days=n // 8, hours=n % 8)
            yield {
                "id": uuid.uuid4(),
                "visit_id": visit_id,
                "review_id": world.review_id,
                "workspace_id": world.ws_id,
                "kind": "team_meeting" if n % 8 == 7 else "interview",
                "title": f"Session {n}",
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=50),
                "attendees": [{"name": "Betsan Jones", "role": "Managing director",
                               "user_id": None}],
                "themes": ["Leadership"],
                "scope": "joint" if n % 8 == 7 else "workspace",
            }  # fmt: skip

    world.insert(app, Session.__table__, rows())
    world.analyse(app)
    return f"/api/v1/reviews/{world.review_id}/sessions"


def reading(world: World, app: Any, items: int) -> str:
    from app.evidence.models import EvidenceBodyRead, EvidenceItem, EvidenceRead

    ids = [uuid.uuid4() for _ in range(items)]
    world.insert(
        app,
        EvidenceItem.__table__,
        (
            {
                "id": item_id,
                "workspace_id": world.ws_id,
                "review_id": world.review_id,
                "number": n + 1,
                "reference": f"ERW-{n + 1:03d}",
                "title": f"Item {n}",
                "uploaded_at": START,
            }
            for n, item_id in enumerate(ids)
        ),
    )
    world.insert(
        app,
        EvidenceRead.__table__,
        (
            {"evidence_id": item_id, "user_id": user_id, "organisation_id": org_id,
             "first_read_at": START}
            for user_id, org_id in world.reader_rows
            for item_id in ids
        ),
    )  # fmt: skip
    bodies = sorted({org for _u, org in world.reader_rows})
    world.insert(
        app,
        EvidenceBodyRead.__table__,
        (
            {"evidence_id": item_id, "organisation_id": org,
             "review_id": world.review_id, "workspace_id": world.ws_id,
             "first_read_at": START}
            for org in bodies
            for n, item_id in enumerate(ids)
            if org == bodies[0] or n % 3
        ),
    )  # fmt: skip
    world.analyse(app)
    return f"/api/v1/reviews/{world.review_id}/reading"


CASES = {
    "notes of a subject": (notes, [100, 10_000], 50.0),
    "timetable": (sessions, [100, 2_000], 50.0),
    "reading figures": (reading, [100_000], 100.0),
}


def time_request(client: Any, url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.get_json()
    return elapsed


def run(kind: str, repeat: int, only: set[str]) -> list[str]:
    verdicts = []
    for name, (fill, sizes, bar) in CASES.items():
        if only and name not in only:
            continue
        medians = {}
        with contextlib.ExitStack() as stack:
            setups = []
            for size in sizes:
                tmp = Path(
                    stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
                )
                url = stack.enter_context(scratch_database(kind, tmp))
                app = make_app(url, tmp)
                stack.callback(
                    lambda app=app: app.app_context().push() or db.engine.dispose()
                )
                world = World(app, readers=10 if name == "reading figures" else 0)
                started = time.perf_counter()
                path = fill(world, app, size)
                took = time.perf_counter() - started
                print(f"  {kind}: {name} at {size:,} filled ({took:.1f} s)", flush=True)
                headers = {"Authorization": f"Bearer {world.token}"}
                setups.append((size, app.test_client(), path, headers))
            times: dict[int, list[float]] = {s[0]: [] for s in setups}
            for _size, client, path, headers in setups:
                for _ in range(max(5, repeat // 10)):
                    time_request(client, path, headers)
            for _ in range(repeat):
                for size, client, path, headers in setups:
                    times[size].append(time_request(client, path, headers))
            for size, values in times.items():
                median, p95 = summary(values)
                medians[size] = median
                print(f"  {kind} {name} at {size:,}: median {median:.1f} ms, "
                      f"p95 {p95:.1f} ms", flush=True)  # fmt: skip
        largest = medians[sizes[-1]]
        ok = largest < bar
        line = f"{kind} {name}: {largest:.1f} ms at {sizes[-1]:,} (bar {bar:.0f} ms)"
        if len(sizes) > 1:
            growth = largest / medians[sizes[0]]
            ok = ok and growth < 1.5
            line += f", {growth:.2f}x its time at {sizes[0]:,} (bar 1.5x)"
        verdicts.append(f"{'MET ' if ok else 'MISSED'} {line}")
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--only", default="", help="comma-separated cases (default: all)"
    )
    args = parser.parse_args()
    verdicts = []
    for kind in args.databases.split(","):
        print(f"{kind}:", flush=True)
        only = {n.strip() for n in args.only.split(",") if n.strip()}
        verdicts += run(kind, args.requests, only)
    print("\n".join(verdicts))
    print(f"(median of {args.requests} requests each)")


if __name__ == "__main__":
    main()
