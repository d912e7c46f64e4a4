"""The agreement pages: a review's drafts, a draft and its forms (versions,
comments, each body's decision, sharing, issue, the factual-accuracy
check), two versions side by side, the publication, the agreement page and
the review's timeline; and who gets which answer from each."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, timedelta
from html import unescape
from pathlib import Path

from support.pages import PageClient, csrf_token, heading
from support.world import World

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "files"


def signed_in(app, world: World, who: str) -> PageClient:
    browser = PageClient(app.test_client())
    assert browser.sign_in(world.users[who].email).status_code == 302
    return browser


def words(html: str) -> str:
    """The page's text: tags gone, white space collapsed."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def main(html: str) -> str:
    return html.split('id="main-content"', 1)[1]


def new_draft(api, world: World, who: str = "inspector", **body) -> dict:
    body.setdefault("kind", "press_release")
    body.setdefault("title", "Joint press release")
    answer = api(who).post(f"/reviews/{world.review.id}/drafts", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def version(api, draft: dict, who: str = "inspector", text: str = "Text", **body):
    answer = api(who).post(
        f"/drafts/{draft['id']}/versions", json={"text": text, **body}
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def decide(api, draft: dict, org, who: str, decision: str, number: int) -> None:
    answer = api(who).put(
        f"/drafts/{draft['id']}/approvals/{org.id}",
        json={"decision": decision, "version": number},
    )
    assert answer.status_code == 200, answer.get_json()


def agreed(api, world: World, **body) -> dict:
    draft = new_draft(api, world, **body)
    version(api, draft, text="Agreed text")
    decide(api, draft, world.estyn, "lead_officer", "approve", 1)
    decide(api, draft, world.audit, "audit_lead", "approve", 1)
    return draft


def agreed_feedback(api, world: World) -> dict:
    draft = new_draft(
        api,
        world,
        kind="feedback",
        title="Feedback to ERW",
        title_cy="Adborth i ERW",
        workspace_id=str(world.ws.id),
    )
    version(api, draft, text="Early thoughts on ERW")
    version(api, draft, text="Agreed feedback for ERW")
    api("audit_inspector").post(
        f"/drafts/{draft['id']}/comments", json={"body": "An internal remark"}
    )
    decide(api, draft, world.estyn, "lead_officer", "approve", 2)
    decide(api, draft, world.audit, "audit_lead", "approve", 2)
    return draft


def post_multipart(browser: PageClient, form_page: str, action: str, fields: dict):
    """Post a form as a browser does with enctype multipart/form-data: the
    page's CSRF token first, then the fields in order (files last)."""
    token = csrf_token(browser.text(form_page))
    return browser.client.post(
        action,
        data={"csrf_token": token, **fields},
        content_type="multipart/form-data",
    )


# --- the list ------------------------------------------------------------------


def test_the_list_for_the_inspecting_side_and_a_nominee(world: World, app, api) -> None:
    feedback = agreed_feedback(api, world)
    issued = api("lead_officer").post(f"/drafts/{feedback['id']}/issue")
    assert issued.status_code == 200
    press = new_draft(api, world, title="Press release", title_cy="Datganiad")
    version(api, press)
    decide(api, press, world.audit, "audit_lead", "changes_requested", 1)
    report = new_draft(api, world, "audit_inspector", kind="report", title="AW report")
    index = f"/reviews/{world.review.id}/drafts"

    inspector = signed_in(app, world, "inspector")
    html = inspector.text(index)
    assert heading(html) == "Drafts"
    text = words(main(html))
    assert "Feedback to the reviewed parties" in text and "Press releases" in text
    assert "Feedback to ERW" in text and "Press release" in text
    # Where each body stands, in words.
    assert "ESTYN: awaiting a decision" in text
    assert "AUDIT-WALES: Changes requested" in text
    assert "Issued" in text
    # Audit Wales's own report is not Estyn's to see.
    assert "AW report" not in text
    assert f"/reviews/{world.review.id}/drafts/new" in html
    assert f"/drafts/{press['id']}" in html

    audit = words(main(signed_in(app, world, "audit_inspector").text(index)))
    assert "AW report" in audit and "this body only, not yet shared" in audit
    assert f"/drafts/{report['id']}" in signed_in(app, world, "audit_lead").text(index)
    assert "Nothing to decide on yet" in audit  # the report has no version yet

    # An observer reads, and starts nothing.
    observer = signed_in(app, world, "observer").text(index)
    assert "Press release" in observer
    assert f"/reviews/{world.review.id}/drafts/new" not in observer

    # The reviewed party: the feedback issued to it, nothing else, no decisions.
    nominee = signed_in(app, world, "nominee").text(index)
    seen = words(main(nominee))
    assert "Adborth i ERW" not in seen and "Feedback to ERW" in seen
    assert "Press release" not in seen and "awaiting" not in seen
    assert "Changes requested" not in seen
    other = words(main(signed_in(app, world, "csc_nominee").text(index)))
    assert "Feedback to ERW" not in other
    assert "Nothing has been issued to your organisation" in other

    # In Welsh, the Welsh title.
    welsh = inspector.get(index + "?lang=cy", follow_redirects=True)
    assert "Adborth i ERW" in welsh.get_data(as_text=True)


# --- starting a draft, versions ---------------------------------------------------


def test_starting_a_draft_with_an_error_then_for_real(world: World, app) -> None:
    inspector = signed_in(app, world, "inspector")
    new_page = f"/reviews/{world.review.id}/drafts/new"
    html = inspector.text(new_page)
    assert heading(html) == "Start a draft"
    assert "ERW" in html and "CSC" in html  # the reviewed parties offered
    assert "What kind of draft is it?" in words(html)  # each fieldset's legend
    assert "Who sees it (optional)" in words(html)

    empty = inspector.submit(new_page, {"kind": "report", "title": " "})
    page = empty.get_data(as_text=True)
    assert empty.status_code == 200 and "There is a problem" in page
    assert "Enter a title" in page and "<title>Error:" in page
    # Feedback names the party it goes to (the service's rule, on its field).
    no_party = inspector.submit(new_page, {"kind": "feedback", "title": "Feedback"})
    page = no_party.get_data(as_text=True)
    assert no_party.status_code == 200
    assert "Name the reviewed party" in page and 'href="#workspace_id"' in page

    made = inspector.submit(
        new_page,
        {
            "kind": "feedback",
            "title": "Feedback to ERW",
            "title_cy": "Adborth i ERW",
            "workspace_id": str(world.ws.id),
        },
    )
    assert made.status_code == 302
    draft_page = made.headers["Location"]
    html = inspector.text(draft_page)
    assert heading(html) == "Feedback to ERW"
    text = words(main(html))
    assert "The draft was started" in text
    assert "Feedback to ERW" in text and "Drafting" in text
    assert "Every inspecting body" in text  # feedback is joint by default
    assert "There is no version yet." in text
    assert "/versions/new" in html

    report = inspector.submit(new_page, {"kind": "report", "title": "Our report"})
    html = inspector.text(report.headers["Location"])
    assert "ESTYN only, until it is shared" in words(html)
    assert "Share with the other bodies" in html


def test_adding_a_text_version(world: World, app, api) -> None:
    draft = new_draft(api, world)
    inspector = signed_in(app, world, "inspector")
    page = f"/drafts/{draft['id']}/versions/new"
    html = inspector.text(page)
    assert heading(html) == "Add a version"
    assert 'enctype="multipart/form-data"' in html
    # The token is the form's first field.
    form = html.split('enctype="multipart/form-data"', 1)[1]
    assert form.index('name="csrf_token"') < form.index('name="text"')

    nothing = post_multipart(inspector, page, page, {"text": "  ", "note": "x"})
    assert nothing.status_code == 200
    assert "Enter the text of the version, or choose a document" in (
        nothing.get_data(as_text=True)
    )
    added = post_multipart(
        inspector,
        page,
        page,
        {
            "text": "# Findings\n\nThe consortia *improved*.",
            "text_cy": "# Canfyddiadau\n\nGwellodd y consortia.",
            "note": "First full draft",
        },
    )
    assert added.status_code == 302
    assert added.headers["Location"] == f"/drafts/{draft['id']}"
    html = inspector.text(f"/drafts/{draft['id']}")
    assert "Version 1 was added" in html
    assert "<em>improved</em>" in html and "First full draft" in html
    assert "Canfyddiadau" not in html  # the English page shows the English
    welsh = inspector.get(f"/drafts/{draft['id']}?lang=cy", follow_redirects=True)
    assert '<div class="app-draft-text" lang="cy">' in welsh.get_data(as_text=True)
    assert "Gwellodd y consortia." in welsh.get_data(as_text=True)
    inspector.get("/?lang=en")

    # An ordinary (not multipart) post of the same form works too.
    second = inspector.submit(page, {"text": "Second text"})
    assert second.status_code == 302
    listed = api("observer").get(f"/drafts/{draft['id']}/versions").get_json()
    assert [v["text"] for v in listed["items"]][1] == "Second text"
    html = inspector.text(f"/drafts/{draft['id']}/versions/1")
    assert heading(html) == "Version 1" and "<em>improved</em>" in html

    unsigned = inspector.client.post(page, data={"text": "Forged"})
    assert unsigned.status_code == 400
    # Without the token: refused before anything is read.
    refused = inspector.client.post(
        page, data={"text": "Forged"}, content_type="multipart/form-data"
    )
    assert refused.status_code == 400
    assert (
        api("observer").get(f"/drafts/{draft['id']}").get_json()["current_version"] == 2
    )

    # Observers write nothing; a version of issued feedback is refused (409).
    observer = signed_in(app, world, "observer")
    assert observer.get(page).status_code == 403
    feedback = agreed_feedback(api, world)
    api("lead_officer").post(f"/drafts/{feedback['id']}/issue")
    locked = f"/drafts/{feedback['id']}/versions/new"
    assert "This feedback has been issued" in inspector.text(locked)
    late = post_multipart(inspector, locked, locked, {"text": "Too late"})
    assert late.status_code == 409


def test_a_document_version_uploaded_and_downloaded(
    world: World, app, api, store
) -> None:
    draft = new_draft(api, world, kind="other", title="Annex")
    inspector = signed_in(app, world, "inspector")
    page = f"/drafts/{draft['id']}/versions/new"
    pdf = (FILES / "report.pdf").read_bytes()
    sent = post_multipart(
        inspector,
        page,
        page,
        {
            "note": "The designed version",
            "file": (io.BytesIO(pdf), "report.pdf", "application/pdf"),
        },
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    html = inspector.text(f"/drafts/{draft['id']}")
    download = f"/drafts/{draft['id']}/versions/1/download"
    assert download in html and "Download report.pdf" in html
    got = inspector.get(download)
    assert got.status_code == 200 and got.data == pdf
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"

    # A Word document with its text, in one form; compared by its text.
    docx = (FILES / "minutes.docx").read_bytes()
    both = post_multipart(
        inspector,
        page,
        page,
        {
            "text": "Summary of the minutes",
            "file": (io.BytesIO(docx), "minutes.docx"),
        },
    )
    assert both.status_code == 302
    second = api("inspector").get(f"/drafts/{draft['id']}/versions/2").get_json()
    assert second["text"] == "Summary of the minutes"
    assert second["file"]["filename"] == "minutes.docx"
    assert inspector.get(f"/drafts/{draft['id']}/versions/2/download").data == docx

    # A refused type: said on the form, nothing stored.
    keys = set(store.iter_keys())
    bad = post_multipart(
        inspector,
        page,
        page,
        {"file": (io.BytesIO(b"MZ\x90\x00program"), "tool.exe")},
    )
    assert bad.status_code == 415
    assert "There is a problem" in bad.get_data(as_text=True)
    assert set(store.iter_keys()) == keys
    # A file without the token is refused before it is stored.
    forged = inspector.client.post(
        page,
        data={"file": (io.BytesIO(pdf), "report.pdf")},
        content_type="multipart/form-data",
    )
    assert forged.status_code == 400 and set(store.iter_keys()) == keys
    # A text version has nothing to download; the reviewed party nothing at all.
    assert inspector.get(f"/drafts/{draft['id']}/versions/9/download").status_code == (
        404
    )
    nominee = signed_in(app, world, "nominee")
    assert nominee.get(download).status_code == 404


def test_the_comparison_marks_changes_in_words(world: World, app, api) -> None:
    draft = new_draft(api, world)
    version(api, draft, text="One\nTwo\nThree\nFour\nFive", text_cy="Un\nDau")
    version(api, draft, text="One\nTwo and a half\nThree\nFive\nSix", text_cy="Un\nTri")
    inspector = signed_in(app, world, "audit_inspector")
    html = inspector.text(f"/drafts/{draft['id']}")
    assert f'action="/drafts/{draft["id"]}/compare"' in html
    compare = inspector.get(f"/drafts/{draft['id']}/compare?from=1&to=2")
    assert compare.status_code == 200
    html = compare.get_data(as_text=True)
    assert heading(html) == "Version 1 and version 2 side by side"
    text = words(main(html))
    assert "removed: Four" in text and "added: Six" in text
    assert "changed: Two" in text and "changed: Two and a half" in text
    assert "<del>Four</del>" in html and "<ins>Six</ins>" in html
    assert "<del>Two</del>" in html and "<ins>Two and a half</ins>" in html
    # The marker characters, shown (and hidden from screen readers, who hear
    # the words).
    assert '<span class="app-diff__marker" aria-hidden="true">−</span>' in html
    assert '<span class="app-diff__marker" aria-hidden="true">+</span>' in html
    assert "Lines removed: 1. Lines added: 1. Lines changed: 1." in text
    # The Welsh comparison too, marked as Welsh.
    assert "In Welsh" in text and "changed: Tri" in text
    assert 'lang="cy"' in html
    # No arguments: the previous version with the current one.
    assert "Version 1 and version 2" in inspector.text(f"/drafts/{draft['id']}/compare")
    bad = inspector.get(f"/drafts/{draft['id']}/compare?from=1&to=9")
    assert bad.status_code == 400
    assert inspector.get(f"/drafts/{draft['id']}/compare?from=x").status_code == 400

    # The reviewed party never compares (403 when it sees the draft at all).
    feedback = agreed_feedback(api, world)
    api("lead_officer").post(f"/drafts/{feedback['id']}/issue")
    nominee = signed_in(app, world, "nominee")
    assert nominee.get(f"/drafts/{feedback['id']}/compare").status_code == 403
    assert nominee.get(f"/drafts/{draft['id']}/compare").status_code == 404


# --- deciding -----------------------------------------------------------------


def test_two_bodies_agree_a_report_through_the_decision_forms(
    world: World, app, api
) -> None:
    lead = signed_in(app, world, "lead_officer")
    made = lead.submit(
        f"/reviews/{world.review.id}/drafts/new",
        {"kind": "report", "title": "Estyn's report"},
    )
    page = made.headers["Location"]
    draft_id = page.rsplit("/", 1)[1]
    lead.submit(
        f"{page}/versions/new", {"text": "Our findings."}, action=f"{page}/versions/new"
    )
    audit_lead = signed_in(app, world, "audit_lead")
    assert audit_lead.get(page).status_code == 404  # Estyn's own, until shared
    html = lead.text(page)
    assert "AUDIT-WALES" in html and "Not shared with this body yet" in html
    shared = lead.submit(page, {}, action=f"{page}/share")
    assert shared.status_code == 302
    html = lead.text(page)
    assert "Share with the other bodies" not in html
    assert "Awaiting a decision" in html

    # An inspector sees no decision form, and is refused one.
    inspector = signed_in(app, world, "inspector")
    assert f"{page}/decision" not in inspector.text(page)
    refused = inspector.submit(
        page, {"decision": "approve", "version": "1"}, action=f"{page}/decision"
    )
    assert refused.status_code == 403

    # Audit Wales: no objection; not yet agreed (its owner must approve).
    html = audit_lead.text(page)
    assert "Your body's decision on version 1" in words(html)
    unchosen = audit_lead.submit(page, {"version": "1"}, action=f"{page}/decision")
    assert unchosen.status_code == 200
    assert "Choose your body" in unchosen.get_data(as_text=True)
    done = audit_lead.submit(
        page,
        {"decision": "no_objection", "version": "1", "comment": "Fine by us"},
        action=f"{page}/decision",
    )
    assert done.status_code == 302
    text = words(main(audit_lead.text(page)))
    assert "decision on version 1 was recorded: No objection" in text
    assert "AUDIT-WALES No objection audit_lead" in text and "Fine by us" in text
    assert "Drafting" in text
    assert "Withdraw your body" in audit_lead.text(page)
    # The author is told, and the notice opens the draft's page.
    notices = api("lead_officer").get("/me/notifications").get_json()["items"]
    (notice,) = [n for n in notices if n["kind"] == "approval"]
    assert lead.get(f"/notifications/{notice['id']}/open").headers["Location"] == page

    # Estyn approves its own report: agreed.
    lead.submit(
        page, {"decision": "approve", "version": "1"}, action=f"{page}/decision"
    )
    text = words(main(lead.text(page)))
    assert "ESTYN Approved lead_officer" in text and "Agreed" in text
    assert api("inspector").get(f"/drafts/{draft_id}").get_json()["status"] == (
        "agreed"
    )
    # A stale version is refused (409): decide on the draft as it stands.
    stale = audit_lead.submit(
        page, {"decision": "approve", "version": "2"}, action=f"{page}/decision"
    )
    assert stale.status_code == 409

    # Withdrawing takes the agreement back.
    audit_lead.submit(page, {}, action=f"{page}/decision/withdraw")
    assert api("inspector").get(f"/drafts/{draft_id}").get_json()["status"] == (
        "drafting"
    )


def test_comments_resolved_and_reopened(world: World, app, api) -> None:
    draft = new_draft(api, world)
    version(api, draft, text="Line one")
    version(api, draft, text="Line one\nLine two")
    page = f"/drafts/{draft['id']}"
    audit = signed_in(app, world, "audit_inspector")
    empty = audit.submit(
        page, {"body": "", "on_version": "2"}, action=f"{page}/comments"
    )
    assert empty.status_code == 200 and "Enter the comment" in empty.get_data(
        as_text=True
    )
    added = audit.submit(
        page,
        {"body": "Say **why**", "quote": "Line two", "on_version": "1"},
        action=f"{page}/comments",
    )
    assert added.status_code == 302
    html = audit.text(page)
    text = words(main(html))
    assert "audit_inspector (AUDIT-WALES)" in text and "on version 1" in text
    assert "<strong>why</strong>" in html and "Line two" in text and "Open" in text
    (made,) = (
        api("inspector").get(f"/drafts/{draft['id']}/comments").get_json()["items"]
    )
    resolve = f"/draft-comments/{made['id']}/resolved"
    inspector = signed_in(app, world, "inspector")
    done = inspector.submit(page, {"resolved": "1"}, action=resolve)
    assert done.status_code == 302
    assert "Resolved" in words(main(inspector.text(page)))
    assert "Open again" in inspector.text(page)
    inspector.submit(page, {"resolved": "0"}, action=resolve)
    assert (
        api("inspector")
        .get(f"/drafts/{draft['id']}/comments")
        .get_json()["items"][0]["resolved"]
        is False
    )
    observer = signed_in(app, world, "observer")
    assert "Add the comment" not in observer.text(page)
    assert observer.submit(page, {"resolved": "1"}, action=resolve).status_code == 403
    assert (
        observer.submit(page, {"body": "x"}, action=f"{page}/comments").status_code
        == 403
    )


# --- feedback issued ---------------------------------------------------------------


def test_issued_feedback_and_the_factual_accuracy_check(world: World, app, api) -> None:
    draft = agreed_feedback(api, world)
    page = f"/drafts/{draft['id']}"
    nominee = signed_in(app, world, "nominee")
    assert nominee.get(page).status_code == 404  # not yet issued

    inspector = signed_in(app, world, "inspector")
    assert "Issue to ERW" not in inspector.text(page)  # lead officers issue
    lead = signed_in(app, world, "audit_lead")
    assert "Issue to ERW" in lead.text(page)
    issued = lead.submit(page, {}, action=f"{page}/issue")
    assert issued.status_code == 302
    html = lead.text(page)
    assert "The feedback was issued" in html and "Issued" in html
    assert "Issue to ERW" not in html and "Add a version" not in html

    html = nominee.text(page)
    assert heading(html) == "Feedback to ERW"
    text = words(main(html))
    assert "Agreed feedback for ERW" in text and "Version 2" in text
    for hidden in (
        "Early thoughts",
        "An internal remark",
        "Where each body stands",
        "Versions",
        "Approved",
        "Comments",
        "Compare",
    ):
        assert hidden not in text, hidden
    assert nominee.get(f"{page}/versions/1").status_code == 404
    assert nominee.get(f"{page}/versions/2").status_code == 200
    assert "Factual accuracy check" in text and "until the end of" in text

    empty = nominee.submit(page, {"body": " "}, action=f"{page}/accuracy")
    assert empty.status_code == 200 and "Enter the comment" in empty.get_data(
        as_text=True
    )
    sent = nominee.submit(
        page,
        {"body": "We have 12 schools, not 21.", "quote": "21 schools"},
        action=f"{page}/accuracy",
    )
    assert sent.status_code == 302
    assert "We have 12 schools, not 21." in nominee.text(page)
    contributor = signed_in(app, world, "contributor")
    html = contributor.text(page)
    assert "We have 12 schools, not 21." in html
    assert "Send the comment" not in html
    refused = contributor.submit(page, {"body": "x"}, action=f"{page}/accuracy")
    assert refused.status_code == 403
    assert "We have 12 schools, not 21." in inspector.text(page)
    assert signed_in(app, world, "csc_nominee").get(page).status_code == 404
    # After the window: the form goes, and a late comment is refused.
    from app.core.db import db
    from app.drafts.models import Draft

    stored = db.session.get(Draft, uuid.UUID(draft["id"]))
    stored.factual_accuracy_due = date.today() - timedelta(days=1)
    db.session.commit()
    html = nominee.text(page)
    assert "The factual accuracy check ended on" in html
    assert "Send the comment" not in html


# --- the publication -------------------------------------------------------------


def test_proposing_and_agreeing_the_publication(world: World, app, api) -> None:
    press = agreed(api, world, title="Joint press release")
    new_draft(api, world, title="Not agreed")
    page = f"/reviews/{world.review.id}/publication"
    lead = signed_in(app, world, "lead_officer")
    html = lead.text(page)
    assert heading(html) == "Publication"
    assert "No publication has been proposed yet." in html
    assert 'value="00:01"' in html
    assert "Day of publication" in html and "What is published" in html
    assert "Joint press release" in html and "Not agreed" not in html

    day = date.today() + timedelta(days=10)
    past = lead.submit(
        page,
        {
            "day": ["1", "1", "2020"],
            "time": "00:01",
            "drafts": [press["id"]],
        },
    )
    assert past.status_code == 200
    assert "must be in the future" in past.get_data(as_text=True)
    none = lead.submit(
        page, {"day": [str(day.day), str(day.month), str(day.year)], "time": "9"}
    )
    text = none.get_data(as_text=True)
    assert "Choose at least one draft" in text
    proposed = lead.submit(
        page,
        {
            "day": [str(day.day), str(day.month), str(day.year)],
            "time": "00:01",
            "drafts": [press["id"]],
        },
    )
    assert proposed.status_code == 302
    html = lead.text(page)
    text = words(main(html))
    assert f"{day.day} {day.strftime('%B')} {day.year}, 00:01, Wales time" in text
    assert "Proposed" in text and "ESTYN: not yet agreed" in text
    assert "Change the publication" in text
    body = api("lead_officer").get(f"/reviews/{world.review.id}/publication")
    assert body.get_json()["draft_ids"] == [press["id"]]

    inspector = signed_in(app, world, "inspector")
    html = inspector.text(page)
    assert "Agree for your body" not in html
    assert (
        "Propose the publication" not in html and "Change the publication" not in html
    )
    assert inspector.submit(page, {}, action=f"{page}/agreement").status_code == 403
    lead.submit(page, {}, action=f"{page}/agreement")
    text = words(main(lead.text(page)))
    assert "Your body agreed to the publication." in text
    assert "ESTYN: agreed (lead_officer" in text
    assert "Agree for your body" not in text
    audit = signed_in(app, world, "audit_lead")
    assert "Agree for your body" in audit.text(page)
    audit.submit(page, {}, action=f"{page}/agreement")
    text = words(main(audit.text(page)))
    assert "Every body has agreed" in text and "Agreed" in text
    assert (
        api("lead_officer")
        .get(f"/reviews/{world.review.id}/publication")
        .get_json()["status"]
        == "agreed"
    )
    # The review's timeline says so.
    review_page = words(main(audit.text(f"/reviews/{world.review.id}")))
    assert "Timeline" in review_page
    assert "Agreed by every body: Joint press release" in review_page
    assert "Publication agreed by every body" in review_page


# --- the agreement page -------------------------------------------------------------


def test_the_agreement_page_lists_what_waits_on_each_body(
    world: World, app, api
) -> None:
    press = new_draft(api, world, title="Press release")
    version(api, press)
    decide(api, press, world.estyn, "lead_officer", "approve", 1)
    other = new_draft(api, world, kind="other", title="Annex")
    version(api, other)
    done = agreed(api, world, title="Glossary")
    message = api("inspector").post(
        f"/reviews/{world.review.id}/messages", json={"text": "Leaders improved."}
    )
    assert message.status_code == 201
    page = f"/reviews/{world.review.id}/agreement"

    def sections(html: str) -> dict[str, str]:
        text = words(main(html))
        first = text.index("Waiting for a decision of")
        second = text.index("Waiting for the other bodies")
        third = text.index("Agreed", second + 10)
        return {
            "mine": text[first:second],
            "others": text[second:third],
            "agreed": text[third:],
        }

    estyn = signed_in(app, world, "lead_officer")
    html = estyn.text(page)
    assert heading(html) == "Agreement"
    found = sections(html)
    assert "Annex" in found["mine"] and "Headline message 1" in found["mine"]
    assert "Press release" in found["others"]
    assert "AUDIT-WALES: awaiting a decision" in found["others"]
    assert "Glossary" in found["agreed"] and done["id"]
    # The lead officer agrees to the message from here.
    assert f"/messages/{message.get_json()['id']}/agreement" in html

    audit = sections(signed_in(app, world, "audit_lead").text(page))
    assert "Press release" in audit["mine"] and "Annex" in audit["mine"]
    assert "Headline message 1" in audit["mine"]
    api("audit_lead").put(f"/messages/{message.get_json()['id']}/agreement")
    audit = sections(signed_in(app, world, "audit_lead").text(page))
    assert "Headline message 1" in audit["others"]
    # The publication, once proposed, waits on each body until it agrees.
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    api("lead_officer").put(
        f"/reviews/{world.review.id}/publication",
        json={"publish_at": tomorrow, "draft_ids": [done["id"]]},
    )
    api("lead_officer").put(f"/reviews/{world.review.id}/publication/agreement")
    found = sections(estyn.text(page))
    assert "Publication at" in found["others"]
    audit = sections(signed_in(app, world, "audit_lead").text(page))
    assert "Publication at" in audit["mine"]
    # Observers read it too; the reviewed parties never.
    assert signed_in(app, world, "observer").get(page).status_code == 200
    assert signed_in(app, world, "nominee").get(page).status_code == 403


def test_the_review_page_links_and_timeline(world: World, app, api) -> None:
    feedback = agreed_feedback(api, world)
    api("lead_officer").post(f"/drafts/{feedback['id']}/issue")
    message = (
        api("inspector")
        .post(
            f"/reviews/{world.review.id}/messages", json={"text": "Leaders improved."}
        )
        .get_json()
    )
    for who in ("lead_officer", "audit_lead"):
        api(who).put(f"/messages/{message['id']}/agreement")
    review = f"/reviews/{world.review.id}"
    html = signed_in(app, world, "inspector").text(review)
    for link in ("/drafts", "/agreement", "/publication"):
        assert f'href="{review}{link}"' in html
    text = words(main(html))
    assert "Feedback issued to ERW: Feedback to ERW" in text
    assert "Agreed by every body: Feedback to ERW" in text
    assert "Headline message 1 agreed" in text

    nominee = signed_in(app, world, "nominee").text(review)
    assert f'href="{review}/drafts"' in nominee
    assert f'href="{review}/agreement"' not in nominee
    text = words(main(nominee))
    assert "Feedback issued to ERW" in text
    assert "Agreed by every body" not in text and "Headline message" not in text
    other = words(main(signed_in(app, world, "csc_nominee").text(review)))
    assert "Timeline" not in other and "Feedback issued" not in other


# --- who gets what -------------------------------------------------------------------


def test_the_wrong_callers_are_refused(world: World, app, api) -> None:
    press = new_draft(api, world)
    version(api, press)
    version(api, press, text="Text 2")
    report = new_draft(api, world, "audit_inspector", kind="report", title="AW")
    version(api, report, "audit_inspector")
    review = world.review.id
    d = press["id"]
    pages = {
        f"/reviews/{review}/drafts": {
            "observer": 200,
            "nominee": 200,
            "admin": 403,
            "non_member": 404,
        },
        f"/reviews/{review}/drafts/new": {
            "inspector": 200,
            "observer": 403,
            "nominee": 403,
            "admin": 403,
            "non_member": 404,
        },
        f"/drafts/{d}": {
            "observer": 200,
            "audit_inspector": 200,
            "nominee": 404,
            "admin": 404,
            "non_member": 404,
        },
        f"/drafts/{report['id']}": {"audit_lead": 200, "lead_officer": 404},
        f"/drafts/{d}/versions/1": {"observer": 200, "contributor": 404},
        f"/drafts/{d}/versions/new": {
            "audit_inspector": 200,
            "observer": 403,
            "nominee": 404,
            "admin": 404,
        },
        f"/drafts/{d}/compare?from=1&to=2": {
            "observer": 200,
            "nominee": 404,
            "non_member": 404,
        },
        f"/reviews/{review}/publication": {
            "observer": 200,
            "nominee": 403,
            "contributor": 403,
            "admin": 403,
            "non_member": 404,
        },
        f"/reviews/{review}/agreement": {
            "inspector": 200,
            "nominee": 403,
            "admin": 403,
            "non_member": 404,
        },
    }
    browsers = {}
    for path, expected in pages.items():
        for who, status in expected.items():
            if who not in browsers:
                browsers[who] = signed_in(app, world, who)
            answer = browsers[who].get(path)
            assert answer.status_code == status, (path, who, answer.status_code)
            if status in (403, 404):
                assert "govuk-heading-l" in answer.get_data(as_text=True)
    # Nobody signed in: to the sign-in page.
    anonymous = PageClient(app.test_client())
    for path in pages:
        answer = anonymous.get(path)
        assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]

    # The forms: observers and the reviewed parties are refused.
    posts = {
        f"/drafts/{d}/comments": ({"body": "x", "on_version": "1"}, "observer", 403),
        f"/drafts/{d}/decision": ({"decision": "approve", "version": "2"},
                                  "inspector", 403),
        f"/drafts/{d}/share": ({}, "audit_inspector", 403),
        f"/drafts/{d}/issue": ({}, "lead_officer", 409),
        f"/drafts/{d}/accuracy": ({"body": "x"}, "inspector", 403),
        f"/reviews/{review}/publication/agreement": ({}, "lead_officer", 404),
    }  # fmt: skip
    for action, (data, who, status) in posts.items():
        browser = browsers.get(who) or signed_in(app, world, who)
        answer = browser.submit("/privacy", data, action=action)
        assert answer.status_code == status, (action, who, answer.status_code)
    nominee = browsers["nominee"]
    for action in (f"/drafts/{d}/decision", f"/drafts/{d}/issue"):
        assert nominee.submit("/privacy", {}, action=action).status_code == 404
    assert (
        nominee.submit("/privacy", {}, action=f"/reviews/{review}/publication")
    ).status_code == 403


def test_a_published_draft_is_seen_by_every_member(world: World, app, api) -> None:
    from datetime import UTC, datetime

    from app.core.db import db
    from app.reviews.models import Review

    press = agreed(api, world, title="Joint press release", title_cy="Datganiad")
    soon = (date.today() + timedelta(days=2)).isoformat()
    url = f"/reviews/{world.review.id}/publication"
    api("lead_officer").put(url, json={"publish_at": soon, "draft_ids": [press["id"]]})
    page = f"/drafts/{press['id']}"
    contributor = signed_in(app, world, "csc_contributor")
    for who in ("lead_officer", "audit_lead"):
        api(who).put(f"{url}/agreement")
    assert contributor.get(page).status_code == 404  # embargoed until its time
    # Its time comes (the embargo is decided at each read).
    review = db.session.get(Review, world.review.id)
    review.published_from = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    html = contributor.text(page)
    text = words(main(html))
    assert "Published" in text and "Agreed text" in text
    assert "Where each body stands" not in text and "Versions" not in text
    assert "Factual accuracy" not in text
    listed = words(main(contributor.text(f"/reviews/{world.review.id}/drafts")))
    assert "Joint press release" in listed and "Published" in listed
    timeline = words(main(contributor.text(f"/reviews/{world.review.id}")))
    assert "Published" in timeline and "Agreed by every body" not in timeline
    # Published: the publication changes no more, and offers no form.
    lead = signed_in(app, world, "lead_officer")
    html = lead.text(url)
    assert "Published" in words(main(html)) and "Propose the publication" not in html
    assert lead.submit(url, {}, action=url).status_code == 409
