"""Site facts kept between processes (account, field list, statuses, board ids) and when each board was read.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "site_facts",
        sa.Column("name", sa.String(64)),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("read_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_site_facts"),
    )
    with op.batch_alter_table("boards") as batch:
        batch.add_column(sa.Column("read_at", _TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("boards") as batch:
        batch.drop_column("read_at")
    op.drop_table("site_facts")
