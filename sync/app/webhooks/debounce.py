"""A burst of webhooks is one pass: hints are gathered until none came for a quiet period, or a
longest wait after the first of them passed, then handed on together from a thread of their own."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sync.app.webhooks.events import Hint

log = logging.getLogger(__name__)


class Debouncer:
    """Hands ``fire`` the hints gathered once ``quiet`` seconds pass without one, or ``max_wait``
    seconds after the first of them; hints arriving while ``fire`` runs make the next batch."""

    def __init__(
        self,
        quiet: float,
        max_wait: float,
        fire: Callable[[list[Hint]], None],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet, self.max_wait, self.fire, self.monotonic = quiet, max_wait, fire, monotonic
        self._changed = threading.Condition()
        self._pending: list[Hint] = []
        self._first = self._last = 0.0
        self._closed = False
        self._thread: threading.Thread | None = None

    def add(self, hint: Hint) -> None:
        """Gather ``hint`` into the coming batch."""
        with self._changed:
            now = self.monotonic()
            if not self._pending:
                self._first = now
            self._pending.append(hint)
            self._last = now
            self._changed.notify()

    def pending(self) -> bool:
        """True while hints are gathered for the coming batch."""
        with self._changed:
            return bool(self._pending)

    def start(self) -> None:
        """Hand batches on from a thread of its own until :meth:`close`."""
        self._thread = threading.Thread(target=self._loop, name="webhook-debounce", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 30.0) -> None:
        """Stop after the batch being handed on; hints still gathered are left to the scheduled sync."""
        with self._changed:
            self._closed = True
            self._changed.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._pending and not self._closed:
                    self._changed.wait()
                if self._closed:
                    return
                due = min(self._last + self.quiet, self._first + self.max_wait)
                wait = due - self.monotonic()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                batch, self._pending = self._pending, []
            try:
                self.fire(batch)
            except Exception:  # a failed batch must not end live updates; the scheduled sync catches up
                log.exception("live update failed; the scheduled sync catches up")
