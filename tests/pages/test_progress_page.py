"""The progress page: a table of each workspace's requests, in both languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.intake import services
from app.intake.progress import today_in_wales
from support.pages import PageClient, heading
from support.world import World


def cells(html: str) -> dict[str, list[str]]:
    """Each body row of the table: its heading -> its numbers."""
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>")[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        name = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S)[1])
        numbers = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[name.strip()] = numbers
    return rows


@pytest.fixture
def asked(world: World) -> None:
    inspector = world.users["inspector"]
    overdue = today_in_wales() - timedelta(days=1)
    services.create_request(inspector, world.ws, title="Plan", due_date=overdue)
    services.create_request(inspector, world.ws, title="Minutes")
    services.create_request(inspector, world.csc_ws, title="Minutes")


def test_the_inspectors_see_every_workspace_and_the_totals(
    world: World, client, asked
) -> None:
    browser = PageClient(client)
    browser.sign_in(world.users["inspector"].email)
    response = browser.get(f"/reviews/{world.review.id}/progress")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert heading(html) == "Progress of the requests for evidence"
    # Open, Submitted, Accepted, Returned, Overdue, Withdrawn, Total
    assert cells(html) == {
        "ERW": ["2", "0", "0", "0", "1", "0", "2"],
        "CSC": ["1", "0", "0", "0", "0", "0", "1"],
        "All workspaces": ["3", "0", "0", "0", "1", "0", "3"],
    }
    assert re.search(r'<th scope="col"[^>]*>Overdue</th>', html)
    assert f'href="/workspaces/{world.ws.id}"' in html
    # The review page links to it.
    review = browser.text(f"/reviews/{world.review.id}")
    assert f'href="/reviews/{world.review.id}/progress"' in review


def test_a_reviewed_party_sees_only_its_own_row(world: World, client, asked) -> None:
    browser = PageClient(client)
    browser.sign_in(world.users["csc_nominee"].email)
    html = browser.text(f"/reviews/{world.review.id}/progress")
    assert cells(html) == {"CSC": ["1", "0", "0", "0", "0", "0", "1"]}
    assert "ERW" not in html


def test_the_page_in_welsh(world: World, client, asked) -> None:
    browser = PageClient(client)
    browser.sign_in(world.users["lead_officer"].email)
    browser.get("/privacy?lang=cy")
    html = browser.text(f"/reviews/{world.review.id}/progress")
    assert '<html lang="cy"' in html
    # The date of the count, in Welsh.
    months = [
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
    ]
    months += ["Hydref", "Tachwedd", "Rhagfyr"]
    caption = re.search(r"<caption[^>]*>(.*?)</caption>", html, re.S)[1]
    assert any(m in caption for m in months), caption
    assert cells(html)["ERW"] == ["2", "0", "0", "0", "1", "0", "2"]


def test_outsiders_and_administrators(world: World, app) -> None:
    path = f"/reviews/{world.review.id}/progress"
    outsider = PageClient(app.test_client())
    outsider.sign_in(world.users["non_member"].email)
    assert outsider.get(path).status_code == 404
    assert outsider.get("/reviews/not-an-id/progress").status_code == 404
    admin = PageClient(app.test_client())
    admin.sign_in(world.users["admin"].email)
    assert admin.get(path).status_code == 403
    # No link to it for an administrator who is not a member.
    assert f"{path}" not in admin.text(f"/reviews/{world.review.id}")
    anonymous = PageClient(app.test_client()).get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/sign-in")
