"""Webhook hints: what each accepted webhook names, left for the daemon leasing the teams it touches.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_hints",
        sa.Column("id", sa.Integer(), autoincrement=True),
        sa.Column("origin", sa.String(255), nullable=False),
        sa.Column("event", sa.String(100), nullable=False),
        sa.Column("project", sa.String(255), nullable=True),
        sa.Column("issue_id", sa.String(64), nullable=True),
        sa.Column("board_id", sa.BigInteger(), nullable=True),
        sa.Column("change", sa.Text(), nullable=True),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_hints"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_webhook_hints_expires_at", "webhook_hints", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_hints_expires_at", table_name="webhook_hints")
    op.drop_table("webhook_hints")
