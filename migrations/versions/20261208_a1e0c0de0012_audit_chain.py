"""Audit trail: the hash chain (seq, prev_hash, hash), the actor's name and
the workspace kept on each event, subjects named as the API names them, and
the action names of the records contract. Existing events move into the
chain in the order they happened.

Revision ID: a1e0c0de0012
Revises: a1e0c0de0011
Create Date: 2026-12-08 00:40:00
"""

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision: str = "a1e0c0de0012"
down_revision: str | None = "a1e0c0de0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
RENAMED = {
    "auth.signed_in": "auth.sign_in",
    "auth.signed_out": "auth.sign_out",
    "auth.token_issued": "auth.token_created",
    "hypothesis.updated": "hypothesis.changed",
}
DECIDED = {"request.accepted", "request.returned", "request.withdrawn"}
SUBJECT_TYPES = {
    "EvidenceItem": "evidence",
    "EvidenceRequest": "request",
    "HeadlineMessage": "message",
    "Session": "session",
}

events = sa.table(
    "audit_events",
    sa.column("id", sa.Uuid()),
    sa.column("seq", sa.BigInteger()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Uuid()),
    sa.column("actor_name", sa.String()),
    sa.column("action", sa.String()),
    sa.column("review_id", sa.Uuid()),
    sa.column("workspace_id", sa.Uuid()),
    sa.column("subject_type", sa.String()),
    sa.column("subject_id", sa.Uuid()),
    sa.column("details", sa.JSON()),
    sa.column("ip_address", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _subject_type(name: str | None) -> str | None:
    if name is None:
        return None
    return SUBJECT_TYPES.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _id(value: object) -> str | None:
    return str(value) if value is not None else None


def _hash(prev: str, row: dict) -> str:
    # The chain's rule as app/audit/chain.py has it on the day of this
    # migration (a migration never imports the app: the app changes later).
    at = row["occurred_at"]
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    doc = {
        "id": str(row["id"]),
        "seq": row["seq"],
        "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": _id(row["actor_id"]),
        "actor_name": row["actor_name"],
        "action": row["action"],
        "review_id": _id(row["review_id"]),
        "workspace_id": _id(row["workspace_id"]),
        "subject": (
            {"type": row["subject_type"], "id": _id(row["subject_id"])}
            if row["subject_type"] is not None
            else None
        ),
        "details": row["details"] or {},
        "client_ip": row["ip_address"],
        "prev_hash": prev,
    }
    canonical = json.dumps(
        doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()


def _pairs(conn: sa.Connection, table: str, column: str) -> dict:
    # Typed columns: ids come back as UUIDs on SQLite too (32 hex characters
    # there), so they match the events' own.
    value_type = sa.String() if column == "name" else sa.Uuid()
    return dict(
        conn.execute(
            sa.select(
                sa.column("id", sa.Uuid()), sa.column(column, value_type)
            ).select_from(sa.table(table))
        ).all()
    )


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_review_time")
        batch_op.alter_column("target_type", new_column_name="subject_type")
        batch_op.alter_column("target_id", new_column_name="subject_id")
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("actor_name", sa.String(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column("workspace_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    conn = op.get_bind()
    users = _pairs(conn, "users", "name")
    item_workspaces = _pairs(conn, "evidence_items", "workspace_id")
    request_workspaces = _pairs(conn, "evidence_requests", "workspace_id")
    rows = conn.execute(
        sa.select(events).order_by(events.c.occurred_at, events.c.id)
    ).mappings()
    prev = GENESIS
    for seq, original in enumerate(list(rows), start=1):
        row = dict(original)
        action = RENAMED.get(row["action"], row["action"])
        details = dict(row["details"] or {})
        if action in DECIDED:
            details["outcome"] = action.split(".", 1)[1]
            action = "request.decided"
        subject = _subject_type(row["subject_type"])
        workspace_id = None
        if subject == "evidence":
            workspace_id = item_workspaces.get(row["subject_id"])
        elif subject == "request":
            workspace_id = request_workspaces.get(row["subject_id"])
        row.update(
            seq=seq,
            action=action,
            details=details,
            subject_type=subject,
            workspace_id=workspace_id,
            actor_name=users.get(row["actor_id"]),
        )
        row["hash"] = _hash(prev, row)
        row["prev_hash"] = prev
        conn.execute(
            events.update()
            .where(events.c.id == row["id"])
            .values(
                seq=seq,
                action=action,
                details=details,
                subject_type=subject,
                workspace_id=workspace_id,
                actor_name=row["actor_name"],
                prev_hash=prev,
                hash=row["hash"],
            )
        )
        prev = row["hash"]

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_seq"), ["seq"])
        batch_op.create_index("ix_audit_events_review_seq", ["review_id", "seq"])
        batch_op.create_index("ix_audit_events_subject", ["subject_id"])


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_subject")
        batch_op.drop_index("ix_audit_events_review_seq")
        batch_op.drop_constraint(batch_op.f("uq_audit_events_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("workspace_id")
        batch_op.drop_column("actor_name")
        batch_op.drop_column("seq")
        batch_op.alter_column("subject_id", new_column_name="target_id")
        batch_op.alter_column("subject_type", new_column_name="target_type")
        batch_op.create_index(
            "ix_audit_events_review_time", ["review_id", "occurred_at"], unique=False
        )
