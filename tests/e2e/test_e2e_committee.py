"""Scenario: one inspecting body (a scrutiny committee) and six schools."""

from __future__ import annotations

import pytest

from e2e_support import (
    CLAIMED,
    MEDIA_TYPES,
    Portal,
    content_disposition_filename,
    fixture_bytes,
    saved_name,
    sha256,
    unique,
)

pytestmark = pytest.mark.slow

SCHOOLS = 6


def test_one_committee_six_schools(portal: Portal) -> None:
    admin = portal.admin
    committee = portal.create_org("committee", "scrutiny", name_cy="Pwyllgor craffu")
    staff = {
        role: portal.create_user(committee, f"committee/{role}")
        for role in ("lead_officer", "inspector", "observer")
    }
    schools = [portal.create_org("school", f"school{n}") for n in range(SCHOOLS)]
    # Welsh-medium schools choose Welsh.
    nominees = [
        portal.create_user(s, f"school{n}/nominee", "cy" if n % 2 else "en")
        for n, s in enumerate(schools)
    ]
    contributors = {
        n: portal.create_user(schools[n], f"school{n}/contributor") for n in (0, 5)
    }
    portal.create_org("local_authority", "council", name_cy="Cyngor")
    review = portal.create_review(
        unique("School engagement: ALN transformation"),
        [committee["id"]],
        [s["id"] for s in schools],
        title_cy="Ymgysylltu \u00e2 ysgolion: trawsnewid ADY",
    )
    seen = admin.data("GET", f"/reviews/{review.id}", 200)
    portal.set_role(admin, review.id, staff["lead_officer"], "lead_officer")
    for role in ("inspector", "observer"):
        portal.set_role(staff["lead_officer"].client, review.id, staff[role], role)
    for n, nominee in enumerate(nominees):
        portal.set_role(admin, review.id, nominee, "nominee")
        if n in contributors:
            portal.set_role(nominee.client, review.id, contributors[n], "contributor")

    assert seen["title_cy"] == review.body["title_cy"]

    # Committee members see all six workspaces (walked two at a time).
    for person in staff.values():
        listed = person.client.walk(f"/reviews/{review.id}/workspaces", 2)
        assert len(listed) == SCHOOLS, person.key
        assert sorted(w["organisation_id"] for w in listed) == sorted(
            s["id"] for s in schools
        )
    portal.load_workspaces(review, staff["observer"].client)

    # Each school sees only its own workspace and uploads into it.
    names = ["report.pdf", "attendance.csv", "chart.png", "minutes.docx"]
    uploaded = {}
    for n, school in enumerate(schools):
        workspace = review.workspaces[school["id"]]
        nominee = nominees[n]
        own = nominee.client.walk(f"/reviews/{review.id}/workspaces", 50)
        assert [w["id"] for w in own] == [workspace["id"]], nominee.key
        uploader = contributors.get(n, nominee)
        name = names[n % len(names)]
        data = fixture_bytes(name)
        item = uploader.client.upload(
            workspace["id"], name, data, CLAIMED[name], expect=201
        ).json()
        assert item["media_type"] == MEDIA_TYPES[name]
        assert item["sha256"] == sha256(data) and item["size"] == len(data)
        assert item["uploaded_by"] == uploader.id
        uploaded[school["id"]] = (item, data)

    # The committee reads every school's evidence, byte for byte.
    for person in (staff["lead_officer"], staff["inspector"]):
        for school in schools:
            workspace = review.workspaces[school["id"]]
            item, data = uploaded[school["id"]]
            listed = person.client.walk(f"/workspaces/{workspace['id']}/evidence", 10)
            assert [i["id"] for i in listed] == [item["id"]]
            resp = person.client.get(f"/evidence/{item['id']}/content", expect=200)
            assert resp.content == data
            assert resp.headers.get("ETag") == f'"{sha256(data)}"'
            disposition = resp.headers.get("Content-Disposition", "")
            assert content_disposition_filename(disposition) == (
                "attachment",
                saved_name(item),
            )

    # A school sees another school's evidence nowhere.
    other_item = uploaded[schools[1]["id"]][0]
    for path in (
        f"/workspaces/{other_item['workspace_id']}",
        f"/workspaces/{other_item['workspace_id']}/evidence",
        f"/evidence/{other_item['id']}",
        f"/evidence/{other_item['id']}/content",
    ):
        assert nominees[0].client.get(path).status_code == 404, path
