"""The audit trail's pages: a review's for its lead officers, the portal's
for administrators, each with filters and a CSV of what they show; and, on
an evidence item, who has viewed and downloaded it."""

from __future__ import annotations

import csv
import io

from support.pages import PageClient
from support.world import World
from tests.pages.test_drafts_pages import main, signed_in, words


def upload(api, world: World, name: str = "plan.txt") -> dict:
    answer = api("nominee").upload(world.ws.id, b"Our plan.\n", name)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_lead_officer_reads_the_review_trail(app, world: World, api) -> None:
    item = upload(api, world)
    api("inspector").get(f"/evidence/{item['id']}/content")
    lead = signed_in(app, world, "lead_officer")
    review = lead.text(f"/reviews/{world.review.id}")
    assert f"/reviews/{world.review.id}/audit" in review
    page = words(main(lead.text(f"/reviews/{world.review.id}/audit")))
    assert "Evidence downloaded" in page and "Evidence uploaded" in page
    assert world.users["inspector"].name in page
    only_evidence = words(
        main(lead.text(f"/reviews/{world.review.id}/audit?family=evidence"))
    )
    assert "Evidence downloaded" in only_evidence
    assert "Member added" not in only_evidence
    # Days in Wales; a day with nothing in it shows nothing.
    empty = lead.text(f"/reviews/{world.review.id}/audit?from=2000-01-01&to=2000-01-02")
    assert "No entries match." in empty
    bad = lead.get(f"/reviews/{world.review.id}/audit?from=last+week")
    assert bad.status_code == 400
    assert "year-month-day" in bad.get_data(as_text=True)
    assert (
        lead.get(f"/reviews/{world.review.id}/audit?family=nonsense").status_code == 400
    )
    # The CSV holds what the page shows.
    answer = lead.get(f"/reviews/{world.review.id}/audit.csv?family=evidence")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert rows and {r["action"].split(".")[0] for r in rows} == {"evidence"}


def test_who_has_viewed_and_downloaded_an_item(app, world: World, api) -> None:
    item = upload(api, world)
    api("contributor").get(f"/evidence/{item['id']}/content")
    api("contributor").get(f"/evidence/{item['id']}/content")
    lead = signed_in(app, world, "lead_officer")
    page = words(main(lead.text(f"/evidence/{item['id']}")))
    assert "Who has viewed and downloaded this" in page
    # The contributor downloaded twice and never opened the page; the lead
    # officer is opening it now.
    assert f"{world.users['contributor'].name} 0 2" in page
    assert f"{world.users['lead_officer'].name} 1 0" in page
    for who in ("inspector", "nominee"):
        other = signed_in(app, world, who)
        assert "Who has viewed and downloaded this" not in other.text(
            f"/evidence/{item['id']}"
        ), who
    trail = words(
        main(lead.text(f"/reviews/{world.review.id}/audit?subject={item['id']}"))
    )
    assert "Showing what happened to one item only." in trail
    assert "Member added" not in trail and "Evidence downloaded" in trail


def test_the_portal_trail_is_for_administrators(app, world: World, api) -> None:
    api("admin").post(
        "/organisations",
        json={"slug": "ysgol-y-bryn", "name": "Ysgol y Bryn", "kind": "school"},
    )
    admin = PageClient(app.test_client())
    assert admin.sign_in(world.users["admin"].email).status_code == 302
    assert "/admin/audit" in admin.text("/admin/")
    page = words(main(admin.text("/admin/audit?family=organisation")))
    assert "Organisation created" in page
    of_review = words(main(admin.text(f"/admin/audit?review={world.review.id}")))
    assert "Organisation created" not in of_review
    lead = signed_in(app, world, "lead_officer")
    assert lead.get("/admin/audit").status_code == 403
    assert lead.get("/admin/audit.csv").status_code == 403
