"""Demo data: the joint review of the four regional consortia, ready to explore.

Estyn and Audit Wales review ERW, CSC, EAS and GwE, with a user for every
role, a few evidence files, a request list in every state (ERW's), the
review's themes, four days of fieldwork in each region (interviews with the
managing director and the cabinet member for education, an observation, a
team meeting each day, feedback at the end), team notes with a mention and
a reply, and hypotheses moving from emerging to supported. A council's
education scrutiny committee runs its termly engagement sessions with three
schools. Running it twice changes nothing.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.accounts import services as account_services
from app.accounts.models import Locale, Organisation, OrganisationKind, User
from app.core import uploads
from app.core.db import db
from app.core.permissions import Role
from app.core.storage import current_store
from app.evidence import services as evidence_services
from app.evidence.models import EvidenceItem
from app.intake import services as intake_services
from app.intake.models import EvidenceRequest
from app.reviews import services as review_services
from app.reviews.models import Review, Workspace

# Published on purpose: demo data only, and seed-demo refuses to run in production.
DEMO_PASSWORD = "Arolygu-ar-y-cyd-2026!"  # noqa: S105
REVIEW_TITLE = "Improving schools through regional education consortia"
REVIEW_TITLE_CY = "Gwella ysgolion drwy gonsortia addysg rhanbarthol"

ORGANISATIONS = [
    ("estyn", "Estyn", "Estyn", OrganisationKind.INSPECTORATE),
    ("audit-wales", "Audit Wales", "Archwilio Cymru", OrganisationKind.AUDIT_BODY),
    ("erw", "ERW", "ERW", OrganisationKind.CONSORTIUM),
    (
        "csc",
        "Central South Consortium",
        "Consortiwm Canolbarth y De",
        OrganisationKind.CONSORTIUM,
    ),
    (
        "eas",
        "Education Achievement Service",
        "Gwasanaeth Cyflawni Addysg",
        OrganisationKind.CONSORTIUM,
    ),
    ("gwe", "GwE", "GwE", OrganisationKind.CONSORTIUM),
]
INSPECTING = ["estyn", "audit-wales"]
REVIEWED = ["erw", "csc", "eas", "gwe"]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    organisation: str | None
    role: Role | None
    locale: Locale = Locale.EN
    is_admin: bool = False


USERS = [
    DemoUser("admin@demo.example", "Sam Admin", None, None, is_admin=True),
    DemoUser(
        "lead@estyn.demo.example", "Gwen Lewis", "estyn", Role.LEAD_OFFICER, Locale.CY
    ),
    DemoUser("inspector@estyn.demo.example", "Owain Price", "estyn", Role.INSPECTOR),
    DemoUser("observer@estyn.demo.example", "Ffion Jones", "estyn", Role.OBSERVER),
    DemoUser(
        "lead@audit.demo.example", "Rhys Morgan", "audit-wales", Role.LEAD_OFFICER
    ),
    DemoUser(
        "inspector@audit.demo.example", "Alys Evans", "audit-wales", Role.INSPECTOR
    ),
    *[
        user
        for slug in REVIEWED
        for user in (
            DemoUser(
                f"nominee@{slug}.demo.example",
                f"{slug.upper()} Nominee",
                slug,
                Role.NOMINEE,
            ),
            DemoUser(
                f"contributor@{slug}.demo.example",
                f"{slug.upper()} Contributor",
                slug,
                Role.CONTRIBUTOR,
            ),
        )
    ],
]


def seed_demo(max_bytes: int) -> list[DemoUser]:
    """Create the demo (unless it is there already); return the sign-ins."""
    if db.session.scalar(sa.select(Organisation).where(Organisation.slug == "estyn")):
        return [*USERS, *COMMITTEE_USERS]
    admin = account_services.create_user(
        None,
        email=USERS[0].email,
        name=USERS[0].name,
        organisation_id=None,
        password=DEMO_PASSWORD,
        is_admin=True,
    )
    orgs: dict[str, Organisation] = {}
    for slug, name, name_cy, kind in ORGANISATIONS:
        orgs[slug] = account_services.create_organisation(
            admin, slug=slug, name=name, name_cy=name_cy, kind=kind
        )
    users: dict[str, User] = {}
    for demo in USERS[1:]:
        assert demo.organisation is not None
        users[demo.email] = account_services.create_user(
            admin,
            email=demo.email,
            name=demo.name,
            organisation_id=orgs[demo.organisation].id,
            password=DEMO_PASSWORD,
            locale=demo.locale,
        )
    review = review_services.create_review(
        admin,
        title=REVIEW_TITLE,
        title_cy=REVIEW_TITLE_CY,
        inspecting=[orgs[s].id for s in INSPECTING],
        reviewed=[orgs[s].id for s in REVIEWED],
    )
    for demo in USERS[1:]:
        assert demo.role is not None
        review_services.set_member(admin, review, users[demo.email].id, demo.role)
    # Requests first: the demo's plain evidence stays the newest in ERW's list.
    _add_requests(review, users, orgs, max_bytes)
    _add_evidence(review, users, orgs, max_bytes)
    _add_joint_working(review, users, orgs)
    _add_agreement(review, users, orgs)
    _add_committee(admin)
    return [*USERS, *COMMITTEE_USERS]


def _add_evidence(
    review: Review,
    users: dict[str, User],
    orgs: dict[str, Organisation],
    max_bytes: int,
) -> None:
    workspaces = {
        w.organisation_id: w
        for w in db.session.scalars(
            sa.select(Workspace).where(Workspace.review_id == review.id)
        )
    }
    files = {
        "business-plan-2014-15.pdf": _pdf("ERW business plan 2014-15"),
        "school-categorisation.csv": (
            b"school,category,support\r\n"
            b"Ysgol Gymraeg Aberystwyth,Green,Universal\r\n"
            b"Ysgol Bro Pedr,Yellow,Targeted\r\n"
            b"Ysgol y Dderi,Amber,Enhanced\r\n"
        ),
        "governance-structure.png": _png(),
        "minutes-joint-committee.txt": (
            b"Joint committee minutes, 12 March 2015.\n"
            b"Present: the lead directors of the six local authorities.\n"
            b"Cyflwynwyd adroddiad y rheolwr-gyfarwyddwr.\n"
        ),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for slug, names in (
            ("erw", ["business-plan-2014-15.pdf", "school-categorisation.csv"]),
            ("csc", ["governance-structure.png", "minutes-joint-committee.txt"]),
        ):
            uploader = users[f"nominee@{slug}.demo.example"]
            for name in names:
                path = Path(tmp) / name
                path.write_bytes(files[name])
                evidence_services.add_local_file(
                    uploader,
                    workspaces[orgs[slug].id],
                    path,
                    title=name.rsplit(".", 1)[0].replace("-", " ").capitalize(),
                    max_bytes=max_bytes,
                )


def _pdf(text: str) -> bytes:
    """A small, valid one-page PDF saying ``text``."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _png(width: int = 64, height: int = 32) -> bytes:
    """A small, valid PNG: a green-to-blue gradient."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(
        b"\x00" + b"".join(bytes((0, 128 + x, 4 * y)) for x in range(width))
        for y in range(height)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _add_requests(
    review: Review,
    users: dict[str, User],
    orgs: dict[str, Organisation],
    max_bytes: int,
) -> None:
    """ERW's request list in every state (open and shared out, submitted,
    returned with a reason, accepted), each with a Welsh title; and one
    request sent to every workspace."""
    erw = db.session.scalars(
        sa.select(Workspace).where(
            Workspace.review_id == review.id,
            Workspace.organisation_id == orgs["erw"].id,
        )
    ).one()
    lead = users["lead@estyn.demo.example"]
    nominee = users["nominee@erw.demo.example"]
    contributor = users["contributor@erw.demo.example"]
    today = date.today()

    def ask(
        title: str, title_cy: str, theme: str, due_in_days: int, description: str
    ) -> EvidenceRequest:
        return intake_services.create_request(
            lead,
            erw,
            title=title,
            title_cy=title_cy,
            description=description,
            theme=theme,
            due_date=today + timedelta(days=due_in_days),
        )

    def answer(request: EvidenceRequest, name: str, content: bytes) -> None:
        received = uploads.store_file(
            iter([content]),
            filename=name,
            claimed_media_type=None,
            store=current_store(),
            max_bytes=max_bytes,
        )
        evidence_services.record_new_item(
            contributor,
            erw,
            received,
            title=name.rsplit(".", 1)[0].replace("-", " ").capitalize(),
            description="",
            request_id=str(request.id),
        )

    shared_out = ask(
        "Self-evaluation report, 2025-26",
        "Adroddiad hunanarfarnu, 2025-26",
        "Leadership and management",
        14,
        "The latest self-evaluation, with the evidence it refers to.",
    )
    intake_services.assign(nominee, shared_out, [contributor.id, nominee.id])

    submitted = ask(
        "Business plan 2025-26",
        "Cynllun busnes 2025-26",
        "Leadership and management",
        7,
        "The plan approved by the joint committee.",
    )
    intake_services.assign(nominee, submitted, [contributor.id])
    answer(submitted, "business-plan-2025-26.pdf", _pdf("ERW business plan 2025-26"))

    returned = ask(
        "Minutes of the joint committee, 2025",
        "Cofnodion y cyd-bwyllgor, 2025",
        "Governance",
        -3,
        "Every meeting of the 2025 calendar year.",
    )
    intake_services.assign(nominee, returned, [contributor.id])
    answer(
        returned,
        "joint-committee-minutes-2024.txt",
        b"Joint committee minutes, 2024.\nPresent: the six lead directors.\n",
    )
    intake_services.decide(
        lead,
        returned,
        intake_services.Decision.RETURN,
        "These are the minutes of 2024. Please send those of 2025.",
    )

    accepted = ask(
        "School categorisation results",
        "Canlyniadau categoreiddio ysgolion",
        "Support for schools",
        -10,
        "The latest categorisation of every school in the region.",
    )
    answer(
        accepted,
        "categorisation-2025.csv",
        b"school,category\r\nYsgol Bro Pedr,Yellow\r\nYsgol y Dderi,Green\r\n",
    )
    intake_services.decide(lead, accepted, intake_services.Decision.ACCEPT, None)

    intake_services.create_for_every_workspace(
        lead,
        review,
        [
            {
                "title": "Safeguarding policy",
                "title_cy": "Polisi diogelu",
                "theme": "Safeguarding",
                "due_date": today + timedelta(days=21),
                "description": "The policy in force, and when it was last reviewed.",
            }
        ],
    )


# --- joint working: the story carried on --------------------------------------

THEMES = [
    ("Leadership and management", "Arweinyddiaeth a rheolaeth"),
    ("Governance", "Llywodraethu"),
    ("Value for money", "Gwerth am arian"),
    ("Improving schools", "Gwella ysgolion"),
]
# The senior people met at each consortium: (name, role) for its interviews.
PEOPLE = {
    "erw": [("Betsan Jones", "Managing director"),
            ("Cllr Emyr Hughes", "Cabinet member for education")],
    "csc": [("David Price", "Managing director"),
            ("Cllr Sara Lewis", "Cabinet member for education")],
    "eas": [("Helen Morgan", "Managing director"),
            ("Cllr Ian Davies", "Cabinet member for education")],
    "gwe": [("Arwel Roberts", "Managing director"),
            ("Cllr Nia Owen", "Cabinet member for education")],
}  # fmt: skip


def _add_joint_working(
    review: Review, users: dict[str, User], orgs: dict[str, Organisation]
) -> None:
    """Themes, the fieldwork (four days as a combined team in each region:
    interviews, a team meeting each day, feedback at the end), team notes
    with a mention and a reply, and hypotheses moving from emerging to
    supported with their evidence."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from app.fieldwork import services as fieldwork_services
    from app.fieldwork.models import SessionKind
    from app.hypotheses import services as hypothesis_services
    from app.hypotheses.models import HypothesisStatus
    from app.notes import services as note_services
    from app.reviews.models import ReviewStatus, VisitMode
    from app.reviews.visibility import Scope

    wales = ZoneInfo("Europe/London")
    lead = users["lead@estyn.demo.example"]
    inspector = users["inspector@estyn.demo.example"]
    audit_lead = users["lead@audit.demo.example"]
    audit_inspector = users["inspector@audit.demo.example"]
    for name, name_cy in THEMES:
        review_services.create_theme(lead, review, {"name": name, "name_cy": name_cy})
    review_services.update_review(lead, review, {"status": ReviewStatus.FIELDWORK})
    workspaces = {
        slug: db.session.scalars(
            sa.select(Workspace).where(
                Workspace.review_id == review.id,
                Workspace.organisation_id == orgs[slug].id,
            )
        ).one()
        for slug in REVIEWED
    }
    first = date.today() + timedelta(days=14)
    first -= timedelta(days=first.weekday())  # a Monday
    for week, slug in enumerate(REVIEWED):
        monday = first + timedelta(weeks=week)
        visit = fieldwork_services.create_visit(
            lead,
            review,
            {
                "workspace_id": workspaces[slug].id,
                "starts_on": monday,
                "ends_on": monday + timedelta(days=3),
                "mode": VisitMode.ON_SITE,
                "title": f"{orgs[slug].name}: fieldwork",
                "title_cy": f"{orgs[slug].name_cy or orgs[slug].name}: gwaith maes",
            },
        )

        def at(day: int, hour: int, minute: int = 0, monday: date = monday) -> datetime:
            return datetime.combine(
                monday + timedelta(days=day), time(hour, minute), wales
            )

        (md, md_role), (cabinet, cabinet_role) = PEOPLE[slug]
        plan = [
            (SessionKind.INTERVIEW, f"Interview: {md_role.lower()}",
             "Cyfweliad: rheolwr gyfarwyddwr", at(0, 9, 30), at(0, 11),
             [{"name": md, "role": md_role}], ["Leadership and management"]),
            (SessionKind.INTERVIEW, "Interview: elected members",
             "Cyfweliad: aelodau etholedig", at(1, 10), at(1, 11, 30),
             [{"name": cabinet, "role": cabinet_role}], ["Governance"]),
            (SessionKind.OBSERVATION, "Observation: a school improvement visit",
             "Arsylwi: ymweliad gwella ysgol", at(2, 9), at(2, 12), [],
             ["Improving schools"]),
            (SessionKind.FEEDBACK, "Feedback of initial findings",
             "Adborth ar y canfyddiadau cychwynnol", at(3, 14), at(3, 15), [
                 {"name": md, "role": md_role}], []),
        ]  # fmt: skip
        for day in range(4):
            plan.append(
                (
                    SessionKind.TEAM_MEETING,
                    "Team meeting",
                    "Cyfarfod tîm",
                    at(day, 16, 30),
                    at(day, 17, 30),
                    [],
                    [],
                )
            )
        for kind, title, title_cy, starts, ends, attendees, themes in plan:
            fieldwork_services.create_session(
                inspector,
                visit,
                {
                    "kind": kind,
                    "title": title,
                    "title_cy": title_cy,
                    "starts_at": starts,
                    "ends_at": ends,
                    "location": f"{orgs[slug].name} offices",
                    "attendees": attendees,
                    "themes": themes,
                },
            )
    erw_items = list(
        db.session.scalars(
            sa.select(EvidenceItem)
            .where(EvidenceItem.workspace_id == workspaces["erw"].id)
            .order_by(EvidenceItem.number)
        )
    )
    first_note, _raised = note_services.create_note(
        inspector,
        review,
        note_services.NewNote(
            body=(
                "The business plan's priorities match what the managing director "
                "told us. **Worth testing** with the cabinet member on day 2."
            ),
            mentions=[audit_inspector.id],
        ),
    )
    note_services.create_note(
        lead,
        review,
        note_services.NewNote(
            body="Agreed. Let us add it to the interview questions.",
            reply_to=first_note.id,
        ),
    )
    note_services.create_note(
        audit_lead,
        review,
        note_services.NewNote(
            body="Audit Wales only: check the grant figures against the accounts.",
            scope=Scope.BODY,
        ),
    )
    hypotheses = [
        ("Regional working is improving the quality of leadership in schools.",
         "Mae gweithio rhanbarthol yn gwella ansawdd arweinyddiaeth mewn ysgolion.",
         "Leadership and management"),
        ("Governance arrangements hold the consortia to account effectively.",
         "Mae trefniadau llywodraethu yn dwyn y consortia i gyfrif yn effeithiol.",
         "Governance"),
        ("The consortia can show value for money for the grants they manage.",
         "Gall y consortia ddangos gwerth am arian am y grantiau y maent yn eu rheoli.",
         "Value for money"),
    ]  # fmt: skip
    made = [
        hypothesis_services.create_hypothesis(
            inspector,
            review,
            {"statement": statement, "statement_cy": statement_cy, "theme": theme},
        )
        for statement, statement_cy, theme in hypotheses
    ]
    hypothesis_services.update_hypothesis(
        audit_inspector,
        made[0],
        {
            "status": HypothesisStatus.SUPPORTED,
            "reason": "Head teachers in all four regions described the support.",
        },
    )
    hypothesis_services.update_hypothesis(
        lead,
        made[1],
        {
            "status": HypothesisStatus.PARTLY_SUPPORTED,
            "reason": "Strong in two regions; the joint committees meet too rarely.",
        },
    )
    if erw_items:
        hypothesis_services.set_evidence(
            inspector, made[0], [item.id for item in erw_items[:2]]
        )


REPORT_ESTYN = [
    "# Regional working\n\nRegional consortia are improving leadership in schools.",
    "# Regional working\n\nRegional consortia are improving leadership in most "
    "schools.\n\nGovernance is developing.",
    "# Regional working\n\nRegional consortia are improving leadership in most "
    "schools.\n\nGovernance is developing, and scrutiny by joint committees is "
    "not yet strong enough.",
]
REPORT_AUDIT = [
    "# Value for money\n\nThe consortia manage grants of £150 million a year.",
    "# Value for money\n\nThe consortia manage grants of about £150 million a "
    "year, but cannot yet show value for money consistently.",
]
MESSAGES = [
    ("Regional working has improved leadership in most schools.",
     "Mae gweithio rhanbarthol wedi gwella arweinyddiaeth yn y rhan fwyaf o ysgolion."),
    ("Governance is developing but scrutiny is not yet strong enough.",
     "Mae llywodraethu'n datblygu ond nid yw craffu'n ddigon cryf eto."),
    ("The consortia cannot yet show value for money consistently.",
     "Ni all y consortia ddangos gwerth am arian yn gyson eto."),
]  # fmt: skip


def _add_agreement(
    review: Review, users: dict[str, User], orgs: dict[str, Organisation]
) -> None:
    """After the visits: headline messages (two agreed by both bodies, one
    awaiting Audit Wales), each body's report in versions with comments from
    the other, feedback issued to ERW with a factual-accuracy comment, a
    joint press release, and a publication date agreed by both bodies."""
    from datetime import timedelta

    from app.drafts import services as draft_services
    from app.drafts.models import Decision, DraftKind
    from app.hypotheses.models import Hypothesis
    from app.messages import services as message_services
    from app.reviews.models import ReviewStatus
    from app.reviews.visibility import Scope

    lead = users["lead@estyn.demo.example"]
    inspector = users["inspector@estyn.demo.example"]
    audit_lead = users["lead@audit.demo.example"]
    audit_inspector = users["inspector@audit.demo.example"]
    estyn, audit = orgs["estyn"], orgs["audit-wales"]
    review_services.update_review(lead, review, {"status": ReviewStatus.REPORTING})
    hypotheses = list(
        db.session.scalars(
            sa.select(Hypothesis.id)
            .where(Hypothesis.review_id == review.id)
            .order_by(Hypothesis.number)
        )
    )
    messages = []
    for index, (text, text_cy) in enumerate(MESSAGES):
        messages.append(
            message_services.create_message(
                inspector,
                review,
                {
                    "text": text,
                    "text_cy": text_cy,
                    "hypothesis_ids": hypotheses[index : index + 1],
                },
            )
        )
    for message in messages[:2]:
        message_services.agree(lead, message)
        message_services.agree(audit_lead, message)
    message_services.agree(lead, messages[2])  # awaiting Audit Wales

    def decide(draft, who, org, decision) -> None:
        draft_services.decide(
            who,
            draft,
            org.id,
            {"decision": decision, "version": draft.current_version},
        )

    def draft_with_versions(author, kind, title, title_cy, texts, **extra):
        draft = draft_services.create_draft(
            author,
            review,
            {"kind": kind, "title": title, "title_cy": title_cy, **extra},
        )
        for number, text in enumerate(texts, start=1):
            draft_services.add_text_version(
                author, draft, {"text": text, "note": f"Draft {number}"}
            )
        return draft

    estyn_report = draft_with_versions(
        inspector,
        DraftKind.REPORT,
        "Estyn's report: regional consortia",
        "Adroddiad Estyn: consortia rhanbarthol",
        REPORT_ESTYN[:2],
    )
    draft_services.update_draft(lead, estyn_report, {"scope": Scope.JOINT})
    draft_services.add_comment(
        audit_inspector,
        estyn_report,
        {
            "body": "Say what the joint committees should do differently.",
            "quote": "Governance is developing.",
        },
    )
    draft_services.add_text_version(
        inspector, estyn_report, {"text": REPORT_ESTYN[2], "note": "After comments"}
    )
    decide(estyn_report, lead, estyn, Decision.APPROVE)
    decide(estyn_report, audit_lead, audit, Decision.NO_OBJECTION)
    audit_report = draft_with_versions(
        audit_inspector,
        DraftKind.REPORT,
        "Audit Wales's report: value for money",
        "Adroddiad Archwilio Cymru: gwerth am arian",
        REPORT_AUDIT,
    )
    draft_services.update_draft(audit_lead, audit_report, {"scope": Scope.JOINT})
    draft_services.add_comment(
        inspector,
        audit_report,
        {"body": "Our evidence on grants agrees: **about £150 million**."},
    )
    decide(audit_report, audit_lead, audit, Decision.APPROVE)
    decide(audit_report, lead, estyn, Decision.APPROVE)
    press = draft_with_versions(
        inspector,
        DraftKind.PRESS_RELEASE,
        "Joint press release",
        "Datganiad i'r wasg ar y cyd",
        ["Estyn and Audit Wales publish their reviews of the regional consortia."],
    )
    decide(press, lead, estyn, Decision.APPROVE)
    decide(press, audit_lead, audit, Decision.APPROVE)
    erw = db.session.scalars(
        sa.select(Workspace).where(
            Workspace.review_id == review.id,
            Workspace.organisation_id == orgs["erw"].id,
        )
    ).one()
    feedback = draft_with_versions(
        inspector,
        DraftKind.FEEDBACK,
        "Feedback at the end of the visit to ERW",
        "Adborth ar ddiwedd yr ymweliad ag ERW",
        ["Leaders know their schools well.\n\nScrutiny of 21 schools was thorough."],
        workspace_id=erw.id,
    )
    decide(feedback, lead, estyn, Decision.APPROVE)
    decide(feedback, audit_lead, audit, Decision.APPROVE)
    draft_services.issue(lead, feedback)
    nominee = users["nominee@erw.demo.example"]
    draft_services.add_accuracy_comment(
        nominee,
        feedback,
        {"body": "We reviewed 12 schools in depth, not 21.", "quote": "21 schools"},
    )
    publish_on = draft_services.today_in_wales() + timedelta(days=60)
    draft_services.propose_publication(
        lead,
        review,
        {
            "publish_at": publish_on,
            "draft_ids": [estyn_report.id, audit_report.id, press.id],
        },
    )
    draft_services.agree_publication(lead, review)
    draft_services.agree_publication(audit_lead, review)


COMMITTEE_TITLE = "School engagement sessions 2022"
COMMITTEE_TITLE_CY = "Sesiynau ymgysylltu ag ysgolion 2022"
COMMITTEE_THEMES = [
    ("Recovery from covid / wellbeing of staff", "Adferiad o covid / llesiant staff",
     "Spring 2022", "remote"),
    ("Preparedness for ALN transformation", "Parodrwydd ar gyfer trawsnewid ADY",
     "Summer 2022", "council_chamber"),
    ("Curriculum and WESP", "Y cwricwlwm a'r CSGA", "Autumn 2022", "on_site"),
    ("School buildings", "Adeiladau ysgolion", "Spring 2023", "on_site"),
]  # fmt: skip
SCHOOLS = [
    ("ysgol-y-bryn", "Ysgol y Bryn", "Ysgol y Bryn"),
    ("ysgol-glan-mor", "Ysgol Glan Môr", "Ysgol Glan Môr"),
    ("st-davids-primary", "St David's Primary", "Ysgol Gynradd Dewi Sant"),
]
COMMITTEE_USERS = [
    DemoUser("chair@committee.demo.example", "Cllr Llinos Rees", "scrutiny",
             Role.LEAD_OFFICER, Locale.CY),
    DemoUser("member@committee.demo.example", "Cllr Tom Evans", "scrutiny",
             Role.INSPECTOR),
    *[DemoUser(f"head@{slug}.demo.example", f"Head of {name}", slug, Role.NOMINEE)
      for slug, name, _cy in SCHOOLS],
]  # fmt: skip


def _add_committee(admin: User) -> None:
    """A council's education scrutiny committee and its termly engagement
    sessions with three schools: one inspecting body, several reviewed."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from app.fieldwork import services as fieldwork_services
    from app.fieldwork.models import SessionKind
    from app.reviews.models import VisitMode

    wales = ZoneInfo("Europe/London")
    committee = account_services.create_organisation(
        admin,
        slug="scrutiny",
        name="Education Scrutiny Committee",
        name_cy="Pwyllgor Craffu Addysg",
        kind=OrganisationKind.COMMITTEE,
    )
    schools = {
        slug: account_services.create_organisation(
            admin, slug=slug, name=name, name_cy=name_cy, kind=OrganisationKind.SCHOOL
        )
        for slug, name, name_cy in SCHOOLS
    }
    orgs = {"scrutiny": committee, **schools}
    users = {
        demo.email: account_services.create_user(
            admin,
            email=demo.email,
            name=demo.name,
            organisation_id=orgs[demo.organisation].id,
            password=DEMO_PASSWORD,
            locale=demo.locale,
        )
        for demo in COMMITTEE_USERS
        if demo.organisation is not None
    }
    review = review_services.create_review(
        admin,
        title=COMMITTEE_TITLE,
        title_cy=COMMITTEE_TITLE_CY,
        inspecting=[committee.id],
        reviewed=[s.id for s in schools.values()],
    )
    for demo in COMMITTEE_USERS:
        assert demo.role is not None
        review_services.set_member(admin, review, users[demo.email].id, demo.role)
    chair = users["chair@committee.demo.example"]
    for name, name_cy, period, approach in COMMITTEE_THEMES:
        review_services.create_theme(
            chair,
            review,
            {"name": name, "name_cy": name_cy, "period": period,
             "approach": VisitMode(approach)},
        )  # fmt: skip
    workspaces = {
        w.organisation_id: w
        for w in db.session.scalars(
            sa.select(Workspace).where(Workspace.review_id == review.id)
        )
    }
    day = date.today() + timedelta(days=21)
    for n, (slug, name, _cy) in enumerate(SCHOOLS):
        on = day + timedelta(days=7 * n)
        visit = fieldwork_services.create_visit(
            chair,
            review,
            {"workspace_id": workspaces[schools[slug].id].id, "starts_on": on,
             "ends_on": on, "mode": VisitMode.COUNCIL_CHAMBER,
             "title": f"Engagement session: {name}"},
        )  # fmt: skip
        fieldwork_services.create_session(
            chair,
            visit,
            {
                "kind": SessionKind.ENGAGEMENT,
                "title": "Recovery from covid / wellbeing of staff",
                "title_cy": "Adferiad o covid / llesiant staff",
                "starts_at": datetime.combine(on, time(14), wales),
                "ends_at": datetime.combine(on, time(15, 30), wales),
                "mode": VisitMode.COUNCIL_CHAMBER,
                "location": "Council chamber",
                "attendees": [{"name": f"Head of {name}", "role": "Head teacher"}],
                "themes": ["Recovery from covid / wellbeing of staff"],
            },
        )
