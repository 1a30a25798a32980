"""What the daemon asks Jira besides the incremental search, asked once and kept between passes.

Site facts change rarely. The account is read again when a search comes back empty (its time
zone, which JQL dates are read in, may have moved); the field list at most once in a pass that
may write (a deleted or renamed score field must be reported). Statuses and board ids are read
on the first pass and again when something suggests they changed (the nightly reconciliation).
A team's JQL answers (which epics are objectives, which issues a KPI filter or a key-result query
matches) are asked again only when someone other than kpiokr changed issues: the scores it wrote
coming back on the next pass change no answer. A query Jira rejects fails its team only."""

from __future__ import annotations

from typing import Any

from sync.evaluate import JiraAnswers
from sync.jira_gateway import JiraGateway
from sync.mapping_build import key_result_jql, query_count_jqls
from sync.mapping_schema import TeamMapping
from sync.site import Account, FieldInfo
from sync.team_faults import blame, query_count_loc

#: The least a search may return when only the keys matter.
KEY_ONLY = ("key",)


class SiteAnswers:
    """Cached facts about one Jira site, and the JQL answers a team's scores need."""

    def __init__(self, jira: JiraGateway) -> None:
        self.jira = jira
        self._account: Account | None = None
        self._fields: list[FieldInfo] | None = None
        self._statuses: list[dict[str, Any]] | None = None
        self._boards: dict[str, int] = {}
        self._fields_this_pass = False

    def begin_pass(self) -> None:
        """A new pass starts: the field list it reads again is read once within it."""
        self._fields_this_pass = False

    def forget(self) -> None:
        """Read every site fact again on next use."""
        self._account = None
        self._statuses = None
        self._boards.clear()
        self.forget_fields()

    def refresh_account(self) -> bool:
        """Read the account again; True when it changed (an admin moved its time zone, which JQL
        dates are read in). An unchanged answer keeps its identity, so what was built on it stays."""
        account = self.jira.myself()
        if account == self._account:
            return False
        self._account = account
        return True

    def refresh_fields(self) -> bool:
        """Read the field list again; True when it changed (a field deleted, renamed or created).
        An unchanged answer keeps its identity, so site dictionaries and histories stay valid. A list
        already read in this pass is not read again."""
        if self._fields_this_pass:
            return False
        self._fields_this_pass = True
        fields = self.jira.fields()
        if fields == self._fields:
            return False
        self._fields = fields
        return True

    def forget_fields(self) -> None:
        """Read the field list again on next use (a field may have been deleted or renamed)."""
        self._fields = None

    def account(self) -> Account:
        """The account kpiokr runs as; JQL dates are read in its time zone."""
        if self._account is None:
            self._account = self.jira.myself()
        return self._account

    def fields(self) -> list[FieldInfo]:
        """The site's field list."""
        if self._fields is None:
            self._fields = self.jira.fields()
            self._fields_this_pass = True
        return self._fields

    def statuses(self) -> list[dict[str, Any]]:
        """The site's statuses with their categories."""
        if self._statuses is None:
            self._statuses = self.jira.statuses()
        return self._statuses

    def board_id(self, board: int | str) -> int:
        """A board's id, from the id or the name a mapping gives."""
        if isinstance(board, int):
            return board
        if board not in self._boards:
            self._boards[board] = int(self.jira.find_board(board)["id"])
        return self._boards[board]

    def keys(self, jql: str) -> list[str]:
        """The keys of the issues ``jql`` matches, in Jira's order."""
        return [str(raw["key"]) for raw in self.jira.search(jql, KEY_ONLY, expand_changelog=False)]

    def team_answers(self, team: TeamMapping) -> JiraAnswers:
        """Ask Jira which epics are the team's objectives, which issues its queries select, and counts.

        A query Jira rejects raises :class:`sync.team_faults.TeamFault` naming its place in the mapping.
        """
        listed = team.objective_keys
        if listed is not None:
            objectives = tuple(listed)
        else:
            with blame(team, ("objectives", "jql")):
                objectives = tuple(self.keys(team.objectives.jql or ""))
        key_results: dict[str, tuple[str, ...]] = {}
        for epic in objectives:
            jql = key_result_jql(team, epic)
            if jql is not None:
                with blame(team, ("key_results", "jql")):
                    key_results[epic] = tuple(self.keys(jql))
        matches: dict[str, frozenset[str]] = {}
        for index, kpi in enumerate(team.kpis):
            if kpi.jql:
                with blame(team, ("kpi", index, "jql")):
                    matches[kpi.key] = frozenset(self.keys(kpi.jql))
        counts: dict[str, int] = {}
        for jql in query_count_jqls(team):
            with blame(team, query_count_loc(team, jql)):
                counts[jql] = self.jira.count(jql)
        return JiraAnswers(objectives, key_results, matches, counts)
