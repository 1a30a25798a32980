"""The teams' boards: their ids, and their configurations and sprints read into the store.

The store keeps when each board was read (on Jira's clock), so a fresh process trusts what it
holds. A board is read when the store has none for it, when someone other than kpiokr changed
issues, or when it is older than ``sync.agile_refresh_minutes``. A board that is gone (404) or out
of the account's sight (403) fails the teams that name it; the next pass reads it again. A board
named by name whose kept id is gone is looked up again at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sync.app.run_summary import RunSummary
from sync.app.site_answers import SiteAnswers
from sync.app.team_faults import TeamFault, blame
from sync.errors import JiraNotFound
from sync.jira import BoardConfig, JiraGateway
from sync.mapping import TeamMapping
from sync.store import Store

log = logging.getLogger(__name__)


def board_id_of(site: SiteAnswers, team: TeamMapping) -> int | None:
    """The id of the team's board; ``None`` for a team without one (KPIs that need no sprints)."""
    if team.team.board is None:
        return None
    with blame(team, ("team", "board")):
        return site.board_id(team.team.board)


class BoardReader:
    """Reads the teams' boards into the store, with when they were read."""

    def __init__(
        self, jira: JiraGateway, store: Store, site: SiteAnswers, clock: Callable[[], datetime], every_minutes: float
    ) -> None:
        self.jira = jira
        self.store = store
        self.site = site
        self.clock = clock
        self.every = timedelta(minutes=every_minutes)

    def unread(self, teams: Sequence[TeamMapping]) -> bool:
        """True when the store holds no configuration for some team's board (a first sync)."""
        read = self.store.boards_read_at()
        try:
            return any((b := board_id_of(self.site, t)) is not None and b not in read for t in teams)
        except TeamFault:
            return True

    def stored(
        self, teams: Sequence[TeamMapping], summary: RunSummary
    ) -> tuple[list[TeamMapping], dict[str, BoardConfig | None]]:
        """The teams whose board is known, and each one's stored board configuration."""
        kept: list[TeamMapping] = []
        boards: dict[str, BoardConfig | None] = {}
        for team in teams:
            try:
                board_id = board_id_of(self.site, team)
            except TeamFault as fault:
                summary.fail_team(fault.team, str(fault))
                continue
            stored = self.store.board(board_id) if board_id is not None else None
            boards[team.team.name] = BoardConfig.from_json(stored) if stored else None
            kept.append(team)
        return kept, boards

    def refresh(self, teams: Sequence[TeamMapping], summary: RunSummary, *, force: bool) -> list[TeamMapping]:
        """Read the boards' configurations and sprints when ``force``, when the store has none, or
        when they are getting old; returns the teams whose board could be read (the others are
        failed in ``summary``)."""
        now = self.jira.server_time or self.clock()
        read_at = self.store.boards_read_at()

        def due(board_id: int) -> bool:
            if force or board_id not in read_at:
                return True
            at = read_at[board_id]
            return at is None or now - at >= self.every

        kept: list[TeamMapping] = []
        read: dict[int, bool] = {}
        for team in teams:
            try:
                board_id = self._read_team_board(team, read, due)
            except TeamFault as fault:
                summary.fail_team(fault.team, str(fault))
                log.error("%s", fault)
                continue
            if board_id is None or read.get(board_id, True):
                kept.append(team)
        return kept

    def _read_team_board(
        self, team: TeamMapping, read: dict[int, bool], due: Callable[[int], bool], *, again: bool = False
    ) -> int | None:
        """Read the team's board when ``due`` (each board once a pass); a board named by name whose
        kept id Jira no longer knows is looked up again (``again``)."""
        board_id = board_id_of(self.site, team)
        if board_id is None or board_id in read or not due(board_id):
            return board_id
        read[board_id] = False
        try:
            with blame(team, ("team", "board")):
                self._read(board_id)
        except TeamFault as fault:
            if again or not isinstance(fault.error, JiraNotFound) or not self.site.forget_board(team.team.board):
                raise
            del read[board_id]
            return self._read_team_board(team, read, due, again=True)
        read[board_id] = True
        return board_id

    def _read(self, board_id: int) -> None:
        configuration = self.jira.board_configuration_json(board_id)
        sprints = self.jira.sprints(board_id) if configuration.get("type") != "kanban" else []
        read_at = self.jira.server_time or self.clock()
        with self.store.transaction() as tx:
            tx.set_board(board_id, configuration, read_at)
            tx.set_sprints(board_id, sprints)
