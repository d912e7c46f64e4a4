"""flask --app wsgi seed-bench: synthetic items in bulk, numbered after the
review's own, stored like uploads, refused in production."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from app.core.db import db
from app.evidence.models import EvidenceFile, EvidenceItem
from support.world import World
from tests.api.test_audit import all_events


def test_seed_bench_fills_a_workspace(world: World, api, app, store) -> None:
    first = api("nominee").upload(world.ws.id, b"A real one\n", "real.txt").get_json()
    runner = app.test_cli_runner()
    done = runner.invoke(
        args=["seed-bench", "--workspace", str(world.ws.id), "--items", "25",
              "--size", "2000", "--batch", "10"]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Added 25 item(s)" in done.output
    items = list(
        db.session.scalars(
            sa.select(EvidenceItem)
            .where(EvidenceItem.workspace_id == world.ws.id)
            .order_by(EvidenceItem.number)
        )
    )
    assert [i.number for i in items] == list(range(1, 27))
    assert items[0].reference == first["reference"]
    assert items[-1].reference.endswith("-026")
    files = list(
        db.session.scalars(
            sa.select(EvidenceFile).where(
                EvidenceFile.item_id.in_([i.id for i in items[1:]])
            )
        )
    )
    assert len(files) == 25
    texts = set()
    for stored in files:
        with store.open(stored.storage_key) as reader:
            data = reader.read()
        assert hashlib.sha256(data).hexdigest() == stored.sha256
        assert len(data) == stored.size >= 2000
        texts.add(data)
        assert data.decode("utf-8")  # text, English and Welsh
    assert len(texts) == 25  # every item its own text
    listed = api("inspector").get(
        f"/workspaces/{world.ws.id}/evidence", query_string={"limit": 200}
    )
    assert len(listed.get_json()["items"]) == 26
    assert [
        e["details"]["items"] for e in all_events(api, action="evidence.seeded")
    ] == [5, 10, 10]


def test_seed_bench_refusals(world: World, app, monkeypatch) -> None:
    runner = app.test_cli_runner()
    missing = runner.invoke(
        args=[
            "seed-bench",
            "--workspace",
            "00000000-0000-0000-0000-000000000001",
            "--items",
            "1",
        ]
    )
    assert missing.exit_code != 0 and "No workspace" in missing.output
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    refused = runner.invoke(
        args=["seed-bench", "--workspace", str(world.ws.id), "--items", "1"]
    )
    assert refused.exit_code != 0 and "not in production" in refused.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem)) == 0
