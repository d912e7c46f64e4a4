"""Reminders sent for evidence requests (each once).

Revision ID: a1e0c0de0003
Revises: a1e0c0de0002
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "a1e0c0de0003"
down_revision: str | None = "a1e0c0de0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
