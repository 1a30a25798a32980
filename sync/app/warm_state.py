"""What one sync pass hands the next: the warm state, keyed by the set of teams it covers.

A pass reads Jira and the store; what it learned and may trust next time is this value: the site
facts (account, field list, statuses, board ids found by name), each team's site dictionary, its
translated histories and their index, its JQL answers, its calculators' data and the mapping advice
last given. :func:`sync.app.sync_pass.sync_pass` takes it and hands it back; nothing else keeps it.
A daemon holds one between passes; a fresh :class:`WarmState` works too (a fresh process: the site
facts come from the store, the histories from the stored issues).

The state is keyed by its teams: :meth:`WarmState.covering` narrows it to the teams a pass covers,
so a pass for one team (say, on a webhook) and a daemon holding other teams run the same code on
states of their own. Site facts are the site's, shared by every state narrowed from one.
The caches in it are brought up to date in place as the pass goes. The state also keeps, for each
team, its projects' watermarks as the last pass that scored the team with this state left them: when
a pass starts and the store's differ (another pass over those projects fetched since, or a pass with
this state failed after its fetch or skipped the team), that team's histories, JQL answers and
calculator data are read afresh (:meth:`WarmState.catch_up`). Issues another state's pass stores or
forgets without moving a watermark (a reconciliation's) are seen by this state's next full or
reconciling pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kpiokr.kpi import TeamData
from sync.app.evaluate import JiraAnswers
from sync.app.history_cache import HistoryCache, take_over
from sync.app.site_answers import SiteFacts
from sync.app.site_view import Dictionaries
from sync.mapping import TeamMapping


@dataclass(frozen=True)
class WarmState:
    """What a pass over ``teams`` learned that the next pass over them may use."""

    teams: frozenset[str] = frozenset()
    site: SiteFacts = field(default_factory=SiteFacts)
    dictionaries: Dictionaries = field(default_factory=Dictionaries)
    histories: HistoryCache = field(default_factory=HistoryCache)
    #: Each team's JQL answers (which epics are objectives, what its queries select, counts).
    answers: dict[str, JiraAnswers] = field(default_factory=dict)
    #: Each team's calculator data, whose index a later pass updates for the issues that changed.
    team_datas: dict[str, TeamData] = field(default_factory=dict)
    #: The mapping advice last logged for each team (logged again only when it changes).
    advice: dict[str, tuple[str, ...]] = field(default_factory=dict)

    #: Each team's projects' watermarks when a pass with this state last scored the team.
    marks: dict[str, tuple[datetime | None, ...]] = field(default_factory=dict)

    def catch_up(self, teams: Iterable[TeamMapping], marks: Mapping[str, datetime]) -> None:
        """Forget what is kept for each of ``teams`` whose projects' watermarks in the store
        (``marks``) moved since a pass with this state last scored it."""
        for team in teams:
            name = team.team.name
            if self.marks.get(name) != tuple(marks.get(p) for p in team.team.projects):
                self.histories.forget([name])
                self.answers.pop(name, None)
                self.team_datas.pop(name, None)

    def scored(self, teams: Iterable[TeamMapping], marks: Mapping[str, datetime]) -> None:
        """Note the watermarks a completed pass that scored ``teams`` leaves in the store."""
        for team in teams:
            self.marks[team.team.name] = tuple(marks.get(p) for p in team.team.projects)

    def adopt(self, other: WarmState) -> None:
        """Take over what ``other`` (this state narrowed by :meth:`covering`, after a pass over its teams alone)
        learned of its teams, so the next pass over every team starts warm for them too."""
        if other is self:
            return
        names = other.teams
        self.histories.adopt(other.histories, names)
        take_over(self.dictionaries.by_team, other.dictionaries.by_team, names)
        take_over(self.answers, other.answers, names)
        take_over(self.team_datas, other.team_datas, names)
        take_over(self.advice, other.advice, names)
        take_over(self.marks, other.marks, names)

    def covering(self, teams: Iterable[str]) -> WarmState:
        """This state for exactly ``teams``: what it holds for other teams is left out, the site facts
        are shared. The same state when it already covers them."""
        names = frozenset(teams)
        if names == self.teams:
            return self
        return WarmState(
            names,
            self.site,
            Dictionaries({n: d for n, d in self.dictionaries.by_team.items() if n in names}, self.dictionaries.warned),
            self.histories.covering(names),
            {n: a for n, a in self.answers.items() if n in names},
            {n: d for n, d in self.team_datas.items() if n in names},
            {n: a for n, a in self.advice.items() if n in names},
            {n: m for n, m in self.marks.items() if n in names},
        )
