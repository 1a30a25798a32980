"""Live updates: webhook hints become passes for the teams they touch, on the daemon's runner.

Each hint names a project (issue events) or a board (sprint and board events). The teams reading that
project, or that board, get a pass of their own through :func:`sync.app.sync_pass.sync_pass`, which
fetches what changed from Jira as every pass does: the body is never taken for data. A board an event
names is marked for reading again; an issue a body says was deleted is forgotten only once Jira says
it is gone. Passes run one at a time with the runner's (:attr:`Runner.turn`), each team set on a warm
state of its own kept between its passes; the runner's state then reads those teams afresh.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from sync.app.warm_state import WarmState
from sync.app.webhooks.debounce import Debouncer
from sync.app.webhooks.events import Hint
from sync.config import WebhookSettings
from sync.errors import JiraNotFound, JiraPermissionError, KpiokrError
from sync.mapping import TeamMapping

if TYPE_CHECKING:  # the runner's pass imports the dashboard, which imports this package
    from sync.app.runner import Runner

log = logging.getLogger(__name__)

#: Team sets whose warm state is kept between their passes (the least recently used is dropped).
KEPT_STATES = 8


def teams_touched(teams: Sequence[TeamMapping], hints: Iterable[Hint]) -> list[TeamMapping]:
    """The teams a batch of hints touches: those reading a project named, those on a board named (a board
    given by name in a mapping may be any), every team for an issue event naming no project."""
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
    return [t for t in teams if t.team.name in touched]


class LiveUpdates:
    """Gathers hints (:meth:`hint`, the receiver's sink) and runs passes for the teams they touch."""

    def __init__(
        self, runner: Runner, settings: WebhookSettings, on_handled: Callable[[float], None] | None = None
    ) -> None:
        self.runner = runner
        self.on_handled = on_handled
        self.debouncer = Debouncer(settings.quiet_seconds, settings.max_wait_seconds, self.run)
        self._states: OrderedDict[frozenset[str], WarmState] = OrderedDict()

    def hint(self, hint: Hint) -> None:
        """Take one accepted webhook's hint."""
        self.debouncer.add(hint)

    def start(self) -> None:
        """Begin turning hints into passes."""
        self.debouncer.start()

    def stop(self) -> None:
        """End after the pass under way."""
        self.debouncer.close()

    def run(self, hints: Sequence[Hint]) -> None:
        """One pass for the teams ``hints`` touch (none when they touch no team, or the daemon stops)."""
        runner = self.runner
        with runner.turn:
            if runner.stop.is_set():
                return
            try:
                teams = teams_touched(runner.mappings.current(), hints)
            except KpiokrError as error:
                log.error("live update skipped: %s", error)
                return
            if not teams:
                log.info("webhook(s) %s touch no mapped team", ", ".join(sorted({h.event for h in hints})))
                return
            names = frozenset(t.team.name for t in teams)
            self._mark_boards(hints)
            deleted = self._confirm_deleted(hints)
            state = self._states.pop(names, None) or WarmState(site=runner.state.site)
            for other in [runner.state, *self._states.values(), *([state] if deleted else [])]:
                for name in names:
                    other.marks.pop(name, None)  # read afresh by their next pass
            try:
                done = runner.pass_over(teams, state.covering(names))
            except KpiokrError as error:
                log.error("live update for %s failed: %s", ", ".join(sorted(names)), error)
                return
            finally:
                self._keep(names, state)
            self._keep(names, done.state)
            if self.on_handled is not None:
                for hint in hints:
                    self.on_handled(time.monotonic() - hint.arrived)
            summary = done.summary
            written = sum(len(o.write.fields) for o in summary.outcomes if o.ok)
            log.info(
                "live update: run %d for %s after %d webhook(s): %d fetched, %d field(s) written",
                summary.run_id,
                ", ".join(sorted(names)),
                len(hints),
                summary.fetched,
                written,
            )

    def _keep(self, names: frozenset[str], state: WarmState) -> None:
        self._states[names] = state
        self._states.move_to_end(names)
        while len(self._states) > KEPT_STATES:
            self._states.popitem(last=False)

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
