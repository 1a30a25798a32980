"""The store's tables as SQLAlchemy ORM classes: private to :mod:`sync.store.store` and its migrations.

Nothing outside the store sees these rows; :mod:`sync.store.store` turns them into the frozen records of
:mod:`sync.store.records`. Two column types keep SQLite and PostgreSQL alike: :class:`UtcDateTime`
(aware UTC datetimes on both; naive values are refused) and :class:`JsonText` (JSON kept as text).
A change here needs a new revision in ``sync/store/migrations/versions`` (see ``sync/migrations``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored as UTC (naive UTC text on SQLite, ``timestamptz`` on PostgreSQL)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"the store keeps aware datetimes only, got naive {value.isoformat()}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JsonText(TypeDecorator[object]):
    """Any JSON value, kept as compact text (the same bytes on every dialect)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: object, dialect: Dialect) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Dialect) -> object:
        return None if value is None else json.loads(value)


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IssueRow(Base):
    """One Jira issue as fetched: ``raw`` is its zlib-compressed JSON, changelog included."""

    __tablename__ = "issues"
    __table_args__ = (Index("ix_issues_project_id", "project", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    project: Mapped[str] = mapped_column(String(64))
    updated: Mapped[datetime] = mapped_column(UtcDateTime)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SprintRow(Base):
    """One sprint of one board (a sprint can show on several boards)."""

    __tablename__ = "sprints"

    board_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    sprint_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    raw: Mapped[object] = mapped_column(JsonText)


class BoardRow(Base):
    """One board's configuration as fetched, and when (on Jira's clock) it and its sprints were read."""

    __tablename__ = "boards"

    board_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    config: Mapped[object] = mapped_column(JsonText)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SiteFactRow(Base):
    """One fact a Jira site states about itself (the account, the field list, statuses, board ids),
    as read, and when (on Jira's clock). Never a credential."""

    __tablename__ = "site_facts"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JsonText)
    read_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WatermarkRow(Base):
    """The last ``updated`` instant fully committed for one sync scope."""

    __tablename__ = "watermarks"

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    updated: Mapped[datetime] = mapped_column(UtcDateTime)
    committed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RunRow(Base):
    """One daemon pass."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    owner: Mapped[str | None] = mapped_column(String(255))
    counts: Mapped[object] = mapped_column(JsonText)
    error: Mapped[str | None] = mapped_column(Text)


def _run_fk() -> ForeignKey:
    return ForeignKey("runs.id", ondelete="SET NULL")


class ObjectiveScoreRow(Base):
    """An objective's score at one instant."""

    __tablename__ = "objective_scores"

    objective_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    cycle: Mapped[str] = mapped_column(String(100), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(_run_fk(), index=True)
    score: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    reasons: Mapped[object] = mapped_column(JsonText)


class KeyResultScoreRow(Base):
    """A key result's score at one instant."""

    __tablename__ = "key_result_scores"

    objective_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    kr_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(_run_fk(), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    progress: Mapped[str] = mapped_column(Text)


class KpiValueRow(Base):
    """A team's KPI value at one instant."""

    __tablename__ = "kpi_values"

    team: Mapped[str] = mapped_column(String(100), primary_key=True)
    kpi_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(_run_fk(), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(32))
    trend: Mapped[str] = mapped_column(String(32))
    details: Mapped[object] = mapped_column(JsonText)


class TeamReportRow(Base):
    """A team's report document (JSON) as computed at one instant."""

    __tablename__ = "team_reports"

    team: Mapped[str] = mapped_column(String(100), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(_run_fk(), index=True)
    document: Mapped[object] = mapped_column(JsonText)


class DailySeriesRow(Base):
    """One series of a team (``kpi:<key>``, ``objective:<key>``, ``key_result:<key>``) at the end of one day."""

    __tablename__ = "daily_series"

    team: Mapped[str] = mapped_column(String(100), primary_key=True)
    cycle: Mapped[str] = mapped_column(String(100), primary_key=True)
    series: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(32))
    as_of: Mapped[datetime] = mapped_column(UtcDateTime)


class LedgerRow(Base):
    """One value kpiokr wrote (or meant to write) into a Jira field."""

    __tablename__ = "write_ledger"
    __table_args__ = (Index("ix_write_ledger_issue_key_field_id_written_at", "issue_key", "field_id", "written_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(_run_fk(), index=True)
    issue_key: Mapped[str] = mapped_column(String(64))
    field_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[object] = mapped_column(JsonText)
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    field_name: Mapped[str | None] = mapped_column(String(255))


class LockRow(Base):
    """A named lock: one daemon per store."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookDeliveryRow(Base):
    """A webhook delivery already received (Jira's identifier, or issue, changelog and instant), kept
    until ``expires_at`` so a redelivery or a replay is recognised."""

    __tablename__ = "webhook_deliveries"

    delivery: Mapped[str] = mapped_column(String(200), primary_key=True)
    event: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class LeaseRow(Base):
    """A group of teams sharing projects, leased by one daemon until ``expires_at`` (an empty ``owner``:
    free). ``fence`` grows with every new holder, so a daemon that lost the lease cannot write on it."""

    __tablename__ = "leases"

    group_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    fence: Mapped[int] = mapped_column(BigInteger)
    teams: Mapped[object] = mapped_column(JsonText)
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookHintRow(Base):
    """What an accepted webhook names (its event, project, issue, board, and the change its body tells),
    left by the process that received it for the daemon leasing the teams it touches; ``id`` grows with
    every hint (never reused), ``origin`` is the receiving process, kept until ``expires_at``."""

    __tablename__ = "webhook_hints"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy's declarative form

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(String(255))
    event: Mapped[str] = mapped_column(String(100))
    project: Mapped[str | None] = mapped_column(String(255))
    issue_id: Mapped[str | None] = mapped_column(String(64))
    board_id: Mapped[int | None] = mapped_column(BigInteger)
    change: Mapped[object | None] = mapped_column(JsonText)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
