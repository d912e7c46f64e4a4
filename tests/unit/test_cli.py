"""The command line, run as an operator would: `flask --app wsgi <command>`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from config.settings import PROJECT_ROOT

STRONG = "correct horse battery staple 42"


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "EVIDENCE_STORE": f"fs:{tmp_path / 'evidence'}",
        "SECRET_KEY": "cli-test-secret-key-long-enough-0123456789",
    }


def test_init_db_is_safe_to_run_twice(env: dict[str, str]) -> None:
    first = flask(env, "init-db")
    assert first.returncode == 0, first.stderr
    assert "Database ready" in first.stdout and "Evidence store ready" in first.stdout
    second = flask(env, "init-db")
    assert second.returncode == 0, second.stderr


def test_init_db_reports_an_unusable_store(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("x")
    env["EVIDENCE_STORE"] = f"fs:{tmp_path / 'not-a-dir'}"
    result = flask(env, "init-db")
    assert result.returncode != 0
    assert "EVIDENCE_STORE" in result.stderr or "evidence" in result.stderr.lower()


def test_create_admin(env: dict[str, str]) -> None:
    assert flask(env, "init-db").returncode == 0
    made = flask(
        env, "create-admin", "Root@Example.org", "--name", "Root", "--password", STRONG
    )
    assert made.returncode == 0, made.stderr
    assert "root@example.org" in made.stdout
    again = flask(
        env, "create-admin", "root@example.org", "--name", "Root", "--password", STRONG
    )
    assert again.returncode != 0
    assert "already exists" in again.stderr
    weak = flask(
        env, "create-admin", "x@example.org", "--name", "X", "--password", "password"
    )
    assert weak.returncode != 0
    assert "characters" in weak.stderr or "guess" in weak.stderr
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT is_admin, organisation_id, password_hash FROM users")
        ).one()
    engine.dispose()
    assert row.is_admin and row.organisation_id is None
    assert row.password_hash.startswith("$argon2id$")


def test_seed_demo_twice_and_refused_in_production(env: dict[str, str]) -> None:
    assert flask(env, "init-db").returncode == 0
    seeded = flask(env, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "Improving schools through regional education consortia" in seeded.stdout
    assert "nominee@erw.demo.example" in seeded.stdout
    assert flask(env, "seed-demo").returncode == 0
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        # The consortia's joint review, and the committee's of three schools.
        assert connection.scalar(sa.text("SELECT count(*) FROM reviews")) == 2
        assert connection.scalar(sa.text("SELECT count(*) FROM workspaces")) == 7
        count = lambda table: connection.scalar(  # noqa: E731
            sa.text(f"SELECT count(*) FROM {table}")
        )
        # Four themes each; four four-day visits (4 sessions and 4 team
        # meetings each) and three engagement sessions; three notes (one a
        # reply), three hypotheses (two moved on, with their reasons).
        assert (count("themes"), count("visits"), count("sessions")) == (8, 7, 35)
        assert (count("notes"), count("hypotheses")) == (3, 3)
        assert count("hypothesis_changes") == 5
        statuses = sa.text("SELECT status, count(*) FROM hypotheses GROUP BY 1")
        assert dict(connection.execute(statuses).all()) == {
            "emerging": 1, "supported": 1, "partly_supported": 1,
        }  # fmt: skip
        stages = sa.text("SELECT status FROM reviews ORDER BY created_at")
        assert list(connection.scalars(stages)) == ["reporting", "planning"]
        # Agreement: three headline messages (two agreed by both bodies, one
        # by Estyn alone); each body's report (three and two versions, a
        # comment from the other body), the press release and ERW's feedback
        # (issued, with a factual-accuracy comment), each decided by both;
        # the publication agreed by both.
        assert (count("headline_messages"), count("message_agreements")) == (3, 5)
        assert (count("drafts"), count("draft_versions")) == (4, 7)
        assert (count("draft_decisions"), count("draft_comments")) == (8, 2)
        assert count("accuracy_comments") == 1
        assert count("publication_agreements") == 2
        drafts = sa.text("SELECT kind, status FROM drafts ORDER BY kind")
        assert sorted(connection.execute(drafts).all()) == [
            ("feedback", "issued"), ("press_release", "agreed"),
            ("report", "agreed"), ("report", "agreed"),
        ]  # fmt: skip
        published_from = sa.text("SELECT published_from FROM reviews")
        assert sum(v is not None for v in connection.scalars(published_from)) == 1
        # Four plain files, and three answering ERW's requests (of which it
        # has five, and the three other workspaces one each).
        assert connection.scalar(sa.text("SELECT count(*) FROM evidence_files")) == 7
        requests = sa.text("SELECT status, count(*) FROM evidence_requests GROUP BY 1")
        assert dict(connection.execute(requests).all()) == {
            "open": 5,
            "submitted": 1,
            "returned": 1,
            "accepted": 1,
        }
    engine.dispose()
    env["PORTAL_ENV"] = "production"
    refused = flask(env, "seed-demo")
    assert refused.returncode != 0
    assert "not in production" in refused.stderr


def test_fixity_and_sweeper(env: dict[str, str], tmp_path: Path) -> None:
    assert flask(env, "init-db").returncode == 0
    assert flask(env, "seed-demo").returncode == 0
    clean = flask(env, "check-fixity")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Checked 7 file(s): 0 problem(s)" in clean.stdout

    blobs = sorted(p for p in (tmp_path / "evidence").rglob("*") if p.is_file())
    assert len(blobs) == 7
    blobs[0].write_bytes(blobs[0].read_bytes() + b"tampered")
    blobs[1].unlink()
    damaged = flask(env, "check-fixity")
    assert damaged.returncode == 1
    assert "CHANGED" in damaged.stdout and "MISSING" in damaged.stdout
    assert "2 problem(s)" in damaged.stdout

    # An orphan blob (stored, no row) and a stale temporary file.
    orphan = tmp_path / "evidence" / "ab" / "cd" / ("abcd" + "0" * 28)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"orphan")
    temp = orphan.parent / ".tmp-interrupted"
    temp.write_bytes(b"half")
    kept = flask(env, "sweep-storage")  # both are younger than a day
    assert kept.returncode == 0 and orphan.exists() and temp.exists()
    dry = flask(env, "sweep-storage", "--older-than-hours", "0", "--dry-run")
    assert "Would remove 1 orphan" in dry.stdout and orphan.exists()
    swept = flask(env, "sweep-storage", "--older-than-hours", "0")
    assert swept.returncode == 0, swept.stderr
    assert "Removed 1 orphan" in swept.stdout
    assert "Removed 1 stale" in swept.stdout
    assert not orphan.exists() and not temp.exists()
    # Evidence with rows is never swept.
    assert all(p.exists() for p in blobs if p != blobs[1])
