"""What each ``kpiokr`` command does, and what it prints. Exit codes: 0 ok, 1 failed, 2 bad input."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, timedelta
from typing import TextIO

from sync.app import (
    Access,
    DashboardServer,
    FieldRef,
    LiveUpdates,
    Metrics,
    ReviewShelf,
    Runner,
    WebhookReceiver,
    When,
    add_review_job,
    build_scheduler,
    daemon_share,
    dashboard_access,
    dashboard_app,
    evaluate_as_of,
    field_kind,
    field_ref,
    pie_chart_advice,
    render,
    review_job,
    run_until_stopped,
    team_document,
    team_filters,
    webhook_receiver,
)
from sync.cli.bootstrap import GatewayFactory, build_metrics, open_store, opened_app, utc_now
from sync.cli.check import OPTIONAL_NOTE
from sync.cli.pass_summary import print_summary
from sync.config import Config
from sync.errors import FieldNotFound, KpiokrError
from sync.jira import JiraRestGateway, resolve_field
from sync.mapping import MappingError, TeamMapping, load_mappings
from sync.score_fields import OBJECTIVE_STATUS, SCORE_FIELDS, AnyScoreField
from sync.store import DaemonsShareStore, Store, create_store_engine, default_owner

log = logging.getLogger("kpiokr")


class ProgressBar:
    """A one-line progress bar on a terminal; a log line per tenth elsewhere."""

    def __init__(self, label: str, out: TextIO | None = None) -> None:
        self.label = label
        self.out = out or sys.stderr
        self._tty = self.out.isatty()
        self._logged = -1

    def __call__(self, done: int, total: int | None) -> None:
        """Show ``done`` of ``total`` (unknown total: a count)."""
        if total:
            share = min(done / total, 1.0)
            if self._tty:
                bar = "#" * int(share * 30)
                self.out.write(f"\r{self.label} [{bar:<30}] {done}/{total} ({share:.0%})")
                self.out.flush()
            elif int(share * 10) > self._logged:
                self._logged = int(share * 10)
                log.info("%s: %d/%d (%.0f%%)", self.label, done, total, share * 100)
        elif self._tty:
            self.out.write(f"\r{self.label}: {done}")
            self.out.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self._tty:
            self.out.write("\n")


def sync(
    config: Config,
    *,
    full: bool,
    dry_run: bool,
    reconcile: bool,
    stop: threading.Event,
    gateways: GatewayFactory = JiraRestGateway,
) -> int:
    """``kpiokr sync``: exactly one pass (``kpiokr daemon`` repeats them).

    Exit 1 when a team was skipped, a write rejected, or scores could not be written (a score field is missing).
    """
    ttl = timedelta(seconds=config.sync.lock_ttl_seconds)
    with opened_app(config, os.environ, gateways) as app, app.store.locked(default_owner("sync"), ttl):
        if members := app.store.live_members():
            raise DaemonsShareStore(members)
        app.store.recover_abandoned_runs()
        first = not app.store.watermarks()
        bar = ProgressBar("fetching issues") if first or full or reconcile else None
        summary = app.runner(stop, progress=bar).run(full=full, dry_run=dry_run, reconcile=reconcile)
        if bar is not None:
            bar.close()
        print_summary(summary, dry_run=dry_run)
        return 0 if summary.ok else 1


def daemon(
    config: Config, *, stop: threading.Event, gateways: GatewayFactory = JiraRestGateway, serve: bool = False
) -> int:
    """``kpiokr daemon``: incremental syncs on the interval, reconciliation nightly, until stopped;
    with ``serve``, the dashboard in a thread beside them."""
    access = dashboard_access(config.dashboard, os.environ, config.base_dir) if serve else None
    with (
        opened_app(config, os.environ, gateways) as app,
        daemon_share(app.store, app.runner(stop), config.sync, utc_now) as share,
    ):
        runner = share.runner
        live = _live_updates(config, runner, app.metrics, origin=share.owner, serve=serve)
        if access is not None:
            on_hint = live.hint if live else None
            receiver = webhook_receiver(config, os.environ, app.store, utc_now, on_hint, origin=share.owner)
            dashboard = dashboard_server(config, app.store, access, metrics=app.metrics, webhooks=receiver)
            dashboard.start()
            log.info("dashboard at %s", dashboard.url)

        def job(**kwargs: bool) -> None:
            if stop.is_set():
                return
            if not share.keep():
                log.error("lost the store lock to another process: stopping")
                stop.set()
                return
            try:
                summary = runner.run(**kwargs)
            except KpiokrError:
                return  # the runner logged it and recorded it in the store; the next run catches up
            log.info(
                "run %d: %d fetched, %d field(s) written%s, %d request(s)",
                summary.run_id,
                summary.fetched,
                summary.fields_written,
                " (write-back is disabled)" if summary.writeback_disabled else "",
                summary.requests,
                extra=summary.log_fields(),
            )

        now = utc_now()
        sync_settings = config.sync
        if live is not None:  # webhooks drive the passes; the scheduled sync is the safety net
            sync_settings = sync_settings.model_copy(update={"interval_minutes": config.webhooks.poll_interval_minutes})
            live.start()
        scheduler = build_scheduler(job, lambda: job(reconcile=True), sync_settings, UTC, now)
        share.on_taken = lambda _groups: scheduler.modify_job("sync", next_run_time=utc_now())
        reviews = config.resolve(config.reviews.directory)
        jobs = review_job(
            app.jira,
            app.store,
            app.mappings,
            reviews,
            utc_now,
            stop=stop,
            teams=share.leased_teams,
            public_url=config.dashboard.public_url,
            post=config.writeback.enabled,
        )
        add_review_job(scheduler, jobs, UTC, now)
        if share.keeper is not None:
            app.metrics.count_teams_leased(lambda: len(share.leased_teams() or ()))
        about = {
            "interval_minutes": sync_settings.interval_minutes,
            "reconcile_at": sync_settings.reconcile_at,
            "shared_store": share.keeper is not None,
            "webhooks": live is not None,
            "dashboard": dashboard.url if access is not None else None,
        }
        try:
            run_until_stopped(scheduler, stop, about)
        finally:
            if live is not None:
                live.stop()
            if access is not None:
                dashboard.stop()
    return 0


def _live_updates(
    config: Config, runner: Runner, metrics: Metrics | None, *, origin: str, serve: bool
) -> LiveUpdates | None:
    """Passes driven by webhooks when ``[webhooks]`` is enabled: those this daemon receives (with
    ``serve``) and those other processes (daemons, ``kpiokr serve``) leave in the store."""
    if not config.webhooks.enabled:
        return None
    if not serve:
        log.info("webhooks: acting on those `kpiokr serve` or other daemons on this store receive")
    handled = metrics.webhook_handled if metrics else None
    return LiveUpdates(runner, config.webhooks, on_handled=handled, origin=origin)


def dashboard_server(
    config: Config,
    store: Store,
    access: Access,
    *,
    metrics: Metrics | None = None,
    webhooks: WebhookReceiver | None = None,
) -> DashboardServer:
    """The dashboard of ``store`` on ``[dashboard]``'s address and port, not yet listening; ``metrics``
    at ``/metrics``, ``webhooks`` at ``POST /webhooks/jira``."""
    settings = config.dashboard
    app = dashboard_app(
        store,
        config.mapping_paths,
        access,
        utc_now,
        settings.base_path,
        jira_url=config.jira.url,
        metrics=metrics,
        webhooks=webhooks,
        reviews=ReviewShelf(config.resolve(config.reviews.directory)),
    )
    return DashboardServer(app, settings)


def serve(config: Config) -> int:
    """``kpiokr serve``: the read-only dashboard over the store, until SIGINT or SIGTERM.

    Refused (a :class:`ConfigError`, exit 2) when bound beyond loopback without access control."""
    access = dashboard_access(config.dashboard, os.environ, config.base_dir)
    store = open_store(config)
    try:
        receiver = webhook_receiver(config, os.environ, store, utc_now, origin=default_owner("serve"))
        server = dashboard_server(config, store, access, metrics=build_metrics(store), webhooks=receiver)
        print(f"kpiokr dashboard at {server.url} (Ctrl-C stops it)", flush=True)
        if receiver is not None:
            print("webhooks are recorded here for `kpiokr daemon` (webhooks enabled) to act on", flush=True)
        server.run()
    finally:
        store.close()
    return 0


def report(config: Config, *, fmt: str, team: str | None, as_of: str | None = None, cycle: str | None = None) -> int:
    """``kpiokr report``: each team's newest evaluation, or with ``as_of``/``cycle`` one computed from
    the stored histories at that instant. Reads the store only: never asks Jira, never writes."""
    when = When.parse(as_of, cycle)
    loaded = load_mappings(config.mapping_paths)
    store = open_store(config)
    try:
        known = sorted({t.team.name for t in loaded.teams} | {r.team for r in store.latest_reports()})
        if team is not None and team not in known:
            names = ", ".join(known) or "none yet: write a mapping file and run `kpiokr sync`"
            print(f"kpiokr: there is no team {team!r}; --team takes one of: {names}", file=sys.stderr)
            return 2
        if when.given:
            if loaded.errors:
                raise MappingError(loaded.errors)
            teams = [t for t in loaded.teams if team is None or t.team.name == team]
            documents = [team_document(r) for r in evaluate_as_of(store, teams, when)]
        else:
            documents = [dict(r.document) for r in store.latest_reports(team)]
    finally:
        store.close()
    if not documents:
        print("kpiokr: no report yet: run `kpiokr sync` first", file=sys.stderr)
        return 1
    print(render({"teams": documents}, fmt))
    return 0


def setup(config: Config, *, dry_run: bool, gateways: GatewayFactory = JiraRestGateway) -> int:
    """``kpiokr setup``: create the missing score fields, and say which screens they belong on."""
    wanted: dict[str, AnyScoreField] = {}
    teams = load_mappings(config.mapping_paths).teams
    for team in teams:
        names = team.score_fields.by_setting()
        wanted.update({names[f.setting]: f for f in SCORE_FIELDS})
    refs: dict[str, FieldRef] = {}
    with opened_app(config, os.environ, gateways) as app:
        fields = app.jira.fields()
        datacenter = app.jira.flavor() == "datacenter"
        for name, score_field in wanted.items():
            kind, options = score_field.kind, score_field.options
            if score_field.optional:
                print(f"note: {name} {OPTIONAL_NOTE}")
            try:
                existing = resolve_field(fields, name)
            except FieldNotFound:
                existing = None
            if existing is not None:
                refs[name] = field_ref(name, existing.id, field_kind(existing))
                print(f"exists: {name} ({existing.id}, {field_kind(existing)})")
                if field_kind(existing) == "select" and options and not dry_run and not datacenter:
                    app.jira.add_select_options(existing.id, options)
                continue
            if kind == "select" and datacenter:
                kind = "text"
                print(
                    f"note: {name} is made a text field: Data Center's REST API cannot add options to a select "
                    f"list. For a select list, create it by hand with the options {', '.join(options)}; "
                    "kpiokr writes to either kind."
                )
            if dry_run:
                refs[name] = field_ref(name, None, kind)
                print(f"would create: {name} ({kind})")
                continue
            created = app.jira.create_field(name, kind, options if kind == "select" else ())
            refs[name] = field_ref(name, created.id, kind)
            print(f"created: {name} ({created.id}, {kind})")
    print(
        "Add the objective fields to the edit and view screens of the epics' projects, and the key-result "
        "field to those of the key-result issues (Jira settings > Issues > Screens), so kpiokr can write them "
        "and people can see them."
    )
    _print_saved_filters(teams, refs)
    return 0


def _print_saved_filters(teams: Sequence[TeamMapping], refs: Mapping[str, FieldRef]) -> None:
    """Each team's saved filters for Jira's "Filter Results" and "Pie Chart" gadgets."""
    print(
        '\nSaved filters for Jira\'s "Filter Results" and "Pie Chart" dashboard gadgets (search with the JQL,'
        " then Save as the name given):"
    )
    for team in teams:
        names = team.score_fields.by_setting()
        filters = team_filters(team, {setting: refs[name] for setting, name in names.items()})
        for saved in filters:
            print(f"  {saved.name}: {saved.jql}")
        if filters:
            status = names[OBJECTIVE_STATUS.setting]
            print(f"  {pie_chart_advice(team, status, refs[status])}")


def migrate(config: Config) -> int:
    """``kpiokr migrate``: bring the store's schema to this version, keeping its data."""
    store = Store(create_store_engine(config.store_url))
    try:
        before, now = store.migrate()
    finally:
        store.close()
    print(f"store schema at {now}" + (f" (was {before})" if before and before != now else ""))
    return 0
