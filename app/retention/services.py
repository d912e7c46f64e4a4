"""Applying retention (``flask --app wsgi apply-retention``, daily by cron).

What goes is the *content*: each file's bytes in the evidence store. What
was held stays on record: the rows, references, sizes and SHA-256s, and the
audit trail, with a ``retention.applied`` event for each review whose files
went. Its content then answers 410 ``gone``.

Order, for "nothing lost" the other way round (nothing kept that should
not be): a blob is deleted first, then its row is marked purged and the
event written, in one transaction per review. A crash between the two leaves
a row whose blob is gone; the next run finds it again (it is still due),
deletes nothing more (a missing key is no error) and marks it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.audit import services as audit
from app.core.db import begin_write, db, utcnow
from app.core.storage import current_store
from app.drafts.models import Draft, DraftVersion
from app.evidence.models import EvidenceFile, EvidenceItem
from app.evidence.services import trash_days
from app.reviews.models import Review, ReviewStatus
from app.reviews.services import retention_days_of
from app.search.models import EvidenceText, TextStatus
from evidence_store import StoreError

log = logging.getLogger(__name__)


@dataclass
class Due:
    """One review's files due for deletion, and why."""

    review_id: uuid.UUID
    reason: str  # "trash" (withdrawn items) or "retention" (a closed review)
    evidence_files: list[EvidenceFile] = field(default_factory=list)
    draft_versions: list[DraftVersion] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.evidence_files) + len(self.draft_versions)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.evidence_files) + sum(
            v.size or 0 for v in self.draft_versions
        )


@dataclass
class Report:
    deleted: list[Due] = field(default_factory=list)
    # Reviews under legal hold with files that would otherwise be due.
    held: list[Due] = field(default_factory=list)
    failed: int = 0

    @property
    def files(self) -> int:
        return sum(d.count for d in self.deleted)


def _retention_over(review: Review, now: datetime) -> bool:
    """Whether a closed review's retention period has run out by ``now``."""
    if review.closed_at is None:
        return False
    return review.closed_at + timedelta(days=retention_days_of(review)) <= now


def due(now: datetime | None = None) -> Iterator[Due]:
    """Everything due now, review by review: closed reviews past their
    retention (every file, live or withdrawn, evidence and drafts), then
    withdrawn items past TRASH_DAYS in other reviews."""
    now = now or utcnow()
    # Read afresh: a review's period or hold may have changed since this
    # session last saw it, and a deletion cannot be taken back.
    closed = db.session.scalars(
        sa.select(Review)
        .where(Review.status == ReviewStatus.CLOSED, Review.closed_at.is_not(None))
        .execution_options(populate_existing=True)
    )
    expired: set[uuid.UUID] = set()
    for review in closed:
        if not _retention_over(review, now):
            continue
        expired.add(review.id)
        found = _review_due(review.id)
        if found.count:
            yield found
    trashed = db.session.scalars(_trash_due(now - timedelta(days=trash_days())))
    by_review: dict[uuid.UUID, Due] = {}
    for stored in trashed:
        review_id = stored.item.review_id
        if review_id in expired:
            continue  # already due, with the whole review
        by_review.setdefault(review_id, Due(review_id, "trash")).evidence_files.append(
            stored
        )
    yield from by_review.values()


def _review_due(review_id: uuid.UUID) -> Due:
    """Every file of a review whose retention has run out."""
    found = Due(review_id, "retention")
    found.evidence_files = list(
        db.session.scalars(
            sa.select(EvidenceFile)
            .join(EvidenceItem, EvidenceItem.id == EvidenceFile.item_id)
            .where(
                EvidenceItem.review_id == review_id, EvidenceFile.purged_at.is_(None)
            )
            .order_by(EvidenceFile.uploaded_at, EvidenceFile.id)
        )
    )
    found.draft_versions = list(
        db.session.scalars(
            sa.select(DraftVersion)
            .join(Draft, Draft.id == DraftVersion.draft_id)
            .where(
                Draft.review_id == review_id,
                DraftVersion.file_key.is_not(None),
                DraftVersion.purged_at.is_(None),
            )
            .order_by(DraftVersion.created_at, DraftVersion.id)
        )
    )
    return found


def _trash_due(cutoff: datetime) -> sa.Select[tuple[EvidenceFile]]:
    """The files of items withdrawn at or before ``cutoff``."""
    return (
        sa.select(EvidenceFile)
        .join(EvidenceItem, EvidenceItem.id == EvidenceFile.item_id)
        .where(
            EvidenceItem.withdrawn_at.is_not(None),
            EvidenceItem.withdrawn_at <= cutoff,
            EvidenceFile.purged_at.is_(None),
        )
        .order_by(EvidenceItem.review_id, EvidenceFile.uploaded_at, EvidenceFile.id)
    )


def _still_due(found: Due, now: datetime) -> Due:
    """``found`` as it stands inside the deletion's own transaction (the
    review's row locked; the trashed items' rows locked too), so that an item
    restored, or a retention period lengthened, since the list was drawn up
    keeps its files."""
    review = db.session.scalars(
        sa.select(Review)
        .where(Review.id == found.review_id)
        .execution_options(populate_existing=True)
    ).one()
    if found.reason == "retention":
        if not _retention_over(review, now):
            return Due(found.review_id, found.reason)
        return _review_due(review.id)
    item_ids = sorted({f.item_id for f in found.evidence_files})
    db.session.execute(
        sa.select(EvidenceItem.id)
        .where(EvidenceItem.id.in_(item_ids))
        .with_for_update()
    )
    again = Due(found.review_id, found.reason)
    again.evidence_files = list(
        db.session.scalars(
            _trash_due(now - timedelta(days=trash_days()))
            .where(EvidenceItem.id.in_(item_ids))
            .execution_options(populate_existing=True)
        )
    )
    return again


def apply_retention(*, dry_run: bool = False, now: datetime | None = None) -> Report:
    """Delete what is due, except under legal hold; ``dry_run``: only say."""
    report = Report()
    for found in list(due(now)):
        if dry_run:
            held = db.session.scalar(
                sa.select(Review.legal_hold).where(Review.id == found.review_id)
            )
            (report.held if held else report.deleted).append(found)
            continue
        outcome = _delete(found, now or utcnow())
        if outcome == "held":
            report.held.append(found)
        elif outcome == "deleted":
            report.deleted.append(found)
        elif outcome == "failed":
            report.failed += 1
    return report


# Files deleted in one transaction: on SQLite a transaction that writes
# holds the one writer lock, which the store's deletions must not keep long.
BATCH = 200


def _delete(found: Due, now: datetime) -> str:
    """Delete one review's due files and record it, a batch at a time:
    ``deleted`` (``found`` then lists what went); ``held`` (nothing touched)
    under legal hold; ``nothing`` if nothing is due any more; ``failed``
    (that batch not marked) if the store refused, so that the next run
    tries again.

    Each batch runs with the review's row locked and what is due re-read
    inside that transaction, so a legal hold set, an item restored or a
    period lengthened meanwhile is obeyed, never overtaken."""
    deleted = Due(found.review_id, found.reason)
    outcome = "nothing"
    while True:
        begin_write(db.session)
        held = db.session.scalar(
            sa.select(Review.legal_hold)
            .where(Review.id == found.review_id)
            .with_for_update()
        )
        if held:
            db.session.rollback()
            outcome = "held" if outcome == "nothing" else outcome
            break
        still = _still_due(found, now)
        batch = Due(
            found.review_id,
            found.reason,
            still.evidence_files[:BATCH],
            still.draft_versions[: max(0, BATCH - len(still.evidence_files))],
        )
        if not batch.count:
            db.session.rollback()
            break
        if not _delete_batch(batch):
            outcome = "failed"
            break
        deleted.evidence_files += batch.evidence_files
        deleted.draft_versions += batch.draft_versions
        outcome = "deleted"
    found.evidence_files, found.draft_versions = (
        deleted.evidence_files,
        deleted.draft_versions,
    )
    return outcome


def _delete_batch(batch: Due) -> bool:
    """Inside the caller's locked transaction: delete the blobs, mark the
    rows purged, record it, commit. False (rolled back) if the store refused."""
    store = current_store()
    keys = [f.storage_key for f in batch.evidence_files] + [
        v.file_key for v in batch.draft_versions if v.file_key
    ]
    try:
        for key in keys:
            store.delete(key)
    except StoreError:
        log.exception(
            "retention: the store refused a deletion for review %s", batch.review_id
        )
        db.session.rollback()
        return False
    purged = utcnow()
    # The text read out of the files goes with them: it holds what they held.
    db.session.execute(
        sa.update(EvidenceText)
        .where(EvidenceText.file_id.in_([f.id for f in batch.evidence_files]))
        .values(text=None, status=TextStatus.NO_TEXT, reason="deleted under retention")
    )
    for stored in batch.evidence_files:
        stored.purged_at = purged
    for version in batch.draft_versions:
        version.purged_at = purged
    audit.record(
        "retention.applied",
        actor=None,
        review_id=batch.review_id,
        details={
            "reason": batch.reason,
            "evidence_files": len(batch.evidence_files),
            "draft_files": len(batch.draft_versions),
            "bytes": batch.size,
            "items": sorted({str(f.item_id) for f in batch.evidence_files}),
        },
    )
    db.session.commit()
    return True
