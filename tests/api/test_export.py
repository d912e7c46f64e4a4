"""The close-out export: one ZIP, streamed as it is built, holding what the
caller may see, every file verifying against SHA256SUMS and the items'
SHA-256s on record."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
import zipfile

import pytest
import sqlalchemy as sa

from app.core.db import db, utcnow
from app.evidence.models import EvidenceFile
from support.api import error_of
from support.world import World
from tests.api.test_audit import all_events


def upload(
    api, world: World, who="nominee", ws=None, name="plan.txt", body=None
) -> dict:
    content = body or f"The text of {name}.\n".encode()
    answer = api(who).upload((ws or world.ws).id, content, name)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def exported(api, world: World, who: str, **query) -> zipfile.ZipFile:
    answer = api(who).get(f"/reviews/{world.review.id}/export", query_string=query)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    assert answer.mimetype == "application/zip"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.is_streamed
    return zipfile.ZipFile(io.BytesIO(answer.get_data()))


def verify_sums(archive: zipfile.ZipFile) -> dict[str, str]:
    """Every file but SHA256SUMS listed once, with its true SHA-256."""
    sums = {}
    for line in archive.read("SHA256SUMS").decode().splitlines():
        digest, path = line.split("  ", 1)
        sums[path] = digest
    names = set(archive.namelist()) - {"SHA256SUMS"}
    assert set(sums) == names
    for name in names:
        assert hashlib.sha256(archive.read(name)).hexdigest() == sums[name], name
    return sums


def test_a_lead_officer_exports_the_whole_review(world: World, api) -> None:
    plan = upload(api, world, name="plan.txt")
    api("nominee").post_file(
        f"/evidence/{plan['id']}/versions", b"Version 2\n", "plan.txt"
    )
    welsh = upload(api, world, name="cofnodion ŵyl.txt")
    gone = upload(api, world, name="withdrawn.txt")
    api("nominee").delete(f"/evidence/{gone['id']}")
    other = upload(api, world, "csc_nominee", world.csc_ws, name="csc.txt")
    api("inspector").post(
        f"/reviews/{world.review.id}/notes", json={"body": "A **joint** note"}
    )
    api("inspector").post(
        f"/reviews/{world.review.id}/hypotheses",
        json={"statement": "Boards challenge."},
    )
    api("inspector").post(
        f"/workspaces/{world.ws.id}/requests", json={"title": "Minutes"}
    )
    archive = exported(api, world, "lead_officer")
    names = set(archive.namelist())
    sums = verify_sums(archive)
    erw = world.ws.name
    assert f"{erw}/{plan['reference']} {plan['title']}/v1-plan.txt" in names
    assert f"{erw}/{plan['reference']} {plan['title']}/v2-plan.txt" in names
    assert (
        archive.read(f"{erw}/{plan['reference']} {plan['title']}/v2-plan.txt")
        == b"Version 2\n"
    )
    assert any(n.endswith("v1-cofnodion ŵyl.txt") for n in names)
    assert any(n.startswith(f"{world.csc_ws.name}/{other['reference']}") for n in names)
    assert not any("withdrawn.txt" in n for n in names)
    documents = {
        "manifest.csv", "manifest.html", "requests.csv", "notes.html",
        "hypotheses.html", "messages.html", "drafts.html", "audit.csv",
    }  # fmt: skip
    assert documents <= names
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert len(manifest) == 4  # plan v1 and v2, the Welsh file, CSC's
    for row in manifest:
        assert row["sha256"] == sums[row["path"]]
    by_item = {r["reference"]: r for r in manifest if r["version"] == "1"}
    assert by_item[welsh["reference"]]["sha256"] == welsh["sha256"]
    assert by_item[welsh["reference"]]["classification"] == welsh["classification"]
    requests = list(csv.DictReader(io.StringIO(archive.read("requests.csv").decode())))
    assert [r["title"] for r in requests] == ["Minutes"]
    assert "<strong>joint</strong>" in archive.read("notes.html").decode()
    assert "Boards challenge." in archive.read("hypotheses.html").decode()
    trail = list(csv.DictReader(io.StringIO(archive.read("audit.csv").decode())))
    assert {"evidence.uploaded", "evidence.withdrawn"} <= {r["action"] for r in trail}
    events = all_events(api, action="export.downloaded")
    assert len(events) == 1 and events[0]["actor_id"] == str(
        world.users["lead_officer"].id
    )


def test_one_workspace_and_what_a_nominee_sees(world: World, api) -> None:
    mine = upload(api, world)
    theirs = upload(api, world, "csc_nominee", world.csc_ws, name="csc.txt")
    api("inspector").post(
        f"/reviews/{world.review.id}/notes", json={"body": "Joint only"}
    )
    archive = exported(api, world, "nominee")
    names = set(archive.namelist())
    verify_sums(archive)
    assert any(n.startswith(f"{world.ws.name}/{mine['reference']}") for n in names)
    assert not any(theirs["reference"] in n for n in names)
    # The inspecting side's work and the audit trail are not a nominee's.
    assert names.isdisjoint(
        {"notes.html", "hypotheses.html", "messages.html", "drafts.html", "audit.csv"}
    )
    assert {"manifest.csv", "manifest.html", "requests.csv", "SHA256SUMS"} <= names
    same = exported(api, world, "nominee", workspace_id=str(world.ws.id))
    assert set(same.namelist()) == names
    refused = api("nominee").get(
        f"/reviews/{world.review.id}/export",
        query_string={"workspace_id": str(world.csc_ws.id)},
    )
    # Another party's workspace is not even there for them.
    assert refused.status_code == 400 and "workspace_id" in error_of(refused)["fields"]
    lead = exported(api, world, "lead_officer", workspace_id=str(world.csc_ws.id))
    assert all(n.startswith(world.csc_ws.name) or "/" not in n for n in lead.namelist())
    assert "audit.csv" in lead.namelist()


def test_who_may_export(world: World, api) -> None:
    path = f"/reviews/{world.review.id}/export"
    for who in (
        "inspector",
        "observer",
        "contributor",
        "csc_contributor",
        "audit_inspector",
    ):
        answer = api(who).get(path)
        assert answer.status_code == 403, who
    for who in ("non_member",):
        assert api(who).get(path).status_code == 404
    assert api("admin").get(path).status_code == 403
    assert api("lead_officer").get(f"/reviews/{uuid.uuid4()}/export").status_code == 404
    bad = api("lead_officer").get(path, query_string={"workspace_id": "nope"})
    assert bad.status_code == 400 and "workspace_id" in error_of(bad)["fields"]
    assert all_events(api, action="export.downloaded") == []


def test_deleted_content_is_left_out_but_listed_nowhere_as_a_file(
    world: World, api
) -> None:
    item = upload(api, world)
    db.session.execute(
        sa.update(EvidenceFile)
        .where(EvidenceFile.item_id == uuid.UUID(item["id"]))
        .values(purged_at=utcnow())
    )
    db.session.commit()
    archive = exported(api, world, "lead_officer")
    assert not any(item["reference"] in n for n in archive.namelist())
    verify_sums(archive)


def test_a_file_changed_in_the_store_fails_the_archives_check(
    world: World, api, store
) -> None:
    """SHA256SUMS carries the SHA-256 on record: a file that no longer
    matches it is found by anyone checking the archive."""
    item = upload(api, world)
    stored = db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.item_id == uuid.UUID(item["id"]))
    ).one()
    stored.sha256 = "0" * 64  # the record says one thing, the store another
    db.session.commit()
    archive = exported(api, world, "lead_officer")
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [r["sha256"] for r in manifest] == ["0" * 64]
    with pytest.raises(AssertionError):
        verify_sums(archive)
