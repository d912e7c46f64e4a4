"""Synthetic evidence, in bulk, for benchmarks and load tests
(``flask --app wsgi seed-bench``; refused in production).

Each item is a plain-text document of inspection prose in English and Welsh,
different for each item (seeded, so a run is repeatable), stored through
the evidence store like any upload; the rows go in with one INSERT per
batch, not one upload request each, so a million items take minutes. Items
are numbered after the review's last, under its row lock, as uploads are.
"""

from __future__ import annotations

import io
import random
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from app.audit import services as audit
from app.core.db import begin_write, db, utcnow
from app.core.storage import current_store
from app.evidence.models import (
    Classification,
    EvidenceFile,
    EvidenceItem,
    reference_prefix,
)
from app.reviews.models import Review, Workspace

SUBJECTS = [
    "The consortium", "The local authority", "The school improvement service",
    "Governing bodies", "Headteachers", "Challenge advisers", "The joint committee",
    "Yr ysgol", "Y consortiwm", "Y cyngor", "Penaethiaid", "Llywodraethwyr",
]  # fmt: skip
VERBS = [
    "monitors", "evaluates", "reports on", "challenges", "supports", "reviews",
    "improves", "plans for", "yn monitro", "yn gwerthuso", "yn cefnogi", "yn herio",
]  # fmt: skip
OBJECTS = [
    "pupil outcomes in literacy and numeracy", "attendance and exclusions",
    "the quality of teaching and learning", "leadership capacity in schools",
    "value for money of regional services", "the categorisation of schools",
    "professional learning for teachers", "safeguarding arrangements",
    "canlyniadau disgyblion", "safonau addysgu", "arweinyddiaeth ysgolion",
    "gwasanaethau rhanbarthol", "dysgu proffesiynol", "ŵyl ddiwylliannol yr ysgolion",
]  # fmt: skip
CLAUSES = [
    "across the region", "in the last three years", "since the previous inspection",
    "in line with the business plan", "through termly meetings", "with partners",
    "ar draws y rhanbarth", "yn y tymor hwn", "gyda phartneriaid",
]  # fmt: skip
TITLES = [
    "Business plan", "Self-evaluation report", "Minutes of the joint committee",
    "Categorisation data", "Professional learning offer", "Governance review",
    "Cynllun busnes", "Adroddiad hunanwerthuso", "Cofnodion y cyd-bwyllgor",
]  # fmt: skip


def prose(rng: random.Random, size: int) -> bytes:
    """About ``size`` bytes of sentences (UTF-8, so a little more or less).
    Past 256 KiB the text repeats: a benchmark's gigabytes are made quickly,
    and what search reads of an item is capped well before that anyway."""
    parts: list[str] = []
    length = 0
    while length < min(size, UNIQUE_TEXT):
        sentence = (
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(CLAUSES)}. "
        )
        if rng.random() < 0.1:
            sentence += "\n\n"
        parts.append(sentence)
        length += len(sentence)
    text = "".join(parts).encode("utf-8")
    if len(text) >= size:
        return text
    whole = (text * (size // len(text) + 1))[:size]
    return whole.decode("utf-8", "ignore").encode("utf-8")  # no split letter


@dataclass
class Seeded:
    items: int
    bytes: int
    first_reference: str | None
    last_reference: str | None


UNIQUE_TEXT = 256 * 1024


def seed_items(
    workspace: Workspace,
    count: int,
    *,
    size: int = 4096,
    batch: int = 1000,
    seed: int = 1,
) -> Seeded:
    """Add ``count`` synthetic items of about ``size`` bytes to ``workspace``."""
    store = current_store()
    rng = random.Random(seed)  # noqa: S311 (synthetic text, not a secret)
    review_id, prefix = (
        workspace.review_id,
        reference_prefix(workspace.organisation.slug),
    )
    done = total = 0
    first: str | None = None
    last: str | None = None
    while done < count:
        n = min(batch, count - done)
        blobs = [store.save(io.BytesIO(prose(rng, size))) for _ in range(n)]
        try:
            begin_write(db.session)
            db.session.execute(
                sa.select(Review.id).where(Review.id == review_id).with_for_update()
            )
            start = (
                db.session.scalar(
                    sa.select(sa.func.max(EvidenceItem.number)).where(
                        EvidenceItem.review_id == review_id
                    )
                )
                or 0
            ) + 1
            now = utcnow()
            items, files = [], []
            for offset, stored in enumerate(blobs):
                item_id = uuid.uuid4()
                number = start + offset
                title = f"{rng.choice(TITLES)} {number}"
                items.append(
                    {
                        "id": item_id,
                        "workspace_id": workspace.id,
                        "review_id": review_id,
                        "number": number,
                        "reference": f"{prefix}-{number:03d}",
                        "title": title,
                        "description": "Synthetic evidence for benchmarks.",
                        "classification": Classification.OFFICIAL,
                        "personal_data": False,
                        "uploaded_at": now,
                    }
                )
                files.append(
                    {
                        "id": uuid.uuid4(),
                        "item_id": item_id,
                        "version": 1,
                        "storage_key": stored.key,
                        "filename": f"{title}.txt",
                        "size": stored.size,
                        "sha256": stored.sha256,
                        "media_type": "text/plain",
                        "uploaded_at": now,
                    }
                )
                total += stored.size
            db.session.execute(sa.insert(EvidenceItem), items)
            db.session.execute(sa.insert(EvidenceFile), files)
            first = first or items[0]["reference"]
            last = items[-1]["reference"]
            audit.record(
                "evidence.seeded",
                actor=None,
                review_id=review_id,
                workspace_id=workspace.id,
                details={"items": n, "first": items[0]["reference"], "last": last},
            )
            db.session.commit()
        except BaseException:
            db.session.rollback()
            for stored in blobs:
                store.delete(stored.key)
            raise
        done += n
    return Seeded(done, total, first, last)
