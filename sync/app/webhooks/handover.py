"""Hints handed between processes through the store: a webhook received by one process (a daemon, or
``kpiokr serve``) reaches the daemon leasing the teams it touches.

The receiving process leaves each accepted webhook's hint in the store (:func:`note_of`, in the
transaction recording its delivery). Every daemon with webhooks on follows the store's hints
(:class:`HintFollower`): a thread reads those with an id above the last it read, every
:data:`POLL_SECONDS` or at once when PostgreSQL notifies a new one, and hands on those another process
received (the receiving daemon acted on its own at once). Ids a slower transaction may still commit
(a gap below the newest read) are asked for again for :data:`GAP_SECONDS`. A daemon starts at the
newest hint: its start-up pass covers what came before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sync.app.webhooks.events import Hint
from sync.errors import StoreError
from sync.store import HintNote, Store, StoredHint

log = logging.getLogger(__name__)

#: How often a daemon reads the store's new hints when nothing wakes it sooner.
POLL_SECONDS = 0.5
#: How long an id skipped below the newest read is asked for again (a transaction still committing).
GAP_SECONDS = 5.0
#: Gaps wider than this are ids never used (a sequence's jump), not transactions still committing.
GAP_LIMIT = 100
#: The identifiers of a changelog author that tell kpiokr's account (see :func:`sync.jira.author_ids`).
AUTHOR_IDS = ("accountId", "name", "key")


def note_of(hint: Hint) -> HintNote:
    """What the store keeps of ``hint``: its event, project, issue, board, and of its change only the
    author's ids and the fields changed (what tells kpiokr's own writes), never a value."""
    change: dict[str, Any] | None = None
    if hint.change is not None:
        author = hint.change.get("author")
        ids = {k: str(author[k]) for k in AUTHOR_IDS if author.get(k)} if isinstance(author, Mapping) else {}
        items = [
            {k: str(item[k]) for k in ("field", "fieldId") if item.get(k) is not None}
            for item in hint.change.get("items") or ()
            if isinstance(item, Mapping)
        ]
        change = {"author": ids, "items": items}
    return HintNote(hint.event, hint.project, hint.issue_id, hint.board_id, change)


def hint_of(stored: StoredHint, now: datetime, monotonic: float) -> Hint:
    """The hint a stored one stands for; it arrived when it was received (``now`` and ``monotonic``
    being the same instant on the wall clock and the monotonic one)."""
    note = stored.note
    age = max(0.0, (now - stored.received_at).total_seconds())
    return Hint(note.event, (), note.project, note.issue_id, note.board_id, arrived=monotonic - age, change=note.change)


class HintCursor:
    """Where a daemon is in the store's hints: the newest id read, and the ids skipped below it."""

    def __init__(self, after: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.after = after
        self.monotonic = monotonic
        self.gaps: dict[int, float] = {}  # id -> until when it is asked for again

    def read(self, store: Store) -> list[StoredHint]:
        """The hints not read before, oldest first."""
        now = self.monotonic()
        self.gaps = {i: until for i, until in self.gaps.items() if until > now}
        fresh = store.hints_after(self.after, self.gaps.keys())
        for stored in fresh:
            self.gaps.pop(stored.id, None)
            if stored.id > self.after:
                if stored.id - self.after <= GAP_LIMIT:
                    self.gaps.update(dict.fromkeys(range(self.after + 1, stored.id), now + GAP_SECONDS))
                self.after = stored.id
        return fresh


class HintFollower:
    """A thread handing ``sink`` the hints other processes leave in ``store`` (not those of ``origin``)."""

    def __init__(self, store: Store, origin: str, sink: Callable[[Hint], None], clock: Callable[[], datetime]) -> None:
        self.store, self.origin, self.sink, self.clock = store, origin, sink, clock
        self.cursor = HintCursor(store.newest_hint_id())
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Follow the store's hints until :meth:`close`."""
        self._thread = threading.Thread(target=self._follow, name="webhook-hints", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop following."""
        self._closing.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def take(self) -> int:
        """Hand on the hints left since the last look; returns how many were handed on."""
        fresh = [s for s in self.cursor.read(self.store) if s.origin != self.origin]
        now, monotonic = self.clock(), time.monotonic()
        for stored in fresh:
            self.sink(hint_of(stored, now, monotonic))
        return len(fresh)

    def _follow(self) -> None:
        with self.store.hint_signals() as signals:
            while not self._closing.is_set():
                signals.wait(POLL_SECONDS)
                if self._closing.is_set():
                    return
                try:
                    self.take()
                except StoreError as error:  # the store is unreachable: the next look tries again
                    log.warning("webhook hints not read: %s", error)
                except Exception:  # a fault must not end following; the scheduled sync catches up
                    log.exception("webhook hints not handed on")
