"""What the daemon asks Jira besides the incremental search, asked once and kept between passes
and, in the store, between processes.

Site facts change rarely. The account, the field list, the statuses and the board ids found by name
are kept in the store with the instant (Jira's clock) they were read, so a fresh process starts from
them without asking Jira. Facts taken from the store are read again when the pass may write
(:meth:`SiteAnswers.verify`) or one proves stale (a field that does not resolve, a board that is
gone). The account is read again when a search comes back empty (its time zone, which JQL dates
are read in, may have moved); the field list at most once in a pass that may write (a deleted or
renamed score field must be reported). The nightly reconciliation reads every fact again.

A team's JQL answers (which epics are objectives, which issues a KPI filter or a key-result query
matches) are asked again only when someone other than kpiokr changed issues: the scores it wrote
coming back on the next pass change no answer. A fresh process takes them from the team's report
recorded by the previous run (its ``basis``) when they answer the mapping's current questions.
A query Jira rejects fails its team only."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sync.app.evaluate import JiraAnswers
from sync.app.evaluation_basis import Basis
from sync.app.team_faults import blame, query_count_loc
from sync.jira import Account, FieldInfo, JiraGateway
from sync.mapping import TeamMapping, key_result_jql, query_count_jqls
from sync.store import Store

#: The least a search may return when only the keys matter.
KEY_ONLY = ("key",)
#: Names of the site facts kept in the store.
ACCOUNT, FIELDS, STATUSES, BOARDS = "account", "fields", "statuses", "board_ids"

log = logging.getLogger(__name__)


def questions(team: TeamMapping) -> tuple[str, ...]:
    """What the team's mapping asks Jira: the JQL behind its :class:`JiraAnswers`."""
    listed = team.objective_keys
    asked = [f"objectives: {team.objectives.jql}" if listed is None else f"objectives: {','.join(listed)}"]
    if team.key_results.jql:
        asked.append(f"key results: {team.key_results.jql}")
    asked.extend(f"kpi {kpi.key}: {kpi.jql}" for kpi in team.kpis if kpi.jql)
    asked.extend(f"count: {jql}" for jql in query_count_jqls(team))
    return tuple(asked)


@dataclass
class SiteFacts:
    """What is known of the site between passes: the account, the field list, the statuses and the
    board ids found by name, and which of them were taken from the store and not read since."""

    account: Account | None = None
    fields: list[FieldInfo] | None = None
    statuses: list[dict[str, Any]] | None = None
    boards: dict[str, int] = field(default_factory=dict)
    #: True once the store's facts were taken (or a reconciliation chose to read them all afresh).
    loaded: bool = False
    #: Facts taken from the store and not read from Jira since.
    stored: set[str] = field(default_factory=set)


class SiteAnswers:
    """The facts of one Jira site (kept in ``facts`` between passes), and the JQL answers a team's
    scores need. One is made for each pass: the field list it reads again is read once within it."""

    def __init__(self, jira: JiraGateway, store: Store, clock: Callable[[], datetime], facts: SiteFacts) -> None:
        self.jira = jira
        self.store = store
        self.clock = clock
        self.facts = facts
        self._fields_this_pass = False

    def _load(self) -> None:
        """Take the facts the store keeps, once; one that does not parse is read from Jira."""
        facts = self.facts
        if facts.loaded:
            return
        facts.loaded = True
        kept = self.store.site_facts()
        try:
            if ACCOUNT in kept:
                facts.account = Account(**_mapping(kept[ACCOUNT].value))
                facts.stored.add(ACCOUNT)
            if FIELDS in kept:
                facts.fields = [_field(raw) for raw in _list(kept[FIELDS].value)]
                facts.stored.add(FIELDS)
            if STATUSES in kept:
                facts.statuses = [_mapping(raw) for raw in _list(kept[STATUSES].value)]
                facts.stored.add(STATUSES)
            if BOARDS in kept:
                facts.boards = {str(name): int(i) for name, i in _mapping(kept[BOARDS].value).items()}
        except (TypeError, ValueError, AttributeError) as error:
            log.warning("the site facts in the store do not read (%s): reading them from Jira", error)
            facts.account, facts.fields, facts.statuses, facts.boards = None, None, None, {}
            facts.stored.clear()

    def _keep(self, name: str, value: object) -> None:
        """Store a fact just read from Jira, with Jira's clock at the answer."""
        self.facts.stored.discard(name)
        self.store.set_site_fact(name, value, self.jira.server_time or self.clock())

    def _read_account(self) -> Account:
        account = self.jira.myself()
        self._keep(ACCOUNT, asdict(account))
        return account

    def _read_fields(self) -> list[FieldInfo]:
        self._fields_this_pass = True
        fields = self.jira.fields()
        self._keep(FIELDS, [asdict(f) for f in fields])
        return fields

    def _read_statuses(self) -> list[dict[str, Any]]:
        statuses = self.jira.statuses()
        self._keep(STATUSES, statuses)
        return statuses

    def verify(self) -> bool:
        """Read again the facts taken from the store (a pass that may write); True when any changed."""
        self._load()
        changed = False
        if ACCOUNT in self.facts.stored:
            changed = self.refresh_account() or changed
        if FIELDS in self.facts.stored:
            changed = self.refresh_fields() or changed
        if STATUSES in self.facts.stored:
            statuses = self._read_statuses()
            if statuses != self.facts.statuses:
                self.facts.statuses = statuses
                changed = True
        return changed

    def forget(self) -> None:
        """Read every site fact again on next use."""
        self.facts.loaded = True
        self.facts.stored.clear()
        self.facts.account = None
        self.facts.statuses = None
        self.facts.boards.clear()
        self.forget_fields()

    def refresh_account(self) -> bool:
        """Read the account again; True when it changed (an admin moved its time zone, which JQL
        dates are read in). An unchanged answer keeps its identity, so what was built on it stays."""
        self._load()
        account = self._read_account()
        if account == self.facts.account:
            return False
        self.facts.account = account
        return True

    def refresh_fields(self) -> bool:
        """Read the field list again; True when it changed (a field deleted, renamed or created).
        An unchanged answer keeps its identity, so site dictionaries and histories stay valid. A list
        already read in this pass is not read again."""
        self._load()
        if self._fields_this_pass:
            return False
        fields = self._read_fields()
        if fields == self.facts.fields:
            return False
        self.facts.fields = fields
        return True

    def forget_fields(self) -> None:
        """Read the field list again on next use (a field may have been deleted or renamed)."""
        self.facts.fields = None

    def account(self) -> Account:
        """The account kpiokr runs as; JQL dates are read in its time zone."""
        self._load()
        if self.facts.account is None:
            self.facts.account = self._read_account()
        return self.facts.account

    def fields(self) -> list[FieldInfo]:
        """The site's field list."""
        self._load()
        if self.facts.fields is None:
            self.facts.fields = self._read_fields()
        return self.facts.fields

    def statuses(self) -> list[dict[str, Any]]:
        """The site's statuses with their categories."""
        self._load()
        if self.facts.statuses is None:
            self.facts.statuses = self._read_statuses()
        return self.facts.statuses

    def board_id(self, board: int | str) -> int:
        """A board's id, from the id or the name a mapping gives."""
        if isinstance(board, int):
            return board
        self._load()
        if board not in self.facts.boards:
            self.facts.boards[board] = int(self.jira.find_board(board)["id"])
            self._keep(BOARDS, dict(self.facts.boards))
        return self.facts.boards[board]

    def forget_board(self, board: int | str | None) -> bool:
        """Find the board named ``board`` again on next use (the id kept for it led nowhere); True
        when an id was kept for it."""
        if not isinstance(board, str) or self.facts.boards.pop(board, None) is None:
            return False
        self._keep(BOARDS, dict(self.facts.boards))
        return True

    def stored_answers(self, team: TeamMapping, run_id: int) -> JiraAnswers | None:
        """The team's answers as the run before ``run_id`` recorded them (its report's basis), when
        that run ended with the team's report and they answer the mapping's current questions."""
        previous = next((r.id for r in self.store.runs(limit=3) if r.id < run_id), None)
        report = None if previous is None else self.store.run_report(team.team.name, previous)
        if report is None:
            return None
        answers = Basis.from_document(report.document.get("basis")).answers
        return answers if answers.questions == questions(team) else None

    def keys(self, jql: str) -> list[str]:
        """The keys of the issues ``jql`` matches, in Jira's order."""
        return [str(raw["key"]) for raw in self.jira.search(jql, KEY_ONLY, expand_changelog=False)]

    def team_answers(self, team: TeamMapping) -> JiraAnswers:
        """Ask Jira which epics are the team's objectives, which issues its queries select, and counts.

        A query Jira rejects raises :class:`sync.app.team_faults.TeamFault` naming its place in the mapping.
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
        return JiraAnswers(objectives, key_results, matches, counts, questions(team))


def _mapping(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def _field(raw: object) -> FieldInfo:
    values = _mapping(raw)
    return FieldInfo(**{**values, "clause_names": tuple(values.get("clause_names") or ())})
