"""What is stored: rows and blobs, for checking that a refusal left nothing."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.db import db
from app.evidence.models import EvidenceFile, EvidenceItem
from evidence_store import EvidenceStore


def stored_state(store: EvidenceStore) -> tuple[int, int, list[str]]:
    """(items, files, blobs): what a refused upload must leave unchanged."""
    items = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem))
    files = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile))
    return items or 0, files or 0, sorted(store.iter_keys())
