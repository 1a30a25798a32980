"""One pass of the daemon: fetch -> translate -> score -> plan -> apply -> record.

A pass fetches what changed since the watermark, refreshes what only Jira can answer when someone
other than kpiokr changed anything (its own writes coming back change no answer), recomputes every
team's scores and KPIs from the stored histories, and writes to Jira only the fields whose value
changed. A pass in which nothing changed in Jira costs one search request and makes no write; the
account and the field list are read again when that search comes back empty (the account's time
zone may have moved) or brought changes (a pass that may write checks its score fields exist).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from kpiokr.kpi import TeamData
from sync.config import Config
from sync.errors import FieldNotFound, JiraNotFound, JiraPermissionError, JiraRequestRejected
from sync.evaluate import (
    IssueIndex,
    JiraAnswers,
    ScoreFieldIds,
    count_warnings,
    desired_values,
    evaluate_team,
)
from sync.fetch import FetchResult, Progress, check_stop, fetch_keys, fetch_updates
from sync.fetch import reconcile as reconcile_with_jira
from sync.history_cache import HistoryCache
from sync.jira_gateway import JiraGateway
from sync.ledger import WriteLedger
from sync.mapping_build import numeric_fields, team_timezone
from sync.mapping_schema import TeamMapping
from sync.mapping_watch import MappingWatcher
from sync.report import TeamResult, team_document
from sync.score_fields import explain_missing
from sync.score_records import score_records
from sync.site import Account, BoardConfig, FieldInfo, resolve_field
from sync.site_answers import SiteAnswers
from sync.store import Store
from sync.translate import SiteDictionary
from sync.translate_agile import to_sprint
from sync.writeback import DesiredValue, IssueWrite, WriteOutcome, apply_writes, plan_writes

log = logging.getLogger(__name__)

#: Jira answers these for one issue only: that write is skipped, the others go on.
REJECTED = (JiraPermissionError, JiraRequestRejected, JiraNotFound)
#: Score fields a team writes: objective score, status and summary, key-result progress.
SCORE_ROLES = 4
#: Jira's single-line text fields hold at most 255 characters.
TEXT_LIMIT = 255


@dataclass(frozen=True)
class SiteView:
    """The teams as the current site facts resolve them."""

    teams: Sequence[TeamMapping]
    dictionaries: Mapping[str, SiteDictionary]
    score_fields: Mapping[str, ScoreFieldIds]
    search_fields: tuple[str, ...]

    @property
    def missing_fields(self) -> bool:
        """True when some team's score field is not on the site."""
        return any(len(fields.present()) < SCORE_ROLES for fields in self.score_fields.values())


@dataclass
class RunSummary:
    """What one pass did, for the CLI and the run record."""

    run_id: int
    kind: str
    fetched: int = 0
    changed_keys: set[str] = field(default_factory=set)
    planned: list[IssueWrite] = field(default_factory=list)
    outcomes: list[WriteOutcome] = field(default_factory=list)
    results: list[TeamResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        """The figures kept in the run record."""
        return {
            "fetched": self.fetched,
            "writes_planned": sum(len(w.fields) for w in self.planned),
            "issues_written": sum(1 for o in self.outcomes if o.ok),
            "issues_rejected": sum(1 for o in self.outcomes if not o.ok),
            "requests": self.requests,
            "teams": len(self.results),
        }


class Runner:
    """Runs passes against one Jira and one store; keeps site facts and histories between passes."""

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
    ) -> None:
        self.jira = jira
        self.store = store
        self.mappings = mappings
        self.config = config
        self.clock = clock
        self.stop = stop or threading.Event()
        self.progress = progress
        self.site = SiteAnswers(jira)
        self.histories = HistoryCache()
        self.ledger = WriteLedger(store, clock, config.writeback.decimals)
        self._agile_read_at: datetime | None = None
        self._answers: dict[str, JiraAnswers] = {}
        self._team_datas: dict[str, TeamData] = {}
        self._dictionaries: dict[str, tuple[object, SiteDictionary]] = {}
        self._advice: dict[str, tuple[str, ...]] = {}

    # -- the pass ---------------------------------------------------------------------------------

    def run(self, *, full: bool = False, dry_run: bool = False, reconcile: bool = False) -> RunSummary:
        """One pass. ``full`` re-reads every issue; ``dry_run`` plans writes and makes none."""
        kind = "dry-run" if dry_run else "reconcile" if reconcile else "full" if full else "sync"
        started = time.monotonic()
        requests_before = self.jira.requests_made
        summary = RunSummary(self.store.start_run(kind), kind)
        log.info("run %d (%s) started", summary.run_id, kind)
        try:
            try:
                self._pass(summary, full=full, dry_run=dry_run, reconcile=reconcile)
            finally:
                gc.unfreeze()  # see _seed
        except BaseException as error:
            summary.requests = self.jira.requests_made - requests_before
            status = "abandoned" if isinstance(error, KeyboardInterrupt) or self.stop.is_set() else "failed"
            text = str(error) or type(error).__name__
            self.store.finish_run(summary.run_id, status, counts=summary.counts, error=text)
            level = logging.WARNING if status == "abandoned" else logging.ERROR
            log.log(level, "run %d (%s) %s: %s", summary.run_id, kind, status, text)
            raise
        summary.requests = self.jira.requests_made - requests_before
        summary.seconds = time.monotonic() - started
        self.store.finish_run(summary.run_id, "ok", counts=summary.counts, error="; ".join(summary.problems) or None)
        return summary

    def _pass(self, summary: RunSummary, *, full: bool, dry_run: bool, reconcile: bool) -> None:
        teams = self.mappings.current()
        if reconcile:
            self.site.forget()
        self.site.account()  # who kpiokr is: the first thing a new pass asks, and its credentials' test
        fresh_agile = self._agile_read_at is None
        if fresh_agile:
            self._refresh_agile(teams, force=True)
        boards = self._boards(teams)
        projects = sorted({p for t in teams for p in t.team.projects})
        view = self._site_view(teams, boards, summary)
        fetched = self._fetch(projects, view, full=full)
        if not full and not fetched.fetched and self.store.watermarks() and self.site.refresh_account():
            # The overlap always brings back the newest issue held: an empty answer may mean the
            # account's time zone, which JQL dates are read in, has moved. It had: ask again.
            view = self._site_view(teams, boards, summary)
            fetched = self._fetch(projects, view, full=full)
        elif (fetched.changed or view.missing_fields) and self.site.refresh_fields():
            # Passes that may write read the field list again, so a deleted or renamed score field
            # is reported and its writes left out; while one is missing every pass does, so the
            # admin's fix is picked up at once.
            summary.problems.clear()
            view = self._site_view(teams, boards, summary)
        dictionaries, score_fields, search_fields = view.dictionaries, view.score_fields, view.search_fields
        if reconcile:
            found = reconcile_with_jira(self.jira, self.store, projects, search_fields, stop=self.stop)
            fetched.keys.update(found.refetched)
            fetched.fetched += len(found.refetched)
            if found.deleted:
                self.histories.forget()
        summary.fetched, summary.changed_keys = fetched.fetched, fetched.keys
        if not fresh_agile:
            self._refresh_agile(teams, force=fetched.changed_by_others or full)
        check_stop(self.stop)
        # A daemon clock behind Jira's must not hide the updates just fetched: score no earlier than them.
        as_of = max([self.clock(), *self.store.watermarks().values()])
        log.info("run %d: computing the scores of %d team(s) as of %s", summary.run_id, len(teams), as_of)
        for team in teams:
            dictionary, board = dictionaries[team.team.name], boards.get(team.team.name)
            summary.results.append(
                self._evaluate(team, dictionary, board, fetched, search_fields, full=full, as_of=as_of)
            )
        check_stop(self.stop)
        self._write_back(summary, score_fields, dry_run=dry_run, reconcile=reconcile)
        log.debug("run %d: recording scores and reports", summary.run_id)
        with self.store.transaction() as tx:
            for result in summary.results:
                objectives, key_results, kpis = score_records(result)
                tx.record_scores(summary.run_id, objectives=objectives, key_results=key_results, kpis=kpis)
                tx.record_report(result.team, result.as_of, team_document(result))

    def _site_view(
        self, teams: Sequence[TeamMapping], boards: Mapping[str, BoardConfig | None], summary: RunSummary
    ) -> SiteView:
        """What the site facts make of the mappings: dictionaries, score fields, the fields to fetch."""
        account = self.site.account()
        dictionaries = {t.team.name: self._dictionary(t, account, boards.get(t.team.name)) for t in teams}
        score_fields = {t.team.name: self._score_fields(t, summary) for t in teams}
        search_fields = self._search_fields(dictionaries.values(), score_fields.values())
        return SiteView(teams, dictionaries, score_fields, search_fields)

    def _fetch(self, projects: Sequence[str], view: SiteView, *, full: bool) -> FetchResult:
        """Fetch and store what changed in ``projects``, translating it for the teams on the way."""
        account = self.site.account()
        seeding = {t.team.name: (t, view.dictionaries[t.team.name]) for t in view.teams}
        return fetch_updates(
            self.jira,
            self.store,
            projects,
            view.search_fields,
            account_tz=ZoneInfo(account.time_zone),
            overlap=timedelta(minutes=self.config.sync.overlap_minutes),
            full=full,
            stop=self.stop,
            progress=self.progress,
            on_batch=lambda raws, changed: self._seed(raws, changed, seeding, full=full),
            own=account.ids,
        )

    def _evaluate(
        self,
        team: TeamMapping,
        dictionary: SiteDictionary,
        board: BoardConfig | None,
        fetched: FetchResult,
        search_fields: Sequence[str],
        *,
        full: bool,
        as_of: datetime,
    ) -> TeamResult:
        """One team's scores and KPIs from its histories, asking Jira only what changed may have moved."""
        known = self._answers.get(team.team.name)
        answers = self._team_answers(team, fetched, search_fields, refresh=full)
        index = self.histories.index(self.store, team, dictionary, answers, None if full else fetched.keys)
        data = self._team_data(team, index, board, ZoneInfo(self.site.account().time_zone))
        result = evaluate_team(team, index, data, answers, as_of, site=dictionary, board=board)
        advice = tuple(str(w) for w in count_warnings(team, result)) if answers is not known else None
        if advice is not None and advice != self._advice.get(team.team.name):
            self._advice[team.team.name] = advice
            for warning in advice:
                log.warning("mapping: %s", warning)
        return result

    def _write_back(
        self, summary: RunSummary, score_fields: dict[str, ScoreFieldIds], *, dry_run: bool, reconcile: bool
    ) -> None:
        """Plan the writes that bring Jira in line with the scores, and (unless a dry run) make them."""
        desired = [d for r in summary.results for d in desired_values(r, score_fields[r.team])]
        self.ledger.settle_interrupted()
        current = self._current_values({d.issue_key for d in desired})
        held_back = set() if reconcile else self.ledger.rejected_before()
        summary.planned = plan_writes(
            [_clip(d) for d in desired],
            current,
            self.config.writeback.decimals,
            skip=lambda issue, field_id, value: (issue, field_id, repr(value)) in held_back,
        )
        if not dry_run and self.config.writeback.enabled:
            log.info("run %d: writing %d issue(s)", summary.run_id, len(summary.planned))
            run_id = summary.run_id
            summary.outcomes = apply_writes(
                summary.planned, self.jira, REJECTED, self.ledger.recorder(run_id), self.ledger.intender(run_id)
            )

    def _seed(
        self,
        raws: Sequence[dict[str, Any]],
        changed: Sequence[dict[str, Any]],
        teams: Mapping[str, tuple[TeamMapping, SiteDictionary]],
        *,
        full: bool,
    ) -> None:
        """Translate a batch just fetched for the history cache, and keep what exists so far out of
        the garbage collector's passes until this pass ends.

        The histories live long and form no cycles. Traced by every full collection while a first
        sync builds 100,000 of them, they cost ~17 s of 90 (36 full collections); frozen batch by
        batch, each collection traces one batch.
        """
        self.histories.seed(raws, changed, teams, full=full)
        gc.freeze()

    # -- what the pass reads ----------------------------------------------------------------------

    def _boards(self, teams: Sequence[TeamMapping]) -> dict[str, BoardConfig | None]:
        boards: dict[str, BoardConfig | None] = {}
        for team in teams:
            board_id = self._board_id(team)
            stored = self.store.board(board_id) if board_id is not None else None
            boards[team.team.name] = BoardConfig.from_json(stored) if stored else None
        return boards

    def _board_id(self, team: TeamMapping) -> int | None:
        """The id of the team's board; ``None`` for a team without one (KPIs that need no sprints)."""
        return None if team.team.board is None else self.site.board_id(team.team.board)

    def _refresh_agile(self, teams: Sequence[TeamMapping], *, force: bool) -> None:
        """Read the boards' configurations and sprints, when others changed issues or they are getting old."""
        now = self.clock()
        every = timedelta(minutes=self.config.sync.agile_refresh_minutes)
        if not force and self._agile_read_at is not None and now - self._agile_read_at < every:
            return
        for board_id in sorted({b for b in map(self._board_id, teams) if b is not None}):
            configuration = self.jira.board_configuration_json(board_id)
            sprints = self.jira.sprints(board_id) if configuration.get("type") != "kanban" else []
            with self.store.transaction() as tx:
                tx.set_board(board_id, configuration)
                tx.set_sprints(board_id, sprints)
        self._agile_read_at = now

    def _dictionary(self, team: TeamMapping, account: Account, board: BoardConfig | None) -> SiteDictionary:
        """The team's site dictionary, built again only when the site facts or the board changed."""
        fields, statuses = self.site.fields(), self.site.statuses()
        estimate = resolve_field(fields, team.jira_fields.estimate).id if team.jira_fields.estimate else None
        if estimate is not None:
            board = (
                replace(board, estimation_field_id=estimate)
                if board
                else BoardConfig(self._board_id(team) or 0, "", estimate, frozenset())
            )
        names = {name: name for name in sorted(numeric_fields(team))}
        signature = (id(fields), id(statuses), account, board, tuple(names))
        cached = self._dictionaries.get(team.team.name)
        if cached is None or cached[0] != signature:
            built = SiteDictionary.build(fields, statuses, account=account, board=board, numbers=names)
            cached = (signature, built)
            self._dictionaries[team.team.name] = cached
        return cached[1]

    def _score_fields(self, team: TeamMapping, summary: RunSummary) -> ScoreFieldIds:
        """The team's score fields on the site; a missing one is reported and its writes left out.
        A team of KPIs only writes no score."""
        if not team.has_objectives:
            return ScoreFieldIds(None, None, None, None)
        fields = self.site.fields()
        found: dict[str, FieldInfo | None] = {}
        for setting, name in team.score_fields:
            try:
                found[setting] = resolve_field(fields, name)
            except FieldNotFound as error:
                found[setting] = None
                why = explain_missing(name, setting, fields, self.store.field_ids_written(), error)
                problem = f"{team.team.name}: {why} Until then these scores are not written; reads go on."
                if problem not in summary.problems:
                    summary.problems.append(problem)
                    log.warning("%s", problem)
        return ScoreFieldIds(
            found["objective_score"],
            found["objective_status"],
            found["objective_summary"],
            found["key_result_progress"],
        )

    @staticmethod
    def _search_fields(
        dictionaries: Iterable[SiteDictionary], score_fields: Iterable[ScoreFieldIds]
    ) -> tuple[str, ...]:
        wanted: list[str] = ["summary", "assignee", "project", "updated", "created"]
        for dictionary in dictionaries:
            wanted.extend(dictionary.search_fields())
        wanted.extend(f.id for fields in score_fields for f in fields.present())
        return tuple(dict.fromkeys(wanted))

    def _team_answers(
        self, team: TeamMapping, fetched: FetchResult, search_fields: Sequence[str], *, refresh: bool
    ) -> JiraAnswers:
        """The team's JQL answers, asked again only when someone other than kpiokr changed issues (its
        own write-back coming back changes no answer); issues they name are stored."""
        name = team.team.name
        cached = self._answers.get(name)
        if cached is not None and not fetched.changed_by_others and not refresh:
            return cached
        answers = self.site.team_answers(team)
        missing = [k for k in answers.named_keys() if self.store.get_issue(k) is None]
        if missing:
            fetch_keys(self.jira, self.store, missing, search_fields)
        self._answers[name] = answers
        return answers

    def _team_data(
        self, team: TeamMapping, index: IssueIndex, board: BoardConfig | None, account_tz: tzinfo
    ) -> TeamData:
        tz = team_timezone(team, account_tz)
        board_id = self._board_id(team)
        sprints = tuple(to_sprint(raw) for raw in self.store.sprints(board_id)) if board_id is not None else ()
        histories = index.in_projects(team.team.projects)
        done = board.done_status_ids if board and board.done_status_ids else None
        data = TeamData(histories, tz, sprints, done)
        previous = self._team_datas.get(team.team.name)
        if previous is not None:
            data.take_over(previous)  # the calculators' index, updated for the issues that changed
        self._team_datas[team.team.name] = data
        return data

    def _current_values(self, keys: set[str]) -> dict[str, dict[str, object]]:
        current: dict[str, dict[str, object]] = {}
        for key in keys:
            raw = self.store.get_issue(key)
            if raw is not None:
                current[key] = dict(raw.get("fields") or {})
        return current


def _clip(desired: DesiredValue) -> DesiredValue:
    """Text values cut to what a single-line Jira text field holds."""
    if not isinstance(desired.value, str) or len(desired.value) <= TEXT_LIMIT:
        return desired
    return replace(desired, value=desired.value[: TEXT_LIMIT - 1] + "…")
