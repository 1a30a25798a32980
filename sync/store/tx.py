"""Writes to the store, all inside one database transaction: :class:`StoreTransaction`.

Get one from :meth:`sync.store.store.Store.transaction`; everything done through it commits together or
not at all. That is what makes a run's last batch of issues and its watermark land as one.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from sync.store.errors import StoreError
from sync.store.models import (
    Base,
    BoardRow,
    IssueRow,
    KeyResultScoreRow,
    KpiValueRow,
    LedgerRow,
    ObjectiveScoreRow,
    RunRow,
    SprintRow,
    TeamReportRow,
    WatermarkRow,
)
from sync.store.records import (
    OUTCOMES,
    RUN_KINDS,
    RUN_STATUSES,
    KeyResultScoreRecord,
    KpiValueRecord,
    LedgerEntry,
    ObjectiveScoreRecord,
    Outcome,
)

#: Rows per executemany of one INSERT statement (and per IN list of an UPDATE).
BATCH = 1000
#: zlib level for raw issue JSON: level 1 is ~8x smaller than the text and 2-3x faster than level 6.
ZLIB_LEVEL = 1

#: The error text of a run found ``running`` after its daemon went away.
ABANDONED_ERROR = "the daemon stopped during this run (killed, or the machine went down)"

T = TypeVar("T")
Clock = Callable[[], datetime]
_Upsert = postgresql.Insert | sqlite.Insert


def encode_raw(raw: Mapping[str, Any]) -> bytes:
    """An issue's JSON as stored: compact UTF-8 text, zlib-compressed."""
    return zlib.compress(json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode(), ZLIB_LEVEL)


def decode_raw(data: bytes) -> dict[str, Any]:
    """The issue JSON back from :func:`encode_raw`."""
    decoded: dict[str, Any] = json.loads(zlib.decompress(data))
    return decoded


def parse_jira_instant(text: str) -> datetime:
    """Jira's ``2021-09-06T04:34:26.209+0000`` (or any ISO 8601 instant with an offset) as an aware datetime."""
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError(f"Jira instant without a UTC offset: {text!r}")
    return instant


def chunks(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def dialect_insert(connection: Connection, model: type[Base]) -> _Upsert:
    """An INSERT that knows ``ON CONFLICT`` for the connection's dialect (SQLite or PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def _issue_row(raw: Mapping[str, Any]) -> dict[str, Any]:
    try:
        fields = raw["fields"]
        return {
            "id": str(raw["id"]),
            "key": raw["key"],
            "project": fields["project"]["key"],
            "updated": parse_jira_instant(fields["updated"]),
            "raw": encode_raw(raw),
        }
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"issue {raw.get('key', raw.get('id', '?'))!r} lacks id, key, fields.project.key or a valid "
            f"fields.updated ({error!r}): fetch issues with at least fields=project,updated"
        ) from error


class StoreTransaction:
    """The store's writes, on one connection inside one transaction."""

    def __init__(self, connection: Connection, clock: Clock) -> None:
        self._conn = connection
        self._clock = clock

    @property
    def connection(self) -> Connection:
        """The underlying connection (for the store's own modules)."""
        return self._conn

    def upsert_issues(self, issues: Iterable[Mapping[str, Any]]) -> int:
        """Insert or update issues as fetched (raw Jira JSON), 1,000 per statement execution.

        An issue whose stored ``updated`` is newer than the given copy is left alone, so replaying an
        old page never overwrites newer data (an equal ``updated`` replaces: a re-fetch). Storing
        an issue clears its deleted mark. Returns how many issues were inserted or updated.
        """
        stored = 0
        for chunk in chunks(issues):
            newest: dict[str, dict[str, Any]] = {}
            for row in map(_issue_row, chunk):
                kept = newest.get(row["id"])
                if kept is None or row["updated"] >= kept["updated"]:
                    newest[row["id"]] = row
            stored += self._upsert(
                IssueRow,
                list(newest.values()),
                keys=("id",),
                set_extra={"deleted_at": None},
                where=lambda stmt: stmt.excluded.updated >= IssueRow.updated,
            )
        return stored

    def mark_deleted(self, issue_ids: Collection[str], at: datetime | None = None) -> int:
        """Mark issues deleted (or moved out of the synced projects) at ``at``; returns how many were live."""
        at = at or self._clock()
        marked = 0
        for chunk in chunks(sorted(issue_ids)):
            stmt = update(IssueRow).where(IssueRow.id.in_(chunk), IssueRow.deleted_at.is_(None)).values(deleted_at=at)
            marked += self._conn.execute(stmt).rowcount
        return marked

    def set_sprints(self, board_id: int, sprints: Iterable[Mapping[str, Any]]) -> None:
        """Replace a board's sprints with ``sprints`` (raw Jira JSON, each with its ``id``)."""
        self._conn.execute(delete(SprintRow).where(SprintRow.board_id == board_id))
        rows = {int(s["id"]): {"board_id": board_id, "sprint_id": int(s["id"]), "raw": dict(s)} for s in sprints}
        for chunk in chunks(rows.values()):
            self._upsert(SprintRow, chunk, keys=("board_id", "sprint_id"))

    def set_board(self, board_id: int, config: Mapping[str, Any], read_at: datetime | None = None) -> None:
        """Store a board's configuration (raw Jira JSON), read at ``read_at`` (Jira's clock) with its sprints."""
        row = {"board_id": board_id, "config": dict(config), "read_at": read_at}
        self._upsert(BoardRow, [row], keys=("board_id",))

    def set_watermark(self, scope: str, updated: datetime) -> None:
        """Record that everything of ``scope`` updated up to ``updated`` is stored."""
        row = {"scope": scope, "updated": updated, "committed_at": self._clock()}
        self._upsert(WatermarkRow, [row], keys=("scope",))

    def clear_watermark(self, scope: str) -> None:
        """Forget ``scope``'s watermark: its next sync fetches everything."""
        self._conn.execute(delete(WatermarkRow).where(WatermarkRow.scope == scope))

    def record_scores(
        self,
        run_id: int | None,
        *,
        objectives: Iterable[ObjectiveScoreRecord] = (),
        key_results: Iterable[KeyResultScoreRecord] = (),
        kpis: Iterable[KpiValueRecord] = (),
    ) -> None:
        """Store one run's scores; a score already stored for the same key and ``as_of`` is replaced."""
        objective_rows = [
            {
                "objective_key": o.objective_key,
                "cycle": o.cycle,
                "as_of": o.as_of,
                "run_id": run_id,
                "score": o.score,
                "expected": o.expected,
                "status": o.status,
                "summary": o.summary,
                "reasons": list(o.reasons),
            }
            for o in objectives
        ]
        kr_rows = [
            {
                "objective_key": k.objective_key,
                "kr_key": k.kr_key,
                "as_of": k.as_of,
                "run_id": run_id,
                "score": k.score,
                "progress": k.progress,
            }
            for k in key_results
        ]
        kpi_rows = [
            {
                "team": k.team,
                "kpi_key": k.kpi_key,
                "as_of": k.as_of,
                "run_id": run_id,
                "value": k.value,
                "status": k.status,
                "trend": k.trend,
                "details": dict(k.details),
            }
            for k in kpis
        ]
        for model, rows, keys in (
            (ObjectiveScoreRow, objective_rows, ("objective_key", "cycle", "as_of")),
            (KeyResultScoreRow, kr_rows, ("objective_key", "kr_key", "as_of")),
            (KpiValueRow, kpi_rows, ("team", "kpi_key", "as_of")),
        ):
            self._upsert(model, _last_per_key(rows, keys), keys=keys)

    def record_report(
        self, team: str, as_of: datetime, document: Mapping[str, Any], *, run_id: int | None = None
    ) -> None:
        """Store a team's report document for ``as_of`` (replacing one stored for the same instant)."""
        row = {"team": team, "as_of": as_of, "run_id": run_id, "document": dict(document)}
        self._upsert(TeamReportRow, [row], keys=("team", "as_of"))

    def record_writes(self, entries: Iterable[LedgerEntry]) -> None:
        """Append entries to the write ledger."""
        rows = [
            {
                "run_id": e.run_id,
                "issue_key": e.issue_key,
                "field_id": e.field_id,
                "value": e.value,
                "written_at": e.written_at,
                "outcome": e.outcome,
                "reason": e.reason,
                "field_name": e.field_name,
            }
            for e in entries
        ]
        if rows:
            self._conn.execute(insert(LedgerRow), rows)

    def settle_writes(self, run_id: int | None, issue_key: str, outcome: Outcome, reason: str | None = None) -> int:
        """Give the ``pending`` ledger entries of run ``run_id`` for ``issue_key`` their outcome; returns how many."""
        if outcome == "pending" or outcome not in OUTCOMES:
            raise ValueError(f"a pending write settles as written, skipped or failed, not {outcome!r}")
        run = LedgerRow.run_id.is_(None) if run_id is None else LedgerRow.run_id == run_id
        stmt = (
            update(LedgerRow)
            .where(run, LedgerRow.issue_key == issue_key, LedgerRow.outcome == "pending")
            .values(outcome=outcome, reason=reason)
        )
        return self._conn.execute(stmt).rowcount

    def start_run(self, kind: str, *, owner: str | None = None) -> int:
        """Record a run of ``kind`` starting now, status ``running``; returns its id."""
        if kind not in RUN_KINDS:
            raise ValueError(f"run kind must be one of {sorted(RUN_KINDS)}, got {kind!r}")
        row = {"kind": kind, "status": "running", "started_at": self._clock(), "owner": owner, "counts": {}}
        result = self._conn.execute(insert(RunRow).values(row).returning(RunRow.id))
        return int(result.scalar_one())

    def finish_run(
        self, run_id: int, status: str, *, counts: Mapping[str, int] | None = None, error: str | None = None
    ) -> None:
        """Record how run ``run_id`` ended (``ok``, ``partial``, ``failed``), its counts and error text."""
        if status not in RUN_STATUSES - {"running"}:
            raise ValueError(f"a run ends ok, partial, failed or abandoned, not {status!r}")
        values: dict[str, Any] = {"status": status, "finished_at": self._clock(), "error": error}
        if counts is not None:
            values["counts"] = dict(counts)
        if self._conn.execute(update(RunRow).where(RunRow.id == run_id).values(values)).rowcount != 1:
            raise StoreError(f"no run {run_id} in the store: finish the run start_run() returned")

    def recover_abandoned_runs(self) -> list[int]:
        """Mark every run still ``running`` as ``abandoned``; returns their ids.

        Call it holding the daemon lock, before starting a run: a run left ``running`` then belongs
        to a daemon that was killed.
        """
        ids = list(self._conn.scalars(select(RunRow.id).where(RunRow.status == "running").order_by(RunRow.id)))
        if ids:
            self._conn.execute(
                update(RunRow)
                .where(RunRow.id.in_(ids))
                .values(status="abandoned", finished_at=self._clock(), error=ABANDONED_ERROR)
            )
        return ids

    def _insert(self, model: type[Base]) -> _Upsert:
        return dialect_insert(self._conn, model)

    def _upsert(
        self,
        model: type[Base],
        rows: Sequence[Mapping[str, Any]],
        *,
        keys: Sequence[str],
        set_extra: Mapping[str, Any] | None = None,
        where: Callable[[Any], ColumnElement[bool]] | None = None,
    ) -> int:
        """``INSERT ... ON CONFLICT (keys) DO UPDATE`` of every other column; returns rows written.

        One compiled statement, executed for all ``rows`` at once (``executemany``: SQLite's C loop,
        psycopg's pipeline). A multi-row ``VALUES`` statement was measured 3-5x slower: SQLAlchemy
        compiles each such statement anew (see the module docstring of ``sync.store.store``).
        """
        if not rows:
            return 0
        stmt = self._insert(model)
        set_: dict[str, Any] = {name: stmt.excluded[name] for name in rows[0] if name not in keys}
        set_.update(set_extra or {})
        upsert = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_, where=where(stmt) if where else None)
        # preserve_rowcount: psycopg reports -1 for an INSERT unless asked to keep the count
        return self._conn.execute(upsert.execution_options(preserve_rowcount=True), list(rows)).rowcount


def _last_per_key(rows: list[dict[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """One row per key (the last given): one statement must not update a row twice."""
    return list({tuple(row[k] for k in keys): row for row in rows}.values())
