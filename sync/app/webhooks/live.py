"""Live updates: webhook hints become passes for the teams they touch, on the daemon's runner.

Each hint names a project (issue events) or a board (sprint and board events). The teams reading that
project, or that board, get a pass of their own through :meth:`Runner.pass_for`, which fetches what
changed from Jira as every pass does: the body is never taken for data. A board an event names is
marked for reading again; an issue a body says was deleted is forgotten only once Jira says it is
gone. A batch whose bodies all say they are kpiokr's own score writes coming back (its account, score
fields only) leads to no pass: the fetch would leave those writes out of the histories anyway, and
a forged body of that kind can at most delay a change until the scheduled sync. Passes run one at a
time with the runner's (:attr:`Runner.turn`), on the runner's warm state narrowed to the teams,
which then takes back what the pass learned.

Hints come from this process's receiver at once, and from the store, where every process receiving
webhooks leaves them (:class:`sync.app.webhooks.handover.HintFollower`): on a store shared by several
daemons, each passes over the touched teams it leases only, so a webhook received by one daemon
reaches the daemon leasing its teams within a second.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from sync.app.leases import project_groups
from sync.app.site_answers import SiteFacts
from sync.app.webhooks.debounce import Debouncer
from sync.app.webhooks.events import Hint
from sync.app.webhooks.handover import HintFollower
from sync.config import WebhookSettings
from sync.errors import JiraNotFound, JiraPermissionError, KpiokrError
from sync.jira import OwnWrites
from sync.mapping import TeamMapping

if TYPE_CHECKING:  # the runner's pass imports the dashboard, which imports this package
    from sync.app.runner import Runner

log = logging.getLogger(__name__)


def teams_touched(teams: Sequence[TeamMapping], hints: Iterable[Hint]) -> list[TeamMapping]:
    """The teams a batch of hints touches: those reading a project named, those on a board named (a board
    given by name in a mapping may be any), every team for an issue event naming no project; and with
    each, the teams sharing a project with it."""
    touched: set[str] = set()
    for hint in hints:
        for team in teams:
            settings = team.team
            if hint.board_id is not None:
                hit = settings.board == hint.board_id or isinstance(settings.board, str)
            elif hint.project is not None:
                hit = hint.project in settings.projects
            else:
                hit = hint.event.startswith("jira:issue_")
            if hit:
                touched.add(settings.name)
    for group in project_groups(teams).values():  # teams sharing a project share its fetch and documents
        if touched.intersection(group):
            touched.update(group)
    return [t for t in teams if t.team.name in touched]


def own_writes(teams: Sequence[TeamMapping], site: SiteFacts) -> OwnWrites | None:
    """kpiokr's own score writes as the site facts the daemon holds know them: its account on the
    score fields the mappings name; None before a pass has read the account."""
    if site.account is None:
        return None
    names = {name for team in teams for _, name in team.score_fields}
    return OwnWrites.of(site.account, names, site.fields or ())


def worth_a_pass(hints: Iterable[Hint], own: OwnWrites | None) -> list[Hint]:
    """``hints`` without those whose body says they are only kpiokr's own score writes coming back (which
    change no score: the fetch would leave them out of the histories anyway)."""
    if own is None:
        return list(hints)
    return [h for h in hints if h.change is None or not own.is_own_write(h.change)]


class LiveUpdates:
    """Gathers hints (:meth:`hint`, the receiver's sink, and the store's hints other processes left, when
    ``origin`` names this process) and runs passes for the teams they touch that this daemon scores."""

    def __init__(
        self,
        runner: Runner,
        settings: WebhookSettings,
        on_handled: Callable[[float], None] | None = None,
        *,
        origin: str | None = None,
    ) -> None:
        self.runner = runner
        self.on_handled = on_handled
        self.origin = origin
        self.debouncer = Debouncer(settings.quiet_seconds, settings.max_wait_seconds, self.run)
        self.follower: HintFollower | None = None
        self._queued = threading.Event()  # a batch waits for the runner's turn
        self._own: OwnWrites | None = None  # kpiokr's own writes as the last batch's pass knew them
        self._mapped: Sequence[TeamMapping] = ()  # the mappings as the last batch (or the start) read them

    def hint(self, hint: Hint) -> None:
        """Take one accepted webhook's hint; one that is only kpiokr's own writes coming back, as far as the
        last batch knew them, is dropped at once (so no pass waits or gives way for it)."""
        if not worth_a_pass([hint], self._own):
            log.debug("webhook %s: kpiokr's own writes coming back, no pass", hint.event)
            return
        self.debouncer.add(hint)

    def handed(self, hint: Hint) -> None:
        """Take a hint another process received: dropped when the teams it touches are all another daemon's."""
        touched = teams_touched(self._mapped, [hint])
        if touched and not self._scored(touched):
            log.debug("webhook %s: for teams another daemon leases", hint.event)
            return
        self.hint(hint)

    def start(self) -> None:
        """Begin turning hints into passes, following the store's from the newest on when ``origin`` is
        given; the runner's passes give way to them (:attr:`Runner.waiting`)."""
        runner = self.runner
        runner.waiting = self.waiting
        with contextlib.suppress(KpiokrError):  # no valid mappings yet: every handed hint is kept
            self._mapped = runner.mappings.current()
        if self.origin is not None:
            self.follower = HintFollower(runner.store, self.origin, self.handed, runner.clock)
            self.follower.start()
        self.debouncer.start()

    def waiting(self) -> bool:
        """True while hints are gathered or a batch of them waits for the runner's turn."""
        return self._queued.is_set() or self.debouncer.pending()

    def stop(self) -> None:
        """End after the pass under way."""
        if self.follower is not None:
            self.follower.close()
        self.debouncer.close()

    def _scored(self, teams: Sequence[TeamMapping]) -> list[TeamMapping]:
        """Those of ``teams`` this daemon scores: all, unless it shares the store (its leased teams)."""
        partition = self.runner.partition
        if partition is None:
            return list(teams)
        leased = set(partition.leased_teams())
        return [t for t in teams if t.team.name in leased]

    def run(self, hints: Sequence[Hint]) -> None:
        """One pass for the teams ``hints`` touch (none when they touch no team, are only kpiokr's own
        writes coming back, or the daemon stops)."""
        runner = self.runner
        self._queued.set()
        with runner.turn:
            self._queued.clear()
            if runner.stop.is_set():
                return
            try:
                mapped = runner.mappings.current()
            except KpiokrError as error:
                log.error("live update skipped: %s", error)
                return
            self._mapped = mapped
            self._own = own_writes(mapped, runner.state.site)
            acted_on = worth_a_pass(hints, self._own)
            touched = teams_touched(mapped, acted_on)
            teams = self._scored(touched)
            if not teams:
                said = "are kpiokr's own writes" if hints and not acted_on else "touch no mapped team"
                said = "touch only teams another daemon leases" if touched else said
                log.info("webhook(s) %s %s", ", ".join(sorted({h.event for h in hints})), said)
                return
            names = frozenset(t.team.name for t in teams)
            self._mark_boards(acted_on)
            if self._confirm_deleted(acted_on):
                for name in names:
                    runner.state.marks.pop(name, None)  # their histories are read afresh
            try:
                done = runner.pass_for(teams)
            except KpiokrError as error:
                log.error("live update for %s failed: %s", ", ".join(sorted(names)), error)
                return
            if self.on_handled is not None:
                for hint in hints:
                    self.on_handled(time.monotonic() - hint.arrived)
            summary = done.summary
            log.info(
                "live update: run %d for %s after %d webhook(s): %d fetched, %d field(s) written",
                summary.run_id,
                ", ".join(sorted(names)),
                len(hints),
                summary.fetched,
                summary.fields_written,
                extra={**summary.log_fields(), "trigger": "webhook", "webhooks": len(hints), "teams": sorted(names)},
            )

    def _mark_boards(self, hints: Iterable[Hint]) -> None:
        """Boards a sprint or board event names are read again by the coming pass."""
        store = self.runner.store
        for board_id in {h.board_id for h in hints if h.board_id is not None}:
            stored = store.board(board_id)
            if stored is not None:
                store.set_board(board_id, stored, None)

    def _confirm_deleted(self, hints: Iterable[Hint]) -> bool:
        """Forget the issues bodies say were deleted that Jira no longer shows; True when any was."""
        gone: set[str] = set()
        for issue_id in {h.issue_id for h in hints if h.deleted and h.issue_id}:
            try:
                self.runner.jira.get_issue(issue_id, ("project",))
            except (JiraNotFound, JiraPermissionError):
                gone.add(issue_id)
        if gone:
            self.runner.store.mark_deleted(gone)
            log.info("live update: %d deleted issue(s) forgotten", len(gone))
        return bool(gone)
