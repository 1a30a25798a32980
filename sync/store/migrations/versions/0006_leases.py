"""Team leases: which daemon scores which group of teams sharing projects, until when, with a fencing counter.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("group_key", sa.String(255)),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("fence", sa.BigInteger(), nullable=False),
        sa.Column("teams", sa.Text(), nullable=False),
        sa.Column("acquired_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("group_key", name="pk_leases"),
    )


def downgrade() -> None:
    op.drop_table("leases")
