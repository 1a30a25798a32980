"""The daemon's state store (SQLite or PostgreSQL, through SQLAlchemy): :class:`Store`.

Tables (ORM classes in :mod:`sync.store.models`, schema by the Alembic revisions in
``sync/migrations``, version in ``kpiokr_schema_version``):

``issues``             Jira id (PK), key, project, ``updated``, raw JSON with its changelog
                       (zlib-compressed), ``deleted_at``; indexes on key and (project, id).
``sprints``            (board id, sprint id) PK, raw JSON.
``boards``             board id PK, raw configuration JSON, when it and its sprints were read.
``site_facts``         fact name PK (account, fields, statuses, board ids), JSON value, when read.
``watermarks``         sync scope PK, last ``updated`` fully committed, when it was committed.
``runs``               id, kind, status, started/finished, owner, counts JSON, error text.
``objective_scores``   (objective, cycle, as_of) PK, run id, score, expected, status, summary, reasons.
``key_result_scores``  (objective, key result, as_of) PK, run id, score, progress text.
``kpi_values``         (team, KPI, as_of) PK, run id, value, status, trend, details JSON.
``team_reports``       (team, as_of) PK, run id, the team's report document (JSON).
``daily_series``       (team, cycle, series, day) PK, value, status, the instant it was evaluated at.
``write_ledger``       every value written into Jira: run, issue key, field, value JSON, when,
                       outcome (written/skipped/failed) and reason; index (issue, field, written_at).
``locks``              lock name PK, owner ``host:pid``, acquired_at, expires_at.
``leases``             group of teams PK, owner daemon, fencing counter, its teams, acquired_at, expires_at.
``webhook_deliveries`` delivery key PK (webhook identifier, or issue, changelog and instant), event,
                       received_at, expires_at (indexed): redeliveries and replays recognised.
``webhook_hints``      growing id PK, what an accepted webhook names (event, project, issue, board,
                       the change's author and field names), who received it, expires_at: for the
                       daemon that leases the teams it touches.

Every method returns plain values or frozen records (:mod:`sync.store.records`), never ORM rows,
and reaches the database inside the store's error boundary (:func:`sync.store.faults.boundary`), so
its failures are :class:`StoreError` s that say the fix.
Writes that must land together go through :meth:`Store.transaction`; each other write method is
its own transaction. Time comes from the ``clock`` given to :meth:`Store.open`.

Measured (``benchmarks/store_throughput.py``, 10,000 copies of a real 20 KB issue with 11
changelog entries, 2-core machine): zlib level 1 stores the raw JSON 5-7x smaller on SQLite
(28 MB instead of 206 MB, 8 KB pages) and ~1.5x smaller than PostgreSQL's own TOAST compression
(30 MB instead of 43 MB), at no visible cost: upserts run at ~1,600-2,200 issues/s on both,
bound by JSON encoding, and streaming at ~4,500 issues/s. An upsert batch is one compiled
``INSERT ... ON CONFLICT`` run by ``executemany``: 3-5x faster than one multi-row ``VALUES``
statement, which SQLAlchemy compiles anew for every batch.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.sql.elements import ColumnElement

from sync.store import faults as store_faults
from sync.store import lock as store_lock
from sync.store.deliveries import DeliveryQueries
from sync.store.engine import WRITE, create_store_engine, engine_url
from sync.store.errors import StoreError, StoreLocked, StoreNewerThanCode, StoreOutdated
from sync.store.facts import SiteFactQueries
from sync.store.history import HistoryQueries
from sync.store.leases import LeaseQueries
from sync.store.migrations import SchemaState, SchemaStatus, schema_status, upgrade
from sync.store.models import BoardRow, IssueRow, SprintRow, WatermarkRow
from sync.store.records import KeyResultScoreRecord, KpiValueRecord, LedgerEntry, LockInfo, ObjectiveScoreRecord
from sync.store.series import SeriesQueries
from sync.store.tx import BATCH, Clock, StoreTransaction, decode_raw

__all__ = [
    "Store",
    "StoreError",
    "StoreLocked",
    "StoreNewerThanCode",
    "StoreOutdated",
    "create_store_engine",
    "engine_url",
    "upgrade_url",
]

DEFAULT_MIGRATE_COMMAND = "kpiokr migrate --config <your config file>"
DEFAULT_LOCK_TTL = timedelta(minutes=5)
_MIGRATION_LOCK = 0x6B70696F6B72  # pg_advisory_xact_lock key ("kpiokr")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def upgrade_url(url: str) -> tuple[str | None, str]:
    """Migrate the store at ``url`` to this code's schema; returns (revision before, revision now)."""
    engine = create_store_engine(url)
    try:
        return Store(engine).migrate()
    finally:
        engine.dispose()


class Store(HistoryQueries, SiteFactQueries, SeriesQueries, DeliveryQueries, LeaseQueries):
    """The daemon's state: issues, sprints, boards, watermarks, scores, write ledger, runs, lock."""

    def __init__(self, engine: Engine, *, clock: Clock = _utcnow) -> None:
        """Wrap an engine from :func:`create_store_engine`; prefer :meth:`Store.open`."""
        self._engine = engine
        self._clock = clock

    @classmethod
    def open(
        cls,
        url: str,
        *,
        migrate: bool = True,
        clock: Clock = _utcnow,
        migrate_command: str = DEFAULT_MIGRATE_COMMAND,
    ) -> Store:
        """Open the store at ``url``, creating its tables in an empty database.

        A store behind this code is migrated when ``migrate`` is true, else :class:`StoreOutdated`
        names ``migrate_command``; a store ahead of this code raises :class:`StoreNewerThanCode`.
        """
        store = cls(create_store_engine(url), clock=clock)
        try:
            status = store.schema_status()
            if status.state is SchemaState.BEHIND and not migrate:
                raise StoreOutdated(status.current_text, status.head, migrate_command)
            if status.state is not SchemaState.CURRENT:
                store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close every connection of the store."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def schema_status(self) -> SchemaStatus:
        """Where the database's schema stands against this code's migrations."""
        with self._read() as connection:
            return schema_status(connection)

    def migrate(self) -> tuple[str | None, str]:
        """Bring the schema to this code's newest revision, keeping the data; idempotent.

        Returns (revision before, revision now). Concurrent callers wait for each other.
        """
        with self._write_connection() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            status = schema_status(connection)
            if status.state is SchemaState.AHEAD:
                raise StoreNewerThanCode(status.current_text, status.head)
            if status.state is SchemaState.UNVERSIONED:
                raise StoreError(
                    f"the database at {self._engine.url!r} has kpiokr's tables but no kpiokr_schema_version: "
                    "it was not made by kpiokr; point store.url at an empty database or at a kpiokr store"
                )
            upgrade(connection)
        return (status.current[0] if status.current else None), status.head

    @contextmanager
    def _write_connection(self) -> Iterator[Connection]:
        with store_faults.boundary(self._engine.url), self._engine.connect() as connection:
            connection.execution_options(**{WRITE: True})
            with connection.begin():
                yield connection

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        """A transaction for writes that land together or not at all (e.g. a batch and its watermark)."""
        with self._write_connection() as connection:
            yield StoreTransaction(connection, self._clock)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with store_faults.boundary(self._engine.url), self._engine.connect() as connection:
            yield connection

    # -- issues ---------------------------------------------------------------------------------

    def upsert_issues(self, issues: Iterable[Mapping[str, Any]]) -> int:
        """:meth:`StoreTransaction.upsert_issues` in a transaction of its own."""
        with self.transaction() as tx:
            return tx.upsert_issues(issues)

    def mark_deleted(self, issue_ids: Collection[str], at: datetime | None = None) -> int:
        """:meth:`StoreTransaction.mark_deleted` in a transaction of its own."""
        with self.transaction() as tx:
            return tx.mark_deleted(issue_ids, at)

    def iter_issues(
        self, projects: Collection[str] | None = None, *, include_deleted: bool = False, batch_size: int = BATCH
    ) -> Iterator[dict[str, Any]]:
        """Every stored issue's raw JSON (of ``projects``, or all), in id order, ``batch_size`` rows a query.

        Memory stays bounded by one batch of compressed rows; no connection is held between batches,
        so a long consumer never blocks the daemon (issues written meanwhile may or may not show).
        """
        last = ""
        while True:
            stmt = select(IssueRow.id, IssueRow.raw).where(IssueRow.id > last, *self._issue_filter(projects))
            if not include_deleted:
                stmt = stmt.where(IssueRow.deleted_at.is_(None))
            with self._read() as connection:
                rows = connection.execute(stmt.order_by(IssueRow.id).limit(batch_size)).all()
            for row in rows:
                yield decode_raw(row.raw)
            if len(rows) < batch_size:
                return
            last = rows[-1].id

    def issue_keys(self, projects: Collection[str] | None = None, *, include_deleted: bool = False) -> list[str]:
        """The keys of the stored issues (of ``projects``, or all), sorted."""
        stmt = select(IssueRow.key).where(*self._issue_filter(projects))
        if not include_deleted:
            stmt = stmt.where(IssueRow.deleted_at.is_(None))
        with self._read() as connection:
            return sorted(connection.scalars(stmt))

    def issue_versions(
        self, projects: Collection[str] | None = None, *, ids: Collection[str] | None = None
    ) -> dict[str, datetime]:
        """Live (not deleted) issues as Jira id -> ``updated``: of ``projects`` (or all), or of ``ids``.

        What reconciliation compares with Jira, and how a fetch tells a changed issue from a copy
        it already holds.
        """
        stmt = select(IssueRow.id, IssueRow.updated).where(IssueRow.deleted_at.is_(None), *self._issue_filter(projects))
        if ids is not None:
            stmt = stmt.where(IssueRow.id.in_(sorted(ids)))
        with self._read() as connection:
            return {row.id: row.updated for row in connection.execute(stmt)}

    def count_issues(self, projects: Collection[str] | None = None) -> int:
        """How many live issues are stored (of ``projects``, or all)."""
        stmt = select(func.count()).select_from(IssueRow).where(IssueRow.deleted_at.is_(None))
        with self._read() as connection:
            return int(connection.scalar(stmt.where(*self._issue_filter(projects))) or 0)

    def get_issue(self, key: str) -> dict[str, Any] | None:
        """The raw JSON of the live issue ``key``, or None."""
        stmt = select(IssueRow.raw).where(IssueRow.key == key, IssueRow.deleted_at.is_(None))
        with self._read() as connection:
            raw = connection.scalar(stmt.order_by(IssueRow.updated.desc()).limit(1))
        return None if raw is None else decode_raw(raw)

    @staticmethod
    def _issue_filter(projects: Collection[str] | None) -> list[ColumnElement[bool]]:
        return [] if projects is None else [IssueRow.project.in_(sorted(projects))]

    # -- sprints, boards, watermarks ------------------------------------------------------------

    def set_sprints(self, board_id: int, sprints: Iterable[Mapping[str, Any]]) -> None:
        """:meth:`StoreTransaction.set_sprints` in a transaction of its own."""
        with self.transaction() as tx:
            tx.set_sprints(board_id, sprints)

    def sprints(self, board_id: int | None = None) -> list[dict[str, Any]]:
        """The raw JSON of the sprints of ``board_id`` (or of every board), by board then sprint id."""
        stmt = select(SprintRow.raw).order_by(SprintRow.board_id, SprintRow.sprint_id)
        if board_id is not None:
            stmt = stmt.where(SprintRow.board_id == board_id)
        with self._read() as connection:
            return list(connection.scalars(stmt))

    def set_board(self, board_id: int, config: Mapping[str, Any], read_at: datetime | None = None) -> None:
        """:meth:`StoreTransaction.set_board` in a transaction of its own."""
        with self.transaction() as tx:
            tx.set_board(board_id, config, read_at)

    def boards(self) -> dict[int, dict[str, Any]]:
        """Every stored board's configuration, by board id."""
        with self._read() as connection:
            return {row.board_id: row.config for row in connection.execute(select(BoardRow.board_id, BoardRow.config))}

    def board(self, board_id: int) -> dict[str, Any] | None:
        """One board's configuration, or None."""
        with self._read() as connection:
            config = connection.scalar(select(BoardRow.config).where(BoardRow.board_id == board_id))
        return config if isinstance(config, dict) else None

    def set_watermark(self, scope: str, updated: datetime) -> None:
        """:meth:`StoreTransaction.set_watermark` in a transaction of its own (data first, then this)."""
        with self.transaction() as tx:
            tx.set_watermark(scope, updated)

    def watermark(self, scope: str) -> datetime | None:
        """The last ``updated`` instant fully committed for ``scope``, or None: sync everything."""
        with self._read() as connection:
            return connection.scalar(select(WatermarkRow.updated).where(WatermarkRow.scope == scope))

    def watermarks(self) -> dict[str, datetime]:
        """Every scope's watermark."""
        with self._read() as connection:
            return {
                row.scope: row.updated for row in connection.execute(select(WatermarkRow.scope, WatermarkRow.updated))
            }

    # -- scores, ledger, runs: writes (queries are in HistoryQueries) ---------------------------

    def record_scores(
        self,
        run_id: int | None,
        *,
        objectives: Iterable[ObjectiveScoreRecord] = (),
        key_results: Iterable[KeyResultScoreRecord] = (),
        kpis: Iterable[KpiValueRecord] = (),
    ) -> None:
        """:meth:`StoreTransaction.record_scores` in a transaction of its own."""
        with self.transaction() as tx:
            tx.record_scores(run_id, objectives=objectives, key_results=key_results, kpis=kpis)

    def record_report(
        self, team: str, as_of: datetime, document: Mapping[str, Any], *, run_id: int | None = None
    ) -> None:
        """:meth:`StoreTransaction.record_report` in a transaction of its own."""
        with self.transaction() as tx:
            tx.record_report(team, as_of, document, run_id=run_id)

    def record_writes(self, entries: Iterable[LedgerEntry]) -> None:
        """:meth:`StoreTransaction.record_writes` in a transaction of its own."""
        with self.transaction() as tx:
            tx.record_writes(entries)

    def start_run(self, kind: str, *, owner: str | None = None) -> int:
        """:meth:`StoreTransaction.start_run` in a transaction of its own."""
        with self.transaction() as tx:
            return tx.start_run(kind, owner=owner)

    def finish_run(
        self, run_id: int, status: str, *, counts: Mapping[str, int] | None = None, error: str | None = None
    ) -> None:
        """:meth:`StoreTransaction.finish_run` in a transaction of its own."""
        with self.transaction() as tx:
            tx.finish_run(run_id, status, counts=counts, error=error)

    def recover_abandoned_runs(self) -> list[int]:
        """:meth:`StoreTransaction.recover_abandoned_runs` in a transaction of its own."""
        with self.transaction() as tx:
            return tx.recover_abandoned_runs()

    # -- lock -----------------------------------------------------------------------------------

    def acquire_lock(
        self, owner: str | None = None, ttl: timedelta = DEFAULT_LOCK_TTL, *, name: str = "daemon"
    ) -> bool:
        """Take the lock for ``owner`` (default ``host:pid``) for ``ttl``; False when someone else holds it.

        An expired lock, or one whose owner ran on this host and is gone, is taken over.
        """
        with self._write_connection() as connection:
            return store_lock.acquire(connection, name, owner or store_lock.default_owner(), self._clock(), ttl) is None

    def refresh_lock(
        self, owner: str | None = None, ttl: timedelta = DEFAULT_LOCK_TTL, *, name: str = "daemon"
    ) -> bool:
        """Extend ``owner``'s lock by ``ttl`` from now; False when it was lost: stop working then."""
        with self._write_connection() as connection:
            owner = owner or store_lock.default_owner()
            return store_lock.refresh(connection, name, owner, self._clock() + ttl)

    def release_lock(self, owner: str | None = None, *, name: str = "daemon") -> bool:
        """Release ``owner``'s lock; False when ``owner`` did not hold it."""
        with self._write_connection() as connection:
            return store_lock.release(connection, name, owner or store_lock.default_owner())

    def lock_holder(self, name: str = "daemon") -> LockInfo | None:
        """Who holds the lock (it may have expired), or None."""
        with self._read() as connection:
            return store_lock.holder(connection, name)

    @contextmanager
    def locked(
        self, owner: str | None = None, ttl: timedelta = DEFAULT_LOCK_TTL, *, name: str = "daemon"
    ) -> Iterator[str]:
        """Hold the lock for the ``with`` block (yields the owner); :class:`StoreLocked` when it is taken.

        Refresh it with :meth:`refresh_lock` more often than ``ttl`` while the block runs.
        """
        owner = owner or store_lock.default_owner()
        with self._write_connection() as connection:
            current = store_lock.acquire(connection, name, owner, self._clock(), ttl)
        if current is not None:
            single = self.dialect == "sqlite" and owner.startswith("daemon@")
            raise StoreLocked(name, current.owner, current.acquired_at, current.expires_at, single_daemon=single)
        try:
            yield owner
        finally:
            self.release_lock(owner, name=name)
