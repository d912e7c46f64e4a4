"""Request lists over HTTP, against gunicorn with two workers: references
stay unique when several inspectors ask at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from e2e_support import People, Portal, fixture_bytes, staff_review

pytestmark = pytest.mark.slow


def test_references_stay_unique_under_concurrent_requests(
    portal: Portal, people: People
) -> None:
    review = staff_review(portal, people, "Concurrent requests", ["estyn"], ["erw"])
    workspace = review.workspaces[people.org_id("erw")]
    askers = [p for p in people.of("estyn") if p.key.split("/")[1] != "observer"]
    assert len(askers) >= 2

    def ask(n: int) -> str:
        client = askers[n % len(askers)].client
        made = client.data(
            "POST",
            f"/workspaces/{workspace['id']}/requests",
            201,
            json={"title": f"Request {n}"},
        )
        return str(made["ref"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        refs = list(pool.map(ask, range(24)))
    assert sorted(refs) == [f"R-{n:03d}" for n in range(1, 25)]

    # And one list to every workspace at the same time as more single asks.
    with ThreadPoolExecutor(max_workers=4) as pool:
        batch = pool.submit(
            askers[0].client.data,
            "POST",
            f"/reviews/{review.id}/requests",
            201,
            json={"requests": [{"title": f"Batch {n}"} for n in range(5)]},
        )
        singles = list(pool.map(ask, range(100, 105)))
        batch_refs = [item["ref"] for item in batch.result()["items"]]
    every = sorted(refs + singles + batch_refs)
    assert every == [f"R-{n:03d}" for n in range(1, 35)]


def test_simultaneous_decisions_take_effect_once(
    portal: Portal, people: People
) -> None:
    review = staff_review(portal, people, "Concurrent decisions", ["estyn"], ["erw"])
    workspace = review.workspaces[people.org_id("erw")]
    inspector = people["estyn/inspector"].client
    lead = people["estyn/lead_officer"].client
    nominee = people["erw/nominee"].client
    made = inspector.data(
        "POST", f"/workspaces/{workspace['id']}/requests", 201, json={"title": "Plan"}
    )
    nominee.upload(
        workspace["id"],
        "report.pdf",
        fixture_bytes("report.pdf"),
        expect=201,
        fields={"request_id": made["id"]},
    )
    url = f"/requests/{made['id']}/decision"
    bodies = [
        (inspector, {"decision": "accept"}),
        (lead, {"decision": "return", "reason": "Not signed."}),
    ] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda cb: cb[0].post(url, json=cb[1]), bodies))
    statuses = sorted(a.status_code for a in answers)
    # Exactly one decision is taken; every other one finds it already made.
    assert statuses == [200, 409, 409, 409, 409, 409], statuses
    final = nominee.data("GET", f"/requests/{made['id']}", 200)
    winner = next(a for a in answers if a.status_code == 200).json()
    assert final["status"] == winner["status"] in {"accepted", "returned"}
