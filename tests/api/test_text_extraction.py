"""Text extraction after the upload commits: text_status on every item; a
job queued only for what was stored; on RQ with the Redis of the machine,
run by a real RQ worker, its failures kept in the failed-job list."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.jobs import services as jobs
from app.search.models import EvidenceText
from support.world import World

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "files"


def upload(api, world: World, name: str, content: bytes | None = None) -> dict:
    data = content if content is not None else (FILES / name).read_bytes()
    answer = api("nominee").upload(world.ws.id, data, name)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def text_of(item: dict) -> EvidenceText:
    from app.evidence.models import EvidenceFile

    file_id = db.session.scalars(
        sa.select(EvidenceFile.id).where(EvidenceFile.item_id == uuid.UUID(item["id"]))
    ).one()
    row = db.session.get(EvidenceText, file_id)
    assert row is not None
    db.session.refresh(row)
    return row


@pytest.mark.parametrize(
    ("name", "status"),
    [("notes.txt", "indexed"), ("report.pdf", "indexed"),
     ("minutes.docx", "indexed"), ("budget.xlsx", "indexed"),
     ("minutes.odt", "indexed"), ("letter.rtf", "indexed"),
     ("attendance.csv", "indexed"), ("photo.jpg", "no_text"),
     ("interview.mp3", "no_text")],
)  # fmt: skip
def test_every_item_says_where_its_text_is(world: World, api, name, status) -> None:
    item = upload(api, world, name)
    seen = api("inspector").get(f"/evidence/{item['id']}").get_json()
    assert seen["text_status"] == status
    row = text_of(item)
    assert row.status.value == status
    if status == "indexed":
        assert row.text and row.text.strip()
    listed = api("inspector").get(f"/workspaces/{world.ws.id}/evidence").get_json()
    assert [i["text_status"] for i in listed["items"] if i["id"] == item["id"]] == [
        status
    ]


def test_a_hostile_file_ends_failed_and_the_upload_stands(world: World, api) -> None:
    # A PDF header on a broken body: accepted as a PDF, unreadable as one.
    item = upload(api, world, "broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 500)
    assert (
        api("inspector").get(f"/evidence/{item['id']}").get_json()["text_status"]
        == "failed"
    )
    assert api("inspector").get(f"/evidence/{item['id']}/content").status_code == 200


def test_a_new_version_is_extracted_and_is_the_status(world: World, api) -> None:
    item = upload(api, world, "photo.jpg")
    assert (
        api("nominee")
        .post_file(
            f"/evidence/{item['id']}/versions", b"Minutes of the board\n", "minutes.txt"
        )
        .status_code
        == 201
    )
    assert (
        api("inspector").get(f"/evidence/{item['id']}").get_json()["text_status"]
        == "indexed"
    )


def test_no_job_for_what_was_not_stored(world: World, api, monkeypatch) -> None:
    queued: list[tuple] = []
    monkeypatch.setattr(
        jobs.InlineRunner,
        "submit",
        lambda self, name, args: queued.append((name, args)),
    )
    refused = api("nominee").upload(
        world.ws.id, (FILES / "program.exe").read_bytes(), "program.exe"
    )
    assert refused.status_code == 415
    wrong = api("nominee").upload(
        world.ws.id, b"hello\n", "a.txt", fields={"sha256": "0" * 64}
    )
    assert wrong.status_code == 400
    assert queued == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceText)) == 0
    upload(api, world, "notes.txt")
    assert [name for name, _args in queued] == ["extract_text"]


@pytest.fixture
def on_rq(app, monkeypatch):
    """The app's jobs on a real Redis queue of their own, for this test."""
    from redis import Redis

    name = f"portal-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setitem(app.config, "JOBS_QUEUE", name)
    monkeypatch.delitem(app.extensions, "portal_jobs", raising=False)
    yield jobs.runner(app)
    app.extensions.pop("portal_jobs", None)
    connection = Redis.from_url("redis://127.0.0.1:6379/0")
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)


def test_jobs_go_through_redis_to_an_rq_worker(world: World, api, app, on_rq) -> None:
    from rq import SimpleWorker

    item = upload(api, world, "notes.txt")
    # Queued, not done: nothing in this process ran it.
    assert (
        api("inspector").get(f"/evidence/{item['id']}").get_json()["text_status"]
        == "pending"
    )
    assert on_rq.queue.count == 1
    job = on_rq.queue.jobs[0]
    assert job.retries_left == len(jobs.RETRY_INTERVALS)
    jobs.set_worker_app(app)
    # A real RQ worker (without forking, so it shares this test's database
    # transaction), in burst mode: it runs what is queued, then stops.
    SimpleWorker([on_rq.queue], connection=on_rq.connection).work(burst=True)
    assert text_of(item).status.value == "indexed"
    assert (
        api("inspector").get(f"/evidence/{item['id']}").get_json()["text_status"]
        == "indexed"
    )


def test_a_failing_job_is_kept_in_the_failed_list(world: World, app, on_rq) -> None:
    from rq import SimpleWorker

    on_rq.queue.enqueue_call(
        "app.jobs.services.run_job", args=("extract_text", "not-an-id"),
        description="extract_text('not-an-id',)",
    )  # fmt: skip
    jobs.set_worker_app(app)
    SimpleWorker([on_rq.queue], connection=on_rq.connection).work(burst=True)
    assert len(on_rq.queue.failed_job_registry) == 1
    listed = app.test_cli_runner().invoke(args=["jobs"])
    assert listed.exit_code == 0
    assert "1 failed job(s)" in listed.output and "not-an-id" in listed.output
    assert "ValueError" in listed.output


def test_the_worker_needs_redis(app) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output
