"""Every page in Welsh has no English left in it (apart from what users typed)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from support.pages import PageClient
from support.world import World
from tests.unit.test_translations import CATALOGUE

# Words that appear in Welsh text only when something was left in English.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|your|you|this|that|with|from|which|there|here|have|has|not|"
    r"will|can|cannot|should|must|upload|uploaded|evidence|review|members?|"
    r"sign|signed|choose|page|file|files|name|role|please|error)\b",
    re.I,
)


class VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes and labelling attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # lang="zxx": no language at all (an audit entry's recorded data,
        # field names and values as stored), read by no one as prose.
        if tag in ("script", "style") or ("lang", "zxx") in attrs:
            self._skip += 1
            self._skipping.append(tag)
        for name, value in attrs:
            if value and name in ("title", "aria-label", "alt", "placeholder"):
                self.texts.append(value)
            if (value and name.startswith("data-i18n.")) or (
                value and name.startswith("data-text-")
            ):
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(re.sub(r"\s+", " ", data.strip()))


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


@pytest.fixture(scope="module")
def english_messages() -> set[str]:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    return {
        str(m.id)
        for m in catalogue
        if m.id and str(m.id) != str(m.string) and len(str(m.id)) > 3
    }


PAGES = [
    ("admin", "/admin/"),
    ("admin", "/admin/organisations"),
    ("admin", "/admin/users"),
    ("admin", "/admin/reviews"),
    ("admin", "/admin/reviews/new"),
    ("lead_officer", "/"),
    ("lead_officer", "/reviews/{review}"),
    ("lead_officer", "/reviews/{review}/members"),
    ("lead_officer", "/reviews/{review}/progress"),
    ("contributor", "/workspaces/{ws}"),
    ("contributor", "/evidence/{item}"),
    ("nominee", "/evidence/{item}/withdraw"),
    ("nominee", "/no-such-page"),
    ("contributor", "/admin/"),
    (None, "/sign-in"),
    (None, "/accessibility"),
    (None, "/privacy"),
    # Requests for evidence ({request}: submitted, shared out, Welsh title).
    ("contributor", "/workspaces/{ws}/requests"),
    ("nominee", "/requests/{request}"),
    ("inspector", "/requests/{request}"),
    ("inspector", "/workspaces/{ws}/requests/new"),
    ("lead_officer", "/reviews/{review}/requests/new"),
    ("lead_officer", "/requests/{request}/withdraw"),
    # ZIP import.
    ("contributor", "/workspaces/{ws}/import"),
    # Joint working: notes ({note}: the inspector's, shared with ws, with a
    # reply and a mention of the lead officer), notifications.
    ("nominee", "/workspaces/{ws}"),
    ("inspector", "/evidence/{item}"),
    ("inspector", "/notes/{note}/reply"),
    ("inspector", "/notes/{note}/edit"),
    ("lead_officer", "/notes/{note}/delete"),
    ("lead_officer", "/notifications"),
    # Hypotheses ({hypothesis}: supported, with a reason and evidence).
    ("observer", "/reviews/{review}/hypotheses"),
    ("inspector", "/reviews/{review}/hypotheses/new"),
    ("lead_officer", "/hypotheses/{hypothesis}"),
    ("inspector", "/hypotheses/{hypothesis}/change"),
    ("inspector", "/hypotheses/{hypothesis}/evidence"),
    # Fieldwork ({session}: an interview with attendees, at ERW).
    ("inspector", "/reviews/{review}/timetable"),
    ("nominee", "/reviews/{review}/timetable"),
    ("inspector", "/reviews/{review}/visits/new"),
    ("inspector", "/visits/{visit}/sessions/new"),
    ("contributor", "/sessions/{session}"),
    ("inspector", "/sessions/{session}/edit"),
    ("inspector", "/visits/{visit}/edit"),
    ("contributor", "/calendar"),
    ("lead_officer", "/reviews/{review}/themes"),
    ("nominee", "/reviews/{review}/themes"),
    ("lead_officer", "/themes/{theme}/edit"),
    # Headline messages ({message}: with its Welsh text).
    ("lead_officer", "/reviews/{review}/messages"),
    ("observer", "/reviews/{review}/messages/brief"),
    ("inspector", "/reviews/{review}/messages/new"),
    ("lead_officer", "/messages/{message}"),
    ("inspector", "/messages/{message}/edit"),
    ("inspector", "/messages/{message}/delete"),
    # Agreement ({draft}: a joint press release in two versions, in Welsh;
    # {feedback}: issued to ERW; a publication proposed).
    ("inspector", "/reviews/{review}/drafts"),
    ("nominee", "/reviews/{review}/drafts"),
    ("inspector", "/reviews/{review}/drafts/new"),
    ("lead_officer", "/drafts/{draft}"),
    ("nominee", "/drafts/{feedback}"),
    ("inspector", "/drafts/{draft}/versions/1"),
    ("inspector", "/drafts/{draft}/versions/new"),
    ("observer", "/drafts/{draft}/compare?from=1&to=2"),
    ("lead_officer", "/reviews/{review}/publication"),
    ("lead_officer", "/reviews/{review}/agreement"),
    # Records.
    ("lead_officer", "/reviews/{review}/audit"),
    ("admin", "/admin/audit"),
    ("nominee", "/workspaces/{ws}/withdrawn"),
    ("lead_officer", "/reviews/{review}/export"),
    ("nominee", "/reviews/{review}/export"),
]


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[p for _, p in PAGES])
def test_welsh_pages_are_all_welsh(
    who: str | None, path: str, world: World, client, api, english_messages
) -> None:
    asked = (
        api("inspector")
        .post(
            f"/workspaces/{world.ws.id}/requests",
            json={
                "title": "Business plan",
                "title_cy": "Cynllun busnes",
                "description": "Y cynllun a gymeradwywyd.",
                "theme": "Arweinyddiaeth",
                "due_date": "2026-12-18",
            },
        )
        .get_json()
    )
    api("nominee").put(
        f"/requests/{asked['id']}/assignees",
        json={"user_ids": [str(world.users["contributor"].id)]},
    )
    item = (
        api("nominee")
        .upload(
            world.ws.id,
            b"cofnodion",
            "cofnodion.txt",
            fields={"request_id": asked["id"]},
        )
        .get_json()
    )
    note = (
        api("inspector")
        .post(
            f"/reviews/{world.review.id}/notes",
            json={
                "body": "Cofnodion **cryf**: gweler y cynllun.",
                "subject": {"type": "workspace", "id": str(world.ws.id)},
                "scope": "workspace",
                "mentions": [str(world.users["lead_officer"].id)],
            },
        )
        .get_json()
    )
    api("nominee").post(
        f"/reviews/{world.review.id}/notes",
        json={"body": "Diolch.", "reply_to": note["id"]},
    )
    api("inspector").patch(f"/notes/{note['id']}", json={"body": "Cofnodion cryf."})
    hypothesis = (
        api("inspector")
        .post(
            f"/reviews/{world.review.id}/hypotheses",
            json={
                "statement": "Mae byrddau'n herio.",
                "statement_cy": "Mae byrddau'n herio.",
                "theme": "Llywodraethu",
                "workspace_id": str(world.ws.id),
            },
        )
        .get_json()
    )
    api("inspector").patch(
        f"/hypotheses/{hypothesis['id']}",
        json={"status": "supported", "reason": "Cyfweliadau."},
    )
    api("inspector").put(
        f"/hypotheses/{hypothesis['id']}/evidence", json={"evidence_ids": [item["id"]]}
    )
    visit = (
        api("inspector")
        .post(
            f"/reviews/{world.review.id}/visits",
            json={
                "workspace_id": str(world.ws.id),
                "starts_on": "2027-03-01",
                "ends_on": "2027-03-02",
                "mode": "council_chamber",
                "title": "Ymweliad",
                "title_cy": "Ymweliad",
            },
        )
        .get_json()
    )
    session = (
        api("inspector")
        .post(
            f"/visits/{visit['id']}/sessions",
            json={
                "kind": "interview",
                "title": "Cyfweliad",
                "title_cy": "Cyfweliad",
                "starts_at": "2027-03-01T09:00:00Z",
                "ends_at": "2027-03-01T10:00:00Z",
                "location": "Neuadd y Sir",
                "attendees": [{"name": "Betsan Jones", "role": "Rheolwr gyfarwyddwr"}],
            },
        )
        .get_json()
    )
    theme = (
        api("lead_officer")
        .post(
            f"/reviews/{world.review.id}/themes",
            json={"name": "Arweinyddiaeth", "name_cy": "Arweinyddiaeth"},
        )
        .get_json()
    )
    message = (
        api("inspector")
        .post(
            f"/reviews/{world.review.id}/messages",
            json={"text": "Arweinyddiaeth", "text_cy": "Arweinyddiaeth"},
        )
        .get_json()
    )
    for lead in ("lead_officer", "audit_lead"):
        api(lead).put(f"/messages/{message['id']}/agreement")
    drafts = {}
    for kind, extra in (
        ("press_release", {}),
        ("feedback", {"workspace_id": str(world.ws.id)}),
    ):
        drafts[kind] = (
            api("inspector")
            .post(
                f"/reviews/{world.review.id}/drafts",
                json={
                    "kind": kind,
                    "title": "Datganiad",
                    "title_cy": "Datganiad",
                    **extra,
                },
            )
            .get_json()["id"]
        )
        for text in ("Arweinyddiaeth gref", "Arweinyddiaeth gref iawn"):
            api("inspector").post(
                f"/drafts/{drafts[kind]}/versions", json={"text": text, "text_cy": text}
            )
        for lead, org in (("lead_officer", world.estyn), ("audit_lead", world.audit)):
            api(lead).put(
                f"/drafts/{drafts[kind]}/approvals/{org.id}",
                json={"decision": "approve", "version": 2},
            )
    api("lead_officer").post(f"/drafts/{drafts['feedback']}/issue")
    api("lead_officer").put(
        f"/reviews/{world.review.id}/publication",
        json={"publish_at": "2099-01-01", "draft_ids": [drafts["press_release"]]},
    )
    browser = PageClient(client)
    if who:
        browser.sign_in(world.users[who].email)
    browser.get("/privacy?lang=cy")
    url = path.format(
        review=world.review.id,
        ws=world.ws.id,
        item=item["id"],
        request=asked["id"],
        note=note["id"],
        hypothesis=hypothesis["id"],
        visit=visit["id"],
        session=session["id"],
        theme=theme["id"],
        message=message["id"],
        draft=drafts["press_release"],
        feedback=drafts["feedback"],
    )
    html = browser.text(url)
    assert '<html lang="cy"' in html
    # What users typed, and proper names, may be English.
    typed = (
        {u.name for u in world.users.values()}
        | {u.email for u in world.users.values()}
        | {
            world.review.title,
            "cofnodion.txt",
            "Betsan Jones",
            "English",
        }
    )
    leftovers = []
    for text in visible_text(html):
        if text in typed or any(t in text for t in typed):
            continue
        if text in english_messages or ENGLISH_WORDS.search(text):
            leftovers.append(text)
    assert not leftovers, f"English on the Welsh page {url}: {leftovers}"


def test_only_what_has_no_language_is_passed_over() -> None:
    texts = visible_text(
        '<p>Croeso <code lang="zxx">{"filename": "the file"}</code> and more</p>'
        '<p lang="en">English words</p>'
    )
    assert texts == ["Croeso", "and more", "English words"]


def test_the_check_would_catch_english(world: World, client, english_messages) -> None:
    # The same check on the English page must find plenty: it is not blind.
    html = PageClient(client).text("/privacy?lang=en", follow_redirects=True)
    found = [
        t
        for t in visible_text(html)
        if t in english_messages or ENGLISH_WORDS.search(t)
    ]
    assert len(found) > 10
