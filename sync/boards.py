"""The teams' boards: their ids, and their configurations and sprints read into the store.

Boards are read on a process's first pass, when someone other than kpiokr changed issues, or when
they are older than ``sync.agile_refresh_minutes``. A board that is gone (404) or out of the
account's sight (403) fails the teams that name it; the next pass reads it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sync.jira_gateway import JiraGateway
from sync.mapping_schema import TeamMapping
from sync.run_summary import RunSummary
from sync.site import BoardConfig
from sync.site_answers import SiteAnswers
from sync.store import Store
from sync.team_faults import TeamFault, blame

log = logging.getLogger(__name__)


def board_id_of(site: SiteAnswers, team: TeamMapping) -> int | None:
    """The id of the team's board; ``None`` for a team without one (KPIs that need no sprints)."""
    if team.team.board is None:
        return None
    with blame(team, ("team", "board")):
        return site.board_id(team.team.board)


class BoardReader:
    """Reads the teams' boards into the store, keeping when they were last read."""

    def __init__(
        self, jira: JiraGateway, store: Store, site: SiteAnswers, clock: Callable[[], datetime], every_minutes: float
    ) -> None:
        self.jira = jira
        self.store = store
        self.site = site
        self.clock = clock
        self.every = timedelta(minutes=every_minutes)
        self._read_at: datetime | None = None

    @property
    def read_once(self) -> bool:
        """True once every board was read in this process."""
        return self._read_at is not None

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
        """Read the boards' configurations and sprints when ``force`` or they are getting old; returns
        the teams whose board could be read (the others are failed in ``summary``)."""
        now = self.clock()
        if not force and self._read_at is not None and now - self._read_at < self.every:
            return list(teams)
        kept: list[TeamMapping] = []
        read: dict[int, bool] = {}
        for team in teams:
            try:
                board_id = board_id_of(self.site, team)
                if board_id is not None and board_id not in read:
                    read[board_id] = False
                    with blame(team, ("team", "board")):
                        self._read(board_id)
                    read[board_id] = True
            except TeamFault as fault:
                summary.fail_team(fault.team, str(fault))
                log.error("%s", fault)
                continue
            if board_id is None or read[board_id]:
                kept.append(team)
        if len(kept) == len(teams):
            self._read_at = now  # a board that failed is read again on the next pass
        return kept

    def _read(self, board_id: int) -> None:
        configuration = self.jira.board_configuration_json(board_id)
        sprints = self.jira.sprints(board_id) if configuration.get("type") != "kanban" else []
        with self.store.transaction() as tx:
            tx.set_board(board_id, configuration)
            tx.set_sprints(board_id, sprints)
