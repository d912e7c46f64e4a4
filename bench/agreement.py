"""Benchmark: agreement at scale (issue 10's bars).

For each database (SQLite in a temporary file; PostgreSQL in a scratch
database, as bench/evidence_list.py does), with the tests' world and rows
inserted in bulk through the models' own tables, it times in process (the
app's whole request handling: sign-in, visibility, queries, rendering):

- the diff of two versions of 200,000 characters each (one line in twenty
  changed): ``GET /api/v1/drafts/{id}/diff?from=1&to=2``;
- a review's drafts with 200 drafts of 20 versions each, every one decided
  on by both bodies: ``GET /api/v1/reviews/{id}/drafts?limit=200``;
- the lead officer's agreement page of that review:
  ``GET /reviews/{id}/agreement`` (signed in through the sign-in form).

Bars: each under 100 ms. It prints the median and 95th percentile of each,
and whether each bar is met.

    python bench/agreement.py [--requests 50] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from evidence_list import make_app, scratch_database, summary  # noqa: E402
from joint_working import World  # noqa: E402

from app.core.db import db  # noqa: E402

BAR_MS = 100.0
START = datetime(2027, 3, 1, 8, tzinfo=UTC)


def long_text(changed: bool) -> str:
    """About 200,000 characters in 2,500 lines; ``changed``: one line in
    twenty reworded."""
    lines = []
    for n in range(2_500):
        line = f"Paragraph {n:04d}: the consortium's schools improved leadership"
        if changed and n % 20 == 7:
            line = f"Paragraph {n:04d}: most of the consortium's schools improved"
        lines.append(line.ljust(79, "."))
    return "\n".join(lines)[:200_000]


def _draft_row(world: World, kind: str, versions: int, n: int) -> dict[str, Any]:
    from app.drafts.models import DraftKind, DraftStatus
    from app.reviews.visibility import Scope

    return {
        "id": uuid.uuid4(),
        "review_id": world.review_id,
        "kind": DraftKind(kind),
        "title": f"Draft {n}",
        "organisation_id": world.world.estyn.id,
        "scope": Scope.JOINT,
        "status": DraftStatus.DRAFTING,
        "current_version": versions,
        "created_by_id": world.author_id,
        "created_at": START + timedelta(minutes=n),
        "updated_at": START + timedelta(minutes=n),
    }


def diff(world: World, app: Any, size: int) -> str:
    from app.drafts.models import Draft, DraftVersion

    row = _draft_row(world, "report", 2, 0)
    world.insert(app, Draft.__table__, [row])
    world.insert(
        app,
        DraftVersion.__table__,
        [
            {
                "id": uuid.uuid4(),
                "draft_id": row["id"],
                "number": number,
                "text": long_text(changed=number == 2),
                "created_by_id": world.author_id,
                "created_at": START,
            }
            for number in (1, 2)
        ],
    )
    world.analyse(app)
    return f"/api/v1/drafts/{row['id']}/diff?from=1&to=2"


def _many_drafts(world: World, app: Any, drafts: int, versions: int) -> None:
    from app.drafts.models import Decision, Draft, DraftDecision, DraftVersion

    rows = [
        _draft_row(world, ("report", "press_release", "other")[n % 3], versions, n)
        for n in range(drafts)
    ]
    world.insert(app, Draft.__table__, rows)
    world.insert(
        app,
        DraftVersion.__table__,
        (
            {
                "id": uuid.uuid4(),
                "draft_id": row["id"],
                "number": number,
                "text": f"Version {number} of {row['title']}",
                "created_by_id": world.author_id,
                "created_at": START + timedelta(hours=number),
            }
            for row in rows
            for number in range(1, versions + 1)
        ),
    )
    bodies = (world.world.estyn.id, world.world.audit.id)
    world.insert(
        app,
        DraftDecision.__table__,
        (
            {
                "draft_id": row["id"],
                "version": number,
                "organisation_id": body,
                "decision": Decision.APPROVE if n % 2 else Decision.NO_OBJECTION,
                "by_id": world.author_id,
                "at": START + timedelta(hours=number),
            }
            for n, row in enumerate(rows)
            for number in range(1, versions + 1)
            for body in bodies
        ),
    )
    world.analyse(app)


def draft_list(world: World, app: Any, size: int) -> str:
    _many_drafts(world, app, size, 20)
    return f"/api/v1/reviews/{world.review_id}/drafts?limit=200"


def agreement_page(world: World, app: Any, size: int) -> str:
    _many_drafts(world, app, size, 20)
    return f"/reviews/{world.review_id}/agreement"


CASES = {
    "version diff": (diff, [200_000]),
    "drafts (API)": (draft_list, [200]),
    "agreement page": (agreement_page, [200]),
}


def signed_in_page_client(app: Any, email: str) -> Any:
    """A browser signed in through the form (the page needs a session)."""
    from support.world import PASSWORD

    client = app.test_client()
    form = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token, "no CSRF token on the sign-in page"
    answer = client.post(
        "/sign-in",
        data={"csrf_token": token[1], "email": email, "password": PASSWORD},
    )
    assert answer.status_code == 302, answer.status_code
    return client


def time_request(client: Any, url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def run(kind: str, repeat: int, only: set[str]) -> list[str]:
    verdicts = []
    for name, (fill, sizes) in CASES.items():
        if only and name not in only:
            continue
        (size,) = sizes
        with contextlib.ExitStack() as stack:
            tmp = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
            )
            url = stack.enter_context(scratch_database(kind, tmp))
            app = make_app(url, tmp)
            stack.callback(
                lambda app=app: app.app_context().push() or db.engine.dispose()
            )
            world = World(app)
            started = time.perf_counter()
            path = fill(world, app, size)
            took = time.perf_counter() - started
            print(f"  {kind}: {name} at {size:,} filled ({took:.1f} s)", flush=True)
            if path.startswith("/api/"):
                client = app.test_client()
                headers = {"Authorization": f"Bearer {world.token}"}
            else:
                with app.app_context():
                    email = world.world.users["lead_officer"].email
                client = signed_in_page_client(app, email)
                headers = {}
            for _ in range(max(3, repeat // 10)):
                time_request(client, path, headers)
            values = [time_request(client, path, headers) for _ in range(repeat)]
            median, p95 = summary(values)
            print(f"  {kind} {name} at {size:,}: median {median:.1f} ms, "
                  f"p95 {p95:.1f} ms", flush=True)  # fmt: skip
        ok = median < BAR_MS
        verdicts.append(
            f"{'MET ' if ok else 'MISSED'} {kind} {name}: {median:.1f} ms at "
            f"{size:,} (bar {BAR_MS:.0f} ms)"
        )
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--only", default="", help="comma-separated cases (default: all)"
    )
    args = parser.parse_args()
    verdicts = []
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    for kind in args.databases.split(","):
        print(f"{kind}:", flush=True)
        verdicts += run(kind, args.requests, only)
    print("\n".join(verdicts))
    print(f"(median of {args.requests} requests each)")


if __name__ == "__main__":
    main()
