"""Webhook hints (mixed into ``Store`` through the deliveries): what each accepted webhook names, left
by the process that received it for whichever daemon leases the teams it touches.

``webhook_hints`` holds a hint's event, project, issue id, board id and the change its body tells
(author ids and the fields changed, never a value), who received it (``origin``) and when it expires;
its ``id`` grows with every hint and is never reused, so a daemon reads "hints after the last one I
read" on a cheap poll of the primary key. On PostgreSQL, the transaction that adds a hint also sends a
``NOTIFY`` on :data:`CHANNEL`, which wakes the daemons listening (:meth:`HintQueries.hint_signals`) at
once; the poll stays as the fallback. Expired rows are removed as new ones arrive.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, text

from sync.store.models import WebhookHintRow

__all__ = ["CHANNEL", "HintNote", "HintQueries", "HintSignals", "StoredHint", "add_hint"]

log = logging.getLogger(__name__)

#: The PostgreSQL notification channel a new hint is announced on.
CHANNEL = "kpiokr_webhook_hints"


@dataclass(frozen=True)
class HintNote:
    """What a webhook names: its event, project (issue events), issue id, board id (sprint and board
    events), and the change its body tells shaped like a changelog entry (author ids, fields changed)."""

    event: str
    project: str | None = None
    issue_id: str | None = None
    board_id: int | None = None
    change: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class StoredHint:
    """A hint as the store holds it: its growing ``id``, the process that received it, when."""

    id: int
    origin: str
    received_at: datetime
    note: HintNote


def add_hint(connection: Connection, note: HintNote, origin: str, received_at: datetime, keep: timedelta) -> None:
    """Add ``note`` received by ``origin`` at ``received_at`` for ``keep`` in the transaction of
    ``connection``, removing the expired ones; on PostgreSQL the listening daemons are woken on commit."""
    connection.execute(delete(WebhookHintRow).where(WebhookHintRow.expires_at <= received_at))
    row = {
        "origin": origin[:255],
        "event": note.event[:100],
        "project": note.project[:255] if note.project else None,
        "issue_id": note.issue_id[:64] if note.issue_id else None,
        "board_id": note.board_id,
        "change": None if note.change is None else dict(note.change),
        "received_at": received_at,
        "expires_at": received_at + keep,
    }
    connection.execute(insert(WebhookHintRow).values(row))
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


class HintSignals:
    """Wakes a daemon when a hint may have arrived: at a ``NOTIFY`` on PostgreSQL, else after the poll time."""

    def __init__(self, listening: Any) -> None:
        self._listening = listening

    def wait(self, seconds: float) -> None:
        """Return after ``seconds``, or sooner when another process announced a hint."""
        connection = self._listening
        if connection is None:
            time.sleep(seconds)
            return
        try:
            for _ in connection.notifies(timeout=seconds, stop_after=1):
                break
        except Exception:  # a lost listening connection leaves the poll alone to find hints
            log.warning("webhook hints: no longer woken by the store's notifications; polling only")
            self._listening = None
            time.sleep(seconds)


class HintQueries:
    """Reads of the hints left by the processes receiving webhooks."""

    _engine: Engine

    def _read(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def newest_hint_id(self) -> int:
        """The id of the newest hint held (0 when none): where a daemon starting up begins."""
        with self._read() as connection:
            return int(connection.execute(select(func.coalesce(func.max(WebhookHintRow.id), 0))).scalar_one())

    def hints_after(self, after: int, also: Collection[int] = (), limit: int = 1000) -> list[StoredHint]:
        """The hints with an id above ``after``, and those of ``also`` (ids skipped earlier that a slower
        transaction may have added since), oldest first, at most ``limit``."""
        wanted = WebhookHintRow.id > after
        if also:
            wanted = or_(wanted, WebhookHintRow.id.in_(sorted(also)))
        row = WebhookHintRow
        query = select(
            row.id, row.origin, row.received_at, row.event, row.project, row.issue_id, row.board_id, row.change
        )
        with self._read() as connection:
            rows = connection.execute(query.where(wanted).order_by(row.id).limit(limit)).all()
        return [
            StoredHint(
                r.id,
                r.origin,
                r.received_at,
                HintNote(r.event, r.project, r.issue_id, r.board_id, r.change if isinstance(r.change, dict) else None),
            )
            for r in rows
        ]

    @contextmanager
    def hint_signals(self) -> Iterator[HintSignals]:
        """A :class:`HintSignals` for the block: on PostgreSQL a connection of its own listening on
        :data:`CHANNEL` (closed after), elsewhere a plain wait."""
        if self._engine.dialect.name != "postgresql":
            yield HintSignals(None)
            return
        pooled, listening = None, None
        try:
            pooled = self._engine.raw_connection()
            connection: Any = pooled.driver_connection
            pooled.detach()  # autocommit and LISTEN stay with this connection, never handed back to the pool
            connection.rollback()  # the pool's ping may have begun a transaction
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            listening = connection
        except Exception as error:  # the store unreachable now: the poll finds hints once it answers
            name = type(error).__name__  # only the kind: a driver's text may quote the connection
            log.warning("webhook hints: not woken by the store's notifications (%s); polling only", name)
        try:
            yield HintSignals(listening)
        finally:
            if pooled is not None:
                pooled.close()
