"""One pass of the daemon: fetch -> translate -> score -> plan -> apply -> record.

A pass fetches what changed since the watermark, refreshes what only Jira can answer when someone
other than kpiokr changed anything (its own writes coming back change no answer), recomputes every
team's scores and KPIs from the stored histories, and writes to Jira only the fields whose value
changed. A pass in which nothing changed in Jira costs one search request returning one page and
makes no write, in a fresh process too (site facts, boards and team answers are kept in the
store: :mod:`sync.app.site_answers`); the account is read again when that search comes back empty (the account's time
zone may have moved), the field list once when it brought changes (a pass that may write checks
its score fields exist).

One team's fault stays its own: a JQL Jira rejects, a board that is gone, a field the site lacks
or a project Jira will not search skips the teams concerned (named with their mapping file and
line in :attr:`RunSummary.failed_teams`); the others are fetched, scored and written, and the run
is recorded ``partial``. A stop asked for during the writes ends them after the request in flight.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from kpiokr.kpi import TeamData
from sync.app.boards import BoardReader, board_id_of
from sync.app.evaluate import IssueIndex, JiraAnswers, ScoreFieldIds, count_warnings, desired_values, evaluate_team
from sync.app.fetch import FetchResult, Progress, check_stop, fetch_keys, fetch_updates, project_watermarks
from sync.app.history_cache import HistoryCache
from sync.app.ledger import WriteLedger
from sync.app.reconcile import forget_missing
from sync.app.reconcile import reconcile as reconcile_with_jira
from sync.app.results import TeamResult, team_document
from sync.app.run_summary import RunSummary
from sync.app.score_records import score_records
from sync.app.site_answers import SiteAnswers
from sync.app.site_view import SiteView, SiteViews
from sync.app.team_faults import TeamFault, blame
from sync.app.writeback import DesiredValue, apply_writes, plan_writes
from sync.config import Config
from sync.errors import JiraNotFound, JiraPermissionError, JiraRequestRejected, KpiokrError
from sync.jira import BoardConfig, JiraGateway, OwnWrites, SiteDictionary, to_sprint
from sync.mapping import MappingWatcher, TeamMapping, team_timezone
from sync.store import Store

__all__ = ["REJECTED", "RunSummary", "Runner"]

log = logging.getLogger(__name__)

#: Jira answers these for one issue only: that write is skipped, the others go on.
REJECTED = (JiraPermissionError, JiraRequestRejected, JiraNotFound)
#: Jira's single-line text fields hold at most 255 characters.
TEXT_LIMIT = 255


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
        self.site = SiteAnswers(jira, store, clock)
        self.views = SiteViews(self.site, store)
        self.histories = HistoryCache()
        self.ledger = WriteLedger(store, clock, config.writeback.decimals)
        self.boards = BoardReader(jira, store, self.site, clock, config.sync.agile_refresh_minutes)
        self._answers: dict[str, JiraAnswers] = {}
        self._team_datas: dict[str, TeamData] = {}
        self._advice: dict[str, tuple[str, ...]] = {}

    # -- the pass ---------------------------------------------------------------------------------

    def run(self, *, full: bool = False, dry_run: bool = False, reconcile: bool = False) -> RunSummary:
        """One pass. ``full`` re-reads every issue; ``dry_run`` plans writes and makes none;
        ``reconcile`` compares every issue with Jira and reads the site facts again."""
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
        said = "; ".join([*summary.failed_teams.values(), *summary.problems]) or None
        self.store.finish_run(summary.run_id, summary.status, counts=summary.counts, error=said)
        if summary.failed_teams:
            log.error("run %d (%s) partial: %d team(s) skipped", summary.run_id, kind, len(summary.failed_teams))
        return summary

    def _pass(self, summary: RunSummary, *, full: bool, dry_run: bool, reconcile: bool) -> None:
        teams: Sequence[TeamMapping] = self.mappings.current()
        self.site.begin_pass()
        if reconcile:
            self.site.forget()
        self.site.account()  # who kpiokr is: the first thing a new pass asks, and its credentials' test
        fresh_agile = self.boards.unread(teams)  # the view needs every board: a first sync reads them first
        if fresh_agile:
            teams = self.boards.refresh(teams, summary, force=True)
        teams, boards = self.boards.stored(teams, summary)
        view = self.views.view(teams, boards, summary)
        fetched = self._fetch(view, summary, full=full)
        view = _without_failed(view, summary)
        if not full and not fetched.fetched and project_watermarks(self.store) and self.site.refresh_account():
            # The look-back always brings back the newest issue held: an empty answer may mean the
            # account's time zone, which JQL dates are read in, has moved. It had: ask again.
            view = self.views.view(view.teams, boards, summary)
            fetched = self._fetch(view, summary, full=full)
            view = _without_failed(view, summary)
        elif self._site_changed(fetched, view):
            summary.problems.clear()
            summary.missing_score_fields.clear()
            view = self.views.view(view.teams, boards, summary)
        fetched.forgotten.update(forget_missing(self.jira, self.store, fetched.complete, view.search_fields, fetched))
        if reconcile:
            projects = sorted({p for t in view.teams for p in t.team.projects})
            found = reconcile_with_jira(self.jira, self.store, projects, view.search_fields, stop=self.stop)
            fetched.keys.update(found.refetched)
            fetched.fetched += len(found.refetched)
            fetched.forgotten.update(found.deleted)
        if fetched.forgotten:
            self.histories.forget()
        summary.fetched, summary.changed_keys, summary.forgotten = fetched.fetched, fetched.keys, len(fetched.forgotten)
        teams = view.teams
        if not fresh_agile:
            teams = self.boards.refresh(teams, summary, force=fetched.changed_by_others or full)
        check_stop(self.stop)
        teams = [t for t in teams if t.team.name not in summary.failed_teams]
        self._evaluate_teams(summary, teams, view, boards, fetched, full=full)
        check_stop(self.stop)
        self._plan(summary, view, boards, fetched, full=full, reconcile=reconcile)
        self._write(summary, dry_run=dry_run)
        check_stop(self.stop)
        log.debug("run %d: recording scores and reports", summary.run_id)
        with self.store.transaction() as tx:
            for result in summary.results:
                objectives, key_results, kpis = score_records(result)
                tx.record_scores(summary.run_id, objectives=objectives, key_results=key_results, kpis=kpis)
                tx.record_report(result.team, result.as_of, team_document(result), run_id=summary.run_id)

    def _fetch(self, view: SiteView, summary: RunSummary, *, full: bool) -> FetchResult:
        """Fetch and store what changed in the teams' projects, translating it for them on the way.

        A project Jira will not search fails the teams that read it; the others go on.
        """
        account = self.site.account()
        seeding = {t.team.name: (t, view.dictionaries[t.team.name]) for t in view.teams}
        fetched = fetch_updates(
            self.jira,
            self.store,
            sorted({p for t in view.teams for p in t.team.projects}),
            view.search_fields,
            account_tz=ZoneInfo(account.time_zone),
            overlap=timedelta(minutes=self.config.sync.overlap_minutes),
            full=full,
            stop=self.stop,
            progress=self.progress,
            on_batch=lambda raws, changed: self._seed(raws, changed, seeding, full=full),
            own=OwnWrites.of(
                account, [f.id for ids in view.score_fields.values() for f in ids.present()], self.site.fields()
            ),
        )
        for team in view.teams:
            for index, project in enumerate(team.team.projects):
                if project in fetched.failed:
                    fault = TeamFault(team, ("team", "projects", index), fetched.failed[project])
                    summary.fail_team(fault.team, str(fault))
        return fetched

    def _site_changed(self, fetched: FetchResult, view: SiteView) -> bool:
        """Read the site facts a pass that may write needs again; True when they changed.

        Passes that may write read the field list again (once), so a deleted or renamed score field
        is reported and its writes left out; while one is missing every pass does, so the admin's
        fix is picked up at once. A pass that fetched others' changes also reads again the facts a
        fresh process took from the store.
        """
        changed = fetched.changed_by_others and self.site.verify()
        if fetched.changed or view.missing_fields:
            changed = self.site.refresh_fields() or changed
        return changed

    def _evaluate_teams(
        self,
        summary: RunSummary,
        teams: Sequence[TeamMapping],
        view: SiteView,
        boards: Mapping[str, BoardConfig | None],
        fetched: FetchResult,
        *,
        full: bool,
    ) -> None:
        """Every team's scores; a team whose queries Jira rejects is skipped. When every team failed,
        the pass fails."""
        # A daemon clock behind Jira's must not hide the updates just fetched: score no earlier than them.
        as_of = max([self.clock(), *project_watermarks(self.store).values()])
        log.info("run %d: computing the scores of %d team(s) as of %s", summary.run_id, len(teams), as_of)
        for team in teams:
            name = team.team.name
            try:
                board = boards.get(name)
                result = self._evaluate(team, view, board, fetched, full=full, as_of=as_of, run=summary.run_id)
            except TeamFault as fault:
                summary.fail_team(fault.team, str(fault))
                log.error("%s", fault)
                continue
            summary.results.append(result)
        if summary.failed_teams and not summary.results:
            raise KpiokrError("no team could be synced:\n" + "\n".join(summary.failed_teams.values()))

    def _evaluate(
        self,
        team: TeamMapping,
        view: SiteView,
        board: BoardConfig | None,
        fetched: FetchResult,
        *,
        full: bool,
        as_of: datetime,
        run: int,
    ) -> TeamResult:
        """One team's scores and KPIs from its histories, asking Jira only what changed may have moved."""
        dictionary = view.dictionaries[team.team.name]
        known = self._answers.get(team.team.name)
        answers = self._team_answers(team, fetched, view.search_fields, refresh=full, run=run)
        index = self.histories.index(self.store, team, dictionary, answers, None if full else fetched.keys)
        data = self._team_data(team, index, board, ZoneInfo(self.site.account().time_zone))
        result = evaluate_team(team, index, data, answers, as_of, site=dictionary, board=board)
        advice = tuple(str(w) for w in count_warnings(team, result)) if answers is not known else None
        if advice is not None and advice != self._advice.get(team.team.name):
            self._advice[team.team.name] = advice
            for warning in advice:
                log.warning("mapping: %s", warning)
        return result

    def _plan(
        self,
        summary: RunSummary,
        view: SiteView,
        boards: Mapping[str, BoardConfig | None],
        fetched: FetchResult,
        *,
        full: bool,
        reconcile: bool,
    ) -> None:
        """Plan the writes that bring Jira in line with the scores. Before a pass writes, the site
        facts a fresh process took from the store are read again; when they changed, it scores again."""
        self._plan_writes(summary, view.score_fields, reconcile=reconcile)
        if summary.planned and self.site.verify():
            summary.results.clear()
            summary.problems.clear()
            summary.missing_score_fields.clear()
            view = self.views.view(view.teams, boards, summary)
            self._evaluate_teams(summary, view.teams, view, boards, fetched, full=full)
            self._plan_writes(summary, view.score_fields, reconcile=reconcile)

    def _plan_writes(self, summary: RunSummary, score_fields: Mapping[str, ScoreFieldIds], *, reconcile: bool) -> None:
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

    def _write(self, summary: RunSummary, *, dry_run: bool) -> None:
        """Make the planned writes (unless a dry run or write-back is disabled), until a stop is asked for."""
        summary.writeback_disabled = not self.config.writeback.enabled
        if not dry_run and self.config.writeback.enabled:
            log.info("run %d: writing %d issue(s)", summary.run_id, len(summary.planned))
            run_id = summary.run_id
            summary.outcomes = apply_writes(
                summary.planned,
                self.jira,
                REJECTED,
                self.ledger.recorder(run_id),
                self.ledger.intender(run_id),
                stopped=self.stop.is_set,
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

    def _team_answers(
        self, team: TeamMapping, fetched: FetchResult, search_fields: Sequence[str], *, refresh: bool, run: int
    ) -> JiraAnswers:
        """The team's JQL answers, asked again only when someone other than kpiokr changed issues (its
        own write-back coming back changes no answer); issues they name are stored. A fresh process
        starts from the answers the previous run recorded."""
        name = team.team.name
        cached = self._answers.get(name)
        if not fetched.changed_by_others and not refresh:
            cached = cached or self.site.stored_answers(team, run)
            if cached is not None:
                self._answers[name] = cached
                return cached
        answers = self.site.team_answers(team)
        missing = [k for k in answers.named_keys() if self.store.get_issue(k) is None]
        if missing:
            with blame(team, ("objectives",)):
                fetch_keys(self.jira, self.store, missing, search_fields)
        self._answers[name] = answers
        return answers

    def _team_data(
        self, team: TeamMapping, index: IssueIndex, board: BoardConfig | None, account_tz: tzinfo
    ) -> TeamData:
        tz = team_timezone(team, account_tz)
        board_id = board_id_of(self.site, team)
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


def _without_failed(view: SiteView, summary: RunSummary) -> SiteView:
    """``view`` without the teams ``summary`` says failed."""
    if not any(t.team.name in summary.failed_teams for t in view.teams):
        return view
    return replace(view, teams=[t for t in view.teams if t.team.name not in summary.failed_teams])


def _clip(desired: DesiredValue) -> DesiredValue:
    """Text values cut to what a single-line Jira text field holds."""
    if not isinstance(desired.value, str) or len(desired.value) <= TEXT_LIMIT:
        return desired
    return replace(desired, value=desired.value[: TEXT_LIMIT - 1] + "…")
