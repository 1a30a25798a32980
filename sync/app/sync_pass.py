"""One pass of the daemon: fetch -> translate -> score -> record -> plan -> apply, then the properties.

``sync_pass(ports, teams, state, full=..., dry_run=..., reconcile=...)`` runs one pass over
``teams`` through ``ports`` (:class:`sync.app.ports.Ports`: the Jira gateway, the store, the
config, the clock, the stop event) and hands back the :class:`sync.app.warm_state.WarmState` the
next pass over the same teams starts from, with the :class:`RunSummary` of what it did.

A pass fetches what changed since the watermark, refreshes what only Jira can answer when someone
other than kpiokr changed anything (its own writes coming back change no answer), recomputes every
team's scores and KPIs from the stored histories, and writes to Jira only the fields whose value
changed. A pass in which nothing changed in Jira costs one search request returning one page and
makes no write, with a fresh state too (site facts, boards and team answers are kept in the
store: :mod:`sync.app.site_answers`); the account is read again when that search comes back empty
(the account's time zone may have moved), the field list once when it brought changes (a pass
that may write checks its score fields exist).

The scores are recorded and the daily series extended before the writes are planned: the objectives'
forecasts rest on the series, and a pass makes them once, for the forecast field and the property
documents alike (:mod:`sync.app.properties.forecasts`).

One team's fault stays its own: a JQL Jira rejects, a board that is gone, a field the site lacks
or a project Jira will not search skips the teams concerned (named with their mapping file and
line in :attr:`RunSummary.failed_teams`); the others are fetched, scored and written, and the run
is recorded ``partial``. A stop asked for during the writes ends them after the request in flight.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sync.app.boards import BoardReader
from sync.app.daily_series import extend_series, previous_cycle
from sync.app.fetch import FetchResult, check_stop, fetch_updates, project_watermarks
from sync.app.ledger import WriteLedger
from sync.app.ports import Ports
from sync.app.properties.forecasts import TeamOutlook, team_outlooks
from sync.app.properties.write import write_properties
from sync.app.reconcile import forget_missing
from sync.app.reconcile import reconcile as reconcile_with_jira
from sync.app.results import team_document
from sync.app.run_summary import RunSummary
from sync.app.score_records import score_records
from sync.app.site_answers import SiteAnswers
from sync.app.site_view import SiteView, SiteViews
from sync.app.team_faults import TeamFault
from sync.app.team_scores import TeamScorer
from sync.app.warm_state import WarmState
from sync.app.write_phase import plan_writes_for, send_writes
from sync.jira import BoardConfig, OwnWrites, SiteDictionary
from sync.mapping import TeamMapping

log = logging.getLogger(__name__)

#: How long one pass may spend filling days of the daily series never stored. A 90-day backfill takes
#: ~9 s at 10,000 issues but ~90 s at 100,000: spread over passes, it keeps a first sync within its
#: time and a service manager's stop timeout; the days a change moves are recomputed whatever it takes.
SERIES_BACKFILL_SECONDS = 20.0


@dataclass(frozen=True)
class PassResult:
    """What a pass did, and the state the next pass over the same teams starts from."""

    summary: RunSummary
    state: WarmState


def sync_pass(
    ports: Ports,
    teams: Sequence[TeamMapping],
    state: WarmState,
    *,
    full: bool = False,
    dry_run: bool = False,
    reconcile: bool = False,
    give_way: Callable[[], bool] = lambda: False,
) -> PassResult:
    """One pass over ``teams``, recorded as a run in the store. ``full`` re-reads every issue;
    ``dry_run`` plans writes and makes none; ``reconcile`` compares every issue with Jira and reads
    the site facts again; ``give_way`` says another pass waits (a live update): the backfill of days
    never stored then stops for it. A pass that fails is recorded ``failed`` (``abandoned`` when
    stopped) and raises; ``state``, narrowed to ``teams`` (:meth:`WarmState.covering`), stays usable."""
    kind = "dry-run" if dry_run else "reconcile" if reconcile else "full" if full else "sync"
    started = time.monotonic()
    jira, store = ports.jira, ports.store
    requests_before = jira.requests_made
    state = state.covering(t.team.name for t in teams)
    summary = RunSummary(store.start_run(kind, owner=ports.owner), kind)
    log.info("run %d (%s) started", summary.run_id, kind)
    try:
        try:
            _Pass(ports, state, summary, full=full, dry_run=dry_run, reconcile=reconcile, give_way=give_way).run(teams)
        finally:
            ports.hooks.pass_ended()
    except BaseException as error:
        summary.requests = jira.requests_made - requests_before
        summary.seconds = time.monotonic() - started
        status = "abandoned" if isinstance(error, KeyboardInterrupt) or ports.stop.is_set() else "failed"
        text = str(error) or type(error).__name__
        store.finish_run(summary.run_id, status, counts=summary.counts, error=text)
        level = logging.WARNING if status == "abandoned" else logging.ERROR
        fields = {**summary.log_fields(status), "error": text}
        log.log(level, "run %d (%s) %s: %s", summary.run_id, kind, status, text, extra=fields)
        raise
    summary.requests = jira.requests_made - requests_before
    summary.seconds = time.monotonic() - started
    said = "; ".join([*summary.failed_teams.values(), *summary.problems]) or None
    store.finish_run(summary.run_id, summary.status, counts=summary.counts, error=said)
    if summary.failed_teams:
        log.error("run %d (%s) partial: %d team(s) skipped", summary.run_id, kind, len(summary.failed_teams))
    return PassResult(summary, state)


class _Pass:
    """The steps of one pass, over the ports and the warm state, into ``summary``."""

    def __init__(
        self,
        ports: Ports,
        state: WarmState,
        summary: RunSummary,
        *,
        full: bool,
        dry_run: bool,
        reconcile: bool,
        give_way: Callable[[], bool],
    ) -> None:
        self.ports, self.give_way = ports, give_way
        self.state = state
        self.summary = summary
        self.full, self.dry_run, self.reconcile = full, dry_run, reconcile
        self.site = SiteAnswers(ports.jira, ports.store, ports.clock, state.site)
        self.views = SiteViews(self.site, ports.store, state.dictionaries)
        self.boards = BoardReader(
            ports.jira, ports.store, self.site, ports.clock, ports.config.sync.agile_refresh_minutes
        )
        self.ledger = WriteLedger(ports.store, ports.clock, ports.config.writeback.decimals)

    def run(self, teams: Sequence[TeamMapping]) -> None:
        """Fetch, translate, score, record (with the daily series and forecasts), plan, apply, properties."""
        summary, site, boards_of, store = self.summary, self.site, self.boards, self.ports.store
        asked = tuple(teams)
        self.state.catch_up(teams, project_watermarks(store))
        if self.reconcile:
            site.forget()
        site.account()  # who kpiokr is: the first thing a new pass asks, and its credentials' test
        fresh_agile = boards_of.unread(teams)  # the view needs every board: a first sync reads them first
        if fresh_agile:
            teams = boards_of.refresh(teams, summary, force=True)
        teams, boards = boards_of.stored(teams, summary)
        view, fetched = self._fetch_phase(self.views.view(teams, boards, summary), boards)
        teams = view.teams
        if not fresh_agile:
            teams = boards_of.refresh(teams, summary, force=fetched.changed_by_others or self.full)
        check_stop(self.ports.stop)
        teams = [t for t in teams if t.team.name not in summary.failed_teams]
        scorer = TeamScorer(self.ports, self.state, site, fetched, self.full)
        scorer.score(summary, teams, view, boards)
        check_stop(self.ports.stop)
        view = self._plan(scorer, view, boards)
        self._record()
        if not self.dry_run:
            self._extend_series(view, fetched)
        outlooks = self._outlooks(view)
        self._plan_forecasts(view, outlooks)
        check_stop(self.ports.stop)
        send_writes(self.ports, self.ledger, summary, dry_run=self.dry_run)
        check_stop(self.ports.stop)
        write_properties(
            self.ports,
            summary,
            view.teams,
            dry_run=self.dry_run,
            reconcile=self.reconcile,
            outlooks=outlooks,
            quiet=not fetched.changed and not fetched.forgotten,
            skipped=[t for t in asked if t.team.name in summary.failed_teams],
        )
        scored = {r.team for r in summary.results}
        self.state.scored([t for t in view.teams if t.team.name in scored], project_watermarks(store))

    def _fetch_phase(self, view: SiteView, boards: Mapping[str, BoardConfig | None]) -> tuple[SiteView, FetchResult]:
        """Fetch what changed (asking again when the account's zone moved), read again the site facts
        a pass that may write needs, forget what Jira no longer has; the view as it then stands."""
        summary, site, store = self.summary, self.site, self.ports.store
        fetched = self._fetch(view)
        view = _without_failed(view, summary)
        if not self.full and not fetched.fetched and project_watermarks(store) and site.refresh_account():
            # The look-back always brings back the newest issue held: an empty answer may mean the
            # account's time zone, which JQL dates are read in, has moved. It had: ask again.
            view = self.views.view(view.teams, boards, summary)
            fetched = self._fetch(view)
            view = _without_failed(view, summary)
        elif self._site_changed(fetched, view):
            summary.problems.clear()
            summary.missing_score_fields.clear()
            view = self.views.view(view.teams, boards, summary)
        jira = self.ports.jira
        fetched.forgotten.update(forget_missing(jira, store, fetched.complete, view.search_fields, fetched))
        if self.reconcile:
            projects = sorted({p for t in view.teams for p in t.team.projects})
            found = reconcile_with_jira(jira, store, projects, view.search_fields, stop=self.ports.stop)
            fetched.keys.update(found.refetched)
            fetched.fetched += len(found.refetched)
            fetched.forgotten.update(found.deleted)
        if fetched.forgotten:
            self.state.histories.forget()
        summary.fetched, summary.changed_keys, summary.forgotten = fetched.fetched, fetched.keys, len(fetched.forgotten)
        return view, fetched

    def _fetch(self, view: SiteView) -> FetchResult:
        """Fetch and store what changed in the teams' projects, translating it for them on the way.

        A project Jira will not search fails the teams that read it; the others go on.
        """
        ports, account = self.ports, self.site.account()
        seeding = {t.team.name: (t, view.dictionaries[t.team.name]) for t in view.teams}
        score_field_ids = [f.id for ids in view.score_fields.values() for f in ids.present()]
        fetched = fetch_updates(
            ports.jira,
            ports.store,
            sorted({p for t in view.teams for p in t.team.projects}),
            view.search_fields,
            account_tz=ZoneInfo(account.time_zone),
            overlap=timedelta(minutes=ports.config.sync.overlap_minutes),
            full=self.full,
            stop=ports.stop,
            progress=ports.progress,
            on_batch=lambda raws, changed: self._seed(raws, changed, seeding),
            own=OwnWrites.of(account, score_field_ids, self.site.fields()),
        )
        for team in view.teams:
            for index, project in enumerate(team.team.projects):
                if project in fetched.failed:
                    fault = TeamFault(team, ("team", "projects", index), fetched.failed[project])
                    self.summary.fail_team(fault.team, str(fault))
        return fetched

    def _seed(
        self,
        raws: Sequence[dict[str, Any]],
        changed: Sequence[dict[str, Any]],
        teams: Mapping[str, tuple[TeamMapping, SiteDictionary]],
    ) -> None:
        """Translate a batch just fetched for the history cache, then tell the caller it is stored."""
        self.state.histories.seed(raws, changed, teams, full=self.full)
        self.ports.hooks.batch_stored()

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

    def _plan(self, scorer: TeamScorer, view: SiteView, boards: Mapping[str, BoardConfig | None]) -> SiteView:
        """Plan the writes that bring Jira in line with the scores. Before a pass writes, the site
        facts a fresh process took from the store are read again; when they changed, it scores again.
        Returns the view the scores stand on."""
        summary = self.summary
        plan_writes_for(self.ports, self.ledger, summary, view.score_fields, reconcile=self.reconcile)
        if summary.planned and self.site.verify():
            summary.results.clear()
            summary.problems.clear()
            summary.missing_score_fields.clear()
            view = self.views.view(view.teams, boards, summary)
            scorer.score(summary, view.teams, view, boards)
            plan_writes_for(self.ports, self.ledger, summary, view.score_fields, reconcile=self.reconcile)
        return view

    def _outlooks(self, view: SiteView) -> dict[str, TeamOutlook]:
        """Each scored team's daily series and objective forecasts, made once for both the forecast field
        and the property documents: for every team when properties are written, else for the teams
        with a forecast field."""
        properties = self.ports.config.writeback.properties
        teams = [t for t in view.teams if properties or view.score_fields[t.team.name].wants_forecasts]
        return team_outlooks(self.ports.store, teams, self.summary.results, self.state.team_datas)

    def _plan_forecasts(self, view: SiteView, outlooks: Mapping[str, TeamOutlook]) -> None:
        """Plan the writes again with the objectives' forecasts, where a team has a field for them. A pass
        whose only writes are forecasts reads again the site facts a fresh process took from the store,
        as before any write; when they changed, it writes nothing and the next pass scores against them."""
        forecasts = {name: o.forecasts for name, o in outlooks.items() if view.score_fields[name].wants_forecasts}
        if not forecasts:
            return
        summary, verified = self.summary, bool(self.summary.planned)
        plan_writes_for(
            self.ports, self.ledger, summary, view.score_fields, reconcile=self.reconcile, forecasts=forecasts
        )
        if summary.planned and not verified and self.site.verify():
            log.info("run %d: the site changed since it was last read: forecasts written next pass", summary.run_id)
            summary.planned = []

    def _record(self) -> None:
        """Keep every team's scores and report in the store, under this run."""
        summary = self.summary
        log.debug("run %d: recording scores and reports", summary.run_id)
        with self.ports.store.transaction() as tx:
            for result in summary.results:
                objectives, key_results, kpis = score_records(result)
                tx.record_scores(summary.run_id, objectives=objectives, key_results=key_results, kpis=kpis)
                tx.record_report(result.team, result.as_of, team_document(result), run_id=summary.run_id)

    def _extend_series(self, view: SiteView, fetched: FetchResult) -> None:
        """Bring each scored team's daily series up to the day of its scores (:mod:`sync.app.daily_series`),
        and those of its previous cycle, from the histories the pass holds, backfilling days never stored
        for at most :data:`SERIES_BACKFILL_SECONDS` a pass, not past a stop nor while another pass waits."""
        results = {r.team: r for r in self.summary.results}
        deadline = time.monotonic() + SERIES_BACKFILL_SECONDS
        stop, give_way, store = self.ports.stop, self.give_way, self.ports.store

        def keep_going() -> bool:
            return not stop.is_set() and not give_way() and time.monotonic() < deadline

        for team in view.teams:
            name = team.team.name
            result = results.get(name)
            if result is not None:
                held = self.state.histories.index(store, team, view.dictionaries[name], self.state.answers[name], ())
                changed = fetched.by_others
                extend_series(
                    store, team, result.as_of, current=result, changed=changed, keep_going=keep_going, index=held
                )
                if (previous := previous_cycle(team)) is not None:
                    extend_series(store, previous, result.as_of, changed=changed, keep_going=keep_going, index=held)


def _without_failed(view: SiteView, summary: RunSummary) -> SiteView:
    """``view`` without the teams ``summary`` says failed."""
    if not any(t.team.name in summary.failed_teams for t in view.teams):
        return view
    return replace(view, teams=[t for t in view.teams if t.team.name not in summary.failed_teams])
