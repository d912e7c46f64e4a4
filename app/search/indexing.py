"""Text extraction of uploaded evidence, as a background job.

Each stored file gets an ``EvidenceText`` row in the transaction that
stores it: ``pending`` for a type with an extractor, ``no_text`` for the
others (images, media, old Office formats). The ``extract_text`` job, queued
for after the commit, copies the file from the store to a private temporary
file (streamed: the extractor's child reads a file, never the app's memory),
runs the sandboxed extractor (``app.search.extract``) and writes the result:
``indexed`` with the text, ``no_text`` or ``failed``. An item's
``text_status`` is its current version's.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid

import sqlalchemy as sa

from app.core.db import begin_write, db, utcnow
from app.core.storage import current_store
from app.evidence.models import EvidenceFile
from app.jobs import services as jobs
from app.search import extract
from app.search.models import EvidenceText, TextStatus

log = logging.getLogger(__name__)
COPY_CHUNK = 1024 * 1024


def queue_extraction(stored: EvidenceFile) -> None:
    """Record ``stored`` as waiting for its text (or as having none), and
    queue the extraction for after the commit. The caller commits."""
    if stored.id is None:
        stored.id = uuid.uuid4()
    wanted = extract.extracts(stored.media_type)
    db.session.add(
        EvidenceText(
            file_id=stored.id,
            status=TextStatus.PENDING if wanted else TextStatus.NO_TEXT,
        )
    )
    if wanted:
        jobs.after_commit(db.session, "extract_text", str(stored.id))


def extract_text_job(file_id: str) -> str:
    """The job: extract one file's text; idempotent. Returns the status."""
    stored = db.session.get(EvidenceFile, uuid.UUID(file_id))
    row = db.session.get(EvidenceText, uuid.UUID(file_id))
    if stored is None or row is None or stored.purged_at is not None:
        return "gone"
    with tempfile.NamedTemporaryFile(prefix="portal-extract-") as copy:
        with current_store().open(stored.storage_key) as reader:
            shutil.copyfileobj(reader, copy, COPY_CHUNK)
        copy.flush()
        # The database waits for no child process: end the read first.
        db.session.commit()
        found = extract.extract_file(copy.name, stored.media_type)
    # Read and then written: a writer's transaction (see app/core/db.py).
    begin_write(db.session)
    row = db.session.get(EvidenceText, uuid.UUID(file_id))
    if row is None:
        return "gone"
    row.status = TextStatus(found.status)
    row.text = found.text if found.status == "indexed" else None
    row.reason = found.reason
    row.extracted_at = utcnow()
    if found.status == "failed":
        log.warning("text extraction of file %s failed: %s", file_id, found.reason)
    db.session.commit()
    return found.status


def text_status_of(file_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The extraction status of each file (``pending`` if none recorded)."""
    rows = db.session.execute(
        sa.select(EvidenceText.file_id, EvidenceText.status).where(
            EvidenceText.file_id.in_(file_ids)
        )
    )
    found = {file_id: status.value for file_id, status in rows}
    return {i: found.get(i, TextStatus.PENDING.value) for i in file_ids}
