"""Queries over what the daemon did: scores and reports over time, the write ledger, runs (mixed into ``Store``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select
from sqlalchemy.sql.elements import ColumnElement

from sync.store.models import KeyResultScoreRow, KpiValueRow, LedgerRow, ObjectiveScoreRow, RunRow, TeamReportRow
from sync.store.records import (
    KeyResultScoreRecord,
    KpiValueRecord,
    LedgerEntry,
    ObjectiveScoreRecord,
    RunRecord,
    TeamReportRecord,
)

_OBJECTIVES = ObjectiveScoreRow.__table__
_KEY_RESULTS = KeyResultScoreRow.__table__
_KPIS = KpiValueRow.__table__
_LEDGER = LedgerRow.__table__
_RUNS = RunRow.__table__
_REPORTS = TeamReportRow.__table__


class HistoryQueries:
    """Read-only queries on scores, the ledger and runs; each opens its own short read."""

    def _read(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    # -- scores -----------------------------------------------------------------------------

    def latest_objective_scores(self, cycle: str | None = None) -> list[ObjectiveScoreRecord]:
        """Each objective's newest score (in ``cycle``, or in any), by objective key."""
        where = [] if cycle is None else [_OBJECTIVES.c.cycle == cycle]
        rows = self._latest(_OBJECTIVES, ("objective_key", "cycle"), where)
        return [_objective(row) for row in rows]

    def objective_series(
        self, objective_key: str, *, cycle: str | None = None, since: datetime | None = None
    ) -> list[ObjectiveScoreRecord]:
        """One objective's scores over time, oldest first (for trend tables)."""
        where = [_OBJECTIVES.c.objective_key == objective_key]
        if cycle is not None:
            where.append(_OBJECTIVES.c.cycle == cycle)
        return [_objective(row) for row in self._series(_OBJECTIVES, where, since)]

    def latest_key_result_scores(self, objective_key: str | None = None) -> list[KeyResultScoreRecord]:
        """Each key result's newest score (of one objective, or of all), by objective then key."""
        where = [] if objective_key is None else [_KEY_RESULTS.c.objective_key == objective_key]
        rows = self._latest(_KEY_RESULTS, ("objective_key", "kr_key"), where)
        return [_key_result(row) for row in rows]

    def key_result_series(
        self, objective_key: str, kr_key: str, *, since: datetime | None = None
    ) -> list[KeyResultScoreRecord]:
        """One key result's scores over time, oldest first."""
        where = [_KEY_RESULTS.c.objective_key == objective_key, _KEY_RESULTS.c.kr_key == kr_key]
        return [_key_result(row) for row in self._series(_KEY_RESULTS, where, since)]

    def latest_kpi_values(self, team: str | None = None) -> list[KpiValueRecord]:
        """Each KPI's newest value (of one team, or of all), by team then KPI."""
        where = [] if team is None else [_KPIS.c.team == team]
        return [_kpi(row) for row in self._latest(_KPIS, ("team", "kpi_key"), where)]

    def kpi_series(self, team: str, kpi_key: str, *, since: datetime | None = None) -> list[KpiValueRecord]:
        """One team's KPI values over time, oldest first."""
        where = [_KPIS.c.team == team, _KPIS.c.kpi_key == kpi_key]
        return [_kpi(row) for row in self._series(_KPIS, where, since)]

    def latest_reports(self, team: str | None = None) -> list[TeamReportRecord]:
        """Each team's newest report document (of one team, or of all), by team."""
        where = [] if team is None else [_REPORTS.c.team == team]
        return [_report(row) for row in self._latest(_REPORTS, ("team",), where)]

    def report_near(self, team: str, instant: datetime) -> TeamReportRecord | None:
        """The team's newest report at or before ``instant``, else its oldest (after it); None if none."""
        where = _REPORTS.c.team == team
        before = select(_REPORTS).where(where, _REPORTS.c.as_of <= instant).order_by(_REPORTS.c.as_of.desc())
        after = select(_REPORTS).where(where, _REPORTS.c.as_of > instant).order_by(_REPORTS.c.as_of)
        with self._read() as connection:
            row = connection.execute(before.limit(1)).first() or connection.execute(after.limit(1)).first()
        return None if row is None else _report(row)

    def run_report(self, team: str, run_id: int) -> TeamReportRecord | None:
        """The report document run ``run_id`` recorded for ``team``, or None."""
        stmt = select(_REPORTS).where(_REPORTS.c.team == team, _REPORTS.c.run_id == run_id)
        with self._read() as connection:
            row = connection.execute(stmt.order_by(_REPORTS.c.as_of.desc()).limit(1)).first()
        return None if row is None else _report(row)

    def report_series(self, team: str, *, since: datetime | None = None) -> list[TeamReportRecord]:
        """One team's report documents over time, oldest first."""
        return [_report(row) for row in self._series(_REPORTS, [_REPORTS.c.team == team], since)]

    # -- write ledger -----------------------------------------------------------------------

    def ledger(
        self,
        *,
        run_id: int | None = None,
        issue_key: str | None = None,
        outcome: str | None = None,
        limit: int | None = None,
    ) -> list[LedgerEntry]:
        """Ledger entries (of one run, one issue, one outcome), oldest first; ``limit``: the newest N."""
        stmt = select(_LEDGER)
        for column, value in (("run_id", run_id), ("issue_key", issue_key), ("outcome", outcome)):
            if value is not None:
                stmt = stmt.where(_LEDGER.c[column] == value)
        stmt = stmt.order_by(_LEDGER.c.written_at.desc(), _LEDGER.c.id.desc()).limit(limit)
        with self._read() as connection:
            rows = connection.execute(stmt).all()
        return [_entry(row) for row in reversed(rows)]

    def last_written(self, issue_keys: Collection[str] | None = None) -> dict[tuple[str, str], LedgerEntry]:
        """The last value successfully written per (issue key, field id)."""
        entries = self._newest_entries(issue_keys, [_LEDGER.c.outcome == "written"])
        return {(e.issue_key, e.field_id): e for e in entries}

    def field_ids_written(self) -> dict[str, tuple[str, datetime]]:
        """Field name -> (field id, when) of the newest write made under that name.

        What a score field name meant when kpiokr last wrote to it: after the field is deleted or
        renamed in Jira, this says which field it was.
        """
        newest = func.max(_LEDGER.c.written_at)
        stmt = (
            select(_LEDGER.c.field_name, _LEDGER.c.field_id, newest.label("at"))
            .where(_LEDGER.c.outcome == "written", _LEDGER.c.field_name.is_not(None))
            .group_by(_LEDGER.c.field_name, _LEDGER.c.field_id)
        )
        found: dict[str, tuple[str, datetime]] = {}
        with self._read() as connection:
            for row in connection.execute(stmt):
                if row.field_name not in found or row.at > found[row.field_name][1]:
                    found[row.field_name] = (row.field_id, row.at)
        return found

    def latest_ledger_entries(self, issue_keys: Collection[str] | None = None) -> list[LedgerEntry]:
        """The newest entry per (issue key, field id), whatever its outcome, by issue then field."""
        return self._newest_entries(issue_keys, [])

    def _newest_entries(
        self, issue_keys: Collection[str] | None, where: list[ColumnElement[bool]]
    ) -> list[LedgerEntry]:
        if issue_keys is not None:
            where = [*where, _LEDGER.c.issue_key.in_(sorted(issue_keys))]
        rank = func.row_number().over(
            partition_by=(_LEDGER.c.issue_key, _LEDGER.c.field_id),
            order_by=(_LEDGER.c.written_at.desc(), _LEDGER.c.id.desc()),
        )
        inner = select(_LEDGER, rank.label("rank_")).where(*where).subquery()
        stmt = select(inner).where(inner.c.rank_ == 1).order_by(inner.c.issue_key, inner.c.field_id)
        with self._read() as connection:
            return [_entry(row) for row in connection.execute(stmt)]

    # -- runs -------------------------------------------------------------------------------

    def runs(self, *, kind: str | None = None, status: str | None = None, limit: int | None = 20) -> list[RunRecord]:
        """The newest runs first (of one kind, with one status)."""
        stmt = select(_RUNS).order_by(_RUNS.c.id.desc()).limit(limit)
        if kind is not None:
            stmt = stmt.where(_RUNS.c.kind == kind)
        if status is not None:
            stmt = stmt.where(_RUNS.c.status == status)
        with self._read() as connection:
            return [_run(row) for row in connection.execute(stmt)]

    def run(self, run_id: int) -> RunRecord | None:
        """One run, or None."""
        with self._read() as connection:
            row = connection.execute(select(_RUNS).where(_RUNS.c.id == run_id)).one_or_none()
        return None if row is None else _run(row)

    # -- helpers ----------------------------------------------------------------------------

    def _latest(self, table: Any, keys: Sequence[str], where: list[ColumnElement[bool]]) -> list[Row[Any]]:
        """The newest row per ``keys`` (a window function: SQLite >= 3.25 and PostgreSQL)."""
        rank = func.row_number().over(partition_by=[table.c[k] for k in keys], order_by=table.c.as_of.desc())
        inner = select(table, rank.label("rank_")).where(*where).subquery()
        stmt = select(inner).where(inner.c.rank_ == 1).order_by(*(inner.c[k] for k in keys))
        with self._read() as connection:
            return list(connection.execute(stmt).all())

    def _series(self, table: Any, where: list[ColumnElement[bool]], since: datetime | None) -> list[Row[Any]]:
        stmt: Select[Any] = select(table).where(*where)
        if since is not None:
            stmt = stmt.where(table.c.as_of >= since)
        with self._read() as connection:
            return list(connection.execute(stmt.order_by(table.c.as_of)).all())


def _objective(row: Row[Any]) -> ObjectiveScoreRecord:
    return ObjectiveScoreRecord(
        objective_key=row.objective_key,
        cycle=row.cycle,
        as_of=row.as_of,
        score=row.score,
        expected=row.expected,
        status=row.status,
        summary=row.summary,
        reasons=tuple(row.reasons),
        run_id=row.run_id,
    )


def _key_result(row: Row[Any]) -> KeyResultScoreRecord:
    return KeyResultScoreRecord(row.objective_key, row.kr_key, row.as_of, row.score, row.progress, row.run_id)


def _kpi(row: Row[Any]) -> KpiValueRecord:
    return KpiValueRecord(
        row.team, row.kpi_key, row.as_of, row.value, row.status, row.trend, row.details, run_id=row.run_id
    )


def _report(row: Row[Any]) -> TeamReportRecord:
    return TeamReportRecord(row.team, row.as_of, row.document, row.run_id)


def _entry(row: Row[Any]) -> LedgerEntry:
    return LedgerEntry(
        row.run_id, row.issue_key, row.field_id, row.value, row.written_at, row.outcome, row.reason, row.field_name
    )


def _run(row: Row[Any]) -> RunRecord:
    return RunRecord(row.id, row.kind, row.status, row.started_at, row.finished_at, row.owner, row.counts, row.error)
