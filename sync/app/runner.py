"""The daemon's passes as its callers make them: the current mappings, one warm state held between.

:class:`Runner` reads the mapping files again before each pass (:class:`sync.mapping.MappingWatcher`),
runs :func:`sync.app.sync_pass.sync_pass` over their teams and keeps the
:class:`sync.app.warm_state.WarmState` it hands back for the next pass. The pass itself keeps
nothing: a caller that holds its own state (a pass for one team) calls ``sync_pass`` directly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from sync.app.fetch import Progress
from sync.app.ports import PassHooks, PassObserver, Ports
from sync.app.run_summary import RunSummary
from sync.app.sync_pass import PassResult, sync_pass
from sync.app.warm_state import WarmState
from sync.config import Config
from sync.jira import JiraGateway
from sync.mapping import MappingWatcher, TeamMapping
from sync.store import Store

__all__ = ["Partition", "RunSummary", "Runner"]


class Partition(Protocol):
    """The share of the teams a daemon (``owner``) scores on a store shared by several
    (:class:`sync.app.leases.LeaseKeeper`)."""

    owner: str

    def begin_pass(
        self, teams: Sequence[TeamMapping], mapped: Sequence[TeamMapping] | None = None
    ) -> Sequence[TeamMapping]:
        """The teams of ``teams`` (some of ``mapped``, the mappings in force, when given) this daemon
        scores; a pass over them starts."""

    def end_pass(self) -> None:
        """The pass ended."""

    def check(self) -> None:
        """Raise unless this daemon still holds the teams of the pass: called before each write."""

    def leased_teams(self) -> list[str]:
        """The names of the teams this daemon holds now."""


class Runner:
    """Runs passes against one Jira and one store over the current mappings, holding the warm state.

    ``stop`` and ``progress`` may be replaced between passes; ``hooks`` are the composition root's
    (:class:`sync.app.ports.PassHooks`); ``observer`` hears how each pass ended.
    """

    def __init__(
        self,
        jira: JiraGateway,
        store: Store,
        mappings: MappingWatcher,
        config: Config,
        *,
        clock: Callable[[], datetime],
        stop: threading.Event | None = None,
        progress: Progress | None = None,
        hooks: PassHooks | None = None,
        observer: PassObserver | None = None,
    ) -> None:
        self.jira = jira
        self.store = store
        self.mappings = mappings
        self.config = config
        self.clock = clock
        self.stop = stop or threading.Event()
        self.progress = progress
        self.hooks = hooks or PassHooks()
        self.observer = observer
        self.state = WarmState()
        #: On a store shared by several daemons: the teams this one leases, checked before each write.
        self.partition: Partition | None = None
        #: Held by each pass over this runner's store, its own and live updates' (one pass at a time).
        self.turn = threading.Lock()
        #: True while another pass waits for :attr:`turn` (live updates set it): a pass's backfill of daily
        #: series then gives way.
        self.waiting: Callable[[], bool] = lambda: False

    def run(self, *, full: bool = False, dry_run: bool = False, reconcile: bool = False) -> RunSummary:
        """One pass over the current mappings' teams (see :func:`sync.app.sync_pass.sync_pass`)."""
        with self.turn:
            return self._run(full=full, dry_run=dry_run, reconcile=reconcile)

    def _run(self, *, full: bool, dry_run: bool, reconcile: bool) -> RunSummary:
        teams = self.mappings.current()
        self.state = self.state.covering(t.team.name for t in teams)  # kept even when the pass fails
        done = self.pass_over(teams, self.state, full=full, dry_run=dry_run, reconcile=reconcile)
        self.state = done.state
        return done.summary

    def pass_for(self, teams: Sequence[TeamMapping]) -> PassResult:
        """One pass over ``teams`` alone (a live update), on what the warm state holds for them, which then
        takes back what the pass learned; the caller holds :attr:`turn`. It fills no day of the daily
        series never stored (the scheduled passes do): the series are extended before the writes."""
        state = self.state.covering(t.team.name for t in teams)
        done = self.pass_over(teams, state, mapped=self.mappings.current(), backfill=False)
        self.state.adopt(done.state)
        return done

    def pass_over(
        self,
        teams: Sequence[TeamMapping],
        state: WarmState,
        *,
        full: bool = False,
        dry_run: bool = False,
        reconcile: bool = False,
        mapped: Sequence[TeamMapping] | None = None,
        backfill: bool = True,
    ) -> PassResult:
        """One pass over those of ``teams`` (some of ``mapped``, the mappings in force, when given) this
        daemon scores, on ``state``; the caller holds :attr:`turn` (:meth:`run`, or live updates with a
        state of their own). ``backfill``: fill days of the daily series never stored, while no other
        pass waits (:attr:`waiting`)."""
        partition, hooks = self.partition, self.hooks
        if partition is not None:
            teams = tuple(partition.begin_pass(teams, mapped))
            hooks = replace(hooks, before_write=partition.check)
        owner = None if partition is None else partition.owner
        ports = Ports(self.jira, self.store, self.config, self.clock, self.stop, self.progress, hooks, owner)
        started = time.monotonic()
        try:
            done = sync_pass(
                ports,
                teams,
                state,
                full=full,
                dry_run=dry_run,
                reconcile=reconcile,
                give_way=self.waiting if backfill else _always,
            )
        except BaseException as error:
            if self.observer is not None:
                stopped = isinstance(error, KeyboardInterrupt) or self.stop.is_set()
                self.observer.pass_ended("abandoned" if stopped else "failed", time.monotonic() - started, None)
            raise
        finally:
            if partition is not None:
                partition.end_pass()
        if self.observer is not None:
            self.observer.pass_ended(done.summary.status, done.summary.seconds, done.summary)
        return done


def _always() -> bool:
    return True
