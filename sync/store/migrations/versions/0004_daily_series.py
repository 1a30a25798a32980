"""Daily series: each team's KPIs, objective scores and key-result grades at the end of each day.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "daily_series",
        sa.Column("team", sa.String(100)),
        sa.Column("cycle", sa.String(100)),
        sa.Column("series", sa.String(200)),
        sa.Column("day", sa.Date()),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("as_of", _TS, nullable=False),
        sa.PrimaryKeyConstraint("team", "cycle", "series", "day", name="pk_daily_series"),
    )


def downgrade() -> None:
    op.drop_table("daily_series")
