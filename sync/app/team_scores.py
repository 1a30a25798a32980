"""The score step of a pass: every team's scores and KPIs from its histories.

Jira is asked only what the fetch says may have moved: a team's JQL answers are asked again when
someone other than kpiokr changed issues (its own write-back coming back changes no answer), and a
fresh process starts from the answers the previous run recorded. Histories are read again only for
the issues that changed (:class:`sync.app.history_cache.HistoryCache`). A team whose queries Jira
rejects is skipped; when every team is, the pass fails.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from kpiokr.kpi import TeamData
from sync.app.boards import board_id_of
from sync.app.evaluate import IssueIndex, JiraAnswers, count_warnings, evaluate_team
from sync.app.fetch import FetchResult, fetch_keys, project_watermarks
from sync.app.ports import Ports
from sync.app.results import TeamResult
from sync.app.run_summary import RunSummary
from sync.app.site_answers import SiteAnswers
from sync.app.site_view import SiteView
from sync.app.team_faults import TeamFault, blame
from sync.app.warm_state import WarmState
from sync.errors import KpiokrError
from sync.jira import BoardConfig, to_sprint
from sync.mapping import TeamMapping, team_timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TeamScorer:
    """Scores the teams of one pass, keeping what the next pass may reuse in ``state``."""

    ports: Ports
    state: WarmState
    site: SiteAnswers
    fetched: FetchResult
    full: bool

    def score(
        self,
        summary: RunSummary,
        teams: Sequence[TeamMapping],
        view: SiteView,
        boards: Mapping[str, BoardConfig | None],
    ) -> None:
        """Every team's scores into ``summary.results``; a team whose queries Jira rejects is failed
        in ``summary``. When every team failed, the pass fails."""
        # A daemon clock behind Jira's must not hide the updates just fetched: score no earlier than them.
        as_of = max([self.ports.clock(), *project_watermarks(self.ports.store).values()])
        log.info("run %d: computing the scores of %d team(s) as of %s", summary.run_id, len(teams), as_of)
        for team in teams:
            try:
                result = self._evaluate(team, view, boards.get(team.team.name), as_of=as_of, run=summary.run_id)
            except TeamFault as fault:
                summary.fail_team(fault.team, str(fault))
                log.error("%s", fault)
                continue
            summary.results.append(result)
        if summary.failed_teams and not summary.results:
            raise KpiokrError("no team could be synced:\n" + "\n".join(summary.failed_teams.values()))

    def _evaluate(
        self, team: TeamMapping, view: SiteView, board: BoardConfig | None, *, as_of: datetime, run: int
    ) -> TeamResult:
        """One team's scores and KPIs from its histories, asking Jira only what changed may have moved."""
        name = team.team.name
        dictionary = view.dictionaries[name]
        known = self.state.answers.get(name)
        answers = self._team_answers(team, view.search_fields, run=run)
        changed = None if self.full else self.fetched.keys
        index = self.state.histories.index(self.ports.store, team, dictionary, answers, changed)
        data = self._team_data(team, index, board, ZoneInfo(self.site.account().time_zone))
        result = evaluate_team(team, index, data, answers, as_of, site=dictionary, board=board)
        advice = tuple(str(w) for w in count_warnings(team, result)) if answers is not known else None
        if advice is not None and advice != self.state.advice.get(name):
            self.state.advice[name] = advice
            for warning in advice:
                log.warning("mapping: %s", warning)
        return result

    def _team_answers(self, team: TeamMapping, search_fields: Sequence[str], *, run: int) -> JiraAnswers:
        """The team's JQL answers, asked again only when someone other than kpiokr changed issues (its
        own write-back coming back changes no answer) or the pass is full; issues they name are
        stored. A fresh process starts from the answers the previous run recorded."""
        name = team.team.name
        cached = self.state.answers.get(name)
        if not self.fetched.changed_by_others and not self.full:
            cached = cached or self.site.stored_answers(team, run)
            if cached is not None:
                self.state.answers[name] = cached
                return cached
        answers = self.site.team_answers(team)
        store = self.ports.store
        missing = [k for k in answers.named_keys() if store.get_issue(k) is None]
        if missing:
            with blame(team, ("objectives",)):
                fetch_keys(self.ports.jira, store, missing, search_fields)
        self.state.answers[name] = answers
        return answers

    def _team_data(
        self, team: TeamMapping, index: IssueIndex, board: BoardConfig | None, account_tz: tzinfo
    ) -> TeamData:
        """The calculators' data for the team, taking over the index the previous pass built."""
        tz = team_timezone(team, account_tz)
        board_id = board_id_of(self.site, team)
        store = self.ports.store
        sprints = tuple(to_sprint(raw) for raw in store.sprints(board_id)) if board_id is not None else ()
        histories = index.in_projects(team.team.projects)
        done = board.done_status_ids if board and board.done_status_ids else None
        data = TeamData(histories, tz, sprints, done)
        previous = self.state.team_datas.get(team.team.name)
        if previous is not None:
            data.take_over(previous)  # the calculators' index, updated for the issues that changed
        self.state.team_datas[team.team.name] = data
        return data
