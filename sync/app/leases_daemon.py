"""How a daemon holds its store: alone on SQLite, or beside other daemons on PostgreSQL.

:func:`daemon_share` is what ``kpiokr daemon`` runs inside. On SQLite it holds the store's lock for
the whole run: one daemon per store, and a second one is refused with a message that says so. On
PostgreSQL the daemon joins the store's members and leases its share of the teams
(:class:`sync.app.leases.LeaseKeeper`) on a heartbeat thread; its runner passes over the leased teams
only and checks the leases before each write; when it stops (SIGTERM, SIGINT) it frees every lease
at once, so the others take its teams over at their next heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sync.app.leases import LeaseKeeper
from sync.app.runner import Runner
from sync.config import SyncSettings
from sync.store import Store, default_owner

__all__ = ["DaemonShare", "daemon_share"]

log = logging.getLogger(__name__)


class DaemonShare:
    """What a running daemon holds of its store; :meth:`keep` before each pass."""

    def __init__(
        self, store: Store, runner: Runner, owner: str, lock_ttl: timedelta, keeper: LeaseKeeper | None
    ) -> None:
        self.store = store
        #: The daemon's runner: on a shared store its passes cover the leased teams only.
        self.runner = runner
        self.owner = owner
        self.lock_ttl = lock_ttl
        #: On a shared (PostgreSQL) store: this daemon's leases; None when it holds the store's lock.
        self.keeper = keeper
        #: Hears the groups of teams newly leased between passes (the daemon runs a pass for them soon).
        self.on_taken: Callable[[set[str]], object] = lambda _groups: None

    def keep(self) -> bool:
        """Whether the daemon may run its next pass: False when it lost the store's lock (stop then).

        On a shared store, runs left ``running`` by daemons that are gone are marked abandoned.
        """
        if self.keeper is None:
            return self.store.refresh_lock(self.owner, self.lock_ttl)
        self.store.abandon_runs_of_gone(self.store.live_members())
        return True

    def leased_teams(self) -> list[str] | None:
        """The teams this daemon leases (None when it holds the whole store alone)."""
        return None if self.keeper is None else self.keeper.leased_teams()


#: How long a daemon joining a shared store waits for another one joining at the same instant.
JOIN_WAIT_SECONDS = 10.0


@contextmanager
def daemon_share(
    store: Store, runner: Runner, settings: SyncSettings, clock: Callable[[], datetime]
) -> Iterator[DaemonShare]:
    """Hold ``store`` for a daemon running ``runner`` until the block ends (see the module's text).

    Raises :class:`sync.store.StoreLocked` when another daemon holds a SQLite store, or a ``kpiokr
    sync`` holds a PostgreSQL one.
    """
    owner = default_owner("daemon")
    lock_ttl = timedelta(seconds=settings.lock_ttl_seconds)
    if store.dialect != "postgresql":
        with store.locked(owner, lock_ttl):
            store.recover_abandoned_runs()
            yield DaemonShare(store, runner, owner, lock_ttl, None)
        return
    keeper = LeaseKeeper(store, owner, timedelta(seconds=settings.lease_seconds), clock)
    keeper.use(runner.mappings.current())
    share = DaemonShare(store, runner, owner, lock_ttl, keeper)
    beats = threading.Event()
    try:
        _join(store, keeper, owner, lock_ttl)
        runner.partition = keeper
        log.info("sharing the store with %d other daemon(s)", len(store.live_members()) - 1)
        thread = keeper.heartbeat(beats, lambda groups: share.on_taken(groups))  # noqa: PLW0108 - set later
        try:
            yield share
        finally:
            beats.set()
            thread.join()
    finally:
        runner.partition = None
        keeper.leave()


def _join(store: Store, keeper: LeaseKeeper, owner: str, lock_ttl: timedelta) -> None:
    """Become a member and take a first share, holding the store's lock for that instant: a ``kpiokr
    sync`` holding it refuses the daemon (:class:`sync.store.StoreLocked`), another daemon joining is waited for."""
    deadline = time.monotonic() + JOIN_WAIT_SECONDS
    while time.monotonic() < deadline:
        if store.acquire_lock(owner, lock_ttl):
            try:
                keeper.balance()
            finally:
                store.release_lock(owner)
            return
        holder = store.lock_holder()
        if holder is not None and not holder.owner.startswith("daemon@"):
            break
        time.sleep(0.05)
    with store.locked(owner, lock_ttl):  # raises StoreLocked, naming the holder
        keeper.balance()
