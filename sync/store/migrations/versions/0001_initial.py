"""The store's first schema: issues, sprints, boards, watermarks, runs, scores, reports, ledger, locks.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _run_id(table: str) -> sa.Column[int]:
    fk = sa.ForeignKey("runs.id", ondelete="SET NULL", name=f"fk_{table}_run_id_runs")
    return sa.Column("run_id", sa.Integer(), fk, nullable=True)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def upgrade() -> None:
    """Create every table and index."""
    op.create_table(
        "issues",
        sa.Column("id", sa.String(32)),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("project", sa.String(64), nullable=False),
        sa.Column("updated", _TS, nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("deleted_at", _TS, nullable=True),
        _pk("issues", "id"),
    )
    op.create_index("ix_issues_key", "issues", ["key"])
    op.create_index("ix_issues_project_id", "issues", ["project", "id"])
    op.create_table(
        "sprints",
        sa.Column("board_id", sa.BigInteger(), autoincrement=False),
        sa.Column("sprint_id", sa.BigInteger(), autoincrement=False),
        sa.Column("raw", sa.Text(), nullable=False),
        _pk("sprints", "board_id", "sprint_id"),
    )
    op.create_table(
        "boards",
        sa.Column("board_id", sa.BigInteger(), autoincrement=False),
        sa.Column("config", sa.Text(), nullable=False),
        _pk("boards", "board_id"),
    )
    op.create_table(
        "watermarks",
        sa.Column("scope", sa.String(200)),
        sa.Column("updated", _TS, nullable=False),
        sa.Column("committed_at", _TS, nullable=False),
        _pk("watermarks", "scope"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("owner", sa.String(255), nullable=True),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _pk("runs", "id"),
    )
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_table(
        "objective_scores",
        sa.Column("objective_key", sa.String(100)),
        sa.Column("cycle", sa.String(100)),
        sa.Column("as_of", _TS),
        _run_id("objective_scores"),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        _pk("objective_scores", "objective_key", "cycle", "as_of"),
    )
    op.create_index("ix_objective_scores_run_id", "objective_scores", ["run_id"])
    op.create_table(
        "key_result_scores",
        sa.Column("objective_key", sa.String(100)),
        sa.Column("kr_key", sa.String(100)),
        sa.Column("as_of", _TS),
        _run_id("key_result_scores"),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("progress", sa.Text(), nullable=False),
        _pk("key_result_scores", "objective_key", "kr_key", "as_of"),
    )
    op.create_index("ix_key_result_scores_run_id", "key_result_scores", ["run_id"])
    op.create_table(
        "kpi_values",
        sa.Column("team", sa.String(100)),
        sa.Column("kpi_key", sa.String(100)),
        sa.Column("as_of", _TS),
        _run_id("kpi_values"),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("trend", sa.String(32), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        _pk("kpi_values", "team", "kpi_key", "as_of"),
    )
    op.create_index("ix_kpi_values_run_id", "kpi_values", ["run_id"])
    op.create_table(
        "team_reports",
        sa.Column("team", sa.String(100)),
        sa.Column("as_of", _TS),
        _run_id("team_reports"),
        sa.Column("document", sa.Text(), nullable=False),
        _pk("team_reports", "team", "as_of"),
    )
    op.create_index("ix_team_reports_run_id", "team_reports", ["run_id"])
    op.create_table(
        "write_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True),
        _run_id("write_ledger"),
        sa.Column("issue_key", sa.String(64), nullable=False),
        sa.Column("field_id", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("written_at", _TS, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _pk("write_ledger", "id"),
    )
    op.create_index("ix_write_ledger_run_id", "write_ledger", ["run_id"])
    op.create_index(
        "ix_write_ledger_issue_key_field_id_written_at", "write_ledger", ["issue_key", "field_id", "written_at"]
    )
    op.create_table(
        "locks",
        sa.Column("name", sa.String(64)),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("acquired_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        _pk("locks", "name"),
    )


def downgrade() -> None:
    """Drop every table (the store's data goes with them)."""
    for table in (
        "locks",
        "write_ledger",
        "team_reports",
        "kpi_values",
        "key_result_scores",
        "objective_scores",
        "runs",
        "watermarks",
        "boards",
        "sprints",
        "issues",
    ):
        op.drop_table(table)
